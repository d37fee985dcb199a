//! The receipt (`/domanda/ricevuta/<protocol>`): the protocol number, the date and time of sending
//! in Italian time, what happens next, a summary of what was declared, and a Print button (the
//! print style sheet leaves out the page's frame and buttons).

use crate::i18n::{Text, t};
use crate::ui::tr;
use leptos::prelude::*;

use crate::application_answers::answers;
use std::sync::Arc;

use super::area::{rome_date_time, use_area_title, when_loaded};
use crate::api_client::ApiError;
use crate::application_draft::{ApplicationView, use_draft};
use crate::area_texts::dyn_text;
use crate::browser;
use crate::components::{ReceiptPanel, problem_panel};
use crate::router::MY_APPLICATIONS_PATH;
use crate::ui::use_lang;

/// `/domanda/ricevuta/<protocol>`.
#[component]
pub fn ReceiptPage(
    /// The protocol number in the address.
    protocol: String,
) -> impl IntoView {
    let draft = use_draft();
    use_area_title(Text::ReceiptTitle, || false);
    // A citizen has one application at most, which the API sends with the application's state
    // (`submitted`): any other number is not theirs to see.
    when_loaded(draft, move || {
        match draft.submitted.get_untracked().filter(|view| view.protocol == protocol) {
            Some(view) => receipt(view).into_any(),
            None => problem_panel(ApiError::NotFound),
        }
    })
}

fn receipt(view: ApplicationView) -> impl IntoView {
    let lang = use_lang();
    let when = rome_date_time(&view.submitted_at);
    let sent = dyn_text(Arc::new(move || {
        when.as_ref().map_or_else(String::new, |(date, time)| {
            t(lang.get(), Text::SubmittedAt)
                .replace("{date}", date)
                .replace("{time}", time)
        })
    }));
    let form = Signal::stored(view.content.clone());
    // What the server sent at submission, to the contacts of the application, masked.
    let (email, mobile) = (
        domain::pin_request::mask_email(&view.content.email),
        domain::MobilePhone::parse(&view.content.mobile)
            .map(|m| domain::pin_request::mask_mobile(&m))
            .unwrap_or_default(),
    );
    let sent_to = dyn_text(Arc::new(move || {
        t(lang.get(), Text::ReceiptSentTo)
            .replace("{email}", &email)
            .replace("{mobile}", &mobile)
    }));
    // Whose it is, on the page and on paper: a receipt must not pass for someone else's.
    let name = view.applicant_name.clone().map(|name| {
        view! {
            <div class="summary-list__row">
                <dt class="summary-list__key">{tr(Text::ApplicantLabel)}</dt>
                <dd class="summary-list__value">{name}</dd>
            </div>
        }
    });
    view! {
        <ReceiptPanel protocol=view.protocol.clone() />
        <dl class="summary-list">
            {name}
            <div class="summary-list__row">
                <dt class="summary-list__key">{tr(Text::ApplicantCfLabel)}</dt>
                <dd class="summary-list__value">{view.applicant_codice_fiscale.clone()}</dd>
            </div>
        </dl>
        <p class="lead">{sent}</p>
        <p>{sent_to}</p>
        <p class="no-print">
            <button type="button" class="button button--secondary" on:click=move |_| browser::print()>
                {tr(Text::Print)}
            </button>
        </p>
        <h2>{tr(Text::NextHeading)}</h2>
        <p>{tr(Text::NextText)}</p>
        <h2>{tr(Text::ReceiptSummaryHeading)}</h2>
        {answers(form, None)}
        <p class="no-print"><a href=MY_APPLICATIONS_PATH>{tr(Text::MyApplicationsLink)}</a></p>
    }
}
