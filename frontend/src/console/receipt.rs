//! The receipt (`/operatore/chiamata/<id>/ricevuta`): the protocol number to tell the citizen,
//! when it was sent (Italian time), what happens next and what was declared.

use crate::i18n::Text;
use crate::ui::tr;
use std::sync::Arc;

use leptos::prelude::*;

use super::banner::call_banner;
use super::routes::call_path;
use super::state::{Load, use_console};
use super::ui::{rome_when, use_call_title, when_ready};
use super::voice::Operator;
use crate::api_client::ApiError;
use crate::application_answers::answers_in;
use crate::area_texts::dyn_text;
use crate::browser;
use crate::components::{ReceiptPanel, problem_panel};
use crate::router::CONSOLE_PATH;
use crate::ui::use_lang;

/// `/operatore/chiamata/<id>/ricevuta`.
pub fn receipt_page(id: String) -> AnyView {
    let console = use_console();
    let lang = use_lang();
    use_call_title(Text::ConsoleReceiptTitle, id.as_str().into(), || false);
    let load = RwSignal::new(Load::Loading);
    {
        let id = id.clone();
        browser::spawn(async move {
            match console.load_application(&id).await {
                Ok(()) => load.set(Load::Ready),
                Err(error) if console.session_ended(&error) => {}
                Err(error) => load.set(Load::Failed(error)),
            }
        });
    }
    let page = Arc::new(move || {
        let Some(view) = console.draft.submitted.get_untracked() else {
            return problem_panel(ApiError::NotFound);
        };
        let submitted = view.submitted_at.clone();
        let sent = dyn_text(Arc::new(move || rome_when(&submitted, lang.get())));
        let content = Signal::stored(view.content.clone());
        view! {
            {call_banner(id.as_str().into(), true)}
            <ReceiptPanel protocol=view.protocol.clone() />
            <dl class="summary-list">
                <div class="summary-list__row">
                    <dt class="summary-list__key">{tr(Text::SubmittedLabel)}</dt>
                    <dd class="summary-list__value">{sent}</dd>
                </div>
            </dl>
            <p>{tr(Text::ReceiptNext)}</p>
            <p class="no-print">
                <button type="button" class="button button--secondary" on:click=|_| browser::print()>
                    {tr(Text::PrintReceipt)}
                </button>
            </p>
            <p>
                <a href=call_path(&id)>{tr(Text::BackToCall)}</a>
                " · "
                <a href=CONSOLE_PATH>{tr(Text::NewCall)}</a>
            </p>
            <h2>{tr(Text::ConsoleReceiptSummaryHeading)}</h2>
            {answers_in::<Operator>(content, None)}
        }
        .into_any()
    });
    when_ready(load, page)
}
