//! The application's check your answers (`/domanda/riepilogo`): every answer with a "Modifica"
//! link to its page, the window notice while sending is closed, then CONFERMA — disabled while it
//! is being sent, and sent with one idempotency key per confirmation, kept until the receipt
//! arrives, so that retries and double taps make one application at most.

use std::sync::Arc;

use domain::Lang;
use domain::application::{
    ApplicationForm, ApplicationStep, HOLDER_JOINT, HOLDER_OWN, PAYMENT_IBAN, PAYMENT_POST_OFFICE,
};
use domain::benefits::{Answer, Catalogue};
use leptos::prelude::*;

use super::FROM_SUMMARY;
use super::application_step::label_of;
use super::area::{use_area_title, when_loaded, window_notice};
use crate::app::{tr, use_lang};
use crate::application_draft::{ApplicationDraft, use_draft};
use crate::area_texts::{AreaText, Words, at, dyn_text, dyn_view, w, ww};
use crate::components::{BackLink, ErrorSummary, FORM_ID, SendStatus, Sending, lower_initial};
use crate::form::{self, FormProblems};
use crate::i18n::Text;
use crate::router::{self, APPLICATION_PATH, MY_APPLICATIONS_PATH, use_navigator};

/// The link to change `field`: its step's page, back here afterwards.
pub fn change_link(field: &str) -> String {
    match ApplicationStep::of_field(field) {
        Some(step) => format!("{}{FROM_SUMMARY}#{field}", router::application_step_path(step)),
        None => format!("#{field}"),
    }
}

/// An answer as a person reads it.
pub fn shown(form: &ApplicationForm, field: &str, lang: Lang) -> String {
    let choice = |key: AreaText| at(lang, key).to_owned();
    match field {
        "benefit" => Catalogue::embedded()
            .benefit(form.benefit.trim())
            .map_or_else(String::new, |b| b.title.get(lang).to_owned()),
        "payment_method" => match form.payment_method.trim() {
            PAYMENT_IBAN => choice(AreaText::PaymentIban),
            PAYMENT_POST_OFFICE => choice(AreaText::PaymentPostOffice),
            _ => String::new(),
        },
        "iban" => grouped_iban(&form.iban),
        "account_holder" => match form.account_holder.trim() {
            HOLDER_OWN => choice(AreaText::HolderOwn),
            HOLDER_JOINT => choice(AreaText::HolderJoint),
            _ => String::new(),
        },
        "joint_holder_name" => form.joint_holder_name.trim().to_owned(),
        "mobile" => form.mobile.trim().to_owned(),
        "email" => form.email.trim().to_owned(),
        "pec" => form.pec.trim().to_owned(),
        _ => {
            let id = field
                .strip_prefix(domain::benefits::DECLARATION_FIELD_PREFIX)
                .unwrap_or(field);
            let typed = form.declarations.get(id).map(|s| s.trim()).unwrap_or_default();
            match typed.parse::<Answer>() {
                // A ticked box is sent as "yes": it reads as confirmed.
                Ok(Answer::Yes) if is_confirm(form, id) => Answer::Confirmed.display(lang),
                Ok(answer) => answer.display(lang),
                Err(_) => typed.to_owned(),
            }
        }
    }
}

/// An IBAN in groups of four characters, as a bank statement prints it.
fn grouped_iban(iban: &str) -> String {
    let compact: Vec<char> = iban
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    compact
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_confirm(form: &ApplicationForm, id: &str) -> bool {
    Catalogue::embedded()
        .benefit(form.benefit.trim())
        .and_then(|b| b.declaration(id))
        .is_some_and(|d| matches!(d.kind, domain::benefits::DeclarationKind::Confirm))
}

/// The fields shown for `step`, given the answers (no IBAN questions for a post-office payment).
pub fn shown_fields(form: &ApplicationForm, step: ApplicationStep) -> Vec<String> {
    let benefit = Catalogue::embedded().benefit(form.benefit.trim());
    step.fields_for(benefit)
        .into_iter()
        .filter(|field| match field.as_str() {
            "iban" | "account_holder" => form.payment_method.trim() == PAYMENT_IBAN,
            "joint_holder_name" => {
                form.payment_method.trim() == PAYMENT_IBAN && form.account_holder.trim() == HOLDER_JOINT
            }
            "pec" => !form.pec.trim().is_empty(),
            _ => true,
        })
        .collect()
}

/// A question and its answer, with a "Modifica" link when `change` is given (GOV.UK summary list).
pub fn answer_row(key: Words, value: impl IntoView + 'static, change: Option<String>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="summary-list__row">
            <dt class="summary-list__key">{ww(key)}</dt>
            <dd class="summary-list__value">{value}</dd>
            {change.map(|href| view! {
                <dd class="summary-list__actions">
                    <a href=href>
                        {tr(Text::Change)}
                        <span class="visually-hidden">" "{dyn_text(Arc::new(move || lower_initial(key.get(lang.get()))))}</span>
                    </a>
                </dd>
            })}
        </div>
    }
}

/// The answers of `form`, step by step, with "Modifica" links when `changeable`.
pub fn answers(form: Signal<ApplicationForm>, changeable: bool) -> impl IntoView {
    let lang = use_lang();
    let group = move |step: ApplicationStep| {
        let heading = match step {
            ApplicationStep::Benefit => AreaText::BenefitLabel,
            ApplicationStep::Declarations => AreaText::DeclarationsHeading,
            ApplicationStep::Payment => AreaText::PaymentMethodLegend,
            ApplicationStep::Contacts => AreaText::ContactsHeading,
        };
        let rows = dyn_view(Arc::new(move || {
            shown_fields(&form.read(), step)
                .into_iter()
                .filter_map(|field| {
                    let key = label_of(&field)?;
                    let change = changeable.then(|| change_link(&field));
                    let value = dyn_text(Arc::new(move || shown(&form.read(), &field, lang.get())));
                    Some(answer_row(key, value, change))
                })
                .collect_view()
                .into_any()
        }));
        view! {
            <h2 class="heading-m">{w(heading)}</h2>
            <dl class="summary-list">{rows}</dl>
        }
    };
    ApplicationStep::ALL.into_iter().map(group).collect_view()
}

/// `/domanda/riepilogo`.
#[component]
pub fn ApplicationSummaryPage() -> impl IntoView {
    let draft = use_draft();
    let problems = FormProblems::new();
    use_area_title(AreaText::SummaryTitle, move || problems.any());
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
            <p><a href=MY_APPLICATIONS_PATH>{w(AreaText::MyApplicationsLink)}</a></p>
        }).into_any()))}
        <h1>{w(AreaText::SummaryHeading)}</h1>
        {answers(form, true)}
        <h2 class="heading-m">{w(AreaText::SubmitHeading)}</h2>
        {window_notice(draft)}
        <p>{w(AreaText::SubmitText)}</p>
        <form id=FORM_ID novalidate on:submit=on_submit>
            <button type="submit" class="button button--caps" disabled=move || sending.get().busy()>
                {tr(Text::Confirm)}
            </button>
        </form>
        <SendStatus sending=sending />
        <p><a href=APPLICATION_PATH>{w(AreaText::ApplicationHeading)}</a></p>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post_office_form() -> ApplicationForm {
        ApplicationForm {
            benefit: "art27".into(),
            payment_method: PAYMENT_POST_OFFICE.into(),
            iban: "IT60X0542811101000000123456".into(),
            mobile: "+39 333 123 4567".into(),
            ..ApplicationForm::default()
        }
    }

    #[test]
    fn a_change_link_leads_to_the_field_on_its_page_and_back() {
        assert_eq!(change_link("iban"), "/domanda/pagamento?da=riepilogo#iban");
        assert_eq!(
            change_link("decl.pensioner"),
            "/domanda/dichiarazioni?da=riepilogo#decl.pensioner"
        );
    }

    #[test]
    fn an_iban_reads_in_groups_of_four_however_it_was_typed() {
        let mut form = post_office_form();
        form.iban = "it60x0542811101000000123456".into();
        assert_eq!(shown(&form, "iban", Lang::It), "IT60 X054 2811 1010 0000 0123 456");
        form.iban = " IT60 X054 2811 1010 0000 0123 456 ".into();
        assert_eq!(shown(&form, "iban", Lang::It), "IT60 X054 2811 1010 0000 0123 456");
    }

    #[test]
    fn answers_not_asked_are_not_shown() {
        let form = post_office_form();
        assert_eq!(shown_fields(&form, ApplicationStep::Payment), vec!["payment_method"]);
        assert_eq!(shown_fields(&form, ApplicationStep::Contacts), vec!["mobile", "email"]);
        assert_eq!(
            shown(&form, "payment_method", Lang::It),
            "Bonifico da riscuotere all'ufficio postale"
        );
    }

    #[test]
    fn declarations_read_as_answers_and_ticked_boxes_as_confirmed() {
        let mut form = post_office_form();
        let benefit = Catalogue::embedded().benefit("art27").unwrap();
        for declaration in &benefit.declarations {
            form.declarations.insert(declaration.id.clone(), "yes".into());
        }
        let confirm = benefit
            .declarations
            .iter()
            .find(|d| matches!(d.kind, domain::benefits::DeclarationKind::Confirm))
            .unwrap();
        assert_eq!(shown(&form, &confirm.field(), Lang::It), "Confermato");
        assert_eq!(shown(&form, &confirm.field(), Lang::En), "Confirmed");
        assert_eq!(
            shown_fields(&form, ApplicationStep::Declarations).len(),
            benefit.declarations.len()
        );
    }
}
