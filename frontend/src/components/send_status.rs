//! What happens after Avanti or CONFERMA while the service answers: "sending", or the automatic
//! retry with its delay, in a status region that screen readers announce.

use leptos::prelude::*;

use crate::api_client::RetryNotice;
use crate::app::use_lang;
use crate::i18n::{Text, t, t_with};

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    /// Nothing under way.
    Idle,
    /// Waiting for the answer.
    Waiting,
    /// The service is busy; the client tries again by itself after this many seconds.
    Retrying(u64),
}

impl Sending {
    /// Whether a submission is under way (a second tap must not send again).
    pub fn busy(self) -> bool {
        self != Sending::Idle
    }

    /// The state for an automatic retry.
    pub fn retrying(notice: RetryNotice) -> Sending {
        Sending::Retrying(notice.delay.as_secs_f64().ceil().max(1.0) as u64)
    }
}

/// The status line under a form's button.
#[component]
pub fn SendStatus(
    /// The submission's state.
    #[prop(into)]
    sending: Signal<Sending>,
) -> impl IntoView {
    let lang = use_lang();
    let text = move || {
        let lang = lang.get();
        match sending.get() {
            Sending::Idle => String::new(),
            Sending::Waiting => t(lang, Text::Sending).to_owned(),
            Sending::Retrying(seconds) => t_with(lang, Text::Retrying, "seconds", &seconds.to_string()),
        }
    };
    // Always in the page, so that screen readers announce what appears in it.
    view! {
        <div class="status" role="status">
            <p class="status-text">{text}</p>
        </div>
    }
}
