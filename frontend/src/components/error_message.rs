//! A field's inline error message (GOV.UK: under the hint, above the input, with a hidden
//! "Errore:" for screen readers), and the `aria-describedby` that ties hint and error to the input.

use leptos::prelude::*;

use crate::i18n::{Text, t};
use crate::ui::use_lang;

/// The error under a question's hint; renders nothing while there is none.
#[component]
pub fn ErrorMessage(
    /// The paragraph's id, referenced by the input's `aria-describedby`.
    id: String,
    /// The message in the page's language, `None` when the answer is acceptable.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    move || {
        message.get().map(|message| {
            view! {
                <p id=id.clone() class="error-message">
                    <span class="visually-hidden">{t(lang.get(), Text::ErrorPrefix)}" "</span>
                    {message}
                </p>
            }
        })
    }
}

/// The `aria-describedby` of a question: its hint (if it has one) and its error (while shown).
pub fn described_by(
    hint_id: Option<String>,
    error_id: String,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let ids: Vec<&str> = [hint_id.as_deref(), error.read().is_some().then_some(error_id.as_str())]
            .into_iter()
            .flatten()
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}
