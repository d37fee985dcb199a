//! Sportello's HTTP API: one axum [`Router`] built from [`AppState`], served three ways — by the
//! local server binary (with the SPA), by AWS Lambda (lambda_http), and by the tests on 127.0.0.1.

pub mod clock;
pub mod config;
pub mod error;
pub mod json;
pub mod lang;
pub mod notifier;
pub mod personal_headers;
pub mod routes;
pub mod secrets;
pub mod server;
pub mod spa;
pub mod store;

use std::sync::Arc;

use axum::Router;

pub use config::Config;
pub use error::ApiError;
pub use store::Store;

/// What every handler may use. Cheap to clone: everything behind `Arc`.
#[derive(Clone)]
pub struct AppState {
    /// Where citizens' data lives (SQLite locally, DynamoDB on AWS).
    pub store: Arc<dyn Store>,
    /// The validated configuration read at start.
    pub config: Arc<Config>,
}

/// The API under `/api`, with its cross-cutting layers (error localisation, no-store headers).
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/api", routes::router())
        .layer(axum::middleware::from_fn(error::localise))
        .layer(axum::middleware::from_fn(personal_headers::no_shared_caching))
        .with_state(state)
}
