//! The few browser facilities the SPA uses outside Leptos's view layer (document title and
//! language, local storage, focus, timers, randomness), behind plain functions so that the rest of
//! the code does not touch `web-sys` directly. Every function tolerates a missing API (a storage
//! blocked by privacy settings, say) by doing nothing.

use std::time::Duration;

use domain::Lang;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ScrollIntoViewOptions, ScrollLogicalPosition};

/// Where the chosen language is remembered between visits.
const LANG_KEY: &str = "sportello.lang";

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The language the citizen chose on an earlier visit, if any.
pub fn stored_lang() -> Option<Lang> {
    let storage = web_sys::window()?.local_storage().ok()??;
    match storage.get_item(LANG_KEY).ok()??.as_str() {
        "it" => Some(Lang::It),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// Remembers the citizen's language choice.
pub fn store_lang(lang: Lang) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = storage.set_item(LANG_KEY, lang.tag());
    }
}

/// Sets `<html lang>`, which screen readers use to pick their voice.
pub fn set_document_lang(lang: Lang) {
    if let Some(root) = document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// The language the page is in now, from `<html lang>` (kept in step by the app).
pub fn document_lang() -> Lang {
    document()
        .and_then(|d| d.document_element())
        .and_then(|root| root.get_attribute("lang"))
        .map(|tag| Lang::from_accept_language(&tag))
        .unwrap_or_default()
}

/// Sets the document title (the first thing a screen reader announces on a page).
pub fn set_title(title: &str) {
    if let Some(doc) = document() {
        doc.set_title(title);
    }
}

/// Moves keyboard focus to the element with `id`, bringing `label[for=id]` (or the element itself)
/// into view, so that the question is visible with its input, as the GOV.UK error summary does.
pub fn focus_by_id(id: &str) {
    let Some(doc) = document() else { return };
    let Some(el) = doc
        .get_element_by_id(id)
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    let _ = el.focus();
    let label = doc.query_selector(&format!("label[for=\"{id}\"]")).ok().flatten();
    let options = ScrollIntoViewOptions::new();
    options.set_block(ScrollLogicalPosition::Start);
    let target: &web_sys::Element = label.as_ref().unwrap_or(&el);
    target.scroll_into_view_with_scroll_into_view_options(&options);
}

/// True when `blur` moves focus to a submit button. Validating then would insert an error
/// message above the input and push the button away between press and release, swallowing the
/// click; the submit validates anyway.
pub fn blur_goes_to_submit(blur: &web_sys::FocusEvent) -> bool {
    blur.related_target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| el.get_attribute("type").as_deref() == Some("submit"))
}

/// A number in `[0, 1)`, for retry jitter.
pub fn random01() -> f64 {
    js_sys::Math::random()
}

/// Waits for `delay` without blocking the page.
pub async fn sleep(delay: Duration) {
    let ms = i32::try_from(delay.as_millis()).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
