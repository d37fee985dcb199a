//! The application shell: the language (Italian unless the citizen chose English on an earlier
//! visit), the shared state (router, session, and what the bundle adds), the page frame (skip
//! link, header, main, footer, session-timeout dialog) and the bundle's pages. Each citizens'
//! entry bundle (`src/main.rs`, `src/bin/area.rs`, `src/bin/queue.rs`) mounts it with its own
//! [`Pages`] (ADR 0008).

use leptos::prelude::*;

use crate::browser;
use crate::components::{Footer, Header, LogoutButton, SessionTimeout, SkipLink};
use crate::router::{self, Bundle, Route};
use crate::session;
use crate::ui::{MAIN_ID, UiLang, effect};

/// What an entry bundle brings to the shell: which bundle it is, the state its pages share, and
/// its pages. Each bundle names only its own pages, so that the linker leaves the others out.
#[derive(Clone, Copy)]
pub struct Pages {
    /// Which bundle this is (a link to another bundle's pages is a full page load).
    pub bundle: Bundle,
    /// Provides the context the bundle's pages share (drafts).
    pub provide: fn(),
    /// The page for a route.
    pub page: fn(Route) -> AnyView,
}

/// Mounts the app, with `pages`, on the document's body.
pub fn mount(pages: Pages) {
    // The name the panic report gives (`domain::bundles`, which the API checks reports against).
    crate::panic_page::install(pages.bundle.name());
    crate::prerender::take_over();
    mount_to_body(move || shell(pages));
    crate::panic_page::arm_probe();
}

/// The whole app.
fn shell(pages: Pages) -> impl IntoView {
    let lang = RwSignal::new(browser::stored_lang().unwrap_or_default());
    provide_context(UiLang(lang));
    effect(move || browser::set_document_lang(lang.get()));

    let nav = router::provide_router(pages.bundle);
    session::provide_session();
    (pages.provide)();

    let route = Memo::new(move |_| nav.route());
    let page = move || (pages.page)(route.get());

    view! {
        <SkipLink target=MAIN_ID />
        <Header>
            <LogoutButton />
        </Header>
        <main id=MAIN_ID class="main" tabindex="-1">{page}</main>
        <Footer />
        <SessionTimeout />
    }
}
