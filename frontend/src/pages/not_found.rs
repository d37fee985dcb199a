//! The page for addresses the app does not know.

use leptos::prelude::*;

use crate::i18n::Text;
use crate::ui::{tr, use_document_title};

/// "Page not found", with a way back to the start.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    use_document_title(Text::NotFoundTitle, || false);
    view! {
        <h1>{tr(Text::NotFoundHeading)}</h1>
        <p>{tr(Text::NotFoundBody)}</p>
        <p>
            <a href="/">{tr(Text::NotFoundHomeLink)}</a>
        </p>
    }
}
