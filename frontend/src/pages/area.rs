//! What the area's pages share: waiting for the application to load (or saying why it did not),
//! the window notice, and dates in Italian time.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Timelike};
use domain::submission_window::to_rome;
use leptos::prelude::*;

use crate::application_draft::{ApplicationDraft, Load};
use crate::area_texts::dyn_view;
use crate::browser;
use crate::components::problem_panel;
use crate::i18n::{Text, t};
use crate::ui::{tr, use_lang};

/// `page` once the application is loaded; until then "Loading", or the problem.
pub fn when_loaded(draft: ApplicationDraft, page: impl Fn() -> AnyView + Send + Sync + 'static) -> AnyView {
    // One copy of the waiting and the problem for all the pages (not one per page's closure type).
    when_loaded_dyn(draft, Arc::new(page))
}

fn when_loaded_dyn(draft: ApplicationDraft, page: Arc<dyn Fn() -> AnyView + Send + Sync>) -> AnyView {
    let load = Memo::new(move |_| draft.load.get());
    dyn_view(Arc::new(move || match load.get() {
        Load::Loading => view! { <p role="status">{tr(Text::Loading)}</p> }.into_any(),
        Load::Failed(error) => problem_panel(error),
        Load::Ready => page(),
    }))
    .into_any()
}

/// The notice that sending is closed now and when it opens, from the API, if closed.
pub fn window_notice(draft: ApplicationDraft) -> impl IntoView {
    let notice = draft
        .window
        .read_untracked()
        .as_ref()
        .filter(|w| !w.open)
        .and_then(|w| w.notice.clone());
    notice.map(|notice| {
        view! {
            <div class="notification-banner" role="region" aria-labelledby="window-title">
                <h2 id="window-title" class="notification-banner__title">{tr(Text::WindowClosedTitle)}</h2>
                <p class="notification-banner__text">{notice}</p>
            </div>
        }
    })
}

/// Keeps the document title equal to `page` in the current language, with the "Errore: " prefix
/// while `has_errors` is true (as `app::use_document_title` does for the shared texts).
pub fn use_area_title(page: Text, has_errors: impl Fn() -> bool + 'static) {
    let lang = use_lang();
    let has_errors: Box<dyn Fn() -> bool> = Box::new(has_errors);
    crate::ui::effect(move || {
        let lang = lang.get();
        let prefix = if has_errors() {
            t(lang, Text::TitleErrorPrefix)
        } else {
            ""
        };
        browser::set_title(&format!("{prefix}{}", t(lang, page)));
    });
}

/// An instant as day/month/year and hours:minutes in Italian time (`None` if unreadable).
pub fn rome_date_time(rfc3339: &str) -> Option<(String, String)> {
    let ms = browser::parse_date_ms(rfc3339)?;
    let at = DateTime::from_timestamp_millis(ms as i64)?;
    Some(format_rome(at))
}

/// `at` as (`01/04/2020`, `17:00`) on Italian clocks.
pub fn format_rome(at: DateTime<chrono::Utc>) -> (String, String) {
    let local = to_rome(at);
    (
        format!("{:02}/{:02}/{}", local.day(), local.month(), local.year()),
        format!("{:02}:{:02}", local.hour(), local.minute()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_times_are_italian_summer_and_winter() {
        let summer = DateTime::parse_from_rfc3339("2020-04-01T15:00:00Z").unwrap().to_utc();
        assert_eq!(format_rome(summer), ("01/04/2020".into(), "17:00".into()));
        let winter = DateTime::parse_from_rfc3339("2020-12-31T23:30:00Z").unwrap().to_utc();
        assert_eq!(format_rome(winter), ("01/01/2021".into(), "00:30".into()));
    }
}
