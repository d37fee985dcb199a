//! The page footer: where to get help.

use leptos::prelude::*;

use crate::i18n::Text;
use crate::ui::tr;

/// The footer shown on every page.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="footer">
            <div class="footer__inner">
                <p>{tr(Text::FooterHelp)}</p>
                <p>{tr(Text::FooterService)}</p>
            </div>
        </footer>
    }
}
