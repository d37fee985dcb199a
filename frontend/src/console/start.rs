//! Finding the citizen (`/operatore`): the codice fiscale the citizen gives on the phone opens a
//! call, whose page the console then shows. The codice fiscale goes in the request's body, never
//! in an address.

use crate::i18n::{Text, t};
use crate::ui::tr;
use domain::Lang;
use leptos::prelude::*;
use serde::Serialize;

use super::problems::{Issue, Problems, same_page};
use super::routes::{AUDIT_PATH, call_path};
use super::state::{CALLS_PATH, CallView, Who, use_console};
use super::ui::use_title;
use crate::api_client::{self, ApiError};
use crate::browser;
use crate::components::{ErrorSummary, FORM_ID, SendStatus, Sending, TextInput};
use crate::router::use_navigator;

#[derive(Serialize)]
struct OpenCall {
    codice_fiscale: String,
}

fn label(field: &str, lang: Lang) -> Option<&'static str> {
    (field == "codice_fiscale").then(|| t(lang, Text::ConsoleCfLabel))
}

/// `/operatore`.
pub fn start_page() -> AnyView {
    let console = use_console();
    let nav = use_navigator();
    let problems = Problems::new();
    use_title(Text::StartTitle, move || problems.any());
    let cf = RwSignal::new(String::new());
    let sending = RwSignal::new(Sending::Idle);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked().busy() {
            return;
        }
        let request = OpenCall {
            codice_fiscale: cf.get_untracked().trim().to_owned(),
        };
        if request.codice_fiscale.is_empty() {
            problems.show(vec![(Some("codice_fiscale".into()), Issue::Console(Text::CfMissing))]);
            return;
        }
        sending.set(Sending::Waiting);
        browser::spawn(async move {
            let on_retry = move |notice| sending.set(Sending::retrying(notice));
            let answer = api_client::post_json_observed(CALLS_PATH, &request, on_retry).await;
            sending.set(Sending::after(&answer));
            match answer.and_then(|json| CallView::from_json(&json).ok_or(ApiError::Decode)) {
                Ok(call) => {
                    // The previous citizen's answers must not follow into this call.
                    console.forget();
                    let path = call_path(&call.id);
                    console.call.set(Some(call));
                    nav.go(&path);
                }
                Err(error) if console.session_ended(&error) => {}
                Err(error) => problems.show_api(&error),
            }
        });
    };

    let audit_link = matches!(&*console.who.read_untracked(), Who::Operator(info) if info.supervisor)
        .then(|| view! { <p><a href=AUDIT_PATH>{tr(Text::AuditHeading)}</a></p> });

    view! {
        <div class="console-narrow">
            <ErrorSummary items=problems.summary(same_page(), label) focus_token=problems.focus_token() />
            <h1>{tr(Text::StartHeading)}</h1>
            <p>{tr(Text::ConsoleStartIntro)}</p>
            <form id=FORM_ID novalidate on:submit=on_submit>
                <TextInput id="codice_fiscale" label=Text::ConsoleCfLabel hint=Text::ConsoleCfHint error=problems.field("codice_fiscale") value=cf class="input--cf" />
                <button type="submit" class="button">{tr(Text::OpenCall)}</button>
            </form>
            <SendStatus sending=sending />
            {audit_link}
        </div>
    }
    .into_any()
}
