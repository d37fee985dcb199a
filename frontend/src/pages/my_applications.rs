//! "Le mie domande" (`/le-mie-domande`): the citizen's application with its protocol number, its
//! status, who filed it and when (the citizen online, or the Contact Center on their behalf), the
//! history of its statuses (Italian time), and the way to its receipt.

use crate::i18n::{Text, t, t_with};
use crate::ui::tr;
use domain::Lang;
use domain::submission_window::Channel;
use leptos::prelude::*;

use std::sync::Arc;

use super::area::{rome_date_time, use_area_title, when_loaded};
use crate::application_draft::{ApplicationView, use_draft};
use crate::area_texts::dyn_text;
use crate::router::{self, APPLICATION_PATH};
use crate::ui::use_lang;

/// Who filed the application and when (day/month/year, hours:minutes, Italian time), as "Le mie
/// domande" says it.
fn filed(lang: Lang, channel: Channel, (date, time): &(String, String)) -> String {
    let words = match channel {
        Channel::ContactCenter => Text::FiledByContactCenter,
        Channel::WebCitizen => Text::FiledOnline,
    };
    t(lang, words).replace("{date}", date).replace("{time}", time)
}

/// `/le-mie-domande`.
#[component]
pub fn MyApplicationsPage() -> impl IntoView {
    let draft = use_draft();
    use_area_title(Text::MyApplicationsTitle, || false);
    // One application per citizen: the API sends it with the application's state (`submitted`).
    let page = move || match draft.submitted.get_untracked() {
        None => view! {
            <p>{tr(Text::NoApplications)}</p>
            <p><a href=APPLICATION_PATH>{tr(Text::StartApplication)}</a></p>
        }
        .into_any(),
        Some(view) => application(view).into_any(),
    };
    view! {
        <h1>{tr(Text::MyApplicationsLink)}</h1>
        {when_loaded(draft, page)}
    }
}

fn application(view: ApplicationView) -> impl IntoView {
    let lang = use_lang();
    let protocol = view.protocol.clone();
    let status = view.status;
    let (channel, submitted_at) = (view.channel, rome_date_time(&view.submitted_at).unwrap_or_default());
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
            <h2>{dyn_text(Arc::new(move || t_with(lang.get(), Text::ApplicationNumber, "protocol", &protocol)))}</h2>
            <dl class="summary-list">
                <div class="summary-list__row">
                    <dt class="summary-list__key">{tr(Text::StatusLabel)}</dt>
                    <dd class="summary-list__value"><strong class="tag">{dyn_text(Arc::new(move || status.label(lang.get()).to_owned()))}</strong></dd>
                </div>
                <div class="summary-list__row">
                    <dt class="summary-list__key">{tr(Text::FiledLabel)}</dt>
                    <dd class="summary-list__value">{dyn_text(Arc::new(move || filed(lang.get(), channel, &submitted_at)))}</dd>
                </div>
            </dl>
            <table class="table">
                <caption class="table__caption">{tr(Text::HistoryCaption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr(Text::StatusLabel)}</th>
                        <th scope="col">{tr(Text::HistoryWhen)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p><a href=router::receipt_path(&view.protocol)>{tr(Text::SeeReceipt)}</a></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_application_filed_by_the_contact_center_says_so_and_when() {
        let when = ("01/04/2020".to_owned(), "10:05".to_owned());
        assert_eq!(
            filed(Lang::It, Channel::ContactCenter, &when),
            "Dal Contact Center INPS per tuo conto, il 01/04/2020 alle 10:05 (ora italiana)"
        );
        assert_eq!(
            filed(Lang::En, Channel::WebCitizen, &when),
            "By you, online, on 01/04/2020 at 10:05 (Italian time)"
        );
    }
}
