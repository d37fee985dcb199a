//! Who is calling from the Contact Center: the operator's session from its own cookie.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::cookies::{OPERATOR_COOKIE, cookie_value};
use crate::secrets::session_token_hash;
use crate::services::sessions::extended_expiry;
use crate::store::{OperatorRole, OperatorSessionRecord, Realm, Session};
use crate::{ApiError, AppState};

/// An operator with a live operator session (never a citizen's). Using it extends the idle timeout
/// (written at most once a minute).
#[derive(Debug, Clone)]
pub struct Operator {
    /// The session.
    pub session: OperatorSessionRecord,
    /// The operator's role as their record says now (not as it was at login).
    pub role: OperatorRole,
}

impl Operator {
    /// The operator's username.
    pub fn username(&self) -> &str {
        &self.session.username
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie_value(&parts.headers, OPERATOR_COOKIE).ok_or(ApiError::Unauthenticated)?;
        let hash = session_token_hash(&token);
        let mut session = state
            .store
            .session(Realm::Operator, &hash)
            .await?
            .and_then(Session::into_operator)
            .ok_or(ApiError::Unauthenticated)?;
        let now = state.clock.now();
        // A disabled operator's sessions end at once, not at their timeout, and so do the sessions
        // started before a reset or a disabling.
        let record = state
            .store
            .operator(&session.username)
            .await?
            .filter(|operator| !operator.disabled && session.generation == operator.session_generation);
        let Some(record) = record.filter(|_| session.is_live(now)) else {
            state.store.delete_session(Realm::Operator, &hash).await?;
            return Err(ApiError::Unauthenticated);
        };
        // Written at most once a minute, as a citizen's (`sessions::EXTEND_AT_MOST_EVERY`).
        if let Some(expires_at) = extended_expiry(
            session.expires_at,
            session.absolute_expires_at,
            now,
            state.config.operator_session_idle,
        ) {
            state.store.extend_session(Realm::Operator, &hash, expires_at).await?;
            session.expires_at = expires_at;
        }
        Ok(Operator {
            session,
            role: record.role,
        })
    }
}
