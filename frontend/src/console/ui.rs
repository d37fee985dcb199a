//! The pieces every console page uses: its title, the loading and problem panels, the window
//! notice, times on Italian clocks.

use crate::i18n::t;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Timelike};
use domain::Lang;
use domain::submission_window::to_rome;
use leptos::prelude::*;

use super::state::Load;
use crate::api_client::ApiError;
use crate::application_draft::WindowState;
use crate::area_texts::dyn_view;
use crate::browser;
use crate::components::problem_panel;
use crate::i18n::Text;
use crate::router::CONSOLE_PATH;
use crate::ui::{effect, tr, use_lang};

/// Keeps the document title equal to `page`, with the "Errore: " prefix while `has_errors`: the
/// citizens' pages' own title rule.
pub(super) fn use_title(page: Text, has_errors: impl Fn() -> bool + 'static) {
    crate::ui::use_document_title(page, has_errors);
}

/// [`use_title`] for a page of the call `id`: the citizen's codice fiscale first, so that two calls
/// in two tabs read apart in the tab strip ("Errore: RSSMRA85T10A562S · Chiamata — Contact Center").
pub(super) fn use_call_title(page: Text, id: Arc<str>, has_errors: impl Fn() -> bool + 'static) {
    let lang = use_lang();
    let console = super::state::use_console();
    let has_errors: Box<dyn Fn() -> bool> = Box::new(has_errors);
    effect(move || {
        let lang = lang.get();
        let prefix = if has_errors() {
            t(lang, Text::TitleErrorPrefix)
        } else {
            ""
        };
        let cf = console
            .call
            .read()
            .as_ref()
            .filter(|call| *call.id == *id)
            .map(|call| format!("{} · ", call.codice_fiscale))
            .unwrap_or_default();
        browser::set_title(&format!("{prefix}{cf}{}", t(lang, page)));
    });
}

pub(super) fn loading() -> AnyView {
    view! { <p role="status">{tr(Text::ConsoleLoading)}</p> }.into_any()
}

pub(super) fn not_found() -> AnyView {
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
pub(super) fn when_ready(load: RwSignal<Load>, page: Arc<dyn Fn() -> AnyView + Send + Sync>) -> AnyView {
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

/// The notice that the Contact Center's window is closed now and when it opens, if closed.
pub(super) fn window_notice(window: Option<WindowState>) -> impl IntoView {
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
pub(super) fn rome_when(rfc3339: &str, lang: Lang) -> String {
    let at = browser::parse_date_ms(rfc3339).and_then(|ms| DateTime::from_timestamp_millis(ms as i64));
    at.map_or_else(String::new, |at| when_in_rome(at, lang))
}

/// `at` as "01/04/2020 alle 10:00" on Italian clocks, in `lang`.
pub(super) fn when_in_rome(at: DateTime<chrono::Utc>, lang: Lang) -> String {
    let local = to_rome(at);
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    date_at(local, &time, lang)
}

/// An instant as "01/04/2020 alle 10:00:05" on Italian clocks, in `lang` (the audit log's, where
/// seconds tell apart what an operator did in one minute; empty if unreadable).
pub(super) fn rome_when_seconds(rfc3339: &str, lang: Lang) -> String {
    let at = browser::parse_date_ms(rfc3339).and_then(|ms| DateTime::from_timestamp_millis(ms as i64));
    at.map_or_else(String::new, |at| when_in_rome_seconds(at, lang))
}

/// `at` as "01/04/2020 alle 10:00:05" on Italian clocks, in `lang`.
pub(super) fn when_in_rome_seconds(at: DateTime<chrono::Utc>, lang: Lang) -> String {
    let local = to_rome(at);
    let time = format!("{:02}:{:02}:{:02}", local.hour(), local.minute(), local.second());
    date_at(local, &time, lang)
}

fn date_at(local: chrono::NaiveDateTime, time: &str, lang: Lang) -> String {
    let date = format!("{:02}/{:02}/{}", local.day(), local.month(), local.year());
    t(lang, Text::DateAtTime)
        .replace("{date}", &date)
        .replace("{time}", time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_on_italian_clocks_in_both_languages() {
        let at = DateTime::parse_from_rfc3339("2020-04-01T08:05:00Z").unwrap().to_utc();
        assert_eq!(when_in_rome(at, Lang::It), "01/04/2020 alle 10:05");
        assert_eq!(when_in_rome(at, Lang::En), "01/04/2020 at 10:05");
        let at = DateTime::parse_from_rfc3339("2020-04-01T08:05:07Z").unwrap().to_utc();
        assert_eq!(when_in_rome_seconds(at, Lang::It), "01/04/2020 alle 10:05:07");
        assert_eq!(when_in_rome_seconds(at, Lang::En), "01/04/2020 at 10:05:07");
    }
}
