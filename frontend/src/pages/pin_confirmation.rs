//! PIN request, confirmation: the request went through; where the first 8 characters were sent,
//! that the rest comes by post to the residence the population registry knows (masked, with what
//! to do if it is out of date), what to do if nothing arrives within 12 hours, and the way in.

use leptos::prelude::*;

use crate::app::{tr, use_document_title, use_lang};
use crate::i18n::{Text, t_with};
use crate::pin_draft::PinReceipt;
use crate::router::LOGIN_PATH;

/// `/richiesta-pin/conferma`.
#[component]
pub fn PinConfirmationPage() -> impl IntoView {
    let lang = use_lang();
    use_document_title(Text::PinSentTitle, || false);
    // A reload keeps the receipt (this tab only); without it the page still says what happens.
    let receipt = PinReceipt::load();
    let codice_fiscale = receipt.as_ref().map(|r| r.codice_fiscale.clone());
    let letter_to = receipt.as_ref().and_then(|r| r.letter_to.clone());
    let channels = receipt.map(|r| {
        [
            (Text::PinSentSms, r.sent_to.sms),
            (Text::PinSentEmail, r.sent_to.email),
            (Text::PinSentPec, r.sent_to.pec),
        ]
    });
    let where_sent = match channels {
        Some(channels) => {
            let items = channels
                .into_iter()
                .filter_map(|(text, to)| to.map(|to| view! { <li>{move || t_with(lang.get(), text, "to", &to)}</li> }))
                .collect_view();
            view! {
                <p>{tr(Text::PinSentWhere)}</p>
                <ul class="list">{items}</ul>
            }
            .into_any()
        }
        None => view! { <p>{tr(Text::PinSentGeneric)}</p> }.into_any(),
    };

    view! {
        <div class="panel panel--confirmation">
            <h1 class="panel__title">{tr(Text::PinSentHeading)}</h1>
            {codice_fiscale.map(|cf| view! {
                <div class="panel__body">
                    {tr(Text::CfLabel)}
                    <br />
                    <strong>{cf}</strong>
                </div>
            })}
        </div>
        {where_sent}
        <h2>{tr(Text::WhatNextHeading)}</h2>
        <p>{tr(Text::PinSentSimplified)}</p>
        {match letter_to {
            Some(address) => view! {
                <p>{move || t_with(lang.get(), Text::PinSentLetterTo, "address", &address)}</p>
                <p>{tr(Text::PinLetterOutOfDate)}</p>
            }
            .into_any(),
            None => view! { <p>{tr(Text::PinSentPost)}</p> }.into_any(),
        }}
        <h2>{tr(Text::PinNothingHeading)}</h2>
        <p>{tr(Text::PinNothingText)}</p>
        <p>
            <a href=LOGIN_PATH class="button" draggable="false">{tr(Text::LoginWithPin)}</a>
        </p>
    }
}
