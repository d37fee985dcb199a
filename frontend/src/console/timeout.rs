//! The operator's session-timeout warning (GOV.UK pattern): two minutes before the session ends,
//! a modal dialog takes focus and offers "Resta connesso" or "Esci"; if nobody answers, the
//! session ends and the operator lands on the login page, which says that the call's answers are
//! kept and brings them back to the call after the new login.
//!
//! The end is the server's: every other operator request extends the session only now and then
//! (one soon after the last extension leaves it as it was), so the console cannot work it out
//! from its own requests. It asks `GET /api/operator/session/status` — which extends nothing, so
//! that asking keeps no idle desk logged in — every [`POLL`], and counts down between two answers
//! on this browser's clock from the time left *on the server's clock*; a desk whose clock is
//! wrong, or a server whose clock a test moves, still warns on time (at the next answer at most).
//! "Resta connesso" asks `POST /api/operator/session/extend`, which always extends.

use std::time::Duration;

use domain::wire::session::OperatorSessionStatus;
use leptos::prelude::*;

use super::state::{Console, SESSION_PATH, Who, use_console};
use crate::api_client::{self, ApiError};
use crate::browser;
use crate::components::{DialogWords, time_left, timeout_dialog};
use crate::i18n::{Text, t_with};
use crate::ui::{effect, use_lang};

/// The session's state for the console.
pub const STATUS_PATH: &str = "/api/operator/session/status";
/// "Resta connesso".
pub const EXTEND_PATH: &str = "/api/operator/session/extend";

/// How long before the end the warning appears (GOV.UK: two minutes).
pub const WARNING_BEFORE_MS: f64 = 120_000.0;

/// How often the console asks the server when its session ends.
const POLL: Duration = Duration::from_secs(10);

/// The end of a session on this browser's clock, from the server's answer received at
/// `received_ms`: the time left on the server's clock, counted from the answer's arrival.
/// `None` if the answer's times are unreadable.
pub fn deadline_ms(received_ms: f64, status: &OperatorSessionStatus) -> Option<f64> {
    let expires = browser::parse_date_ms(status.expires_at.as_str())?;
    let now = browser::parse_date_ms(status.now.as_str())?;
    Some(received_ms + remaining_ms(expires, now, status.idle_seconds))
}

/// What is left of a session ending at `expires_ms` at the server's `now_ms`: never less than
/// nothing, never more than its idle time.
pub fn remaining_ms(expires_ms: f64, now_ms: f64, idle_seconds: i64) -> f64 {
    (expires_ms - now_ms).clamp(0.0, idle_seconds.max(0) as f64 * 1000.0)
}

/// Whether the warning shows `left_ms` before the end.
pub fn warns(left_ms: f64) -> bool {
    left_ms <= WARNING_BEFORE_MS
}

/// Asks the server when the session ends and records it; a session that is over goes to the
/// login page (the answers are kept in the tab).
async fn refresh(console: Console) {
    match api_client::get_json(STATUS_PATH)
        .await
        .and_then(api_client::read::<OperatorSessionStatus>)
    {
        Ok(status) => console.deadline.set(deadline_ms(browser::now_ms(), &status)),
        Err(error) if console.session_ended(&error) => console.deadline.set(None),
        // A network that does not answer now says nothing of the session: ask again later.
        Err(_) => {}
    }
}

/// The warning dialog; in every page of the console, open only near the end of a session.
pub fn session_warning() -> impl IntoView {
    let console = use_console();
    let lang = use_lang();
    let open = RwSignal::new(false);
    let seconds_left = RwSignal::new(0u64);
    let problem = RwSignal::new(None::<ApiError>);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let return_focus = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let logged_in = Memo::new(move |_| matches!(*console.who.read(), Who::Operator(_)));

    // While an operator is logged in: ask the server now and every POLL; count down each second.
    let last_asked = StoredValue::new(0.0f64);
    effect(move || {
        if logged_in.get() {
            last_asked.set_value(browser::now_ms());
            browser::spawn(refresh(console));
        } else {
            // Closed at once: a modal dialog left over the login page would make it inert.
            open.set(false);
            console.deadline.set(None);
        }
    });
    let tick = move || {
        if !logged_in.get_untracked() {
            open.set(false);
            return;
        }
        let now = browser::now_ms();
        let due = now - last_asked.get_value() >= POLL.as_millis() as f64;
        let Some(deadline) = console.deadline.get_untracked() else {
            return;
        };
        let left = deadline - now;
        seconds_left.set((left / 1000.0).max(0.0).ceil() as u64);
        open.set(warns(left));
        // Past the end on this clock: the server says whether it really is over.
        if due || left <= 0.0 {
            last_asked.set_value(now);
            browser::spawn(refresh(console));
        }
    };
    let ticker = set_interval_with_handle(tick, Duration::from_secs(1)).ok();
    on_cleanup(move || {
        if let Some(handle) = ticker {
            handle.clear();
        }
    });

    // Opening shows the dialog modally (focus moves into it, the page behind is inert); closing
    // gives focus back to where it was.
    effect(move || {
        let is_open = open.get();
        let Some(el) = dialog.get() else { return };
        if is_open && !el.open() {
            problem.set(None);
            return_focus.set_value(browser::focused_element());
            let _ = el.show_modal();
        } else if !is_open && el.open() {
            el.close();
            if let Some(previous) = return_focus.get_value() {
                let _ = previous.focus();
            }
        }
    });

    let stay = move || {
        browser::spawn(async move {
            match api_client::post_json(EXTEND_PATH, &Nothing {}).await {
                Ok(_) => {
                    last_asked.set_value(browser::now_ms());
                    refresh(console).await;
                    let left = console.deadline.get_untracked().map(|d| d - browser::now_ms());
                    open.set(left.is_some_and(warns));
                }
                Err(error) if console.session_ended(&error) => open.set(false),
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let leave = move |_| {
        browser::spawn(async move {
            let _ = api_client::delete(SESSION_PATH).await;
            super::log_out_here(console);
        });
    };
    let message = move || {
        let lang = lang.get();
        t_with(
            lang,
            Text::ConsoleTimeoutText,
            "time",
            &time_left(lang, seconds_left.get()),
        )
    };
    let words = DialogWords {
        heading: Text::ConsoleTimeoutHeading,
        kept: Some(Text::ConsoleTimeoutKept),
        stay: Text::StayConnected,
    };
    timeout_dialog(dialog, words, message, problem, stay, leave)
}

#[derive(serde::Serialize)]
struct Nothing {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_left_is_the_servers_never_more_than_the_idle_time_nor_less_than_nothing() {
        // 10:08:30 on the server, the session ending at 10:10:00: 90 seconds left, whatever
        // this browser's clock says.
        assert_eq!(remaining_ms(600_000.0, 510_000.0, 600), 90_000.0);
        assert_eq!(remaining_ms(600_000.0, 700_000.0, 600), 0.0);
        assert_eq!(remaining_ms(5_000_000.0, 0.0, 600), 600_000.0);
    }

    #[test]
    fn the_warning_shows_from_two_minutes_before_the_end() {
        assert!(!warns(120_001.0));
        assert!(warns(120_000.0));
        assert!(warns(0.0));
    }
}
