//! The "skip to main content" link: the first thing a keyboard user reaches, hidden until focused.

use leptos::prelude::*;

use crate::browser;
use crate::i18n::Text;
use crate::ui::tr;

/// A link that moves focus past the header to the main content.
#[component]
pub fn SkipLink(
    /// The id of the element to jump to; it must be focusable (`tabindex="-1"`).
    target: &'static str,
) -> impl IntoView {
    // Focus is moved by hand: the router would only scroll, leaving the keyboard where it was.
    let jump = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        browser::focus_by_id(target);
    };
    view! {
        <a href=format!("#{target}") class="skip-link" on:click=jump>
            {tr(Text::SkipLink)}
        </a>
    }
}
