//! `/api/operator/session`: login, who is logged in, logout.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ErrorCode;
use serde_json::json;

use crate::http::refusal::refusal;
use crate::http::{ApiJson, ClientAddr, Operator, operator_cookie, request_lang};
use crate::services::operator_login::{self, LoginOutcome, LoginRequest, OperatorInfo, operator_info};
use crate::{ApiError, AppState};

/// `POST /api/operator/session`: username, password and the current TOTP code. A wrong answer
/// never says which of the three was wrong; attempts are counted per username and client before
/// the check (`attempts`), so a stranger's guesses make the stranger wait, never the operator.
#[utoipa::path(
    post,
    path = "/api/operator/session",
    tag = "operator",
    request_body = LoginRequest,
    responses((status = 200, description = "Logged in: the operator cookie is set", body = OperatorInfo))
)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    match operator_login::log_in(&state, client, request).await? {
        LoginOutcome::LoggedIn { token, info } => {
            let cookie = operator_cookie(
                &token,
                state.config.operator_session_max.num_seconds(),
                state.config.secure_cookies,
            );
            Ok(([(header::SET_COOKIE, cookie)], Json(info)).into_response())
        }
        LoginOutcome::Refused => {
            let lang = request_lang(&headers);
            let code = ErrorCode::OperatorLoginFailed;
            Ok(refusal(
                StatusCode::UNAUTHORIZED,
                code,
                code.message(lang).to_owned(),
                json!({}),
            ))
        }
    }
}

/// `GET /api/operator/session`: who is logged in (and, being a use, extends the session).
#[utoipa::path(
    get,
    path = "/api/operator/session",
    tag = "operator",
    security(("operator_session" = [])),
    responses((status = 200, description = "The operator's live session", body = OperatorInfo))
)]
pub async fn show(State(state): State<AppState>, operator: Operator) -> Result<Json<OperatorInfo>, ApiError> {
    Ok(Json(operator_info(&state, &operator.session).await?))
}

/// `DELETE /api/operator/session`: logout.
#[utoipa::path(
    delete,
    path = "/api/operator/session",
    tag = "operator",
    security(("operator_session" = [])),
    responses((status = 204, description = "Logged out: the cookie is cleared"))
)]
pub async fn logout(State(state): State<AppState>, operator: Operator) -> Result<Response, ApiError> {
    operator_login::log_out(&state, &operator.session).await?;
    let cookie = operator_cookie("", 0, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}
