//! "Non sono stato io" (docs/adr/0017): a report revokes the PIN (its sessions end, a new request
//! may be made) and sets aside a simplified-PIN application not yet paid, suspended with the
//! reason, for staff to check. The citizen reports from their area, the Contact Center on the
//! citizen's call; both come here, and every report is audited.

use chrono::{DateTime, Utc};
use domain::application::{ApplicationStatus, report_suspends};
use domain::{Credential, ErrorCode};
use serde::{Deserialize, Serialize};

use crate::store::{AuditAction, AuditEntry, AuditOutcome};
use crate::{ApiError, AppState};

/// Optimistic rounds for suspending an application that staff may be moving at the same time.
const ROUNDS: usize = 5;

/// What a citizen (or the Contact Center on their call) reports as not theirs: exactly one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// The PIN request made at this time.
    #[serde(default)]
    pub pin_request: Option<DateTime<Utc>>,
    /// The application with this protocol number.
    #[serde(default)]
    pub application: Option<String>,
}

/// What a report did.
#[derive(Debug, Serialize)]
pub struct ReportDone {
    /// Whether a PIN request was revoked (its PIN opens nothing any more).
    pub pin_revoked: bool,
    /// The protocol number of the application suspended, if one was.
    pub suspended: Option<String>,
}

/// Who reports: the audit log's `operator` and the reason the suspension records.
#[derive(Debug, Clone)]
pub enum Reporter {
    /// The citizen, logged in with this credential.
    Citizen(Credential),
    /// A Contact Center operator on the citizen's call.
    Operator(String),
}

impl Reporter {
    /// The audit log's `operator`: an operator's username, or `citizen:<credential>`, which no
    /// username can be (usernames have no `:`), so a citizen's report is never taken for staff's.
    pub fn audit_name(&self) -> String {
        match self {
            Reporter::Citizen(credential) => format!("citizen:{}", credential.as_str()),
            Reporter::Operator(username) => username.clone(),
        }
    }

    fn history_by(&self) -> String {
        match self {
            Reporter::Citizen(_) => "citizen".into(),
            Reporter::Operator(username) => format!("contact_center:{username}"),
        }
    }

    fn reason(&self) -> String {
        match self {
            Reporter::Citizen(credential) => format!(
                "reported as not theirs by the citizen, logged in with {}",
                credential.as_str()
            ),
            Reporter::Operator(username) => {
                format!("reported as not theirs by the citizen on a Contact Center call ({username})")
            }
        }
    }
}

/// Reports what `request` names, in `cf`'s name, as not theirs, and audits the outcome.
pub async fn report(
    state: &AppState,
    cf: &str,
    request: &ReportRequest,
    reporter: &Reporter,
) -> Result<ReportDone, ApiError> {
    let result = match (request.pin_request, request.application.as_deref()) {
        (Some(created_at), None) => report_pin_request(state, cf, created_at, reporter).await,
        (None, Some(protocol)) => report_application(state, cf, protocol.trim(), reporter).await,
        _ => Err(ApiError::Malformed(
            "a report names either a pin_request or an application".into(),
        )),
    };
    let (outcome, detail) = match &result {
        Ok(done) => (
            AuditOutcome::Ok,
            format!(
                "pin revoked: {}; suspended: {}",
                done.pin_revoked,
                done.suspended.as_deref().unwrap_or("none")
            ),
        ),
        Err(ApiError::Conflict(code) | ApiError::Forbidden(code)) => (AuditOutcome::Refused, code.as_str().into()),
        Err(_) => (AuditOutcome::Refused, "error".into()),
    };
    state
        .store
        .append_audit(&AuditEntry {
            at: state.clock.now(),
            operator: reporter.audit_name(),
            codice_fiscale: Some(cf.to_owned()),
            action: AuditAction::IdentityReport,
            outcome,
            detail,
        })
        .await?;
    if let Ok(done) = &result {
        tracing::info!(
            pin_revoked = done.pin_revoked,
            suspended = done.suspended.is_some(),
            "identity report"
        );
    }
    result
}

/// A PIN request not theirs: revoked, and the application made with that PIN suspended.
async fn report_pin_request(
    state: &AppState,
    cf: &str,
    created_at: DateTime<Utc>,
    reporter: &Reporter,
) -> Result<ReportDone, ApiError> {
    let now = state.clock.now();
    if !state.store.revoke_pin_request(cf, created_at, now).await? {
        return Err(ApiError::Conflict(ErrorCode::ReportNothingToRevoke));
    }
    let suspended = suspend_current(state, cf, None, reporter).await?;
    Ok(ReportDone {
        pin_revoked: true,
        suspended,
    })
}

/// An application not theirs: suspended and set aside (refused unless a report may suspend it),
/// and the PIN that made it revoked.
async fn report_application(
    state: &AppState,
    cf: &str,
    protocol: &str,
    reporter: &Reporter,
) -> Result<ReportDone, ApiError> {
    let Some(suspended) = suspend_current(state, cf, Some(protocol), reporter).await? else {
        return Err(ApiError::Conflict(ErrorCode::ReportNotSuspendable));
    };
    let now = state.clock.now();
    let pin_revoked = match state.store.pin_request(cf).await? {
        Some(pin) => state.store.revoke_pin_request(cf, pin.created_at, now).await?,
        None => false,
    };
    Ok(ReportDone {
        pin_revoked,
        suspended: Some(suspended),
    })
}

/// Suspends and sets aside `cf`'s current application (only the one numbered `protocol`, when
/// given) if a report may suspend it; its protocol number, or `None` when there was nothing to
/// suspend.
async fn suspend_current(
    state: &AppState,
    cf: &str,
    protocol: Option<&str>,
    reporter: &Reporter,
) -> Result<Option<String>, ApiError> {
    for _ in 0..ROUNDS {
        let Some(mut record) = state.store.application(cf).await? else {
            return Ok(None);
        };
        let number = record.application.protocol.to_string();
        if protocol.is_some_and(|p| p != number) || !report_suspends(record.credential, record.application.status()) {
            return Ok(None);
        }
        let read_len = record.application.history().len();
        let now = state.clock.now().max(record.application.history()[read_len - 1].at);
        record
            .application
            .move_because(
                ApplicationStatus::Suspended,
                now,
                reporter.history_by(),
                Some(reporter.reason()),
            )
            .map_err(|e| ApiError::Store(crate::store::StoreError::Other(format!("suspension: {e}"))))?;
        if state.store.set_aside_application(&record, read_len).await? {
            return Ok(Some(number));
        }
    }
    Err(ApiError::Store(crate::store::StoreError::Unavailable(
        "the application kept changing while it was being suspended".into(),
    )))
}
