//! The CNS login's routes: the start and the completion on the service's host, the card step on
//! the card's host (docs in [`crate::cns`]).

use axum::Router;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::ErrorCode;
use serde::Deserialize;

use crate::cns::certificate::pem_chain;
use crate::cns::{CNS_BINDING_COOKIE, CNS_COMPLETE_PATH, CNS_LOGIN_PATH, CNS_START_PATH, ClientCertificate, TlsPeer};
use crate::http::cookies::binding_cookie;
use crate::http::{ClientAddr, cookie_value, session_cookie_for};
use crate::secrets::new_session_token;
use crate::services::cns_login::{self, is_binding};
use crate::services::sessions::{AFTER_LOGIN, start_session};
use crate::{ApiError, AppState};

/// How long the binding cookie lasts: the card step (reader, card PIN) and the handoff back.
const BINDING_LIFETIME_SECS: i64 = 300;

/// `GET /api/auth/cns/start`, on the service's host: a new binding cookie, then the card's host
/// with the cookie's hash. Not found when CNS is not configured.
#[utoipa::path(
    get,
    path = "/api/auth/cns/start",
    tag = "auth",
    responses((status = 303, description = "To the card step on the mutual-TLS host", headers(("location" = String, description = "Where to go next"))))
)]
async fn start(State(state): State<AppState>) -> Result<Response, ApiError> {
    let card_step = state.config.cns.login_url().ok_or(ApiError::NotFound)?;
    let (value, binding) = new_session_token();
    let location = format!("{card_step}?legame={binding}");
    let cookie = binding_cookie(&value, BINDING_LIFETIME_SECS, state.config.secure_cookies);
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location)],
        [(header::SET_COOKIE, cookie)],
    )
        .into_response())
}

fn redirect(state: &AppState, path: &str) -> Response {
    let location = format!("{}{path}", state.config.oidc.public_url);
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

fn to_login_page(state: &AppState, code: ErrorCode) -> Response {
    redirect(state, &format!("/accedi?errore={}", code.as_str()))
}

/// What the service's host sent along to the card step.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CardStep {
    legame: Option<String>,
}

/// `GET /api/auth/cns` on the card's host: a handoff to a full session for the holder of a valid
/// CNS, bound to the browser that started the login; or back to the login page with the reason.
#[utoipa::path(
    get,
    path = "/api/auth/cns",
    tag = "auth",
    params(CardStep),
    responses((status = 303, description = "Back to the service with a handoff, or to the login page with the refusal's code", headers(("location" = String, description = "Where to go next"))))
)]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Query(step): Query<CardStep>,
    request: Request,
) -> Result<Response, ApiError> {
    if !state.rate_limiter.allow(client, state.clock.now()) {
        return Err(ApiError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    // Reached without going through the service's host (a bookmark, a link from elsewhere):
    // nothing to bind the login to, so it starts again from the login page.
    let Some(binding) = step.legame.filter(|b| is_binding(b)) else {
        tracing::warn!("CNS card step without a browser binding");
        return Ok(to_login_page(&state, ErrorCode::AuthFlowInvalid));
    };
    match cns_login::hand_over(&state, binding, presented_certificate(&request)).await? {
        Ok(token) => {
            tracing::info!("CNS login: handing over to the service's host");
            Ok(redirect(&state, &format!("{CNS_COMPLETE_PATH}?passaggio={token}")))
        }
        Err(refusal) => {
            tracing::warn!(error = %refusal, "CNS login refused");
            Ok(to_login_page(&state, refusal.code()))
        }
    }
}

/// The certificate API Gateway's mutual TLS verified, or the chain the local listener received.
fn presented_certificate(request: &Request) -> Option<Vec<u8>> {
    if let Some(ClientCertificate(bytes)) = request.extensions().get::<ClientCertificate>() {
        return Some(bytes.clone());
    }
    request
        .extensions()
        .get::<ConnectInfo<TlsPeer>>()
        .filter(|peer| !peer.0.certificates.is_empty())
        .map(|peer| pem_chain(&peer.0.certificates))
}

/// The handoff's token, as the card's host put it in the address.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Handoff {
    passaggio: Option<String>,
}

/// `GET /api/auth/cns/complete?passaggio=…`: redeems a handoff once and opens the full session on
/// this host, for the browser that started the login; an unknown, used or stale handoff, or one
/// opened in another browser, goes back to the login page with the reason. The binding cookie is
/// cleared either way.
#[utoipa::path(
    get,
    path = "/api/auth/cns/complete",
    tag = "auth",
    params(Handoff),
    responses((status = 303, description = "Into the application area (with a session cookie), or to the login page with the refusal's code", headers(("location" = String, description = "Where to go next"))))
)]
async fn complete(
    State(state): State<AppState>,
    Query(handoff): Query<Handoff>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let clear = binding_cookie("", 0, state.config.secure_cookies);
    let held = cookie_value(&headers, CNS_BINDING_COOKIE);
    let token = handoff.passaggio.unwrap_or_default();
    let mut response = match cns_login::redeem(&state, &token, held.as_deref()).await? {
        Ok(cf) => {
            let (_, token) = start_session(&state, cf, domain::Credential::Cns).await?;
            let cookie = session_cookie_for(&state.config, &token);
            let mut response = redirect(&state, AFTER_LOGIN);
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(code) => to_login_page(&state, code),
    };
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}

/// The CNS routes of the API: the start and the completion on the service's host, and the card
/// step for the API Gateway mutual-TLS path, which reaches the same function (`api::lambda` lets
/// requests of that domain reach only the card step).
pub fn router() -> Router<AppState> {
    card_router()
        .route(CNS_START_PATH.trim_start_matches("/api"), get(start))
        .route(CNS_COMPLETE_PATH.trim_start_matches("/api"), get(complete))
}

/// What the card's host serves: the card step, and nothing else.
pub fn card_router() -> Router<AppState> {
    Router::new().route(CNS_LOGIN_PATH.trim_start_matches("/api"), get(login))
}
