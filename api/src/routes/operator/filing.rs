//! `/api/operator/calls/{id}/application…`: filing on the citizen's behalf, once their PIN
//! characters were checked on the call; the same use cases as the citizen's own, on the Contact
//! Center's channel and window, each audited.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use domain::application::ApplicationForm;
use domain::submission_window::Channel;

use crate::http::{ApiJson, Operator, request_lang};
use crate::services::audit::audited;
use crate::services::calls::{ON_A_CALL, checked_call};
use crate::services::filing::{
    ApplicantName, ApplicationState, Filer, Saved, Submitted, application_state, save_draft, save_step, submit_for,
};
use crate::services::idempotency::IdempotencyKey;
use crate::store::AuditAction;
use crate::store::SubmissionGuard;
use crate::{ApiError, AppState};

/// `GET /api/operator/calls/{id}/application`: the citizen's form or receipt, with the Contact
/// Center's window.
#[utoipa::path(
    get,
    path = "/api/operator/calls/{id}/application",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, description = "The caller's draft or application, and the window", body = ApplicationState))
)]
pub async fn application(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ApplicationState>, ApiError> {
    let call = checked_call(&state, operator.username(), &id, AuditAction::ApplicationRead).await?;
    let result = application_state(
        &state,
        &call.codice_fiscale,
        ON_A_CALL,
        request_lang(&headers),
        Channel::ContactCenter,
    )
    .await;
    audited(
        &state,
        operator.username(),
        &call.codice_fiscale,
        AuditAction::ApplicationRead,
        result,
        |_| String::new(),
    )
    .await
    .map(Json)
}

/// `PUT /api/operator/calls/{id}/application/draft`.
#[utoipa::path(
    put,
    path = "/api/operator/calls/{id}/application/draft",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    request_body = ApplicationForm,
    responses((status = 200, description = "Saved", body = Saved))
)]
pub async fn put_draft(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Json<Saved>, ApiError> {
    let call = checked_call(&state, operator.username(), &id, AuditAction::DraftSaved).await?;
    let result = save_draft(&state, &call.codice_fiscale, ON_A_CALL, form).await;
    audited(
        &state,
        operator.username(),
        &call.codice_fiscale,
        AuditAction::DraftSaved,
        result,
        |_| "draft".into(),
    )
    .await
    .map(Json)
}

/// `POST /api/operator/calls/{id}/application/steps/{slug}`.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/application/steps/{slug}",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id"), ("slug" = String, Path, description = "The step's slug")),
    request_body = ApplicationForm,
    responses((status = 200, description = "The step is valid and the draft saved", body = Saved))
)]
pub async fn check_step(
    State(state): State<AppState>,
    operator: Operator,
    Path((id, slug)): Path<(String, String)>,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Json<Saved>, ApiError> {
    let call = checked_call(&state, operator.username(), &id, AuditAction::DraftSaved).await?;
    let result = save_step(&state, &call.codice_fiscale, ON_A_CALL, &slug, form).await;
    audited(
        &state,
        operator.username(),
        &call.codice_fiscale,
        AuditAction::DraftSaved,
        result,
        |_| format!("step {slug}"),
    )
    .await
    .map(Json)
}

/// `POST /api/operator/calls/{id}/application/submit` with an `Idempotency-Key`: the same rules
/// as the citizen's Conferma, on the Contact Center's channel and window.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/application/submit",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id"), ("Idempotency-Key" = Option<String>, Header, description = "1-128 letters, digits or `-`: a retry with the same key and body gets the same answer")),
    request_body = ApplicationForm,
    responses((status = 201, description = "Submitted", body = domain::wire::application::ApplicationView), (status = 200, description = "The same submission again (same Idempotency-Key and body)", body = domain::wire::application::ApplicationView))
)]
pub async fn submit(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    key: IdempotencyKey,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Submitted, ApiError> {
    let call = checked_call(&state, operator.username(), &id, AuditAction::ApplicationSubmitted).await?;
    let by = format!("contact_center:{}", operator.username());
    let filer = Filer {
        codice_fiscale: &call.codice_fiscale,
        credential: ON_A_CALL,
        channel: Channel::ContactCenter,
        by,
        lang: request_lang(&headers),
        name: ApplicantName::FromPinRequest,
        // The operator checked the citizen's PIN characters on this call (`checked_call`).
        guard: SubmissionGuard::default(),
    };
    let result = submit_for(&state, filer, &key, form).await;
    audited(
        &state,
        operator.username(),
        &call.codice_fiscale,
        AuditAction::ApplicationSubmitted,
        result,
        |submitted| {
            format!(
                "{} {}",
                submitted.view().protocol,
                if submitted.created() { 201 } else { 200 }
            )
        },
    )
    .await
}
