//! Operator login (password and TOTP) and logout. A wrong answer never says which of the three
//! was wrong; attempts are counted per username and client before the check, so a stranger's
//! guesses make the stranger wait, never the operator.

use std::net::IpAddr;

use domain::{ErrorCode, FieldErrors};

use super::attempts::{self, Admission, Caller, Credential};
use super::audit::audit;
use super::operators::{TotpSealer, totp, valid_username, verify_password};
use crate::secrets::new_session_token;
use crate::store::{AuditAction, AuditOutcome, OperatorSessionRecord, Realm, Session};
use crate::{ApiError, AppState};

// The form and the answer are the wire types the console sends and reads, defined once.
pub use domain::wire::session::{OperatorInfo, OperatorLogin as LoginRequest};

/// What the console knows about its session.
pub async fn operator_info(state: &AppState, session: &OperatorSessionRecord) -> Result<OperatorInfo, ApiError> {
    let operator = state
        .store
        .operator(&session.username)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(OperatorInfo {
        username: operator.username,
        full_name: operator.full_name,
        role: operator.role,
        expires_at: session.expires_at.into(),
        idle_seconds: state.config.operator_session_idle.num_seconds(),
    })
}

/// How a login ended.
#[derive(Debug)]
pub enum LoginOutcome {
    /// A new session: its token (for the cookie) and what the console shows.
    LoggedIn { token: String, info: OperatorInfo },
    /// Refused, for a reason the answer does not tell (the audit log does).
    Refused,
}

/// Checks `request` from `client` and opens an operator session when all three answers are right.
pub async fn log_in(state: &AppState, client: IpAddr, request: LoginRequest) -> Result<LoginOutcome, ApiError> {
    let now = state.clock.now();
    let mut errors = FieldErrors::new();
    for (field, value) in [
        ("username", &request.username),
        ("password", &request.password),
        ("totp", &request.totp),
    ] {
        if value.trim().is_empty() {
            errors.add(field, ErrorCode::Required);
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if !state.rate_limiter.allow(client, now) {
        return Err(ApiError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    let username = request.username.trim().to_ascii_lowercase();
    if !valid_username(&username) {
        // No such operator can exist; the hash is still checked so that timing says nothing.
        let password = request.password;
        tokio::task::spawn_blocking(move || verify_password(&password, None))
            .await
            .map_err(|e| ApiError::Store(crate::store::StoreError::Other(format!("hashing task failed: {e}"))))?;
        audit(
            state,
            "-",
            None,
            AuditAction::Login,
            AuditOutcome::Refused,
            "unknown_username",
        )
        .await?;
        return Ok(LoginOutcome::Refused);
    }
    let reserved =
        match attempts::reserve(state, Credential::Operator(&username), &Caller::Address(client), now).await? {
            Admission::Granted(reserved) => reserved,
            Admission::Delayed(retry_after) => {
                audit(
                    state,
                    &username,
                    None,
                    AuditAction::Login,
                    AuditOutcome::Refused,
                    ErrorCode::LoginLocked.as_str(),
                )
                .await?;
                return Err(ApiError::LoginDelayed { retry_after });
            }
        };

    let operator = state.store.operator(&username).await?;
    let stored_hash = operator.as_ref().map(|o| o.password_hash.clone());
    let password = request.password;
    // argon2 costs tens of milliseconds of CPU: off the async workers.
    let password_ok = tokio::task::spawn_blocking(move || verify_password(&password, stored_hash.as_deref()))
        .await
        .map_err(|e| ApiError::Store(crate::store::StoreError::Other(format!("hashing task failed: {e}"))))?;
    let (step, reason) = match &operator {
        None => (None, "unknown_username"),
        Some(o) if o.disabled => (None, "disabled"),
        Some(_) if !password_ok => (None, "password"),
        Some(o) => {
            let step = TotpSealer::new(&state.pin_key)
                .open(&username, &o.totp_secret_sealed)
                .and_then(|secret| totp::verify(&secret, &request.totp, now));
            (step, "totp")
        }
    };
    let accepted = match step {
        // A code already used (seen by someone over the shoulder, or replayed) is refused.
        Some(step) => state.store.claim_totp_step(&username, step).await?,
        None => false,
    };
    if !accepted {
        let reason = if step.is_some() { "totp_replayed" } else { reason };
        reserved.failed();
        audit(
            state,
            &username,
            None,
            AuditAction::Login,
            AuditOutcome::Refused,
            reason,
        )
        .await?;
        tracing::info!("operator login failed");
        return Ok(LoginOutcome::Refused);
    }

    reserved.succeeded(state).await?;
    let (token, token_hash) = new_session_token();
    let session = OperatorSessionRecord {
        token_hash,
        username: username.clone(),
        created_at: now,
        expires_at: now + state.config.operator_session_idle,
        absolute_expires_at: now + state.config.operator_session_max,
        generation: operator.as_ref().map_or(0, |o| o.session_generation),
    };
    state.store.put_session(&Session::Operator(session.clone())).await?;
    audit(state, &username, None, AuditAction::Login, AuditOutcome::Ok, "").await?;
    tracing::info!("operator login");
    let info = operator_info(state, &session).await?;
    Ok(LoginOutcome::LoggedIn { token, info })
}

/// Ends `session` (logout), on record.
pub async fn log_out(state: &AppState, session: &OperatorSessionRecord) -> Result<(), ApiError> {
    state.store.delete_session(Realm::Operator, &session.token_hash).await?;
    audit(
        state,
        &session.username,
        None,
        AuditAction::Logout,
        AuditOutcome::Ok,
        "",
    )
    .await?;
    Ok(())
}
