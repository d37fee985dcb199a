//! "A tuo nome" (`/le-mie-domande/a-mio-nome`): for a citizen logged in with the full PIN, SPID,
//! CIE or CNS, every PIN request and application made in their name — when, where the PIN went,
//! which credential, which contacts, all masked by the API — and "Non sono stato io" on those a
//! report can stop (docs/adr/0017): the PIN is revoked, a simplified-PIN application suspended.

use std::sync::Arc;

use domain::pin_request::PinRequestState;
use leptos::prelude::*;

use super::area::{problem_panel, rome_date_time, use_area_title};
use crate::api_client::{self, ApiError};
use crate::application_draft::use_draft;
use crate::area_texts::{AreaText, at, dyn_text, w};
use crate::browser;
use crate::i18n::Text;
use crate::ui::{tr, use_lang};
use domain::wire::identity::{IdentityView, Report, ReportDone};

const IDENTITY_PATH: &str = "/api/identity";
const REPORTS_PATH: &str = "/api/identity/reports";

/// The words of a PIN request's state.
fn pin_state(state: PinRequestState) -> AreaText {
    match state {
        PinRequestState::PendingDelivery => AreaText::PinStatePending,
        PinRequestState::Delivered => AreaText::PinStateDelivered,
        PinRequestState::ValidatedByContactCenter => AreaText::PinStateValidated,
        PinRequestState::Expired => AreaText::PinStateExpired,
        PinRequestState::Revoked => AreaText::PinStateRevoked,
    }
}

fn when(rfc3339: &str) -> String {
    rome_date_time(rfc3339).map_or_else(String::new, |(date, time)| format!("{date} {time}"))
}

/// One row of a summary list.
fn row(key: AreaText, value: String) -> impl IntoView {
    view! {
        <div class="summary-list__row">
            <dt class="summary-list__key">{w(key)}</dt>
            <dd class="summary-list__value">{value}</dd>
        </div>
    }
}

/// `/le-mie-domande/a-mio-nome`.
#[component]
pub fn InMyNamePage() -> impl IntoView {
    use_area_title(AreaText::InMyNameTitle, || false);
    let draft = use_draft();
    let lang = use_lang();
    let data: RwSignal<Option<Result<IdentityView, ApiError>>> = RwSignal::new(None);
    let outcome: RwSignal<Option<Result<AreaText, ApiError>>> = RwSignal::new(None);
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
                    AreaText::ReportedApplication
                } else {
                    AreaText::ReportedPin
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
                            {w(AreaText::ReportPin)}
                        </button>
                    }
                });
                view! {
                    <li class="section">
                        <h3>{w(AreaText::PinRequestHeading)}" "{when(&created)}</h3>
                        <dl class="summary-list">
                            <div class="summary-list__row">
                                <dt class="summary-list__key">{w(AreaText::StatusLabel)}</dt>
                                <dd class="summary-list__value"><strong class="tag">{w(state)}</strong></dd>
                            </div>
                            {row(AreaText::SentSms, pin.sms)}
                            {row(AreaText::SentEmail, format!("{}, PEC {}", pin.email, pin.pec))}
                            {row(AreaText::SentLetter, pin.letter_to)}
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
                    None => at(lang.get_untracked(), AreaText::ContactsHidden).to_owned(),
                };
                let how = format!("{}, {}", a.credential_label, when(&a.submitted_at));
                let button = a.reportable.then(|| {
                    let protocol = protocol.clone();
                    view! {
                        <button type="button" class="button button--secondary" on:click=move |_| report(Report { pin_request: None, application: Some(protocol.clone()) })>
                            {w(AreaText::ReportApplication)}
                        </button>
                    }
                });
                view! {
                    <li class="section">
                        <h3>{protocol.clone()}</h3>
                        <dl class="summary-list">
                            {row(AreaText::StatusLabel, a.status_label)}
                            {row(AreaText::MadeWith, how)}
                            {row(AreaText::ContactsGiven, contacts)}
                        </dl>
                        {button}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h2>{w(AreaText::PinRequestsHeading)}</h2>
            <ul class="list">{pin_items}</ul>
            <h2>{w(AreaText::ApplicationsHeading)}</h2>
            <ul class="list">{application_items}</ul>
        }
        .into_any()
    };

    let outcome_view = move || {
        outcome.get().map(|result| match result {
            Ok(done) => view! {
                <div id="report-outcome" class="panel" role="status" tabindex="-1">
                    <p class="panel__text">{w(done)}</p>
                </div>
            }
            .into_any(),
            Err(error) => problem_panel(error),
        })
    };

    view! {
        <h1>{w(AreaText::InMyNameHeading)}</h1>
        <p>{w(AreaText::InMyNameIntro)}</p>
        {outcome_view}
        {list}
        <p><a href=crate::router::APPLICATION_PATH>{dyn_text(Arc::new(move || at(lang.get(), AreaText::ApplicationHeading).to_owned()))}</a></p>
    }
}
