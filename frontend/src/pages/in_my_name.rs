//! "A tuo nome" (`/le-mie-domande/a-mio-nome`): for a citizen logged in with the full PIN, SPID,
//! CIE or CNS, every PIN request and application made in their name — when, where the PIN went,
//! which credential, which contacts, all masked by the API — and "Non sono stato io" on those a
//! report can stop (docs/adr/0017): the PIN is revoked, a simplified-PIN application suspended.

use crate::i18n::t;
use std::sync::Arc;

use domain::pin_request::PinRequestState;
use leptos::prelude::*;

use super::area::{rome_date_time, use_area_title};
use crate::api_client::{self, ApiError};
use crate::application_draft::use_draft;
use crate::area_texts::dyn_text;
use crate::browser;
use crate::components::problem_panel;
use crate::i18n::Text;
use crate::ui::{tr, use_lang};
use domain::wire::identity::{IdentityView, Report, ReportDone};

const IDENTITY_PATH: &str = "/api/identity";
const REPORTS_PATH: &str = "/api/identity/reports";

/// The words of a PIN request's state.
fn pin_state(state: PinRequestState) -> Text {
    match state {
        PinRequestState::PendingDelivery => Text::PinStatePending,
        PinRequestState::Delivered => Text::PinStateDelivered,
        PinRequestState::ValidatedByContactCenter => Text::PinStateValidated,
        PinRequestState::Expired => Text::PinStateExpired,
        PinRequestState::Revoked => Text::PinStateRevoked,
    }
}

fn when(rfc3339: &str) -> String {
    rome_date_time(rfc3339).map_or_else(String::new, |(date, time)| format!("{date} {time}"))
}

/// One row of a summary list.
fn row(key: Text, value: String) -> impl IntoView {
    view! {
        <div class="summary-list__row">
            <dt class="summary-list__key">{tr(key)}</dt>
            <dd class="summary-list__value">{value}</dd>
        </div>
    }
}

/// `/le-mie-domande/a-mio-nome`.
#[component]
pub fn InMyNamePage() -> impl IntoView {
    use_area_title(Text::InMyNameTitle, || false);
    let draft = use_draft();
    let lang = use_lang();
    let data: RwSignal<Option<Result<IdentityView, ApiError>>> = RwSignal::new(None);
    let outcome: RwSignal<Option<Result<Text, ApiError>>> = RwSignal::new(None);
    let load = move || {
        browser::spawn(async move {
            let answer = api_client::get_json(IDENTITY_PATH).await.and_then(api_client::read);
            if let Err(error) = &answer
                && draft.session_ended(error)
            {
                return;
            }
            data.set(Some(answer));
        });
    };
    load();
    let report = move |body: Report| {
        browser::spawn(async move {
            let answer = api_client::post_json(REPORTS_PATH, &body)
                .await
                .and_then(api_client::read::<ReportDone>);
            if let Err(error) = &answer
                && draft.session_ended(error)
            {
                return;
            }
            outcome.set(Some(answer.map(|done| {
                if done.suspended.is_some() {
                    Text::ReportedApplication
                } else {
                    Text::ReportedPin
                }
            })));
            load();
            browser::focus_by_id("report-outcome");
        });
    };

    let list = move || -> AnyView {
        let identity = match data.get() {
            None => return view! { <p role="status">{tr(Text::Loading)}</p> }.into_any(),
            Some(Err(error)) => return problem_panel(error),
            Some(Ok(identity)) => identity,
        };
        let pin_items = identity
            .pin_requests
            .into_iter()
            .map(|pin| {
                let created = pin.created_at;
                let state = pin_state(pin.state);
                let button = pin.reportable.then(|| {
                    let created = created.clone();
                    view! {
                        <button type="button" class="button button--secondary" on:click=move |_| report(Report { pin_request: Some(created.clone()), application: None })>
                            {tr(Text::ReportPin)}
                        </button>
                    }
                });
                view! {
                    <li class="section">
                        <h3>{tr(Text::PinRequestHeading)}" "{when(&created)}</h3>
                        <dl class="summary-list">
                            <div class="summary-list__row">
                                <dt class="summary-list__key">{tr(Text::StatusLabel)}</dt>
                                <dd class="summary-list__value"><strong class="tag">{tr(state)}</strong></dd>
                            </div>
                            {row(Text::SentSms, pin.sms)}
                            {row(Text::SentEmail, format!("{}, PEC {}", pin.email, pin.pec))}
                            {row(Text::SentLetter, pin.letter_to)}
                        </dl>
                        {button}
                    </li>
                }
            })
            .collect_view();
        let application_items = identity
            .applications
            .into_iter()
            .map(|a| {
                let protocol = a.protocol;
                let contacts = match a.contacts {
                    Some(contacts) => format!("{}, {}", contacts.mobile, contacts.email),
                    None => t(lang.get_untracked(), Text::ContactsHidden).to_owned(),
                };
                let how = format!("{}, {}", a.credential_label, when(&a.submitted_at));
                let button = a.reportable.then(|| {
                    let protocol = protocol.clone();
                    view! {
                        <button type="button" class="button button--secondary" on:click=move |_| report(Report { pin_request: None, application: Some(protocol.clone()) })>
                            {tr(Text::ReportApplication)}
                        </button>
                    }
                });
                view! {
                    <li class="section">
                        <h3>{protocol.clone()}</h3>
                        <dl class="summary-list">
                            {row(Text::StatusLabel, a.status_label)}
                            {row(Text::MadeWith, how)}
                            {row(Text::ContactsGiven, contacts)}
                        </dl>
                        {button}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h2>{tr(Text::PinRequestsHeading)}</h2>
            <ul class="list">{pin_items}</ul>
            <h2>{tr(Text::ApplicationsHeading)}</h2>
            <ul class="list">{application_items}</ul>
        }
        .into_any()
    };

    let outcome_view = move || {
        outcome.get().map(|result| match result {
            Ok(done) => view! {
                <div id="report-outcome" class="panel" role="status" tabindex="-1">
                    <p class="panel__text">{tr(done)}</p>
                </div>
            }
            .into_any(),
            Err(error) => problem_panel(error),
        })
    };

    view! {
        <h1>{tr(Text::InMyNameHeading)}</h1>
        <p>{tr(Text::InMyNameIntro)}</p>
        {outcome_view}
        {list}
        <p><a href=crate::router::APPLICATION_PATH>{dyn_text(Arc::new(move || t(lang.get(), Text::ApplicationHeading).to_owned()))}</a></p>
    }
}
