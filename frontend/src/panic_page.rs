//! No dead page, ever: when the wasm code panics, the page would stop answering (every later event
//! throws `RuntimeError: unreachable`) with nothing to tell the citizen. The hook installed here
//! replaces the page with a plain message, in the page's language, and a link that reloads it,
//! then reports where the code broke to the server's log (`POST /api/client-errors`).
//!
//! It uses nothing of Leptos: the panic may have happened inside the reactive system, whose state
//! is then unusable. The report carries the bundle and the source location only, never the panic's
//! message, which may hold a value the citizen typed.

use std::panic::PanicHookInfo;

use domain::Lang;

/// Where the reports go.
const REPORT_PATH: &str = "/api/client-errors";

/// The recovery message's words: heading, what to do, the reload link.
pub fn words(lang: Lang) -> (&'static str, &'static str, &'static str) {
    match lang {
        Lang::It => (
            "Qualcosa non ha funzionato",
            "Le risposte sono salvate: ricarica la pagina.",
            "Ricarica la pagina",
        ),
        Lang::En => (
            "Something went wrong",
            "Your answers are saved: reload the page.",
            "Reload the page",
        ),
    }
}

/// The report the server takes: `{"bundle":…,"location":…}`.
#[derive(serde::Serialize)]
struct Report<'a> {
    bundle: &'a str,
    location: &'a str,
}

/// The report's JSON.
pub fn report_body(bundle: &str, location: &str) -> String {
    serde_json::to_string(&Report { bundle, location }).unwrap_or_default()
}

/// The page that replaces the broken one. `reload` is the address to load again (without its
/// fragment, so that following the link loads the page rather than scrolling it). The link has a
/// `target`, which the router's click listener (still on the window) leaves to the browser: an
/// in-app navigation would only change the address of a page that can no longer render.
pub fn recovery_html(lang: Lang, reload: &str) -> String {
    let (heading, advice, action) = words(lang);
    let reload = domain::html::escape(reload);
    format!(
        "<main class=\"main\" id=\"main\" tabindex=\"-1\"><div class=\"panel panel--problem\" role=\"alert\">\
         <h1 id=\"panic-heading\" tabindex=\"-1\">{heading}</h1><p>{advice}</p>\
         <p><a class=\"button\" href=\"{reload}\" target=\"_self\">{action}</a></p></div></main>"
    )
}

/// Installs the hook for `bundle` (`public`, `area`, `console`). Call first in `main`.
pub fn install(bundle: &'static str) {
    std::panic::set_hook(Box::new(move |info| on_panic(bundle, info)));
}

fn on_panic(bundle: &'static str, info: &PanicHookInfo<'_>) {
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_else(|| "unknown:0:0".into());
    // For developers and for the e2e guard that fails any test in which a page panics.
    web_sys::console::error_1(&format!("Sportello: the page panicked at {location}").into());
    let Some(window) = web_sys::window() else { return };
    // A beacon, not a fetch: the module stops for good as soon as this hook returns, and a beacon
    // is sent by the browser even then (and even if the citizen leaves the page).
    let _ = window
        .navigator()
        .send_beacon_with_opt_str(REPORT_PATH, Some(&report_body(bundle, &location)));
    let Some(document) = window.document() else { return };
    let lang = match document.document_element().map(|html| html.get_attribute("lang")) {
        Some(Some(code)) if code.starts_with("en") => Lang::En,
        _ => Lang::It,
    };
    let location = window.location();
    let reload = format!(
        "{}{}",
        location.pathname().unwrap_or_else(|_| "/".into()),
        location.search().unwrap_or_default()
    );
    document.set_title(words(lang).0);
    if let Some(body) = document.body() {
        // Every element with a handler into the stopped module goes with the old body.
        body.set_inner_html(&recovery_html(lang, &reload));
        let heading = document
            .get_element_by_id("panic-heading")
            .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok());
        if let Some(heading) = heading {
            let _ = heading.focus();
        }
    }
}

/// In a `panic-probe` test build, a page opened with `#panico-di-prova` panics on purpose once it
/// has started (from a timer, as a handler would), so that the e2e tests can see the recovery
/// page. A release build has no such code.
pub fn arm_probe() {
    #[cfg(feature = "panic-probe")]
    {
        let asked = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .is_some_and(|hash| hash == "#panico-di-prova");
        if asked {
            leptos::prelude::set_timeout(
                || panic!("a deliberate panic of the panic-probe build"),
                std::time::Duration::from_millis(500),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recovery_page_says_the_answers_are_saved_and_links_to_the_same_page() {
        let html = recovery_html(Lang::It, "/richiesta-pin/residenza?da=riepilogo&x=\"1\"");
        assert!(html.contains("Le risposte sono salvate: ricarica la pagina."));
        assert!(html.contains("href=\"/richiesta-pin/residenza?da=riepilogo&amp;x=&quot;1&quot;\""));
        assert!(html.contains("role=\"alert\""));
        assert!(
            html.contains("target=\"_self\""),
            "a full load, not the dead router's navigation"
        );
        let english = recovery_html(Lang::En, "/");
        assert!(english.contains("Your answers are saved"));
        assert!(english.contains(">Reload the page</a>"));
    }

    #[test]
    fn the_report_names_the_bundle_and_the_place_only() {
        assert_eq!(
            report_body("area", "frontend/src/pages/receipt.rs:10:5"),
            r#"{"bundle":"area","location":"frontend/src/pages/receipt.rs:10:5"}"#
        );
        assert_eq!(
            report_body("public", r#"C:\src\a"b.rs:1:2"#),
            r#"{"bundle":"public","location":"C:\\src\\a\"b.rs:1:2"}"#
        );
    }
}
