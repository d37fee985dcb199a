//! The application on the citizen's behalf (`/operatore/chiamata/<id>/domanda`): the citizen's
//! four steps on one desktop page — the benefit and its declarations (from the catalogue), the
//! payment, the contacts — with the same questions and rules. Avanti checks every step with the
//! domain's rules in the page, then has the API save and check each step in turn; every problem
//! shows in the error summary and at its field.

use std::sync::Arc;
use std::time::Duration;

use domain::Lang;
use domain::application::{ApplicationForm, ApplicationStep};
use domain::benefits::Catalogue;
use leptos::prelude::*;

use super::banner::call_banner;
use super::problems::{Problems, same_page};
use super::routes::{call_path, receipt_path, summary_path};
use super::state::keep_local_draft;
use super::state::{Draft, Load, use_console};
use super::ui::{use_call_title, when_ready, window_notice};
use super::voice::Operator;
use crate::api_client::ApiError;
use crate::application_answers::{Voice, label_of};
use crate::application_questions::step_questions;
use crate::browser;
use crate::components::{BackLink, ErrorSummary, FORM_ID, SendStatus, Sending};
use crate::form::from_field_errors;
use crate::i18n::Text;
use crate::router::use_navigator;
use crate::ui::tr;

/// The label of an application field, for the error summary.
pub fn label(field: &str, lang: Lang) -> Option<&'static str> {
    label_of(field).map(|words| words.get(lang))
}

/// Whether `error` means the identity check has not been done on this call (the form is not
/// the operator's to see yet).
pub fn needs_pin_check(error: &ApiError) -> bool {
    error.code() == Some(domain::ErrorCode::OperatorPinCheckRequired.as_str())
}

/// Loads the call's application into `load`; when it cannot be filed here (submitted already, or
/// the identity not checked) goes where the operator can act.
pub fn load_for_filing(id: Arc<str>, load: RwSignal<Load>) {
    let console = use_console();
    let nav = use_navigator();
    browser::spawn(async move {
        match console.load_application(&id).await {
            Ok(()) if console.draft.submitted.get_untracked().is_some() => nav.replace(&receipt_path(&id)),
            Ok(()) => load.set(Load::Ready),
            Err(error) if console.session_ended(&error) => {}
            Err(error) if needs_pin_check(&error) => nav.replace(&call_path(&id)),
            Err(error) => load.set(Load::Failed(error)),
        }
    });
}

/// `/operatore/chiamata/<id>/domanda`.
pub fn form_page(id: String) -> AnyView {
    let console = use_console();
    let nav = use_navigator();
    let problems = Problems::new();
    let id: Arc<str> = id.into();
    use_call_title(Text::FormTitle, id.clone(), move || problems.any());
    let load = RwSignal::new(Load::Loading);
    load_for_filing(id.clone(), load);
    save_each_change(id.clone(), load);
    let sending = RwSignal::new(Sending::Idle);
    let draft = console.draft;

    let on_submit = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if sending.get_untracked().busy() {
                return; // a double click must not send twice
            }
            if let Err(errors) = draft.form_untracked().validate(Catalogue::embedded()) {
                // Saved anyway, as every Avanti is: nothing typed is lost.
                console.save_draft(id.to_string());
                problems.show_form(from_field_errors(&errors));
                return;
            }
            sending.set(Sending::Waiting);
            let id = id.clone();
            browser::spawn(async move {
                let on_retry = move |notice| sending.set(Sending::retrying(notice));
                let answer = console.save_steps(&id, on_retry).await;
                sending.set(Sending::after(&answer));
                match answer {
                    Ok(()) => {
                        problems.clear();
                        nav.go(&summary_path(&id));
                    }
                    Err(error) if console.session_ended(&error) => {}
                    Err(error) if needs_pin_check(&error) => nav.go(&call_path(&id)),
                    Err(error) => problems.show_api(&error),
                }
            });
        }
    };
    let on_submit = Arc::new(on_submit);

    let page = {
        let id = id.clone();
        Arc::new(move || {
            let on_submit = on_submit.clone();
            view! {
                {call_banner(id.clone(), true)}
                <BackLink href=call_path(&id) />
                <ErrorSummary items=problems.summary(same_page(), label) focus_token=problems.focus_token() />
                <h1>{tr(Text::FormHeading)}</h1>
                <p>{tr(Text::FormIntro)}</p>
                {window_notice(draft.window.get_untracked())}
                <form id=FORM_ID novalidate on:submit=move |ev| on_submit(ev)>
                    <div class="columns">
                        <div class="column">
                            {section(ApplicationStep::Benefit, draft, problems)}
                            {section(ApplicationStep::Declarations, draft, problems)}
                        </div>
                        <div class="column">
                            {section(ApplicationStep::Payment, draft, problems)}
                            {section(ApplicationStep::Contacts, draft, problems)}
                        </div>
                    </div>
                    <button type="submit" class="button">{tr(Text::Continue)}</button>
                </form>
                <SendStatus sending=sending />
            }
            .into_any()
        })
    };
    when_ready(load, page)
}

/// How long the answers stay unchanged before they are sent: a word typed is one save, not one a
/// letter (each is also on the audit log).
const SAVE_AFTER: Duration = Duration::from_millis(700);

/// Keeps every change to the answers: at once in this tab, and on the server once typing pauses,
/// so that an expired session or a closed window loses nothing (the first answers read are the
/// server's own and are not sent back).
fn save_each_change(id: Arc<str>, load: RwSignal<Load>) {
    let console = use_console();
    let draft = console.draft;
    let last = StoredValue::new(None::<ApplicationForm>);
    let pending = StoredValue::new(0u32);
    crate::ui::effect(move || {
        let form = draft.form();
        if load.get() != Load::Ready || draft.call.get().as_deref() != Some(&*id) {
            return;
        }
        let before = last.get_value();
        last.set_value(Some(form.clone()));
        if before.is_none_or(|before| before == form) {
            return;
        }
        keep_local_draft(&id, &form);
        let turn = pending.get_value().wrapping_add(1);
        pending.set_value(turn);
        let id = id.clone();
        set_timeout(
            move || {
                // The page may be gone meanwhile (Avanti): its answers were sent by then.
                if pending.try_get_value() == Some(turn) {
                    console.save_draft(id.to_string());
                }
            },
            SAVE_AFTER,
        );
    });
}

/// A step's questions under its heading.
fn section(step: ApplicationStep, draft: Draft, problems: Problems) -> impl IntoView {
    let id = format!("step-{}", step.slug());
    let labelled_by = id.clone();
    view! {
        <section class="section" aria-labelledby=labelled_by>
            <h2 id=id class="heading-m">{tr(Operator::heading(step))}</h2>
            {step_questions::<Operator>(step, draft.answers, problems, false)}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_labels_name_the_applications_fields() {
        assert_eq!(label("iban", Lang::It), Some("IBAN"));
        assert_eq!(
            label("mobile", Lang::En),
            Some(crate::i18n::t(Lang::En, Text::MobileLabel))
        );
        assert_eq!(label("nothing", Lang::It), None);
    }

    #[test]
    fn only_the_missing_identity_check_sends_the_operator_back_to_the_call() {
        let refused = |code: &str| ApiError::Refused {
            status: 403,
            code: code.into(),
            message: String::new(),
        };
        assert!(needs_pin_check(&refused("operator.pin_check_required")));
        assert!(!needs_pin_check(&refused("submission.window_closed")));
        assert!(!needs_pin_check(&ApiError::NotFound));
    }
}
