//! The console's pages and their addresses, all under `/operatore` (`router::CONSOLE_PATH`). A
//! call is named by its id, which the API made and which says nothing about the citizen: no
//! codice fiscale ever goes in an address.

use crate::router::CONSOLE_PATH;

/// The login page.
pub const LOGIN_PATH: &str = "/operatore/accesso";
/// The login page after the session ended (it says why).
pub const LOGIN_ENDED_URL: &str = "/operatore/accesso?scaduta=1";
/// The audit log, for supervisors. What it looks up is typed into the page, not put here.
pub const AUDIT_PATH: &str = "/operatore/registro";
/// Where a call's pages are, followed by its id.
const CALL_PREFIX: &str = "/operatore/chiamata/";

/// A page of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleRoute {
    /// `/operatore/accesso`.
    Login,
    /// `/operatore`: find the citizen, which opens a call.
    Start,
    /// `/operatore/registro`: the audit log.
    Audit,
    /// `/operatore/chiamata/<id>`: the PIN request, the application, the identity check.
    Call(String),
    /// `/operatore/chiamata/<id>/domanda`: the application's questions.
    Form(String),
    /// `/operatore/chiamata/<id>/riepilogo`: check the answers, CONFERMA.
    Summary(String),
    /// `/operatore/chiamata/<id>/ricevuta`: the protocol number.
    Receipt(String),
    /// Anything else under `/operatore`.
    NotFound,
}

impl ConsoleRoute {
    /// The page for a URL path (without query or fragment); a trailing slash does not matter.
    pub fn from_path(path: &str) -> ConsoleRoute {
        let path = path.trim_end_matches('/');
        if path == CONSOLE_PATH {
            return ConsoleRoute::Start;
        }
        if path == LOGIN_PATH {
            return ConsoleRoute::Login;
        }
        if path == AUDIT_PATH {
            return ConsoleRoute::Audit;
        }
        let Some(rest) = path.strip_prefix(CALL_PREFIX) else {
            return ConsoleRoute::NotFound;
        };
        let (id, page) = rest.split_once('/').unwrap_or((rest, ""));
        if !is_call_id(id) {
            return ConsoleRoute::NotFound;
        }
        let id = id.to_owned();
        match page {
            "" => ConsoleRoute::Call(id),
            FORM => ConsoleRoute::Form(id),
            SUMMARY => ConsoleRoute::Summary(id),
            RECEIPT => ConsoleRoute::Receipt(id),
            _ => ConsoleRoute::NotFound,
        }
    }
}

const FORM: &str = "domanda";
const SUMMARY: &str = "riepilogo";
const RECEIPT: &str = "ricevuta";

/// A call id as the API makes them (hex digits): anything else never reaches an API path.
fn is_call_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The call's page.
pub fn call_path(id: &str) -> String {
    format!("{CALL_PREFIX}{id}")
}

/// The application's questions for the call.
pub fn form_path(id: &str) -> String {
    format!("{CALL_PREFIX}{id}/{FORM}")
}

/// Check the answers, for the call.
pub fn summary_path(id: &str) -> String {
    format!("{CALL_PREFIX}{id}/{SUMMARY}")
}

/// The receipt, for the call.
pub fn receipt_path(id: &str) -> String {
    format!("{CALL_PREFIX}{id}/{RECEIPT}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn every_console_page_has_its_path() {
        assert_eq!(ConsoleRoute::from_path("/operatore"), ConsoleRoute::Start);
        assert_eq!(ConsoleRoute::from_path("/operatore/"), ConsoleRoute::Start);
        assert_eq!(ConsoleRoute::from_path("/operatore/accesso"), ConsoleRoute::Login);
        assert_eq!(ConsoleRoute::from_path("/operatore/registro/"), ConsoleRoute::Audit);
        assert_eq!(ConsoleRoute::from_path(&call_path(ID)), ConsoleRoute::Call(ID.into()));
        assert_eq!(ConsoleRoute::from_path(&form_path(ID)), ConsoleRoute::Form(ID.into()));
        assert_eq!(
            ConsoleRoute::from_path(&summary_path(ID)),
            ConsoleRoute::Summary(ID.into())
        );
        assert_eq!(
            ConsoleRoute::from_path(&receipt_path(ID)),
            ConsoleRoute::Receipt(ID.into())
        );
        assert_eq!(
            ConsoleRoute::from_path(&format!("{}/", form_path(ID))),
            ConsoleRoute::Form(ID.into())
        );
    }

    #[test]
    fn anything_else_is_not_found_and_no_odd_id_reaches_the_api() {
        for path in [
            "/operatore/altro",
            "/operatore/chiamata",
            "/operatore/chiamata/",
            "/operatore/chiamata/RSSMRA85T10A562S",
            "/operatore/chiamata/ab12/..%2f",
            "/operatore/chiamata/ab12/altro",
            "/operatore/chiamata/ab12/domanda/x",
        ] {
            assert_eq!(ConsoleRoute::from_path(path), ConsoleRoute::NotFound, "{path}");
        }
    }
}
