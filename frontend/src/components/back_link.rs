//! The "Indietro" link at the top of a question page (GOV.UK back link): a link, not a button,
//! so that it goes where it says even without the app's help.

use leptos::prelude::*;

use crate::i18n::Text;
use crate::ui::tr;

/// A link to the previous page.
#[component]
pub fn BackLink(
    /// Where "Indietro" goes.
    #[prop(into)]
    href: String,
) -> impl IntoView {
    view! {
        <a href=href class="back-link">
            {tr(Text::Back)}
        </a>
    }
}
