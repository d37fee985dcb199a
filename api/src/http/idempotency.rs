//! The `Idempotency-Key` header as an extractor: required where a route cannot be retried safely
//! without it (Conferma), optional where it can (a PIN request, which is also unique per person).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use crate::ApiError;
use crate::services::filing::Submitted;
use crate::services::idempotency::IdempotencyKey;

const HEADER: &str = "idempotency-key";

fn read(parts: &Parts) -> Result<Option<IdempotencyKey>, ApiError> {
    match parts.headers.get(HEADER) {
        None => Ok(None),
        Some(value) => {
            let text = value
                .to_str()
                .map_err(|_| ApiError::Malformed("Idempotency-Key is not text".into()))?;
            IdempotencyKey::parse(text).map(Some)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        read(parts)?.ok_or_else(|| ApiError::Malformed("this request must carry an Idempotency-Key header".into()))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        read(parts)
    }
}

/// A submission answers 201 with the receipt, or 200 with the same receipt for a retry.
impl axum::response::IntoResponse for Submitted {
    fn into_response(self) -> axum::response::Response {
        use axum::http::StatusCode;
        match self {
            Submitted::Created(view) => (StatusCode::CREATED, axum::Json(view)).into_response(),
            Submitted::Again(view) => (StatusCode::OK, axum::Json(view)).into_response(),
        }
    }
}
