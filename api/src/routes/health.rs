//! `GET /api/health`: is the service up, and can it reach its store?

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::{ApiError, AppState};

#[derive(Serialize, utoipa::ToSchema)]
struct Health {
    status: &'static str,
    store: &'static str,
}

/// Touches the store, so that a load balancer takes a server with a broken store out of rotation.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "service",
    responses((status = 200, description = "The service and its store answer", body = Health))
)]
async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store.health().await?;
    Ok(Json(Health {
        status: "ok",
        store: state.store.kind(),
    }))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}
