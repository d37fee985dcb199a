//! "Non sono stato io" (docs/adr/0017): a citizen logged in with the full PIN, SPID, CIE or CNS
//! sees every PIN request and application in their name, masked, and reports one they did not
//! make. The report revokes the PIN (its sessions end, a new request may be made) and sets aside a
//! simplified-PIN application not yet paid, suspended with the reason, for staff to check; the
//! citizen may then apply again. The Contact Center does the same on the citizen's call
//! (`routes::operator`), through [`crate::services::identity::report`].

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
use serde::Serialize;

use crate::http::ApiJson;
use crate::http::Citizen;
use crate::http::request_lang;
use crate::services::identity::{ReportDone, ReportRequest, Reporter, report};
use crate::store::{ApplicationRecord, PinRequestRecord};
use crate::{ApiError, AppState};

/// Everything in the citizen's name, newest first.
#[derive(Debug, Serialize)]
pub struct IdentityView {
    /// PIN requests: the current one, then those revoked.
    pub pin_requests: Vec<PinRequestView>,
    /// Applications: the current one, then those set aside.
    pub applications: Vec<ApplicationSummary>,
}

/// A PIN request as its owner reviews it: where its halves went, masked.
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
pub struct MaskedContacts {
    /// The mobile.
    pub mobile: String,
    /// The e-mail.
    pub email: String,
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

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/identity", get(show))
        .route("/identity/reports", post(report_route))
}
