//! A labelled text input with hint and inline error (GOV.UK order: label, hint, error, input).

use leptos::prelude::*;

use super::error_message::{ErrorMessage, described_by};
use crate::i18n::{Text, t};
use crate::ui::use_lang;

/// One text question.
#[component]
pub fn TextInput(
    /// The input's `id` and `name`, also the field's key in API errors and summary links.
    id: &'static str,
    /// The visible label (it may change with another answer, e.g. "Città" when abroad).
    #[prop(into)]
    label: Signal<Text>,
    /// Help shown under the label, if any.
    #[prop(optional, into)]
    hint: MaybeProp<Text>,
    /// The current error message, in the page's language; `None` while the answer is acceptable.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The answer, kept as typed across errors, retries and language switches.
    value: RwSignal<String>,
    /// Extra classes for the input, e.g. its width.
    #[prop(optional)]
    class: &'static str,
    /// The input's `type` (`text`, `tel`, `email`, `password`…).
    #[prop(default = "text")]
    input_type: &'static str,
    /// The `inputmode` hint for on-screen keyboards, e.g. `numeric` (it may change with another
    /// answer: an Italian postcode is digits, a foreign one may not be).
    #[prop(optional, into)]
    inputmode: MaybeProp<&'static str>,
    /// The `autocomplete` token.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The `autocapitalize` hint for on-screen keyboards.
    #[prop(default = "off")]
    autocapitalize: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    // A hint is there from the start or never (only its words change), so it is read once.
    let described_by = described_by(hint.get_untracked().map(|_| hint_id.clone()), error_id.clone(), error);
    let has_error = move || error.read().is_some();

    view! {
        <div class="form-group" class:form-group--error=has_error>
            <label class="label" for=id>{move || t(lang.get(), label.get())}</label>
            {move || {
                hint.get().map(|hint| view! { <div id=hint_id.clone() class="hint">{t(lang.get(), hint)}</div> })
            }}
            <ErrorMessage id=error_id message=error />
            <input
                class=format!("input {class}")
                class:input--error=has_error
                id=id
                name=id
                type=input_type
                inputmode=move || inputmode.get()
                autocomplete=autocomplete
                autocapitalize=autocapitalize
                spellcheck="false"
                aria-describedby=described_by
                aria-invalid=move || has_error().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}
