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
use chrono::{DateTime, Utc};
use domain::submission_window::SubmissionWindow;
use domain::wire::problem::Problem;
use domain::{ErrorCode, FieldErrors, Lang, Strength};
use thiserror::Error;

use crate::registry::RegistryError;
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
    /// Something the caller should have is not there, said by its own code (e.g. no ticket of
    /// the waiting room).
    #[error("missing: {0:?}")]
    Missing(ErrorCode),
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
    /// This caller tried this credential (or too many) too often: it waits before another
    /// attempt is checked. Only the caller waits; the credential is never locked for others.
    #[error("login delayed")]
    LoginDelayed { retry_after: Duration },
    /// The characters a Contact Center operator typed from the citizen's reading are wrong: the
    /// field's problem, with how many more checks the operator may make at once (told to the
    /// operator, who is a known caller, never to an anonymous client).
    #[error("wrong characters on a call")]
    WrongOnCall {
        field: &'static str,
        code: ErrorCode,
        attempts_left: u32,
    },
    /// This client made too many attempts.
    #[error("rate limited")]
    RateLimited { retry_after: Duration },
    /// The channel's submission window is closed at `now`.
    #[error("submission window closed")]
    WindowClosed {
        /// The channel's window.
        window: SubmissionWindow,
        /// The server's time of the refusal.
        now: DateTime<Utc>,
    },
    /// The citizen already has an application (one per citizen): its protocol number.
    #[error("application already submitted")]
    AlreadySubmitted { protocol: String },
    /// A draft or application of the citizen was made with a stronger credential than the
    /// session's (docs/adr/0017): nothing of it is shown; the answer says what opens it.
    #[error("made with a stronger credential")]
    StrongerCredential { opens_with: Strength },
    /// The service is over capacity: retry after the delay.
    #[error("overloaded")]
    Overloaded { retry_after: Duration },
    /// The waiting room is active and the browser has no admission pass: it waits its turn at
    /// the room's address (503, and the SPA goes there by itself rather than retrying).
    #[error("waiting room")]
    QueueRequired,
    /// The request's body did not arrive within its deadline.
    #[error("request body too slow")]
    BodyTimeout,
    /// The request's body is over the size limit.
    #[error("request body too large")]
    BodyTooLarge,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The population registry failed (unavailable: 503 with Retry-After; otherwise 500).
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A message could not be sealed for the outbox.
    #[error(transparent)]
    Sealing(#[from] crate::outbox::SealError),
}

/// How long a citizen is asked to wait when the population registry does not answer: long enough
/// for a short outage to pass, and for the retries of many citizens not to keep it down.
pub const REGISTRY_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The error as the client sees it, before localisation (kept in the response's extensions).
#[derive(Debug, Clone)]
pub struct ErrorBody {
    /// The overall code.
    pub code: ErrorCode,
    /// Per-field codes, in form order.
    pub fields: FieldErrors,
    /// What the code's message alone cannot say.
    pub detail: Option<ErrorDetail>,
}

/// Facts some errors carry, rendered into their message and as fields of their own.
#[derive(Debug, Clone)]
pub enum ErrorDetail {
    /// When a closed window opens again (`opens_at`), worked out from the window and the time of refusal.
    WindowOpens {
        window: SubmissionWindow,
        now: DateTime<Utc>,
    },
    /// The protocol number of the application that already exists (`protocol`).
    ExistingProtocol(String),
    /// The strength whose credentials open what exists (`opens_with`).
    OpensWith(Strength),
    /// How many more checks the caller may make at once: said after each field's message.
    AttemptsLeft(u32),
    /// The waiting room's address (`room`).
    Room(&'static str),
}

/// "Puoi fare ancora 3 verifiche…": what follows a wrong check's message on a call.
fn attempts_left_text(left: u32, lang: Lang) -> String {
    match (lang, left) {
        (Lang::It, 0) => "Hai esaurito le verifiche per ora: prima della prossima dovrai attendere.".to_owned(),
        (Lang::It, 1) => "Puoi fare ancora 1 verifica, poi dovrai attendere prima di riprovare.".to_owned(),
        (Lang::It, n) => format!("Puoi fare ancora {n} verifiche, poi dovrai attendere prima di riprovare."),
        (Lang::En, 0) => "You have used up your checks for now: you will have to wait before the next one.".to_owned(),
        (Lang::En, 1) => "You can make 1 more check, then you will have to wait before trying again.".to_owned(),
        (Lang::En, n) => format!("You can make {n} more checks, then you will have to wait before trying again."),
    }
}

impl ErrorBody {
    /// The JSON body in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let fields = self
            .fields
            .iter()
            .map(|e| {
                let message = e.code.message(lang);
                let message = match &self.detail {
                    Some(ErrorDetail::AttemptsLeft(left)) => format!("{message} {}", attempts_left_text(*left, lang)),
                    _ => message.to_owned(),
                };
                (e.field.clone(), message)
            })
            .collect();
        let field_codes = self
            .fields
            .iter()
            .map(|e| (e.field.clone(), e.code.as_str().to_owned()))
            .collect();
        let opens_with = match &self.detail {
            Some(ErrorDetail::OpensWith(strength)) => Some(strength.as_str()),
            _ => None,
        };
        let (message, opens_at, protocol) = match &self.detail {
            None | Some(ErrorDetail::AttemptsLeft(_) | ErrorDetail::Room(_)) => {
                (self.code.message(lang).to_owned(), None, None)
            }
            Some(ErrorDetail::OpensWith(strength)) => {
                let how = match lang {
                    Lang::It => "Per aprirla accedi con",
                    Lang::En => "To open it, log in with",
                };
                (
                    format!("{} {how} {}.", self.code.message(lang), strength.opened_by(lang)),
                    None,
                    None,
                )
            }
            Some(ErrorDetail::WindowOpens { window, now }) => (
                window
                    .closed_notice(*now, lang)
                    .unwrap_or_else(|| self.code.message(lang).to_owned()),
                Some(window.next_opening(*now).to_rfc3339()),
                None,
            ),
            Some(ErrorDetail::ExistingProtocol(protocol)) => {
                let label = match lang {
                    Lang::It => "Numero di protocollo",
                    Lang::En => "Protocol number",
                };
                (
                    format!("{} {label}: {protocol}.", self.code.message(lang)),
                    None,
                    Some(protocol.clone()),
                )
            }
        };
        // The body is the wire type the SPA reads (`domain::wire::problem::Problem`), defined once.
        serde_json::to_string(&Problem {
            code: self.code.as_str().to_owned(),
            message,
            fields,
            field_codes,
            opens_at,
            protocol,
            opens_with: opens_with.map(str::to_owned),
            possible_at: None,
            room: match &self.detail {
                Some(ErrorDetail::Room(room)) => Some((*room).to_owned()),
                _ => None,
            },
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
            detail: None,
        };
        match self {
            ApiError::Validation(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorBody {
                    code: ErrorCode::ValidationFailed,
                    fields: fields.clone(),
                    detail: None,
                },
            ),
            ApiError::WrongOnCall {
                field,
                code,
                attempts_left,
            } => {
                let mut fields = FieldErrors::new();
                fields.add(field, *code);
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorBody {
                        code: ErrorCode::ValidationFailed,
                        fields,
                        detail: Some(ErrorDetail::AttemptsLeft(*attempts_left)),
                    },
                )
            }
            ApiError::WindowClosed { window, now } => (
                StatusCode::FORBIDDEN,
                ErrorBody {
                    code: ErrorCode::WindowClosed,
                    fields: FieldErrors::new(),
                    detail: Some(ErrorDetail::WindowOpens {
                        window: *window,
                        now: *now,
                    }),
                },
            ),
            ApiError::AlreadySubmitted { protocol } => (
                StatusCode::CONFLICT,
                ErrorBody {
                    code: ErrorCode::AlreadySubmitted,
                    fields: FieldErrors::new(),
                    detail: Some(ErrorDetail::ExistingProtocol(protocol.clone())),
                },
            ),
            ApiError::StrongerCredential { opens_with } => (
                StatusCode::FORBIDDEN,
                ErrorBody {
                    code: ErrorCode::StrongerCredential,
                    fields: FieldErrors::new(),
                    detail: Some(ErrorDetail::OpensWith(*opens_with)),
                },
            ),
            ApiError::Malformed(_) => (StatusCode::BAD_REQUEST, plain(ErrorCode::MalformedRequest)),
            ApiError::BodyTimeout => (StatusCode::REQUEST_TIMEOUT, plain(ErrorCode::RequestTimeout)),
            ApiError::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, plain(ErrorCode::RequestTooLarge)),
            ApiError::NotFound => (StatusCode::NOT_FOUND, plain(ErrorCode::NotFound)),
            ApiError::Missing(code) => (StatusCode::NOT_FOUND, plain(*code)),
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, plain(ErrorCode::AuthRequired)),
            ApiError::Forbidden(code) => (StatusCode::FORBIDDEN, plain(*code)),
            ApiError::Conflict(code) => (StatusCode::CONFLICT, plain(*code)),
            ApiError::LoginFailed => (StatusCode::UNAUTHORIZED, plain(ErrorCode::LoginFailed)),
            ApiError::LoginDelayed { .. } => (StatusCode::TOO_MANY_REQUESTS, plain(ErrorCode::LoginLocked)),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, plain(ErrorCode::RateLimited)),
            ApiError::Overloaded { .. } => (StatusCode::SERVICE_UNAVAILABLE, plain(ErrorCode::Overloaded)),
            ApiError::QueueRequired => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorBody {
                    code: ErrorCode::QueueRequired,
                    fields: FieldErrors::new(),
                    detail: Some(ErrorDetail::Room(domain::wire::queue::ROOM_PAGE)),
                },
            ),
            ApiError::Store(StoreError::Unavailable(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, plain(ErrorCode::Overloaded))
            }
            ApiError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, plain(ErrorCode::Internal)),
            ApiError::Registry(RegistryError::Unavailable(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, plain(ErrorCode::RegistryUnavailable))
            }
            ApiError::Registry(_) | ApiError::Sealing(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, plain(ErrorCode::Internal))
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        if matches!(self, ApiError::Overloaded { .. } | ApiError::QueueRequired) {
            // Shedding load is the service working as designed (admission control logs it where
            // it decides); at ERROR, click day would bury real failures and page people.
        } else if status.is_server_error() {
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
        | ApiError::LoginDelayed { retry_after }
        | ApiError::RateLimited { retry_after } = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.as_secs().max(1)));
        } else if let ApiError::Registry(RegistryError::Unavailable(_)) = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(REGISTRY_RETRY_AFTER.as_secs()));
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if matches!(
            self,
            ApiError::Overloaded { .. } | ApiError::Store(StoreError::Unavailable(_))
        ) {
            // Counted by the load meter as work the service could not take (the waiting room
            // stands up on a steady share of it).
            response.extensions_mut().insert(crate::services::load::Shed);
        }
        response.extensions_mut().insert(body);
        response
    }
}

/// Re-renders error bodies in the language the request asked for (Italian is already there).
pub async fn localise(request: Request, next: Next) -> Response {
    let lang = crate::http::request_lang(request.headers());
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
            detail: None,
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
    #[test]
    fn a_wrong_check_on_a_call_says_how_many_checks_are_left_in_both_languages() {
        let wrong = |left| ApiError::WrongOnCall {
            field: "pin_first8",
            code: ErrorCode::OperatorPinCheckFailed,
            attempts_left: left,
        };
        let (status, body) = wrong(3).status_and_body();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let it: serde_json::Value = serde_json::from_str(&body.render(Lang::It)).unwrap();
        let message = it["fields"]["pin_first8"].as_str().unwrap();
        assert!(message.starts_with(ErrorCode::OperatorPinCheckFailed.message(Lang::It)));
        assert!(message.ends_with("Puoi fare ancora 3 verifiche, poi dovrai attendere prima di riprovare."));
        assert_eq!(it["field_codes"]["pin_first8"], "operator.pin_check_failed");
        let en: serde_json::Value = serde_json::from_str(&wrong(1).status_and_body().1.render(Lang::En)).unwrap();
        assert!(
            en["fields"]["pin_first8"]
                .as_str()
                .unwrap()
                .ends_with("You can make 1 more check, then you will have to wait before trying again.")
        );
        let none: serde_json::Value = serde_json::from_str(&wrong(0).status_and_body().1.render(Lang::It)).unwrap();
        assert!(
            none["fields"]["pin_first8"]
                .as_str()
                .unwrap()
                .ends_with("prima della prossima dovrai attendere.")
        );
    }
}
