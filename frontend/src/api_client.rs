//! The only way the SPA talks to the API: JSON over `fetch`, in the page's language, with the
//! project's error body parsed into [`ApiError`], and with automatic retries when the service is
//! overloaded or the network drops — so that on a click day the citizen waits a few seconds instead
//! of seeing an error page and pressing F5.
//!
//! The decisions (how long to wait, what a status means) are pure functions with native tests;
//! only [`send`] touches the network.

use std::time::Duration;

use domain::{ErrorCode, Lang};
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::i18n::{Text, t};

/// Attempts per request, the first included.
pub const MAX_ATTEMPTS: u32 = 4;
/// The backoff ceiling for the first retry; it doubles on each further one.
const BASE_DELAY: Duration = Duration::from_millis(500);
/// The backoff ceiling never grows past this.
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// A `Retry-After` longer than this is not waited for in the page: the citizen is told to try
/// again later instead of watching a spinner.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How long to wait before the next attempt, after attempt number `attempt` (1-based) failed in a
/// retryable way; `None` means give up.
///
/// Exponential backoff with full jitter: a delay drawn uniformly (`rand01` in `[0, 1)`) between
/// zero and `BASE_DELAY · 2^(attempt-1)`, capped at `MAX_BACKOFF`, so that a crowd of clients
/// rejected together does not come back together. A server's `Retry-After` is a floor: the jitter
/// is added on top of it.
pub fn retry_delay(attempt: u32, retry_after: Option<Duration>, rand01: f64) -> Option<Duration> {
    if attempt == 0 || attempt >= MAX_ATTEMPTS {
        return None;
    }
    let floor = retry_after.unwrap_or(Duration::ZERO);
    if floor > MAX_RETRY_AFTER {
        return None;
    }
    let ceiling = BASE_DELAY.saturating_mul(1 << (attempt - 1).min(16)).min(MAX_BACKOFF);
    let fraction = if rand01.is_finite() {
        rand01.clamp(0.0, 1.0)
    } else {
        0.0
    };
    Some(floor + ceiling.mul_f64(fraction))
}

/// Reads a `Retry-After` header given in seconds (the HTTP-date form is not used by our API).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Why a call to the API did not produce the expected answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The API rejected the data (400 or 422): a message, and one per field in page order.
    Validation {
        /// The stable error code (usually `validation_failed`).
        code: String,
        /// A message for the whole request, in the requested language.
        message: String,
        /// `(field id, message)` pairs, in the order the API listed them.
        fields: Vec<(String, String)>,
    },
    /// The service shed load (429 or 503) and stayed busy through every retry.
    Overloaded,
    /// The resource does not exist (404).
    NotFound,
    /// A server error (5xx) that outlasted the retries.
    Server {
        /// The last HTTP status seen.
        status: u16,
    },
    /// Any other unexpected status.
    Unexpected {
        /// The HTTP status.
        status: u16,
    },
    /// No response: offline, DNS, connection reset…
    Network,
    /// A success status with a body that is not the expected JSON.
    Decode,
}

impl ApiError {
    /// A calm, actionable message for the citizen, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApiError::Validation { message, .. } => message.clone(),
            ApiError::Overloaded => ErrorCode::Overloaded.message(lang).to_owned(),
            ApiError::NotFound => ErrorCode::NotFound.message(lang).to_owned(),
            ApiError::Network => t(lang, Text::NetworkError).to_owned(),
            ApiError::Server { .. } | ApiError::Unexpected { .. } | ApiError::Decode => {
                ErrorCode::Internal.message(lang).to_owned()
            }
        }
    }
}

/// The project's error body: `{"code", "message", "fields": {"<field>": "<message>"}}`.
#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default, deserialize_with = "ordered_fields")]
    fields: Vec<(String, String)>,
}

/// Keeps the `fields` object in document order (a map type would sort it, and the error summary
/// must list fields in the order the form shows them).
fn ordered_fields<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<(String, String)>, D::Error> {
    struct Fields;
    impl<'de> Visitor<'de> for Fields {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of field messages")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut fields = Vec::new();
            while let Some(entry) = map.next_entry()? {
                fields.push(entry);
            }
            Ok(fields)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    deserializer.deserialize_any(Fields)
}

/// What one HTTP response means for the caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: the body is the answer.
    Success,
    /// Worth another attempt, after at least the given `Retry-After`.
    Retry(ApiError, Option<Duration>),
    /// Final.
    Fail(ApiError),
}

/// Classifies a response by its status, `Retry-After` header and body.
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> Outcome {
    let retry_after = retry_after.and_then(parse_retry_after);
    match status {
        200..=299 => Outcome::Success,
        400 | 422 => match serde_json::from_str::<ErrorBody>(body) {
            Ok(ErrorBody { code, message, fields }) => Outcome::Fail(ApiError::Validation { code, message, fields }),
            Err(_) => Outcome::Fail(ApiError::Unexpected { status }),
        },
        404 => Outcome::Fail(ApiError::NotFound),
        429 | 503 => Outcome::Retry(ApiError::Overloaded, retry_after),
        500..=599 => Outcome::Retry(ApiError::Server { status }, retry_after),
        _ => Outcome::Fail(ApiError::Unexpected { status }),
    }
}

/// Told to the caller before each automatic retry, so that the page can say what is happening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryNotice {
    /// The attempt that is about to be made (2 for the first retry).
    pub next_attempt: u32,
    /// How long the client waits first.
    pub delay: Duration,
}

/// POSTs `body` as JSON to `path` and decodes the JSON answer.
pub async fn post_json<Req: Serialize, Resp: DeserializeOwned>(path: &str, body: &Req) -> Result<Resp, ApiError> {
    post_json_observed(path, body, |_| {}).await
}

/// [`post_json`], calling `on_retry` before each automatic retry.
pub async fn post_json_observed<Req: Serialize, Resp: DeserializeOwned>(
    path: &str,
    body: &Req,
    on_retry: impl Fn(RetryNotice),
) -> Result<Resp, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Decode)?;
    send(Method::Post, path, Some(&body), &on_retry).await
}

/// GETs `path` and decodes the JSON answer.
pub async fn get_json<Resp: DeserializeOwned>(path: &str) -> Result<Resp, ApiError> {
    send(Method::Get, path, None, &|_| {}).await
}

#[derive(Clone, Copy)]
enum Method {
    Get,
    Post,
}

/// Sends the request, retrying per [`retry_delay`], in the page's current language.
async fn send<Resp: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&str>,
    on_retry: &dyn Fn(RetryNotice),
) -> Result<Resp, ApiError> {
    use gloo_net::http::Request;

    let mut attempt = 1;
    loop {
        let lang = crate::browser::document_lang();
        let builder = match method {
            Method::Get => Request::get(path),
            Method::Post => Request::post(path),
        }
        .header("Accept", "application/json")
        .header("Accept-Language", lang.tag());
        let request = match body {
            Some(body) => builder.header("Content-Type", "application/json").body(body),
            None => builder.build(),
        };
        let (error, retry_after) = match request.map_err(|_| ApiError::Decode)?.send().await {
            Err(_) => (ApiError::Network, None),
            Ok(response) => {
                let status = response.status();
                let retry_after = response.headers().get("retry-after");
                let text = response.text().await.unwrap_or_default();
                match classify(status, retry_after.as_deref(), &text) {
                    Outcome::Success => {
                        return serde_json::from_str(&text).map_err(|_| ApiError::Decode);
                    }
                    Outcome::Fail(error) => return Err(error),
                    Outcome::Retry(error, retry_after) => (error, retry_after),
                }
            }
        };
        let Some(delay) = retry_delay(attempt, retry_after, crate::browser::random01()) else {
            return Err(error);
        };
        attempt += 1;
        on_retry(RetryNotice {
            next_attempt: attempt,
            delay,
        });
        crate::browser::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn backoff_ceiling_doubles_from_half_a_second() {
        assert_eq!(retry_delay(1, None, 1.0), Some(MS(500)));
        assert_eq!(retry_delay(2, None, 1.0), Some(MS(1000)));
        assert_eq!(retry_delay(3, None, 1.0), Some(MS(2000)));
    }

    #[test]
    fn full_jitter_spreads_the_delay_from_zero_to_the_ceiling() {
        assert_eq!(retry_delay(2, None, 0.0), Some(Duration::ZERO));
        assert_eq!(retry_delay(2, None, 0.5), Some(MS(500)));
    }

    #[test]
    fn gives_up_after_the_last_attempt() {
        assert!(retry_delay(MAX_ATTEMPTS - 1, None, 0.5).is_some());
        assert_eq!(retry_delay(MAX_ATTEMPTS, None, 0.5), None);
        assert_eq!(retry_delay(0, None, 0.5), None);
    }

    #[test]
    fn retry_after_is_a_floor_with_jitter_on_top() {
        assert_eq!(
            retry_delay(1, Some(Duration::from_secs(3)), 0.0),
            Some(Duration::from_secs(3))
        );
        assert_eq!(retry_delay(1, Some(Duration::from_secs(3)), 0.5), Some(MS(3250)));
    }

    #[test]
    fn a_retry_after_too_long_to_wait_in_the_page_gives_up() {
        assert!(retry_delay(1, Some(MAX_RETRY_AFTER), 0.0).is_some());
        assert_eq!(retry_delay(1, Some(MAX_RETRY_AFTER + MS(1)), 0.0), None);
    }

    #[test]
    fn out_of_range_randomness_is_clamped() {
        assert_eq!(retry_delay(1, None, 7.0), Some(MS(500)));
        assert_eq!(retry_delay(1, None, -1.0), Some(Duration::ZERO));
        assert_eq!(retry_delay(1, None, f64::NAN), Some(Duration::ZERO));
    }

    #[test]
    fn the_ceiling_is_capped_for_large_attempt_numbers() {
        // Not reachable with MAX_ATTEMPTS = 4 today; the cap must hold if that grows.
        let ceiling = BASE_DELAY.saturating_mul(1 << 16).min(MAX_BACKOFF);
        assert_eq!(ceiling, MAX_BACKOFF);
    }

    #[test]
    fn retry_after_in_seconds_is_read_and_dates_are_ignored() {
        assert_eq!(parse_retry_after(" 5 "), Some(Duration::from_secs(5)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn validation_body_keeps_fields_in_document_order() {
        let body = r#"{"code":"validation_failed","message":"Alcuni dati non sono corretti.","fields":{"iban":"IBAN errato","codice_fiscale":"CF errato"}}"#;
        assert_eq!(
            classify(422, None, body),
            Outcome::Fail(ApiError::Validation {
                code: "validation_failed".into(),
                message: "Alcuni dati non sono corretti.".into(),
                fields: vec![
                    ("iban".into(), "IBAN errato".into()),
                    ("codice_fiscale".into(), "CF errato".into())
                ],
            })
        );
    }

    #[test]
    fn validation_body_without_fields_is_accepted() {
        let body = r#"{"code":"malformed_request","message":"La richiesta non è nel formato atteso."}"#;
        assert!(matches!(
            classify(400, None, body),
            Outcome::Fail(ApiError::Validation { fields, .. }) if fields.is_empty()
        ));
    }

    #[test]
    fn a_validation_status_with_a_foreign_body_is_unexpected() {
        assert_eq!(
            classify(422, None, "<html>proxy</html>"),
            Outcome::Fail(ApiError::Unexpected { status: 422 })
        );
    }

    #[test]
    fn overload_and_server_errors_are_retried_and_honour_retry_after() {
        assert_eq!(
            classify(503, Some("2"), ""),
            Outcome::Retry(ApiError::Overloaded, Some(Duration::from_secs(2)))
        );
        assert_eq!(classify(429, None, ""), Outcome::Retry(ApiError::Overloaded, None));
        assert_eq!(
            classify(502, None, ""),
            Outcome::Retry(ApiError::Server { status: 502 }, None)
        );
    }

    #[test]
    fn other_statuses_are_final() {
        assert_eq!(classify(200, None, "{}"), Outcome::Success);
        assert_eq!(classify(404, None, ""), Outcome::Fail(ApiError::NotFound));
        assert_eq!(
            classify(409, None, ""),
            Outcome::Fail(ApiError::Unexpected { status: 409 })
        );
    }

    #[test]
    fn every_error_has_a_message_in_both_languages() {
        let errors = [
            ApiError::Overloaded,
            ApiError::NotFound,
            ApiError::Server { status: 500 },
            ApiError::Unexpected { status: 418 },
            ApiError::Network,
            ApiError::Decode,
        ];
        for error in errors {
            assert!(!error.message(Lang::It).is_empty());
            assert_ne!(error.message(Lang::It), error.message(Lang::En), "{error:?}");
        }
    }
}
