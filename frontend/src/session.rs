//! The citizen's session after login: who is in, with which access, and until when. The session
//! itself is an HttpOnly cookie the page cannot read; this is what the API said about it.
//!
//! The deadline is measured against the server's clock (its `Date` header) and then placed on the
//! phone's clock at the moment the answer arrived, so that a phone set to the wrong time neither
//! hides the timeout warning nor shows it at once.

use domain::wire::session::PinLogin;
use leptos::prelude::*;

use crate::api_client::{self, ApiError, Dated, Method, RetryNotice};
use crate::browser::{self, Store};
use crate::json::Json;

const SESSION_PATH: &str = "/api/session";
const EXTEND_PATH: &str = "/api/session/extend";

/// Where the deadline is kept for this tab (milliseconds on the phone's clock), so that the page
/// of the other bundle (ADR 0008), loaded after login, warns on time before it has asked the API.
const DEADLINE_KEY: &str = "sportello.session.deadline";

/// How long before the end the timeout warning appears (GOV.UK: two minutes).
pub const WARNING_BEFORE_MS: f64 = 120_000.0;

/// What the API says about a session (the wire type, read by its `FromJson`).
pub use domain::wire::session::SessionInfo;

/// A session answer, read: an answer of another shape is a decode error (the page offers Riprova).
fn session_info(answer: Dated<Json>) -> Result<Dated<SessionInfo>, ApiError> {
    Ok(Dated {
        value: api_client::read(answer.value)?,
        server_date: answer.server_date,
    })
}

/// When, on the phone's clock (milliseconds since the epoch), a session reported at `received_ms`
/// ends: `expires_at` minus the server's `Date` (both on the server's clock; minus one second
/// because `Date` has whole seconds). A session the server just reported cannot have more than its
/// idle time left, nor none: outside those bounds the two clocks disagree (a development clock set
/// by a test, a proxy's `Date`), and the idle time counts from the answer instead.
pub fn deadline_ms(received_ms: f64, expires_at_ms: Option<f64>, server_now_ms: Option<f64>, idle_seconds: u64) -> f64 {
    let idle = idle_seconds as f64 * 1000.0;
    let remaining = match (expires_at_ms, server_now_ms) {
        (Some(expires), Some(now)) if expires - now - 1000.0 > 0.0 && expires - now - 1000.0 <= idle => {
            expires - now - 1000.0
        }
        _ => idle,
    };
    received_ms + remaining
}

/// The session as the page knows it.
#[derive(Clone, Copy)]
pub struct Session {
    /// The session, if the citizen is in.
    pub info: RwSignal<Option<SessionInfo>>,
    /// When it ends, on the phone's clock.
    pub deadline: RwSignal<Option<f64>>,
}

impl Session {
    /// Records a session the API just reported.
    pub fn start(self, answer: Dated<SessionInfo>) {
        let received = browser::now_ms();
        let info = answer.value;
        let deadline = deadline_ms(
            received,
            browser::parse_date_ms(info.expires_at.as_str()),
            answer.server_date.as_deref().and_then(browser::parse_date_ms),
            info.idle_seconds.max(0) as u64,
        );
        self.info.set(Some(info));
        self.deadline.set(Some(deadline));
        browser::save(Store::Session, DEADLINE_KEY, &(deadline as u64).to_string());
    }

    /// Forgets the session (after logout or expiry), and with it every copy of the citizen's
    /// answers on this device (the PIN request, the application, IBAN and contacts): a shared or
    /// lost phone keeps nothing once the session is over (issue 13, item 8).
    pub fn end(self) {
        self.info.set(None);
        self.deadline.set(None);
        browser::remove(Store::Session, DEADLINE_KEY);
        browser::forget_personal_copies();
    }

    /// Takes up the deadline this tab last knew, until the API confirms the session.
    pub fn resume_deadline(self) {
        let stored = browser::load(Store::Session, DEADLINE_KEY).and_then(|ms| ms.parse::<u64>().ok());
        if let Some(deadline) = stored {
            self.deadline.set(Some(deadline as f64));
        }
    }
}

/// Provides an empty session as context.
pub fn provide_session() {
    provide_context(Session {
        info: RwSignal::new(None),
        deadline: RwSignal::new(None),
    });
}

/// The session.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The credentials of a login with the PIN.
/// Logs in with the codice fiscale and the PIN (8 or 16 characters).
pub async fn login(
    codice_fiscale: &str,
    pin: &str,
    on_retry: impl Fn(RetryNotice),
) -> Result<Dated<SessionInfo>, ApiError> {
    let body = PinLogin {
        codice_fiscale: codice_fiscale.to_owned(),
        pin: pin.to_owned(),
    };
    api_client::call_json_dated(Method::Post, SESSION_PATH, Some(&body), on_retry)
        .await
        .and_then(session_info)
}

/// The current session (an `auth.required` refusal when there is none).
pub async fn current() -> Result<Dated<SessionInfo>, ApiError> {
    api_client::call_json_dated::<()>(Method::Get, SESSION_PATH, None, |_| {})
        .await
        .and_then(session_info)
}

/// Extends the session by its idle time.
pub async fn extend() -> Result<Dated<SessionInfo>, ApiError> {
    api_client::call_json_dated::<()>(Method::Post, EXTEND_PATH, None, |_| {})
        .await
        .and_then(session_info)
}

/// Ends the session on the server.
pub async fn logout() -> Result<(), ApiError> {
    api_client::delete(SESSION_PATH).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_follows_the_servers_clock_not_the_phones() {
        // GIVEN a phone one hour ahead of the server, and a session with 20 minutes left
        let server_now = 1_000_000_000.0;
        let phone_now = server_now + 3_600_000.0;
        let expires = server_now + 1_200_000.0;
        // THEN it ends 20 minutes (less the Date header's second) after the phone got the answer
        assert_eq!(
            deadline_ms(phone_now, Some(expires), Some(server_now), 1200),
            phone_now + 1_199_000.0
        );
    }

    #[test]
    fn without_the_servers_clock_the_idle_time_counts_from_the_answer() {
        assert_eq!(deadline_ms(5_000.0, Some(9e12), None, 1200), 1_205_000.0);
        assert_eq!(deadline_ms(5_000.0, None, Some(1.0), 60), 65_000.0);
    }

    #[test]
    fn a_server_clock_that_disagrees_with_the_session_falls_back_on_the_idle_time() {
        // Expired before it was reported, or more time left than a session ever has.
        assert_eq!(deadline_ms(7.0, Some(100.0), Some(5_000.0), 1200), 1_200_007.0);
        assert_eq!(deadline_ms(7.0, Some(9e9), Some(1.0), 1200), 1_200_007.0);
    }

    #[test]
    fn a_session_partly_used_keeps_only_what_is_left() {
        // GET /api/session does not extend: 5 minutes left of 20.
        assert_eq!(deadline_ms(0.0, Some(301_000.0), Some(0.0), 1200), 300_000.0);
    }
}
