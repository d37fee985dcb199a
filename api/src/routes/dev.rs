//! Development-only endpoints, mounted only when dev mode is on (the local run and the tests):
//! the outbox standing in for citizens' phones and mailboxes, and the settable clock.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::json::ApiJson;
use crate::store::OutboxEntry;
use crate::{ApiError, AppState};

#[derive(Deserialize)]
struct OutboxQuery {
    codice_fiscale: Option<String>,
    limit: Option<usize>,
}

async fn outbox(
    State(state): State<AppState>,
    Query(q): Query<OutboxQuery>,
) -> Result<Json<Vec<OutboxEntry>>, ApiError> {
    let cf = q.codice_fiscale.map(|c| c.trim().to_ascii_uppercase());
    Ok(Json(
        state
            .store
            .outbox(cf.as_deref(), q.limit.unwrap_or(50).min(500))
            .await?,
    ))
}

#[derive(Deserialize, Serialize)]
struct ClockSetting {
    /// The time to set; `null` goes back to the system clock.
    now: Option<DateTime<Utc>>,
}

async fn set_clock(
    State(state): State<AppState>,
    ApiJson(setting): ApiJson<ClockSetting>,
) -> Result<StatusCode, ApiError> {
    let clock = state.dev_clock.as_ref().ok_or(ApiError::NotFound)?;
    match setting.now {
        Some(at) => clock.set(at),
        None => clock.reset(),
    }
    tracing::warn!(now = %state.clock.now(), "dev clock set");
    Ok(StatusCode::NO_CONTENT)
}

async fn get_clock(State(state): State<AppState>) -> Json<ClockSetting> {
    Json(ClockSetting {
        now: Some(state.clock.now()),
    })
}

/// The dev routes; empty unless `dev_mode`.
pub fn router(dev_mode: bool) -> Router<AppState> {
    if !dev_mode {
        return Router::new();
    }
    Router::new()
        .route("/dev/outbox", get(outbox))
        .route("/dev/clock", put(set_clock).get(get_clock))
}
