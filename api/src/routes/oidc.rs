//! SPID and CIE login through OpenID Connect: `GET /api/auth/oidc/{provider}/start` sends the
//! browser to the provider; `GET /api/auth/oidc/callback` finishes the login with a full session
//! and sends the browser to the application (`/domanda`), or back to `/accedi?errore=<code>` with
//! the reason. `GET /api/auth/oidc/jwks` publishes the relying party's public key.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::ErrorCode;
use domain::credential::{Credential, Provider};

use crate::oidc::{CallbackQuery, FLOW_COOKIE, ProviderKind};
use crate::services::sessions::{AFTER_LOGIN, start_session};
use crate::{ApiError, AppState};

/// A 303 to the login page with the refusal's code, for the SPA to explain.
pub fn refused(code: ErrorCode, clear_cookie: Option<String>) -> Response {
    let location = format!("/accedi?errore={}", code.as_str());
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    if let Some(cookie) = clear_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[utoipa::path(
    get,
    path = "/api/auth/oidc/{provider}/start",
    tag = "auth",
    params(("provider" = String, Path, description = "The provider's id")),
    responses((status = 302, description = "To the provider's authorization endpoint"), (status = 303, description = "Back to the login page with the refusal's code", headers(("location" = String, description = "Where to go next"))))
)]
async fn start(State(state): State<AppState>, Path(provider): Path<String>) -> Result<Response, ApiError> {
    let Some(started) = state.oidc.start(&provider, state.clock.now()).await else {
        return Err(ApiError::NotFound);
    };
    match started {
        Ok(authorization) => {
            let cookie = HeaderValue::from_str(&authorization.flow_cookie).expect("cookie is ASCII");
            let location = HeaderValue::from_str(&authorization.url).map_err(|_| ApiError::NotFound)?;
            Ok((
                StatusCode::FOUND,
                [(header::LOCATION, location), (header::SET_COOKIE, cookie)],
            )
                .into_response())
        }
        Err(refusal) => {
            tracing::warn!(%provider, error = %refusal, "OIDC login could not start");
            Ok(refused(refusal.code(), None))
        }
    }
}

fn flow_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == FLOW_COOKIE)
        .map(|(_, value)| value.to_owned())
}

#[utoipa::path(
    get,
    path = "/api/auth/oidc/callback",
    tag = "auth",
    params(CallbackQuery),
    responses((status = 303, description = "Into the application area (with a session cookie), or back to the login page with the refusal's code", headers(("location" = String, description = "Where to go next"))))
)]
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    let clear = state.oidc.clear_flow_cookie();
    let identity = match state
        .oidc
        .finish(
            state.store.as_ref(),
            flow_cookie(&headers).as_deref(),
            &query,
            state.clock.now(),
        )
        .await
    {
        Ok(identity) => identity,
        Err(refusal) => {
            tracing::warn!(error = %refusal, "OIDC login refused");
            return Ok(refused(refusal.code(), Some(clear)));
        }
    };
    let provider = match identity.kind {
        ProviderKind::Spid => Provider::Spid,
        ProviderKind::Cie => Provider::Cie,
    };
    tracing::info!(provider = %identity.provider, acr = %identity.acr, "OIDC login");
    let credential = Credential::from_provider(provider, &identity.acr);
    let (_, token) = start_session(&state, identity.codice_fiscale.clone(), credential).await?;
    let session_cookie = crate::http::session_cookie_for(&state.config, &token);
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, AFTER_LOGIN)]).into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, session_cookie);
    headers.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&clear).expect("cookie is ASCII"),
    );
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/api/auth/oidc/jwks",
    tag = "auth",
    responses((status = 200, description = "The relying party's public keys (JWK Set)", body = Object))
)]
async fn jwks(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.oidc.rp_jwks())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/oidc/{provider}/start", get(start))
        .route("/auth/oidc/callback", get(callback))
        .route("/auth/oidc/jwks", get(jwks))
}
