//! Sportello's HTTP API: one axum [`Router`] built from [`AppState`], served three ways — by the
//! local server binary (with the SPA), by AWS Lambda (lambda_http), and by the tests on 127.0.0.1.

pub mod admin;
pub mod auth;
pub mod clock;
pub mod config;
pub mod error;
pub mod json;
pub mod lang;
pub mod notifier;
pub mod personal_headers;
pub mod rate_limit;
pub mod routes;
pub mod secrets;
pub mod server;
pub mod spa;
pub mod state;
pub mod store;

use axum::Router;

pub use config::Config;
pub use error::ApiError;
pub use state::AppState;
pub use store::Store;

/// The API under `/api`, with its cross-cutting layers (error localisation, no-store headers).
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/api", routes::router(state.config.dev_mode))
        .layer(axum::middleware::from_fn(error::localise))
        .layer(axum::middleware::from_fn(personal_headers::no_shared_caching))
        .with_state(state)
}
