//! One question of the PIN request, rendered from its description in `pin_questions`: a text
//! input, a date or a choice, with the label and hint that fit where the citizen lives.

use leptos::prelude::*;

use super::{DateInput, RadioGroup, TextInput};
use crate::form::FormProblems;
use crate::pin_questions::{Kind, Question};

/// A question of a PIN-request step.
#[component]
pub fn QuestionField(
    /// What to ask.
    question: &'static Question,
    /// The answer.
    value: RwSignal<String>,
    /// The page's problems.
    problems: FormProblems,
    /// Whether the citizen lives in Italy (labels and hints differ abroad).
    #[prop(into)]
    in_italy: Signal<bool>,
) -> impl IntoView {
    let field = question.field;
    let error = problems.field(field);
    let label = Signal::derive(move || question.label(in_italy.get()));
    let hint = Signal::derive(move || question.hint(in_italy.get()));
    let inputmode = Signal::derive(move || question.inputmode_in_italy.filter(|_| in_italy.get()));
    match &question.kind {
        Kind::Text(input) => view! {
            <TextInput
                id=field
                label=label
                hint=hint
                error=error
                value=value
                class=input.class
                input_type=input.input_type
                autocomplete=input.autocomplete
                autocapitalize=input.autocapitalize
                inputmode=inputmode
            />
        }
        .into_any(),
        Kind::Date(autocomplete) => view! {
            <DateInput
                id=field
                legend=question.label
                hint=question.hint.unwrap_or(question.label)
                error=error
                value=value
                autocomplete=autocomplete
            />
        }
        .into_any(),
        Kind::Choice(options) => view! {
            <RadioGroup id=field legend=question.label hint=question.hint options=options error=error value=value />
        }
        .into_any(),
    }
}
