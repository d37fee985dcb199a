//! Error answers written by a route rather than through [`crate::ApiError`]: their message is
//! composed there, in the request's language, from facts only the route has (the time a
//! validation becomes possible). The body is still the one error type of the contract,
//! [`Problem`], whose optional fields hold those facts (`possible_at`), so the SPA and the OpenAPI
//! document read it as every other error.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ErrorCode;
use domain::wire::problem::Problem;

/// The body of a refusal with `code` and `message` (already in the request's language), no field
/// at fault and no fact besides; a caller sets the one it carries.
pub fn problem(code: ErrorCode, message: String) -> Problem {
    Problem {
        code: code.as_str().to_owned(),
        message,
        fields: BTreeMap::new(),
        field_codes: BTreeMap::new(),
        opens_at: None,
        protocol: None,
        opens_with: None,
        possible_at: None,
        room: None,
    }
}

/// `body` as the answer with `status`.
pub fn refusal(status: StatusCode, body: Problem) -> Response {
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refusal_writes_the_shared_error_shape_with_only_the_facts_it_carries() {
        // GIVEN a too-early refusal, which carries a time, and a plain one
        let too_early = Problem {
            possible_at: Some(domain::wire::Timestamp("2026-04-01T20:00:00Z".into())),
            ..problem(ErrorCode::PinValidationTooEarly, "Troppo presto.".into())
        };
        for (body, expected) in [
            (
                too_early,
                serde_json::json!({"code": "pin.validation_too_early", "message": "Troppo presto.",
                    "fields": {}, "possible_at": "2026-04-01T20:00:00Z"}),
            ),
            (
                problem(ErrorCode::OperatorLoginFailed, "No.".into()),
                serde_json::json!({"code": "operator.login_failed", "message": "No.", "fields": {}}),
            ),
        ] {
            // WHEN it is answered
            let response = refusal(StatusCode::CONFLICT, body);
            // THEN the body is the error shape, `fields` always there, no empty fact written
            let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
            let written: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(written, expected);
        }
    }
}
