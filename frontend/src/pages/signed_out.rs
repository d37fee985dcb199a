//! `/uscito`: where Esci leads. It says the citizen is out and that this device no longer holds
//! copies of their answers (a shared or borrowed phone is common), with the ways back in.

use leptos::prelude::*;

use crate::i18n::Text;
use crate::router::{HOME_PATH, LOGIN_PATH};
use crate::ui::{tr, use_document_title};

/// "You have logged out".
#[component]
pub fn SignedOutPage() -> impl IntoView {
    use_document_title(Text::SignedOutTitle, || false);
    view! {
        <div class="panel panel--confirmation">
            <h1 class="panel__title">{tr(Text::SignedOutHeading)}</h1>
        </div>
        <p>{tr(Text::SignedOutBody)}</p>
        <div class="button-group">
            <a href=LOGIN_PATH class="button" draggable="false">{tr(Text::SignedOutLoginLink)}</a>
            <a href=HOME_PATH class="button button--secondary" draggable="false">{tr(Text::SignedOutHomeLink)}</a>
        </div>
    }
}
