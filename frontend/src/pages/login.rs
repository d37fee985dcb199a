//! Login with the codice fiscale and the PIN: the full PIN (16 characters) or the simplified one
//! (its first 8). Checked in the page with the domain's rules, then by the API, whose refusals
//! (wrong PIN, too many attempts) are shown in the error summary, linked to the PIN.
//! Below the form: SPID (the providers in random order, as AgID's button lists them), CIE and CNS,
//! plain links to the API (rendered by it), which comes back here with `?errore=<code>` when it
//! refuses a login.

use domain::{CodiceFiscale, ErrorCode, PinInput};
use leptos::prelude::*;

use crate::browser;
use crate::components::{ErrorSummary, FORM_ID, PinField, SendStatus, Sending, TextInput};
use crate::form::{self, FormProblems, Problem};
use crate::i18n::Text;
use crate::pin_draft::PinReceipt;
use crate::router::{APPLICATION_PATH, step_path, use_navigator};
use crate::session::{self, use_session};
use crate::ui::{tr, use_document_title};

const CF_FIELD: &str = "codice_fiscale";
const PIN_FIELD: &str = "pin";

/// The codice fiscale as the API wants it.
fn check_cf(input: &str) -> Result<CodiceFiscale, ErrorCode> {
    if input.trim().is_empty() {
        return Err(ErrorCode::Required);
    }
    CodiceFiscale::parse(input).map_err(ErrorCode::from)
}

/// The PIN without spaces or dashes, in capitals: 8 or 16 characters.
fn check_pin(input: &str) -> Result<String, ErrorCode> {
    if input.trim().is_empty() {
        return Err(ErrorCode::Required);
    }
    let pin = PinInput::parse(input).map_err(ErrorCode::from)?;
    Ok(format!("{}{}", pin.first_half(), pin.second_half().unwrap_or_default()))
}

/// The label of a login field, for the error summary.
fn label_of(field: &str) -> Option<Text> {
    match field {
        CF_FIELD => Some(Text::CfLabel),
        PIN_FIELD => Some(Text::PinLabel),
        _ => None,
    }
}

/// The SPID, CIE and CNS links as an HTML fragment in the asked language, SPID providers in
/// random order (as AgID's button lists them). The server renders it: the SPA only places it,
/// which keeps the first load within its size budget.
const OTHER_WAYS_PATH: &str = "/api/auth/login-options";
const OTHER_WAYS_ID: &str = "altri-accessi";

/// The refusal a SPID, CIE or CNS login came back with (`?errore=auth.…`).
fn refusal() -> Option<ErrorCode> {
    let search = web_sys::window()?.location().search().ok()?;
    let code = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|p| p.strip_prefix("errore="))?;
    ErrorCode::from_str_code(code).filter(|c| c.as_str().starts_with("auth."))
}

/// `/accedi`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let nav = use_navigator();
    let session = use_session();
    let problems = FormProblems::new();
    let sending = RwSignal::new(Sending::Idle);
    use_document_title(Text::LoginTitle, move || problems.any());
    let expired = browser::query_has(crate::components::EXPIRED_QUERY.0, crate::components::EXPIRED_QUERY.1);
    // Just after a PIN request, the codice fiscale is already known.
    let codice_fiscale = RwSignal::new(PinReceipt::load().map(|r| r.codice_fiscale).unwrap_or_default());
    let pin = RwSignal::new(String::new());

    if let Some(code) = refusal() {
        problems.show(vec![(None, Problem::Code(code))]);
    }
    // Straight through gloo rather than the API client: optional links, nothing to retry.
    let lang = crate::ui::use_lang();
    crate::ui::effect(move || {
        let tag = lang.get().tag();
        browser::spawn(async move {
            if let Ok(answer) = gloo_net::http::Request::get(OTHER_WAYS_PATH)
                .header("Accept-Language", tag)
                .send()
                .await
                && answer.ok()
                && let Ok(html) = answer.text().await
                && let Some(el) = web_sys::window().and_then(|w| w.document()?.get_element_by_id(OTHER_WAYS_ID))
            {
                el.set_inner_html(&html);
            }
        });
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked().busy() {
            return;
        }
        let cf = check_cf(&codice_fiscale.get_untracked());
        let typed_pin = check_pin(&pin.get_untracked());
        let (cf, typed_pin) = match (cf, typed_pin) {
            (Ok(cf), Ok(p)) => (cf, p),
            (cf, p) => {
                let found = [(CF_FIELD, cf.err()), (PIN_FIELD, p.err())]
                    .into_iter()
                    .filter_map(|(field, code)| code.map(|code| (Some(field.to_owned()), Problem::Code(code))))
                    .collect();
                problems.show(found);
                return;
            }
        };
        sending.set(Sending::Waiting);
        browser::spawn(async move {
            let on_retry = move |notice| sending.set(Sending::retrying(notice));
            let answer = session::login(cf.as_str(), &typed_pin, on_retry).await;
            sending.set(Sending::after(&answer));
            match answer {
                Ok(answer) => {
                    session.start(answer);
                    pin.set(String::new());
                    nav.go(APPLICATION_PATH);
                }
                // A wrong PIN or a lockout is about the PIN: the summary links to it.
                Err(error @ crate::api_client::ApiError::Refused { .. }) => {
                    let problem = form::from_api_error(&error, None)
                        .into_iter()
                        .map(|(_, p)| (Some(PIN_FIELD.to_owned()), p));
                    problems.show(problem.collect());
                }
                Err(error) => problems.show(form::from_api_error(&error, Some(PIN_FIELD))),
            }
        });
    };

    view! {
        <ErrorSummary items=problems.summary(form::same_page_link, label_of) focus_token=problems.focus_token() />
        {expired.then(|| view! {
            <div class="notification-banner" role="region" aria-labelledby="expired-title">
                <h2 id="expired-title" class="notification-banner__title">{tr(Text::ImportantTitle)}</h2>
                <p class="notification-banner__text">{tr(Text::SessionExpired)}</p>
            </div>
        })}
        <h1>{tr(Text::LoginHeading)}</h1>
        <p>{tr(Text::LoginIntro)}</p>
        <form id=FORM_ID novalidate on:submit=on_submit>
            <TextInput
                id=CF_FIELD
                label=Text::CfLabel
                hint=Text::CfHint
                error=problems.field(CF_FIELD)
                value=codice_fiscale
                class="input--cf"
                autocapitalize="characters"
            />
            <PinField id=PIN_FIELD error=problems.field(PIN_FIELD) value=pin />
            <button type="submit" class="button">{tr(Text::LoginSubmit)}</button>
        </form>
        <SendStatus sending=sending />
        <p>
            {tr(Text::LoginNoPin)}" "
            <a href=step_path(domain::Step::Identity)>{tr(Text::RequestPinLink)}</a>
        </p>
        <div id=OTHER_WAYS_ID></div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_sent_without_spaces_or_dashes_in_capitals() {
        assert_eq!(check_pin("abcd-efgh").unwrap(), "ABCDEFGH");
        assert_eq!(check_pin("ABCD EFGH 2345 6789").unwrap(), "ABCDEFGH23456789");
    }

    #[test]
    fn an_empty_pin_is_required_and_a_wrong_one_named() {
        assert_eq!(check_pin(" "), Err(ErrorCode::Required));
        assert_eq!(check_pin("ABCDEFG"), Err(ErrorCode::PinLength));
        assert_eq!(check_pin("ABCDEFG0"), Err(ErrorCode::PinCharacters));
        assert_eq!(check_cf(""), Err(ErrorCode::Required));
    }
}
