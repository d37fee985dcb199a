//! The audit log: every operator action, done or refused, appended (never a PIN, a password or a
//! TOTP code); read by supervisors only, and the reading is itself on record.

use domain::{CodiceFiscale, ErrorCode};
use serde::Deserialize;

use crate::store::{AuditAction, AuditEntry, AuditOutcome, OperatorRole};
use crate::{ApiError, AppState};

/// The most audit entries one read returns.
const AUDIT_LIMIT: usize = 500;

/// Appends one audit entry.
pub async fn audit(
    state: &AppState,
    operator: &str,
    codice_fiscale: Option<&str>,
    action: AuditAction,
    outcome: AuditOutcome,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    let entry = AuditEntry {
        at: state.clock.now(),
        operator: operator.to_owned(),
        codice_fiscale: codice_fiscale.map(str::to_owned),
        action,
        outcome,
        detail: detail.into(),
    };
    state.store.append_audit(&entry).await?;
    Ok(())
}

/// The stable code an error answers with, for the audit log.
pub fn error_detail(error: &ApiError) -> String {
    match error {
        ApiError::Validation(_) => ErrorCode::ValidationFailed.as_str().to_owned(),
        ApiError::Malformed(_) => ErrorCode::MalformedRequest.as_str().to_owned(),
        ApiError::WindowClosed { .. } => ErrorCode::WindowClosed.as_str().to_owned(),
        ApiError::AlreadySubmitted { protocol } => format!("{} {protocol}", ErrorCode::AlreadySubmitted.as_str()),
        ApiError::Conflict(code) | ApiError::Forbidden(code) => code.as_str().to_owned(),
        ApiError::NotFound => ErrorCode::NotFound.as_str().to_owned(),
        _ => ErrorCode::Internal.as_str().to_owned(),
    }
}

/// Audits how `result` ended for the call's citizen and passes it on.
pub async fn audited<T>(
    state: &AppState,
    username: &str,
    codice_fiscale: &str,
    action: AuditAction,
    result: Result<T, ApiError>,
    detail_ok: impl FnOnce(&T) -> String,
) -> Result<T, ApiError> {
    let (outcome, detail) = match &result {
        Ok(value) => (AuditOutcome::Ok, detail_ok(value)),
        Err(e) => (AuditOutcome::Refused, error_detail(e)),
    };
    audit(state, username, Some(codice_fiscale), action, outcome, detail).await?;
    result
}

/// What a supervisor looks up: one citizen's entries or one operator's.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub codice_fiscale: Option<String>,
    pub operator: Option<String>,
    pub limit: Option<usize>,
}

// The answer is the wire type the console reads, defined once.
pub use domain::wire::operator::AuditList;

/// The entries `query` names, for `username` if their `role` is supervisor; an agent's attempt
/// is refused and recorded (an agent looking up a stranger is what the log is for).
pub async fn read_log(
    state: &AppState,
    username: &str,
    role: OperatorRole,
    query: AuditQuery,
) -> Result<AuditList, ApiError> {
    let limit = query.limit.unwrap_or(100).min(AUDIT_LIMIT);
    let cf = match query.codice_fiscale.as_deref().map(CodiceFiscale::parse).transpose() {
        Ok(cf) => cf.map(|cf| cf.to_string()),
        Err(e) => return Err(ApiError::field("codice_fiscale", e)),
    };
    if role != OperatorRole::Supervisor {
        // The attempt is itself on record: an agent looking up a stranger is what the log is for.
        let code = ErrorCode::OperatorSupervisorOnly;
        audit(
            state,
            username,
            cf.as_deref(),
            AuditAction::AuditRead,
            AuditOutcome::Refused,
            code.as_str(),
        )
        .await?;
        return Err(ApiError::Forbidden(code));
    }
    let entries = match (&cf, query.operator) {
        (Some(cf), None) => state.store.audit_for(cf, limit).await?,
        (None, Some(username)) => state.store.audit_by_operator(username.trim(), limit).await?,
        _ => {
            return Err(ApiError::Malformed(
                "give exactly one of codice_fiscale and operator".into(),
            ));
        }
    };
    audit(
        state,
        username,
        cf.as_deref(),
        AuditAction::AuditRead,
        AuditOutcome::Ok,
        "",
    )
    .await?;
    let entries = entries
        .into_iter()
        .map(|e| domain::wire::operator::AuditEntry {
            at: e.at.into(),
            operator: e.operator,
            codice_fiscale: e.codice_fiscale,
            action: e.action,
            outcome: e.outcome,
            detail: e.detail,
        })
        .collect();
    Ok(AuditList { entries })
}
