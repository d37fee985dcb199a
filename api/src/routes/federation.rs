//! `GET /.well-known/openid-federation`: our entity configuration (OpenID Federation 1.0 §9),
//! the signed statement SPID and CIE providers read us from. It sits at the root of our entity
//! id, not under `/api`; 404 when no federation is configured.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::oidc::federation::entity::ENTITY_STATEMENT_MEDIA_TYPE;
use crate::{ApiError, AppState};

#[utoipa::path(
    get,
    path = "/.well-known/openid-federation",
    tag = "auth",
    responses(
        (status = 200, description = "Our entity configuration: a JWS (typ entity-statement+jwt) signed with our federation key; 404 when no federation is configured", body = String, content_type = "application/entity-statement+jwt")
    )
)]
async fn entity_configuration(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let statement = state
        .oidc
        .entity_configuration(state.clock.now())
        .ok_or(ApiError::NotFound)?;
    // Public and the same for everyone; a provider keeps it until `exp` anyway.
    Ok((
        [
            (header::CONTENT_TYPE, ENTITY_STATEMENT_MEDIA_TYPE),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        statement,
    ))
}

/// The route, to be merged at the root (beside `/api`); the path is `entity::WELL_KNOWN_PATH`.
pub fn well_known() -> Router<AppState> {
    Router::new().route("/.well-known/openid-federation", get(entity_configuration))
}
