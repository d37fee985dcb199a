//! The start page: what the service is, how to sign in, when to send, and a first check of the
//! citizen's codice fiscale — validated in the page with the same `domain` rule the API applies,
//! then confirmed by the API.

use domain::{CodiceFiscale, ErrorCode};
use leptos::prelude::*;

use crate::api_client::{self, ApiError};
use crate::components::{ErrorSummary, Sending, ServiceInfo, TextInput};
use crate::form::{self, FormProblems, Problem};
use crate::i18n::{Text, t, t_with};
use crate::ui::{tr, use_document_title, use_lang};

/// The input's id and the field's name on the wire.
const CF_FIELD: &str = "codice_fiscale";
const CF_CHECK_PATH: &str = "/api/codice-fiscale/check";

use domain::wire::pin_request::{CodiceFiscaleCheck, CodiceFiscaleChecked};

/// Where the check stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Idle,
    Checking,
    /// The service is busy; the client tries again by itself (a `Sending::Retrying`).
    Retrying(Sending),
    Valid {
        codice_fiscale: String,
        omocode: bool,
    },
    Failed(ApiError),
}

/// The rule shared with the API, plus "required" for an empty answer.
fn validate_cf(input: &str) -> Result<CodiceFiscale, ErrorCode> {
    if input.trim().is_empty() {
        return Err(ErrorCode::Required);
    }
    CodiceFiscale::parse(input).map_err(ErrorCode::from)
}

/// The start page.
#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let value = RwSignal::new(String::new());
    let problems = FormProblems::new();
    let status = RwSignal::new(Status::Idle);

    use_document_title(Text::HomeTitle, move || problems.any());

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if matches!(status.get_untracked(), Status::Checking | Status::Retrying(_)) {
            return; // a double tap must not send twice
        }
        let cf = match validate_cf(&value.get_untracked()) {
            Ok(cf) => cf,
            Err(code) => {
                status.set(Status::Idle);
                problems.show(vec![(Some(CF_FIELD.to_owned()), Problem::Code(code))]);
                return;
            }
        };
        problems.clear();
        status.set(Status::Checking);
        crate::browser::spawn(async move {
            let request = CodiceFiscaleCheck {
                codice_fiscale: cf.as_str().to_owned(),
            };
            let on_retry = move |notice: api_client::RetryNotice| {
                status.set(Status::Retrying(Sending::retrying(notice)));
            };
            // `{"codice_fiscale": "<normalised>", "omocode": bool}`
            let answer = api_client::post_json_observed(CF_CHECK_PATH, &request, on_retry).await;
            let valid = |checked: CodiceFiscaleChecked| Status::Valid {
                codice_fiscale: checked.codice_fiscale,
                omocode: checked.omocode,
            };
            match answer.and_then(api_client::read).map(valid) {
                Ok(valid) => status.set(valid),
                Err(error @ ApiError::Validation { .. }) => {
                    status.set(Status::Idle);
                    problems.show(form::from_api_error(&error, Some(CF_FIELD)));
                }
                Err(error) => status.set(Status::Failed(error)),
            }
        });
    };

    // Editing the code after an answer makes that answer stale.
    crate::ui::effect(move || {
        value.track();
        if matches!(status.get_untracked(), Status::Valid { .. } | Status::Failed(_)) {
            status.set(Status::Idle);
        }
    });

    let status_view = move || {
        let lang = lang.get();
        match status.get() {
            Status::Idle => ().into_any(),
            Status::Checking => view! { <p class="status-text">{t(lang, Text::Checking)}</p> }.into_any(),
            Status::Retrying(sending) => view! { <p class="status-text">{sending.words(lang)}</p> }.into_any(),
            Status::Valid {
                codice_fiscale,
                omocode,
            } => view! {
                <div class="panel panel--success">
                    <p class="panel__text">{t_with(lang, Text::CfValid, "cf", &codice_fiscale)}</p>
                    {omocode.then(|| view! { <p>{t(lang, Text::CfOmocode)}</p> })}
                </div>
            }
            .into_any(),
            Status::Failed(error) => view! {
                <div class="panel panel--problem">
                    <p class="panel__text">
                        <strong>{t(lang, Text::ErrorPrefix)}</strong>
                        " "
                        {error.message(lang)}
                    </p>
                </div>
            }
            .into_any(),
        }
    };

    view! {
        <ErrorSummary items=problems.summary(form::same_page_link, |_| Some(Text::CfLabel)) focus_token=problems.focus_token() />
        <h1>{tr(Text::HomeHeading)}</h1>
        <ServiceInfo />

        <div class="section">
            <h2>{tr(Text::CfHeading)}</h2>
            <p>{tr(Text::CfIntro)}</p>
            <form novalidate on:submit=on_submit>
                <TextInput
                    id=CF_FIELD
                    label=Text::CfLabel
                    hint=Text::CfHint
                    error=problems.field(CF_FIELD)
                    value=value
                    class="input--cf"
                    autocapitalize="characters"
                />
                <button type="submit" class="button">{tr(Text::CfSubmit)}</button>
            </form>
            // Always in the page, so that screen readers announce what appears in it.
            <div class="status" role="status">{status_view}</div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_answer_is_required_rather_than_too_short() {
        assert_eq!(validate_cf("  ").unwrap_err(), ErrorCode::Required);
    }

    #[test]
    fn the_page_applies_the_domain_rule() {
        assert_eq!(validate_cf("rssmra85t10a562s").unwrap().as_str(), "RSSMRA85T10A562S");
        assert_eq!(
            validate_cf("RSSMRA85T10A562X").unwrap_err(),
            ErrorCode::CfCheckCharacter
        );
        assert_eq!(validate_cf("RSSMRA").unwrap_err(), ErrorCode::CfLength);
    }
}
