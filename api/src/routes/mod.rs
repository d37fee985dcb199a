//! The API's routes, one module per resource.

mod codice_fiscale;
mod health;

use axum::Router;

use crate::{ApiError, AppState};

/// Every route under `/api`; unknown paths answer with the JSON `not_found` error.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(codice_fiscale::router())
        .fallback(|| async { ApiError::NotFound })
}
