//! The API's routes, one module per resource.

mod applications;
mod auth_providers;
mod client_errors;
mod cns;
mod codice_fiscale;
mod dev;
mod health;
pub(crate) mod identity;
mod oidc;
mod openapi;
mod operator;
pub mod pin_requests;
mod places;
mod profile;
mod session;

use axum::Router;

pub use cns::card_router as cns_card_router;

use crate::{ApiError, AppState};

/// Every route under `/api`; unknown paths answer with the JSON `not_found` error. The dev routes
/// exist only when `dev_mode` is on.
pub fn router(dev_mode: bool) -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(client_errors::router())
        .merge(codice_fiscale::router())
        .merge(pin_requests::router())
        .merge(session::router())
        .merge(auth_providers::router())
        .merge(oidc::router())
        .merge(cns::router())
        .merge(profile::router())
        .merge(applications::router())
        .merge(identity::router())
        .merge(operator::router())
        .merge(places::router())
        .merge(dev::router(dev_mode))
        .merge(openapi::router(dev_mode))
        .fallback(|| async { ApiError::NotFound })
}
