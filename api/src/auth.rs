//! Who is calling: the citizen's session from its HttpOnly cookie, and the scope a route needs.
//! Every personal route takes one of these extractors, so an unauthenticated or under-scoped call
//! never reaches a handler.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use domain::{ErrorCode, Scope};

use crate::secrets::session_token_hash;
use crate::store::SessionRecord;
use crate::store::{Realm, Session};
use crate::{ApiError, AppState};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sportello_session";

/// The session token in the request's cookies, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

/// The value of the cookie named `cookie` in the request, if any.
pub fn cookie_value(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value that sets (or, with `max_age` 0, clears) the session cookie.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    ))
    .expect("token is hex")
}

/// A citizen with a live session of any scope. Using it extends the idle timeout.
#[derive(Debug, Clone)]
pub struct Citizen {
    /// The session.
    pub session: SessionRecord,
}

impl Citizen {
    /// The citizen's codice fiscale.
    pub fn codice_fiscale(&self) -> &str {
        &self.session.codice_fiscale
    }
}

/// Loads the live session of the request without extending it.
pub async fn current_session(parts: &Parts, state: &AppState) -> Result<SessionRecord, ApiError> {
    let token = session_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
    let hash = session_token_hash(&token);
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
    if !session.is_live(state.clock.now()) || !pin_still_holds(state, &session).await? {
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
    if session.credential().is_strong() {
        return Ok(true);
    }
    Ok(state
        .store
        .pin_request(&session.codice_fiscale)
        .await?
        .is_some_and(|pin| pin.created_at <= session.created_at))
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let mut session = current_session(parts, state).await?;
        let expires_at = (state.clock.now() + state.config.session_idle).min(session.absolute_expires_at);
        state
            .store
            .extend_session(Realm::Citizen, &session.token_hash, expires_at)
            .await?;
        session.expires_at = expires_at;
        Ok(Citizen { session })
    }
}

/// A citizen whose session has the full scope (full PIN, SPID, CIE, CNS).
#[derive(Debug, Clone)]
pub struct FullCitizen(pub Citizen);

impl FromRequestParts<AppState> for FullCitizen {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let citizen = Citizen::from_request_parts(parts, state).await?;
        if citizen.session.scope != Scope::Full {
            return Err(ApiError::Forbidden(ErrorCode::AuthScope));
        }
        Ok(FullCitizen(citizen))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sportello_session=abc123; b=2"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("abc123"));
        headers.insert(header::COOKIE, HeaderValue::from_static("sportello_session_x=nope"));
        assert_eq!(session_token(&headers), None);
    }

    #[test]
    fn the_cookie_is_http_only_same_site_strict_and_secure_when_asked() {
        let c = session_cookie("abc", 60, true);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        assert!(!session_cookie("abc", 60, false).to_str().unwrap().contains("Secure"));
    }
}
