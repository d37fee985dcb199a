//! The PIN request being filled in: one signal per field, shared by the request's pages and saved
//! in `localStorage` on every change, so that Back, a reload or a crash lose nothing; cleared once
//! the request is sent. The idempotency key of the final submission lives with it, so that a retry
//! after a reload is recognised by the server as the same request.

use chrono::NaiveDate;
use domain::pin_request::ITALY;
use domain::{FieldErrors, PinRequestForm, Step};
use leptos::prelude::*;

use crate::browser::{self, Store};
use crate::form::FieldProblem;
use crate::json::FromJson;
use crate::queued_messages::QueuedMessage;
use domain::wire::pin_request::{FromCodiceFiscale, PinRequestCreated};

/// Where the draft is saved.
pub const DRAFT_KEY: &str = "sportello.pin_request";
/// Where the answer to CONFERMA is kept for the confirmation page (this tab only).
pub const RECEIPT_KEY: &str = "sportello.pin_request.receipt";

/// Where the key of the draft's submission is saved, once made.
pub const KEY_KEY: &str = "sportello.pin_request.idempotency_key";

/// The saved form's answers as `(field, answer)` pairs. The form is saved as the JSON the API
/// takes and read back as plain pairs: a derived `Deserialize` for the form would cost the SPA
/// several kilobytes of wasm for what is a map of strings.
fn saved_answers(json: &str) -> Vec<(String, String)> {
    crate::api_client::string_pairs(json).unwrap_or_default()
}

/// The API's answer to CONFERMA: the messages queued with the request, where they go (masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinReceipt {
    /// Whose PIN it is.
    pub codice_fiscale: String,
    /// The messages written with the request: the first 8 characters by SMS, e-mail and PEC,
    /// the letter with the last 8; each with its masked recipient and its state when the
    /// request was answered.
    pub messages: Vec<QueuedMessage>,
    /// The registered residence the letter with the last 8 goes to, masked (`Via G***, 00186
    /// Roma`); `None` in a receipt kept before the API said it.
    pub letter_to: Option<String>,
    /// When the request was made (RFC 3339).
    pub created_at: String,
}

impl PinReceipt {
    /// The receipt of this tab's last request, if any.
    pub fn load() -> Option<PinReceipt> {
        PinReceipt::parse(&browser::load(Store::Session, RECEIPT_KEY)?)
    }

    /// The API's answer from its JSON (`None` if it is not one).
    pub fn parse(json: &str) -> Option<PinReceipt> {
        let created = PinRequestCreated::parse_json(json)?;
        Some(PinReceipt {
            codice_fiscale: created.codice_fiscale,
            messages: created.messages,
            letter_to: Some(created.letter_to),
            created_at: created.created_at.0,
        })
    }

    /// Keeps the API's answer (its JSON, as received) for the confirmation page and a reload of it.
    pub fn keep(json: &str) {
        browser::save(Store::Session, RECEIPT_KEY, json);
    }
}

/// A new, empty form: Italy is the usual country of residence.
pub fn new_form() -> PinRequestForm {
    PinRequestForm {
        residence_country: ITALY.to_owned(),
        ..PinRequestForm::default()
    }
}

/// Whether the country of residence means Italy (as the domain reads it).
pub fn lives_in_italy(country: &str) -> bool {
    let country = country.trim();
    country.eq_ignore_ascii_case(ITALY) || country.eq_ignore_ascii_case("Italy")
}

/// Every problem the domain's rules find in the form, page by page (in the browser).
pub fn all_problems(form: &PinRequestForm, today: NaiveDate) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for step in Step::ALL {
        for e in form.validate_step(step, today, None).iter() {
            errors.add(&e.field, e.code);
        }
    }
    errors
}

/// The first of the steps before `before` (all of them when `None`) that the domain's rules
/// reject, in the browser (without the place table, which only the server has).
pub fn first_incomplete(form: &PinRequestForm, today: NaiveDate, before: Option<Step>) -> Option<Step> {
    Step::ALL
        .into_iter()
        .take_while(|step| Some(*step) != before)
        .find(|step| !form.validate_step(*step, today, None).is_empty())
}

/// The step after `step`, if any.
pub fn next_step(step: Step) -> Option<Step> {
    Step::ALL.into_iter().skip_while(|s| *s != step).nth(1)
}

/// The step before `step`, if any.
pub fn previous_step(step: Step) -> Option<Step> {
    Step::ALL.into_iter().take_while(|s| *s != step).last()
}

macro_rules! draft {
    ($($field:ident),+ $(,)?) => {
        /// The request's answers, one signal per field of [`PinRequestForm`].
        #[derive(Clone, Copy)]
        pub struct PinDraft {
            $(
                #[doc = concat!("`", stringify!($field), "` as typed.")]
                pub $field: RwSignal<String>,
            )+
            idempotency_key: RwSignal<Option<String>>,
            /// Problems the API found at CONFERMA, shown again on the page of each field.
            pub carried: RwSignal<Vec<FieldProblem>>,
        }

        impl PinDraft {
            fn new(form: PinRequestForm, idempotency_key: Option<String>) -> Self {
                PinDraft {
                    $($field: RwSignal::new(form.$field),)+
                    idempotency_key: RwSignal::new(idempotency_key),
                    carried: RwSignal::new(Vec::new()),
                }
            }

            /// The answer to `field`, if the form has that field.
            pub fn field(self, field: &str) -> Option<RwSignal<String>> {
                match field {
                    $(stringify!($field) => Some(self.$field),)+
                    _ => None,
                }
            }

            /// The whole form (reactive: re-runs when any answer changes).
            pub fn form(self) -> PinRequestForm {
                PinRequestForm { $($field: self.$field.get(),)+ }
            }

            /// The whole form, without tracking.
            pub fn form_untracked(self) -> PinRequestForm {
                PinRequestForm { $($field: self.$field.get_untracked(),)+ }
            }

            fn reset(self) {
                let form = new_form();
                $(self.$field.set(form.$field);)+
            }
        }
    };
}

draft!(
    codice_fiscale,
    residence_country,
    given_name,
    surname,
    sex,
    birth_date,
    birth_place,
    birth_province,
    address,
    postcode,
    municipality,
    province,
    mobile,
    email,
    pec,
);

impl PinDraft {
    /// The saved draft, or a new one.
    fn load() -> Self {
        let draft = PinDraft::new(new_form(), browser::load(Store::Local, KEY_KEY));
        if let Some(json) = browser::load(Store::Local, DRAFT_KEY) {
            for (field, answer) in saved_answers(&json) {
                if let Some(signal) = draft.field(&field) {
                    signal.set(answer);
                }
            }
        }
        draft
    }

    fn save(self) {
        let form = self.form();
        if form == new_form() {
            browser::remove(Store::Local, DRAFT_KEY);
        } else if let Ok(json) = serde_json::to_string(&form) {
            browser::save(Store::Local, DRAFT_KEY, &json);
        }
    }

    /// The key of this request's submission: made once, then the same for every retry (saved at
    /// once, before the request leaves).
    pub fn idempotency_key(self) -> String {
        if let Some(key) = self.idempotency_key.get_untracked() {
            return key;
        }
        let key = browser::random_hex128();
        self.idempotency_key.set(Some(key.clone()));
        browser::save(Store::Local, KEY_KEY, &key);
        key
    }

    /// Forgets the key after the server refused the request (nothing was created): the corrected
    /// request is a new one.
    pub fn forget_idempotency_key(self) {
        self.idempotency_key.set(None);
        browser::remove(Store::Local, KEY_KEY);
    }

    /// Empties the draft after the request was sent.
    pub fn clear(self) {
        self.reset();
        self.forget_idempotency_key();
        self.carried.set(Vec::new());
        browser::remove(Store::Local, DRAFT_KEY);
    }
}

impl PinDraft {
    /// Fills the answers the codice fiscale gives (`{"sex","birth_date","birth_place",
    /// "birth_province"}`, from the API's check of the first page) where the citizen has not
    /// answered yet: offered to confirm, never over what they typed.
    pub fn offer_from_codice_fiscale(self, derived: FromCodiceFiscale) {
        for (field, value) in [
            ("sex", Some(derived.sex)),
            ("birth_date", derived.birth_date),
            ("birth_place", derived.birth_place),
            ("birth_province", derived.birth_province),
        ] {
            if let (Some(answer), Some(value)) = (self.field(field), value)
                && answer.get_untracked().trim().is_empty()
            {
                answer.set(value);
            }
        }
    }
}

/// Loads the draft, provides it as context and keeps it saved.
pub fn provide_draft() {
    let draft = PinDraft::load();
    provide_context(draft);
    crate::ui::effect(move || draft.save());
}

/// The draft.
pub fn use_draft() -> PinDraft {
    expect_context::<PinDraft>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn identity_done() -> PinRequestForm {
        PinRequestForm {
            codice_fiscale: "RSSMRA85T10H501O".into(),
            ..new_form()
        }
    }

    #[test]
    fn a_new_form_stops_at_the_first_step() {
        assert_eq!(first_incomplete(&new_form(), today(), None), Some(Step::Identity));
        assert_eq!(first_incomplete(&new_form(), today(), Some(Step::Identity)), None);
    }

    #[test]
    fn a_later_page_is_reachable_only_when_the_earlier_ones_pass() {
        let form = identity_done();
        assert_eq!(first_incomplete(&form, today(), Some(Step::Personal)), None);
        assert_eq!(
            first_incomplete(&form, today(), Some(Step::Contacts)),
            Some(Step::Personal)
        );
    }

    #[test]
    fn steps_follow_each_other_in_order() {
        assert_eq!(next_step(Step::Identity), Some(Step::Personal));
        assert_eq!(next_step(Step::Contacts), None);
        assert_eq!(previous_step(Step::Personal), Some(Step::Identity));
        assert_eq!(previous_step(Step::Identity), None);
    }

    #[test]
    fn italy_is_recognised_in_either_language_and_case() {
        assert!(lives_in_italy(" italia "));
        assert!(lives_in_italy("Italy"));
        assert!(!lives_in_italy("Germania"));
    }

    #[test]
    fn the_receipt_of_the_api_is_read() {
        let json = r#"{"codice_fiscale":"RSSMRA85T10H501O","sent_to":{"sms":"+39 ***4567","email":"m***@example.it","pec":""},
            "letter_to":"Via G***, 00186 Roma","created_at":"2026-11-23T15:00:00Z","messages":[
            {"channel":"sms","kind":"pin_first_half","to":"+39 ***4567","state":"queued","created_at":"2026-11-23T15:00:00Z","sent_at":null,"attempts":0},
            {"channel":"post","kind":"pin_second_half","to":"Via G***, 00186 Roma","state":"queued","created_at":"2026-11-23T15:00:00Z","sent_at":null,"attempts":0}]}"#;
        let receipt = PinReceipt::parse(json).unwrap();
        let to: Vec<_> = receipt
            .messages
            .iter()
            .map(|m| (m.channel.as_str(), m.to.as_str()))
            .collect();
        assert_eq!(to, [("sms", "+39 ***4567"), ("post", "Via G***, 00186 Roma")]);
        assert_eq!(receipt.letter_to.as_deref(), Some("Via G***, 00186 Roma"));
        // An answer of another shape is not taken for a receipt.
        assert_eq!(
            PinReceipt::parse(r#"{"codice_fiscale":"RSSMRA85T10H501O","sent_to":{}}"#),
            None
        );
    }

    #[test]
    fn the_saved_draft_reads_back_as_answers_in_field_order() {
        let json = serde_json::to_string(&identity_done()).unwrap();
        let answers = saved_answers(&json);
        assert_eq!(answers[0], ("codice_fiscale".into(), "RSSMRA85T10H501O".into()));
        assert_eq!(answers[1], ("residence_country".into(), "Italia".into()));
        assert_eq!(answers.len(), Step::ALL.iter().map(|s| s.fields().len()).sum::<usize>());
        assert!(saved_answers("not json").is_empty());
    }
}
