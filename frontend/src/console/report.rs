//! "Non sono stato io" on a call: the citizen says the PIN request or the application in their
//! name is not theirs, and proves it with the 8 characters of the letter, which reach only the
//! residence the registry knows (the stranger who made the request has the first half, never
//! these). The API checks them like a PIN check and audits the report; here is its form.

use crate::i18n::{Text, t_with};
use crate::ui::tr;
use std::sync::Arc;

use domain::application::ApplicationStatus;
use domain::pin_request::PinRequestState;
use leptos::prelude::*;
use serde::Serialize;

use super::problems::{Issue, Problems};
use super::state::{CallView, call_api, use_console};
use crate::api_client;
use crate::area_texts::{dyn_text, dyn_view};
use crate::browser;
use crate::components::TextInput;
use crate::ui::use_lang;

/// The form's id: the call page has the PIN check's form too.
const REPORT_FORM_ID: &str = "segnalazione";

#[derive(Serialize)]
struct CallReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pin_request: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    application: Option<String>,
    letter: String,
}

/// What a report did: whether the PIN was revoked, and the application suspended, if one was.
/// Kept by the call page, so that the outcome stays when the call is read again after it.
pub type ReportOutcome = RwSignal<Option<(bool, Option<String>)>>;

/// The report's section of the call: its outcome, once made; the form while there is something
/// to report — the application if one can still be suspended (its report revokes the PIN too),
/// else the live PIN request.
pub fn report_section(
    call: &CallView,
    problems: Problems,
    reload: Arc<dyn Fn() + Send + Sync>,
    done: ReportOutcome,
) -> AnyView {
    let application = call
        .application
        .as_ref()
        .filter(|a| !matches!(a.status, ApplicationStatus::Suspended | ApplicationStatus::Paid))
        .map(|a| a.protocol.clone());
    let pin_request = call
        .pin_request
        .as_ref()
        .filter(|p| !matches!(p.state, PinRequestState::Revoked | PinRequestState::Expired))
        .map(|p| p.requested_at.clone());
    let lang = use_lang();
    let outcome = dyn_view(Arc::new(move || {
        done.get()
            .map(|(_, suspended)| {
                let text = dyn_text(Arc::new(move || match &suspended {
                    Some(protocol) => t_with(lang.get(), Text::ReportDoneSuspended, "protocol", protocol),
                    None => crate::i18n::t(lang.get(), Text::ReportDonePin).to_owned(),
                }));
                view! { <div class="panel panel--success" role="status"><p class="panel__text">{text}</p></div> }
            })
            .into_any()
    }));
    if application.is_none() && pin_request.is_none() {
        return outcome.into_any();
    }
    let console = use_console();
    let letter = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let id = call.id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let request = CallReport {
            pin_request: application.is_none().then(|| pin_request.clone()).flatten(),
            application: application.clone(),
            letter: letter.get_untracked().trim().to_owned(),
        };
        if request.letter.is_empty() {
            problems.show(vec![(Some("letter".into()), Issue::Console(Text::LetterMissing))]);
            return;
        }
        sending.set(true);
        let (id, reload) = (id.clone(), reload.clone());
        browser::spawn(async move {
            let answer = api_client::post_json_observed(&call_api(&id, "/identity-report"), &request, |_| {})
                .await
                .and_then(api_client::read::<domain::wire::identity::ReportDone>);
            sending.set(false);
            match answer {
                Ok(report) => {
                    letter.set(String::new());
                    problems.clear();
                    done.set(Some((report.pin_revoked, report.suspended)));
                    reload();
                }
                Err(error) if console.session_ended(&error) => {}
                Err(error) => problems.show_api(&error),
            }
        });
    };
    let status = move || sending.get().then(|| tr(Text::ReportSending));
    view! {
        <section aria-labelledby="report-heading">
            <h2 id="report-heading">{tr(Text::ReportHeading)}</h2>
            <p>{tr(Text::ReportIntro)}</p>
            <form id=REPORT_FORM_ID novalidate on:submit=submit>
                <TextInput id="letter" label=Text::LetterLabel hint=Text::LetterHint error=problems.field("letter") value=letter class="input--pin" />
                <button type="submit" class="button button--warning">{tr(Text::ReportSubmit)}</button>
            </form>
            <p role="status" class="send-status">{status}</p>
            {outcome}
        </section>
    }
    .into_any()
}
