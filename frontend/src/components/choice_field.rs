//! A question answered by choosing one option (GOV.UK radios), with words from any source: the
//! area's texts or the benefit catalogue's, each option with its own hint if it has one.

use leptos::prelude::*;

use super::error_message::{ErrorMessage, described_by};
use crate::area_texts::{Words, ww};

/// One option: the value sent, its label and its hint.
pub type Choice = (&'static str, Words, Option<Words>);

/// One single-choice question.
#[component]
pub fn ChoiceField(
    /// The field's name; the first option has it as id, so that error links land there.
    #[prop(into)]
    id: String,
    /// The question, as the fieldset's legend.
    legend: Words,
    /// Whether the legend is the page's heading (a page that asks one question).
    #[prop(optional)]
    heading: bool,
    /// Help shown under the legend, if any.
    #[prop(optional_no_strip)]
    hint: Option<Words>,
    /// The options.
    options: Vec<Choice>,
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
    let name = id.clone();
    let option = move |(index, (option_value, label, option_hint)): (usize, Choice)| {
        let input_id = if index == 0 {
            name.clone()
        } else {
            format!("{name}-{}", index + 1)
        };
        // Numbered for every option, the first too: `{id}-hint` is the question's own hint, and
        // two elements with one id make screen readers read the wrong description.
        let option_hint_id = format!("{name}-{}-hint", index + 1);
        view! {
            <div class="radios__item">
                <input
                    class="radios__input"
                    id=input_id.clone()
                    name=name.clone()
                    type="radio"
                    value=option_value
                    aria-describedby=option_hint.map(|_| option_hint_id.clone())
                    prop:checked=move || *value.read() == option_value
                    on:change=move |_| value.set(option_value.to_owned())
                />
                <div>
                    <label class="radios__label" for=input_id>{ww(label)}</label>
                    {option_hint.map(|h| view! { <div id=option_hint_id class="hint radios__hint">{ww(h)}</div> })}
                </div>
            </div>
        }
    };
    let legend_view = match heading {
        true => view! { <legend class="legend legend--page"><h1>{ww(legend)}</h1></legend> }.into_any(),
        false => view! { <legend class="legend">{ww(legend)}</legend> }.into_any(),
    };

    view! {
        <div class="form-group" class:form-group--error=has_error>
            <fieldset class="fieldset" aria-describedby=described_by>
                {legend_view}
                {hint.map(|hint| view! { <div id=hint_id class="hint">{ww(hint)}</div> })}
                <ErrorMessage id=error_id message=error />
                <div class="radios">{options.into_iter().enumerate().map(option).collect_view()}</div>
            </fieldset>
        </div>
    }
}
