//! The page header: the service's name and the language switch.

use domain::Lang;
use leptos::prelude::*;

use crate::app::{tr, use_lang};
use crate::browser;
use crate::i18n::Text;

/// The header shown on every page.
#[component]
pub fn Header() -> impl IntoView {
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
                <a href="/" class="header__service">
                    <span class="header__name">{tr(Text::ServiceName)}</span>
                    <span class="header__tagline">{tr(Text::ServiceTagline)}</span>
                </a>
                // The switch names the other language in that language, marked up as such so that
                // screen readers pronounce it right.
                <button type="button" class="lang-switch" lang=move || other().tag() on:click=switch>
                    {tr(Text::SwitchToOther)}
                </button>
            </div>
        </header>
    }
}
