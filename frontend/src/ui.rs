//! What every page and component shares, below the shell: the page's language and its texts as
//! reactive nodes, the document title, one effect type, the id of `<main>`. The shell (`app`)
//! provides the language; nothing here uses the shell, the router or the pages, so that no
//! module is both above and below another.

use domain::Lang;
use leptos::prelude::*;

use crate::browser;
use crate::i18n::{Text, t};

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "main";

/// The page's language, shared with every component through context.
#[derive(Clone, Copy)]
pub struct UiLang(pub RwSignal<Lang>);

/// The current language (reactive).
pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<UiLang>().0
}

/// `key` in the current language, as a reactive text node. Every call returns the same closure
/// type, so the view code for it is compiled once rather than once per string (wasm size).
pub fn tr(key: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || t(lang.get(), key)
}

/// Keeps the document title equal to `page` in the current language, with the "Errore: " prefix
/// while `has_errors` is true (screen readers announce the title first).
pub fn use_document_title(page: Text, has_errors: impl Fn() -> bool + 'static) {
    let lang = use_lang();
    let has_errors: Box<dyn Fn() -> bool> = Box::new(has_errors);
    effect(move || {
        let lang = lang.get();
        let prefix = if has_errors() {
            t(lang, Text::TitleErrorPrefix)
        } else {
            ""
        };
        browser::set_title(&format!("{prefix}{}", t(lang, page)));
    });
}

/// An effect (re-runs `f` whenever a signal it read changes). `Effect::new` compiles its
/// machinery once per closure type; going through one boxed type compiles it once for the app.
pub fn effect(f: impl FnMut() + 'static) {
    effect_boxed(Box::new(f));
}

fn effect_boxed(mut f: Box<dyn FnMut()>) {
    Effect::new(move |_| f());
}
