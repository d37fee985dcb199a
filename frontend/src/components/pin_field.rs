//! The PIN question: a password input (not shown to someone looking over the shoulder) with a
//! "Mostra" / "Nascondi" toggle (GOV.UK password input), since a PIN copied from an SMS is easy
//! to mistype unseen. Never autocompleted: a PIN must not be stored by the browser.

use leptos::prelude::*;

use super::TextInput;
use crate::browser;
use crate::i18n::{Text, t};
use crate::ui::{tr, use_lang};

/// The PIN question, with its show/hide toggle.
#[component]
pub fn PinField(
    /// The input's id and name.
    id: &'static str,
    /// The current error message, in the page's language.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The PIN as typed.
    value: RwSignal<String>,
) -> impl IntoView {
    let lang = use_lang();
    let shown = RwSignal::new(false);
    let say = move |if_shown: Text, if_hidden: Text| t(lang.get(), if shown.get() { if_shown } else { if_hidden });
    // The input's type is switched in the page rather than bound to a signal: one attribute, once
    // per tap, does not need the reactive machinery (wasm size).
    let toggle = move |_| {
        shown.update(|s| *s = !*s);
        browser::set_attribute(id, "type", if shown.get_untracked() { "text" } else { "password" });
    };
    view! {
        <div class="password-input">
            <TextInput
                id=id
                label=Text::PinLabel
                hint=Text::PinHint
                error=error
                value=value
                class="input--pin"
                input_type="password"
                autocapitalize="characters"
            />
            <button type="button" class="button button--secondary password-input__toggle" aria-controls=id on:click=toggle>
                {move || say(Text::HidePin, Text::ShowPin)}
                <span class="visually-hidden">{tr(Text::PinHiddenContext)}</span>
            </button>
            // Announces each change, which the button's new name alone would not.
            <div class="visually-hidden" aria-live="polite">{move || say(Text::PinShown, Text::PinHidden)}</div>
        </div>
    }
}
