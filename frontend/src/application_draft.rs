//! The application being filled in, shared by the area's pages: who is in, the answers (one
//! signal per field), the submission window, and the application already submitted, if any.
//!
//! Nothing typed is lost: every change is saved on the device (`localStorage`, one key per codice
//! fiscale, so that two citizens sharing a phone do not see each other's answers), and every Avanti
//! saves on the server. After a reload or the next login the draft resumes from the server's copy,
//! or from the device's when it holds changes the server never received (see [`resume`]).
//!
//! CONFERMA carries an idempotency key made once per confirmation and kept in `sessionStorage`
//! until a receipt arrives, so that a retry, a double tap or a reload after a lost answer is the
//! same request for the server, which then creates one application at most.

use domain::application::{ApplicationForm, ApplicationStatus, ApplicationStep};
use domain::benefits::Catalogue;
use domain::submission_window::Channel;
use leptos::prelude::*;
use serde::Serialize;

use crate::api_client::{self, ApiError, RetryNotice};
use crate::application_questions::Answers;
use crate::browser::{self, Store};
use crate::form::FieldProblem;
use crate::json::{FromJson, Json};
use crate::router::{LOGIN_PATH, Navigator, use_navigator};
use crate::session::{self, Session, use_session};
use domain::wire::application::{self as wire, ApplicationContent};

const STATE_PATH: &str = "/api/application";
const DRAFT_PATH: &str = "/api/application/draft";
const SUBMIT_PATH: &str = "/api/application/submit";

/// The device's copy of the draft of `codice_fiscale`.
pub fn local_key(codice_fiscale: &str) -> String {
    format!("sportello.application.{}", codice_fiscale.trim().to_ascii_uppercase())
}

/// Where the key of the confirmation under way is kept (this tab, until a receipt arrives).
pub const IDEMPOTENCY_KEY: &str = "sportello.application.idempotency_key";

/// Whether sending is possible now, when it opens, and the window's hours (the wire type).
pub use domain::wire::application::WindowState;

/// One entry of an application's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    /// The status entered.
    pub status: ApplicationStatus,
    /// When (RFC 3339).
    pub at: String,
}

/// A submitted application as its owner sees it: the receipt and its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationView {
    /// The receipt's protocol number.
    pub protocol: String,
    /// When it was submitted (RFC 3339).
    pub submitted_at: String,
    /// Who filed it: the citizen online, or the Contact Center on their behalf.
    pub channel: Channel,
    /// The current status.
    pub status: ApplicationStatus,
    /// Every status with its time, oldest first.
    pub history: Vec<StatusView>,
    /// What was declared (the API's `ValidApplication`), as the form that gives it.
    pub content: ApplicationForm,
    /// The codice fiscale it is filed under.
    pub applicant_codice_fiscale: String,
    /// The applicant's name, when the API knows it (from the PIN request).
    pub applicant_name: Option<String>,
}

// The API's answers are read as `domain::wire` types (with their small `FromJson` readers, not a
// derived `Deserialize`: ADR 0008), then turned into what the pages show.

/// The form that gives a `ValidApplication` (as the API sends it), to show it back.
fn form_of(content: ApplicationContent) -> ApplicationForm {
    // A ticked box is stored as `confirmed` and typed as `yes` (`Answer::form_value`).
    let mut declarations = content.declarations;
    for answer in declarations.values_mut().filter(|a| *a == "confirmed") {
        *answer = "yes".to_owned();
    }
    let holder = content.payment.holder;
    ApplicationForm {
        benefit: content.benefit,
        declarations,
        payment_method: content.payment.method,
        iban: content.payment.iban.unwrap_or_default(),
        account_holder: holder.as_ref().map(|h| h.kind.clone()).unwrap_or_default(),
        joint_holder_name: holder.and_then(|h| h.co_holder).unwrap_or_default(),
        mobile: content.contacts.mobile,
        email: content.contacts.email,
        pec: content.contacts.pec.unwrap_or_default(),
    }
}

impl From<wire::ApplicationView> for ApplicationView {
    fn from(view: wire::ApplicationView) -> ApplicationView {
        ApplicationView {
            protocol: view.protocol,
            submitted_at: view.submitted_at.0,
            channel: view.channel,
            status: view.status,
            history: view
                .history
                .into_iter()
                .map(|change| StatusView {
                    status: change.status,
                    at: change.at.0,
                })
                .collect(),
            content: form_of(view.content),
            applicant_codice_fiscale: view.applicant.codice_fiscale,
            applicant_name: view.applicant.name,
        }
    }
}

/// The draft as saved on the device: the answers, and the last answers known to be on the
/// server (the base the device's changes were made on).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LocalDraft {
    /// The answers as typed.
    pub form: ApplicationForm,
    /// The answers the server had when these were last in step with it.
    pub base: ApplicationForm,
}

impl LocalDraft {
    /// The device's copy from its JSON.
    pub fn from_json(json: &str) -> Option<LocalDraft> {
        let value = Json::parse(json)?;
        Some(LocalDraft {
            form: value.get("form")?,
            base: value.get("base")?,
        })
    }
}

/// The answers to resume from: the device's, when they were made on what the server still holds
/// (so they are newer: typed after the last save that reached it, before a reload, a lost
/// connection or the end of the session); otherwise the server's, which moved on since (an Avanti
/// on another device). Clocks are not compared: the phone's may be wrong.
pub fn resume(server: ApplicationForm, local: Option<LocalDraft>) -> ApplicationForm {
    match local {
        Some(local) if local.base == server => local.form,
        _ => server,
    }
}

/// The key for a confirmation: the one kept from an attempt whose outcome is unknown (a retry
/// must be the same request), else a `fresh` one.
pub fn confirmation_key(kept: Option<String>, fresh: impl FnOnce() -> String) -> String {
    kept.filter(|key| !key.is_empty()).unwrap_or_else(fresh)
}

/// Whether the key must be kept after `error`: yes when the server may have created the
/// application (no answer, a server error, overload), no when it refused (nothing was created
/// with it, and corrected answers are a new request).
pub fn keeps_key_after(error: &ApiError) -> bool {
    !matches!(
        error,
        ApiError::Validation { .. } | ApiError::Refused { .. } | ApiError::NotFound
    )
}

/// Sends `form` to `path` exactly once, however often it is pressed or retried: with the key kept
/// under `key_name` in this tab (saved before the request leaves, so that a reload mid-request
/// reuses it), dropped once the answer is final. The citizen's Conferma and the operator's.
pub async fn submit_once(
    path: &str,
    key_name: &str,
    form: &ApplicationForm,
    on_retry: impl Fn(RetryNotice),
) -> Result<ApplicationView, ApiError> {
    let key = confirmation_key(browser::load(Store::Session, key_name), browser::random_hex128);
    browser::save(Store::Session, key_name, &key);
    let answer = api_client::post_json_idempotent(path, form, &key, on_retry)
        .await
        .and_then(|json| {
            let view = wire::ApplicationView::parse_json(&json).ok_or(ApiError::Decode)?;
            Ok(ApplicationView::from(view))
        });
    match &answer {
        Err(error) if keeps_key_after(error) => {}
        _ => browser::remove(Store::Session, key_name),
    }
    answer
}

/// Where loading the application stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// Asking the API.
    Loading,
    /// The answers are in.
    Ready,
    /// The API could not be reached, or failed.
    Failed(ApiError),
}

/// The application's state, shared by the area's pages.
#[derive(Clone, Copy)]
pub struct ApplicationDraft {
    /// The answers as typed.
    pub answers: Answers,
    /// Where loading stands.
    pub load: RwSignal<Load>,
    /// The application already submitted, if any.
    pub submitted: RwSignal<Option<ApplicationView>>,
    /// The submission window.
    pub window: RwSignal<Option<WindowState>>,
    /// Problems the API found at CONFERMA, shown again on the page of each field.
    pub carried: RwSignal<Vec<FieldProblem>>,
    codice_fiscale: RwSignal<Option<String>>,
    base: RwSignal<ApplicationForm>,
    nav: Navigator,
    session: Session,
}

impl ApplicationDraft {
    fn new() -> Self {
        ApplicationDraft {
            answers: Answers::new(),
            load: RwSignal::new(Load::Loading),
            submitted: RwSignal::new(None),
            window: RwSignal::new(None),
            carried: RwSignal::new(Vec::new()),
            codice_fiscale: RwSignal::new(None),
            base: RwSignal::new(ApplicationForm::default()),
            nav: use_navigator(),
            session: use_session(),
        }
    }

    /// The whole form (reactive).
    pub fn form(self) -> ApplicationForm {
        self.answers.form()
    }

    /// The whole form, without tracking.
    pub fn form_untracked(self) -> ApplicationForm {
        self.answers.form_untracked()
    }

    fn set_form(self, form: ApplicationForm) {
        self.answers.set_form(form);
    }
}

impl ApplicationDraft {
    /// The first step, among those before `before` (all when `None`), that the domain's rules
    /// reject.
    pub fn first_incomplete(self, before: Option<ApplicationStep>) -> Option<ApplicationStep> {
        first_incomplete(&self.form_untracked(), before)
    }

    fn save_locally(self, form: ApplicationForm) {
        let Some(cf) = self.codice_fiscale.get_untracked() else {
            return;
        };
        let local = LocalDraft {
            form,
            base: self.base.get_untracked(),
        };
        if let Ok(json) = serde_json::to_string(&local) {
            browser::save(Store::Local, &local_key(&cf), &json);
        }
    }

    /// After the API said the session is over (401): to the login page, which says why. The
    /// device's copies go with the session (`Session::end`); the server keeps the draft saved at
    /// every step, which comes back after the next login.
    pub fn session_ended(self, error: &ApiError) -> bool {
        let ended = matches!(error, ApiError::Refused { status: 401, .. });
        if ended {
            self.session.end();
            self.nav.go(crate::components::EXPIRED_URL);
        }
        ended
    }

    /// Avanti on `step`: the server saves the answers whatever they are, then checks the step.
    pub async fn save_step(self, step: ApplicationStep, on_retry: impl Fn(RetryNotice)) -> Result<(), ApiError> {
        let form = self.form_untracked();
        let path = format!("{STATE_PATH}/steps/{}", step.slug());
        let answer = api_client::post_json_observed(&path, &form, on_retry).await;
        // A refusal of the answers comes after they were saved: the server has them either way.
        if matches!(answer, Ok(_) | Err(ApiError::Validation { .. })) {
            self.base.set(form.clone());
            self.save_locally(form);
        }
        answer.map(|_| ())
    }

    /// Saves the answers on the server without checking them (best effort: they are on the device).
    pub fn save_draft(self) {
        let form = self.form_untracked();
        browser::spawn(async move {
            if api_client::put_json(DRAFT_PATH, &form).await.is_ok() {
                self.base.set(form.clone());
                self.save_locally(form);
            }
        });
    }

    /// CONFERMA: sends the application once, with the kept key or a new one.
    pub async fn submit(self, on_retry: impl Fn(RetryNotice)) -> Result<ApplicationView, ApiError> {
        let answer = submit_once(SUBMIT_PATH, IDEMPOTENCY_KEY, &self.form_untracked(), on_retry).await;
        if let Ok(view) = &answer {
            // Submitted: the answers (IBAN, contacts) are on the server and in the receipt; no
            // copy of them, nor of the PIN request, stays on the device.
            browser::forget_personal_copies();
            self.carried.set(Vec::new());
            self.submitted.set(Some(view.clone()));
        }
        answer
    }

    async fn load_from_api(self) {
        match session::current().await {
            Ok(answer) => {
                self.codice_fiscale.set(Some(answer.value.codice_fiscale.clone()));
                self.session.start(answer);
            }
            Err(error) => return self.fail(error),
        }
        // `{form, saved_at, submitted, window: {open, opens_at, notice}, catalogue_version}`
        match api_client::get_json(STATE_PATH)
            .await
            .and_then(api_client::read::<wire::ApplicationState>)
        {
            Ok(state) => {
                let cf = self.codice_fiscale.get_untracked().unwrap_or_default();
                let local = browser::load(Store::Local, &local_key(&cf)).and_then(|json| LocalDraft::from_json(&json));
                let submitted = state.submitted.map(ApplicationView::from);
                if submitted.is_some() {
                    browser::remove(Store::Local, &local_key(&cf));
                }
                self.base.set(state.form.clone());
                self.set_form(resume(state.form, local));
                self.submitted.set(submitted);
                self.window.set(Some(state.window));
                self.load.set(Load::Ready);
            }
            // "Esci" is on the page while it loads: a session ended by the citizen meanwhile (the
            // one this load started is gone) is not a reason to send them to the login page.
            Err(_) if self.session.info.read_untracked().is_none() => {}
            Err(error) => self.fail(error),
        }
    }

    fn fail(self, error: ApiError) {
        if let ApiError::Refused { status: 401, .. } = error {
            // Not logged in (or no longer): the device forgets its copies (`Session::end`); the
            // draft the server saved comes back after the next login.
            self.session.end();
            self.nav.replace(LOGIN_PATH);
        } else {
            self.load.set(Load::Failed(error));
        }
    }
}

/// The first step, among those before `before` (all when `None`), that the domain's rules reject.
pub fn first_incomplete(form: &ApplicationForm, before: Option<ApplicationStep>) -> Option<ApplicationStep> {
    let catalogue = Catalogue::embedded();
    ApplicationStep::ALL
        .into_iter()
        .take_while(|step| Some(*step) != before)
        .find(|step| !form.validate_step(*step, catalogue).is_empty())
}

/// The step after `step`, if any.
pub fn next_step(step: ApplicationStep) -> Option<ApplicationStep> {
    ApplicationStep::ALL.into_iter().skip_while(|s| *s != step).nth(1)
}

/// The step before `step`, if any.
pub fn previous_step(step: ApplicationStep) -> Option<ApplicationStep> {
    ApplicationStep::ALL.into_iter().take_while(|s| *s != step).last()
}

/// Creates the draft, provides it as context, loads it and keeps the device's copy saved.
pub fn provide_draft() {
    let draft = ApplicationDraft::new();
    provide_context(draft);
    draft.session.resume_deadline();
    browser::spawn(draft.load_from_api());
    crate::ui::effect(move || {
        let form = draft.form();
        if *draft.load.read_untracked() == Load::Ready {
            draft.save_locally(form);
        }
    });
}

/// The draft.
pub fn use_draft() -> ApplicationDraft {
    expect_context::<ApplicationDraft>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(benefit: &str, iban: &str) -> ApplicationForm {
        ApplicationForm {
            benefit: benefit.into(),
            iban: iban.into(),
            mobile: "+39 333 123 4567".into(),
            ..ApplicationForm::default()
        }
    }

    #[test]
    fn changes_the_server_never_received_win_over_its_copy() {
        // GIVEN the server has what the device last sent, and the device has more since
        let server = form("art27", "");
        let local = LocalDraft {
            form: form("art27", "IT60 X054"),
            base: server.clone(),
        };
        // THEN the device's answers resume
        assert_eq!(resume(server, Some(local.clone())), local.form);
    }

    #[test]
    fn a_server_that_moved_on_wins_over_an_older_device_copy() {
        // GIVEN another device saved later on the server
        let local = LocalDraft {
            form: form("art27", "IT60"),
            base: form("art27", ""),
        };
        let server = form("art28", "IT99");
        assert_eq!(resume(server.clone(), Some(local)), server);
        assert_eq!(resume(server.clone(), None), server);
    }

    #[test]
    fn the_device_copy_reads_back_as_it_was_saved() {
        let local = LocalDraft {
            form: form("art27", "IT60 X054"),
            base: form("art27", ""),
        };
        let mut with_answers = local.clone();
        with_answers.form.declarations.insert("pensioner".into(), "no".into());
        for draft in [local, with_answers] {
            let json = serde_json::to_string(&draft).unwrap();
            assert_eq!(LocalDraft::from_json(&json), Some(draft));
        }
        assert_eq!(LocalDraft::from_json("not json"), None);
        // The API's form reads the same way.
        let api = serde_json::to_string(&form("art28", "IT1")).unwrap();
        assert_eq!(ApplicationForm::parse_json(&api), Some(form("art28", "IT1")));
    }

    #[test]
    fn the_device_copy_is_per_citizen() {
        assert_eq!(local_key("rssmra85t10h501o "), "sportello.application.RSSMRA85T10H501O");
        assert_ne!(local_key("RSSMRA85T10H501O"), local_key("BNCNNA90C43F205H"));
    }

    #[test]
    fn a_retry_reuses_the_kept_key_and_a_new_confirmation_makes_one() {
        assert_eq!(confirmation_key(Some("abc".into()), || "new".into()), "abc");
        assert_eq!(confirmation_key(None, || "new".into()), "new");
        assert_eq!(confirmation_key(Some(String::new()), || "new".into()), "new");
    }

    #[test]
    fn the_key_is_kept_only_while_the_outcome_is_unknown() {
        let refused = ApiError::Refused {
            status: 403,
            code: "submission.window_closed".into(),
            message: String::new(),
        };
        assert!(!keeps_key_after(&refused));
        assert!(keeps_key_after(&ApiError::Network));
        assert!(keeps_key_after(&ApiError::Server { status: 502 }));
        assert!(keeps_key_after(&ApiError::Overloaded));
        assert!(keeps_key_after(&ApiError::Decode));
    }

    #[test]
    fn steps_follow_each_other_and_a_new_form_stops_at_the_choice() {
        assert_eq!(next_step(ApplicationStep::Benefit), Some(ApplicationStep::Declarations));
        assert_eq!(next_step(ApplicationStep::Contacts), None);
        assert_eq!(previous_step(ApplicationStep::Benefit), None);
        assert_eq!(
            first_incomplete(&ApplicationForm::default(), None),
            Some(ApplicationStep::Benefit)
        );
        assert_eq!(
            first_incomplete(&ApplicationForm::default(), Some(ApplicationStep::Benefit)),
            None
        );
    }

    #[test]
    fn the_receipt_of_the_api_is_read() {
        let json = r#"{"protocol":"INPS-COVID-2020-0000001","submitted_at":"2020-04-01T15:00:00Z",
            "applicant":{"codice_fiscale":"RSSMRA85T10H501O","name":null},
            "channel":"contact_center","status":"submitted","status_label":"Presentata",
            "history":[{"status":"submitted","label":"Presentata","at":"2020-04-01T15:00:00Z"}],
            "content":{"benefit":"art27","declarations":{},"payment":{"method":"post_office"},
                "contacts":{"mobile":"+393331234567","email":"a@example.it","pec":null}},
            "catalogue_version":"2020-03-17"}"#;
        let view = ApplicationView::from(wire::ApplicationView::parse_json(json).unwrap());
        assert_eq!(view.protocol, "INPS-COVID-2020-0000001");
        assert_eq!(view.history[0].status, ApplicationStatus::Submitted);
        assert_eq!(view.history[0].at, "2020-04-01T15:00:00Z");
        assert_eq!(view.content.payment_method, "post_office");
        assert_eq!(view.channel, Channel::ContactCenter);
        // An answer without its channel is not a receipt (the page shows a problem with Riprova).
        let without_channel = json.replace(r#""channel":"contact_center","#, "");
        assert_eq!(wire::ApplicationView::parse_json(&without_channel), None);
    }

    #[test]
    fn what_the_server_stored_reads_back_as_the_form_that_made_it() {
        // GIVEN an application validated by the domain, as the API sends it
        let catalogue = Catalogue::embedded();
        let benefit = catalogue.benefit("art27").unwrap();
        let mut form = ApplicationForm {
            benefit: "art27".into(),
            payment_method: "iban".into(),
            iban: "IT60X0542811101000000123456".into(),
            account_holder: "joint".into(),
            joint_holder_name: "Luca Bianchi".into(),
            mobile: "+39 333 123 4567".into(),
            email: "giulia@example.it".into(),
            ..ApplicationForm::default()
        };
        for declaration in &benefit.declarations {
            let answer = match &declaration.kind {
                domain::benefits::DeclarationKind::Confirm => "yes".to_owned(),
                domain::benefits::DeclarationKind::YesNo { eligible_answer } => match eligible_answer {
                    Some(domain::benefits::YesNo::Yes) => "yes".to_owned(),
                    _ => "no".to_owned(),
                },
                domain::benefits::DeclarationKind::Date { eligible_from, .. } => {
                    eligible_from.map(|d| d.to_string()).unwrap_or("2020-01-01".into())
                }
                domain::benefits::DeclarationKind::Number { eligible_min, min, .. } => {
                    eligible_min.unwrap_or(*min).to_string()
                }
            };
            form.declarations.insert(declaration.id.clone(), answer);
        }
        let valid = form.validate(catalogue).expect("a valid application");
        // WHEN the page reads it
        let sent = serde_json::to_string(&ApplicationContent::from(&valid)).unwrap();
        assert_eq!(sent, serde_json::to_string(&valid).unwrap(), "the API's JSON");
        let read = form_of(ApplicationContent::parse_json(&sent).unwrap());
        // THEN it is the application's own form
        let expected = valid.to_form();
        assert_eq!(read.payment_method, expected.payment_method);
        assert_eq!(read.account_holder, "joint");
        assert_eq!(read.joint_holder_name, "Luca Bianchi");
        assert_eq!(read.benefit, "art27");
        assert_eq!(read.declarations.len(), benefit.declarations.len());
        assert_eq!(read.validate(catalogue).unwrap(), valid);
    }
}
