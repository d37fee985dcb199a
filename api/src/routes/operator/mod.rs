//! The Contact Center's API (docs/adr/0009): operator login (password and TOTP) and session,
//! calls, validating a stale PIN request, checking the PIN characters a citizen reads out, filing
//! the application on the citizen's behalf, and reading the audit log.
//!
//! An operator acts only through a call they opened, and only on its citizen: any other call id
//! is not found. Each call answers with what the task needs, never contacts or the IBAN, until the
//! citizen has proven themselves with their PIN characters. Every action, done or refused, is
//! appended to the audit log (never a PIN, a password or a TOTP code).

//!
//! The handlers are thin: the use cases are in `services::{operator_login, calls, pin_validation,
//! pin_check, filing, identity, audit}`.

pub(crate) mod audit_log;
pub(crate) mod calls;
pub(crate) mod filing;
pub(crate) mod session;

use axum::Router;
use axum::routing::{get, post, put};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/operator/session",
            get(session::show).post(session::login).delete(session::logout),
        )
        .route("/operator/session/status", get(session::status))
        .route("/operator/session/extend", post(session::extend))
        .route("/operator/calls", post(calls::open_call))
        .route("/operator/calls/{id}", get(calls::read_call))
        .route("/operator/calls/{id}/pin-validation", post(calls::validate_pin))
        .route("/operator/calls/{id}/pin-check", post(calls::pin_check))
        .route("/operator/calls/{id}/application", get(filing::application))
        .route("/operator/calls/{id}/application/draft", put(filing::put_draft))
        .route(
            "/operator/calls/{id}/application/steps/{slug}",
            post(filing::check_step),
        )
        .route("/operator/calls/{id}/application/submit", post(filing::submit))
        .route("/operator/calls/{id}/identity-report", post(calls::identity_report))
        .route("/operator/audit", get(audit_log::audit_log))
}
