//! A small History-API router, written for this app instead of `leptos_router` (ADR 0005: the
//! latter cost about 39 KB of the 150 KB brotli budget for features the service does not use).
//!
//! It keeps the current path in a signal, follows the browser's Back and Forward (`popstate`),
//! and turns clicks on same-origin links into in-page navigations, so pages navigate with plain
//! `<a href>` links. After each navigation focus goes to the element named by the URL's fragment
//! (an error-summary link to another page, `…/contatti#mobile`) or else to `<main>`, so that a
//! screen reader starts reading the new page rather than staying on the old link.
//!
//! The app is built as entry bundles from one library (ADR 0008, 0010): the public pages, the
//! "area riservata" (the application, after login), the Contact Center's console and the
//! waiting room (issue 15). A navigation to a page of another bundle is a full page load, so that
//! each bundle carries only its own pages.

use domain::Step;
use domain::application::ApplicationStep;
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
/// Check your answers of the application, before CONFERMA.
pub const APPLICATION_SUMMARY_PATH: &str = "/domanda/riepilogo";
/// The prefix of an application's receipt, followed by its protocol number.
const RECEIPT_PREFIX: &str = "/domanda/ricevuta/";
/// "Le mie domande": the citizen's applications and their status.
pub const MY_APPLICATIONS_PATH: &str = "/le-mie-domande";
/// Every PIN request and application in the citizen's name, and "Non sono stato io".
pub const IN_MY_NAME_PATH: &str = "/le-mie-domande/a-mio-nome";
/// Where Esci leads: "you have logged out".
pub const SIGNED_OUT_PATH: &str = "/uscito";
/// The Contact Center console's pages are under this (`crate::console`).
pub const CONSOLE_PATH: &str = "/operatore";
/// The waiting room (issue 15), a bundle of its own, where the SPA takes a citizen whom the API
/// answers `queue.required`; `?dopo=` carries the page to go on to once admitted.
pub const QUEUE_PATH: &str = domain::wire::queue::ROOM_PAGE;
/// The waiting room's query parameter: the page the citizen was on.
const AFTER_QUEUE: &str = "dopo";

/// The page of an application step, e.g. `/domanda/pagamento`.
pub fn application_step_path(step: ApplicationStep) -> String {
    format!("{APPLICATION_PATH}/{}", step.slug())
}

/// The receipt of the application with `protocol`.
pub fn receipt_path(protocol: &str) -> String {
    format!("{RECEIPT_PREFIX}{protocol}")
}

/// The entry bundles of the SPA and which paths each serves, as the server chooses its HTML page
/// (defined once in `domain::bundles`).
pub use domain::bundles::{Bundle, bundle_of_path};

/// The page of a PIN-request step, e.g. `/richiesta-pin/identita`.
pub fn step_path(step: Step) -> String {
    format!("{PIN_PREFIX}/{}", step.slug())
}

/// The pages of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// `/domanda/<slug>`, one per step of the application.
    ApplicationStep(ApplicationStep),
    /// `/domanda/riepilogo`.
    ApplicationSummary,
    /// `/domanda/ricevuta/<protocol>`.
    Receipt(String),
    /// `/le-mie-domande`.
    MyApplications,
    /// `/le-mie-domande/a-mio-nome`.
    InMyName,
    /// `/uscito`: after Esci.
    SignedOut,
    /// `/coda`: the waiting room.
    Queue,
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
            APPLICATION_SUMMARY_PATH => Route::ApplicationSummary,
            MY_APPLICATIONS_PATH => Route::MyApplications,
            IN_MY_NAME_PATH => Route::InMyName,
            SIGNED_OUT_PATH => Route::SignedOut,
            QUEUE_PATH => Route::Queue,
            _ => {
                if let Some(protocol) = path.strip_prefix(RECEIPT_PREFIX) {
                    return match protocol.is_empty() || protocol.contains('/') {
                        true => Route::NotFound,
                        false => Route::Receipt(protocol.to_owned()),
                    };
                }
                let under = |prefix: &str| path.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('/'));
                if let Some(step) = under(PIN_PREFIX).and_then(Step::from_slug) {
                    return Route::PinStep(step);
                }
                under(APPLICATION_PATH)
                    .and_then(ApplicationStep::from_slug)
                    .map_or(Route::NotFound, Route::ApplicationStep)
            }
        }
    }
}

/// The path of a same-origin URL (`/a/b?x=1#y` → `/a/b`).
fn path_of(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// The waiting room's address for a citizen who was on `here` (path and query).
pub fn queue_url(here: &str) -> String {
    let mut url = format!("{QUEUE_PATH}?{AFTER_QUEUE}=");
    encode_component(here, &mut url);
    url
}

/// Where to go on from the waiting room, by its URL (`/coda?dopo=…`): the page named there if it
/// is one of the app's own (a path: not `//host`, nor the API's, nor the room itself), else the
/// start page, so that the room is no open redirect.
pub fn after_queue(url: &str) -> String {
    url.split_once('?')
        .map_or("", |(_, query)| query)
        .split('&')
        .find_map(|pair| pair.strip_prefix(AFTER_QUEUE)?.strip_prefix('='))
        .and_then(decode_component)
        .filter(|url| is_app_url(url))
        .unwrap_or_else(|| HOME_PATH.to_owned())
}

/// Whether `url` is a page of the app on this origin. Browsers drop tabs and newlines from a URL
/// and read `\` as `/`, so `/\host` or `/<tab>/host` would be `//host`: neither is allowed.
fn is_app_url(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && !url.starts_with("/api")
        && !url.contains('\\')
        && !url.bytes().any(|b| b.is_ascii_control())
        && bundle_of_path(path_of(url)) != Bundle::Queue
}

/// `text` percent-encoded for a query value (everything but letters, digits, `-._~/`), added to
/// `out`.
fn encode_component(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// A percent-encoded query value decoded (`None` when malformed or not UTF-8).
fn decode_component(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'%' {
            bytes.push(b);
            continue;
        }
        let hex = std::str::from_utf8(rest.get(..2)?).ok()?;
        bytes.push(u8::from_str_radix(hex, 16).ok()?);
        rest = &rest[2..];
    }
    String::from_utf8(bytes).ok()
}

/// Takes the citizen to the waiting room, to come back to this page (path and query) once
/// admitted: the API answered `queue.required`. A full page load of the room's own bundle (the
/// others do not carry its page, ADR 0022), in place of this page in the history, so that Back
/// from the room leads where this page's Back did; what was typed is in the drafts, on this
/// device. Nothing from the room itself, whose calls the API never answers so.
pub fn wait_in_room() {
    if bundle_of_path(&browser::location_path()) != Bundle::Queue {
        browser::location_visit(&queue_url(&browser::location_url()), true);
    }
}

/// Moves between pages; cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct Navigator {
    path: RwSignal<String>,
    bundle: Bundle,
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

    /// The current path (reactive), for a bundle with routes of its own (the console's).
    pub fn path(self) -> String {
        self.path.get()
    }

    fn visit(self, url: &str, replace: bool) {
        if bundle_of_path(path_of(url)) != self.bundle {
            // The page is in the other bundle: let the browser load it.
            browser::location_visit(url, replace);
            return;
        }
        browser::history_visit(url, replace);
        self.path.set(browser::location_path());
        after_navigation();
    }
}

/// The app's navigator.
pub fn use_navigator() -> Navigator {
    expect_context::<Navigator>()
}

/// Creates the navigator of `bundle`, provides it as context and starts following the browser.
pub fn provide_router(bundle: Bundle) -> Navigator {
    let nav = Navigator {
        path: RwSignal::new(browser::location_path()),
        bundle,
    };
    provide_context(nav);
    let _ = window_event_listener_untyped("popstate", move |_| {
        nav.path.set(browser::location_path());
        after_navigation();
    });
    // On the window and after the first render, so that Leptos's own handlers (on the elements,
    // or delegated to the window) run first and can prevent the default, as the skip link and the
    // error summary's same-page links do.
    crate::ui::effect(move || {
        let _ = window_event_listener_untyped("click", move |ev| {
            let url = ev.dyn_ref::<web_sys::MouseEvent>().and_then(in_app_link);
            // A link to the other bundle's pages is left to the browser (a full page load).
            if let Some(url) = url.filter(|url| bundle_of_path(path_of(url)) == bundle) {
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
        None => browser::focus_main(crate::ui::MAIN_ID),
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
        assert_eq!(Route::from_path("/domanda/riepilogo"), Route::ApplicationSummary);
        assert_eq!(Route::from_path("/le-mie-domande/"), Route::MyApplications);
        assert_eq!(Route::from_path("/uscito"), Route::SignedOut);
        assert_eq!(bundle_of_path("/uscito"), Bundle::Public);
        assert_eq!(
            Route::from_path("/domanda/ricevuta/INPS-COVID-2020-0000001"),
            Route::Receipt("INPS-COVID-2020-0000001".into())
        );
        assert_eq!(Route::from_path("/domanda/ricevuta/"), Route::NotFound);
        assert_eq!(Route::from_path("/domanda/ricevuta/a/b"), Route::NotFound);
        assert_eq!(Route::from_path("/domanda/altro"), Route::NotFound);
    }

    #[test]
    fn each_application_step_page_routes_back_to_its_step() {
        for step in ApplicationStep::ALL {
            assert_eq!(
                Route::from_path(&application_step_path(step)),
                Route::ApplicationStep(step)
            );
        }
    }

    #[test]
    fn the_application_and_my_applications_are_the_areas_pages() {
        for path in [
            "/domanda",
            "/domanda/",
            "/domanda/indennita",
            "/domanda/riepilogo",
            "/domanda/ricevuta/INPS-COVID-2020-0000001",
            "/le-mie-domande",
        ] {
            assert_eq!(bundle_of_path(path), Bundle::Area, "{path}");
        }
        for path in ["/", "/accedi", "/richiesta-pin/contatti", "/domandax", "/nowhere"] {
            assert_eq!(bundle_of_path(path), Bundle::Public, "{path}");
        }
        // An unknown address under /domanda is the area's own "not found".
        assert_eq!(bundle_of_path("/domanda/altro"), Bundle::Area);
    }

    #[test]
    fn the_operator_pages_are_the_consoles() {
        for path in [
            "/operatore",
            "/operatore/",
            "/operatore/accesso",
            "/operatore/chiamata/ab12/domanda",
        ] {
            assert_eq!(bundle_of_path(path), Bundle::Console, "{path}");
        }
        for path in ["/operatorex", "/operatori", "/domanda/operatore"] {
            assert_ne!(bundle_of_path(path), Bundle::Console, "{path}");
        }
    }

    #[test]
    fn the_room_sends_the_citizen_back_to_the_page_they_were_on() {
        assert_eq!(Route::from_path("/coda"), Route::Queue);
        assert_eq!(Route::from_path("/coda/"), Route::Queue);
        assert_eq!(bundle_of_path("/coda"), Bundle::Queue);
        let url = queue_url("/richiesta-pin/contatti?da=riepilogo");
        assert_eq!(url, "/coda?dopo=/richiesta-pin/contatti%3Fda%3Driepilogo");
        assert_eq!(after_queue(&url), "/richiesta-pin/contatti?da=riepilogo");
        assert_eq!(
            after_queue("/coda?x=1&dopo=%2Fdomanda%2Fpagamento"),
            "/domanda/pagamento"
        );
        assert_eq!(after_queue(&queue_url("/accedi?città=è")), "/accedi?città=è");
        // What the API's 303 for a SPID or CIE login writes.
        assert_eq!(after_queue("/coda?dopo=/accedi"), LOGIN_PATH);
        assert_eq!(after_queue(&queue_url("/domanda")), APPLICATION_PATH);
    }

    #[test]
    fn the_room_leads_nowhere_but_the_apps_own_pages() {
        for dopo in [
            "",
            "https://esempio.it/",
            "//esempio.it",
            "%2F%2Fesempio.it",
            "/%5Cesempio.it",
            "/%09/esempio.it",
            "/%0A/esempio.it",
            "/api/session",
            "/api",
            "/coda",
            "/coda/",
            "/coda/?dopo=/coda",
            "%2Fcoda%3Fdopo%3D%2Fcoda",
            "/coda/altro",
            "javascript:alert(1)",
            "/%E0%A4%A",
            "/%FF",
            "domanda",
        ] {
            assert_eq!(after_queue(&format!("/coda?dopo={dopo}")), HOME_PATH, "{dopo:?}");
        }
        assert_eq!(after_queue("/coda"), HOME_PATH);
        assert_eq!(after_queue("/coda?dopox=/accedi"), HOME_PATH);
        assert_eq!(after_queue("/coda/?dopo=/"), "/");
        // A page whose name only starts like the room's is not the room.
        assert_eq!(after_queue("/coda?dopo=/codice"), "/codice");
    }

    #[test]
    fn the_path_of_a_url_drops_query_and_fragment() {
        assert_eq!(path_of("/domanda/contatti?da=riepilogo#mobile"), "/domanda/contatti");
        assert_eq!(path_of("/accedi#pin"), "/accedi");
        assert_eq!(path_of("/"), "/");
    }

    #[test]
    fn each_step_page_routes_back_to_its_step() {
        for step in Step::ALL {
            assert_eq!(Route::from_path(&step_path(step)), Route::PinStep(step));
        }
    }
}
