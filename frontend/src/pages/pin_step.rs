//! A step of the PIN request (`/richiesta-pin/<slug>`): back link, error summary, caption and
//! heading, the step's questions (from `pin_questions`), and Avanti — which checks the step with
//! the domain's rules in the page, then asks the server (which has the place table) before moving
//! on. One component serves the four steps.

use domain::Step;
use domain::wire::pin_request::StepChecked;
use leptos::prelude::*;

use crate::api_client;
use crate::browser;
use crate::components::{BackLink, ErrorSummary, FORM_ID, QuestionField, SendStatus, Sending};
use crate::form::{self, FormProblems};
use crate::i18n::{Text, t_with};
use crate::pin_draft::{first_incomplete, lives_in_italy, next_step, previous_step, use_draft};
use crate::pin_questions::{label_of, page, questions};
use crate::router::{self, PIN_SUMMARY_PATH, use_navigator};
use crate::ui::{tr, use_document_title, use_lang};

/// The query that marks a visit from the check-your-answers page ("Modifica"): Avanti and
/// Indietro then lead back there.
pub const FROM_SUMMARY: &str = "?da=riepilogo";

/// The path of the server's check of `step`.
fn check_path(step: Step) -> String {
    format!("/api/pin-requests/steps/{}", step.slug())
}

/// One step of the PIN request.
#[component]
pub fn PinStepPage(
    /// Which step this page asks.
    step: Step,
) -> impl IntoView {
    let texts = page(step);
    let problems = FormProblems::new();
    let draft = use_draft();
    let nav = use_navigator();
    let lang = use_lang();
    let sending = RwSignal::new(Sending::Idle);
    let from_summary = browser::query_has("da", "riepilogo");
    use_document_title(texts.title, move || problems.any());
    let in_italy = Signal::derive(move || lives_in_italy(&draft.residence_country.read()));

    // An earlier step not done: go there instead (the server would refuse the request anyway).
    if let Some(missing) = first_incomplete(&draft.form_untracked(), browser::today(), Some(step)) {
        let url = router::step_path(missing);
        request_animation_frame(move || nav.replace(&url));
    }
    // Problems the server found at CONFERMA on this page's fields.
    let carried: Vec<_> = draft
        .carried
        .get_untracked()
        .into_iter()
        .filter(|(field, _)| field.as_deref().and_then(Step::of_field) == Some(step))
        .collect();
    problems.show_quietly(carried);

    let leave = move || {
        let url = if from_summary {
            // Back to the answers, unless this change made another page incomplete (a new
            // country of residence asks the address differently).
            match first_incomplete(&draft.form_untracked(), browser::today(), None) {
                None => PIN_SUMMARY_PATH.to_owned(),
                Some(missing) => format!("{}{FROM_SUMMARY}", router::step_path(missing)),
            }
        } else {
            next_step(step).map_or_else(|| PIN_SUMMARY_PATH.to_owned(), router::step_path)
        };
        draft
            .carried
            .update(|c| c.retain(|(field, _)| field.as_deref().and_then(Step::of_field) != Some(step)));
        nav.go(&url);
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked().busy() {
            return; // a double tap must not send twice
        }
        let form = draft.form_untracked();
        let errors = form.validate_step(step, browser::today(), None);
        if !errors.is_empty() {
            problems.show(form::from_field_errors(&errors));
            return;
        }
        sending.set(Sending::Waiting);
        browser::spawn(async move {
            let on_retry = move |notice| sending.set(Sending::retrying(notice));
            let answer = api_client::post_json_observed(&check_path(step), &form, on_retry)
                .await
                .and_then(api_client::read::<StepChecked>);
            sending.set(Sending::after(&answer));
            match answer {
                Ok(answer) => {
                    problems.clear();
                    // After the first page: what the code says, offered on the next page.
                    if let Some(derived) = answer.from_codice_fiscale {
                        draft.offer_from_codice_fiscale(derived);
                    }
                    leave();
                }
                Err(error) => problems.show(form::from_api_error(&error, None)),
            }
        });
    };

    let back = match (from_summary, previous_step(step)) {
        (true, _) => PIN_SUMMARY_PATH.to_owned(),
        (false, Some(previous)) => router::step_path(previous),
        (false, None) => router::HOME_PATH.to_owned(),
    };
    // Abroad there is no province: the question leaves the page while the answer stays saved.
    let fields = questions(step)
        .iter()
        .filter_map(|question| Some((question, draft.field(question.field)?)))
        .map(|(question, value)| {
            let asked = move || !question.italy_only || in_italy.get();
            move || {
                asked().then(|| {
                    view! { <QuestionField question=question value=value problems=problems in_italy=in_italy /> }
                })
            }
        })
        .collect_view();
    let number = Step::ALL.iter().position(|s| *s == step).unwrap_or_default() + 1;
    let caption = move || t_with(lang.get(), Text::PinStepCaption, "n", &number.to_string());

    view! {
        <BackLink href=back />
        <ErrorSummary items=problems.summary(form::same_page_link, label_of) focus_token=problems.focus_token() />
        <p class="caption">{caption}</p>
        <h1>{tr(texts.heading)}</h1>
        <p>{tr(texts.intro)}</p>
        <form id=FORM_ID novalidate on:submit=on_submit>
            {fields}
            <button type="submit" class="button">{tr(Text::Continue)}</button>
        </form>
        <SendStatus sending=sending />
    }
}
