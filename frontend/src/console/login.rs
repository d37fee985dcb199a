//! The operators' login (`/operatore/accesso`): username, password and the TOTP code of the
//! moment. A wrong answer never says which of the three was wrong (the API's words); after a
//! refusal the code is emptied, as a used code cannot serve twice. After a session that ended on
//! a call, the login brings the operator back to that call's page.

use crate::i18n::t;
use domain::Lang;
use leptos::prelude::*;
use serde::Serialize;

use super::problems::{Issue, Problems, same_page};
use super::state::{OperatorInfo, RETURN_KEY, SESSION_PATH, Who, after_login_path, use_console};
use super::ui::use_title;
use crate::api_client;
use crate::browser::{self, Store};
use crate::components::{ErrorSummary, FORM_ID, SendStatus, Sending, TextInput};
use crate::i18n::Text;
use crate::router::use_navigator;
use crate::ui::{effect, tr};

#[derive(Serialize)]
struct Login {
    username: String,
    password: String,
    totp: String,
}

fn label(field: &str, lang: Lang) -> Option<&'static str> {
    let key = match field {
        "username" => Text::UsernameLabel,
        "password" => Text::PasswordLabel,
        "totp" => Text::TotpLabel,
        _ => return None,
    };
    Some(t(lang, key))
}

/// What is missing, in the form's order.
fn missing(login: &Login) -> Vec<(Option<String>, Issue)> {
    [
        ("username", &login.username, Text::UsernameMissing),
        ("password", &login.password, Text::PasswordMissing),
        ("totp", &login.totp, Text::TotpMissing),
    ]
    .into_iter()
    .filter(|(_, value, _)| value.trim().is_empty())
    .map(|(field, _, key)| (Some(field.to_owned()), Issue::Console(key)))
    .collect()
}

/// `/operatore/accesso`.
pub fn login_page() -> AnyView {
    let console = use_console();
    let nav = use_navigator();
    let problems = Problems::new();
    use_title(Text::ConsoleLoginTitle, move || problems.any());
    // Logged in already, or just now: back to the call page a session ended on, or on to finding
    // the citizen (Back does not return here).
    effect(move || {
        if matches!(*console.who.read(), Who::Operator(_)) {
            let kept = browser::load(Store::Session, RETURN_KEY);
            browser::remove(Store::Session, RETURN_KEY);
            nav.replace(&after_login_path(kept.as_deref()));
        }
    });
    let (username, password, totp) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let sending = RwSignal::new(Sending::Idle);
    let ended = browser::query_has("scaduta", "1");
    // A session that ended on a call: the answers are kept in this tab and the call comes back.
    let on_call = browser::load(Store::Session, RETURN_KEY).is_some();
    let ended = ended || on_call;

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked().busy() {
            return;
        }
        let login = Login {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            totp: totp.get_untracked().replace(' ', ""),
        };
        let found = missing(&login);
        if !found.is_empty() {
            problems.show(found);
            return;
        }
        sending.set(Sending::Waiting);
        browser::spawn(async move {
            let on_retry = move |notice| sending.set(Sending::retrying(notice));
            let answer = api_client::post_json_observed(SESSION_PATH, &login, on_retry).await;
            sending.set(Sending::after(&answer));
            match answer.map(|json| OperatorInfo::from_json(&json)) {
                Ok(Some(info)) => {
                    problems.clear();
                    console.who.set(Who::Operator(info));
                }
                Ok(None) => problems.show_api(&api_client::ApiError::Decode),
                // A used code cannot serve twice; the password stays, as retyping it on a call
                // wastes the caller's time (the API never says which of the three was wrong).
                Err(error) => {
                    totp.set(String::new());
                    problems.show_api(&error);
                }
            }
        });
    };

    view! {
        <div class="console-narrow">
            <ErrorSummary items=problems.summary(same_page(), label) focus_token=problems.focus_token() />
            {ended.then(|| view! {
                <div class="notification-banner" role="region" aria-labelledby="ended-title">
                    <h2 id="ended-title" class="notification-banner__title">{tr(Text::ImportantTitle)}</h2>
                    <p class="notification-banner__text">{tr(Text::SessionEnded)}</p>
                    {on_call.then(|| view! { <p class="notification-banner__text">{tr(Text::SessionEndedOnCall)}</p> })}
                </div>
            })}
            <h1>{tr(Text::ConsoleLoginHeading)}</h1>
            <p>{tr(Text::ConsoleLoginIntro)}</p>
            <form id=FORM_ID novalidate on:submit=on_submit>
                <TextInput id="username" label=Text::UsernameLabel error=problems.field("username") value=username autocomplete="username" class="input--20" />
                <TextInput id="password" label=Text::PasswordLabel error=problems.field("password") value=password input_type="password" autocomplete="current-password" class="input--20" />
                <TextInput id="totp" label=Text::TotpLabel hint=Text::TotpHint error=problems.field("totp") value=totp autocomplete="one-time-code" inputmode="numeric" class="input--4" />
                <button type="submit" class="button">{tr(Text::ConsoleLoginSubmit)}</button>
            </form>
            <SendStatus sending=sending />
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missing_answer_is_named_in_the_forms_order() {
        let login = Login {
            username: " ".into(),
            password: "secret".into(),
            totp: String::new(),
        };
        let found = missing(&login);
        assert_eq!(
            found,
            vec![
                (Some("username".into()), Issue::Console(Text::UsernameMissing)),
                (Some("totp".into()), Issue::Console(Text::TotpMissing)),
            ]
        );
        assert_eq!(label("totp", Lang::En), Some("One-time code"));
    }
}
