//! The indemnity application: the draft saved at every step, the submission (once per citizen,
//! only inside the channel's window, idempotent) and "Le mie domande".
//!
//! Every read and write is keyed by the session's codice fiscale, never by anything the client
//! names: in 2020 a broken check let strangers read and submit other people's drafts. Simplified
//! PIN sessions may do all of this (it is what the simplified PIN is for), but a session reads or
//! changes only a draft or application made with a credential at its strength or below; of a
//! stronger one it learns only that it exists and which credentials open it (docs/adr/0017).
//!
//! The use cases are in [`crate::services::filing`], which the Contact Center's routes share.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use domain::application::{ApplicationForm, ProtocolNumber};
use domain::submission_window::Channel;

use crate::http::{ApiJson, Citizen, SubmittingCitizen, request_lang};
use crate::services::filing::{
    self, ApplicantName, ApplicationList, ApplicationState, ApplicationView, BY_CITIZEN, Filer, Saved, Submitted,
    open_with, own_application, view,
};
use crate::services::idempotency::IdempotencyKey;
use crate::{ApiError, AppState};

#[utoipa::path(
    get,
    path = "/api/application",
    tag = "application",
    security(("citizen_session" = [])),
    responses((status = 200, description = "The draft or the submitted application, and the window", body = ApplicationState))
)]
async fn current(
    State(state): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
) -> Result<Json<ApplicationState>, ApiError> {
    Ok(Json(
        filing::application_state(
            &state,
            citizen.codice_fiscale(),
            citizen.session.credential(),
            request_lang(&headers),
            Channel::WebCitizen,
        )
        .await?,
    ))
}

/// `PUT /api/application/draft`: saves what was typed, checked or not (Indietro, leaving a page).
#[utoipa::path(
    put,
    path = "/api/application/draft",
    tag = "application",
    security(("citizen_session" = [])),
    request_body = ApplicationForm,
    responses((status = 200, description = "Saved", body = Saved))
)]
async fn put_draft(
    State(state): State<AppState>,
    citizen: Citizen,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Json<Saved>, ApiError> {
    Ok(Json(
        filing::save_draft(&state, citizen.codice_fiscale(), citizen.session.credential(), form).await?,
    ))
}

/// `POST /api/application/steps/{slug}`: Avanti. Saves the draft whatever it holds (nothing typed
/// is lost), then checks the step's fields.
#[utoipa::path(
    post,
    path = "/api/application/steps/{slug}",
    tag = "application",
    security(("citizen_session" = [])),
    params(("slug" = String, Path, description = "The step's slug")),
    request_body = ApplicationForm,
    responses((status = 200, description = "The step is valid and the draft saved", body = Saved))
)]
async fn check_step(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(slug): Path<String>,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Json<Saved>, ApiError> {
    Ok(Json(
        filing::save_step(
            &state,
            citizen.codice_fiscale(),
            citizen.session.credential(),
            &slug,
            form,
        )
        .await?,
    ))
}

/// `POST /api/application/submit` with an `Idempotency-Key`: Conferma.
#[utoipa::path(
    post,
    path = "/api/application/submit",
    tag = "application",
    security(("citizen_session" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "1-128 letters, digits or `-`: a retry with the same key and body gets the same answer")),
    request_body = ApplicationForm,
    responses((status = 201, description = "Submitted", body = ApplicationView), (status = 200, description = "The same submission again (same Idempotency-Key and body)", body = ApplicationView))
)]
async fn submit(
    State(state): State<AppState>,
    SubmittingCitizen { citizen, guard }: SubmittingCitizen,
    headers: HeaderMap,
    key: IdempotencyKey,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Submitted, ApiError> {
    let filer = Filer {
        codice_fiscale: citizen.codice_fiscale(),
        credential: citizen.session.credential(),
        channel: Channel::WebCitizen,
        by: BY_CITIZEN.to_owned(),
        lang: request_lang(&headers),
        name: ApplicantName::Known(citizen.session.applicant_name.clone()),
        guard,
    };
    filing::submit_for(&state, filer, &key, form).await
}

/// `GET /api/applications`: "Le mie domande".
#[utoipa::path(
    get,
    path = "/api/applications",
    tag = "application",
    security(("citizen_session" = [])),
    responses((status = 200, description = "The citizen's applications", body = ApplicationList))
)]
async fn list(
    State(state): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
) -> Result<Json<ApplicationList>, ApiError> {
    let (cf, credential) = (citizen.codice_fiscale(), citizen.session.credential());
    // An empty list would tell a weaker session there is nothing, when a stronger draft exists.
    if let Some(draft) = state.store.draft(cf.as_str()).await? {
        open_with(credential, draft.credential)?;
    }
    let applications = match own_application(&state, cf, credential).await? {
        Some(record) => vec![view(&state, &record.application, request_lang(&headers)).await?],
        None => Vec::new(),
    };
    Ok(Json(ApplicationList { applications }))
}

/// `GET /api/applications/{protocol}`: one receipt, only the owner's (anyone else: not found,
/// which says nothing about whether the number exists).
#[utoipa::path(
    get,
    path = "/api/applications/{protocol}",
    tag = "application",
    security(("citizen_session" = [])),
    params(("protocol" = String, Path, description = "The protocol number")),
    responses((status = 200, description = "The application with that protocol number", body = ApplicationView))
)]
async fn receipt(
    State(state): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
    Path(protocol): Path<String>,
) -> Result<Json<ApplicationView>, ApiError> {
    let protocol = ProtocolNumber::parse(&protocol).map_err(|_| ApiError::NotFound)?;
    match own_application(&state, citizen.codice_fiscale(), citizen.session.credential()).await? {
        Some(record) if record.application.protocol == protocol => {
            Ok(Json(view(&state, &record.application, request_lang(&headers)).await?))
        }
        _ => Err(ApiError::NotFound),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/application", get(current))
        .route("/application/draft", put(put_draft))
        .route("/application/steps/{slug}", post(check_step))
        .route("/application/submit", post(submit))
        .route("/applications", get(list))
        .route("/applications/{protocol}", get(receipt))
}
