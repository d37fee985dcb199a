//! Sportello's HTTP API: one axum [`Router`] built from [`AppState`], served three ways — by the
//! local server binary (with the SPA), by AWS Lambda (lambda_http), and by the tests on 127.0.0.1.

pub mod admin;
pub mod citizen_messages;
pub mod clock;
pub mod cns;
pub mod config;
pub mod delivery;
pub mod error;
pub mod http;
pub mod jose;
pub mod jwe;
pub mod lambda;
pub mod lambda_worker;
pub mod logging;
pub mod metrics;
pub mod notifier;
pub mod oidc;
pub mod openapi;
pub mod outbox;
pub mod rate_limit;
pub mod registry;
pub mod routes;
pub mod secrets;
pub mod server;
pub mod services;
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
        .merge(routes::federation::well_known())
        // Innermost first: injected faults (dev only) stand where the handlers fail; the
        // in-flight bound sheds before any work; it counts a request only once its body has
        // arrived within its deadline (a slow client holds no permit); errors, shed ones
        // included, are localised; every answer is marked against shared caching.
        .layer(axum::middleware::from_fn_with_state(
            state.config.faults,
            http::fault::inject,
        ))
        // The waiting room's gate: inside the in-flight bound, so that a room asked about by a
        // crowd is itself bounded.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::waiting_room::gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            http::admission::InFlightLimit::metered(state.rooms.load().clone(), state.config.max_in_flight),
            http::admission::admit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.config.connections,
            http::slow_clients::read_body_first,
        ))
        .layer(axum::middleware::from_fn(error::localise))
        .layer(axum::middleware::from_fn(http::personal_headers::no_shared_caching))
        .with_state(state)
}
