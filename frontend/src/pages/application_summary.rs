//! The application's check your answers (`/domanda/riepilogo`): every answer with a "Modifica"
//! link to its page, the window notice while sending is closed, then CONFERMA — disabled while it
//! is being sent, and sent with one idempotency key per confirmation, kept until the receipt
//! arrives, so that retries and double taps make one application at most.

use std::sync::Arc;

use domain::application::ApplicationStep;
use domain::benefits::Catalogue;
use leptos::prelude::*;

use super::FROM_SUMMARY;
use super::area::{use_area_title, when_loaded, window_notice};
use crate::application_answers::{answers, label_of};
use crate::application_draft::{ApplicationDraft, use_draft};
use crate::area_texts::dyn_view;
use crate::components::{BackLink, ErrorSummary, FORM_ID, SendStatus, Sending};
use crate::form::{self, FormProblems};
use crate::i18n::Text;
use crate::router::{self, APPLICATION_PATH, MY_APPLICATIONS_PATH, use_navigator};
use crate::ui::tr;

/// The link to change `field`: its step's page, back here afterwards.
pub fn change_link(field: &str) -> String {
    match ApplicationStep::of_field(field) {
        Some(step) => format!("{}{FROM_SUMMARY}#{field}", router::application_step_path(step)),
        None => format!("#{field}"),
    }
}

/// `/domanda/riepilogo`.
#[component]
pub fn ApplicationSummaryPage() -> impl IntoView {
    let draft = use_draft();
    let problems = FormProblems::new();
    use_area_title(Text::SummaryTitle, move || problems.any());
    when_loaded(draft, move || summary(draft, problems))
}

fn summary(draft: ApplicationDraft, problems: FormProblems) -> AnyView {
    let nav = use_navigator();
    let sending = RwSignal::new(Sending::Idle);
    let refused_as_submitted = RwSignal::new(false);

    let redirect = match draft.submitted.get_untracked() {
        Some(view) => Some(router::receipt_path(&view.protocol)),
        None => draft.first_incomplete(None).map(router::application_step_path),
    };
    if let Some(url) = redirect {
        request_animation_frame(move || nav.replace(&url));
    }

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked().busy() {
            return; // a double tap must not send twice
        }
        if let Err(errors) = draft.form_untracked().validate(Catalogue::embedded()) {
            problems.show(form::from_field_errors(&errors));
            return;
        }
        sending.set(Sending::Waiting);
        crate::browser::spawn(async move {
            let on_retry = move |notice| sending.set(Sending::retrying(notice));
            let answer = draft.submit(on_retry).await;
            sending.set(Sending::after(&answer));
            match answer {
                Ok(view) => nav.go(&router::receipt_path(&view.protocol)),
                Err(error) if draft.session_ended(&error) => {}
                Err(error) => {
                    refused_as_submitted.set(error.code() == Some("application.already_submitted"));
                    let found = form::from_api_error(&error, None);
                    draft.carried.set(found.clone());
                    problems.show(found);
                }
            }
        });
    };

    let form = Signal::derive(move || draft.form());
    view! {
        <BackLink href=router::application_step_path(ApplicationStep::Contacts) />
        <ErrorSummary items=problems.summary_words(change_link, label_of) focus_token=problems.focus_token() />
        {dyn_view(Arc::new(move || refused_as_submitted.get().then(|| view! {
            <p><a href=MY_APPLICATIONS_PATH>{tr(Text::MyApplicationsLink)}</a></p>
        }).into_any()))}
        <h1>{tr(Text::SummaryHeading)}</h1>
        {answers(form, Some(Arc::new(change_link)))}
        <h2 class="heading-m">{tr(Text::SubmitHeading)}</h2>
        {window_notice(draft)}
        <p>{tr(Text::SubmitText)}</p>
        <form id=FORM_ID novalidate on:submit=on_submit>
            <button type="submit" class="button button--caps" disabled=move || sending.get().busy()>
                {tr(Text::Confirm)}
            </button>
        </form>
        <SendStatus sending=sending />
        <p><a href=APPLICATION_PATH>{tr(Text::ApplicationHeading)}</a></p>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_link_leads_to_the_field_on_its_page_and_back() {
        assert_eq!(change_link("iban"), "/domanda/pagamento?da=riepilogo#iban");
        assert_eq!(
            change_link("decl.pensioner"),
            "/domanda/dichiarazioni?da=riepilogo#decl.pensioner"
        );
    }
}
