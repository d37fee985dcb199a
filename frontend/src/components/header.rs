//! The page header of every bundle: the service's name, the language switch, and what the bundle
//! puts beside it (the citizen's Esci, the operator's name and Esci).

use domain::Lang;
use leptos::prelude::*;

use crate::browser;
use crate::i18n::Text;
use crate::ui::{tr, use_lang};

/// The header shown on every page.
#[component]
pub fn Header<C: IntoView + 'static>(
    /// Where the service's name leads.
    #[prop(default = "/")]
    home: &'static str,
    /// The service's name.
    #[prop(default = Text::ServiceName)]
    name: Text,
    /// The line under it.
    #[prop(default = Text::ServiceTagline)]
    tagline: Text,
    /// What stands after the language switch (typed, not boxed: each bundle's header is one).
    children: TypedChildren<C>,
) -> impl IntoView {
    let lang = use_lang();
    let other = move || match lang.get() {
        Lang::It => Lang::En,
        Lang::En => Lang::It,
    };
    let switch = move |_| {
        let next = other();
        lang.set(next);
        browser::store_lang(next);
    };
    view! {
        <header class="header">
            <div class="header__inner">
                <a href=home class="header__service">
                    <span class="header__name">{tr(name)}</span>
                    <span class="header__tagline">{tr(tagline)}</span>
                </a>
                // The switch names the other language in that language, marked up as such so that
                // screen readers pronounce it right.
                <div class="header__actions">
                    <button type="button" class="lang-switch" lang=move || other().tag() on:click=switch>
                        {tr(Text::SwitchToOther)}
                    </button>
                    {children.into_inner()()}
                </div>
            </div>
        </header>
    }
}
