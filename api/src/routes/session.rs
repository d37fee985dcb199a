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

use crate::attempts::Caller;
use crate::auth::{Citizen, current_session, session_cookie, session_token};
use crate::json::ApiJson;
use crate::pin_check::{PinCheck, check_pin};
use crate::rate_limit::ClientAddr;
use crate::secrets::{new_session_token, session_token_hash};
use crate::store::SessionRecord;
use crate::store::{Realm, Session};
use crate::{ApiError, AppState};

#[derive(Deserialize)]
struct LoginRequest {
    #[serde(default)]
    codice_fiscale: String,
    #[serde(default)]
    pin: String,
}

/// What the SPA knows about its session.
#[derive(Serialize)]
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
    if credential == Credential::SimplifiedPin && crate::pin_check::simplified_pin_barred(&state, &cf).await? {
        tracing::info!("simplified PIN refused after a report");
        return Err(ApiError::Forbidden(ErrorCode::SimplifiedPinAfterReport));
    }
    let (session, cookie) = start_session(&state, cf, credential).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(SessionInfo::of(&session, &state))).into_response())
}

/// Opens a session for a citizen whose identity was just proven with `credential` and returns it
/// with the `Set-Cookie` value that carries its token. The scope and method follow from the
/// credential: only the simplified PIN gives the simplified scope.
pub async fn start_session(
    state: &AppState,
    codice_fiscale: String,
    credential: Credential,
) -> Result<(SessionRecord, axum::http::HeaderValue), ApiError> {
    let now = state.clock.now();
    let scope = match credential {
        Credential::SimplifiedPin => Scope::Simplified,
        _ => Scope::Full,
    };
    let method = match credential {
        Credential::SimplifiedPin | Credential::FullPin => "pin",
        Credential::SpidL2 | Credential::SpidL3 => "spid",
        Credential::CieL2 | Credential::CieL3 => "cie",
        Credential::Cns => "cns",
    };
    let (token, token_hash) = new_session_token();
    let session = SessionRecord {
        token_hash,
        codice_fiscale,
        scope,
        method: method.into(),
        created_at: now,
        expires_at: now + state.config.session_idle,
        absolute_expires_at: now + state.config.session_max,
        handoff_binding: None,
        credential: Some(credential),
    };
    state.store.put_session(&Session::Citizen(session.clone())).await?;
    tracing::info!(scope = ?scope, method, credential = credential.as_str(), "login");
    let cookie = session_cookie(
        &token,
        state.config.session_max.num_seconds(),
        state.config.secure_cookies,
    );
    Ok((session, cookie))
}

/// The session as it is, without extending it (the SPA's timeout warning polls this).
async fn show(State(state): State<AppState>, request: axum::extract::Request) -> Result<Json<SessionInfo>, ApiError> {
    let (parts, _) = request.into_parts();
    let session = current_session(&parts, &state).await?;
    Ok(Json(SessionInfo::of(&session, &state)))
}

/// "Resta collegato": any authenticated call extends the session; this one does only that.
async fn extend(State(state): State<AppState>, citizen: Citizen) -> Json<SessionInfo> {
    Json(SessionInfo::of(&citizen.session, &state))
}

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
