//! "Non sono stato io" (docs/adr/0017): a report revokes the PIN (its sessions end, a new request
//! may be made) and sets aside a simplified-PIN application not yet paid, suspended with the
//! reason, for staff to check. The citizen reports from their area, the Contact Center on the
//! citizen's call; both come here, and every report is audited.

use chrono::{DateTime, Utc};
use domain::application::{ApplicationStatus, report_suspends};
use domain::wire::Timestamp;
pub use domain::wire::identity::{CallReport, Report};
use domain::{CodiceFiscale, Credential, ErrorCode, PinInput};

use super::attempts::Caller;
use super::audit::audit;
use super::pin_check;
use crate::store::{AuditAction, AuditEntry, AuditOutcome, CallRecord};
use crate::{ApiError, AppState};

/// Optimistic rounds for suspending an application that staff may be moving at the same time.
const ROUNDS: usize = 5;

/// What a citizen (or the Contact Center on their call) reports as not theirs: exactly one,
/// read from the wire's [`Report`] or [`CallReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    /// The PIN request made at this time.
    pub pin_request: Option<DateTime<Utc>>,
    /// The application with this protocol number.
    pub application: Option<String>,
}

impl ReportRequest {
    /// The target a report names; a time that is not RFC 3339 is a malformed request.
    pub fn parse(pin_request: Option<&Timestamp>, application: Option<String>) -> Result<ReportRequest, ApiError> {
        let pin_request = pin_request
            .map(|at| {
                DateTime::parse_from_rfc3339(at)
                    .map(|at| at.to_utc())
                    .map_err(|_| ApiError::Malformed("pin_request: expected an RFC 3339 time".into()))
            })
            .transpose()?;
        Ok(ReportRequest {
            pin_request,
            application,
        })
    }
}

// The answer is the wire type the SPA and the console read, defined once.
pub use domain::wire::identity::ReportDone;

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
    cf: &CodiceFiscale,
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
            codice_fiscale: Some(cf.to_string()),
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
    cf: &CodiceFiscale,
    created_at: DateTime<Utc>,
    reporter: &Reporter,
) -> Result<ReportDone, ApiError> {
    let now = state.clock.now();
    if !state.store.revoke_pin_request(cf.as_str(), created_at, now).await? {
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
    cf: &CodiceFiscale,
    protocol: &str,
    reporter: &Reporter,
) -> Result<ReportDone, ApiError> {
    let Some(suspended) = suspend_current(state, cf, Some(protocol), reporter).await? else {
        return Err(ApiError::Conflict(ErrorCode::ReportNotSuspendable));
    };
    let now = state.clock.now();
    let pin_revoked = match state.store.pin_request(cf.as_str()).await? {
        Some(pin) => state.store.revoke_pin_request(cf.as_str(), pin.created_at, now).await?,
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
    cf: &CodiceFiscale,
    protocol: Option<&str>,
    reporter: &Reporter,
) -> Result<Option<String>, ApiError> {
    for _ in 0..ROUNDS {
        let Some(mut record) = state.store.application(cf.as_str()).await? else {
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

/// A report on `call`, for `username`: the caller who says "not me" must hold the letter
/// (its 8 characters reach only the registered residence), otherwise the stranger who made the
/// PIN request could call in the citizen's name and revoke, suspend, lock the citizen out. A
/// refused letter is audited too.
pub async fn report_on_call(
    state: &AppState,
    username: &str,
    call: &CallRecord,
    request: CallReport,
) -> Result<ReportDone, ApiError> {
    let cf = &call.codice_fiscale;
    if request.letter.trim().is_empty() {
        return Err(ApiError::field("letter", ErrorCode::Required));
    }
    let letter = match PinInput::parse(&request.letter) {
        Ok(PinInput::Simplified(chars)) => chars,
        Ok(_) => return Err(ApiError::field("letter", ErrorCode::PinLength)),
        Err(e) => return Err(ApiError::field("letter", e)),
    };
    let now = state.clock.now();
    let caller = Caller::Operator(username.to_owned());
    let refused = match pin_check::check_letter(state, cf, &letter, &caller, now).await? {
        pin_check::PinCheck::Accepted { .. } => None,
        pin_check::PinCheck::Delayed(retry_after) => {
            Some((ErrorCode::LoginLocked, ApiError::LoginDelayed { retry_after }))
        }
        pin_check::PinCheck::Wrong => Some((
            ErrorCode::OperatorLetterCheckFailed,
            ApiError::field("letter", ErrorCode::OperatorLetterCheckFailed),
        )),
    };
    if let Some((code, error)) = refused {
        audit(
            state,
            username,
            Some(cf),
            AuditAction::IdentityReport,
            AuditOutcome::Refused,
            code.as_str(),
        )
        .await?;
        return Err(error);
    }
    let reporter = Reporter::Operator(username.to_owned());
    let target = ReportRequest::parse(request.pin_request.as_ref(), request.application)?;
    report(state, cf, &target, &reporter).await
}
