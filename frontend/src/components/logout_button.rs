//! Esci in the citizens' header.

use leptos::prelude::*;

use crate::api_client::ApiError;
use crate::browser;
use crate::i18n::Text;
use crate::router::SIGNED_OUT_PATH;
use crate::session::{self, use_session};
use crate::ui::tr;

/// Esci, while someone is logged in: ends the session on the server, forgets this device's copies
/// of what was typed, and goes to the signed-out page (a full load, which leaves nothing of the
/// area's state in memory).
#[component]
pub fn LogoutButton() -> impl IntoView {
    let session = use_session();
    let failed = RwSignal::new(false);
    let logout = move |_| {
        browser::spawn(async move {
            match session::logout().await {
                // 401: the session had already ended; the citizen is out either way.
                Ok(()) | Err(ApiError::Refused { status: 401, .. }) => {
                    session.end();
                    browser::forget_personal_copies();
                    browser::location_visit(SIGNED_OUT_PATH, false);
                }
                Err(_) => failed.set(true),
            }
        });
    };
    move || {
        session.info.read().is_some().then(|| {
            view! {
                <button type="button" class="header__logout" on:click=logout>{tr(Text::Logout)}</button>
                <p class="header__problem" role="alert">{move || failed.get().then(|| tr(Text::LogoutFailed)())}</p>
            }
        })
    }
}
