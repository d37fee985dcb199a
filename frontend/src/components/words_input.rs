//! A labelled text input (GOV.UK order: label, hint, error, input) with words from any source and
//! an optional unit after the input ("giornate", "euro").

use leptos::prelude::*;

use super::error_message::{ErrorMessage, described_by};
use crate::area_texts::{Words, ww};

/// One text question of the application.
#[component]
pub fn WordsInput(
    /// The input's `id` and `name`, also the field's key in API errors and summary links.
    #[prop(into)]
    id: String,
    /// The visible label.
    label: Words,
    /// Help shown under the label, if any.
    #[prop(optional_no_strip)]
    hint: Option<Words>,
    /// What the number counts, shown after the input, if anything.
    #[prop(optional_no_strip)]
    unit: Option<Words>,
    /// The current error message, in the page's language.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The answer, as typed.
    value: RwSignal<String>,
    /// Width class, e.g. `input--20`.
    #[prop(optional)]
    class: &'static str,
    /// The input's `type`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// The `inputmode` hint for on-screen keyboards.
    #[prop(optional_no_strip)]
    inputmode: Option<&'static str>,
    /// The `autocomplete` token.
    #[prop(default = "off")]
    autocomplete: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(hint.map(|_| hint_id.clone()), error_id.clone(), error);
    let has_error = move || error.read().is_some();
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <label class="label" for=id.clone()>{ww(label)}</label>
            {hint.map(|hint| view! { <div id=hint_id class="hint">{ww(hint)}</div> })}
            <ErrorMessage id=error_id message=error />
            <div class="input-wrapper">
                <input
                    class=format!("input {class}")
                    class:input--error=has_error
                    id=id.clone()
                    name=id
                    type=input_type
                    inputmode=inputmode
                    autocomplete=autocomplete
                    spellcheck="false"
                    aria-describedby=described_by
                    aria-invalid=move || has_error().then_some("true")
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                {unit.map(|unit| view! { <span class="input-suffix" aria-hidden="true">{ww(unit)}</span> })}
            </div>
        </div>
    }
}
