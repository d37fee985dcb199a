//! Error answers that carry more than the shared error body: a time, a count.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ErrorCode;
use serde_json::json;

/// An error answer in the API's shape with `extra` fields; `message` is already in the request's
/// language (these answers carry facts the shared error model has no place for).
pub fn refusal(status: StatusCode, code: ErrorCode, message: String, extra: serde_json::Value) -> Response {
    let mut body = json!({ "code": code.as_str(), "message": message, "fields": {} });
    if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    (status, Json(body)).into_response()
}
