//! The panel for a problem that stops a page, in every bundle.

use std::sync::Arc;

use leptos::prelude::*;

use crate::api_client::ApiError;
use crate::area_texts::dyn_text;
use crate::browser;
use crate::i18n::Text;
use crate::ui::{tr, use_lang};

/// A problem that stops the page, in a panel screen readers announce; when the service could not
/// answer, with a button to load the page again (what was typed is kept on the device).
pub fn problem_panel(error: ApiError) -> AnyView {
    let lang = use_lang();
    let retry = error.is_unavailable().then(|| {
        view! {
            <button type="button" class="button button--secondary" on:click=move |_| browser::reload()>
                {tr(Text::RetryNow)}
            </button>
        }
    });
    view! {
        <div class="panel panel--problem" role="alert">
            <p class="panel__text">{dyn_text(Arc::new(move || error.message(lang.get())))}</p>
            {retry}
        </div>
    }
    .into_any()
}
