//! The call's banner: on every page of a call (the call, the form, the summary, the receipt), a
//! band that stays at the top of the window while the page scrolls, naming the citizen on the
//! phone — codice fiscale always, name once their PIN characters were checked — so that an
//! operator with two calls in two tabs never files for the wrong person. The tab's title starts
//! with the same codice fiscale.

use std::sync::Arc;

use leptos::prelude::*;

use super::state::{CallView, DraftSave, use_console};
use crate::area_texts::{dyn_text, dyn_view};
use crate::browser;
use crate::i18n::{Text, t_with};
use crate::ui::{tr, use_lang};

/// The call `id` as the page knows it, if it is the one loaded.
pub fn this_call(id: &str) -> Option<CallView> {
    use_console().call.get().filter(|call| call.id == id)
}

/// The banner for the call `id`; with `load`, reads the call when the page has not (the form,
/// the summary and the receipt read only the application).
pub fn call_banner(id: Arc<str>, load: bool) -> AnyView {
    let console = use_console();
    if load && console.call.get_untracked().is_none_or(|call| *call.id != *id) {
        let id = id.clone();
        browser::spawn(async move {
            // The page's own request says what went wrong, if anything: here only the banner waits.
            let _ = console.load_call(&id).await;
        });
    }
    let lang = use_lang();
    // A save that failed shows here, in the band that stays in view, the moment it fails.
    let save_failed = dyn_view(Arc::new(move || match console.draft.save.get() {
        DraftSave::Failed(error) => {
            let text = dyn_text(Arc::new(move || {
                t_with(lang.get(), Text::DraftSaveFailed, "reason", &error.message(lang.get()))
            }));
            view! { <p class="call-banner__problem" role="alert">{text}</p> }.into_any()
        }
        DraftSave::Saved => ().into_any(),
    }));
    let facts = dyn_view(Arc::new(move || {
        let Some(call) = this_call(&id) else {
            return ().into_any();
        };
        let name = match call.citizen_name {
            Some(name) => view! { <strong class="call-banner__value">{name}</strong> }.into_any(),
            None => view! { <span class="call-banner__value">{tr(Text::BannerNameUnchecked)}</span> }.into_any(),
        };
        view! {
                    <dl class="call-banner__facts">
                        <div>
                            <dt>{tr(Text::ConsoleCfLabel)}</dt>
                            <dd><strong class="call-banner__value call-banner__cf">{call.codice_fiscale}</strong></dd>
                        </div>
                        <div>
                            <dt>{tr(Text::BannerName)}</dt>
                            <dd>{name}</dd>
                        </div>
                    </dl>
        }
        .into_any()
    }));
    view! {
        <div class="call-banner" role="region" aria-labelledby="call-banner-title">
            <div class="call-banner__inner">
                <p id="call-banner-title" class="call-banner__title">{tr(Text::BannerTitle)}</p>
                {facts}
                {save_failed}
            </div>
        </div>
    }
    .into_any()
}
