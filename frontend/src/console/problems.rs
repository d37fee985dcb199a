//! The problems of a console form: in the error summary (linked to each field) and next to each
//! field, in the current language. Like `form::FormProblems`, but a problem may also be one of the
//! console's own words, and labels come from the console's and the application's words alike.

use crate::i18n::{Text, t};
use std::sync::Arc;

use domain::{ErrorCode, Lang};
use leptos::prelude::*;

use crate::api_client::ApiError;
use crate::application_questions::FieldErrors;
use crate::components::SummaryItem;
use crate::form::{FieldProblem, Problem};
use crate::ui::use_lang;
use domain::benefits::Declaration;

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    /// As the domain's rules or the API said it.
    Form(Problem),
    /// In the console's words.
    Console(Text),
}

impl Issue {
    fn message(&self, lang: Lang) -> String {
        match self {
            Issue::Form(problem) => problem.message(lang),
            Issue::Console(key) => t(lang, *key).to_owned(),
        }
    }
}

/// A problem and its field (`None`: the page as a whole).
pub type Found = (Option<String>, Issue);

/// The label of a field in a language, for a summary line that would not otherwise name it.
pub type Label = fn(&str, Lang) -> Option<&'static str>;

pub use crate::application_answers::Link;

/// The summary's lines for `found`: a message that does not name its field ("Questo campo è
/// obbligatorio.") is preceded by the field's label, so that a list of them can be told apart.
/// The summary's lines: one per problem, but a line said already (the same words for another
/// field, e.g. each "Confermo" of a benefit) only once, linked to its first field.
pub fn summary_items(found: &[Found], lang: Lang, link: &dyn Fn(&str) -> String, label: Label) -> Vec<SummaryItem> {
    let mut said = std::collections::BTreeSet::new();
    found
        .iter()
        .map(|(field, issue)| {
            let message = issue.message(lang);
            let named = match (field.as_deref(), issue) {
                (Some(field), Issue::Form(Problem::Code(ErrorCode::Required))) => label(field, lang),
                _ => None,
            };
            SummaryItem {
                link: field.as_deref().map(link),
                message: named.map_or(message.clone(), |label| format!("{label}: {message}")),
            }
        })
        .filter(|item| said.insert(item.message.clone()))
        .collect()
}

/// The problems shown on a page, and the token that moves focus to the summary.
#[derive(Clone, Copy)]
pub struct Problems {
    found: RwSignal<Vec<Found>>,
    focus: RwSignal<u32>,
    lang: RwSignal<Lang>,
}

impl Problems {
    /// None yet. Call in a component (it reads the language from context).
    pub fn new() -> Self {
        Problems {
            found: RwSignal::new(Vec::new()),
            focus: RwSignal::new(0),
            lang: use_lang(),
        }
    }

    /// Shows `found` and moves focus to the error summary.
    pub fn show(self, found: Vec<Found>) {
        self.found.set(found);
        self.focus.update(|n| *n += 1);
    }

    /// Shows what the domain's rules or the API found.
    pub fn show_form(self, found: Vec<FieldProblem>) {
        self.show(found.into_iter().map(|(field, p)| (field, Issue::Form(p))).collect());
    }

    /// Shows an API error (one line per field, or one for the page).
    pub fn show_api(self, error: &ApiError) {
        self.show_form(from_api_error(error));
    }

    /// Removes every problem.
    pub fn clear(self) {
        self.found.set(Vec::new());
    }

    /// Whether any problem shows (reactive).
    pub fn any(self) -> bool {
        !self.found.read().is_empty()
    }

    /// The message for `field`, if it has a problem (reactive, in the current language).
    pub fn field(self, field: impl Into<String>) -> Signal<Option<String>> {
        let field = field.into();
        Signal::derive(move || {
            let lang = self.lang.get();
            self.found
                .read()
                .iter()
                .find(|(f, _)| f.as_deref() == Some(field.as_str()))
                .map(|(_, issue)| issue.message(lang))
        })
    }

    /// [`Problems::field`] for a declaration, starting with its short title (as the citizen's
    /// pages and the error summary say it).
    fn declaration_field(self, declaration: &'static Declaration) -> Signal<Option<String>> {
        let (field, short) = (declaration.field(), &declaration.short);
        Signal::derive(move || {
            let lang = self.lang.get();
            self.found
                .read()
                .iter()
                .find(|(f, _)| f.as_deref() == Some(field.as_str()))
                .map(|(_, issue)| format!("{}: {}", short.get(lang), issue.message(lang)))
        })
    }

    /// The error summary's lines.
    pub fn summary(self, link: Link, label: Label) -> Signal<Vec<SummaryItem>> {
        Signal::derive(move || summary_items(&self.found.read(), self.lang.get(), &*link, label))
    }

    /// Changes each time the summary must take focus.
    pub fn focus_token(self) -> Signal<u32> {
        self.focus.into()
    }
}

impl FieldErrors for Problems {
    fn field(self, field: &'static str) -> Signal<Option<String>> {
        Problems::field(self, field)
    }
    fn declaration(self, declaration: &'static Declaration) -> Signal<Option<String>> {
        self.declaration_field(declaration)
    }
}

/// The problems of an API error, one per field or one for the page. Unlike
/// `form::from_api_error`, a code whose words the browser build leaves out (the operators' codes
/// are `server` codes: `domain::ErrorCode`) keeps the API's own message, which the API wrote in the
/// page's language.
pub fn from_api_error(error: &ApiError) -> Vec<FieldProblem> {
    let in_browser = |code: ErrorCode| !code.message(Lang::It).is_empty();
    match error {
        ApiError::Validation { fields, .. } if !fields.is_empty() => fields
            .iter()
            .map(|f| {
                let problem = match f.code.filter(|c| in_browser(*c)) {
                    Some(code) => Problem::Code(code),
                    None => Problem::Text(f.message.clone()),
                };
                (Some(f.field.clone()), problem)
            })
            .collect(),
        _ => match error
            .code()
            .and_then(ErrorCode::from_str_code)
            .filter(|c| in_browser(*c))
        {
            Some(code) => vec![(None, Problem::Code(code))],
            None => vec![(None, Problem::Api(error.clone()))],
        },
    }
}

/// A same-page link to a field's input.
pub fn same_page() -> Link {
    Arc::new(|field| format!("#{field}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_words_for_two_fields_are_one_line_linked_to_the_first() {
        let found = vec![
            (Some("a".to_owned()), Issue::Console(Text::CfMissing)),
            (Some("b".to_owned()), Issue::Console(Text::CfMissing)),
            (Some("c".to_owned()), Issue::Console(Text::PinFirst8Missing)),
        ];
        let items = summary_items(&found, Lang::It, &|field| format!("#{field}"), |_, _| None);
        let links: Vec<_> = items.iter().map(|item| item.link.clone().unwrap()).collect();
        assert_eq!(links, ["#a", "#c"]);
    }

    fn label(field: &str, _: Lang) -> Option<&'static str> {
        (field == "username").then_some("Nome utente")
    }

    #[test]
    fn a_required_field_is_named_and_other_problems_speak_for_themselves() {
        let found = vec![
            (
                Some("username".to_owned()),
                Issue::Form(Problem::Code(ErrorCode::Required)),
            ),
            (Some("totp".to_owned()), Issue::Console(Text::TotpMissing)),
            (None, Issue::Form(Problem::Text("Non corretti.".into()))),
        ];
        let items = summary_items(&found, Lang::It, &|f| format!("#{f}"), label);
        assert_eq!(items[0].message, "Nome utente: Questo campo è obbligatorio.");
        assert_eq!(items[0].link.as_deref(), Some("#username"));
        assert_eq!(items[1].message, "Inserisci il codice temporaneo di 6 cifre.");
        assert_eq!(items[2].link, None);
        let english = summary_items(&found, Lang::En, &|f| format!("#{f}"), label);
        assert_eq!(english[1].message, "Enter the 6-digit one-time code.");
    }
}
