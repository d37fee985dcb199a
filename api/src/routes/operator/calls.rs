//! `/api/operator/calls…`: opening and reading a call, validating a stale PIN request, checking
//! the PIN characters the citizen reads out, and a "non sono stato io" on the call.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::Lang;
use domain::submission_window::date_at_time;
use domain::wire::operator::{OpenCall, PinCheck, PinChecked};

use crate::http::refusal::{problem, refusal};
use crate::http::{ApiJson, Operator, fields, request_lang};
use crate::services::calls::{self, CallView, own_call};
use crate::services::identity::{self, CallReport, ReportDone};
use crate::services::pin_check::check_on_call;
use crate::services::pin_validation::{self, NotValidated};
use crate::store::AuditAction;
use crate::{ApiError, AppState};

/// `POST /api/operator/calls`: the citizen on the phone gives their codice fiscale.
#[utoipa::path(
    post,
    path = "/api/operator/calls",
    tag = "operator",
    security(("operator_session" = [])),
    request_body = OpenCall,
    responses((status = 201, description = "The call is open", body = CallView))
)]
pub async fn open_call(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    ApiJson(request): ApiJson<OpenCall>,
) -> Result<(StatusCode, Json<CallView>), ApiError> {
    let cf = fields::codice_fiscale(&request.codice_fiscale)?;
    let call = calls::open(&state, operator.username(), &cf).await?;
    let view = calls::view(&state, &call, request_lang(&headers)).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// `GET /api/operator/calls/{id}`.
#[utoipa::path(
    get,
    path = "/api/operator/calls/{id}",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, description = "The call", body = CallView))
)]
pub async fn read_call(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<CallView>, ApiError> {
    let view = calls::read(&state, operator.username(), &id, request_lang(&headers)).await?;
    Ok(Json(view))
}

/// `POST /api/operator/calls/{id}/pin-validation`: for a request pending delivery 12 hours or
/// more, issues a fresh first part (only hashes are stored, so the old one cannot be re-sent; the
/// letter's second part stays valid), sends it as the PIN request did, and marks the request
/// validated by the Contact Center.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/pin-validation",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses(
        (status = 200, description = "Validated: new first 8 characters are sent", body = domain::wire::operator::PinValidated),
        (status = 409, description = "Not validatable (`pin.not_validatable`), or not yet (`pin.validation_too_early`): then `possible_at` says from when, as the message does in words", body = domain::wire::problem::Problem)
    )
)]
pub async fn validate_pin(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let call = own_call(&state, operator.username(), &id, AuditAction::PinValidation).await?;
    match pin_validation::validate(&state, operator.username(), &call).await? {
        Ok(validated) => Ok(Json(validated).into_response()),
        Err(not) => Ok(not_validated(not, request_lang(&headers))),
    }
}

/// The refusal of a validation, with the time it becomes possible when there is one.
fn not_validated(not: NotValidated, lang: Lang) -> Response {
    let possible_at = match not {
        NotValidated::TooEarly(at) => Some(at),
        NotValidated::NotValidatable => None,
    };
    let code = not.code();
    let mut body = problem(code, code.message(lang).to_owned());
    if let Some(at) = possible_at {
        // Written as the call's page writes it ("dal 02/04/2020 alle 07:05"): one format of time.
        let label = match lang {
            Lang::It => "Convalida possibile dal",
            Lang::En => "Validation possible from",
        };
        body.message = format!("{} {label} {}.", body.message, date_at_time(at, lang));
        body.possible_at = Some(at.into());
    }
    refusal(StatusCode::CONFLICT, body)
}

/// `POST /api/operator/calls/{id}/pin-check`: the first 8 PIN characters the citizen reads out,
/// checked as a simplified-PIN login is, and counted for this operator: the caller is the operator,
/// not an address, so no stranger's guesses ever slow the Contact Center's check.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/pin-check",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    request_body = PinCheck,
    responses((status = 200, description = "The caller gave the right first 8 characters", body = PinChecked))
)]
pub async fn pin_check(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PinCheck>,
) -> Result<Json<PinChecked>, ApiError> {
    let call = own_call(&state, operator.username(), &id, AuditAction::PinCheck).await?;
    let pin_checked_at = check_on_call(&state, operator.username(), &call, &request.pin_first8).await?;
    Ok(Json(PinChecked {
        pin_checked_at: pin_checked_at.into(),
    }))
}

/// `POST /api/operator/calls/{id}/identity-report`: the citizen on the call says a PIN request
/// or an application in their name is not theirs (docs/adr/0017). Not the PIN check (whoever made
/// the request has the first half; the citizen usually does not) but the letter: its 8 characters
/// reach only the registered residence, and the caller reads them out (`check_letter`). A report
/// only ever takes away what a simplified PIN opened (the PIN, a simplified-PIN application not yet
/// paid), and is audited under the operator's name by `identity::report`; a refused one too.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/identity-report",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    request_body = CallReport,
    responses((status = 200, description = "Reported", body = ReportDone))
)]
pub async fn identity_report(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CallReport>,
) -> Result<Json<ReportDone>, ApiError> {
    let call = own_call(&state, operator.username(), &id, AuditAction::IdentityReport).await?;
    Ok(Json(
        identity::report_on_call(&state, operator.username(), &call, request).await?,
    ))
}
