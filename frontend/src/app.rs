//! The application shell: the language (Italian unless the citizen chose English on an earlier
//! visit), the shared state (router, PIN-request draft, session), the page frame (skip link,
//! header, main, footer, session-timeout dialog) and the routes.

use domain::Lang;
use leptos::prelude::*;

use crate::browser;
use crate::components::{Footer, Header, SessionTimeout, SkipLink};
use crate::i18n::{Text, t};
use crate::pages::{
    ApplicationStartPage, HomePage, LoginPage, NotFoundPage, PinConfirmationPage, PinStepPage, PinSummaryPage,
};
use crate::router::{self, Route};
use crate::{pin_draft, session};

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "main";

/// The page's language, shared with every component through context.
#[derive(Clone, Copy)]
pub struct UiLang(pub RwSignal<Lang>);

/// The current language (reactive).
pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<UiLang>().0
}

/// `key` in the current language, as a reactive text node. Every call returns the same closure
/// type, so the view code for it is compiled once rather than once per string (wasm size).
pub fn tr(key: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || t(lang.get(), key)
}

/// Keeps the document title equal to `page` in the current language, with the "Errore: " prefix
/// while `has_errors` is true (screen readers announce the title first).
pub fn use_document_title(page: Text, has_errors: impl Fn() -> bool + 'static) {
    let lang = use_lang();
    let has_errors: Box<dyn Fn() -> bool> = Box::new(has_errors);
    effect(move || {
        let lang = lang.get();
        let prefix = if has_errors() {
            t(lang, Text::TitleErrorPrefix)
        } else {
            ""
        };
        browser::set_title(&format!("{prefix}{}", t(lang, page)));
    });
}

/// An effect (re-runs `f` whenever a signal it read changes). `Effect::new` compiles its
/// machinery once per closure type; going through one boxed type compiles it once for the app.
pub fn effect(f: impl FnMut() + 'static) {
    effect_boxed(Box::new(f));
}

fn effect_boxed(mut f: Box<dyn FnMut()>) {
    Effect::new(move |_| f());
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(browser::stored_lang().unwrap_or_default());
    provide_context(UiLang(lang));
    effect(move || browser::set_document_lang(lang.get()));

    let nav = router::provide_router();
    pin_draft::provide_draft();
    session::provide_session();

    let route = Memo::new(move |_| nav.route());
    let page = move || match route.get() {
        Route::Home => view! { <HomePage /> }.into_any(),
        Route::PinStep(step) => view! { <PinStepPage step=step /> }.into_any(),
        Route::PinSummary => view! { <PinSummaryPage /> }.into_any(),
        Route::PinConfirmation => view! { <PinConfirmationPage /> }.into_any(),
        Route::Login => view! { <LoginPage /> }.into_any(),
        Route::Application => view! { <ApplicationStartPage /> }.into_any(),
        Route::NotFound => view! { <NotFoundPage /> }.into_any(),
    };

    view! {
        <SkipLink target=MAIN_ID />
        <Header />
        <main id=MAIN_ID class="main" tabindex="-1">{page}</main>
        <Footer />
        <SessionTimeout />
    }
}
