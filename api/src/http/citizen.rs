//! Who is calling: the citizen's session from its HttpOnly cookie, and the scope a route needs.
//! Every personal route takes one of these extractors, so an unauthenticated or under-scoped call
//! never reaches a handler.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::{CodiceFiscale, ErrorCode, Scope};

use super::cookies::session_token;
use crate::services::sessions;
use crate::store::{Realm, SessionRecord, SubmissionGuard};
use crate::{ApiError, AppState};

/// A citizen with a live session of any scope. Using it extends the idle timeout (written at most
/// once a minute).
#[derive(Debug, Clone)]
pub struct Citizen {
    /// The session.
    pub session: SessionRecord,
}

impl Citizen {
    /// The citizen's codice fiscale, as the session holds it (parsed before it was opened).
    pub fn codice_fiscale(&self) -> &CodiceFiscale {
        &self.session.codice_fiscale
    }
}

/// Loads the live session of the request without extending it.
pub async fn current_session(parts: &Parts, state: &AppState) -> Result<SessionRecord, ApiError> {
    let token = session_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
    sessions::current(state, &token).await
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let mut session = current_session(parts, state).await?;
        // Written at most once a minute (`sessions::EXTEND_AT_MOST_EVERY`); otherwise the stored
        // expiry stands, and is what the session says.
        if let Some(expires_at) = sessions::extended_expiry(
            session.expires_at,
            session.absolute_expires_at,
            state.clock.now(),
            state.config.session_idle,
        ) {
            state
                .store
                .extend_session(Realm::Citizen, &session.token_hash, expires_at)
                .await?;
            session.expires_at = expires_at;
        }
        Ok(Citizen { session })
    }
}

/// A citizen with a live session of any scope pressing Conferma, which is to make at most 3
/// DynamoDB calls, the session's read included (issue 19): the idle timeout is left as stored
/// (the pages before extended it, the receipt page after extends it again), and whether a PIN
/// session's PIN still holds is checked by the submission's own write, as `guard` says.
#[derive(Debug, Clone)]
pub struct SubmittingCitizen {
    /// The session.
    pub citizen: Citizen,
    /// What the submission must find still true.
    pub guard: SubmissionGuard,
}

impl FromRequestParts<AppState> for SubmittingCitizen {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        let (session, guard) = sessions::current_for_submission(state, &token).await?;
        Ok(SubmittingCitizen {
            citizen: Citizen { session },
            guard,
        })
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
