//! The audit log (`/operatore/registro`), for Contact Center supervisors: the actions taken on a
//! citizen, or by an operator, newest first, narrowed to one action and to a range of days if
//! asked. What to look up is typed into the page and never put in its address (a codice fiscale
//! in an address ends up in histories and logs). The API decides who may read, and records every
//! reading and every attempt: an agent who opens the page sees the API's refusal, which the log
//! keeps.

use crate::i18n::{Text, t, t_with};
use crate::ui::tr;
use domain::application::ApplicationStep;
use domain::operator::{AuditAction, AuditOutcome, valid_username};
use domain::{ErrorCode, Lang};
use leptos::prelude::*;
use std::sync::Arc;

use super::problems::{Issue, Problems, from_api_error, same_page};
use super::state::{AUDIT_API, AuditLine, Who, audit_lines, use_console};
use super::ui::{rome_when_seconds, use_title};
use crate::api_client::{self, ApiError};
use crate::application_answers::step_heading;
use crate::area_texts::dyn_view;
use crate::browser;
use crate::components::{ErrorSummary, FORM_ID, SendStatus, Sending, TextInput, problem_panel};
use crate::router::CONSOLE_PATH;
use crate::ui::use_lang;

/// The inputs' ids: the API calls the first `codice_fiscale` or `operator`, after what it holds.
const SUBJECT: &str = "subject";
const ACTION: &str = "action";
const FROM: &str = "from";
const TO: &str = "to";

/// Who or what a look-up is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A citizen, by codice fiscale (upper case, no spaces).
    Citizen(String),
    /// An operator, by username.
    Operator(String),
}

/// What was typed as the subject: a codice fiscale — typed as on "Trova il cittadino", spaces
/// and lower case accepted (16 letters and digits once the spaces are gone; the API checks the
/// rest) — or a username (`domain::operator`'s rule). `None` if it can be neither, so nothing
/// odd ever reaches the request's address.
pub fn subject_of(typed: &str) -> Option<Subject> {
    let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == 16 && compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Some(Subject::Citizen(compact.to_ascii_uppercase()));
    }
    let username = typed.trim().to_ascii_lowercase();
    valid_username(&username).then_some(Subject::Operator(username))
}

/// A look-up, as the page's form has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditForm {
    /// The citizen or operator, as typed.
    pub subject: String,
    /// One action's API name, or empty for all.
    pub action: String,
    /// From this day (`YYYY-MM-DD`, as a date input gives it), or empty.
    pub from: String,
    /// To this day, included, or empty.
    pub to: String,
}

/// A checked look-up: its subject and the API path that asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// Who or what.
    pub subject: Subject,
    /// The API path with its query.
    pub path: String,
}

/// `YYYY-MM-DD`, a real day (`None` if not).
fn day(text: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// The look-up `form` asks for, or its problems in the form's order.
pub fn audit_query(form: &AuditForm) -> Result<AuditQuery, Vec<(Option<String>, Issue)>> {
    let mut problems = Vec::new();
    let subject = subject_of(&form.subject);
    if subject.is_none() {
        problems.push((Some(SUBJECT.to_owned()), Issue::Console(Text::AuditSubjectInvalid)));
    }
    let action = form.action.trim();
    if !action.is_empty() && AuditAction::parse(action).is_none() {
        problems.push((Some(ACTION.to_owned()), Issue::Console(Text::AuditActionInvalid)));
    }
    let (from, to) = (form.from.trim(), form.to.trim());
    let from_day = (!from.is_empty()).then(|| day(from));
    let to_day = (!to.is_empty()).then(|| day(to));
    if from_day == Some(None) {
        problems.push((Some(FROM.to_owned()), Issue::Console(Text::AuditDayInvalid)));
    }
    if to_day == Some(None) {
        problems.push((Some(TO.to_owned()), Issue::Console(Text::AuditDayInvalid)));
    }
    if let (Some(Some(from)), Some(Some(to))) = (from_day, to_day)
        && to < from
    {
        problems.push((Some(TO.to_owned()), Issue::Console(Text::AuditRangeBackwards)));
    }
    let Some(subject) = subject.filter(|_| problems.is_empty()) else {
        return Err(problems);
    };
    let mut path = match &subject {
        Subject::Citizen(cf) => format!("{AUDIT_API}?codice_fiscale={cf}"),
        Subject::Operator(username) => format!("{AUDIT_API}?operator={username}"),
    };
    for (name, value) in [("action", action), ("from", from), ("to", to)] {
        if !value.is_empty() {
            path.push_str(&format!("&{name}={value}"));
        }
    }
    Ok(AuditQuery { subject, path })
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
    Text::ActionQueueRate,
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
    let key = match field {
        SUBJECT => Text::AuditSubjectLabel,
        ACTION => Text::AuditActionLabel,
        FROM => Text::AuditFromLabel,
        TO => Text::AuditToLabel,
        _ => return None,
    };
    Some(t(lang, key))
}

/// The console's short words for why an operator's action was refused.
fn refusal_words(code: ErrorCode) -> Option<Text> {
    Some(match code {
        ErrorCode::OperatorSupervisorOnly => Text::RefusedSupervisorOnly,
        ErrorCode::OperatorPinCheckFailed => Text::RefusedPinCheckFailed,
        ErrorCode::OperatorPinCheckRequired => Text::RefusedPinCheckRequired,
        ErrorCode::OperatorLetterCheckFailed => Text::RefusedLetterCheckFailed,
        ErrorCode::OperatorLoginFailed => Text::RefusedLoginFailed,
        ErrorCode::PinValidationTooEarly => Text::RefusedTooEarly,
        ErrorCode::PinNotValidatable => Text::RefusedNotValidatable,
        ErrorCode::WindowClosed => Text::RefusedWindowClosed,
        ErrorCode::AlreadySubmitted => Text::RefusedAlreadySubmitted,
        _ => return None,
    })
}

/// A reference as the API records it, in words: a call, a step, a protocol number, an error's
/// code (the error's own message), or as it came when the console does not know its shape.
fn detail_words(detail: &str, lang: Lang) -> String {
    let detail = detail.trim();
    if detail.is_empty() || detail == "draft" || detail == "-" {
        return String::new();
    }
    if let Some(id) = detail.strip_prefix("call ") {
        return t_with(lang, Text::DetailCall, "id", id);
    }
    if let Some(step) = detail.strip_prefix("step ").and_then(ApplicationStep::from_slug) {
        return t_with(lang, Text::DetailStep, "step", t(lang, step_heading(step)));
    }
    if detail == "unknown_username" {
        return t(lang, Text::DetailUnknownUsername).to_owned();
    }
    let (head, rest) = detail.split_once(' ').unwrap_or((detail, ""));
    if let Some(code) = ErrorCode::from_str_code(head) {
        // The refusals of operators' actions, short as a log's line; the codes only the server
        // words have no text in the browser, and any other code has its own message.
        let message = match refusal_words(code) {
            Some(key) => t(lang, key),
            None if code.message(lang).is_empty() => head,
            None => code.message(lang),
        };
        return if rest.is_empty() {
            message.to_owned()
        } else {
            format!("{message} ({rest})")
        };
    }
    // "<protocol> 201": the application sent now; "… 200": the same request again.
    match rest {
        "201" => t_with(lang, Text::DetailSubmitted, "protocol", head),
        "200" => t_with(lang, Text::DetailSubmittedAgain, "protocol", head),
        _ => detail.to_owned(),
    }
}

/// `/operatore/registro`.
pub fn audit_page() -> AnyView {
    let console = use_console();
    let who = console.who.get_untracked();
    let Who::Operator(me) = who else {
        return super::ui::loading();
    };
    if !me.supervisor {
        return refused_page(me.username);
    }
    let problems = Problems::new();
    use_title(Text::AuditTitle, move || problems.any());
    let (subject, action, from, to) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let sending = RwSignal::new(Sending::Idle);
    let found = RwSignal::new(None::<(AuditQuery, AuditForm, Vec<AuditLine>)>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked().busy() {
            return;
        }
        let form = AuditForm {
            subject: subject.get_untracked(),
            action: action.get_untracked(),
            from: from.get_untracked(),
            to: to.get_untracked(),
        };
        // A refused look-up leaves no earlier results on screen, as if they were its own.
        found.set(None);
        let query = match audit_query(&form) {
            Ok(query) => query,
            Err(found) => {
                problems.show(found);
                return;
            }
        };
        problems.clear();
        sending.set(Sending::Waiting);
        browser::spawn(async move {
            let on_retry = move |notice| sending.set(Sending::retrying(notice));
            let answer = api_client::get_json_observed(&query.path, &on_retry)
                .await
                .and_then(|json| audit_lines(&json).ok_or(ApiError::Decode));
            sending.set(Sending::after(&answer));
            match answer {
                Ok(read) => found.set(Some((query, form, read))),
                Err(error) if console.session_ended(&error) => {}
                // The API names the subject's field after the query's key.
                Err(error) => problems.show_form(
                    from_api_error(&error)
                        .into_iter()
                        .map(|(field, problem)| {
                            let field = field.map(|f| match f.as_str() {
                                FROM | TO | ACTION => f,
                                _ => SUBJECT.to_owned(),
                            });
                            (field, problem)
                        })
                        .collect(),
                ),
            }
        });
    };
    let lang = use_lang();
    let results = move || {
        found
            .get()
            .map(|(query, form, lines)| results_table(&query, &form, lines, lang.get()))
    };

    view! {
        <ErrorSummary items=problems.summary(same_page(), label) focus_token=problems.focus_token() />
        <h1>{tr(Text::AuditHeading)}</h1>
        <p>{tr(Text::AuditIntro)}</p>
        <form id=FORM_ID class="console-narrow" novalidate on:submit=on_submit>
            <TextInput id=SUBJECT label=Text::AuditSubjectLabel hint=Text::AuditSubjectHint error=problems.field(SUBJECT) value=subject class="input--subject" />
            {action_field(problems.field(ACTION), action)}
            <div class="date-range">
                <TextInput id=FROM label=Text::AuditFromLabel error=problems.field(FROM) value=from input_type="date" class="input--day" />
                <TextInput id=TO label=Text::AuditToLabel error=problems.field(TO) value=to input_type="date" class="input--day" />
            </div>
            <button type="submit" class="button">{tr(Text::AuditSearch)}</button>
        </form>
        <SendStatus sending=sending />
        {results}
    }
    .into_any()
}

/// The page for an agent: the API is asked all the same — it refuses and records the attempt —
/// and its refusal is what the page says.
fn refused_page(username: String) -> AnyView {
    use_title(Text::AuditTitle, || false);
    let answer = RwSignal::new(None::<Result<(), ApiError>>);
    let console = use_console();
    browser::spawn(async move {
        let path = format!("{AUDIT_API}?operator={username}&limit=1");
        match api_client::get_json(&path).await {
            // The role changed since the login: the page is theirs after all, once read again.
            Ok(_) => answer.set(Some(Ok(()))),
            Err(error) if console.session_ended(&error) => {}
            Err(error) => answer.set(Some(Err(error))),
        }
    });
    let state = dyn_view(Arc::new(move || match answer.get() {
        None => super::ui::loading(),
        Some(Ok(())) => view! { <p>{tr(Text::AuditRoleChanged)}</p> }.into_any(),
        Some(Err(error)) => problem_panel(error),
    }));
    view! {
        <h1>{tr(Text::AuditHeading)}</h1>
        {state}
        <p><a href=CONSOLE_PATH>{tr(Text::StartHeading)}</a></p>
    }
    .into_any()
}

/// The action to narrow to: all, or one.
fn action_field(error: Signal<Option<String>>, value: RwSignal<String>) -> AnyView {
    let lang = use_lang();
    let has_error = move || error.read().is_some();
    let options = move || {
        let lang = lang.get();
        let all = std::iter::once((String::new(), t(lang, Text::AuditActionAll).to_owned()));
        all.chain(
            AuditAction::ALL
                .iter()
                .map(|action| (action.as_str().to_owned(), action_words(action.as_str(), lang))),
        )
        .map(|(name, words)| {
            let selected = value.get_untracked() == name;
            view! { <option value=name selected=selected>{words}</option> }
        })
        .collect_view()
    };
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <label class="label" for=ACTION>{tr(Text::AuditActionLabel)}</label>
            {move || error.get().map(|message| view! {
                <p id="action-error" class="error-message">
                    <span class="visually-hidden">{t(lang.get(), Text::ErrorPrefix)}" "</span>
                    {message}
                </p>
            })}
            <select
                class="select"
                id=ACTION
                name=ACTION
                aria-describedby=move || has_error().then_some("action-error")
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {options}
            </select>
        </div>
    }
    .into_any()
}

/// What the caption says was looked up: whose entries, which action, which days.
fn caption(query: &AuditQuery, form: &AuditForm, n: usize, lang: Lang) -> String {
    let n = n.to_string();
    let mut caption = match &query.subject {
        Subject::Citizen(cf) => t_with(lang, Text::AuditCaptionCitizen, "subject", cf),
        Subject::Operator(username) => t_with(lang, Text::AuditCaptionOperator, "subject", username),
    }
    .replace("{n}", &n);
    let italian_day = |text: &str| day(text).map(|d| d.format("%d/%m/%Y").to_string());
    let mut narrowed = Vec::new();
    if !form.action.trim().is_empty() {
        narrowed.push(t_with(
            lang,
            Text::AuditCaptionAction,
            "action",
            &action_words(form.action.trim(), lang),
        ));
    }
    if let Some(from) = italian_day(&form.from) {
        narrowed.push(t_with(lang, Text::AuditCaptionFrom, "day", &from));
    }
    if let Some(to) = italian_day(&form.to) {
        narrowed.push(t_with(lang, Text::AuditCaptionTo, "day", &to));
    }
    if !narrowed.is_empty() {
        caption = format!("{caption} ({})", narrowed.join(", "));
    }
    caption
}

/// The lines found, as a table whose caption names what was looked up and counts them.
fn results_table(query: &AuditQuery, form: &AuditForm, lines: Vec<AuditLine>, lang: Lang) -> AnyView {
    let caption = caption(query, form, lines.len(), lang);
    if lines.is_empty() {
        return view! { <p role="status">{caption}": "{t(lang, Text::AuditNone)}</p> }.into_any();
    }
    let rows = lines
        .into_iter()
        .map(|line| {
            view! {
                <tr>
                    <td>{rome_when_seconds(&line.at, lang)}</td>
                    <td>{line.operator}</td>
                    <td>{line.codice_fiscale}</td>
                    <td>{action_words(&line.action, lang)}</td>
                    <td>{outcome_words(&line.outcome, lang)}</td>
                    <td class="table__detail">{detail_words(&line.detail, lang)}</td>
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

    fn form(subject: &str, action: &str, from: &str, to: &str) -> AuditForm {
        AuditForm {
            subject: subject.into(),
            action: action.into(),
            from: from.into(),
            to: to.into(),
        }
    }

    fn path(form: &AuditForm) -> Option<String> {
        audit_query(form).ok().map(|q| q.path)
    }

    #[test]
    fn a_codice_fiscale_typed_as_on_a_call_or_a_username_becomes_its_query_and_nothing_else_does() {
        assert_eq!(
            path(&form(" vrdnna85t49h501u ", "", "", "")).as_deref(),
            Some("/api/operator/audit?codice_fiscale=VRDNNA85T49H501U")
        );
        // In groups, as it is read over the phone: accepted as on "Trova il cittadino".
        assert_eq!(
            path(&form("VRD NNA 85T49 H501U", "", "", "")).as_deref(),
            Some("/api/operator/audit?codice_fiscale=VRDNNA85T49H501U")
        );
        assert_eq!(
            path(&form("MRossi", "", "", "")).as_deref(),
            Some("/api/operator/audit?operator=mrossi")
        );
        assert_eq!(
            path(&form("m.rossi_2", "", "", "")).as_deref(),
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
            assert_eq!(path(&form(odd, "", "", "")), None, "{odd}");
        }
    }

    #[test]
    fn an_action_and_days_narrow_the_query_and_a_backward_range_is_refused_at_its_end() {
        assert_eq!(
            path(&form("mrossi", "pin_check", "2020-04-01", "2020-04-03")).as_deref(),
            Some("/api/operator/audit?operator=mrossi&action=pin_check&from=2020-04-01&to=2020-04-03")
        );
        let refused = audit_query(&form("mrossi", "coffee", "2020-04-03", "2020-04-01")).unwrap_err();
        let fields: Vec<_> = refused.iter().map(|(field, _)| field.clone().unwrap()).collect();
        assert_eq!(fields, ["action", "to"]);
        assert_eq!(
            audit_query(&form("", "", "2020-02-30", "")).unwrap_err().len(),
            2,
            "the subject and the day that is none"
        );
    }

    #[test]
    fn the_caption_names_the_subject_and_how_the_search_was_narrowed() {
        let query = audit_query(&form("vrdnna85t49h501u", "call_opened", "2020-04-03", "")).unwrap();
        let f = form("vrdnna85t49h501u", "call_opened", "2020-04-03", "");
        assert_eq!(
            caption(&query, &f, 2, Lang::It),
            "Azioni su VRDNNA85T49H501U, dalla più recente: 2 (solo «Chiamata aperta», dal 03/04/2020)"
        );
        let query = audit_query(&form("mrossi", "", "", "")).unwrap();
        assert_eq!(
            caption(&query, &form("mrossi", "", "", ""), 1, Lang::En),
            "Actions by operator mrossi, newest first: 1"
        );
    }

    #[test]
    fn references_read_as_words_not_codes() {
        assert_eq!(detail_words("call ab12", Lang::It), "Chiamata ab12");
        assert_eq!(
            detail_words("step pagamento", Lang::It),
            "Passo «Modalità di pagamento»"
        );
        assert_eq!(
            detail_words("operator.supervisor_only", Lang::It),
            "Riservato ai supervisori"
        );
        assert_eq!(
            detail_words("operator.pin_check_failed", Lang::En),
            "Wrong PIN characters"
        );
        assert_eq!(
            detail_words("application.already_submitted INPS-COVID-2020-0000001", Lang::It),
            "Domanda già presentata (INPS-COVID-2020-0000001)"
        );
        assert_eq!(
            detail_words("INPS-COVID-2020-0000001 201", Lang::En),
            "Application INPS-COVID-2020-0000001 sent"
        );
        assert_eq!(detail_words("draft", Lang::It), "");
        assert_eq!(detail_words("something new", Lang::It), "something new");
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
                "Waiting room rate changed",
            ]
        );
        assert_eq!(words(Lang::It)[4], "Verifica del PIN");
        assert_eq!(action_words("something_new", Lang::It), "something_new");
        assert_eq!(outcome_words("refused", Lang::It), "Rifiutata");
        assert_eq!(outcome_words("ok", Lang::En), "Done");
        assert_eq!(outcome_words("maybe", Lang::En), "maybe");
    }
}
