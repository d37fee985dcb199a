//! The API's contract: an OpenAPI 3.1 document generated from the handlers' `#[utoipa::path]`
//! attributes and the wire types' `ToSchema` derives, served at `GET /api/openapi.json`.
//!
//! The success answers are declared on each handler; the error answers, which all share one body
//! (`{"code", "message", "fields"}`, `crate::error`), are declared here, per operation, in
//! [`ERRORS`], so that the handlers' attributes stay short; a handler whose refusal carries a fact
//! of its own (`possible_at`) describes that status itself. The dev routes (`/api/dev/*`) are in
//! the document only when the server runs in dev mode, as the routes themselves are.

use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::AppState;

/// The citizen's session cookie (set by `POST /api/session`, SPID/CIE and CNS logins).
pub const CITIZEN_SESSION_COOKIE: &str = "sportello_session";
/// The Contact Center operator's session cookie (set by `POST /api/operator/session`).
pub const OPERATOR_SESSION_COOKIE: &str = "sportello_operator";

/// The routes of every mode.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sportello API",
        description = "The citizen-facing API of the 600-euro COVID-19 indemnity: PIN requests, \
                       logins, the application, identity reports and the Contact Center console. \
                       Every error has the body `Error`; its `code` is a stable identifier.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    paths(
        crate::routes::health::health,
        crate::routes::service_hours::hours,
        crate::routes::client_errors::report,
        crate::routes::places::search,
        crate::routes::queue::take,
        crate::routes::queue::status,
        crate::routes::queue::pass,
        crate::routes::codice_fiscale::check,
        crate::routes::pin_requests::create,
        crate::routes::pin_requests::check_step,
        crate::routes::session::login,
        crate::routes::session::show,
        crate::routes::session::extend,
        crate::routes::session::logout,
        crate::routes::auth_providers::list,
        crate::routes::auth_providers::options,
        crate::routes::oidc::start,
        crate::routes::oidc::callback,
        crate::routes::oidc::jwks,
        crate::routes::federation::entity_configuration,
        crate::routes::cns::start,
        crate::routes::cns::login,
        crate::routes::cns::complete,
        crate::routes::profile::profile,
        crate::routes::applications::current,
        crate::routes::applications::put_draft,
        crate::routes::applications::check_step,
        crate::routes::applications::submit,
        crate::routes::applications::list,
        crate::routes::applications::receipt,
        crate::routes::identity::show,
        crate::routes::identity::report_route,
        crate::routes::operator::session::login,
        crate::routes::operator::session::show,
        crate::routes::operator::session::logout,
        crate::routes::operator::session::status,
        crate::routes::operator::session::extend,
        crate::routes::operator::calls::open_call,
        crate::routes::operator::calls::read_call,
        crate::routes::operator::calls::validate_pin,
        crate::routes::operator::calls::pin_check,
        crate::routes::operator::filing::application,
        crate::routes::operator::filing::put_draft,
        crate::routes::operator::filing::check_step,
        crate::routes::operator::filing::submit,
        crate::routes::operator::calls::identity_report,
        crate::routes::operator::audit_log::audit_log,
        contract,
    ),
    components(schemas(domain::wire::problem::Problem, domain::ErrorCode)),
    modifiers(&Security),
)]
struct ApiDoc;

/// The dev-mode-only routes (fixtures for tests: the dev sink, the settable clock, the registry).
#[derive(OpenApi)]
#[openapi(paths(
    crate::routes::dev::outbox,
    crate::routes::dev::set_clock,
    crate::routes::dev::get_clock,
    crate::routes::dev::register_resident
))]
struct DevApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "citizen_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                CITIZEN_SESSION_COOKIE,
                "The citizen's session (PIN, SPID, CIE or CNS login)",
            ))),
        );
        components.add_security_scheme(
            "operator_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                OPERATOR_SESSION_COOKIE,
                "A Contact Center operator's session (password and TOTP login)",
            ))),
        );
    }
}

/// An error answer an operation may give.
#[derive(Clone, Copy)]
enum Failure {
    /// 400: the body is not the JSON the route expects, or a header or query is malformed.
    Malformed,
    /// 401: no live session, or a wrong credential.
    Unauthenticated,
    /// 403: the session's scope, the window or the credential's strength forbids it.
    Forbidden,
    /// 404: no such resource (or not the caller's).
    NotFound,
    /// 409: it conflicts with what exists.
    Conflict,
    /// 422: the input broke a rule; `fields` says which.
    Invalid,
    /// 429: too many attempts; `Retry-After` says when to try again.
    TooMany,
}

use Failure::*;

/// Every operation's error answers besides 503 (which any of them may give when the service is
/// over capacity or its store or registry does not answer), by method and path.
const ERRORS: &[(&str, &str, &[Failure])] = &[
    ("get", "/api/health", &[]),
    ("post", "/api/client-errors", &[Malformed, TooMany]),
    ("get", "/api/places", &[Malformed]),
    ("post", "/api/queue/tickets", &[TooMany]),
    ("get", "/api/queue/status", &[NotFound]),
    ("post", "/api/queue/pass", &[NotFound, Conflict]),
    ("post", "/api/codice-fiscale/check", &[Malformed, Invalid]),
    (
        "post",
        "/api/pin-requests",
        &[Malformed, Forbidden, Conflict, Invalid, TooMany],
    ),
    (
        "post",
        "/api/pin-requests/steps/{step}",
        &[Malformed, NotFound, Invalid],
    ),
    (
        "post",
        "/api/session",
        &[Malformed, Unauthenticated, Forbidden, Invalid, TooMany],
    ),
    ("get", "/api/session", &[Unauthenticated]),
    ("post", "/api/session/extend", &[Unauthenticated]),
    ("delete", "/api/session", &[]),
    ("get", "/api/service/hours", &[]),
    ("get", "/api/auth/providers", &[]),
    ("get", "/api/auth/login-options", &[]),
    ("get", "/api/auth/oidc/{provider}/start", &[NotFound]),
    ("get", "/api/auth/oidc/callback", &[Malformed]),
    ("get", "/api/auth/oidc/jwks", &[]),
    ("get", "/.well-known/openid-federation", &[NotFound]),
    ("get", "/api/auth/cns/start", &[NotFound]),
    ("get", "/api/auth/cns", &[Malformed, TooMany]),
    ("get", "/api/auth/cns/complete", &[Malformed]),
    ("get", "/api/profile", &[Unauthenticated, Forbidden, NotFound]),
    ("get", "/api/application", &[Unauthenticated, Forbidden]),
    (
        "put",
        "/api/application/draft",
        &[Malformed, Unauthenticated, Forbidden, Conflict, Invalid],
    ),
    (
        "post",
        "/api/application/steps/{slug}",
        &[Malformed, Unauthenticated, Forbidden, NotFound, Conflict, Invalid],
    ),
    (
        "post",
        "/api/application/submit",
        &[Malformed, Unauthenticated, Forbidden, Conflict, Invalid],
    ),
    ("get", "/api/applications", &[Unauthenticated, Forbidden]),
    (
        "get",
        "/api/applications/{protocol}",
        &[Unauthenticated, Forbidden, NotFound],
    ),
    ("get", "/api/identity", &[Unauthenticated, Forbidden]),
    (
        "post",
        "/api/identity/reports",
        &[Malformed, Unauthenticated, Forbidden, NotFound, Conflict, Invalid],
    ),
    (
        "post",
        "/api/operator/session",
        &[Malformed, Unauthenticated, Invalid, TooMany],
    ),
    ("get", "/api/operator/session", &[Unauthenticated]),
    ("delete", "/api/operator/session", &[Unauthenticated]),
    ("get", "/api/operator/session/status", &[Unauthenticated]),
    ("post", "/api/operator/session/extend", &[Unauthenticated]),
    (
        "post",
        "/api/operator/calls",
        &[Malformed, Unauthenticated, Forbidden, Invalid],
    ),
    (
        "get",
        "/api/operator/calls/{id}",
        &[Unauthenticated, Forbidden, NotFound],
    ),
    (
        "post",
        "/api/operator/calls/{id}/pin-validation",
        &[Unauthenticated, Forbidden, NotFound, Conflict],
    ),
    (
        "post",
        "/api/operator/calls/{id}/pin-check",
        &[
            Malformed,
            Unauthenticated,
            Forbidden,
            NotFound,
            Conflict,
            Invalid,
            TooMany,
        ],
    ),
    (
        "get",
        "/api/operator/calls/{id}/application",
        &[Unauthenticated, Forbidden, NotFound],
    ),
    (
        "put",
        "/api/operator/calls/{id}/application/draft",
        &[Malformed, Unauthenticated, Forbidden, NotFound, Conflict, Invalid],
    ),
    (
        "post",
        "/api/operator/calls/{id}/application/steps/{slug}",
        &[Malformed, Unauthenticated, Forbidden, NotFound, Conflict, Invalid],
    ),
    (
        "post",
        "/api/operator/calls/{id}/application/submit",
        &[Malformed, Unauthenticated, Forbidden, NotFound, Conflict, Invalid],
    ),
    (
        "post",
        "/api/operator/calls/{id}/identity-report",
        &[
            Malformed,
            Unauthenticated,
            Forbidden,
            NotFound,
            Conflict,
            Invalid,
            TooMany,
        ],
    ),
    (
        "get",
        "/api/operator/audit",
        &[Malformed, Unauthenticated, Forbidden, Invalid],
    ),
    ("get", "/api/openapi.json", &[]),
    ("get", "/api/dev/outbox", &[Malformed]),
    ("put", "/api/dev/clock", &[Malformed, NotFound]),
    ("get", "/api/dev/clock", &[]),
    ("put", "/api/dev/registry/{codice_fiscale}", &[Malformed, NotFound]),
];

impl Failure {
    fn status_and_description(self) -> (&'static str, &'static str) {
        match self {
            Malformed => ("400", "Malformed request (`malformed_request`)"),
            Unauthenticated => ("401", "Not logged in, or a wrong credential"),
            Forbidden => ("403", "Not allowed for this session, credential or time"),
            NotFound => ("404", "No such resource (`not_found`)"),
            Conflict => ("409", "Conflicts with what exists"),
            Invalid => ("422", "Validation failed: `fields` names each wrong field"),
            TooMany => ("429", "Too many attempts: try again after `Retry-After` seconds"),
        }
    }
}

fn error_response(description: &str, retry_after: bool) -> utoipa::openapi::Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Error")))
            .build(),
    );
    if retry_after {
        response = response.header(
            "retry-after",
            HeaderBuilder::new()
                .schema(<u64 as utoipa::PartialSchema>::schema())
                .description(Some("Seconds to wait"))
                .build(),
        );
    }
    response.build()
}

fn operation_mut<'a>(item: &'a mut PathItem, method: &str) -> Option<&'a mut Operation> {
    match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "put" => item.put.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    }
}

/// `post_operator_calls_id_application_submit` for `POST /api/operator/calls/{id}/application/submit`.
fn operation_id(method: &str, path: &str) -> String {
    let words = path
        .trim_start_matches("/api/")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty());
    std::iter::once(method).chain(words).collect::<Vec<_>>().join("_")
}

/// Adds each operation's error answers from [`ERRORS`]. Panics (at start, and in the tests) when
/// an operation of the document has no line there, or a line no operation.
fn add_errors(doc: &mut Document) {
    let mut described = 0;
    for (path, item) in doc.paths.paths.iter_mut() {
        for method in ["get", "post", "put", "delete"] {
            let Some(operation) = operation_mut(item, method) else {
                continue;
            };
            let (_, _, failures) = ERRORS
                .iter()
                .find(|(m, p, _)| *m == method && p == path)
                .unwrap_or_else(|| panic!("{} {path} has no line in ERRORS", method.to_uppercase()));
            described += 1;
            // The handlers' names repeat across resources (`start`, `login`, `submit`…): the
            // operation ids, which must be unique, are made from the method and the path.
            operation.operation_id = Some(operation_id(method, path));
            for failure in failures.iter() {
                let (status, description) = failure.status_and_description();
                let response = error_response(description, matches!(failure, TooMany));
                // A handler that answers this status with facts of its own (`possible_at`) says
                // so on its route; the generic description fills in only where it does not.
                operation
                    .responses
                    .responses
                    .entry(status.into())
                    .or_insert(response.into());
            }
            let response = error_response("Over capacity, or the store or registry does not answer", true);
            operation.responses.responses.insert("503".into(), response.into());
        }
    }
    let dev = ERRORS.iter().filter(|(_, p, _)| p.starts_with("/api/dev/")).count();
    assert!(
        described == ERRORS.len() || described == ERRORS.len() - dev,
        "ERRORS has lines for operations that are not in the document"
    );
}

/// The contract, with the dev routes when `dev_mode`.
pub fn document(dev_mode: bool) -> Document {
    let mut doc = ApiDoc::openapi();
    if dev_mode {
        doc.merge(DevApiDoc::openapi());
    }
    add_errors(&mut doc);
    doc
}

/// The contract as JSON, built once per mode.
fn document_json(dev_mode: bool) -> &'static str {
    static PUBLIC: OnceLock<String> = OnceLock::new();
    static DEV: OnceLock<String> = OnceLock::new();
    let cell = if dev_mode { &DEV } else { &PUBLIC };
    cell.get_or_init(|| document(dev_mode).to_json().expect("the OpenAPI document serialises"))
}

/// The contract itself: public, the same for everyone, so cacheable.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "service",
    responses((status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json", body = Object))
)]
async fn contract(dev_mode: bool) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::CACHE_CONTROL, HeaderValue::from_static(CONTRACT_CACHE_CONTROL)),
        ],
        document_json(dev_mode),
    )
        .into_response()
}

/// How long others may keep the contract: it changes only with a deploy.
pub const CONTRACT_CACHE_CONTROL: &str = "public, max-age=300";

/// `GET /openapi.json` (under `/api`).
pub fn router(dev_mode: bool) -> Router<AppState> {
    Router::new().route("/openapi.json", get(move || contract(dev_mode)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_its_errors_and_the_dev_routes_only_in_dev_mode() {
        let public = document(false);
        let dev = document(true);
        assert!(public.paths.paths.keys().all(|p| !p.starts_with("/api/dev/")));
        assert!(dev.paths.paths.contains_key("/api/dev/outbox"));
    }
}
