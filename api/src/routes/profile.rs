//! `GET /api/profile`: the citizen's own personal data, residence and contacts, as given in the
//! PIN request. Full scope only: the simplified PIN opens the bonus application and nothing else.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use domain::pin_request::ValidPinRequest;

use crate::http::FullCitizen;
use crate::{ApiError, AppState};

#[utoipa::path(
    get,
    path = "/api/profile",
    tag = "application",
    security(("citizen_session" = [])),
    responses((status = 200, description = "The PIN request's data of the logged-in citizen", body = ValidPinRequest))
)]
async fn profile(
    State(state): State<AppState>,
    FullCitizen(citizen): FullCitizen,
) -> Result<Json<ValidPinRequest>, ApiError> {
    // Keyed by the session's codice fiscale, never by anything the client sends.
    let record = state
        .store
        .pin_request(citizen.codice_fiscale().as_str())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(record.request))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/profile", get(profile))
}
