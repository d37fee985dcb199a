//! PIN request, confirmation: the request went through; which messages were queued with it and
//! where they go (the first 8 characters by SMS, e-mail and PEC, masked, each with its state), that
//! the rest comes by post to the residence the population registry knows (masked, with what
//! to do if it is out of date), what to do if nothing arrives within 12 hours, and the way in.

use leptos::prelude::*;

use crate::i18n::{Text, t, t_with};
use crate::pin_draft::PinReceipt;
use crate::queued_messages::{destination_text, state_text};
use crate::router::LOGIN_PATH;
use crate::ui::{tr, use_document_title, use_lang};

/// `/richiesta-pin/conferma`.
#[component]
pub fn PinConfirmationPage() -> impl IntoView {
    let lang = use_lang();
    use_document_title(Text::PinSentTitle, || false);
    // A reload keeps the receipt (this tab only); without it the page still says what happens.
    let receipt = PinReceipt::load();
    let codice_fiscale = receipt.as_ref().map(|r| r.codice_fiscale.clone());
    let letter_to = receipt.as_ref().and_then(|r| r.letter_to.clone());
    let messages = receipt.map(|r| r.messages).unwrap_or_default();
    // Each message as "SMS al numero +39 ***4567: in coda", in the order the API queued them.
    let where_sent = if messages.is_empty() {
        view! { <p>{tr(Text::PinSentGeneric)}</p> }.into_any()
    } else {
        let items = messages
            .into_iter()
            .map(|m| {
                let text = move || {
                    let lang = lang.get();
                    let to =
                        destination_text(&m.channel).map_or_else(|| m.to.clone(), |key| t_with(lang, key, "to", &m.to));
                    let state = state_text(&m.state).map_or(m.state.as_str(), |key| t(lang, key));
                    format!("{to}: {state}")
                };
                view! { <li>{text}</li> }
            })
            .collect_view();
        view! {
            <p>{tr(Text::PinQueuedIntro)}</p>
            <ul class="list">{items}</ul>
        }
        .into_any()
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
