//! The session-timeout warning (GOV.UK pattern): two minutes before the session ends, a modal
//! dialog takes focus and offers "Resta collegato" (extends the session) or "Esci". If nobody
//! answers, the session ends and the citizen lands on the login page with a message; what they
//! typed stays saved on the device.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;

use crate::api_client::ApiError;
use crate::browser;
use crate::i18n::{Text, t_with};
use crate::router::{HOME_PATH, use_navigator};
use crate::session::{self, WARNING_BEFORE_MS, use_session};
use crate::ui::{tr, use_lang};

/// Where a session that timed out lands.
pub const EXPIRED_URL: &str = "/accedi?scaduta=1";
/// The query value [`EXPIRED_URL`] carries.
pub const EXPIRED_QUERY: (&str, &str) = ("scaduta", "1");

/// The longest an ended session waits for its logout's answer before leaving the page.
const LOGOUT_WAIT: Duration = Duration::from_secs(3);

/// "2 minuti", "1 minuto e 5 secondi", "30 secondi": the time left, in words.
pub fn time_left(lang: domain::Lang, seconds: u64) -> String {
    let (minutes, seconds) = (seconds / 60, seconds % 60);
    let part = |n: u64, one: Text, many: Text| t_with(lang, if n == 1 { one } else { many }, "n", &n.to_string());
    let minutes_text = part(minutes, Text::MinuteOne, Text::MinutesMany);
    let seconds_text = part(seconds, Text::SecondOne, Text::SecondsMany);
    match (minutes, seconds) {
        (0, _) => seconds_text,
        (_, 0) => minutes_text,
        _ => t_with(lang, Text::TimeAnd, "a", &minutes_text).replace("{b}", &seconds_text),
    }
}

/// Milliseconds from now until `at`, as a timer delay.
fn delay_until(at: f64) -> Duration {
    Duration::from_millis((at - browser::now_ms()).clamp(0.0, 2_000_000_000.0) as u64)
}

/// The warning dialog; present in every page, open only near the end of a session.
#[component]
pub fn SessionTimeout() -> impl IntoView {
    let session = use_session();
    let nav = use_navigator();
    let lang = use_lang();
    let open = RwSignal::new(false);
    let seconds_left = RwSignal::new(0u64);
    let problem = RwSignal::new(None::<ApiError>);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let timers = StoredValue::new(Vec::<TimeoutHandle>::new());
    let ticker = StoredValue::new(None::<IntervalHandle>);
    let return_focus = StoredValue::new_local(None::<web_sys::HtmlElement>);

    let expire = move || {
        if session.info.get_untracked().is_none() {
            return;
        }
        session.end();
        // The server ends the session by itself; the logout makes sure, on a phone whose timers
        // slept. The login page is another bundle, and loading it cancels a request under way, so
        // the logout is answered first; a network that does not answer keeps nobody long.
        let gone = Rc::new(Cell::new(false));
        let leave = move || {
            if !gone.replace(true) {
                nav.go(EXPIRED_URL);
            }
        };
        set_timeout(leave.clone(), LOGOUT_WAIT);
        browser::spawn(async move {
            let _ = session::logout().await;
            leave();
        });
    };
    let tick = move || match session.deadline.get_untracked() {
        Some(deadline) => {
            let left = (deadline - browser::now_ms()) / 1000.0;
            seconds_left.set(left.max(0.0).ceil() as u64);
            if left <= 0.0 {
                expire();
            }
        }
        None => open.set(false),
    };

    // A new deadline (login, extension) re-arms the timers; none (logout) disarms them.
    crate::ui::effect(move || {
        let deadline = session.deadline.get();
        timers.update_value(|handles| handles.drain(..).for_each(|handle| handle.clear()));
        open.set(false);
        if let Some(deadline) = deadline {
            // A timer acts only for the deadline it was set for: one that outlived an extension
            // (a clear that did not take) must not end the extended session.
            let current = move || session.deadline.get_untracked() == Some(deadline);
            let warn = set_timeout_with_handle(
                move || {
                    if current() {
                        open.set(true);
                    }
                },
                delay_until(deadline - WARNING_BEFORE_MS),
            );
            let end = set_timeout_with_handle(
                move || {
                    if current() {
                        expire();
                    }
                },
                delay_until(deadline),
            );
            timers.update_value(|handles| handles.extend(warn.into_iter().chain(end)));
        }
    });

    // Opening shows the dialog modally (focus moves into it, the page behind is inert) and starts
    // the countdown; closing gives focus back to where it was.
    crate::ui::effect(move || {
        let is_open = open.get();
        let Some(el) = dialog.get() else { return };
        if let Some(handle) = ticker.get_value() {
            handle.clear();
        }
        ticker.set_value(None);
        if is_open && !el.open() {
            problem.set(None);
            return_focus.set_value(browser::focused_element());
            tick();
            ticker.set_value(set_interval_with_handle(tick, Duration::from_secs(1)).ok());
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
            match session::extend().await {
                Ok(answer) => session.start(answer),
                Err(ApiError::Refused { status: 401, .. }) => expire(),
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let leave = move |_| {
        browser::spawn(async move {
            let _ = session::logout().await;
            session.end();
            nav.go(HOME_PATH);
        });
    };
    let message = move || {
        t_with(
            lang.get(),
            Text::TimeoutText,
            "time",
            &time_left(lang.get(), seconds_left.get()),
        )
    };

    let words = DialogWords {
        heading: Text::TimeoutHeading,
        kept: None,
        stay: Text::StayLoggedIn,
    };
    timeout_dialog(dialog, words, message, problem, stay, leave)
}

/// The words of a timeout dialog that are not its countdown.
#[derive(Clone, Copy)]
pub struct DialogWords {
    /// Its title.
    pub heading: Text,
    /// What happens to the work under way, if the dialog says it.
    pub kept: Option<Text>,
    /// The button that keeps the session.
    pub stay: Text,
}

/// The timeout dialog's markup, the citizens' and the operators' alike (GOV.UK): a modal
/// alertdialog titled by `words.heading`, described by `message` (the time left), a problem with
/// the extension if any, and the two ways out. Escape means "stay", the safe reading of it.
pub fn timeout_dialog(
    dialog: NodeRef<leptos::html::Dialog>,
    words: DialogWords,
    message: impl Fn() -> String + Send + Sync + 'static,
    problem: RwSignal<Option<ApiError>>,
    stay: impl Fn() + Copy + Send + Sync + 'static,
    leave: impl Fn(leptos::ev::MouseEvent) + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let on_cancel = move |ev: web_sys::Event| {
        ev.prevent_default();
        stay();
    };
    view! {
        <dialog
            class="dialog"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="timeout-title"
            aria-describedby="timeout-text"
            node_ref=dialog
            on:cancel=on_cancel
        >
            <h2 id="timeout-title" class="dialog__title">{tr(words.heading)}</h2>
            <p id="timeout-text">{message}</p>
            {words.kept.map(|kept| view! { <p>{tr(kept)}</p> })}
            {move || problem.get().map(|error| view! { <p class="error-message" role="alert">{error.message(lang.get())}</p> })}
            <div class="button-group">
                <button type="button" class="button" on:click=move |_| stay()>{tr(words.stay)}</button>
                <button type="button" class="button button--secondary" on:click=leave>{tr(Text::Logout)}</button>
            </div>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::router::LOGIN_PATH;
    use domain::Lang;

    #[test]
    fn time_left_reads_naturally_in_both_languages() {
        assert_eq!(time_left(Lang::It, 120), "2 minuti");
        assert_eq!(time_left(Lang::It, 65), "1 minuto e 5 secondi");
        assert_eq!(time_left(Lang::It, 1), "1 secondo");
        assert_eq!(time_left(Lang::En, 90), "1 minute and 30 seconds");
        assert_eq!(time_left(Lang::En, 0), "0 seconds");
    }

    #[test]
    fn the_expired_page_is_the_login_page() {
        assert!(EXPIRED_URL.starts_with(LOGIN_PATH));
        assert!(EXPIRED_URL.ends_with(&format!("{}={}", EXPIRED_QUERY.0, EXPIRED_QUERY.1)));
    }
}
