//! Check the answers (`/operatore/chiamata/<id>/riepilogo`): every answer with a "Modifica" link
//! to its question, the window notice while the Contact Center's window is closed, then CONFERMA
//! — sent with one idempotency key per call, kept until the receipt arrives, so that retries and
//! double clicks file one application at most.

use std::sync::Arc;

use domain::benefits::Catalogue;
use leptos::prelude::*;

use super::banner::call_banner;
use super::filing::{label, load_for_filing, needs_pin_check};
use super::problems::{Link, Problems};
use super::routes::{call_path, form_path, receipt_path};
use super::state::{Load, use_console};
use super::ui::{use_call_title, when_ready, window_notice};
use super::voice::Operator;
use crate::application_answers::answers_in;
use crate::area_texts::dyn_view;
use crate::browser;
use crate::components::{BackLink, ErrorSummary, FORM_ID, SendStatus, Sending};
use crate::form::from_field_errors;
use crate::i18n::Text;
use crate::router::use_navigator;
use crate::ui::tr;

/// `/operatore/chiamata/<id>/riepilogo`.
pub fn summary_page(id: String) -> AnyView {
    let console = use_console();
    let nav = use_navigator();
    let problems = Problems::new();
    let id: Arc<str> = id.into();
    use_call_title(Text::ConsoleSummaryTitle, id.clone(), move || problems.any());
    let load = RwSignal::new(Load::Loading);
    load_for_filing(id.clone(), load);
    let sending = RwSignal::new(Sending::Idle);
    let refused_as_submitted = RwSignal::new(false);
    let draft = console.draft;

    let on_submit = {
        let id = id.clone();
        Arc::new(move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if sending.get_untracked().busy() {
                return; // a double click must not send twice
            }
            if let Err(errors) = draft.form_untracked().validate(Catalogue::embedded()) {
                problems.show_form(from_field_errors(&errors));
                return;
            }
            sending.set(Sending::Waiting);
            let id = id.clone();
            browser::spawn(async move {
                let on_retry = move |notice| sending.set(Sending::retrying(notice));
                let answer = console.submit(&id, on_retry).await;
                sending.set(Sending::after(&answer));
                match answer {
                    Ok(_) => nav.go(&receipt_path(&id)),
                    Err(error) if console.session_ended(&error) => {}
                    Err(error) if needs_pin_check(&error) => nav.go(&call_path(&id)),
                    Err(error) => {
                        refused_as_submitted.set(error.code() == Some("application.already_submitted"));
                        problems.show_api(&error);
                    }
                }
            });
        })
    };

    let page = {
        let id = id.clone();
        Arc::new(move || {
            let on_submit = on_submit.clone();
            let form_page = form_path(&id);
            let change: Link = {
                let form_page = form_page.clone();
                Arc::new(move |field: &str| format!("{form_page}#{field}"))
            };
            let call = call_path(&id);
            // Outside the Contact Center's hours the notice above says when it opens; CONFERMA
            // waits for then, rather than being pressed for a refusal.
            let window_closed = move || draft.window.get().is_some_and(|w| !w.open);
            view! {
                {call_banner(id.clone(), true)}
                <BackLink href=form_page />
                <ErrorSummary items=problems.summary(change.clone(), label) focus_token=problems.focus_token() />
                {dyn_view(Arc::new(move || refused_as_submitted.get().then(|| view! {
                    <p><a href=call.clone()>{tr(Text::BackToCall)}</a></p>
                }).into_any()))}
                <h1>{tr(Text::SummaryHeading)}</h1>
                {answers_in::<Operator>(Signal::derive(move || draft.form()), Some(change))}
                <h2 class="heading-m">{tr(Text::ConsoleSubmitHeading)}</h2>
                {window_notice(draft.window.get_untracked())}
                <p>{tr(Text::ConsoleSubmitText)}</p>
                <form id=FORM_ID novalidate on:submit=move |ev| on_submit(ev)>
                    <button type="submit" class="button button--caps" disabled=move || sending.get().busy() || window_closed()>
                        {tr(Text::Confirm)}
                    </button>
                </form>
                <SendStatus sending=sending />
            }
            .into_any()
        })
    };
    when_ready(load, page)
}
