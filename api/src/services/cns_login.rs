//! The CNS login's two steps across two hosts: on the card's host a verified certificate becomes
//! a one-use handoff bound to the browser that started; on the service's host the handoff is
//! redeemed once, by that browser only.

use domain::{CodiceFiscale, ErrorCode, Scope};

use crate::cns::{CnsRefusal, HANDOFF_METHOD, verify_cns_certificate};
use crate::secrets::{constant_time_eq, new_session_token, session_token_hash};
use crate::store::SessionRecord;
use crate::{ApiError, AppState};

/// How long a handoff can be redeemed: one redirect, with room for a slow phone.
const HANDOFF_LIFETIME: chrono::Duration = chrono::Duration::seconds(60);

/// A binding as the card's host receives it: the SHA-256 of the cookie, 64 lowercase hex digits.
pub fn is_binding(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Checks the certificate the card's host received and, when it is a good CNS, stores a handoff
/// bound to `binding` (the hash of the browser's binding cookie) and returns its token.
pub async fn hand_over(
    state: &AppState,
    binding: String,
    certificate: Option<Vec<u8>>,
) -> Result<Result<String, CnsRefusal>, ApiError> {
    let now = state.clock.now();
    let cf: CodiceFiscale = match certificate {
        None => return Ok(Err(CnsRefusal::Missing)),
        Some(bytes) => match verify_cns_certificate(&bytes, &state.config.cns.ca_certificates, now) {
            Ok(cf) => cf,
            Err(refusal) => return Ok(Err(refusal)),
        },
    };
    let (token, token_hash) = new_session_token();
    let handoff = SessionRecord {
        token_hash,
        codice_fiscale: cf,
        scope: Scope::Full,
        method: HANDOFF_METHOD.into(),
        created_at: now,
        expires_at: now + HANDOFF_LIFETIME,
        absolute_expires_at: now + HANDOFF_LIFETIME,
        handoff_binding: Some(binding),
        credential: Some(domain::Credential::Cns),
        // A handoff is no session: the session made from it reads the name.
        applicant_name: None,
    };
    state.store.put_handoff(&handoff).await?;
    Ok(Ok(token))
}

/// Redeems the handoff `token` once, for the browser holding the binding cookie `held` (its
/// value); the codice fiscale to open a session for, or why not.
pub async fn redeem(
    state: &AppState,
    token: &str,
    held: Option<&str>,
) -> Result<Result<CodiceFiscale, ErrorCode>, ApiError> {
    let hash = session_token_hash(token);
    // One use, in one atomic step: of two redemptions racing each other, one takes it.
    let Some(record) = state.store.take_handoff(&hash, state.clock.now()).await? else {
        tracing::warn!("CNS handoff unknown, already used or expired");
        return Ok(Err(ErrorCode::AuthFlowInvalid));
    };
    let same_browser = held
        .map(session_token_hash)
        .zip(record.handoff_binding.as_deref())
        .is_some_and(|(held, bound)| constant_time_eq(held.as_bytes(), bound.as_bytes()));
    if !same_browser {
        tracing::warn!("CNS handoff opened in a browser that did not start the login");
        return Ok(Err(ErrorCode::AuthCnsOtherBrowser));
    }
    Ok(Ok(record.codice_fiscale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binding_is_64_lowercase_hex_digits() {
        assert!(is_binding(&"0a".repeat(32)));
        assert!(!is_binding(&"0A".repeat(32)) && !is_binding("0a") && !is_binding(&"zz".repeat(32)));
    }
}
