//! The PIN request's answers (`/api/pin-requests`) and the codice fiscale check on the start page.

use super::{Timestamp, wire_struct};

wire_struct! {
    /// `POST /api/codice-fiscale/check`: the code as typed.
    pub struct CodiceFiscaleCheck {
        /// As typed.
        #[cfg_attr(feature = "openapi", schema(example = crate::pin_request::PinRequestForm::example_codice_fiscale))]
        pub codice_fiscale: String,
    }
}

wire_struct! {
    /// The answer to a codice fiscale check: the code normalised.
    pub struct CodiceFiscaleChecked {
        /// Upper case, without spaces.
        pub codice_fiscale: String,
        /// Whether it is an omocode (some digits replaced by letters).
        pub omocode: bool,
    }
}

wire_struct! {
    /// The answer to checking one page of the PIN request (`POST /api/pin-requests/steps/{step}`).
    pub struct StepChecked {
        /// Always `true` (a page with errors is answered with a problem instead).
        pub ok: bool,
        /// After the first page: what the codice fiscale says of its holder; left out otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub from_codice_fiscale: Option<FromCodiceFiscale>,
    }
}

wire_struct! {
    /// The personal data a codice fiscale encodes, offered to confirm rather than to type.
    pub struct FromCodiceFiscale {
        /// `M` or `F`.
        pub sex: String,
        /// `YYYY-MM-DD`; `None` for a date no calendar has.
        pub birth_date: Option<String>,
        /// The municipality or country that had the code on the birth date, if known.
        pub birth_place: Option<String>,
        /// Its province, `EE` abroad.
        pub birth_province: Option<String>,
    }
}

wire_struct! {
    /// Where a PIN's first half went, masked.
    pub struct SentTo {
        /// The mobile.
        pub sms: String,
        /// The e-mail.
        pub email: String,
        /// The PEC (empty when none).
        pub pec: String,
    }
}

wire_struct! {
    /// The answer to CONFERMA of a PIN request (201).
    pub struct PinRequestCreated {
        /// Whose PIN it is.
        pub codice_fiscale: String,
        /// Where the first half went, masked.
        pub sent_to: SentTo,
        /// Where the letter with the second half goes: the registered residence, masked.
        pub letter_to: String,
        /// When the request was made.
        pub created_at: Timestamp,
        /// The messages written with the request, waiting for delivery.
        pub messages: Vec<QueuedMessage>,
    }
}

wire_struct! {
    /// One message of the outbox as its citizen (or the operator on their call) sees it.
    pub struct QueuedMessage {
        /// `sms`, `email`, `pec`, `post`.
        pub channel: String,
        /// What it tells (`pin_first_half`, `receipt`, …).
        pub kind: String,
        /// The recipient, masked.
        pub to: String,
        /// `queued`, `sending`, `retrying`, `sent`, `dead`.
        pub state: String,
        /// When it was written.
        pub created_at: Timestamp,
        /// When the carrier took it.
        pub sent_at: Option<Timestamp>,
        /// Hand-overs tried.
        pub attempts: u32,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::testing::{matches_api_sample, round_trips};

    pub fn message() -> QueuedMessage {
        QueuedMessage {
            channel: "sms".into(),
            kind: "pin_first_half".into(),
            to: "+39 ***2233".into(),
            state: "sent".into(),
            created_at: Timestamp("2026-04-01T07:00:00Z".into()),
            sent_at: Some(Timestamp("2026-04-01T07:00:01.5Z".into())),
            attempts: 1,
        }
    }

    pub const MESSAGE_SAMPLE: &str = r#"{"channel":"sms","kind":"pin_first_half","to":"+39 ***2233","state":"sent",
        "created_at":"2026-04-01T07:00:00Z","sent_at":"2026-04-01T07:00:01.5Z","attempts":1}"#;

    #[test]
    fn a_codice_fiscale_check_reads_as_the_api_writes_it() {
        matches_api_sample(
            &CodiceFiscaleChecked {
                codice_fiscale: "RSSMRA85T10A562S".into(),
                omocode: false,
            },
            r#"{"codice_fiscale":"RSSMRA85T10A562S","omocode":false}"#,
        );
        round_trips(&CodiceFiscaleCheck {
            codice_fiscale: "rssmra85t10a562s".into(),
        });
    }

    #[test]
    fn a_checked_step_reads_as_the_api_writes_it() {
        matches_api_sample(
            &StepChecked {
                ok: true,
                from_codice_fiscale: None,
            },
            r#"{"ok":true}"#,
        );
        matches_api_sample(
            &StepChecked {
                ok: true,
                from_codice_fiscale: Some(FromCodiceFiscale {
                    sex: "M".into(),
                    birth_date: Some("1985-12-10".into()),
                    birth_place: Some("BOLOGNA".into()),
                    birth_province: Some("BO".into()),
                }),
            },
            r#"{"ok":true,"from_codice_fiscale":{"sex":"M","birth_date":"1985-12-10","birth_place":"BOLOGNA","birth_province":"BO"}}"#,
        );
        round_trips(&FromCodiceFiscale {
            sex: "F".into(),
            birth_date: None,
            birth_place: None,
            birth_province: None,
        });
    }

    #[test]
    fn a_created_pin_request_reads_as_the_api_writes_it() {
        matches_api_sample(
            &PinRequestCreated {
                codice_fiscale: "RSSMRA85T10A562S".into(),
                sent_to: SentTo {
                    sms: "+39 ***2233".into(),
                    email: "m***@example.it".into(),
                    pec: "".into(),
                },
                letter_to: "Via G***, 00186 Roma".into(),
                created_at: Timestamp("2026-04-01T07:00:00Z".into()),
                messages: vec![
                    message(),
                    QueuedMessage {
                        channel: "post".into(),
                        kind: "pin_second_half".into(),
                        state: "queued".into(),
                        sent_at: None,
                        attempts: 0,
                        ..message()
                    },
                ],
            },
            &format!(
                r#"{{"codice_fiscale":"RSSMRA85T10A562S","sent_to":{{"sms":"+39 ***2233","email":"m***@example.it","pec":""}},
                "letter_to":"Via G***, 00186 Roma","created_at":"2026-04-01T07:00:00Z","messages":[{MESSAGE_SAMPLE},
                {{"channel":"post","kind":"pin_second_half","to":"+39 ***2233","state":"queued",
                  "created_at":"2026-04-01T07:00:00Z","sent_at":null,"attempts":0}}]}}"#
            ),
        );
    }
}
