//! What happens after Avanti or CONFERMA while the service answers: "sending", the automatic
//! retry with its delay and count, or, when the service stayed down through every retry, a button
//! to try again — in a status region that screen readers announce. The form is kept throughout.

use domain::Lang;
use leptos::prelude::*;

use crate::api_client::{ApiError, RetryCause, RetryNotice};
use crate::i18n::{Text, t};
use crate::ui::use_lang;

/// The id of a page's form: the "Riprova" button submits it again from outside it.
pub const FORM_ID: &str = "modulo";

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    /// Nothing under way.
    Idle,
    /// Waiting for the answer.
    Waiting,
    /// The last attempt failed; the client tries again by itself.
    Retrying {
        /// Why it failed.
        cause: RetryCause,
        /// Whole seconds until the next attempt.
        seconds: u64,
        /// The attempt that comes next (2 for the first retry).
        attempt: u32,
        /// The most attempts the client makes.
        of: u32,
    },
    /// The service could not answer through every retry: the citizen may try again.
    GaveUp,
}

impl Sending {
    /// Whether a submission is under way (a second tap must not send again).
    pub fn busy(self) -> bool {
        matches!(self, Sending::Waiting | Sending::Retrying { .. })
    }

    /// The state for an automatic retry.
    pub fn retrying(notice: RetryNotice) -> Sending {
        Sending::Retrying {
            cause: notice.cause,
            seconds: notice.delay.as_secs_f64().ceil().max(1.0) as u64,
            attempt: notice.next_attempt,
            of: notice.max_attempts,
        }
    }

    /// What the status line says, in `lang`.
    pub fn words(self, lang: Lang) -> String {
        match self {
            Sending::Idle => String::new(),
            Sending::Waiting => t(lang, Text::Sending).to_owned(),
            Sending::Retrying {
                cause,
                seconds,
                attempt,
                of,
            } => t(
                lang,
                match cause {
                    RetryCause::Busy => Text::Retrying,
                    RetryCause::Unreachable => Text::RetryingUnreachable,
                    RetryCause::Failing => Text::RetryingFailing,
                },
            )
            .replace("{seconds}", &seconds.to_string())
            .replace("{attempt}", &attempt.to_string())
            .replace("{of}", &of.to_string()),
            Sending::GaveUp => t(lang, Text::GaveUp).to_owned(),
        }
    }

    /// The state once `answer` has come: "try again" if the service could not answer, else idle
    /// (a refusal or a validation error is shown by the page, and retrying would not change it).
    pub fn after<T>(answer: &Result<T, ApiError>) -> Sending {
        match answer {
            Err(error) if error.is_unavailable() => Sending::GaveUp,
            _ => Sending::Idle,
        }
    }
}

/// The status line under a form's button (the form's id must be [`FORM_ID`]).
#[component]
pub fn SendStatus(
    /// The submission's state.
    #[prop(into)]
    sending: Signal<Sending>,
) -> impl IntoView {
    let lang = use_lang();
    let text = move || sending.get().words(lang.get());
    let retry = move || {
        (sending.get() == Sending::GaveUp).then(|| {
            view! {
                <button type="submit" form=FORM_ID class="button button--secondary">
                    {move || t(lang.get(), Text::RetryNow)}
                </button>
            }
        })
    };
    // Always in the page, so that screen readers announce what appears in it.
    view! {
        <div class="status" role="status">
            <p class="status-text">{text}</p>
            {retry}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_retry_says_how_long_and_which_attempt_of_how_many() {
        let notice = RetryNotice {
            cause: RetryCause::Busy,
            next_attempt: 2,
            max_attempts: 6,
            delay: Duration::from_millis(3_200),
        };
        assert_eq!(
            Sending::retrying(notice),
            Sending::Retrying {
                cause: RetryCause::Busy,
                seconds: 4,
                attempt: 2,
                of: 6
            }
        );
        let soon = RetryNotice {
            delay: Duration::from_millis(10),
            ..notice
        };
        assert!(matches!(Sending::retrying(soon), Sending::Retrying { seconds: 1, .. }));
        assert_eq!(
            Sending::retrying(notice).words(Lang::It),
            "Il servizio è molto richiesto: nuovo tentativo tra 4 s (2 di 6). Non serve ricaricare la pagina: i dati inseriti restano."
        );
        // A reset connection is not a busy service: the citizen is told to check the network.
        let unreachable = RetryNotice {
            cause: RetryCause::Unreachable,
            ..notice
        };
        assert_eq!(
            Sending::retrying(unreachable).words(Lang::It),
            "La connessione non risponde: nuovo tentativo tra 4 s (2 di 6). Controlla la rete; i dati inseriti restano."
        );
        assert_eq!(RetryCause::of(&ApiError::Network), RetryCause::Unreachable);
        assert_eq!(RetryCause::of(&ApiError::Overloaded), RetryCause::Busy);
    }

    #[test]
    fn only_an_unanswered_call_offers_to_try_again() {
        assert_eq!(Sending::after::<()>(&Err(ApiError::Network)), Sending::GaveUp);
        assert_eq!(Sending::after::<()>(&Err(ApiError::Overloaded)), Sending::GaveUp);
        assert_eq!(
            Sending::after::<()>(&Err(ApiError::Server { status: 502 })),
            Sending::GaveUp
        );
        assert_eq!(Sending::after::<()>(&Err(ApiError::NotFound)), Sending::Idle);
        assert_eq!(Sending::after(&Ok(())), Sending::Idle);
        assert!(!Sending::GaveUp.busy(), "the button must be able to send again");
        assert!(Sending::Waiting.busy());
    }
}
