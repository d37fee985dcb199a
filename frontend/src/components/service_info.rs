//! What the service is, the way in (request a PIN, log in), how to sign in and when
//! applications can be sent.

use leptos::prelude::*;

use super::StartLinks;
use crate::app::tr;
use crate::i18n::Text;

/// The explanatory part of the start page, under its heading.
#[component]
pub fn ServiceInfo() -> impl IntoView {
    view! {
        <p class="lead">{tr(Text::HomeLead)}</p>
        <p>{tr(Text::HomeWhoFor)}</p>
        <StartLinks />

        <h2>{tr(Text::AccessHeading)}</h2>
        <p>{tr(Text::AccessIntro)}</p>
        <ul class="list">
            <li>{tr(Text::AccessPinInps)}</li>
            <li>{tr(Text::AccessPinSimplified)}</li>
            <li>{tr(Text::AccessSpid)}</li>
            <li>{tr(Text::AccessCie)}</li>
            <li>{tr(Text::AccessCns)}</li>
        </ul>

        <h2>{tr(Text::WindowHeading)}</h2>
        <p>{tr(Text::WindowFill)}</p>
        <p>{tr(Text::WindowSend)}</p>
    }
}
