//! The API's routes, one module per resource. The modules are visible to the crate for the
//! OpenAPI document (`crate::openapi`), which names each handler.

pub(crate) mod applications;
pub(crate) mod auth_providers;
pub(crate) mod client_errors;
pub(crate) mod cns;
pub(crate) mod codice_fiscale;
pub(crate) mod dev;
pub(crate) mod federation;
pub(crate) mod health;
pub(crate) mod identity;
pub(crate) mod oidc;
pub(crate) mod operator;
pub(crate) mod pin_requests;
pub(crate) mod places;
pub(crate) mod profile;
pub(crate) mod queue;
pub(crate) mod service_hours;
pub(crate) mod session;

use axum::Router;

pub use cns::card_router as cns_card_router;

use crate::{ApiError, AppState};

/// Every route under `/api`; unknown paths answer with the JSON `not_found` error. The dev routes
/// exist only when `dev_mode` is on.
pub fn router(dev_mode: bool) -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(service_hours::router())
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
        .merge(queue::router())
        .merge(dev::router(dev_mode))
        .merge(crate::openapi::router(dev_mode))
        .fallback(|| async { ApiError::NotFound })
}
