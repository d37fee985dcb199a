//! `/api/operator/session`: login, who is logged in, logout; and for the console's timeout
//! warning, the session's end read without extending it (`/status`) and "Resta connesso"
//! (`/extend`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ErrorCode;

use crate::http::cookies::{OPERATOR_COOKIE, cookie_value};
use crate::http::refusal::{problem, refusal};
use crate::http::{ApiJson, ClientAddr, Operator, operator_cookie, request_lang};
use crate::secrets::session_token_hash;
use crate::services::operator_login::{self, LoginOutcome, LoginRequest, OperatorInfo, operator_info};
use crate::store::{Realm, Session};
use crate::{ApiError, AppState};

/// `POST /api/operator/session`: username, password and the current TOTP code. A wrong answer
/// never says which of the three was wrong; attempts are counted per username and client before
/// the check (`attempts`), so a stranger's guesses make the stranger wait, never the operator.
#[utoipa::path(
    post,
    path = "/api/operator/session",
    tag = "operator",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in: the operator cookie is set", body = OperatorInfo),
        (status = 401, description = "Wrong username, password or code (`operator.login_failed`), never saying which", body = domain::wire::problem::Problem)
    )
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
                problem(code, code.message(lang).to_owned()),
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

// The answer of `/status`: the wire type the console reads.
pub use domain::wire::session::OperatorSessionStatus;

/// `GET /api/operator/session/status`: when the session ends, and the server's time, without
/// extending it — unlike every other operator route, so that the console's warning can ask as
/// often as it needs without keeping an idle desk logged in. A session that is over, or that a
/// disabling or a reset ended, is 401 (the next use deletes it).
#[utoipa::path(
    get,
    path = "/api/operator/session/status",
    tag = "operator",
    security(("operator_session" = [])),
    responses((status = 200, description = "When the live session ends, not extended", body = OperatorSessionStatus))
)]
pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<OperatorSessionStatus>, ApiError> {
    let token = cookie_value(&headers, OPERATOR_COOKIE).ok_or(ApiError::Unauthenticated)?;
    let session = state
        .store
        .session(Realm::Operator, &session_token_hash(&token))
        .await?
        .and_then(Session::into_operator)
        .ok_or(ApiError::Unauthenticated)?;
    let now = state.clock.now();
    let operator = state.store.operator(&session.username).await?;
    let current = operator.is_some_and(|o| !o.disabled && o.session_generation == session.generation);
    if !current || !session.is_live(now) {
        return Err(ApiError::Unauthenticated);
    }
    Ok(Json(OperatorSessionStatus {
        now: now.into(),
        expires_at: session.expires_at.into(),
        idle_seconds: state.config.operator_session_idle.num_seconds(),
    }))
}

/// `POST /api/operator/session/extend`: "Resta connesso". Other routes extend the session only
/// now and then (a request soon after the last extension leaves it as it was); this one always
/// moves its end to the whole idle time from now (never past the shift's absolute end), and says
/// when that is.
#[utoipa::path(
    post,
    path = "/api/operator/session/extend",
    tag = "operator",
    security(("operator_session" = [])),
    responses((status = 200, description = "The session, extended", body = OperatorInfo))
)]
pub async fn extend(State(state): State<AppState>, operator: Operator) -> Result<Json<OperatorInfo>, ApiError> {
    let mut session = operator.session;
    let now = state.clock.now();
    let expires_at = (now + state.config.operator_session_idle).min(session.absolute_expires_at);
    state
        .store
        .extend_session(Realm::Operator, &session.token_hash, expires_at)
        .await?;
    session.expires_at = expires_at;
    Ok(Json(operator_info(&state, &session).await?))
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
