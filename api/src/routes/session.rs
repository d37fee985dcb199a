//! Login with the PIN (full: 16 characters; simplified: the first 8), the session, and logout.
//!
//! The answer to a failed login never says whether the codice fiscale has a PIN: the same 401,
//! after the same work (a hash is checked either way), and the same count of attempts. Too many
//! attempts make the caller (never the codice fiscale) wait: 429 with Retry-After (`attempts`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::wire::session::{PinLogin, SessionInfo};
use domain::{CodiceFiscale, ErrorCode, FieldErrors, PinInput};

use crate::http::{
    ApiJson, Citizen, ClientAddr, current_session, fields, session_cookie, session_cookie_for, session_token,
};
use crate::secrets::session_token_hash;
use crate::services::sessions;
use crate::store::{Realm, SessionRecord};
use crate::{ApiError, AppState};

/// The session as the SPA reads it (`domain::wire::session::SessionInfo`).
fn session_info(session: &SessionRecord, state: &AppState) -> SessionInfo {
    SessionInfo {
        codice_fiscale: session.codice_fiscale.to_string(),
        scope: session.scope,
        method: session.method.clone(),
        credential: session.credential(),
        expires_at: session.expires_at.into(),
        idle_seconds: state.config.session_idle.num_seconds(),
    }
}

/// The login's two fields, each error under its own name (both at once, as the form shows them).
fn parsed(request: &PinLogin) -> Result<(CodiceFiscale, PinInput), ApiError> {
    let mut errors = FieldErrors::new();
    let cf = fields::codice_fiscale_in(&mut errors, "codice_fiscale", &request.codice_fiscale);
    let pin = if request.pin.trim().is_empty() {
        errors.add("pin", ErrorCode::Required);
        None
    } else {
        errors.check("pin", PinInput::parse(&request.pin))
    };
    match (cf, pin) {
        (Some(cf), Some(pin)) => Ok((cf, pin)),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// `POST /api/session`: a PIN login (the first 8 characters for the simplified scope).
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "session",
    request_body = PinLogin,
    responses((status = 200, description = "Logged in: the session cookie is set", body = SessionInfo))
)]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<PinLogin>,
) -> Result<Response, ApiError> {
    let (cf, pin) = parsed(&request)?;
    let (session, token) = sessions::log_in_with_pin(&state, client, &cf, &pin).await?;
    let cookie = session_cookie_for(&state.config, &token);
    Ok(([(header::SET_COOKIE, cookie)], Json(session_info(&session, &state))).into_response())
}

/// The session as it is, without extending it (the SPA's timeout warning polls this).
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "session",
    security(("citizen_session" = [])),
    responses((status = 200, description = "The live session", body = SessionInfo))
)]
async fn show(State(state): State<AppState>, request: axum::extract::Request) -> Result<Json<SessionInfo>, ApiError> {
    let (parts, _) = request.into_parts();
    let session = current_session(&parts, &state).await?;
    Ok(Json(session_info(&session, &state)))
}

/// "Resta collegato": any authenticated call extends the session; this one does only that.
#[utoipa::path(
    post,
    path = "/api/session/extend",
    tag = "session",
    security(("citizen_session" = [])),
    responses((status = 200, description = "The session, extended", body = SessionInfo))
)]
async fn extend(State(state): State<AppState>, citizen: Citizen) -> Json<SessionInfo> {
    Json(session_info(&citizen.session, &state))
}

#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "session",
    responses((status = 204, description = "Logged out: the cookie is cleared"))
)]
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&headers) {
        state
            .store
            .delete_session(Realm::Citizen, &session_token_hash(&token))
            .await?;
    }
    let cookie = session_cookie("", 0, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", get(show).post(login).delete(logout))
        .route("/session/extend", post(extend))
}
