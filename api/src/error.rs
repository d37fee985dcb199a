//! The API's errors and their one JSON shape:
//! `{ "code": "...", "message": "...", "fields": { "<field>": "<message>" } }`.
//!
//! Handlers return [`ApiError`] without knowing the caller's language; the [`localise`] layer
//! renders the messages in the language of the request's `Accept-Language`.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{ErrorCode, FieldErrors, Lang};
use serde::Serialize;
use thiserror::Error;

use crate::store::StoreError;

/// Everything a request can fail with.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The input broke a rule; the fields say which.
    #[error("validation failed: {0:?}")]
    Validation(FieldErrors),
    /// The body is not the JSON the route expects.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// No such route or resource (or not the caller's to see).
    #[error("not found")]
    NotFound,
    /// No live session.
    #[error("not authenticated")]
    Unauthenticated,
    /// The session's scope does not allow this.
    #[error("forbidden: {0:?}")]
    Forbidden(ErrorCode),
    /// The request conflicts with what exists (e.g. a PIN already requested).
    #[error("conflict: {0:?}")]
    Conflict(ErrorCode),
    /// Wrong codice fiscale or PIN (never says which).
    #[error("login failed")]
    LoginFailed,
    /// Too many wrong PINs for this codice fiscale: locked for a while.
    #[error("login locked")]
    LoginLocked { retry_after: Duration },
    /// This client made too many attempts.
    #[error("rate limited")]
    RateLimited { retry_after: Duration },
    /// The service is over capacity: retry after the delay.
    #[error("overloaded")]
    Overloaded { retry_after: Duration },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The error as the client sees it, before localisation (kept in the response's extensions).
#[derive(Debug, Clone)]
pub struct ErrorBody {
    /// The overall code.
    pub code: ErrorCode,
    /// Per-field codes, in form order.
    pub fields: FieldErrors,
}

#[derive(Serialize)]
struct WireError {
    code: &'static str,
    message: &'static str,
    /// Field → message in the request's language (what a person reads).
    fields: serde_json::Map<String, serde_json::Value>,
    /// Field → stable code (what a program matches on).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    field_codes: serde_json::Map<String, serde_json::Value>,
}

impl ErrorBody {
    /// The JSON body in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let fields = self
            .fields
            .iter()
            .map(|e| (e.field.clone(), e.code.message(lang).into()))
            .collect();
        let field_codes = self
            .fields
            .iter()
            .map(|e| (e.field.clone(), e.code.as_str().into()))
            .collect();
        serde_json::to_string(&WireError {
            code: self.code.as_str(),
            message: self.code.message(lang),
            fields,
            field_codes,
        })
        .expect("error bodies always serialise")
    }
}

impl ApiError {
    /// A validation error on one field.
    pub fn field(field: &str, code: impl Into<ErrorCode>) -> ApiError {
        let mut errors = FieldErrors::new();
        errors.add(field, code.into());
        ApiError::Validation(errors)
    }

    fn status_and_body(&self) -> (StatusCode, ErrorBody) {
        let plain = |code| ErrorBody {
            code,
            fields: FieldErrors::new(),
        };
        match self {
            ApiError::Validation(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorBody {
                    code: ErrorCode::ValidationFailed,
                    fields: fields.clone(),
                },
            ),
            ApiError::Malformed(_) => (StatusCode::BAD_REQUEST, plain(ErrorCode::MalformedRequest)),
            ApiError::NotFound => (StatusCode::NOT_FOUND, plain(ErrorCode::NotFound)),
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, plain(ErrorCode::AuthRequired)),
            ApiError::Forbidden(code) => (StatusCode::FORBIDDEN, plain(*code)),
            ApiError::Conflict(code) => (StatusCode::CONFLICT, plain(*code)),
            ApiError::LoginFailed => (StatusCode::UNAUTHORIZED, plain(ErrorCode::LoginFailed)),
            ApiError::LoginLocked { .. } => (StatusCode::TOO_MANY_REQUESTS, plain(ErrorCode::LoginLocked)),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, plain(ErrorCode::RateLimited)),
            ApiError::Overloaded { .. } => (StatusCode::SERVICE_UNAVAILABLE, plain(ErrorCode::Overloaded)),
            ApiError::Store(StoreError::Unavailable(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, plain(ErrorCode::Overloaded))
            }
            ApiError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, plain(ErrorCode::Internal)),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        if status.is_server_error() {
            // The whole chain goes to the log, never to the client.
            tracing::error!(error = %self, source = ?std::error::Error::source(&self), "request failed");
        }
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.render(Lang::It),
        )
            .into_response();
        if let ApiError::Overloaded { retry_after }
        | ApiError::LoginLocked { retry_after }
        | ApiError::RateLimited { retry_after } = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.as_secs().max(1)));
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response.extensions_mut().insert(body);
        response
    }
}

/// Re-renders error bodies in the language the request asked for (Italian is already there).
pub async fn localise(request: Request, next: Next) -> Response {
    let lang = crate::lang::request_lang(request.headers());
    let mut response = next.run(request).await;
    if lang != Lang::It
        && let Some(body) = response.extensions().get::<ErrorBody>().cloned()
    {
        *response.body_mut() = Body::from(body.render(lang));
        response.headers_mut().remove(header::CONTENT_LENGTH);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_body_names_each_field_with_its_message_in_the_asked_language() {
        let ApiError::Validation(fields) = ApiError::field("codice_fiscale", ErrorCode::CfCheckCharacter) else {
            unreachable!()
        };
        let body = ErrorBody {
            code: ErrorCode::ValidationFailed,
            fields,
        };
        let json: serde_json::Value = serde_json::from_str(&body.render(Lang::En)).unwrap();
        assert_eq!(json["code"], "validation_failed");
        assert_eq!(
            json["fields"]["codice_fiscale"],
            ErrorCode::CfCheckCharacter.message(Lang::En)
        );
        assert_eq!(json["field_codes"]["codice_fiscale"], "cf.check_character");
    }

    #[test]
    fn overload_sets_retry_after() {
        let response = ApiError::Overloaded {
            retry_after: Duration::from_secs(3),
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
    }
}
