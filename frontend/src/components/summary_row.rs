//! One answer on the check-your-answers page (GOV.UK summary list row): the question, the answer,
//! and a "Modifica" link whose hidden words say what it changes ("Modifica nome").

use leptos::prelude::*;

use crate::i18n::{Text, t};
use crate::ui::{tr, use_lang};

/// The label in running text: "Nome" becomes "nome", but "CAP" and "PEC" stay as they are.
pub fn lower_initial(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), second) if !second.is_some_and(|c| c.is_ascii_uppercase()) => {
            let mut lowered = String::with_capacity(label.len());
            lowered.push(first.to_ascii_lowercase());
            lowered.push_str(&label[first.len_utf8()..]);
            lowered
        }
        _ => label.to_owned(),
    }
}

/// A question and its answer.
#[component]
pub fn SummaryRow(
    /// The question, as its label on the form.
    key: Text,
    /// The answer as shown (reactive: a language switch may change it).
    #[prop(into)]
    value: Signal<String>,
    /// The page and field to change it, e.g. `/richiesta-pin/dati-anagrafici?da=riepilogo#given_name`.
    href: String,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="summary-list__row">
            <dt class="summary-list__key">{tr(key)}</dt>
            <dd class="summary-list__value">{value}</dd>
            <dd class="summary-list__actions">
                <a href=href>
                    {tr(Text::Change)}
                    <span class="visually-hidden">" "{move || lower_initial(t(lang.get(), key))}</span>
                </a>
            </dd>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_in_running_text_keep_their_acronyms() {
        assert_eq!(lower_initial("Nome"), "nome");
        assert_eq!(lower_initial("Codice fiscale"), "codice fiscale");
        assert_eq!(lower_initial("E-mail"), "e-mail");
        assert_eq!(lower_initial("CAP"), "CAP");
        assert_eq!(lower_initial("PEC"), "PEC");
        assert_eq!(lower_initial(""), "");
    }
}
