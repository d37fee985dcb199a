//! `/domanda`: where the application starts after login. It says who is in and with which
//! access, what the application asks and when it can be sent, and lets the citizen log out. The
//! application's own pages come later: this page does not pretend otherwise.

use domain::Scope;
use leptos::prelude::*;

use crate::api_client::ApiError;
use crate::app::{tr, use_document_title, use_lang};
use crate::i18n::{Text, t, t_with};
use crate::router::{HOME_PATH, LOGIN_PATH, use_navigator};
use crate::session::{self, use_session};

/// `/domanda`.
#[component]
pub fn ApplicationStartPage() -> impl IntoView {
    let session = use_session();
    let nav = use_navigator();
    let lang = use_lang();
    let problem = RwSignal::new(None::<ApiError>);
    use_document_title(Text::ApplicationTitle, move || problem.read().is_some());

    // After a reload the page knows nothing: the cookie says whether the citizen is in.
    if session.info.get_untracked().is_none() {
        crate::browser::spawn(async move {
            match session::current().await {
                Ok(answer) => session.start(answer),
                Err(ApiError::Refused { status: 401, .. }) => nav.replace(LOGIN_PATH),
                Err(error) => problem.set(Some(error)),
            }
        });
    }
    let logout = move |_| {
        crate::browser::spawn(async move {
            match session::logout().await {
                Ok(()) | Err(ApiError::Refused { status: 401, .. }) => {
                    session.end();
                    nav.go(HOME_PATH);
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };

    let who = move || {
        session.info.get().map(|info| {
            let lang = lang.get();
            let access = t(
                lang,
                if info.scope == Scope::Simplified {
                    Text::AccessSimplified
                } else {
                    Text::AccessFull
                },
            );
            let text = t_with(lang, Text::LoggedInAs, "cf", &info.codice_fiscale).replace("{access}", access);
            view! {
                <p class="lead">{text}</p>
                {(info.scope == Scope::Simplified).then(|| view! { <p>{tr(Text::SimplifiedScopeNote)}</p> })}
            }
        })
    };

    view! {
        <h1>{tr(Text::ApplicationHeading)}</h1>
        {move || problem.get().map(|error| view! {
            <div class="panel panel--problem" role="alert">
                <p class="panel__text">{error.message(lang.get())}</p>
            </div>
        })}
        <div role="status">
            {move || match session.info.read().is_some() {
                true => ().into_any(),
                false if problem.read().is_none() => view! { <p>{tr(Text::Loading)}</p> }.into_any(),
                false => ().into_any(),
            }}
        </div>
        {who}
        <h2>{tr(Text::StepsHeading)}</h2>
        <ol class="list list--number">
            <li>{tr(Text::ApplicationStep1)}</li>
            <li>{tr(Text::ApplicationStep2)}</li>
            <li>{tr(Text::ApplicationStep3)}</li>
            <li>{tr(Text::ApplicationStep4)}</li>
        </ol>
        <div class="inset-text">{tr(Text::ApplicationComing)}</div>
        <h2>{tr(Text::WindowHeading)}</h2>
        <p>{tr(Text::WindowFill)}</p>
        <p>{tr(Text::WindowSend)}</p>
        {move || session.info.read().is_some().then(|| view! {
            <button type="button" class="button button--secondary" on:click=logout>{tr(Text::Logout)}</button>
        })}
    }
}
