//! The problems of a form page, in one place: what the domain rules found in the page, or what the
//! API answered, shown both in the error summary and next to each field, in the current language.

use domain::benefits::DECLARATION_FIELD_PREFIX;
use domain::{ErrorCode, FieldErrors, Lang};
use leptos::prelude::*;

use crate::api_client::ApiError;
use crate::i18n::{Text, t};
use crate::ui::use_lang;

/// One problem listed in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryItem {
    /// Where the field to fix is: `#id` on this page, or a path with a fragment on another page;
    /// `None` for a problem with no single field.
    pub link: Option<String>,
    /// What is wrong and how to fix it, in the page's language.
    pub message: String,
}

/// A problem: a catalogue code (shown in whichever language is current) or words the API wrote
/// (in the language it was asked for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A code of the shared catalogue.
    Code(ErrorCode),
    /// A message as received.
    Text(String),
    /// A failure with no catalogue code (network, server error…), worded by the client.
    Api(ApiError),
}

impl Problem {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Problem::Code(code) => code.message(lang).to_owned(),
            Problem::Text(text) => text.clone(),
            Problem::Api(error) => error.message(lang),
        }
    }
}

/// A problem and the field it concerns (`None`: the page as a whole).
pub type FieldProblem = (Option<String>, Problem);

/// The problems of the domain's validation, in field order.
pub fn from_field_errors(errors: &FieldErrors) -> Vec<FieldProblem> {
    errors
        .iter()
        .map(|e| (Some(e.field.clone()), Problem::Code(e.code)))
        .collect()
}

/// The problems of an API error: one per field for a validation error (or the message alone,
/// on `fallback_field` when there is one, if the API named no field), otherwise one for the page.
pub fn from_api_error(error: &ApiError, fallback_field: Option<&str>) -> Vec<FieldProblem> {
    // A code whose text the browser build leaves out (one only the server shows) keeps the API's
    // message, which came in the page's language.
    let worded = |code: ErrorCode| !code.message(Lang::It).is_empty();
    let page_problem = |error: &ApiError| match error.code().and_then(ErrorCode::from_str_code).filter(|c| worded(*c)) {
        Some(code) => Problem::Code(code),
        None => Problem::Api(error.clone()),
    };
    match error {
        ApiError::Validation { fields, .. } if !fields.is_empty() => fields
            .iter()
            .map(|f| {
                let problem = f
                    .code
                    .filter(|c| worded(*c))
                    .map_or_else(|| Problem::Text(f.message.clone()), Problem::Code);
                (Some(f.field.clone()), problem)
            })
            .collect(),
        ApiError::Validation { .. } => vec![(fallback_field.map(str::to_owned), page_problem(error))],
        _ => vec![(None, page_problem(error))],
    }
}

/// A field's label in a language, if it has one.
type LabelIn = Box<dyn Fn(&str, Lang) -> Option<&'static str> + Send + Sync>;

/// The problems shown on a page, in the error summary and next to each field, with the token
/// that moves focus to the summary. They change only when the form is sent (GOV.UK's pattern):
/// a message appearing or going while someone types or taps would move the page under their
/// finger, and a handler on leaving a field would run on a page already being replaced.
#[derive(Clone, Copy)]
pub struct FormProblems {
    shown: RwSignal<Vec<FieldProblem>>,
    focus: RwSignal<u32>,
    lang: RwSignal<Lang>,
}

impl FormProblems {
    /// No problems yet. Call in a component (it reads the language from context).
    pub fn new() -> Self {
        FormProblems {
            shown: RwSignal::new(Vec::new()),
            focus: RwSignal::new(0),
            lang: use_lang(),
        }
    }

    /// Shows `problems` and moves focus to the error summary (after a submit).
    pub fn show(self, problems: Vec<FieldProblem>) {
        self.show_quietly(problems);
        self.focus.update(|n| *n += 1);
    }

    /// Shows `problems` without moving focus (problems carried over from another page).
    pub fn show_quietly(self, problems: Vec<FieldProblem>) {
        self.shown.set(problems);
    }

    /// Removes every problem.
    pub fn clear(self) {
        self.show_quietly(Vec::new());
    }

    /// Whether any problem shows (reactive).
    pub fn any(self) -> bool {
        !self.shown.read().is_empty()
    }

    /// The message for `field`, if it has a problem (reactive, in the current language).
    pub fn field(self, field: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            let lang = self.lang.get();
            self.shown
                .read()
                .iter()
                .find(|(f, _)| f.as_deref() == Some(field))
                .map(|(_, p)| p.message(lang))
        })
    }

    /// The error summary's items; `link` gives the link for a field (`#id` on the same page),
    /// `label` its label. A message that does not name its field ("Questo campo è obbligatorio.")
    /// is preceded by the label, so that a list of them can be told apart.
    pub fn summary(self, link: fn(&str) -> String, label: fn(&str) -> Option<Text>) -> Signal<Vec<SummaryItem>> {
        self.summary_labelled(
            link,
            Box::new(move |field, lang| label(field).map(|text| t(lang, text))),
        )
    }

    /// [`FormProblems::field`] for a declaration (`decl.<id>`), whose messages are alike from one
    /// declaration to the next ("Spunta la casella…"): each begins with the declaration's short
    /// title, as in the error summary, so that the two say the same and name their question.
    pub fn declaration_field(self, field: String, short: &'static domain::benefits::Text) -> Signal<Option<String>> {
        Signal::derive(move || {
            let lang = self.lang.get();
            self.shown
                .read()
                .iter()
                .find(|(f, _)| f.as_deref() == Some(field.as_str()))
                .map(|(_, p)| format!("{}: {}", short.get(lang), p.message(lang)))
        })
    }

    /// [`FormProblems::summary`] with labels from any source of words (the area's pages, whose
    /// declaration labels come from the benefit catalogue).
    pub fn summary_words(
        self,
        link: fn(&str) -> String,
        label: fn(&str) -> Option<crate::area_texts::Words>,
    ) -> Signal<Vec<SummaryItem>> {
        self.summary_labelled(
            link,
            Box::new(move |field, lang| label(field).map(|words| words.get(lang))),
        )
    }

    /// What both summaries do, with the label already in the page's language (one closure type,
    /// so the summary's code is compiled once).
    fn summary_labelled(self, link: fn(&str) -> String, label: LabelIn) -> Signal<Vec<SummaryItem>> {
        Signal::derive(move || {
            let lang = self.lang.get();
            self.shown
                .read()
                .iter()
                .map(|(field, problem)| {
                    let message = problem.message(lang);
                    // A message that does not name its question ("Questo campo è obbligatorio.", or
                    // any message about a declaration, where several read alike) starts with it.
                    let named = match (field.as_deref(), problem) {
                        (Some(field), Problem::Code(ErrorCode::Required)) => label(field, lang),
                        (Some(field), _) if field.starts_with(DECLARATION_FIELD_PREFIX) => label(field, lang),
                        _ => None,
                    };
                    SummaryItem {
                        link: field.as_deref().map(link),
                        message: match named {
                            Some(name) => format!("{name}: {message}"),
                            None => message,
                        },
                    }
                })
                .collect()
        })
    }

    /// The token that moves focus to the error summary when it changes.
    pub fn focus_token(self) -> Signal<u32> {
        self.focus.into()
    }
}

/// A same-page link to a field's input.
pub fn same_page_link(field: &str) -> String {
    format!("#{field}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_client::FieldMessage;

    #[test]
    fn api_field_errors_keep_their_codes_and_order() {
        let error = ApiError::Validation {
            code: "validation_failed".into(),
            message: "Alcuni dati non sono corretti.".into(),
            fields: vec![
                FieldMessage {
                    field: "mobile".into(),
                    message: "Cellulare errato".into(),
                    code: Some(ErrorCode::MobilePrefix),
                },
                FieldMessage {
                    field: "pec".into(),
                    message: "PEC errata".into(),
                    code: None,
                },
            ],
        };
        assert_eq!(
            from_api_error(&error, None),
            vec![
                (Some("mobile".into()), Problem::Code(ErrorCode::MobilePrefix)),
                (Some("pec".into()), Problem::Text("PEC errata".into())),
            ]
        );
    }

    #[test]
    fn a_refusal_is_a_problem_of_the_page_in_the_catalogue() {
        let error = ApiError::Refused {
            status: 409,
            code: "pin.already_requested".into(),
            message: "Già richiesto.".into(),
        };
        assert_eq!(
            from_api_error(&error, Some("pin")),
            vec![(None, Problem::Code(ErrorCode::PinAlreadyRequested))]
        );
    }

    #[test]
    fn a_validation_error_without_fields_goes_on_the_fallback_field() {
        let error = ApiError::Validation {
            code: "malformed_request".into(),
            message: "La richiesta non è nel formato atteso.".into(),
            fields: vec![],
        };
        assert_eq!(
            from_api_error(&error, Some("codice_fiscale")),
            vec![(
                Some("codice_fiscale".into()),
                Problem::Code(ErrorCode::MalformedRequest)
            )]
        );
    }
}
