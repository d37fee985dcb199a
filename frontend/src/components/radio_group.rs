//! A question answered by choosing one option (GOV.UK radios): a fieldset whose legend is the
//! question, then hint, error and the options.

use leptos::prelude::*;

use super::error_message::{ErrorMessage, described_by};
use crate::i18n::Text;
use crate::ui::tr;

/// One single-choice question.
#[component]
pub fn RadioGroup(
    /// The field's name; the first option has it as id, so that error links land there.
    id: &'static str,
    /// The question, as the fieldset's legend.
    legend: Text,
    /// Help shown under the legend, if any.
    #[prop(optional_no_strip)]
    hint: Option<Text>,
    /// The options: the value sent, and its label.
    options: &'static [(&'static str, Text)],
    /// The current error message, in the page's language.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The chosen value (empty when none is chosen).
    value: RwSignal<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(hint.map(|_| hint_id.clone()), error_id.clone(), error);
    let has_error = move || error.read().is_some();
    let option = move |(index, &(option_value, label)): (usize, &'static (&'static str, Text))| {
        let input_id = if index == 0 {
            id.to_owned()
        } else {
            format!("{id}-{}", index + 1)
        };
        view! {
            <div class="radios__item">
                <input
                    class="radios__input"
                    id=input_id.clone()
                    name=id
                    type="radio"
                    value=option_value
                    prop:checked=move || *value.read() == option_value
                    on:change=move |_| value.set(option_value.to_owned())
                />
                <label class="radios__label" for=input_id>{tr(label)}</label>
            </div>
        }
    };

    view! {
        <div class="form-group" class:form-group--error=has_error>
            <fieldset class="fieldset" aria-describedby=described_by>
                <legend class="legend">{tr(legend)}</legend>
                {hint.map(|hint| view! { <div id=hint_id class="hint">{tr(hint)}</div> })}
                <ErrorMessage id=error_id message=error />
                <div class="radios">{options.iter().enumerate().map(option).collect_view()}</div>
            </fieldset>
        </div>
    }
}
