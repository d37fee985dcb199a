//! `GET /api/service/hours`: when applications can be sent, by channel, as this server is
//! configured (`SPORTELLO_SUBMISSION_WINDOWS`). Public and the same for everyone: the start page
//! says these hours rather than hours written into it.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use domain::wire::application::ServiceHours;

use crate::AppState;

#[utoipa::path(
    get,
    path = "/api/service/hours",
    tag = "service",
    responses((status = 200, description = "The submission windows' daily hours (Italian wall clock)", body = ServiceHours))
)]
async fn hours(State(state): State<AppState>) -> impl IntoResponse {
    // Changed only with the configuration: a browser may keep it for five minutes.
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(ServiceHours::from(state.config.submission_windows)),
    )
}

pub fn router() -> Router<AppState> {
    Router::new().route("/service/hours", get(hours))
}
