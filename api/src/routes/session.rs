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
use chrono::{DateTime, Utc};
use domain::{CodiceFiscale, Credential, ErrorCode, FieldErrors, PinInput, Scope};
use serde::{Deserialize, Serialize};

use crate::http::ApiJson;
use crate::http::ClientAddr;
use crate::http::{Citizen, current_session, session_cookie, session_token};
use crate::secrets::session_token_hash;
use crate::services::attempts::Caller;
use crate::services::pin_check::{PinCheck, check_pin};
use crate::services::sessions::start_session;
use crate::store::SessionRecord;
use crate::{ApiError, AppState};

#[derive(Deserialize, utoipa::ToSchema)]
struct LoginRequest {
    #[serde(default)]
    codice_fiscale: String,
    #[serde(default)]
    pin: String,
}

/// What the SPA knows about its session.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    codice_fiscale: String,
    scope: Scope,
    method: String,
    /// The credential, which decides what the session may read (docs/adr/0017).
    credential: Credential,
    expires_at: DateTime<Utc>,
    idle_seconds: i64,
}

impl SessionInfo {
    fn of(session: &SessionRecord, state: &AppState) -> SessionInfo {
        SessionInfo {
            codice_fiscale: session.codice_fiscale.clone(),
            scope: session.scope,
            method: session.method.clone(),
            credential: session.credential(),
            expires_at: session.expires_at,
            idle_seconds: state.config.session_idle.num_seconds(),
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/session",
    tag = "session",
    request_body = LoginRequest,
    responses((status = 200, description = "Logged in: the session cookie is set", body = SessionInfo))
)]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let mut errors = FieldErrors::new();
    let cf = if request.codice_fiscale.trim().is_empty() {
        errors.add("codice_fiscale", ErrorCode::Required);
        None
    } else {
        errors.check("codice_fiscale", CodiceFiscale::parse(&request.codice_fiscale))
    };
    let pin = if request.pin.trim().is_empty() {
        errors.add("pin", ErrorCode::Required);
        None
    } else {
        errors.check("pin", PinInput::parse(&request.pin))
    };
    let (Some(cf), Some(pin)) = (cf, pin) else {
        return Err(ApiError::Validation(errors));
    };
    if !state.rate_limiter.allow(client, now) {
        return Err(ApiError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    let cf = cf.to_string();
    match check_pin(&state, &cf, &pin, &Caller::Address(client), now).await? {
        PinCheck::Accepted => {}
        PinCheck::Delayed(retry_after) => return Err(ApiError::LoginDelayed { retry_after }),
        PinCheck::Wrong => {
            tracing::info!("login failed");
            return Err(ApiError::LoginFailed);
        }
    }
    let credential = if pin.second_half().is_some() {
        Credential::FullPin
    } else {
        Credential::SimplifiedPin
    };
    // Asked only of a right PIN: a guesser learns nothing of reports from it.
    if credential == Credential::SimplifiedPin && crate::services::pin_check::simplified_pin_barred(&state, &cf).await?
    {
        tracing::info!("simplified PIN refused after a report");
        return Err(ApiError::Forbidden(ErrorCode::SimplifiedPinAfterReport));
    }
    let (session, cookie) = start_session(&state, cf, credential).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(SessionInfo::of(&session, &state))).into_response())
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
    Ok(Json(SessionInfo::of(&session, &state)))
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
    Json(SessionInfo::of(&citizen.session, &state))
}

#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "session",
    responses((status = 204, description = "Logged out: the cookie is cleared"))
)]
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&headers) {
        state.store.delete_session(&session_token_hash(&token)).await?;
    }
    let cookie = session_cookie("", 0, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", get(show).post(login).delete(logout))
        .route("/session/extend", post(extend))
}
