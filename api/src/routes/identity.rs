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
use domain::application::report_suspends;
use domain::pin_request::{PinRequestState, effective_state, mask_email, mask_mobile};
use domain::registry::mask_residence;
use domain::{CodiceFiscale, Credential, ErrorCode};

use crate::http::ApiJson;
use crate::http::Citizen;
use crate::http::request_lang;
use crate::services::identity::{Report, ReportDone, ReportRequest, Reporter, report};
use crate::store::{ApplicationRecord, PinRequestRecord};
use crate::{ApiError, AppState};

// The answers are the wire types the SPA reads (domain::wire::identity), defined once.
use domain::wire::identity::{ApplicationReview, IdentityView, MaskedContacts, PinRequestReview};

fn pin_view(record: &PinRequestRecord, state: &AppState, now: DateTime<Utc>) -> PinRequestReview {
    let r = &record.request;
    let stands = effective_state(record.state, record.created_at, now, state.config.pin_validity);
    PinRequestReview {
        created_at: record.created_at.into(),
        state: stands,
        sms: mask_mobile(&r.mobile),
        email: mask_email(r.email.as_str()),
        pec: mask_email(r.pec.as_str()),
        letter_to: mask_residence(&r.residence),
        reportable: !matches!(stands, PinRequestState::Revoked | PinRequestState::Expired),
    }
}

fn application_summary(record: &ApplicationRecord, viewer: Credential, headers: &HeaderMap) -> ApplicationReview {
    let lang = request_lang(headers);
    let application = &record.application;
    let contacts = &application.content.contacts;
    ApplicationReview {
        protocol: application.protocol.to_string(),
        submitted_at: application.submitted_at().into(),
        channel: application.channel,
        credential: record.credential,
        credential_label: record.credential.label(lang).to_owned(),
        status: application.status(),
        status_label: application.status().label(lang).to_owned(),
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
    cf: &CodiceFiscale,
    viewer: Credential,
    headers: &HeaderMap,
) -> Result<IdentityView, ApiError> {
    let now = state.clock.now();
    let reported = state.store.reported(cf.as_str()).await?;
    let current_pin = state.store.pin_request(cf.as_str()).await?;
    let current_application = state.store.application(cf.as_str()).await?;
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
    request_body = Report,
    responses((status = 200, description = "Reported", body = ReportDone))
)]
async fn report_route(
    State(state): State<AppState>,
    citizen: Citizen,
    ApiJson(request): ApiJson<Report>,
) -> Result<Json<ReportDone>, ApiError> {
    let credential = reviewer(&citizen)?;
    let request = ReportRequest::parse(request.pin_request.as_ref(), request.application)?;
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
