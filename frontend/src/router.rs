//! A small History-API router, written for this app instead of `leptos_router` (ADR 0005: the
//! latter cost about 39 KB of the 150 KB brotli budget for features the service does not use).
//!
//! It keeps the current path in a signal, follows the browser's Back and Forward (`popstate`),
//! and turns clicks on same-origin links into in-page navigations, so pages navigate with plain
//! `<a href>` links. After each navigation focus goes to the element named by the URL's fragment
//! (an error-summary link to another page, `…/contatti#mobile`) or else to `<main>`, so that a
//! screen reader starts reading the new page rather than staying on the old link.

use domain::Step;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser;

/// The start page.
pub const HOME_PATH: &str = "/";
/// The login page.
pub const LOGIN_PATH: &str = "/accedi";
/// The application's start page, reached after login.
pub const APPLICATION_PATH: &str = "/domanda";
/// Check your answers, before CONFERMA.
pub const PIN_SUMMARY_PATH: &str = "/richiesta-pin/riepilogo";
/// The confirmation after CONFERMA.
pub const PIN_CONFIRMATION_PATH: &str = "/richiesta-pin/conferma";
/// The prefix of every PIN-request page.
const PIN_PREFIX: &str = "/richiesta-pin";

/// The page of a PIN-request step, e.g. `/richiesta-pin/identita`.
pub fn step_path(step: Step) -> String {
    format!("{PIN_PREFIX}/{}", step.slug())
}

/// The pages of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/`.
    Home,
    /// `/richiesta-pin/<slug>`, one per step.
    PinStep(Step),
    /// `/richiesta-pin/riepilogo`.
    PinSummary,
    /// `/richiesta-pin/conferma`.
    PinConfirmation,
    /// `/accedi`.
    Login,
    /// `/domanda`.
    Application,
    /// Anything else.
    NotFound,
}

impl Route {
    /// The page for a URL path (without query or fragment); a trailing slash does not matter.
    pub fn from_path(path: &str) -> Route {
        let path = path.trim_end_matches('/');
        match path {
            "" => Route::Home,
            LOGIN_PATH => Route::Login,
            APPLICATION_PATH => Route::Application,
            PIN_SUMMARY_PATH => Route::PinSummary,
            PIN_CONFIRMATION_PATH => Route::PinConfirmation,
            PIN_PREFIX => Route::PinStep(Step::Identity),
            _ => path
                .strip_prefix(PIN_PREFIX)
                .and_then(|rest| rest.strip_prefix('/'))
                .and_then(Step::from_slug)
                .map_or(Route::NotFound, Route::PinStep),
        }
    }
}

/// Moves between pages; cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct Navigator {
    path: RwSignal<String>,
}

impl Navigator {
    /// Goes to `url` (a same-origin path, with optional query and fragment), adding a history entry.
    pub fn go(self, url: &str) {
        self.visit(url, false);
    }

    /// Goes to `url` replacing the current history entry: for redirects, so that Back does not
    /// bounce the citizen into them again.
    pub fn replace(self, url: &str) {
        self.visit(url, true);
    }

    /// The current page (reactive).
    pub fn route(self) -> Route {
        Route::from_path(&self.path.read())
    }

    fn visit(self, url: &str, replace: bool) {
        browser::history_visit(url, replace);
        self.path.set(browser::location_path());
        after_navigation();
    }
}

/// The app's navigator.
pub fn use_navigator() -> Navigator {
    expect_context::<Navigator>()
}

/// Creates the navigator, provides it as context and starts following the browser.
pub fn provide_router() -> Navigator {
    let nav = Navigator {
        path: RwSignal::new(browser::location_path()),
    };
    provide_context(nav);
    let _ = window_event_listener_untyped("popstate", move |_| {
        nav.path.set(browser::location_path());
        after_navigation();
    });
    // On the window and after the first render, so that Leptos's own handlers (on the elements,
    // or delegated to the window) run first and can prevent the default, as the skip link and the
    // error summary's same-page links do.
    crate::app::effect(move || {
        let _ = window_event_listener_untyped("click", move |ev| {
            if let Some(url) = ev.dyn_ref::<web_sys::MouseEvent>().and_then(in_app_link) {
                ev.prevent_default();
                nav.go(&url);
            }
        });
    });
    nav
}

/// The in-app URL a click should navigate to, or `None` to leave the click to the browser:
/// modified clicks (new tab), links to other origins, downloads, `target`s and same-page fragments.
fn in_app_link(ev: &web_sys::MouseEvent) -> Option<String> {
    if ev.default_prevented() || ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
        return None;
    }
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let link = target
        .closest("a[href]")
        .ok()??
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .ok()?;
    if link.has_attribute("target") || link.has_attribute("download") {
        return None;
    }
    let here = web_sys::window()?.location();
    if link.origin() != here.origin().ok()? {
        return None;
    }
    let same_document = link.pathname() == here.pathname().ok()? && link.search() == here.search().ok()?;
    if same_document && !link.hash().is_empty() {
        return None;
    }
    Some(format!("{}{}{}", link.pathname(), link.search(), link.hash()))
}

/// Once the new page is in the document: focus the fragment's element, or `<main>` at the top.
fn after_navigation() {
    request_animation_frame(|| match browser::location_fragment() {
        Some(id) => browser::focus_by_id(&id),
        None => browser::focus_main(crate::app::MAIN_ID),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_its_path() {
        assert_eq!(Route::from_path("/"), Route::Home);
        assert_eq!(Route::from_path("/accedi"), Route::Login);
        assert_eq!(Route::from_path("/accedi/"), Route::Login);
        assert_eq!(Route::from_path("/domanda"), Route::Application);
        assert_eq!(Route::from_path("/richiesta-pin/riepilogo"), Route::PinSummary);
        assert_eq!(Route::from_path("/richiesta-pin/conferma"), Route::PinConfirmation);
        assert_eq!(Route::from_path("/richiesta-pin"), Route::PinStep(Step::Identity));
        assert_eq!(Route::from_path("/nowhere"), Route::NotFound);
        assert_eq!(Route::from_path("/richiesta-pin/altro"), Route::NotFound);
        assert_eq!(Route::from_path("/richiesta-pinx/identita"), Route::NotFound);
    }

    #[test]
    fn each_step_page_routes_back_to_its_step() {
        for step in Step::ALL {
            assert_eq!(Route::from_path(&step_path(step)), Route::PinStep(step));
        }
    }
}
