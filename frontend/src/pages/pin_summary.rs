//! PIN request, check your answers: every answer with a "Modifica" link to its page, then
//! CONFERMA — sent once, with an idempotency key that survives retries and reloads.

use domain::{Lang, PinRequestForm, Step};
use leptos::prelude::*;

use super::FROM_SUMMARY;
use crate::api_client::{self, ApiError};
use crate::browser;
use crate::components::{BackLink, ErrorSummary, FORM_ID, SendStatus, Sending, SummaryRow, split_date};
use crate::form::{self, FormProblems};
use crate::i18n::{Text, t};
use crate::pin_draft::{PinReceipt, all_problems, first_incomplete, lives_in_italy, use_draft};
use crate::pin_questions::{label_of, page, questions};
use crate::router::{self, PIN_CONFIRMATION_PATH, use_navigator};
use crate::ui::{tr, use_document_title, use_lang};

const CREATE_PATH: &str = "/api/pin-requests";

/// The link to change `field`: its step's page, back here afterwards.
fn change_link(field: &str) -> String {
    match Step::of_field(field) {
        Some(step) => format!("{}{FROM_SUMMARY}#{field}", router::step_path(step)),
        None => format!("#{field}"),
    }
}

/// An answer as shown: sex in words, the date as day/month/year, codes in capitals.
fn shown(form: &PinRequestForm, field: &str, lang: Lang) -> String {
    let value = |v: &str| v.trim().to_owned();
    match field {
        "codice_fiscale" => form.codice_fiscale.trim().to_ascii_uppercase(),
        "sex" => match form.sex.as_str() {
            "M" => t(lang, Text::SexMale).to_owned(),
            "F" => t(lang, Text::SexFemale).to_owned(),
            other => other.to_owned(),
        },
        "birth_date" => {
            let (day, month, year) = split_date(&form.birth_date);
            format!("{day}/{month}/{year}")
        }
        "birth_province" => form.birth_province.trim().to_ascii_uppercase(),
        "province" => form.province.trim().to_ascii_uppercase(),
        "residence_country" => value(&form.residence_country),
        "given_name" => value(&form.given_name),
        "surname" => value(&form.surname),
        "birth_place" => value(&form.birth_place),
        "address" => value(&form.address),
        "postcode" => value(&form.postcode),
        "municipality" => value(&form.municipality),
        "mobile" => value(&form.mobile),
        "email" => value(&form.email),
        "pec" => value(&form.pec),
        _ => String::new(),
    }
}

/// `/richiesta-pin/riepilogo`.
#[component]
pub fn PinSummaryPage() -> impl IntoView {
    let draft = use_draft();
    let nav = use_navigator();
    let lang = use_lang();
    let problems = FormProblems::new();
    let sending = RwSignal::new(Sending::Idle);
    use_document_title(Text::PinSummaryTitle, move || problems.any());

    if let Some(missing) = first_incomplete(&draft.form_untracked(), browser::today(), None) {
        let url = router::step_path(missing);
        request_animation_frame(move || nav.replace(&url));
    }
    let in_italy = lives_in_italy(&draft.residence_country.get_untracked());

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked().busy() {
            return; // a double tap must not send twice
        }
        let form = draft.form_untracked();
        let errors = all_problems(&form, browser::today());
        if !errors.is_empty() {
            problems.show(form::from_field_errors(&errors));
            return;
        }
        let key = draft.idempotency_key();
        sending.set(Sending::Waiting);
        browser::spawn(async move {
            let on_retry = move |notice| sending.set(Sending::retrying(notice));
            let answer = api_client::post_json_idempotent(CREATE_PATH, &form, &key, on_retry).await;
            sending.set(Sending::after(&answer));
            match answer {
                Ok(receipt) => {
                    PinReceipt::keep(&receipt);
                    draft.clear();
                    nav.go(PIN_CONFIRMATION_PATH);
                }
                Err(error) => {
                    // A refusal created nothing: the corrected request is a new one. After a
                    // network or server failure the key stays, so that a retry cannot create twice.
                    if matches!(error, ApiError::Validation { .. } | ApiError::Refused { .. }) {
                        draft.forget_idempotency_key();
                    }
                    let found = form::from_api_error(&error, None);
                    draft.carried.set(found.clone());
                    problems.show(found);
                }
            }
        });
    };

    let group = move |step: Step| {
        let rows = questions(step)
            .iter()
            .filter(|question| in_italy || !question.italy_only)
            .map(|question| {
                let field = question.field;
                let value = Signal::derive(move || shown(&draft.form(), field, lang.get()));
                view! { <SummaryRow key=question.label(in_italy) value=value href=change_link(field) /> }
            })
            .collect_view();
        view! {
            <h2 class="heading-m">{tr(page(step).heading)}</h2>
            <dl class="summary-list">{rows}</dl>
        }
    };

    view! {
        <BackLink href=router::step_path(Step::Contacts) />
        <ErrorSummary items=problems.summary(change_link, label_of) focus_token=problems.focus_token() />
        <p class="caption">{tr(Text::PinCaption)}</p>
        <h1>{tr(Text::PinSummaryHeading)}</h1>
        {Step::ALL.into_iter().map(group).collect_view()}
        <h2 class="heading-m">{tr(Text::PinSubmitHeading)}</h2>
        <p>{tr(Text::PinSubmitText)}</p>
        <form id=FORM_ID novalidate on:submit=on_submit>
            <button type="submit" class="button button--caps">{tr(Text::Confirm)}</button>
        </form>
        <SendStatus sending=sending />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_link_leads_to_the_field_on_its_page_and_back() {
        assert_eq!(change_link("mobile"), "/richiesta-pin/contatti?da=riepilogo#mobile");
        assert_eq!(
            change_link("birth_date"),
            "/richiesta-pin/dati-anagrafici?da=riepilogo#birth_date"
        );
    }

    #[test]
    fn answers_are_shown_as_a_person_reads_them() {
        let form = PinRequestForm {
            codice_fiscale: "rssmra85t10h501o".into(),
            sex: "F".into(),
            birth_date: "1985-12-10".into(),
            birth_province: "rm".into(),
            ..PinRequestForm::default()
        };
        assert_eq!(shown(&form, "codice_fiscale", Lang::It), "RSSMRA85T10H501O");
        assert_eq!(shown(&form, "sex", Lang::It), "Femmina");
        assert_eq!(shown(&form, "sex", Lang::En), "Female");
        assert_eq!(shown(&form, "birth_date", Lang::It), "10/12/1985");
        assert_eq!(shown(&form, "birth_province", Lang::It), "RM");
    }
}
