//! The waiting room's API (issue 15): take or keep the browser's ticket, where it stands, and the
//! pass on its turn. The ticket and the pass travel in HttpOnly cookies
//! (`crate::http::waiting_room`); the answers say only where this browser's ticket stands.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::ErrorCode;
use domain::wire::queue::{QueuePass, QueueStatus};

use crate::http::ClientAddr;
use crate::http::waiting_room::{pass_cookie, presented_ticket, ticket_cookie};
use crate::services::waiting_room::Claim;
use crate::{ApiError, AppState};

#[utoipa::path(
    post,
    path = "/api/queue/tickets",
    tag = "queue",
    responses((status = 200, description = "The browser's ticket, kept or new (cookie), and where it stands", body = QueueStatus))
)]
async fn take(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let presented = presented_ticket(&headers);
    let (ticket, standing) = state
        .rooms
        .take(state.store.as_ref(), presented.as_deref(), client, now)
        .await?;
    let mut response = Json(standing.status).into_response();
    if let Some(id) = ticket {
        response
            .headers_mut()
            .insert(header::SET_COOKIE, ticket_cookie(&id, state.config.secure_cookies));
    }
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/api/queue/status",
    tag = "queue",
    responses(
        (status = 200, description = "Where the browser's ticket stands", body = QueueStatus),
        (status = 404, description = "`queue.no_ticket`: the room has no ticket of this browser", body = domain::wire::problem::Problem)
    )
)]
async fn status(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
) -> Result<Json<QueueStatus>, ApiError> {
    let now = state.clock.now();
    let missing = || ApiError::Missing(ErrorCode::QueueNoTicket);
    let standing = match presented_ticket(&headers) {
        Some(id) => state
            .rooms
            .status(state.store.as_ref(), &id, now)
            .await?
            .ok_or_else(missing)?,
        None if state.rooms.guards(state.store.as_ref(), now).await? => return Err(missing()),
        None => state.rooms.take(state.store.as_ref(), None, client, now).await?.1,
    };
    Ok(Json(standing.status))
}

#[utoipa::path(
    post,
    path = "/api/queue/pass",
    tag = "queue",
    responses(
        (status = 200, description = "The pass (cookie), or none needed while no room guards the routes", body = QueuePass),
        (status = 404, description = "`queue.no_ticket`", body = domain::wire::problem::Problem),
        (status = 409, description = "`queue.not_your_turn`", body = domain::wire::problem::Problem)
    )
)]
async fn pass(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let ticket = presented_ticket(&headers);
    match state.rooms.claim(state.store.as_ref(), ticket.as_deref(), now).await? {
        Claim::Pass { value, until } => {
            let cookie = pass_cookie(&value, until, now, state.config.secure_cookies);
            Ok(([(header::SET_COOKIE, cookie)], Json(QueuePass { until: until.into() })).into_response())
        }
        Claim::NotNeeded => Ok(Json(QueuePass { until: now.into() }).into_response()),
        Claim::NotYourTurn => Err(ApiError::Conflict(ErrorCode::QueueNotYourTurn)),
        Claim::NoTicket => Err(ApiError::Missing(ErrorCode::QueueNoTicket)),
    }
}

/// The routes of `/api/queue`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/queue/tickets", post(take))
        .route("/queue/status", get(status))
        .route("/queue/pass", post(pass))
}
