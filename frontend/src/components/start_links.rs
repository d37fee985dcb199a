//! The two ways forward from the start page: request a PIN, or log in with one.

use domain::Step;
use leptos::prelude::*;

use crate::i18n::Text;
use crate::router::{LOGIN_PATH, step_path};
use crate::ui::tr;

/// "Richiedi il PIN" and "Accedi", as links that look like buttons (they navigate).
#[component]
pub fn StartLinks() -> impl IntoView {
    view! {
        <div class="start">
            <p>{tr(Text::StartIntro)}</p>
            <div class="button-group">
                <a href=step_path(Step::Identity) class="button button--start" draggable="false">
                    {tr(Text::StartRequestPin)}
                </a>
                <a href=LOGIN_PATH class="button button--secondary" draggable="false">
                    {tr(Text::StartLogin)}
                </a>
            </div>
        </div>
    }
}
