//! A call (`/operatore/chiamata/<id>`): where the citizen's PIN request stands, with its
//! validation when the first part has not arrived within 12 hours (and why not yet, before), the
//! application's protocol and status, and the identity check — the first 8 PIN characters the
//! citizen reads out — that opens the application's form, and the messages sent to the citizen
//! with how each went. Nothing else of the citizen shows.

use crate::i18n::{Text, t, t_with};
use crate::ui::tr;
use std::sync::Arc;

use domain::Lang;
use domain::pin_request::PinRequestState;
use domain::submission_window::Channel;
use leptos::prelude::*;
use serde::Serialize;

use super::banner::call_banner;
use super::problems::{Issue, Problems, same_page};
use super::routes::form_path;
use super::state::{CallView, Load, call_api, sent_to, use_console};
use super::ui::{rome_when, use_call_title, when_ready, window_notice};
use crate::api_client;
use crate::area_texts::{dyn_text, dyn_view};
use crate::browser;
use crate::components::{ErrorSummary, FORM_ID, SendStatus, Sending, TextInput};
use crate::queued_messages::{self, QueuedMessage};
use crate::router::CONSOLE_PATH;
use crate::ui::use_lang;

#[derive(Serialize)]
struct Nothing {}

#[derive(Serialize)]
struct PinCheck {
    pin_first8: String,
}

fn label(field: &str, lang: Lang) -> Option<&'static str> {
    match field {
        "pin_first8" => Some(t(lang, Text::PinFirst8Label)),
        "letter" => Some(t(lang, Text::LetterLabel)),
        _ => None,
    }
}

/// The notice of a validation just done, which takes focus.
const VALIDATED_ID: &str = "validated-notice";
/// The notice of an identity just checked, which takes focus.
const CHECKED_ID: &str = "checked-notice";

/// How a PIN request's state reads.
fn state_text(state: PinRequestState) -> Text {
    match state {
        PinRequestState::PendingDelivery => Text::PinPending,
        PinRequestState::Delivered => Text::PinDelivered,
        PinRequestState::ValidatedByContactCenter => Text::PinValidated,
        PinRequestState::Expired => Text::PinExpired,
        PinRequestState::Revoked => Text::PinRevoked,
    }
}

/// `/operatore/chiamata/<id>`.
pub fn call_page(id: String) -> AnyView {
    let console = use_console();
    let problems = Problems::new();
    let id: Arc<str> = id.into();
    use_call_title(Text::CallTitle, id.clone(), move || problems.any());
    let load = RwSignal::new(Load::Loading);
    let validated = RwSignal::new(None::<Vec<String>>);
    let reported = RwSignal::new(None);
    let (validating, checking) = (RwSignal::new(Sending::Idle), RwSignal::new(Sending::Idle));
    let pin = RwSignal::new(String::new());
    // After a validation or a PIN check the page is read again; focus then goes to what it did,
    // not to the page's body.
    let focus_next = StoredValue::new(None::<&'static str>);

    let reload = {
        let id = id.clone();
        move || {
            let id = id.clone();
            browser::spawn(async move {
                match console.load_call(&id).await {
                    Ok(_) => {
                        load.set(Load::Ready);
                        // `try_`: the page may have been left while the call was read.
                        if let Some(target) = focus_next.try_get_value().flatten() {
                            focus_next.try_set_value(None);
                            request_animation_frame(move || browser::focus_by_id(target));
                        }
                    }
                    Err(error) if console.session_ended(&error) => {}
                    Err(error) => load.set(Load::Failed(error)),
                }
            });
        }
    };
    reload();

    let validate = {
        let (id, reload) = (id.clone(), reload.clone());
        Arc::new(move || {
            if validating.get_untracked().busy() {
                return;
            }
            validating.set(Sending::Waiting);
            let (id, reload) = (id.clone(), reload.clone());
            browser::spawn(async move {
                let on_retry = move |notice| validating.set(Sending::retrying(notice));
                let path = call_api(&id, "/pin-validation");
                let answer = api_client::post_json_observed(&path, &Nothing {}, on_retry).await;
                validating.set(Sending::Idle);
                match answer {
                    Ok(json) => match sent_to(&json) {
                        Some(sent) => {
                            problems.clear();
                            validated.set(Some(sent));
                            focus_next.try_set_value(Some(VALIDATED_ID));
                            reload();
                        }
                        None => problems.show_api(&api_client::ApiError::Decode),
                    },
                    Err(error) if console.session_ended(&error) => {}
                    // Too early (with the time it becomes possible) or not validatable: the API's words.
                    Err(error) => problems.show_api(&error),
                }
            });
        })
    };

    let check = {
        let (id, reload) = (id.clone(), reload.clone());
        Arc::new(move || {
            if checking.get_untracked().busy() {
                return;
            }
            let request = PinCheck {
                pin_first8: pin.get_untracked().trim().to_owned(),
            };
            if request.pin_first8.is_empty() {
                problems.show(vec![(
                    Some("pin_first8".into()),
                    Issue::Console(Text::PinFirst8Missing),
                )]);
                return;
            }
            checking.set(Sending::Waiting);
            let (id, reload) = (id.clone(), reload.clone());
            browser::spawn(async move {
                let on_retry = move |notice| checking.set(Sending::retrying(notice));
                let answer = api_client::post_json_observed(&call_api(&id, "/pin-check"), &request, on_retry).await;
                checking.set(Sending::after(&answer));
                match answer {
                    Ok(_) => {
                        pin.set(String::new());
                        problems.clear();
                        focus_next.try_set_value(Some(CHECKED_ID));
                        reload();
                    }
                    Err(error) if console.session_ended(&error) => {}
                    Err(error) => problems.show_api(&error),
                }
            });
        })
    };

    let id_for_banner = id.clone();
    let content = Arc::new(move || match console.call.get() {
        Some(call) if *call.id == *id => {
            let actions = Actions {
                reload: Arc::new(reload.clone()),
                reported,
                validate: validate.clone(),
                check: check.clone(),
                validating,
                checking,
                pin,
                problems,
                validated,
            };
            call_view(call, actions)
        }
        _ => ().into_any(),
    });

    view! {
        {call_banner(id_for_banner, false)}
        <a href=CONSOLE_PATH class="back-link">{tr(Text::NewCall)}</a>
        <ErrorSummary items=problems.summary(same_page(), label) focus_token=problems.focus_token() />
        {when_ready(load, content)}
    }
    .into_any()
}

/// What the call's forms do, and their state.
struct Actions {
    reload: Arc<dyn Fn() + Send + Sync>,
    reported: super::report::ReportOutcome,
    validate: Arc<dyn Fn() + Send + Sync>,
    check: Arc<dyn Fn() + Send + Sync>,
    validating: RwSignal<Sending>,
    checking: RwSignal<Sending>,
    pin: RwSignal<String>,
    problems: Problems,
    validated: RwSignal<Option<Vec<String>>>,
}

fn call_view(call: CallView, actions: Actions) -> AnyView {
    let lang = use_lang();
    let cf = call.codice_fiscale.clone();
    let heading = dyn_text(Arc::new(move || t_with(lang.get(), Text::CallHeading, "cf", &cf)));
    view! {
        <h1>{heading}</h1>
        <div class="columns">
            <section class="column" aria-labelledby="pin-heading">
                <h2 id="pin-heading">{tr(Text::PinHeading)}</h2>
                {pin_request(&call, &actions)}
            </section>
            <section class="column" aria-labelledby="application-heading">
                <h2 id="application-heading">{tr(Text::ConsoleApplicationHeading)}</h2>
                {application(&call, &actions)}
            </section>
        </div>
        <section aria-labelledby="messages-heading">
            <h2 id="messages-heading">{tr(Text::MessagesHeading)}</h2>
            {messages(call.messages.clone())}
        </section>
        {super::report::report_section(&call, actions.problems, actions.reload.clone(), actions.reported)}
    }
    .into_any()
}

/// A row of a summary list.
fn row(key: impl IntoView + 'static, value: impl IntoView + 'static) -> impl IntoView {
    view! {
        <div class="summary-list__row">
            <dt class="summary-list__key">{key}</dt>
            <dd class="summary-list__value">{value}</dd>
        </div>
    }
}

fn pin_request(call: &CallView, actions: &Actions) -> AnyView {
    let lang = use_lang();
    let Some(request) = call.pin_request.clone() else {
        return view! { <p>{tr(Text::NoPinRequest)}</p> }.into_any();
    };
    let requested = request.requested_at.clone();
    let validated = actions.validated;
    let done = dyn_view(Arc::new(move || {
        validated
            .get()
            .map(|to| {
                let text = dyn_text(Arc::new(move || {
                    t_with(lang.get(), Text::ValidatedNotice, "to", &to.join(", "))
                }));
                view! { <div id=VALIDATED_ID class="panel panel--success" role="status" tabindex="-1"><p class="panel__text">{text}</p></div> }
            })
            .into_any()
    }));
    let pending = request.state == PinRequestState::PendingDelivery;
    let explanation = match (pending, request.may_validate, request.validation_possible_at.clone()) {
        (true, true, _) => Some(view! { <p>{tr(Text::MayValidate)}</p> }.into_any()),
        (true, false, Some(at)) => {
            let text = dyn_text(Arc::new(move || {
                t_with(lang.get(), Text::TooEarly, "when", &rome_when(&at, lang.get()))
            }));
            Some(view! { <div class="inset-text">{text}</div> }.into_any())
        }
        _ => None,
    };
    // Offered only when the API would accept it: before the 12 hours the page says from when.
    let form = (pending && request.may_validate).then(|| {
        let (validate, sending) = (actions.validate.clone(), actions.validating);
        view! {
            <form novalidate on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); validate() }>
                <button type="submit" class="button button--secondary">{tr(Text::ValidateButton)}</button>
            </form>
            <SendStatus sending=sending />
        }
    });
    view! {
        <dl class="summary-list">
            {row(tr(Text::StateLabel), tr(state_text(request.state)))}
            {row(tr(Text::RequestedLabel), dyn_text(Arc::new(move || rome_when(&requested, lang.get()))))}
        </dl>
        {done}
        {explanation}
        {form}
    }
    .into_any()
}

fn application(call: &CallView, actions: &Actions) -> AnyView {
    let lang = use_lang();
    if let Some(application) = call.application.clone() {
        let status = application.status;
        let submitted = application.submitted_at.clone();
        let channel = match application.channel {
            Channel::ContactCenter => Text::ChannelContactCenter,
            Channel::WebCitizen => Text::ChannelWeb,
        };
        return view! {
            <dl class="summary-list">
                {row(tr(Text::ProtocolLabel), view! { <strong>{application.protocol.clone()}</strong> })}
                {row(tr(Text::StatusLabel), dyn_text(Arc::new(move || status.label(lang.get()).to_owned())))}
                {row(tr(Text::SubmittedLabel), dyn_text(Arc::new(move || rome_when(&submitted, lang.get()))))}
                {row(tr(Text::ChannelLabel), tr(channel))}
            </dl>
        }
        .into_any();
    }
    if call.pin_checked {
        return view! {
            <p>{tr(Text::NoApplication)}</p>
            {window_notice(Some(call.window.clone()))}
            <div id=CHECKED_ID class="panel panel--success" tabindex="-1"><p class="panel__text">{tr(Text::PinChecked)}</p></div>
            <p><a class="button" href=form_path(&call.id)>{tr(Text::FileApplication)}</a></p>
        }
        .into_any();
    }
    let (check, sending, problems) = (actions.check.clone(), actions.checking, actions.problems);
    view! {
        <p>{tr(Text::NoApplication)}</p>
        {window_notice(Some(call.window.clone()))}
        <h3>{tr(Text::PinCheckHeading)}</h3>
        <p>{tr(Text::PinCheckIntro)}</p>
        <form id=FORM_ID novalidate on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); check() }>
            <TextInput id="pin_first8" label=Text::PinFirst8Label hint=Text::PinFirst8Hint error=problems.field("pin_first8") value=actions.pin class="input--pin" />
            <button type="submit" class="button">{tr(Text::PinCheckSubmit)}</button>
        </form>
        <SendStatus sending=sending />
    }
    .into_any()
}

/// The console's words for a channel and for what a message tells, as the API names them.
fn message_words(name: &str) -> Option<Text> {
    Some(match name {
        "sms" => Text::ChannelSms,
        "email" => Text::ChannelEmail,
        "pec" => Text::ChannelPec,
        "post" => Text::ChannelPost,
        "pin_first_half" => Text::KindPinFirstHalf,
        "pin_second_half" => Text::KindPinSecondHalf,
        "pin_validated" => Text::KindPinValidated,
        "receipt" => Text::KindReceipt,
        "status_change" => Text::KindStatusChange,
        _ => return None,
    })
}

/// The citizen's messages, newest first, as a table: how each travelled, what it told, to whom
/// (masked), how it went and when, so that "it never arrived" has an answer on the call.
fn messages(messages: Vec<QueuedMessage>) -> AnyView {
    if messages.is_empty() {
        return view! { <p>{tr(Text::MessagesNone)}</p> }.into_any();
    }
    let lang = use_lang();
    let table = dyn_view(Arc::new(move || {
        let lang = lang.get();
        let words = |name: &str| message_words(name).map_or_else(|| name.to_owned(), |key| t(lang, key).to_owned());
        let caption = t_with(lang, Text::MessagesCaption, "n", &messages.len().to_string());
        let rows = messages
            .iter()
            .map(|m| {
                let state = queued_messages::state_text(&m.state)
                    .map_or_else(|| m.state.clone(), |key| key.get(lang).to_owned());
                let sent = m
                    .sent_at
                    .as_deref()
                    .map_or_else(|| t(lang, Text::MessageNotYet).to_owned(), |at| rome_when(at, lang));
                view! {
                    <tr>
                        <td>{words(&m.channel)}</td>
                        <td>{words(&m.kind)}</td>
                        <td>{m.to.clone()}</td>
                        <td>{state}</td>
                        <td>{rome_when(&m.created_at, lang)}</td>
                        <td>{sent}</td>
                        <td>{m.attempts}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="table">
                    <caption class="table__caption">{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t(lang, Text::MessageChannel)}</th>
                            <th scope="col">{t(lang, Text::MessageWhat)}</th>
                            <th scope="col">{t(lang, Text::MessageTo)}</th>
                            <th scope="col">{t(lang, Text::MessageState)}</th>
                            <th scope="col">{t(lang, Text::MessageCreated)}</th>
                            <th scope="col">{t(lang, Text::MessageSentAt)}</th>
                            <th scope="col">{t(lang, Text::MessageAttempts)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    }));
    view! {
        <p>{tr(Text::MessagesIntro)}</p>
        {table}
    }
    .into_any()
}
