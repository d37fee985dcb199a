//! What the console's pages share: who is logged in, the call being handled and the application
//! being filed on it, with the API's answers read as `domain::wire` types (their small `FromJson` readers, not a
//! derived `Deserialize`: ADR 0008), then into what the pages show.
//!
//! The answers live in the page and are saved on the server at each change (ADR 0010). So that a
//! session that times out mid-call loses nothing, this tab's `sessionStorage` also holds, until
//! the receipt or a logout, a copy of the answers keyed by call, and the call's page that the
//! session ended on: after a new login the operator is back there, with every answer. A copy is
//! read back only once the server has given the call to the operator now logged in (calls are
//! their operator's alone), and `sessionStorage` is the tab's: closing it drops everything, as
//! on a shared desk it should. CONFERMA's idempotency key is kept there too, so that a retry after
//! a lost answer is the same request for the server.

use domain::application::{ApplicationForm, ApplicationStatus};
use domain::pin_request::PinRequestState;
use domain::submission_window::Channel;
use domain::wire::application::ApplicationState;
use domain::wire::operator as wire;
use domain::wire::session::OperatorRole;
use leptos::prelude::*;

use super::routes::LOGIN_ENDED_URL;
use crate::api_client::{self, ApiError, RetryNotice};
use crate::application_draft::{ApplicationView, WindowState, submit_once};
use crate::application_questions::Answers;
use crate::browser;
use crate::json::{FromJson, Json};
use crate::queued_messages::QueuedMessage;
use crate::router::{Navigator, use_navigator};

/// The operator's session.
pub const SESSION_PATH: &str = "/api/operator/session";
/// Opening a call.
pub const CALLS_PATH: &str = "/api/operator/calls";

/// The API path of the call `id`, with `rest` after it (`""`, `/pin-check`…).
pub fn call_api(id: &str, rest: &str) -> String {
    format!("{CALLS_PATH}/{id}{rest}")
}

/// Where CONFERMA's key for the call `id` is kept until a receipt arrives.
pub fn idempotency_key_name(id: &str) -> String {
    format!("sportello.console.submit.{id}")
}

/// Where this tab's copy of the answers on the call `id` is kept until the receipt.
pub fn local_draft_key(id: &str) -> String {
    format!("sportello.console.draft.{id}")
}

/// Where this tab keeps the call's page that the session ended on, for after the next login.
pub const RETURN_KEY: &str = "sportello.console.return";

/// Where to go after a login: the call's page the session ended on, if it was one (anything else
/// kept there is ignored), otherwise finding the citizen.
pub fn after_login_path(kept: Option<&str>) -> String {
    use super::routes::ConsoleRoute;
    match kept.map(|path| (path, ConsoleRoute::from_path(path))) {
        Some((
            path,
            ConsoleRoute::Call(_) | ConsoleRoute::Form(_) | ConsoleRoute::Summary(_) | ConsoleRoute::Receipt(_),
        )) => path.to_owned(),
        _ => crate::router::CONSOLE_PATH.to_owned(),
    }
}

/// The answers kept in this tab for the call `id`, if any.
fn local_draft(id: &str) -> Option<ApplicationForm> {
    let text = browser::load(browser::Store::Session, &local_draft_key(id))?;
    ApplicationForm::from_json(&Json::parse(&text)?)
}

/// Keeps `form` in this tab as the answers on the call `id`.
pub fn keep_local_draft(id: &str, form: &ApplicationForm) {
    if let Ok(text) = serde_json::to_string(form) {
        browser::save(browser::Store::Session, &local_draft_key(id), &text);
    }
}

/// How the last save of the answers went, for the notice on the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftSave {
    /// Nothing to say: saved, or not yet changed.
    Saved,
    /// The server did not take the answers: they are in this tab only.
    Failed(ApiError),
}

/// The operator logged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorInfo {
    /// Their username.
    pub username: String,
    /// Their name as the administrator wrote it.
    pub full_name: String,
    /// They may read the audit log (the API decides; this only shows the way to it).
    pub supervisor: bool,
}

impl OperatorInfo {
    /// From the API's `{username, full_name, role, expires_at, idle_seconds}`.
    pub fn from_json(json: &Json) -> Option<OperatorInfo> {
        let info = domain::wire::session::OperatorInfo::from_json(json)?;
        Some(OperatorInfo {
            username: info.username,
            full_name: info.full_name,
            supervisor: info.role == OperatorRole::Supervisor,
        })
    }
}

/// The audit log.
pub const AUDIT_API: &str = "/api/operator/audit";

/// One line of the audit log, as the API sends it; `action` and `outcome` are the API's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    /// When (RFC 3339).
    pub at: String,
    /// The operator's username.
    pub operator: String,
    /// The citizen, if the action concerned one.
    pub codice_fiscale: String,
    /// What, e.g. `pin_check`.
    pub action: String,
    /// `ok` or `refused`.
    pub outcome: String,
    /// A call id, a protocol number or an error code.
    pub detail: String,
}

/// The lines of the API's `{entries: […]}`, newest first (`None` if it is not the log).
pub fn audit_lines(json: &Json) -> Option<Vec<AuditLine>> {
    let list = wire::AuditList::from_json(json)?;
    let lines = list.entries.into_iter().map(|e| AuditLine {
        at: e.at.0,
        operator: e.operator,
        codice_fiscale: e.codice_fiscale.unwrap_or_default(),
        action: e.action.as_str().to_owned(),
        outcome: match e.outcome {
            domain::operator::AuditOutcome::Ok => "ok",
            domain::operator::AuditOutcome::Refused => "refused",
        }
        .to_owned(),
        detail: e.detail,
    });
    Some(lines.collect())
}

/// Who is at the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// Asking the API.
    Unknown,
    /// An operator.
    Operator(OperatorInfo),
    /// Nobody: the login page.
    Nobody,
}

/// Where the citizen's PIN request stands, as the call shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinRequestView {
    /// Its state now.
    pub state: PinRequestState,
    /// When it was made (RFC 3339).
    pub requested_at: String,
    /// The Contact Center may validate it now.
    pub may_validate: bool,
    /// When it may be validated, while it is pending delivery (RFC 3339).
    pub validation_possible_at: Option<String>,
}

/// The application's receipt and status, as the call shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallApplication {
    /// The protocol number.
    pub protocol: String,
    /// Its status now.
    pub status: ApplicationStatus,
    /// When it was submitted (RFC 3339).
    pub submitted_at: String,
    /// Who filed it.
    pub channel: Channel,
}

/// A call: only what the operator's task needs, never contacts nor the IBAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallView {
    /// The call's id (in the console's addresses).
    pub id: String,
    /// The citizen on the phone.
    pub codice_fiscale: String,
    /// Their name, once their PIN characters were verified on this call.
    pub citizen_name: Option<String>,
    /// The citizen's PIN characters were verified on this call.
    pub pin_checked: bool,
    /// The PIN request, if any.
    pub pin_request: Option<PinRequestView>,
    /// The application, if submitted.
    pub application: Option<CallApplication>,
    /// The citizen's messages, newest first, with how each went.
    pub messages: Vec<QueuedMessage>,
    /// The Contact Center's submission window.
    pub window: WindowState,
}

impl CallView {
    /// From the API's answer (`None` if it is not a call).
    pub fn from_json(json: &Json) -> Option<CallView> {
        let call = wire::CallView::from_json(json)?;
        Some(CallView {
            id: call.id,
            codice_fiscale: call.codice_fiscale,
            citizen_name: call.citizen_name,
            pin_checked: call.pin_checked,
            pin_request: call.pin_request.map(|pin| PinRequestView {
                state: pin.state,
                requested_at: pin.requested_at.0,
                may_validate: pin.may_validate,
                validation_possible_at: pin.validation_possible_at.map(|at| at.0),
            }),
            application: call.application.map(|app| CallApplication {
                protocol: app.protocol,
                status: app.status,
                submitted_at: app.submitted_at.0,
                channel: app.channel,
            }),
            messages: call.messages,
            window: call.window,
        })
    }
}

/// Where the new first part of the PIN went, masked, from the validation's answer.
/// (`None` if it is not a validation).
pub fn sent_to(json: &Json) -> Option<Vec<String>> {
    let sent = wire::PinValidated::from_json(json)?.sent_to;
    Some(
        [sent.sms, sent.email, sent.pec]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// Where loading a page's data stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// Asking the API.
    Loading,
    /// In.
    Ready,
    /// The API could not be reached, or refused.
    Failed(ApiError),
}

/// The application being filed on a call.
#[derive(Clone, Copy)]
pub struct Draft {
    /// The answers as typed, one signal per question (the shared questions take them).
    pub answers: Answers,
    /// The call whose application these answers are (`None`: not loaded).
    pub call: RwSignal<Option<String>>,
    /// The application already submitted on it, if any.
    pub submitted: RwSignal<Option<ApplicationView>>,
    /// The Contact Center's window.
    pub window: RwSignal<Option<WindowState>>,
    /// How the last save to the server went.
    pub save: RwSignal<DraftSave>,
}

impl Draft {
    fn new() -> Self {
        Draft {
            answers: Answers::new(),
            call: RwSignal::new(None),
            submitted: RwSignal::new(None),
            window: RwSignal::new(None),
            save: RwSignal::new(DraftSave::Saved),
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

    /// Replaces every answer.
    pub fn set_form(self, form: ApplicationForm) {
        self.answers.set_form(form);
    }
}

/// The console's shared state.
#[derive(Clone, Copy)]
pub struct Console {
    /// Who is logged in.
    pub who: RwSignal<Who>,
    /// When the session ends, on this browser's clock (ms), as the server last said.
    pub deadline: RwSignal<Option<f64>>,
    /// The call last read.
    pub call: RwSignal<Option<CallView>>,
    /// The application being filed.
    pub draft: Draft,
    /// The console's router.
    pub nav: Navigator,
}

impl Console {
    /// After the API said the operator's session is over (401): forget everything of the
    /// citizen's and go to the login page, which says why. `true` if that was the case.
    /// The page it ended on is kept for after the next login, and so are (already) the answers.
    pub fn session_ended(self, error: &ApiError) -> bool {
        let ended = matches!(error, ApiError::Refused { status: 401, .. });
        if ended && !matches!(self.who.get_untracked(), Who::Nobody) {
            browser::save(browser::Store::Session, RETURN_KEY, &browser::location_path());
            self.forget();
            self.who.set(Who::Nobody);
            self.nav.replace(LOGIN_ENDED_URL);
        }
        ended
    }

    /// Drops the citizen's data from the page (logout, a new call).
    pub fn forget(self) {
        self.call.set(None);
        self.draft.set_form(ApplicationForm::default());
        self.draft.call.set(None);
        self.draft.submitted.set(None);
        self.draft.window.set(None);
        self.draft.save.set(DraftSave::Saved);
    }

    /// Reads the call `id` into [`Console::call`].
    pub async fn load_call(self, id: &str) -> Result<CallView, ApiError> {
        let json = api_client::get_json(&call_api(id, "")).await?;
        let call = CallView::from_json(&json).ok_or(ApiError::Decode)?;
        self.call.set(Some(call.clone()));
        Ok(call)
    }

    /// Reads the application of the call `id` into the draft, unless it is there already.
    pub async fn load_application(self, id: &str) -> Result<(), ApiError> {
        if self.draft.call.get_untracked().as_deref() == Some(id) {
            return Ok(());
        }
        // `{form, saved_at, submitted, window, catalogue_version}`, as for the citizen.
        let state = api_client::get_json(&call_api(id, "/application"))
            .await
            .and_then(api_client::read::<ApplicationState>)?;
        // The server has given this operator the call: the answers this tab kept for it are
        // newer than the server's if a save failed (an expired session), and never older.
        let kept = local_draft(id).filter(|_| state.submitted.is_none());
        let resumed = kept.as_ref().is_some_and(|kept| *kept != state.form);
        self.draft.set_form(kept.unwrap_or(state.form));
        if state.submitted.is_some() {
            browser::remove(browser::Store::Session, &local_draft_key(id));
        }
        self.draft.submitted.set(state.submitted.map(ApplicationView::from));
        self.draft.window.set(Some(state.window));
        self.draft.call.set(Some(id.to_owned()));
        if resumed {
            self.save_draft(id.to_owned());
        }
        Ok(())
    }

    /// Avanti: the server saves the answers and checks each step in turn, stopping at the first
    /// that it refuses.
    pub async fn save_steps(self, id: &str, on_retry: impl Fn(RetryNotice) + Copy) -> Result<(), ApiError> {
        let form = self.draft.form_untracked();
        for step in domain::application::ApplicationStep::ALL {
            let path = call_api(id, &format!("/application/steps/{}", step.slug()));
            api_client::post_json_observed(&path, &form, on_retry).await?;
        }
        Ok(())
    }

    /// Saves the answers without checking them: kept in this tab at once, then sent to the
    /// server; a failure shows on the form, and a session that is over goes to the login page.
    pub fn save_draft(self, id: String) {
        let form = self.draft.form_untracked();
        keep_local_draft(&id, &form);
        browser::spawn(async move {
            let answer = api_client::put_json(&call_api(&id, "/application/draft"), &form).await;
            // A later change has been sent meanwhile: its answer is the one that counts.
            if self.draft.form_untracked() != form {
                return;
            }
            match answer {
                Ok(_) => self.draft.save.set(DraftSave::Saved),
                Err(error) if self.session_ended(&error) => {}
                Err(error) => self.draft.save.set(DraftSave::Failed(error)),
            }
        });
    }

    /// CONFERMA: sends the application once, with the kept key or a new one.
    pub async fn submit(self, id: &str, on_retry: impl Fn(RetryNotice)) -> Result<ApplicationView, ApiError> {
        let answer = submit_once(
            &call_api(id, "/application/submit"),
            &idempotency_key_name(id),
            &self.draft.form_untracked(),
            on_retry,
        )
        .await;
        if let Ok(view) = &answer {
            self.draft.submitted.set(Some(view.clone()));
            browser::remove(browser::Store::Session, &local_draft_key(id));
        }
        answer
    }

    /// Asks the API who is logged in.
    async fn load_operator(self) {
        let who = match api_client::get_json(SESSION_PATH).await {
            Ok(json) => OperatorInfo::from_json(&json).map_or(Who::Nobody, Who::Operator),
            Err(_) => Who::Nobody,
        };
        self.who.set(who);
    }
}

/// Creates the console's state, provides it as context and asks who is logged in.
pub fn provide_console() -> Console {
    let console = Console {
        who: RwSignal::new(Who::Unknown),
        deadline: RwSignal::new(None),
        call: RwSignal::new(None),
        draft: Draft::new(),
        nav: use_navigator(),
    };
    provide_context(console);
    browser::spawn(console.load_operator());
    console
}

/// The console's state.
pub fn use_console() -> Console {
    expect_context::<Console>()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: &str = r#""window":{"open":true,"opens_at":"2020-04-01T08:00:00Z","notice":null,"hours":{"start":"08:00","end":"16:00"}}"#;

    #[test]
    fn a_call_reads_as_the_api_sends_it() {
        let json = Json::parse(&format!(
            r#"{{"id":"ab12","codice_fiscale":"VRDGLI90E51H501X","opened_at":"2020-04-01T08:00:00Z",
            "pin_checked":false,
            "pin_request":{{"state":"pending_delivery","requested_at":"2020-04-01T07:00:00Z","age_seconds":3600,
                "may_validate":false,"validation_possible_at":"2020-04-01T19:00:00Z"}},
            "application":null,
            "messages":[{{"channel":"sms","kind":"pin_first_half","to":"+39 ***2233","state":"sent",
                "created_at":"2020-04-01T07:00:00Z","sent_at":"2020-04-01T07:00:00Z","attempts":1}}],
            {WINDOW}}}"#
        ))
        .unwrap();
        let call = CallView::from_json(&json).unwrap();
        assert_eq!(call.id, "ab12");
        assert!(!call.pin_checked);
        let pin = call.pin_request.unwrap();
        assert_eq!(pin.state, PinRequestState::PendingDelivery);
        assert_eq!(pin.validation_possible_at.as_deref(), Some("2020-04-01T19:00:00Z"));
        assert!(call.application.is_none());
        assert_eq!(call.messages.len(), 1);
        assert_eq!(call.messages[0].state, "sent");
        assert!(call.window.open);
        assert_eq!(call.window.hours.start, "08:00");
    }

    #[test]
    fn a_call_with_an_application_filed_by_the_contact_center_says_so() {
        let json = Json::parse(&format!(
            r#"{{"id":"ab12","codice_fiscale":"X","opened_at":"2020-04-01T08:00:00Z","pin_checked":true,"pin_request":null,
            "application":{{"protocol":"INPS-COVID-2020-0000001","status":"submitted","status_label":"Presentata",
                "submitted_at":"2020-04-01T08:05:00Z","channel":"contact_center"}},"messages":[],
            {WINDOW}}}"#
        ))
        .unwrap();
        let call = CallView::from_json(&json).unwrap();
        let application = call.application.unwrap();
        assert_eq!(application.channel, Channel::ContactCenter);
        assert_eq!(application.status, ApplicationStatus::Submitted);
        assert!(call.pin_request.is_none());
        assert!(CallView::from_json(&Json::Null).is_none());
    }

    #[test]
    fn the_masked_contacts_of_a_validation_are_listed_in_order() {
        let json = Json::parse(
            r#"{"state":"validated_by_contact_center","validated_at":"2020-04-01T08:05:00Z","sent_to":{"sms":"+39 ***2233","email":"g***@example.it","pec":""}}"#,
        )
        .unwrap();
        assert_eq!(sent_to(&json).unwrap(), ["+39 ***2233", "g***@example.it"]);
        assert_eq!(sent_to(&Json::parse(r#"{"sent_to":{}}"#).unwrap()), None);
    }

    #[test]
    fn an_operator_reads_from_the_session() {
        let json = Json::parse(
            r#"{"username":"mrossi","full_name":"Maria Rossi","role":"agent","expires_at":"2020-04-01T08:10:00Z","idle_seconds":600}"#,
        )
        .unwrap();
        assert_eq!(
            OperatorInfo::from_json(&json),
            Some(OperatorInfo {
                username: "mrossi".into(),
                full_name: "Maria Rossi".into(),
                supervisor: false,
            })
        );
        let json = Json::parse(
            r#"{"username":"capo","full_name":"Lia Bianchi","role":"supervisor","expires_at":"2020-04-01T08:10:00Z","idle_seconds":600}"#,
        )
        .unwrap();
        assert!(OperatorInfo::from_json(&json).unwrap().supervisor);
    }

    #[test]
    fn audit_lines_read_from_the_log_newest_first() {
        let json = Json::parse(
            r#"{"entries":[{"at":"2020-04-03T09:01:00Z","operator":"mrossi","codice_fiscale":"VRDNNA85T49H501U","action":"call_opened","outcome":"ok","detail":"ab12"},
                {"at":"2020-04-03T09:00:00Z","operator":"mrossi","codice_fiscale":null,"action":"login","outcome":"ok","detail":""}]}"#,
        )
        .unwrap();
        let lines = audit_lines(&json).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].action, "call_opened");
        assert_eq!(lines[0].codice_fiscale, "VRDNNA85T49H501U");
        assert_eq!(lines[1].codice_fiscale, "");
        assert!(audit_lines(&Json::parse("{}").unwrap()).is_none());
    }

    #[test]
    fn each_call_keeps_its_own_confirmation_key() {
        assert_ne!(idempotency_key_name("a1"), idempotency_key_name("b2"));
        assert_eq!(call_api("a1", "/pin-check"), "/api/operator/calls/a1/pin-check");
    }
}
