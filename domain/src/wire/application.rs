//! The application's answers (`/api/application`, `/api/applications`, and the Contact Center's
//! `/api/operator/calls/{id}/application`): what the pages start from, a submitted application
//! as its owner sees it, and the answer to a save.

use std::collections::BTreeMap;

use chrono::Timelike;

use super::json::{FromJson, Json};
use super::{Timestamp, wire_struct};
use crate::application::{ApplicationForm, ApplicationStatus, ValidApplication};
use crate::submission_window::{Channel, SubmissionWindow};

wire_struct! {
    /// What the application pages start from (`GET /api/application`).
    pub struct ApplicationState {
        /// The saved draft, or a new form with the PIN request's contacts.
        pub form: ApplicationForm,
        /// When the draft was last saved; `None` for a new form.
        pub saved_at: Option<Timestamp>,
        /// The application already submitted, if any (then the form is not used).
        pub submitted: Option<ApplicationView>,
        /// Whether the channel may send now, and if not, when.
        pub window: WindowState,
        /// The catalogue the server validates against.
        pub catalogue_version: String,
    }
}

wire_struct! {
    /// The channel's submission window as the pages show it.
    pub struct WindowState {
        /// Sending is possible now.
        pub open: bool,
        /// When it is next possible (now, if open).
        pub opens_at: Timestamp,
        /// "Il servizio per l'invio apre alle 16:00 di oggi…" in the request's language, when closed.
        pub notice: Option<String>,
        /// The window's daily hours, as configured (Italian wall clock).
        pub hours: WindowHours,
    }
}

wire_struct! {
    /// A daily window's opening and closing time, `HH:MM`, Italian wall clock; the closing time
    /// is earlier than the opening one when the window spans midnight, equal when always open.
    pub struct WindowHours {
        /// When it opens, e.g. `16:00`.
        pub start: String,
        /// When it closes, e.g. `08:00`.
        pub end: String,
    }
}

impl From<SubmissionWindow> for WindowHours {
    fn from(window: SubmissionWindow) -> WindowHours {
        let hm = |t: chrono::NaiveTime| format!("{:02}:{:02}", t.hour(), t.minute());
        WindowHours {
            start: hm(window.start),
            end: hm(window.end),
        }
    }
}

wire_struct! {
    /// When applications can be sent, by channel, as configured (`GET /api/service/hours`): the
    /// start page says the hours the server keeps, not hours written into the page.
    pub struct ServiceHours {
        /// Citizens online.
        pub web_citizen: WindowHours,
        /// The Contact Center, welfare offices and intermediaries.
        pub contact_center: WindowHours,
    }
}

impl From<crate::submission_window::WindowConfig> for ServiceHours {
    fn from(config: crate::submission_window::WindowConfig) -> ServiceHours {
        ServiceHours {
            web_citizen: config.window(Channel::WebCitizen).into(),
            contact_center: config.window(Channel::ContactCenter).into(),
        }
    }
}

wire_struct! {
    /// A submitted application as its owner sees it: the receipt and the statuses.
    pub struct ApplicationView {
        /// The receipt's protocol number.
        pub protocol: String,
        /// Whose application it is.
        pub applicant: Applicant,
        /// How it was filed.
        pub channel: Channel,
        /// When it was submitted.
        pub submitted_at: Timestamp,
        /// The current status.
        pub status: ApplicationStatus,
        /// The current status in the request's language.
        pub status_label: String,
        /// Every status with its time, oldest first.
        pub history: Vec<StatusView>,
        /// What was declared.
        pub content: ApplicationContent,
        /// The catalogue version whose texts were declared.
        pub catalogue_version: String,
    }
}

wire_struct! {
    /// The applicant as the receipt names them.
    pub struct Applicant {
        /// The codice fiscale the application is filed under.
        pub codice_fiscale: String,
        /// Given name and surname, as in the PIN request; `None` without one (SPID, CIE, CNS).
        pub name: Option<String>,
    }
}

wire_struct! {
    /// One entry of an application's history.
    pub struct StatusView {
        /// The status entered.
        pub status: ApplicationStatus,
        /// Its label in the request's language.
        pub label: String,
        /// When.
        pub at: Timestamp,
    }
}

wire_struct! {
    /// A [`ValidApplication`] as its JSON has it, in plain text (the SPA shows it back and never
    /// re-validates it; reading the domain's validated types would link their parsers).
    pub struct ApplicationContent {
        /// The benefit's id.
        pub benefit: String,
        /// Answers by declaration id (`confirmed`, `yes`, `no`, a date, a number).
        pub declarations: BTreeMap<String, String>,
        /// How to pay.
        pub payment: PaymentContent,
        /// Where the applicant can be reached.
        pub contacts: ContactsContent,
    }
}

wire_struct! {
    /// How the indemnity is paid: `method` is `iban` (with `iban` and `holder`) or `post_office`.
    pub struct PaymentContent {
        /// `iban` or `post_office`.
        pub method: String,
        /// The account, for `iban`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub iban: Option<String>,
        /// Whose name the account is in, for `iban`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub holder: Option<HolderContent>,
    }
}

/// Whose name the account is in: `own`, or `joint` with the other holder's name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HolderContent {
    /// `own` or `joint`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The other holder, for `joint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_holder: Option<String>,
}

impl FromJson for HolderContent {
    fn from_json(json: &Json) -> Option<Self> {
        Some(HolderContent {
            kind: json.get("type")?,
            co_holder: json.get("co_holder")?,
        })
    }
}

wire_struct! {
    /// The application's contacts.
    pub struct ContactsContent {
        /// Mobile with +39.
        pub mobile: String,
        /// E-mail.
        pub email: String,
        /// PEC, if given (`null` otherwise).
        pub pec: Option<String>,
    }
}

impl From<&ValidApplication> for ApplicationContent {
    /// The same JSON as `ValidApplication`'s `Serialize` (tested below), read back as text.
    fn from(valid: &ValidApplication) -> ApplicationContent {
        let json = serde_json::to_value(valid).expect("a valid application serialises");
        serde_json::from_value(json).expect("ApplicationContent has ValidApplication's shape")
    }
}

/// Draft forms read back as `Serialize` writes them: every field (a form saved on a device before
/// a field existed reads as no draft).
impl FromJson for ApplicationForm {
    fn from_json(json: &Json) -> Option<Self> {
        Some(ApplicationForm {
            benefit: json.get("benefit")?,
            declarations: json.get("declarations")?,
            payment_method: json.get("payment_method")?,
            iban: json.get("iban")?,
            account_holder: json.get("account_holder")?,
            joint_holder_name: json.get("joint_holder_name")?,
            mobile: json.get("mobile")?,
            email: json.get("email")?,
            pec: json.get("pec")?,
        })
    }
}

wire_struct! {
    /// The answer to saving a step or a draft.
    pub struct Saved {
        /// When the draft was saved.
        pub saved_at: Timestamp,
    }
}

wire_struct! {
    /// "Le mie domande" (`GET /api/applications`).
    pub struct ApplicationList {
        /// The citizen's applications (one at most).
        pub applications: Vec<ApplicationView>,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::testing::{matches_api_sample, round_trips};

    pub fn form() -> ApplicationForm {
        ApplicationForm {
            benefit: "art28".into(),
            declarations: BTreeMap::from([
                ("pensioner".into(), "no".into()),
                ("self_employed".into(), "yes".into()),
            ]),
            payment_method: "iban".into(),
            iban: "IT60 X054 2811 1010 0000 0123 456".into(),
            account_holder: "joint".into(),
            joint_holder_name: "Lia Bianchi".into(),
            mobile: "+39 333 1122333".into(),
            email: "mario@example.it".into(),
            pec: "".into(),
        }
    }

    pub fn view() -> ApplicationView {
        ApplicationView {
            protocol: "INPS-2020-0000001".into(),
            applicant: Applicant {
                codice_fiscale: "RSSMRA85T10A562S".into(),
                name: Some("Mario Rossi".into()),
            },
            channel: Channel::WebCitizen,
            submitted_at: Timestamp("2026-04-01T14:03:07.123Z".into()),
            status: ApplicationStatus::Submitted,
            status_label: "Presentata".into(),
            history: vec![StatusView {
                status: ApplicationStatus::Submitted,
                label: "Presentata".into(),
                at: Timestamp("2026-04-01T14:03:07.123Z".into()),
            }],
            content: ApplicationContent {
                benefit: "art28".into(),
                declarations: BTreeMap::from([("pensioner".into(), "no".into()), ("truth".into(), "confirmed".into())]),
                payment: PaymentContent {
                    method: "iban".into(),
                    iban: Some("IT60X0542811101000000123456".into()),
                    holder: Some(HolderContent {
                        kind: "joint".into(),
                        co_holder: Some("Lia Bianchi".into()),
                    }),
                },
                contacts: ContactsContent {
                    mobile: "+393331122333".into(),
                    email: "mario@example.it".into(),
                    pec: None,
                },
            },
            catalogue_version: "2020-03-17".into(),
        }
    }

    const VIEW_SAMPLE: &str = r#"{"protocol":"INPS-2020-0000001",
        "applicant":{"codice_fiscale":"RSSMRA85T10A562S","name":"Mario Rossi"},
        "channel":"web_citizen","submitted_at":"2026-04-01T14:03:07.123Z","status":"submitted",
        "status_label":"Presentata",
        "history":[{"status":"submitted","label":"Presentata","at":"2026-04-01T14:03:07.123Z"}],
        "content":{"benefit":"art28","declarations":{"pensioner":"no","truth":"confirmed"},
          "payment":{"method":"iban","iban":"IT60X0542811101000000123456","holder":{"type":"joint","co_holder":"Lia Bianchi"}},
          "contacts":{"mobile":"+393331122333","email":"mario@example.it","pec":null}},
        "catalogue_version":"2020-03-17"}"#;

    #[test]
    fn a_submitted_application_reads_as_the_api_writes_it() {
        matches_api_sample(&view(), VIEW_SAMPLE);
    }

    #[test]
    fn the_application_state_reads_as_the_api_writes_it() {
        let closed = ApplicationState {
            form: form(),
            saved_at: Some(Timestamp("2026-04-01T07:00:00Z".into())),
            submitted: None,
            window: WindowState {
                open: false,
                opens_at: Timestamp("2026-04-01T14:00:00Z".into()),
                notice: Some("Il servizio per l'invio apre alle 16:00 di oggi.".into()),
                hours: WindowHours {
                    start: "16:00".into(),
                    end: "08:00".into(),
                },
            },
            catalogue_version: "2020-03-17".into(),
        };
        matches_api_sample(
            &closed,
            r#"{"form":{"benefit":"art28","declarations":{"pensioner":"no","self_employed":"yes"},
                "payment_method":"iban","iban":"IT60 X054 2811 1010 0000 0123 456","account_holder":"joint",
                "joint_holder_name":"Lia Bianchi","mobile":"+39 333 1122333","email":"mario@example.it","pec":""},
                "saved_at":"2026-04-01T07:00:00Z","submitted":null,
                "window":{"open":false,"opens_at":"2026-04-01T14:00:00Z",
                  "notice":"Il servizio per l'invio apre alle 16:00 di oggi.","hours":{"start":"16:00","end":"08:00"}},
                "catalogue_version":"2020-03-17"}"#,
        );
        round_trips(&ApplicationState {
            form: ApplicationForm::default(),
            saved_at: None,
            submitted: Some(view()),
            window: WindowState {
                open: true,
                notice: None,
                ..closed.window.clone()
            },
            ..closed
        });
    }

    #[test]
    fn the_service_hours_read_as_the_api_writes_them() {
        let hours = ServiceHours::from(crate::submission_window::WindowConfig::default());
        matches_api_sample(
            &hours,
            r#"{"web_citizen":{"start":"16:00","end":"08:00"},"contact_center":{"start":"08:00","end":"16:00"}}"#,
        );
        round_trips(&hours);
        assert_eq!(
            ServiceHours::parse_json(r#"{"web_citizen":{"start":"16:00","end":"08:00"}}"#),
            None
        );
    }

    #[test]
    fn a_window_state_without_its_hours_is_not_read() {
        let before = r#"{"open":true,"opens_at":"2026-04-01T14:00:00Z","notice":null}"#;
        assert_eq!(WindowState::parse_json(before), None);
    }

    #[test]
    fn window_hours_are_the_configured_ones() {
        assert_eq!(
            WindowHours::from(SubmissionWindow::WEB_CITIZEN),
            WindowHours {
                start: "16:00".into(),
                end: "08:00".into()
            }
        );
        let custom = SubmissionWindow::parse("07:30-21:05").unwrap();
        assert_eq!(WindowHours::from(custom).start, "07:30");
        assert_eq!(WindowHours::from(custom).end, "21:05");
    }

    #[test]
    fn content_writes_what_a_valid_application_writes() {
        // GIVEN a form the domain accepts, on a joint account and with a PEC
        let catalogue = crate::Catalogue::embedded();
        let mut form = crate::application::tests::form_for(catalogue, "art28");
        form.account_holder = "joint".into();
        form.joint_holder_name = "Lia Bianchi".into();
        form.pec = "mario@pec.example.it".into();
        let valid = form.validate(catalogue).expect("the sample form is valid");
        // THEN the plain content writes the same JSON and reads back
        let content = ApplicationContent::from(&valid);
        assert_eq!(
            serde_json::to_value(&content).unwrap(),
            serde_json::to_value(&valid).unwrap()
        );
        round_trips(&content);
        let post_office = ValidApplication {
            payment: crate::Payment::PostOffice,
            contacts: crate::Contacts {
                pec: None,
                ..valid.contacts.clone()
            },
            ..valid
        };
        let content = ApplicationContent::from(&post_office);
        assert_eq!(
            serde_json::to_value(&content).unwrap(),
            serde_json::to_value(&post_office).unwrap()
        );
        round_trips(&content);
    }

    #[test]
    fn forms_saves_and_lists_round_trip() {
        round_trips(&form());
        round_trips(&ApplicationForm::default());
        round_trips(&Saved {
            saved_at: Timestamp("2026-04-01T07:00:00.5Z".into()),
        });
        matches_api_sample(
            &Saved {
                saved_at: Timestamp("2026-04-01T07:00:00Z".into()),
            },
            r#"{"saved_at":"2026-04-01T07:00:00Z"}"#,
        );
        round_trips(&ApplicationList { applications: vec![] });
        matches_api_sample(
            &ApplicationList {
                applications: vec![view()],
            },
            &format!(r#"{{"applications":[{VIEW_SAMPLE}]}}"#),
        );
    }
}
