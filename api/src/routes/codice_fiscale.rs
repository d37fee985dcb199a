//! `POST /api/codice-fiscale/check`: validates a codice fiscale with the same domain function the
//! SPA runs in the browser, so that the two can never disagree.

use axum::routing::post;
use axum::{Json, Router};
use domain::wire::pin_request::{CodiceFiscaleCheck, CodiceFiscaleChecked};

use crate::http::{ApiJson, fields};
use crate::{ApiError, AppState};

#[utoipa::path(
    post,
    path = "/api/codice-fiscale/check",
    tag = "pin-requests",
    request_body = CodiceFiscaleCheck,
    responses((status = 200, description = "A valid codice fiscale", body = CodiceFiscaleChecked))
)]
async fn check(ApiJson(request): ApiJson<CodiceFiscaleCheck>) -> Result<Json<CodiceFiscaleChecked>, ApiError> {
    let cf = fields::codice_fiscale(&request.codice_fiscale)?;
    Ok(Json(CodiceFiscaleChecked {
        omocode: cf.is_omocode(),
        codice_fiscale: cf.to_string(),
    }))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/codice-fiscale/check", post(check))
}
