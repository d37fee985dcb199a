//! A step of the application (`/domanda/<slug>`): back link, error summary, caption and heading,
//! the step's questions, and Avanti — which checks the step with the domain's rules in the page
//! (the same function the API runs), then saves it on the server, which checks it again. One
//! component serves the four steps; the declarations are rendered from the benefit catalogue.

use crate::i18n::t_with;
use std::sync::Arc;

use domain::application::ApplicationStep;
use domain::benefits::Catalogue;
use leptos::prelude::*;

use super::FROM_SUMMARY;
use super::area::{use_area_title, when_loaded};
use crate::application_answers::{Citizen, label_of};
use crate::application_draft::{ApplicationDraft, next_step, previous_step, use_draft};
use crate::application_questions::step_questions;
use crate::area_texts::dyn_text;
use crate::browser;
use crate::components::{BackLink, ErrorSummary, FORM_ID, SendStatus, Sending};
use crate::form::{self, FormProblems};
use crate::i18n::Text;
use crate::router::{self, APPLICATION_PATH, APPLICATION_SUMMARY_PATH, use_navigator};
use crate::ui::{tr, use_lang};

/// A step's page texts: title, heading and introduction (none when the question is the heading).
fn texts(step: ApplicationStep) -> (Text, Text, Option<Text>) {
    match step {
        ApplicationStep::Benefit => (Text::BenefitTitle, Text::BenefitHeading, None),
        ApplicationStep::Declarations => (
            Text::DeclarationsTitle,
            Text::DeclarationsHeading,
            Some(Text::DeclarationsIntro),
        ),
        ApplicationStep::Payment => (Text::PaymentTitle, Text::PaymentHeading, Some(Text::PaymentIntro)),
        ApplicationStep::Contacts => (Text::ContactsTitle, Text::ContactsHeading, Some(Text::ContactsIntro)),
    }
}

/// One step of the application.
#[component]
pub fn ApplicationStepPage(
    /// Which step this page asks.
    step: ApplicationStep,
) -> impl IntoView {
    let draft = use_draft();
    let problems = FormProblems::new();
    use_area_title(texts(step).0, move || problems.any());
    when_loaded(draft, move || step_form(draft, step, problems))
}

fn step_form(draft: ApplicationDraft, step: ApplicationStep, problems: FormProblems) -> AnyView {
    let nav = use_navigator();
    let lang = use_lang();
    let sending = RwSignal::new(Sending::Idle);
    let from_summary = browser::query_has("da", "riepilogo");
    let (_, heading, intro) = texts(step);

    // Submitted already, or an earlier step not done: go where the citizen can act.
    let redirect = match draft.submitted.get_untracked() {
        Some(_) => Some(APPLICATION_PATH.to_owned()),
        None => draft.first_incomplete(Some(step)).map(router::application_step_path),
    };
    if let Some(url) = redirect {
        request_animation_frame(move || nav.replace(&url));
    }
    // Problems the server found at CONFERMA on this page's fields.
    let carried: Vec<_> = draft
        .carried
        .get_untracked()
        .into_iter()
        .filter(|(field, _)| field.as_deref().and_then(ApplicationStep::of_field) == Some(step))
        .collect();
    problems.show_quietly(carried);

    let leave = move || {
        let url = if from_summary {
            match draft.first_incomplete(None) {
                None => APPLICATION_SUMMARY_PATH.to_owned(),
                Some(missing) => format!("{}{FROM_SUMMARY}", router::application_step_path(missing)),
            }
        } else {
            next_step(step).map_or_else(|| APPLICATION_SUMMARY_PATH.to_owned(), router::application_step_path)
        };
        draft
            .carried
            .update(|c| c.retain(|(field, _)| field.as_deref().and_then(ApplicationStep::of_field) != Some(step)));
        nav.go(&url);
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked().busy() {
            return; // a double tap must not send twice
        }
        let errors = draft.form_untracked().validate_step(step, Catalogue::embedded());
        if !errors.is_empty() {
            // Saved anyway, as every Avanti is: nothing typed is lost.
            draft.save_draft();
            problems.show(form::from_field_errors(&errors));
            return;
        }
        sending.set(Sending::Waiting);
        browser::spawn(async move {
            let on_retry = move |notice| sending.set(Sending::retrying(notice));
            let answer = draft.save_step(step, on_retry).await;
            sending.set(Sending::after(&answer));
            match answer {
                Ok(()) => {
                    problems.clear();
                    leave();
                }
                Err(error) if draft.session_ended(&error) => {}
                Err(error) => problems.show(form::from_api_error(&error, None)),
            }
        });
    };

    let back = match (from_summary, previous_step(step)) {
        (true, _) => APPLICATION_SUMMARY_PATH.to_owned(),
        (false, Some(previous)) => router::application_step_path(previous),
        (false, None) => APPLICATION_PATH.to_owned(),
    };
    let number = ApplicationStep::ALL.iter().position(|s| *s == step).unwrap_or_default() + 1;
    let caption = dyn_text(Arc::new(move || {
        t_with(lang.get(), Text::StepCaption, "n", &number.to_string())
    }));
    let heading_view = (step != ApplicationStep::Benefit).then(|| view! { <h1>{tr(heading)}</h1> });

    view! {
        <BackLink href=back />
        <ErrorSummary items=problems.summary_words(form::same_page_link, label_of) focus_token=problems.focus_token() />
        <p class="caption">{caption}</p>
        {heading_view}
        {intro.map(|intro| view! { <p>{tr(intro)}</p> })}
        <form id=FORM_ID novalidate on:submit=on_submit>
            {step_questions::<Citizen>(step, draft.answers, problems, step == ApplicationStep::Benefit)}
            <button type="submit" class="button">{tr(Text::Continue)}</button>
        </form>
        <SendStatus sending=sending />
    }
    .into_any()
}
