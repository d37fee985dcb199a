//! The only way the SPA talks to the API: JSON over `fetch`, in the page's language, with the
//! project's error body parsed into [`ApiError`], and with automatic retries when the service is
//! overloaded or the network drops — so that on a click day the citizen waits a few seconds instead
//! of seeing an error page and pressing F5.
//!
//! The decisions (how long to wait, what a status means) are pure functions with native tests;
//! only [`send`] touches the network.

use std::time::Duration;

use domain::{ErrorCode, Lang};
use serde::Serialize;

use crate::json::{FromJson, Json};
use domain::wire::problem::Problem;

use crate::i18n::{Text, t};

/// How the client retries a call the service could not answer (issue 5): exponential backoff with
/// full jitter, the server's `Retry-After` as a floor, a cap on attempts and on the total wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// The backoff ceiling for the first retry; it doubles on each further one.
    pub base_delay: Duration,
    /// The backoff ceiling never grows past this.
    pub max_backoff: Duration,
    /// A `Retry-After` longer than this is not waited for in the page: the citizen is offered
    /// "Riprova" instead of watching a spinner.
    pub max_retry_after: Duration,
    /// The most the client waits in all across one call's retries.
    pub max_total_wait: Duration,
}

/// The SPA's policy. Six attempts within about 45 s cover a surge's shed requests and a deploy's
/// restart while staying short enough for someone watching a phone; beyond it the page offers a
/// button to try again (nothing typed is lost).
pub const RETRY_POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 6,
    base_delay: Duration::from_millis(500),
    max_backoff: Duration::from_secs(8),
    max_retry_after: Duration::from_secs(30),
    max_total_wait: Duration::from_secs(45),
};

impl RetryPolicy {
    /// How long to wait before the next attempt, after attempt number `attempt` (1-based) failed
    /// in a retryable way and `waited` was already spent waiting on this call; `None`: give up.
    ///
    /// Full jitter: a delay drawn uniformly (`rand01` in `[0, 1)`) between zero and
    /// `base_delay · 2^(attempt-1)`, capped at `max_backoff`, so that a crowd of clients rejected
    /// together does not come back together. A server's `Retry-After` is a floor: the jitter is
    /// added on top of it.
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        waited: Duration,
        rand01: f64,
    ) -> Option<Duration> {
        if attempt == 0 || attempt >= self.max_attempts {
            return None;
        }
        let floor = retry_after.unwrap_or(Duration::ZERO);
        if floor > self.max_retry_after {
            return None;
        }
        let ceiling = self
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(self.max_backoff);
        let fraction = if rand01.is_finite() {
            rand01.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let delay = floor + ceiling.mul_f64(fraction);
        (waited + delay <= self.max_total_wait).then_some(delay)
    }
}

/// Reads a `Retry-After` header given in seconds (the HTTP-date form is not used by our API).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// One field's problem as the API reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    /// The field's name on the wire, also its input's id in the page.
    pub field: String,
    /// What is wrong, in the language the request asked for.
    pub message: String,
    /// The catalogue code, when the API sent one this client knows: the page then shows the
    /// catalogue's message in whichever language is current.
    pub code: Option<ErrorCode>,
}

impl FieldMessage {
    /// The message in `lang` (the API's own words when the code is unknown here).
    pub fn message(&self, lang: Lang) -> String {
        catalogue_message(self.code, lang).unwrap_or_else(|| self.message.clone())
    }
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
        /// The fields' problems, in the order the API listed them.
        fields: Vec<FieldMessage>,
    },
    /// The API refused the request for a reason that concerns no single field (401, 403, 409,
    /// or a 429 that is a lockout rather than overload): final, never retried.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The stable error code, e.g. `login.failed`, `pin.already_requested`.
        code: String,
        /// The API's message, in the requested language.
        message: String,
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

/// The catalogue's message for `code` in `lang`, else the API's `message`.
fn catalogue_or(code: &str, message: &str, lang: Lang) -> String {
    catalogue_message(ErrorCode::from_str_code(code), lang).unwrap_or_else(|| message.to_owned())
}

/// The catalogue's message for `code`, unless the browser build leaves it out (codes only the
/// server shows have no text here: the API's message, in the request's language, stands).
fn catalogue_message(code: Option<ErrorCode>, lang: Lang) -> Option<String> {
    code.map(|code| code.message(lang))
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
}

impl ApiError {
    /// A calm, actionable message for the citizen, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApiError::Validation { code, message, .. } | ApiError::Refused { code, message, .. } => {
                catalogue_or(code, message, lang)
            }
            ApiError::Overloaded => ErrorCode::Overloaded.message(lang).to_owned(),
            ApiError::NotFound => ErrorCode::NotFound.message(lang).to_owned(),
            ApiError::Network => t(lang, Text::NetworkError).to_owned(),
            ApiError::Server { .. } | ApiError::Unexpected { .. } | ApiError::Decode => {
                ErrorCode::Internal.message(lang).to_owned()
            }
        }
    }

    /// Whether the service could not answer (overloaded, failing or unreachable) after the
    /// client's retries: worth trying again later, unlike a refusal.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ApiError::Overloaded | ApiError::Server { .. } | ApiError::Network)
    }

    /// The API's error code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Validation { code, .. } | ApiError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The project's error body: `{"code", "message", "fields": {"<field>": "<message>"},
/// "field_codes": {"<field>": "<code>"}}`, fields in document order (the error summary lists them
/// in the order the form shows them).
/// The API's error body (`domain::wire::problem::Problem`), read.
struct ErrorBody(Problem);

impl ErrorBody {
    fn parse(body: &str) -> Option<ErrorBody> {
        Problem::parse_json(body).map(ErrorBody)
    }

    fn into_validation(self) -> ApiError {
        let Problem {
            code,
            message,
            fields,
            field_codes,
            ..
        } = self.0;
        let fields = fields
            .into_iter()
            .map(|(field, message)| {
                let code = field_codes.get(&field).and_then(|code| ErrorCode::from_str_code(code));
                FieldMessage { field, message, code }
            })
            .collect();
        ApiError::Validation { code, message, fields }
    }

    fn into_refused(self, status: u16) -> ApiError {
        ApiError::Refused {
            status,
            code: self.0.code,
            message: self.0.message,
        }
    }
}

/// A JSON object of strings as `(key, value)` pairs in document order (`None` if it is not one).
pub fn string_pairs(json: &str) -> Option<Vec<(String, String)>> {
    Json::parse(json)?.string_members()
}

/// The error code that makes a 429 a lockout (final) rather than overload (retried).
const LOGIN_LOCKED: &str = "login.locked";

/// The error code that makes a 503 the waiting room's (final: the SPA goes to the room, issue 15)
/// rather than overload (retried); `ErrorCode::QueueRequired` (a test checks).
const QUEUE_REQUIRED: &str = "queue.required";

/// What one HTTP response means for the caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: the body is the answer.
    Success,
    /// Worth another attempt, after at least the given `Retry-After`.
    Retry(ApiError, Option<Duration>),
    /// Final.
    Fail(ApiError),
    /// Final, and the citizen is to wait in the waiting room (`queue.required`, issue 15).
    Queue(ApiError),
}

/// Whether an answer is AWS WAF's challenge to a `fetch` whose token has expired (202 with
/// `x-amzn-waf-action: challenge`, infra/waf.yaml): the API itself never answers 202.
pub fn is_waf_challenge(status: u16, waf_action: Option<&str>) -> bool {
    status == 202 && waf_action == Some("challenge")
}

/// Classifies a response by its status, `Retry-After` header and body.
///
/// Only overload (429, 503), server errors and the network are retried; any other 4xx is final,
/// and so is a 429 whose code is `login.locked` (a lockout: retrying would only prolong it), and
/// a 503 whose code is `queue.required` (the waiting room: no retry passes before the citizen's
/// turn, and each would only add load).
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> Outcome {
    let retry_after = retry_after.and_then(parse_retry_after);
    let parsed = || ErrorBody::parse(body);
    match status {
        200..=299 => Outcome::Success,
        400 | 422 => match parsed() {
            Some(body) => Outcome::Fail(body.into_validation()),
            None => Outcome::Fail(ApiError::Unexpected { status }),
        },
        404 => Outcome::Fail(ApiError::NotFound),
        429 | 503 => match parsed() {
            Some(body) if status == 429 && body.0.code == LOGIN_LOCKED => Outcome::Fail(body.into_refused(status)),
            Some(body) if status == 503 && body.0.code == QUEUE_REQUIRED => Outcome::Queue(body.into_refused(status)),
            _ => Outcome::Retry(ApiError::Overloaded, retry_after),
        },
        500..=599 => Outcome::Retry(ApiError::Server { status }, retry_after),
        401..=499 => match parsed() {
            Some(body) => Outcome::Fail(body.into_refused(status)),
            None => Outcome::Fail(ApiError::Unexpected { status }),
        },
        _ => Outcome::Fail(ApiError::Unexpected { status }),
    }
}

/// Why the client is about to try again: the words differ, since a citizen on a failing network
/// can do something about it (move, switch to Wi-Fi) and one facing a busy service cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryCause {
    /// The service shed load (429, 503).
    Busy,
    /// No answer at all: the connection failed or was reset.
    Unreachable,
    /// The service answered with an error of its own (500, 502, 504).
    Failing,
}

impl RetryCause {
    /// The cause of a retry after `error`.
    pub fn of(error: &ApiError) -> RetryCause {
        match error {
            ApiError::Network => RetryCause::Unreachable,
            ApiError::Server { .. } => RetryCause::Failing,
            _ => RetryCause::Busy,
        }
    }
}

/// Told to the caller before each automatic retry, so that the page can say what is happening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryNotice {
    /// Why the last attempt failed.
    pub cause: RetryCause,
    /// The attempt that is about to be made (2 for the first retry).
    pub next_attempt: u32,
    /// The most attempts the client makes.
    pub max_attempts: u32,
    /// How long the client waits first.
    pub delay: Duration,
}

/// POSTs `body` as JSON to `path` and reads the JSON answer.
pub async fn post_json<Req: Serialize>(path: &str, body: &Req) -> Result<Json, ApiError> {
    post_json_observed(path, body, |_| {}).await
}

/// [`post_json`], calling `on_retry` before each automatic retry.
pub async fn post_json_observed<Req: Serialize>(
    path: &str,
    body: &Req,
    on_retry: impl Fn(RetryNotice),
) -> Result<Json, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Decode)?;
    let call = Call::new(Method::Post, path).body(&body);
    decode(send(call, &on_retry).await?)
}

/// POSTs `body` as JSON with an `Idempotency-Key`, and returns the answer's JSON as received
/// (for a caller that keeps it rather than reads it). Every automatic retry carries the same key,
/// and so must any retry the citizen makes (after a reload, say), so that the server creates the
/// resource at most once.
pub async fn post_json_idempotent<Req: Serialize>(
    path: &str,
    body: &Req,
    idempotency_key: &str,
    on_retry: impl Fn(RetryNotice),
) -> Result<String, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Decode)?;
    let call = Call::new(Method::Post, path)
        .body(&body)
        .idempotency_key(idempotency_key);
    Ok(send(call, &on_retry).await?.body)
}

/// GETs `path` and reads the JSON answer.
pub async fn get_json(path: &str) -> Result<Json, ApiError> {
    get_json_observed(path, &|_| {}).await
}

/// [`get_json`], calling `on_retry` before each automatic retry (a `dyn`: one copy of the code
/// for every caller).
pub async fn get_json_observed(path: &str, on_retry: &dyn Fn(RetryNotice)) -> Result<Json, ApiError> {
    decode(send(Call::new(Method::Get, path), on_retry).await?)
}

/// Sends `method` to `path` with an optional JSON `body` and reads the JSON answer, with the
/// server's clock (its `Date` header): for answers carrying deadlines, which must be measured
/// against the server's clock rather than the phone's. `on_retry` is told of each automatic retry.
pub async fn call_json_dated<Req: Serialize>(
    method: Method,
    path: &str,
    body: Option<&Req>,
    on_retry: impl Fn(RetryNotice),
) -> Result<Dated<Json>, ApiError> {
    let body = body
        .map(serde_json::to_string)
        .transpose()
        .map_err(|_| ApiError::Decode)?;
    let mut call = Call::new(method, path);
    if let Some(body) = &body {
        call = call.body(body);
    }
    let answer = send(call, &on_retry).await?;
    let server_date = answer.server_date.clone();
    Ok(Dated {
        value: decode(answer)?,
        server_date,
    })
}

/// Sends `method` to `path` once, without the automatic retries (a POST with the empty JSON
/// object `{}`), and reads the JSON answer: for the waiting room, which polls on its own schedule.
pub async fn call_once(method: Method, path: &str) -> Result<Json, ApiError> {
    let mut call = Call::new(method, path);
    // The room's polls keep their own schedule: retries here would add bursts to a crowd.
    call.once = true;
    if matches!(method, Method::Post) {
        call = call.body("{}");
    }
    decode(send(call, &|_| {}).await?)
}

/// PUTs `body` as JSON to `path` and reads the JSON answer.
pub async fn put_json<Req: Serialize>(path: &str, body: &Req) -> Result<Json, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Decode)?;
    decode(send(Call::new(Method::Put, path).body(&body), &|_| {}).await?)
}

/// DELETEs `path`, expecting no content.
pub async fn delete(path: &str) -> Result<(), ApiError> {
    send(Call::new(Method::Delete, path), &|_| {}).await.map(|_| ())
}

/// An answer with the server's `Date` header.
#[derive(Debug, Clone)]
pub struct Dated<T> {
    /// The answer.
    pub value: T,
    /// The server's `Date` header, if it sent one.
    pub server_date: Option<String>,
}

/// The HTTP methods the SPA uses.
#[derive(Clone, Copy)]
pub enum Method {
    /// Read.
    Get,
    /// Create or act.
    Post,
    /// Replace.
    Put,
    /// Remove.
    Delete,
}

/// One request to make.
struct Call<'a> {
    method: Method,
    path: &'a str,
    body: Option<&'a str>,
    idempotency_key: Option<&'a str>,
    /// One attempt, no automatic retry.
    once: bool,
}

impl<'a> Call<'a> {
    fn new(method: Method, path: &'a str) -> Self {
        Call {
            method,
            path,
            body: None,
            idempotency_key: None,
            once: false,
        }
    }

    fn body(self, body: &'a str) -> Self {
        Call {
            body: Some(body),
            ..self
        }
    }

    fn idempotency_key(self, key: &'a str) -> Self {
        Call {
            idempotency_key: Some(key),
            ..self
        }
    }
}

/// A successful response's body and `Date` header.
struct Answer {
    body: String,
    server_date: Option<String>,
}

/// Reads a JSON body; an empty one (204) reads as `null`.
/// `json` read as a `T` (a wire type of `domain::wire`): an answer of another shape is
/// `ApiError::Decode`, which the pages show as a problem with Riprova, never as a default.
pub fn read<T: FromJson>(json: Json) -> Result<T, ApiError> {
    T::from_json(&json).ok_or(ApiError::Decode)
}

fn decode(answer: Answer) -> Result<Json, ApiError> {
    if answer.body.trim().is_empty() {
        return Ok(Json::Null);
    }
    Json::parse(&answer.body).ok_or(ApiError::Decode)
}

/// Sends the request, retrying per [`RETRY_POLICY`] (unless it is to be sent `once`), in the
/// page's current language. A `queue.required` answer takes the citizen to the waiting room.
async fn send(call: Call<'_>, on_retry: &dyn Fn(RetryNotice)) -> Result<Answer, ApiError> {
    use gloo_net::http::Request;

    let mut attempt = 1;
    let mut waited = Duration::ZERO;
    loop {
        let lang = crate::browser::document_lang();
        let mut builder = match call.method {
            Method::Get => Request::get(call.path),
            Method::Post => Request::post(call.path),
            Method::Put => Request::put(call.path),
            Method::Delete => Request::delete(call.path),
        }
        .header("Accept", "application/json")
        .header("Accept-Language", lang.tag());
        if let Some(key) = call.idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        let request = match call.body {
            Some(body) => builder.header("Content-Type", "application/json").body(body),
            None => builder.build(),
        };
        let (error, retry_after) = match request.map_err(|_| ApiError::Decode)?.send().await {
            Err(_) => (ApiError::Network, None),
            Ok(response) => {
                let status = response.status();
                if is_waf_challenge(status, response.headers().get("x-amzn-waf-action").as_deref()) {
                    // The page's token has expired: loading the page again solves the challenge,
                    // and what was typed survives a reload (the drafts are saved).
                    crate::browser::reload();
                    return Err(ApiError::Network);
                }
                let retry_after = response.headers().get("retry-after");
                let server_date = response.headers().get("date");
                let body = response.text().await.unwrap_or_default();
                match classify(status, retry_after.as_deref(), &body) {
                    Outcome::Success => return Ok(Answer { body, server_date }),
                    Outcome::Fail(error) => return Err(error),
                    Outcome::Queue(error) => {
                        // A page load of the room's bundle: the caller's error is never shown.
                        crate::router::wait_in_room();
                        return Err(error);
                    }
                    Outcome::Retry(error, retry_after) => (error, retry_after),
                }
            }
        };
        if call.once {
            return Err(error);
        }
        let Some(delay) = RETRY_POLICY.delay(attempt, retry_after, waited, crate::browser::random01()) else {
            return Err(error);
        };
        attempt += 1;
        waited += delay;
        on_retry(RetryNotice {
            cause: RetryCause::of(&error),
            next_attempt: attempt,
            max_attempts: RETRY_POLICY.max_attempts,
            delay,
        });
        crate::browser::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    /// The SPA's policy, after `attempt` failed with nothing waited yet.
    fn delay(attempt: u32, retry_after: Option<Duration>, rand01: f64) -> Option<Duration> {
        RETRY_POLICY.delay(attempt, retry_after, Duration::ZERO, rand01)
    }

    #[test]
    fn only_the_wafs_challenge_is_a_challenge() {
        assert!(is_waf_challenge(202, Some("challenge")));
        assert!(!is_waf_challenge(202, None));
        assert!(!is_waf_challenge(200, Some("challenge")));
        assert!(!is_waf_challenge(202, Some("captcha")));
    }

    #[test]
    fn backoff_ceiling_doubles_from_half_a_second_up_to_eight() {
        let ceilings: Vec<_> = (1..RETRY_POLICY.max_attempts).map(|a| delay(a, None, 1.0)).collect();
        assert_eq!(
            ceilings,
            [500, 1000, 2000, 4000, 8000].map(|ms| Some(MS(ms))),
            "the ceilings of retries 1 to 5"
        );
        let long = RetryPolicy {
            max_attempts: 40,
            max_total_wait: Duration::from_secs(3600),
            ..RETRY_POLICY
        };
        assert_eq!(long.delay(30, None, Duration::ZERO, 1.0), Some(MS(8000)), "capped");
    }

    #[test]
    fn full_jitter_spreads_the_delay_from_zero_to_the_ceiling() {
        assert_eq!(delay(2, None, 0.0), Some(Duration::ZERO));
        assert_eq!(delay(2, None, 0.5), Some(MS(500)));
        for step in 0..100 {
            let d = delay(3, None, f64::from(step) / 100.0).unwrap();
            assert!(d < MS(2000), "{d:?}");
        }
    }

    #[test]
    fn gives_up_after_the_sixth_attempt() {
        assert_eq!(RETRY_POLICY.max_attempts, 6, "the status says \"(2 di 6)\"");
        assert!(delay(5, None, 0.5).is_some());
        assert_eq!(delay(6, None, 0.5), None);
        assert_eq!(delay(0, None, 0.5), None);
    }

    #[test]
    fn retry_after_is_a_floor_with_jitter_on_top() {
        assert_eq!(
            delay(1, Some(Duration::from_secs(3)), 0.0),
            Some(Duration::from_secs(3))
        );
        assert_eq!(delay(1, Some(Duration::from_secs(3)), 0.5), Some(MS(3250)));
    }

    #[test]
    fn a_retry_after_too_long_to_wait_in_the_page_gives_up() {
        assert!(delay(1, Some(RETRY_POLICY.max_retry_after), 0.0).is_some());
        assert_eq!(delay(1, Some(RETRY_POLICY.max_retry_after + MS(1)), 0.0), None);
    }

    #[test]
    fn the_total_wait_is_capped() {
        let cap = RETRY_POLICY.max_total_wait;
        assert_eq!(RETRY_POLICY.delay(2, None, cap - MS(1000), 1.0), Some(MS(1000)));
        assert_eq!(RETRY_POLICY.delay(2, None, cap - MS(999), 1.0), None);
        // Two long Retry-Afters in a row fit; a third would not.
        let twenty = Some(Duration::from_secs(20));
        assert!(RETRY_POLICY.delay(1, twenty, Duration::from_secs(20), 0.0).is_some());
        assert_eq!(RETRY_POLICY.delay(1, twenty, Duration::from_secs(40), 0.0), None);
    }

    #[test]
    fn out_of_range_randomness_is_clamped() {
        assert_eq!(delay(1, None, 7.0), Some(MS(500)));
        assert_eq!(delay(1, None, -1.0), Some(Duration::ZERO));
        assert_eq!(delay(1, None, f64::NAN), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_in_seconds_is_read_and_dates_are_ignored() {
        assert_eq!(parse_retry_after(" 5 "), Some(Duration::from_secs(5)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn validation_body_keeps_fields_in_the_apis_order_with_their_codes() {
        let body = r#"{"code":"validation_failed","message":"Alcuni dati non sono corretti.","fields":{"codice_fiscale":"CF errato","iban":"IBAN errato"},"field_codes":{"codice_fiscale":"cf.length","iban":"no.such_code"}}"#;
        assert_eq!(
            classify(422, None, body),
            Outcome::Fail(ApiError::Validation {
                code: "validation_failed".into(),
                message: "Alcuni dati non sono corretti.".into(),
                fields: vec![
                    FieldMessage {
                        field: "codice_fiscale".into(),
                        message: "CF errato".into(),
                        code: Some(ErrorCode::CfLength)
                    },
                    FieldMessage {
                        field: "iban".into(),
                        message: "IBAN errato".into(),
                        code: None
                    },
                ],
            })
        );
    }

    #[test]
    fn a_known_field_code_is_shown_in_the_current_language_and_an_unknown_one_as_sent() {
        let known = FieldMessage {
            field: "pin".into(),
            message: "Il PIN ha 16 caratteri".into(),
            code: Some(ErrorCode::PinLength),
        };
        assert_eq!(known.message(Lang::En), ErrorCode::PinLength.message(Lang::En));
        let unknown = FieldMessage { code: None, ..known };
        assert_eq!(unknown.message(Lang::En), "Il PIN ha 16 caratteri");
    }

    #[test]
    fn a_lockout_is_final_but_other_429s_are_overload() {
        let locked = r#"{"code":"login.locked","message":"Troppi tentativi."}"#;
        assert_eq!(
            classify(429, Some("900"), locked),
            Outcome::Fail(ApiError::Refused {
                status: 429,
                code: "login.locked".into(),
                message: "Troppi tentativi.".into()
            })
        );
        let busy = r#"{"code":"rate_limited","message":"Troppe richieste."}"#;
        assert_eq!(
            classify(429, Some("2"), busy),
            Outcome::Retry(ApiError::Overloaded, Some(Duration::from_secs(2)))
        );
    }

    #[test]
    fn refusals_carry_their_code_and_speak_the_current_language() {
        let body = r#"{"code":"login.failed","message":"Codice fiscale o PIN non corretti."}"#;
        let Outcome::Fail(error) = classify(401, None, body) else {
            panic!("a 401 must be final");
        };
        assert_eq!(error.code(), Some("login.failed"));
        assert_eq!(error.message(Lang::En), ErrorCode::LoginFailed.message(Lang::En));
        let conflict = r#"{"code":"pin.already_requested","message":"Già richiesto."}"#;
        assert!(matches!(
            classify(409, None, conflict),
            Outcome::Fail(ApiError::Refused { status: 409, .. })
        ));
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
    fn the_waiting_rooms_503_is_final_and_other_503s_are_overload() {
        let room = r#"{"code":"queue.required","message":"Attendi il tuo turno.","fields":{},"room":"/coda"}"#;
        let Outcome::Queue(error) = classify(503, Some("5"), room) else {
            panic!("queue.required must not be retried");
        };
        assert_eq!(error.code(), Some(ErrorCode::QueueRequired.as_str()));
        // Only a 503 says so: a 429 with that code is overload.
        assert!(matches!(
            classify(429, None, room),
            Outcome::Retry(ApiError::Overloaded, None)
        ));
        assert!(!error.is_unavailable(), "no \"Riprova\": the page goes to the room");
        assert_eq!(error.message(Lang::En), ErrorCode::QueueRequired.message(Lang::En));
        let busy = r#"{"code":"overloaded","message":"Riprova tra poco."}"#;
        assert_eq!(
            classify(503, Some("5"), busy),
            Outcome::Retry(ApiError::Overloaded, Some(Duration::from_secs(5)))
        );
        // A 503 without a Problem (a proxy's page) is overload too.
        assert_eq!(
            classify(503, None, "<html>Service Unavailable</html>"),
            Outcome::Retry(ApiError::Overloaded, None)
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
        assert_eq!(
            classify(418, None, "teapot"),
            Outcome::Fail(ApiError::Unexpected { status: 418 })
        );
    }

    #[test]
    fn every_error_has_a_message_in_both_languages() {
        let errors = [
            ApiError::Refused {
                status: 409,
                code: "pin.already_requested".into(),
                message: "Già richiesto.".into(),
            },
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
