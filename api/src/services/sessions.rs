//! Citizens' sessions: opening one after a proved credential, finding the live one, ending it.

use chrono::{DateTime, Utc};
use domain::{Credential, Scope};

use std::net::IpAddr;

use domain::{CodiceFiscale, ErrorCode, PinInput};

use super::attempts::Caller;
use super::pin_check::{PinCheck, check_pin, simplified_pin_barred};
use crate::secrets::{new_session_token, session_token_hash};
use crate::store::{Realm, Session, SessionRecord, SubmissionGuard};
use crate::{ApiError, AppState};

/// Where the browser goes once a login through a redirect (SPID, CIE, CNS) opened a session.
pub const AFTER_LOGIN: &str = "/domanda";

/// Opens a session for a citizen whose identity was just proven with `credential` and returns it
/// with its token (for the cookie; only its hash is stored). The scope and method follow from the
/// credential: only the simplified PIN gives the simplified scope.
pub async fn start_session(
    state: &AppState,
    codice_fiscale: CodiceFiscale,
    credential: Credential,
) -> Result<(SessionRecord, String), ApiError> {
    // Read once here so that the Conferma's receipt names the applicant without a read of its
    // own (issue 19: a Conferma in at most 3 DynamoDB calls). A PIN login has read it already.
    let applicant_name = state
        .store
        .pin_request(codice_fiscale.as_str())
        .await?
        .map(|pin| pin.applicant_name());
    open_session(state, codice_fiscale, credential, applicant_name).await
}

/// [`start_session`] for a citizen whose PIN request's name is known.
async fn open_session(
    state: &AppState,
    codice_fiscale: CodiceFiscale,
    credential: Credential,
    applicant_name: Option<String>,
) -> Result<(SessionRecord, String), ApiError> {
    let now = state.clock.now();
    let scope = match credential {
        Credential::SimplifiedPin => Scope::Simplified,
        _ => Scope::Full,
    };
    let method = match credential {
        Credential::SimplifiedPin | Credential::FullPin => "pin",
        Credential::SpidL2 | Credential::SpidL3 => "spid",
        Credential::CieL2 | Credential::CieL3 => "cie",
        Credential::Cns => "cns",
    };
    let (token, token_hash) = new_session_token();
    let session = SessionRecord {
        token_hash,
        codice_fiscale,
        scope,
        method: method.into(),
        created_at: now,
        expires_at: now + state.config.session_idle,
        absolute_expires_at: now + state.config.session_max,
        handoff_binding: None,
        credential: Some(credential),
        applicant_name,
    };
    state.store.put_session(&Session::Citizen(session.clone())).await?;
    tracing::info!(scope = ?scope, method, credential = credential.as_str(), "login");
    crate::metrics::count(state.config.emf_metrics, crate::metrics::Metric::Logins, now);
    Ok((session, token))
}

/// A session's idle expiry is written again only once it would move by at least this much: every
/// authenticated request extends the session, and writing each time made the store's single
/// writer carry one write per request (docs/adr/0020). The cost: a session may end up to this
/// long before its nominal idle timeout.
pub const EXTEND_AT_MOST_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// The idle expiry to store for a session in use at `now`, stored as expiring at `stored` and
/// at `absolute` at the latest, with `idle` as its timeout; `None` when it would move by less
/// than [`EXTEND_AT_MOST_EVERY`], and so is not written.
pub fn extended_expiry(
    stored: DateTime<Utc>,
    absolute: DateTime<Utc>,
    now: DateTime<Utc>,
    idle: chrono::Duration,
) -> Option<DateTime<Utc>> {
    let wanted = (now + idle).min(absolute);
    (wanted - stored >= EXTEND_AT_MOST_EVERY).then_some(wanted)
}

/// The live session whose cookie holds `token`, without extending it; an expired one, or one
/// whose PIN no longer holds, is deleted.
pub async fn current(state: &AppState, token: &str) -> Result<SessionRecord, ApiError> {
    let session = live(state, token).await?;
    if !pin_still_holds(state, &session).await? {
        state.store.delete_session(Realm::Citizen, &session.token_hash).await?;
        return Err(ApiError::Unauthenticated);
    }
    Ok(session)
}

/// The live session of `token` for a Conferma, and what its submission must find still true:
/// instead of reading the PIN request now, the store checks it in the submission's own write
/// (`SubmissionGuard`; issue 19, a Conferma in at most 3 DynamoDB calls).
pub async fn current_for_submission(
    state: &AppState,
    token: &str,
) -> Result<(SessionRecord, SubmissionGuard), ApiError> {
    let session = live(state, token).await?;
    let guard = SubmissionGuard::for_session(&session);
    Ok((session, guard))
}

/// The stored, unexpired session of `token` (an expired one is deleted), never a CNS handoff.
async fn live(state: &AppState, token: &str) -> Result<SessionRecord, ApiError> {
    let hash = session_token_hash(token);
    let session = state
        .store
        .session(Realm::Citizen, &hash)
        .await?
        .and_then(Session::into_citizen)
        .ok_or(ApiError::Unauthenticated)?;
    if session.method == crate::cns::HANDOFF_METHOD {
        // A CNS handoff's token in a cookie: it is redeemed once at its own route, never used.
        return Err(ApiError::Unauthenticated);
    }
    if !session.is_live(state.clock.now()) {
        state.store.delete_session(Realm::Citizen, &hash).await?;
        return Err(ApiError::Unauthenticated);
    }
    Ok(session)
}

/// Whether the PIN a PIN session was opened with still holds: a revoked PIN request is no longer
/// stored, and a newer request (made after a revocation or an expiry) is not the one the session
/// proved, so sessions from a PIN reported as not the citizen's end at once (docs/adr/0017).
/// Sessions of SPID, CIE and CNS do not depend on any PIN.
async fn pin_still_holds(state: &AppState, session: &SessionRecord) -> Result<bool, ApiError> {
    guard_holds(state, &session.codice_fiscale, SubmissionGuard::for_session(session)).await
}

/// Whether `guard` holds for `cf` now, read from the store (one read, for a PIN session only).
pub async fn guard_holds(state: &AppState, cf: &CodiceFiscale, guard: SubmissionGuard) -> Result<bool, ApiError> {
    if guard.pin_session_started_at.is_none() {
        return Ok(true);
    }
    Ok(guard.holds(state.store.pin_request(cf.as_str()).await?.as_ref()))
}

/// A PIN login from `client`: the codice fiscale and the PIN (the first 8 characters open the
/// simplified scope, all 16 the full), both parsed at the edge, checked with the guesses'
/// limits; a session, or why not.
pub async fn log_in_with_pin(
    state: &AppState,
    client: IpAddr,
    cf: &CodiceFiscale,
    pin: &PinInput,
) -> Result<(SessionRecord, String), ApiError> {
    let now = state.clock.now();
    if !state.rate_limiter.allow(client, now) {
        return Err(ApiError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    let applicant_name = match check_pin(state, cf, pin, &Caller::Address(client), now).await? {
        PinCheck::Accepted { applicant_name } => applicant_name,
        PinCheck::Delayed(retry_after) => return Err(ApiError::LoginDelayed { retry_after }),
        PinCheck::Wrong => {
            tracing::info!("login failed");
            return Err(ApiError::LoginFailed);
        }
    };
    let credential = if pin.second_half().is_some() {
        Credential::FullPin
    } else {
        Credential::SimplifiedPin
    };
    // Asked only of a right PIN: a guesser learns nothing of reports from it.
    if credential == Credential::SimplifiedPin && simplified_pin_barred(state, cf).await? {
        tracing::info!("simplified PIN refused after a report");
        return Err(ApiError::Forbidden(ErrorCode::SimplifiedPinAfterReport));
    }
    open_session(state, cf.clone(), credential, Some(applicant_name)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn a_session_used_within_a_minute_of_its_last_extension_is_not_written_again() {
        let idle = chrono::Duration::minutes(30);
        let stored = at(0) + idle;
        assert_eq!(extended_expiry(stored, at(7200), at(0), idle), None);
        assert_eq!(extended_expiry(stored, at(7200), at(59), idle), None);
        assert_eq!(extended_expiry(stored, at(7200), at(60), idle), Some(at(60) + idle));
    }

    #[test]
    fn a_session_at_its_absolute_limit_is_not_extended_past_it_nor_written_for_nothing() {
        let idle = chrono::Duration::minutes(30);
        let absolute = at(1000);
        assert_eq!(extended_expiry(at(900), absolute, at(950), idle), Some(absolute));
        assert_eq!(extended_expiry(absolute, absolute, at(990), idle), None);
    }
}
