//! The Contact Center's console (issue 8, ADR 0010): a third entry bundle (`console.html`,
//! `src/bin/console.rs`) for operators at a desk, under `/operatore`. An operator logs in with
//! username, password and TOTP code, opens a call with the citizen's codice fiscale, validates a
//! PIN request pending delivery for 12 hours or more, and files the application on the citizen's
//! behalf once the citizen has read out the first 8 PIN characters.
//!
//! Its shell is its own: the operator's session (cookie `sportello_operator`) is not the
//! citizen's, so the citizens' header, session and timeout dialog do not apply. The language,
//! the router and the form components are the app's.

mod audit;
mod call;
mod filing;
mod login;
mod problems;
mod receipt;
mod report;
mod routes;
mod start;
mod state;
mod summary;
mod texts;

use crate::i18n::{t, t_with};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Timelike};
use domain::Lang;
use domain::submission_window::to_rome;
use leptos::prelude::*;

use crate::api_client::{self, ApiError};
use crate::application_draft::WindowState;
use crate::area_texts::{dyn_text, dyn_view};
use crate::browser;
use crate::components::SkipLink;
use crate::i18n::Text;
use crate::router::{self, Bundle, CONSOLE_PATH, use_navigator};
use crate::ui::{MAIN_ID, UiLang, effect, tr, use_lang};
use routes::{ConsoleRoute, LOGIN_PATH};
use state::{Load, SESSION_PATH, Who, use_console};

/// Mounts the console on the document's body.
pub fn mount() {
    crate::panic_page::install("console");
    leptos::mount::mount_to_body(shell);
    crate::panic_page::arm_probe();
}

fn shell() -> impl IntoView {
    let lang = RwSignal::new(browser::stored_lang().unwrap_or_default());
    provide_context(UiLang(lang));
    effect(move || browser::set_document_lang(lang.get()));
    let nav = router::provide_router(Bundle::Console);
    state::provide_console();
    let route = Memo::new(move |_| ConsoleRoute::from_path(&nav.path()));
    view! {
        <SkipLink target=MAIN_ID />
        {header()}
        <main id=MAIN_ID class="main" tabindex="-1">{move || page(route.get())}</main>
        <footer class="footer">
            <div class="footer__inner"><p>{tr(Text::Footer)}</p></div>
        </footer>
    }
}

/// The page for `route`: the login page for anyone, the others for an operator only.
fn page(route: ConsoleRoute) -> AnyView {
    if route == ConsoleRoute::Login {
        return login::login_page();
    }
    let console = use_console();
    let nav = use_navigator();
    let who = Memo::new(move |_| match &*console.who.read() {
        Who::Unknown => 0u8,
        Who::Nobody => 1,
        Who::Operator(_) => 2,
    });
    dyn_view(Arc::new(move || match who.get() {
        0 => loading(),
        1 => {
            request_animation_frame(move || nav.replace(LOGIN_PATH));
            ().into_any()
        }
        _ => match route.clone() {
            ConsoleRoute::Start => start::start_page(),
            ConsoleRoute::Audit => audit::audit_page(),
            ConsoleRoute::Call(id) => call::call_page(id),
            ConsoleRoute::Form(id) => filing::form_page(id),
            ConsoleRoute::Summary(id) => summary::summary_page(id),
            ConsoleRoute::Receipt(id) => receipt::receipt_page(id),
            ConsoleRoute::Login | ConsoleRoute::NotFound => not_found(),
        },
    }))
    .into_any()
}

/// The header: the console's name, who is logged in with the way out, the language switch.
fn header() -> impl IntoView {
    let console = use_console();
    let nav = use_navigator();
    let lang = use_lang();
    let other = move || match lang.get() {
        Lang::It => Lang::En,
        Lang::En => Lang::It,
    };
    let switch = move |_| {
        let next = other();
        lang.set(next);
        browser::store_lang(next);
    };
    let logout = move |_| {
        browser::spawn(async move {
            let _ = api_client::delete(SESSION_PATH).await;
            console.forget();
            console.who.set(Who::Nobody);
            nav.go(LOGIN_PATH);
        });
    };
    let operator = dyn_view(Arc::new(move || match &*console.who.read() {
        Who::Operator(info) => {
            let (name, username) = (info.full_name.clone(), info.username.clone());
            let who = dyn_text(Arc::new(move || {
                t_with(lang.get(), Text::ConsoleLoggedInAs, "name", &name).replace("{username}", &username)
            }));
            view! {
                <span class="header__operator">{who}</span>
                <button type="button" class="lang-switch" on:click=logout>{tr(Text::Logout)}</button>
            }
            .into_any()
        }
        _ => ().into_any(),
    }));
    view! {
        <header class="header">
            <div class="header__inner">
                <a href=CONSOLE_PATH class="header__service">
                    <span class="header__name">{tr(Text::ConsoleServiceName)}</span>
                    <span class="header__tagline">{tr(Text::Tagline)}</span>
                </a>
                <div class="header__tools">
                    {operator}
                    // The switch names the other language in that language, marked up as such.
                    <button type="button" class="lang-switch" lang=move || other().tag() on:click=switch>
                        {tr(Text::SwitchToOther)}
                    </button>
                </div>
            </div>
        </header>
    }
}

/// Keeps the document title equal to `page`, with the "Errore: " prefix while `has_errors`.
fn use_title(page: Text, has_errors: impl Fn() -> bool + 'static) {
    let lang = use_lang();
    let has_errors: Box<dyn Fn() -> bool> = Box::new(has_errors);
    effect(move || {
        let lang = lang.get();
        let prefix = if has_errors() {
            crate::i18n::t(lang, Text::TitleErrorPrefix)
        } else {
            ""
        };
        browser::set_title(&format!("{prefix}{}", t(lang, page)));
    });
}

fn loading() -> AnyView {
    view! { <p role="status">{tr(Text::ConsoleLoading)}</p> }.into_any()
}

fn not_found() -> AnyView {
    use_title(Text::ConsoleNotFoundTitle, || false);
    view! {
        <h1>{tr(Text::NotFoundHeading)}</h1>
        <p>{tr(Text::NotFoundText)}</p>
        <p><a href=CONSOLE_PATH>{tr(Text::StartHeading)}</a></p>
    }
    .into_any()
}

/// `page` once `load` is ready; until then "Loading", or the problem (a call that is not this
/// operator's, or too old, reads as not found).
fn when_ready(load: RwSignal<Load>, page: Arc<dyn Fn() -> AnyView + Send + Sync>) -> AnyView {
    let state = Memo::new(move |_| load.get());
    dyn_view(Arc::new(move || match state.get() {
        Load::Loading => loading(),
        Load::Failed(ApiError::NotFound) => view! {
            <div class="panel panel--problem" role="alert">
                <p class="panel__text">{tr(Text::CallNotFound)}</p>
            </div>
            <p><a href=CONSOLE_PATH>{tr(Text::NewCall)}</a></p>
        }
        .into_any(),
        Load::Failed(error) => problem_panel(error),
        Load::Ready => page(),
    }))
    .into_any()
}

/// A problem that stops the page, in a panel screen readers announce.
fn problem_panel(error: ApiError) -> AnyView {
    let lang = use_lang();
    view! {
        <div class="panel panel--problem" role="alert">
            <p class="panel__text">{dyn_text(Arc::new(move || error.message(lang.get())))}</p>
        </div>
    }
    .into_any()
}

/// The notice that the Contact Center's window is closed now and when it opens, if closed.
fn window_notice(window: Option<WindowState>) -> impl IntoView {
    window.filter(|w| !w.open).and_then(|w| w.notice).map(|notice| {
        view! {
            <div class="notification-banner" role="region" aria-labelledby="window-title">
                <h2 id="window-title" class="notification-banner__title">{tr(Text::WindowClosedTitle)}</h2>
                <p class="notification-banner__text">{notice}</p>
            </div>
        }
    })
}

/// An instant as "01/04/2020 alle 10:00" on Italian clocks, in `lang` (empty if unreadable).
fn rome_when(rfc3339: &str, lang: Lang) -> String {
    let at = browser::parse_date_ms(rfc3339).and_then(|ms| DateTime::from_timestamp_millis(ms as i64));
    at.map_or_else(String::new, |at| when_in_rome(at, lang))
}

/// `at` as "01/04/2020 alle 10:00" on Italian clocks, in `lang`.
fn when_in_rome(at: DateTime<chrono::Utc>, lang: Lang) -> String {
    let local = to_rome(at);
    let date = format!("{:02}/{:02}/{}", local.day(), local.month(), local.year());
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    t(lang, Text::DateAtTime)
        .replace("{date}", &date)
        .replace("{time}", &time)
}

/// A labelled text input of the console's own (GOV.UK order: label, hint, error, input).
#[allow(clippy::too_many_arguments)]
fn text_field(
    id: &'static str,
    label: Text,
    hint: Option<Text>,
    error: Signal<Option<String>>,
    value: RwSignal<String>,
    input_type: &'static str,
    autocomplete: &'static str,
    class: &'static str,
) -> AnyView {
    let lang = use_lang();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_error = move || error.read().is_some();
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let ids: Vec<&str> = [hint.map(|_| hint_id.as_str()), has_error().then_some(error_id.as_str())]
                .into_iter()
                .flatten()
                .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let message = move || {
        error.get().map(|message| {
            view! {
                <p id=error_id.clone() class="error-message">
                    <span class="visually-hidden">{crate::i18n::t(lang.get(), Text::ErrorPrefix)}" "</span>
                    {message}
                </p>
            }
        })
    };
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <label class="label" for=id>{tr(label)}</label>
            {hint.map(|hint| view! { <div id=hint_id class="hint">{tr(hint)}</div> })}
            {message}
            <input
                class=format!("input {class}")
                class:input--error=has_error
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                autocapitalize="off"
                spellcheck="false"
                aria-describedby=described_by
                aria-invalid=move || has_error().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_on_italian_clocks_in_both_languages() {
        let at = DateTime::parse_from_rfc3339("2020-04-01T08:05:00Z").unwrap().to_utc();
        assert_eq!(when_in_rome(at, Lang::It), "01/04/2020 alle 10:05");
        assert_eq!(when_in_rome(at, Lang::En), "01/04/2020 at 10:05");
    }
}
