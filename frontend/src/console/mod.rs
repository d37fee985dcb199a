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
mod banner;
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
mod timeout;
mod ui;
mod voice;

use crate::i18n::t_with;
use std::sync::Arc;

use leptos::prelude::*;

use crate::api_client;
use crate::area_texts::{dyn_text, dyn_view};
use crate::browser;
use crate::components::{Header, SkipLink};
use crate::i18n::Text;
use crate::router::{self, Bundle, CONSOLE_PATH, use_navigator};
use crate::ui::{MAIN_ID, UiLang, effect, tr, use_lang};
use routes::{ConsoleRoute, LOGIN_PATH};
use state::{SESSION_PATH, Who, use_console};
use ui::*;

/// Mounts the console on the document's body.
pub fn mount() {
    crate::panic_page::install(Bundle::Console.name());
    mount_to_body(shell);
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
        {timeout::session_warning()}
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
            // Unless a session that ended has gone there already (with its reason in the address).
            request_animation_frame(move || {
                if ConsoleRoute::from_path(&browser::location_path()) != ConsoleRoute::Login {
                    nav.replace(LOGIN_PATH);
                }
            });
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

/// After a logout: nothing of the citizens' stays in the page or the tab (the answers kept for
/// an expiry, the page to return to), and the login page shows.
fn log_out_here(console: state::Console) {
    browser::forget_personal_copies();
    console.forget();
    console.who.set(Who::Nobody);
    console.nav.go(LOGIN_PATH);
}

/// The header: the console's name, the language switch, who is logged in with the way out.
fn header() -> impl IntoView {
    let console = use_console();
    let lang = use_lang();
    let logout = move |_| {
        browser::spawn(async move {
            let _ = api_client::delete(SESSION_PATH).await;
            log_out_here(console);
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
                <button type="button" class="header__logout" on:click=logout>{tr(Text::Logout)}</button>
            }
            .into_any()
        }
        _ => ().into_any(),
    }));
    view! {
        <Header home=CONSOLE_PATH name=Text::ConsoleServiceName tagline=Text::Tagline>
            {operator}
        </Header>
    }
}
