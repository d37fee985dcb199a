//! The few browser facilities the SPA uses outside Leptos's view layer (document title and
//! language, storage, history, focus, clock, timers, randomness), behind plain functions so that
//! the rest of the code does not touch `web-sys` directly. Every function tolerates a missing API
//! (a storage blocked by privacy settings, say) by doing nothing.

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
    match load(Store::Local, LANG_KEY)?.as_str() {
        "it" => Some(Lang::It),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// Remembers the citizen's language choice.
pub fn store_lang(lang: Lang) {
    save(Store::Local, LANG_KEY, lang.tag());
}

/// Where a value is kept: for good (`Local`) or until the tab is closed (`Session`).
#[derive(Clone, Copy)]
pub enum Store {
    /// `localStorage`: survives closing the browser.
    Local,
    /// `sessionStorage`: this tab only.
    Session,
}

fn storage(store: Store) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    match store {
        Store::Local => window.local_storage(),
        Store::Session => window.session_storage(),
    }
    .ok()?
}

/// The value stored under `key`, if any.
pub fn load(store: Store, key: &str) -> Option<String> {
    storage(store)?.get_item(key).ok()?
}

/// Stores `value` under `key` (silently not, when storage is full or blocked).
pub fn save(store: Store, key: &str, value: &str) {
    if let Some(storage) = storage(store) {
        let _ = storage.set_item(key, value);
    }
}

/// Forgets `key`.
pub fn remove(store: Store, key: &str) {
    if let Some(storage) = storage(store) {
        let _ = storage.remove_item(key);
    }
}

/// Forgets every copy of a citizen's answers kept on this device (the PIN request, the
/// application, their idempotency keys and receipts), in both stores; the language stays.
pub fn forget_personal_copies() {
    for store in [Store::Local, Store::Session] {
        let Some(storage) = storage(store) else { continue };
        let keys: Vec<String> = (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|key| is_personal_key(key))
            .collect();
        for key in keys {
            let _ = storage.remove_item(&key);
        }
    }
}

/// Whether a storage key holds a citizen's data: every key of ours but the language.
fn is_personal_key(key: &str) -> bool {
    key.starts_with("sportello.") && key != LANG_KEY
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

/// The path of the current URL, e.g. `/richiesta-pin/identita`.
pub fn location_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".to_owned())
}

/// The current URL's path and query, e.g. `/richiesta-pin/contatti?da=riepilogo`.
pub fn location_url() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return "/".to_owned();
    };
    location.pathname().unwrap_or_default() + &location.search().unwrap_or_default()
}

/// The current URL's fragment without `#`, if there is one.
pub fn location_fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let id = hash.strip_prefix('#')?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// Whether the current URL's query has `name=value`.
pub fn query_has(name: &str, value: &str) -> bool {
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return false;
    };
    let wanted = format!("{name}={value}");
    search.trim_start_matches('?').split('&').any(|pair| pair == wanted)
}

/// Changes the URL without loading a page: a new history entry, or in place of the current one.
pub fn history_visit(url: &str, replace: bool) {
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let _ = if replace {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
    } else {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
    };
}

/// Loads `url` as a new page (a page of the other bundle): a new history entry, or in place of
/// the current one.
pub fn location_visit(url: &str, replace: bool) {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let _ = if replace {
        location.replace(url)
    } else {
        location.assign(url)
    };
}

/// Loads the page again (what the device keeps, the drafts, survives).
pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Opens the browser's print dialog.
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// Sets attribute `name` of the element with `id`.
pub fn set_attribute(id: &str, name: &str, value: &str) {
    if let Some(el) = document().and_then(|d| d.get_element_by_id(id)) {
        let _ = el.set_attribute(name, value);
    }
}

/// Replaces the content of the element with `id` by `html`, markup the caller vouches for.
pub fn set_inner_html(id: &str, html: &str) {
    if let Some(el) = document().and_then(|d| d.get_element_by_id(id)) {
        el.set_inner_html(html);
    }
}

/// Replaces the content of the element with `id` by the text `text`.
pub fn set_text(id: &str, text: &str) {
    if let Some(el) = document().and_then(|d| d.get_element_by_id(id)) {
        el.set_text_content(Some(text));
    }
}

/// The element that has keyboard focus, to give it back after a dialog.
pub fn focused_element() -> Option<HtmlElement> {
    document()?.active_element()?.dyn_into::<HtmlElement>().ok()
}

/// Scrolls to the top and focuses the element `id` (the `<main>`), as a fresh page load would.
pub fn focus_main(id: &str) {
    let Some(window) = web_sys::window() else { return };
    window.scroll_to_with_x_and_y(0.0, 0.0);
    if let Some(el) = window
        .document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = el.focus_with_options(&options);
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

/// Today's date on the device's calendar, which bounds a date of birth.
pub fn today() -> chrono::NaiveDate {
    let now = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(now.get_full_year() as i32, now.get_month() + 1, now.get_date()).unwrap_or_default()
}

/// Milliseconds since the Unix epoch on the device's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Milliseconds since the epoch of an RFC 3339 or HTTP date (`None` if unreadable).
pub fn parse_date_ms(text: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(text);
    ms.is_finite().then_some(ms)
}

/// The time of day of an RFC 3339 instant on Italian clocks (Europe/Rome), as `16:00:05`, by the
/// browser's `Intl` (whose time-zone data the wasm then need not carry); `None` if unreadable.
pub fn rome_time(rfc3339: &str) -> Option<String> {
    let date = js_sys::Date::new(&rfc3339.into());
    if date.get_time().is_nan() {
        return None;
    }
    let options = js_sys::JSON::parse(
        r#"{"timeZone":"Europe/Rome","hourCycle":"h23","hour":"2-digit","minute":"2-digit","second":"2-digit"}"#,
    )
    .ok()?;
    Some(date.to_locale_time_string_with_options("it-IT", &options).into())
}

/// 128 random bits from the browser's cryptographic generator, as 32 hex digits (falling back on
/// `Math.random` where `crypto` is missing: an idempotency key needs uniqueness, not secrecy).
pub fn random_hex128() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `task` in the background. Every task goes through one boxed type, so that the executor's
/// code is compiled once rather than once per `async` block (wasm size).
pub fn spawn(task: impl Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(task));
}

fn spawn_boxed(task: std::pin::Pin<Box<dyn Future<Output = ()>>>) {
    leptos::task::spawn_local(task);
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
