//! "Le mie domande" (`/le-mie-domande`): the citizen's application with its protocol number, its
//! status and the history of its statuses (Italian time), and the way to its receipt.

use leptos::prelude::*;

use std::sync::Arc;

use super::area::{rome_date_time, use_area_title, when_loaded};
use crate::app::use_lang;
use crate::application_draft::{ApplicationView, use_draft};
use crate::area_texts::{AreaText, at_with, dyn_text, w};
use crate::router::{self, APPLICATION_PATH};

/// `/le-mie-domande`.
#[component]
pub fn MyApplicationsPage() -> impl IntoView {
    let draft = use_draft();
    use_area_title(AreaText::MyApplicationsTitle, || false);
    // One application per citizen: the API sends it with the application's state (`submitted`).
    let page = move || match draft.submitted.get_untracked() {
        None => view! {
            <p>{w(AreaText::NoApplications)}</p>
            <p><a href=APPLICATION_PATH>{w(AreaText::StartApplication)}</a></p>
        }
        .into_any(),
        Some(view) => application(view).into_any(),
    };
    view! {
        <h1>{w(AreaText::MyApplicationsLink)}</h1>
        {when_loaded(draft, page)}
    }
}

fn application(view: ApplicationView) -> impl IntoView {
    let lang = use_lang();
    let protocol = view.protocol.clone();
    let status = view.status;
    let rows = view
        .history
        .into_iter()
        .map(|change| {
            let (date, time) = rome_date_time(&change.at).unwrap_or_default();
            view! {
                <tr>
                    <td>{dyn_text(Arc::new(move || change.status.label(lang.get()).to_owned()))}</td>
                    <td>{format!("{date} {time}")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="section">
            <h2>{dyn_text(Arc::new(move || at_with(lang.get(), AreaText::ApplicationNumber, "protocol", &protocol)))}</h2>
            <dl class="summary-list">
                <div class="summary-list__row">
                    <dt class="summary-list__key">{w(AreaText::StatusLabel)}</dt>
                    <dd class="summary-list__value"><strong class="tag">{dyn_text(Arc::new(move || status.label(lang.get()).to_owned()))}</strong></dd>
                </div>
            </dl>
            <table class="table">
                <caption class="table__caption">{w(AreaText::HistoryCaption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{w(AreaText::StatusLabel)}</th>
                        <th scope="col">{w(AreaText::HistoryWhen)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p><a href=router::receipt_path(&view.protocol)>{w(AreaText::SeeReceipt)}</a></p>
        </section>
    }
}
