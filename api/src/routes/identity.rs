//! "Non sono stato io" (docs/adr/0017): a citizen logged in with the full PIN, SPID, CIE or CNS
//! sees every PIN request and application in their name, masked, and reports one they did not
//! make. The report revokes the PIN (its sessions end, a new request may be made) and sets aside a
//! simplified-PIN application not yet paid, suspended with the reason, for staff to check; the
//! citizen may then apply again. The Contact Center does the same on the citizen's call
//! (`routes::operator`), through [`report`].

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use domain::application::{ApplicationStatus, report_suspends};
use domain::pin_request::{PinRequestState, effective_state, mask_email, mask_mobile};
use domain::registry::mask_residence;
use domain::submission_window::Channel;
use domain::{Credential, ErrorCode};
use serde::{Deserialize, Serialize};

use crate::http::ApiJson;
use crate::http::Citizen;
use crate::http::request_lang;
use crate::store::{ApplicationRecord, AuditAction, AuditEntry, AuditOutcome, PinRequestRecord};
use crate::{ApiError, AppState};

/// Optimistic rounds for suspending an application that staff may be moving at the same time.
const ROUNDS: usize = 5;

/// Everything in the citizen's name, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IdentityView {
    /// PIN requests: the current one, then those revoked.
    pub pin_requests: Vec<PinRequestView>,
    /// Applications: the current one, then those set aside.
    pub applications: Vec<ApplicationSummary>,
}

/// A PIN request as its owner reviews it: where its halves went, masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PinRequestView {
    /// When it was made; also what a report names it by.
    pub created_at: DateTime<Utc>,
    /// Where it stands (`pending_delivery`, `delivered`, `validated_by_contact_center`, `expired`,
    /// `revoked`).
    pub state: PinRequestState,
    /// The first half's mobile, masked.
    pub sms: String,
    /// The first half's e-mail, masked.
    pub email: String,
    /// The first half's PEC, masked.
    pub pec: String,
    /// The residence the letter with the second half went to, masked.
    pub letter_to: String,
    /// Whether it may be reported (it still opens something: not revoked nor expired).
    pub reportable: bool,
}

/// An application as its owner reviews it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationSummary {
    /// Its protocol number; also what a report names it by.
    pub protocol: String,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// `web_citizen` or `contact_center`.
    pub channel: Channel,
    /// The credential it was made with.
    pub credential: Credential,
    /// Its name in the request's language.
    pub credential_label: &'static str,
    /// The current status.
    pub status: ApplicationStatus,
    /// Its label in the request's language.
    pub status_label: &'static str,
    /// The contacts it gave, masked; `None` when made with a stronger credential than the
    /// session's (nothing of it is shown then).
    pub contacts: Option<MaskedContacts>,
    /// Whether a report suspends it (a simplified-PIN application not yet paid).
    pub reportable: bool,
}

/// Contacts, masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MaskedContacts {
    /// The mobile.
    pub mobile: String,
    /// The e-mail.
    pub email: String,
}

/// What a citizen (or the Contact Center on their call) reports as not theirs: exactly one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
pub struct ReportRequest {
    /// The PIN request made at this time.
    #[serde(default)]
    pub pin_request: Option<DateTime<Utc>>,
    /// The application with this protocol number.
    #[serde(default)]
    pub application: Option<String>,
}

/// What a report did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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

fn pin_view(record: &PinRequestRecord, state: &AppState, now: DateTime<Utc>) -> PinRequestView {
    let r = &record.request;
    let stands = effective_state(record.state, record.created_at, now, state.config.pin_validity);
    PinRequestView {
        created_at: record.created_at,
        state: stands,
        sms: mask_mobile(&r.mobile),
        email: mask_email(r.email.as_str()),
        pec: mask_email(r.pec.as_str()),
        letter_to: mask_residence(&r.residence),
        reportable: !matches!(stands, PinRequestState::Revoked | PinRequestState::Expired),
    }
}

fn application_summary(record: &ApplicationRecord, viewer: Credential, headers: &HeaderMap) -> ApplicationSummary {
    let lang = request_lang(headers);
    let application = &record.application;
    let contacts = &application.content.contacts;
    ApplicationSummary {
        protocol: application.protocol.to_string(),
        submitted_at: application.submitted_at(),
        channel: application.channel,
        credential: record.credential,
        credential_label: record.credential.label(lang),
        status: application.status(),
        status_label: application.status().label(lang),
        contacts: viewer.opens(record.credential).then(|| MaskedContacts {
            mobile: mask_mobile(&contacts.mobile),
            email: mask_email(contacts.email.as_str()),
        }),
        reportable: report_suspends(record.credential, application.status()),
    }
}

/// Everything in `cf`'s name as a reviewer with `viewer` sees it.
pub(crate) async fn identity_view(
    state: &AppState,
    cf: &str,
    viewer: Credential,
    headers: &HeaderMap,
) -> Result<IdentityView, ApiError> {
    let now = state.clock.now();
    let reported = state.store.reported(cf).await?;
    let current_pin = state.store.pin_request(cf).await?;
    let current_application = state.store.application(cf).await?;
    let pin_requests = current_pin
        .iter()
        .chain(&reported.pin_requests)
        .map(|r| pin_view(r, state, now))
        .collect();
    let applications = current_application
        .iter()
        .chain(&reported.applications)
        .map(|a| application_summary(a, viewer, headers))
        .collect();
    Ok(IdentityView {
        pin_requests,
        applications,
    })
}

/// The session's credential, if it may review the identity (full PIN or stronger).
fn reviewer(citizen: &Citizen) -> Result<Credential, ApiError> {
    let credential = citizen.session.credential();
    if credential.may_review_identity() {
        Ok(credential)
    } else {
        Err(ApiError::Forbidden(ErrorCode::IdentityReviewScope))
    }
}

/// `GET /api/identity`.
#[utoipa::path(
    get,
    path = "/api/identity",
    tag = "identity",
    security(("citizen_session" = [])),
    responses((status = 200, description = "The PIN requests and applications made in the citizen's name", body = IdentityView))
)]
async fn show(
    State(state): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
) -> Result<Json<IdentityView>, ApiError> {
    let credential = reviewer(&citizen)?;
    Ok(Json(
        identity_view(&state, citizen.codice_fiscale(), credential, &headers).await?,
    ))
}

/// `POST /api/identity/reports`: "Non sono stato io".
#[utoipa::path(
    post,
    path = "/api/identity/reports",
    tag = "identity",
    security(("citizen_session" = [])),
    request_body = ReportRequest,
    responses((status = 200, description = "Reported", body = ReportDone))
)]
async fn report_route(
    State(state): State<AppState>,
    citizen: Citizen,
    ApiJson(request): ApiJson<ReportRequest>,
) -> Result<Json<ReportDone>, ApiError> {
    let credential = reviewer(&citizen)?;
    Ok(Json(
        report(
            &state,
            citizen.codice_fiscale(),
            &request,
            &Reporter::Citizen(credential),
        )
        .await?,
    ))
}

/// Reports what `request` names, in `cf`'s name, as not theirs, and audits the outcome.
pub(crate) async fn report(
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

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/identity", get(show))
        .route("/identity/reports", post(report_route))
}
