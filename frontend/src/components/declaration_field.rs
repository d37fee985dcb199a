//! One self-declaration of the application, rendered from the benefit catalogue by its kind: a
//! box to tick (`confirm`), yes or no (`yes_no`), a date as day, month and year (`date`), or a
//! whole number with its unit (`number`). No declaration is written in code.

use domain::benefits::{Declaration, DeclarationKind};
use leptos::prelude::*;

use super::date_input::{compose_date, split_date};
use super::error_message::{ErrorMessage, described_by};
use super::{ChoiceField, WordsInput};
use crate::area_texts::{Words, ww};
use crate::i18n::Text;
use crate::ui::tr;

/// A declaration and its answer.
#[component]
pub fn DeclarationField(
    /// The declaration, from the catalogue.
    declaration: &'static Declaration,
    /// The current error message, in the page's language.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The answer as the form holds it (`yes`, `no`, `YYYY-MM-DD`, a number; empty if none).
    value: RwSignal<String>,
) -> impl IntoView {
    let id = declaration.field();
    let text = Words::Data(&declaration.text);
    let hint = declaration.hint.as_ref().map(Words::Data);
    match &declaration.kind {
        DeclarationKind::Confirm => confirm_box(id, text, hint, error, value),
        DeclarationKind::YesNo { .. } => {
            let options = vec![
                ("yes", Words::Ui(Text::AnswerYes), None),
                ("no", Words::Ui(Text::AnswerNo), None),
            ];
            view! { <ChoiceField id=id legend=text hint=hint options=options error=error value=value /> }.into_any()
        }
        DeclarationKind::Date { .. } => date_parts(id, text, hint, error, value),
        DeclarationKind::Number { unit, .. } => view! {
            <WordsInput
                id=id
                label=text
                hint=hint
                unit=unit.as_ref().map(Words::Data)
                error=error
                value=value
                class="input--10"
                inputmode=Some("numeric")
            />
        }
        .into_any(),
    }
}

/// A statement confirmed by ticking "Confermo" (GOV.UK: one checkbox in a fieldset).
fn confirm_box(
    id: String,
    text: Words,
    hint: Option<Words>,
    error: Signal<Option<String>>,
    value: RwSignal<String>,
) -> AnyView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(hint.map(|_| hint_id.clone()), error_id.clone(), error);
    let has_error = move || error.read().is_some();
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <fieldset class="fieldset" aria-describedby=described_by>
                <legend class="legend">{ww(text)}</legend>
                {hint.map(|hint| view! { <div id=hint_id class="hint">{ww(hint)}</div> })}
                <ErrorMessage id=error_id message=error />
                <div class="radios__item">
                    <input
                        class="radios__input"
                        id=id.clone()
                        name=id.clone()
                        type="checkbox"
                        value="yes"
                        prop:checked=move || *value.read() == "yes"
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            value.set(if checked { "yes".to_owned() } else { String::new() });
                        }
                    />
                    <label class="radios__label" for=id>{tr(Text::ConfirmBox)}</label>
                </div>
            </fieldset>
        </div>
    }
    .into_any()
}

/// A date as day, month and year (GOV.UK date input), composed into `YYYY-MM-DD`.
fn date_parts(
    id: String,
    text: Words,
    hint: Option<Words>,
    error: Signal<Option<String>>,
    value: RwSignal<String>,
) -> AnyView {
    let (day, month, year) = split_date(&value.get_untracked());
    let parts = [RwSignal::new(day), RwSignal::new(month), RwSignal::new(year)];
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(hint.map(|_| hint_id.clone()), error_id.clone(), error);
    let has_error = move || error.read().is_some();
    let item = |index: usize, suffix: &'static str, label: Text, class: &'static str| {
        let input_id = if index == 0 {
            id.clone()
        } else {
            format!("{id}-{suffix}")
        };
        view! {
            <div class="date-input__item">
                <label class="label date-input__label" for=input_id.clone()>{tr(label)}</label>
                <input
                    class=format!("input {class}")
                    class:input--error=has_error
                    id=input_id.clone()
                    name=input_id
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    aria-invalid=move || has_error().then_some("true")
                    prop:value=move || parts[index].get()
                    on:input=move |ev| {
                        parts[index].set(event_target_value(&ev));
                        value.set(compose_date(
                            &parts[0].get_untracked(),
                            &parts[1].get_untracked(),
                            &parts[2].get_untracked(),
                        ));
                    }
                />
            </div>
        }
    };
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <fieldset class="fieldset" role="group" aria-describedby=described_by>
                <legend class="legend">{ww(text)}</legend>
                {hint.map(|hint| view! { <div id=hint_id class="hint">{ww(hint)}</div> })}
                <ErrorMessage id=error_id message=error />
                <div class="date-input">
                    {item(0, "day", Text::DateDay, "input--2")}
                    {item(1, "month", Text::DateMonth, "input--2")}
                    {item(2, "year", Text::DateYear, "input--4")}
                </div>
            </fieldset>
        </div>
    }
    .into_any()
}
