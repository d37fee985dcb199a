//! The application shell: the language (Italian unless the citizen chose English on an earlier
//! visit), the page frame (skip link, header, main, footer) and the routes.

use domain::Lang;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

use crate::browser;
use crate::components::{Footer, Header, SkipLink};
use crate::i18n::{Text, t};
use crate::pages::{HomePage, NotFoundPage};

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
    Effect::new(move |_| {
        let lang = lang.get();
        let prefix = if has_errors() {
            t(lang, Text::TitleErrorPrefix)
        } else {
            ""
        };
        browser::set_title(&format!("{prefix}{}", t(lang, page)));
    });
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(browser::stored_lang().unwrap_or_default());
    provide_context(UiLang(lang));
    Effect::new(move |_| browser::set_document_lang(lang.get()));

    // FlatRoutes rather than Routes: the service's pages do not nest, and the nested router's
    // async machinery costs about 12 KB of brotli wasm (measured) against a 150 KB budget.
    view! {
        <Router>
            <SkipLink target=MAIN_ID />
            <Header />
            <main id=MAIN_ID class="main" tabindex="-1">
                <FlatRoutes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/") view=HomePage />
                </FlatRoutes>
            </main>
            <Footer />
        </Router>
    }
}
