//! A labelled text input with hint and inline error (GOV.UK order: label, hint, error, input).

use leptos::prelude::*;

use crate::app::{tr, use_lang};
use crate::browser;
use crate::i18n::{Text, t};

/// One text question.
#[component]
pub fn TextInput(
    /// The input's `id` and `name`, also the field's key in API errors and summary links.
    id: &'static str,
    /// The visible label.
    label: Text,
    /// Help shown under the label.
    hint: Text,
    /// The current error message, in the page's language; `None` while the answer is acceptable.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The answer, kept as typed across errors, retries and language switches.
    value: RwSignal<String>,
    /// Runs when the citizen leaves the field (unless for the submit button, which validates
    /// anyway): the place for inline validation.
    #[prop(into)]
    on_commit: Callback<()>,
    /// Extra classes for the input, e.g. its width.
    #[prop(optional)]
    class: &'static str,
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
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || match error.read().is_some() {
            true => format!("{hint_id} {error_id}"),
            false => hint_id.clone(),
        }
    };
    let has_error = move || error.read().is_some();

    view! {
        <div class="form-group" class:form-group--error=has_error>
            <label class="label" for=id>{tr(label)}</label>
            <div id=hint_id class="hint">{tr(hint)}</div>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p id=error_id.clone() class="error-message">
                                <span class="visually-hidden">{t(lang.get(), Text::ErrorPrefix)}" "</span>
                                {message}
                            </p>
                        }
                    })
            }}
            <input
                class=format!("input {class}")
                class:input--error=has_error
                id=id
                name=id
                type="text"
                autocomplete=autocomplete
                autocapitalize=autocapitalize
                spellcheck="false"
                aria-describedby=described_by
                aria-invalid=move || has_error().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |ev| {
                    if !browser::blur_goes_to_submit(&ev) {
                        on_commit.run(());
                    }
                }
            />
        </div>
    }
}
