//! Development-only endpoints, mounted only when dev mode is on (the local run and the tests):
//! the outbox standing in for citizens' phones and mailboxes, the settable clock, and the
//! synthetic population registry (the tests and e2e scenarios register the people they invent).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::http::ApiJson;
use crate::registry::RegistryRow;
use crate::store::OutboxEntry;
use crate::{ApiError, AppState};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OutboxQuery {
    codice_fiscale: Option<String>,
    limit: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/api/dev/outbox",
    tag = "dev",
    params(OutboxQuery),
    responses((status = 200, description = "Messages delivered to the dev sink, newest first", body = Vec<OutboxEntry>))
)]
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

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
struct ClockSetting {
    /// The time to set; `null` goes back to the system clock.
    now: Option<DateTime<Utc>>,
}

#[utoipa::path(
    put,
    path = "/api/dev/clock",
    tag = "dev",
    request_body = ClockSetting,
    responses((status = 204, description = "The clock is set (or follows real time again)"))
)]
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

#[utoipa::path(
    get,
    path = "/api/dev/clock",
    tag = "dev",
    responses((status = 200, description = "The dev clock's setting", body = ClockSetting))
)]
async fn get_clock(State(state): State<AppState>) -> Json<ClockSetting> {
    Json(ClockSetting {
        now: Some(state.clock.now()),
    })
}

/// Registers one (made-up) resident in the embedded registry, or updates them: the row of a
/// registry import as JSON, checked with the same rules. 409 when the registry is the national
/// e-service, which the service only reads:
/// 404, as if the route were not there.
#[utoipa::path(
    put,
    path = "/api/dev/registry/{codice_fiscale}",
    tag = "dev",
    params(("codice_fiscale" = String, Path, description = "The resident's codice fiscale")),
    request_body = RegistryRow,
    responses((status = 204, description = "Registered"))
)]
async fn register_resident(
    State(state): State<AppState>,
    Path(cf): Path<String>,
    ApiJson(row): ApiJson<RegistryRow>,
) -> Result<StatusCode, ApiError> {
    if !row.codice_fiscale.trim().eq_ignore_ascii_case(cf.trim()) {
        return Err(ApiError::Malformed(
            "the codice fiscale in the path and the body differ".into(),
        ));
    }
    let resident = row.parse().map_err(|e| {
        tracing::warn!(reason = %e, "dev registry row refused");
        ApiError::Malformed(format!("not a registry row: {e}"))
    })?;
    let writer = state.registry.writer().ok_or(ApiError::NotFound)?;
    writer.upsert(std::slice::from_ref(&resident)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The dev routes; empty unless `dev_mode`.
pub fn router(dev_mode: bool) -> Router<AppState> {
    if !dev_mode {
        return Router::new();
    }
    Router::new()
        .route("/dev/outbox", get(outbox))
        .route("/dev/clock", put(set_clock).get(get_clock))
        .route("/dev/registry/{codice_fiscale}", put(register_resident))
}
