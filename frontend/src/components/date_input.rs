//! A date as three inputs, day, month and year, in a fieldset (GOV.UK date input), composed into
//! the `YYYY-MM-DD` the domain reads. Whatever is typed is kept, even half a date, so that the
//! citizen never has to type it again.

use leptos::prelude::*;

use super::error_message::{ErrorMessage, described_by};
use crate::i18n::Text;
use crate::ui::tr;

/// `YYYY-MM-DD` from the three parts as typed; single digits get a leading zero, and an all-empty
/// date is empty. Parts that are not numbers are kept, so that validation can name the problem.
pub fn compose_date(day: &str, month: &str, year: &str) -> String {
    let clean = |part: &str| part.trim().replace('-', "");
    let pad = |part: String| if part.len() == 1 { format!("0{part}") } else { part };
    let (day, month, year) = (clean(day), clean(month), clean(year));
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return String::new();
    }
    format!("{year}-{}-{}", pad(month), pad(day))
}

/// The day, month and year parts of a `YYYY-MM-DD` (or partial) date, for showing it back.
pub fn split_date(date: &str) -> (String, String, String) {
    let mut parts = date.splitn(3, '-');
    let year = parts.next().unwrap_or_default().to_owned();
    let month = parts.next().unwrap_or_default().to_owned();
    let day = parts.next().unwrap_or_default().to_owned();
    (day, month, year)
}

/// One date question.
#[component]
pub fn DateInput(
    /// The field's name; the day input has it as id, so that error links land there.
    id: &'static str,
    /// The question, as the fieldset's legend.
    legend: Text,
    /// Help shown under the legend, with an example.
    hint: Text,
    /// The current error message, in the page's language.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The date as `YYYY-MM-DD` (or as much of it as was typed).
    value: RwSignal<String>,
    /// The `autocomplete` prefix: `bday` gives `bday-day`, `bday-month`, `bday-year`.
    #[prop(default = "off")]
    autocomplete: &'static str,
) -> impl IntoView {
    let (day, month, year) = split_date(&value.get_untracked());
    let parts = [RwSignal::new(day), RwSignal::new(month), RwSignal::new(year)];
    let compose = move || {
        value.set(compose_date(
            &parts[0].get_untracked(),
            &parts[1].get_untracked(),
            &parts[2].get_untracked(),
        ));
    };
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(Some(hint_id.clone()), error_id.clone(), error);
    let has_error = move || error.read().is_some();
    let item = move |index: usize, suffix: &'static str, label: Text, class: &'static str| {
        let input_id = if index == 0 {
            id.to_owned()
        } else {
            format!("{id}-{suffix}")
        };
        let autocomplete = if autocomplete == "off" {
            "off".to_owned()
        } else {
            format!("{autocomplete}-{suffix}")
        };
        view! {
            <div class="date-input__item">
                <label class="label date-input__label" for=input_id.clone()>{tr(label)}</label>
                <input
                    class=format!("input {class}")
                    class:input--error=has_error
                    id=input_id
                    name=format!("{id}-{suffix}")
                    type="text"
                    inputmode="numeric"
                    autocomplete=autocomplete
                    aria-invalid=move || has_error().then_some("true")
                    prop:value=move || parts[index].get()
                    on:input=move |ev| {
                        parts[index].set(event_target_value(&ev));
                        compose();
                    }
                />
            </div>
        }
    };

    view! {
        <div class="form-group" class:form-group--error=has_error>
            <fieldset class="fieldset" role="group" aria-describedby=described_by>
                <legend class="legend">{tr(legend)}</legend>
                <div id=hint_id class="hint">{tr(hint)}</div>
                <ErrorMessage id=error_id message=error />
                <div class="date-input">
                    {item(0, "day", Text::DateDay, "input--2")}
                    {item(1, "month", Text::DateMonth, "input--2")}
                    {item(2, "year", Text::DateYear, "input--4")}
                </div>
            </fieldset>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_date_is_composed_with_leading_zeros() {
        assert_eq!(compose_date("1", "2", "1985"), "1985-02-01");
        assert_eq!(compose_date(" 10 ", "12", "1985"), "1985-12-10");
    }

    #[test]
    fn an_empty_date_stays_empty_and_a_partial_one_is_kept() {
        assert_eq!(compose_date("", " ", ""), "");
        let partial = compose_date("10", "", "1985");
        assert_eq!(partial, "1985--10");
        assert_eq!(split_date(&partial), ("10".into(), "".into(), "1985".into()));
    }

    #[test]
    fn a_composed_date_splits_back_into_its_parts() {
        assert_eq!(
            split_date(&compose_date("10", "12", "1985")),
            ("10".into(), "12".into(), "1985".into())
        );
        assert_eq!(split_date(""), ("".into(), "".into(), "".into()));
        // A dash typed into a part cannot shift the others.
        assert_eq!(compose_date("1-0", "12", "1985"), "1985-12-10");
    }
}
