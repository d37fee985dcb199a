//! `POST /api/codice-fiscale/check`: validates a codice fiscale with the same domain function the
//! SPA runs in the browser, so that the two can never disagree.

use axum::routing::post;
use axum::{Json, Router};
use domain::CodiceFiscale;
use serde::{Deserialize, Serialize};

use crate::http::ApiJson;
use crate::{ApiError, AppState};

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CodiceFiscaleCheck)]
struct CheckRequest {
    codice_fiscale: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CodiceFiscaleChecked)]
struct CheckResponse {
    codice_fiscale: CodiceFiscale,
    omocode: bool,
}

#[utoipa::path(
    post,
    path = "/api/codice-fiscale/check",
    tag = "pin-requests",
    request_body = CheckRequest,
    responses((status = 200, description = "A valid codice fiscale", body = CheckResponse))
)]
async fn check(ApiJson(request): ApiJson<CheckRequest>) -> Result<Json<CheckResponse>, ApiError> {
    if request.codice_fiscale.trim().is_empty() {
        return Err(ApiError::field("codice_fiscale", domain::ErrorCode::Required));
    }
    let cf = CodiceFiscale::parse(&request.codice_fiscale).map_err(|e| ApiError::field("codice_fiscale", e))?;
    Ok(Json(CheckResponse {
        omocode: cf.is_omocode(),
        codice_fiscale: cf,
    }))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/codice-fiscale/check", post(check))
}
