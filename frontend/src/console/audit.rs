//! The audit log (`/operatore/registro`), for Contact Center supervisors: the actions taken on a
//! citizen, or by an operator, newest first. What to look up is typed into the page and never put
//! in its address (a codice fiscale in an address ends up in histories and logs). The API decides
//! who may read, and records every reading; for agents the page does not exist.

use crate::i18n::{Text, t};
use crate::ui::tr;
use domain::Lang;
use domain::operator::{AuditAction, AuditOutcome, valid_username};
use leptos::prelude::*;

use super::problems::{Issue, Problems, from_api_error, same_page};
use super::state::{AUDIT_API, AuditLine, Who, audit_lines, use_console};
use super::ui::{rome_when, text_field, use_title};
use crate::api_client;
use crate::browser;
use crate::components::{ErrorSummary, FORM_ID, SendStatus, Sending};
use crate::ui::use_lang;

/// The input's id: the API calls it `codice_fiscale` or `operator`, after what it holds.
const SUBJECT: &str = "subject";

/// The API path for what was typed: a codice fiscale (16 letters and digits; the API checks the
/// rest) or a username (`domain::operator`'s rule). `None` if it can be neither, so nothing odd
/// ever reaches the request's address.
pub fn audit_query(typed: &str) -> Option<String> {
    let typed = typed.trim();
    if typed.len() == 16 && typed.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Some(format!("{AUDIT_API}?codice_fiscale={}", typed.to_ascii_uppercase()));
    }
    let username = typed.to_ascii_lowercase();
    valid_username(&username).then(|| format!("{AUDIT_API}?operator={username}"))
}

/// The words for each of `AuditAction::ALL`, in its order (the length is checked by the compiler,
/// the order by the test below).
const ACTION_WORDS: [Text; AuditAction::ALL.len()] = [
    Text::ActionLogin,
    Text::ActionLogout,
    Text::ActionCallOpened,
    Text::ActionCallRead,
    Text::ActionPinCheck,
    Text::ActionPinValidation,
    Text::ActionApplicationRead,
    Text::ActionDraftSaved,
    Text::ActionApplicationSubmitted,
    Text::ActionAuditRead,
    Text::ActionIdentityReport,
];

/// An action as the API names it, in words (one the console does not know yet, as it came).
fn action_words(action: &str, lang: Lang) -> String {
    match AuditAction::ALL.iter().position(|known| known.as_str() == action) {
        Some(i) => t(lang, ACTION_WORDS[i]).to_owned(),
        None => action.to_owned(),
    }
}

/// An outcome as the API names it, in words.
fn outcome_words(outcome: &str, lang: Lang) -> String {
    match AuditOutcome::parse(outcome) {
        Some(AuditOutcome::Ok) => t(lang, Text::OutcomeOk).to_owned(),
        Some(AuditOutcome::Refused) => t(lang, Text::OutcomeRefused).to_owned(),
        None => outcome.to_owned(),
    }
}

fn label(field: &str, lang: Lang) -> Option<&'static str> {
    (field == SUBJECT).then(|| t(lang, Text::AuditSubjectLabel))
}

/// `/operatore/registro`.
pub fn audit_page() -> AnyView {
    let console = use_console();
    // For an agent the page does not exist (the API would refuse its reads anyway).
    if !matches!(&*console.who.read_untracked(), Who::Operator(info) if info.supervisor) {
        return super::ui::not_found();
    }
    let problems = Problems::new();
    use_title(Text::AuditTitle, move || problems.any());
    let subject = RwSignal::new(String::new());
    let sending = RwSignal::new(Sending::Idle);
    let lines = RwSignal::new(None::<Vec<AuditLine>>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked().busy() {
            return;
        }
        let Some(path) = audit_query(&subject.get_untracked()) else {
            problems.show(vec![(Some(SUBJECT.into()), Issue::Console(Text::AuditSubjectInvalid))]);
            return;
        };
        problems.clear();
        lines.set(None);
        sending.set(Sending::Waiting);
        browser::spawn(async move {
            let on_retry = move |notice| sending.set(Sending::retrying(notice));
            let answer = api_client::get_json_observed(&path, &on_retry)
                .await
                .and_then(|json| audit_lines(&json).ok_or(api_client::ApiError::Decode));
            sending.set(Sending::after(&answer));
            match answer {
                Ok(read) => lines.set(Some(read)),
                Err(error) if console.session_ended(&error) => {}
                // The API names the field after the query's key; on this page it is the one input.
                Err(error) => problems.show_form(
                    from_api_error(&error)
                        .into_iter()
                        .map(|(field, problem)| (field.map(|_| SUBJECT.to_owned()), problem))
                        .collect(),
                ),
            }
        });
    };
    let lang = use_lang();
    let results = move || lines.get().map(|lines| results_table(lines, lang.get()));

    view! {
        <ErrorSummary items=problems.summary(same_page(), label) focus_token=problems.focus_token() />
        <h1>{tr(Text::AuditHeading)}</h1>
        <p>{tr(Text::AuditIntro)}</p>
        <form id=FORM_ID class="console-narrow" novalidate on:submit=on_submit>
            {text_field(SUBJECT, Text::AuditSubjectLabel, None, problems.field(SUBJECT), subject, "text", "off", "input--subject")}
            <button type="submit" class="button">{tr(Text::AuditSearch)}</button>
        </form>
        <SendStatus sending=sending />
        {results}
    }
    .into_any()
}

/// The lines found, as a table with a caption that counts them.
fn results_table(lines: Vec<AuditLine>, lang: Lang) -> AnyView {
    if lines.is_empty() {
        return view! { <p>{tr(Text::AuditNone)}</p> }.into_any();
    }
    let caption = t(lang, Text::AuditCaption).replace("{n}", &lines.len().to_string());
    let rows = lines
        .into_iter()
        .map(|line| {
            view! {
                <tr>
                    <td>{rome_when(&line.at, lang)}</td>
                    <td>{line.operator}</td>
                    <td>{line.codice_fiscale}</td>
                    <td>{action_words(&line.action, lang)}</td>
                    <td>{outcome_words(&line.outcome, lang)}</td>
                    <td class="table__detail">{line.detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="table">
                <caption class="table__caption">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr(Text::AuditWhen)}</th>
                        <th scope="col">{tr(Text::AuditOperator)}</th>
                        <th scope="col">{tr(Text::ConsoleCfLabel)}</th>
                        <th scope="col">{tr(Text::AuditAction)}</th>
                        <th scope="col">{tr(Text::AuditOutcome)}</th>
                        <th scope="col">{tr(Text::AuditDetail)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_codice_fiscale_or_a_username_becomes_its_query_and_nothing_else_does() {
        assert_eq!(
            audit_query(" vrdnna85t49h501u ").as_deref(),
            Some("/api/operator/audit?codice_fiscale=VRDNNA85T49H501U")
        );
        assert_eq!(
            audit_query("MRossi").as_deref(),
            Some("/api/operator/audit?operator=mrossi")
        );
        assert_eq!(
            audit_query("m.rossi_2").as_deref(),
            Some("/api/operator/audit?operator=m.rossi_2")
        );
        for odd in [
            "",
            "ab",
            "mrossi&operator=x",
            "VRDNNA85T49H501U?",
            "rossi maria",
            "m/../x",
        ] {
            assert_eq!(audit_query(odd), None, "{odd}");
        }
    }

    #[test]
    fn every_action_and_outcome_has_words_in_both_languages() {
        // In AuditAction::ALL's order: each action has its own words.
        let words = |lang| AuditAction::ALL.map(|action| action_words(action.as_str(), lang));
        assert_eq!(
            words(Lang::En),
            [
                "Login",
                "Logout",
                "Call opened",
                "Call viewed",
                "PIN check",
                "PIN request validation",
                "Application viewed",
                "Draft saved",
                "Application sent",
                "Log read",
                "Reported “it was not me”",
            ]
        );
        assert_eq!(words(Lang::It)[4], "Verifica del PIN");
        assert_eq!(action_words("something_new", Lang::It), "something_new");
        assert_eq!(outcome_words("refused", Lang::It), "Rifiutata");
        assert_eq!(outcome_words("ok", Lang::En), "Done");
        assert_eq!(outcome_words("maybe", Lang::En), "maybe");
    }
}
