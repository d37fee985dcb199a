//! `/domanda`: where the application starts after login. It says who is in and with which
//! access, what the application asks and when it can be sent (with the API's notice while sending
//! is closed), then "Inizia" or "Riprendi" — or, once the application is submitted, the way to
//! its receipt. Esci is in the header, as on every page behind login.

use crate::i18n::{t, t_with};
use domain::Scope;
use leptos::prelude::*;

use std::sync::Arc;

use super::area::{use_area_title, when_loaded, window_notice};
use crate::application_draft::use_draft;
use crate::area_texts::dyn_text;
use crate::i18n::Text;
use crate::router::{self, APPLICATION_SUMMARY_PATH, MY_APPLICATIONS_PATH};
use crate::session::use_session;
use crate::ui::{tr, use_lang};

/// `/domanda`.
#[component]
pub fn ApplicationStartPage() -> impl IntoView {
    let draft = use_draft();
    let session = use_session();
    let lang = use_lang();
    use_area_title(Text::ApplicationTitle, || false);

    let who = move || {
        session.info.get_untracked().map(|info| {
            let lang = lang.get();
            let access = match (info.method.as_str(), info.scope) {
                ("pin", Scope::Simplified) => t(lang, Text::AccessSimplified).to_owned(),
                ("pin", _) => t(lang, Text::AccessFull).to_owned(),
                (other, _) => other.to_ascii_uppercase(),
            };
            let text = t_with(lang, Text::LoggedInAs, "cf", &info.codice_fiscale).replace("{access}", &access);
            view! {
                <p class="lead">{text}</p>
                {match info.scope {
                    Scope::Simplified => view! { <p>{tr(Text::SimplifiedScopeNote)}</p> }.into_any(),
                    Scope::Full => view! { <p><a href=router::IN_MY_NAME_PATH>{tr(Text::InMyNameLink)}</a></p> }.into_any(),
                }}
            }
        })
    };

    let page = move || {
        let submitted = draft.submitted.get_untracked();
        let next = match submitted {
            Some(view) => {
                let receipt = router::receipt_path(&view.protocol);
                let protocol = view.protocol;
                view! {
                <div class="inset-text">
                    <p>{dyn_text(Arc::new(move || t_with(lang.get(), Text::AlreadySubmittedLead, "protocol", &protocol)))}</p>
                </div>
                <div class="button-group">
                    <a href=receipt class="button" draggable="false">{tr(Text::SeeReceipt)}</a>
                    <a href=MY_APPLICATIONS_PATH class="button button--secondary" draggable="false">{tr(Text::MyApplicationsLink)}</a>
                </div>
            }
            .into_any()
            }
            None => {
                let started = !draft.answers.benefit.get_untracked().trim().is_empty();
                let href = match draft.first_incomplete(None) {
                    Some(step) => router::application_step_path(step),
                    None => APPLICATION_SUMMARY_PATH.to_owned(),
                };
                let label = if started {
                    Text::ResumeApplication
                } else {
                    Text::StartApplication
                };
                view! {
                    {window_notice(draft)}
                    <h2>{tr(Text::StepsHeading)}</h2>
                    <ol class="list list--number">
                        <li>{tr(Text::ApplicationStep1)}</li>
                        <li>{tr(Text::ApplicationStep2)}</li>
                        <li>{tr(Text::ApplicationStep3)}</li>
                        <li>{tr(Text::ApplicationStep4)}</li>
                    </ol>
                    <h2>{tr(Text::WindowHeading)}</h2>
                    <p>{tr(Text::WindowFill)}</p>
                    <p>{window_hours(draft)}</p>
                    <p>{tr(Text::DraftSavedNote)}</p>
                    <a href=href class="button button--start" draggable="false">{tr(label)}</a>
                }
                .into_any()
            }
        };
        view! {
            {who}
            {next}
        }
        .into_any()
    };

    view! {
        <h1>{tr(Text::ApplicationHeading)}</h1>
        {when_loaded(draft, page)}
    }
}

/// When sending is possible, with the hours the server's window has (its configuration), not
/// hours written into the page.
fn window_hours(draft: crate::application_draft::ApplicationDraft) -> impl Fn() -> String + Send + Sync + 'static {
    let lang = use_lang();
    move || {
        let window = draft.window.read();
        let (start, end) = window
            .as_ref()
            .map_or(("", ""), |w| (w.hours.start.as_str(), w.hours.end.as_str()));
        t_with(lang.get(), Text::WindowSendHours, "start", start).replace("{end}", end)
    }
}
