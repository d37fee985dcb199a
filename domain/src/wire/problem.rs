//! The body of every error answer (`api/src/error.rs`): a stable code, a message in the request's
//! language and, for validation errors, a message and a code per field.

use std::collections::BTreeMap;

use super::json::{FromJson, Json};

/// An error as the API answers it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Error))]
pub struct Problem {
    /// The stable code (`domain::ErrorCode`'s wire form), e.g. `validation_failed`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::ErrorCode))]
    pub code: String,
    /// What a person reads, in the request's language.
    pub message: String,
    /// Field → message (always present, empty when no field is at fault).
    pub fields: BTreeMap<String, String>,
    /// Field → stable code; left out when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, crate::ErrorCode>))]
    pub field_codes: BTreeMap<String, String>,
    /// When sending opens again (`submission.window_closed`), RFC 3339 with `+00:00`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
    /// The existing application's protocol number (`application.already_submitted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The strength that opens what exists (`application.stronger_credential`): `full_pin`,
    /// `strong` or `highest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::credential::Strength>))]
    pub opens_with: Option<String>,
    /// When the Contact Center may validate a PIN request (`pin.validation_too_early`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub possible_at: Option<super::Timestamp>,
    /// The waiting room's address (`queue.required`): the page the citizen waits their turn on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
}

impl FromJson for Problem {
    fn from_json(json: &Json) -> Option<Self> {
        Some(Problem {
            code: json.get("code")?,
            message: json.get("message")?,
            // Always written by the API; a body from another layer (a proxy, the admission limit)
            // may leave it out, which is no field at fault.
            fields: json.get::<Option<_>>("fields")?.unwrap_or_default(),
            // Left out when empty (`skip_serializing_if`), so missing reads as empty.
            field_codes: json.get::<Option<_>>("field_codes")?.unwrap_or_default(),
            opens_at: json.get("opens_at")?,
            protocol: json.get("protocol")?,
            opens_with: json.get("opens_with")?,
            possible_at: json.get("possible_at")?,
            room: json.get("room")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::testing::{matches_api_sample, round_trips};

    fn validation() -> Problem {
        Problem {
            code: "validation_failed".into(),
            message: "Alcuni dati non sono corretti: correggi i campi indicati.".into(),
            fields: BTreeMap::from([("codice_fiscale".into(), "Il codice fiscale non è valido".into())]),
            field_codes: BTreeMap::from([("codice_fiscale".into(), "cf.check_character".into())]),
            opens_at: None,
            protocol: None,
            opens_with: None,
            possible_at: None,
            room: None,
        }
    }

    #[test]
    fn a_validation_error_reads_as_the_api_writes_it() {
        matches_api_sample(
            &validation(),
            r#"{"code":"validation_failed","message":"Alcuni dati non sono corretti: correggi i campi indicati.",
                "fields":{"codice_fiscale":"Il codice fiscale non è valido"},
                "field_codes":{"codice_fiscale":"cf.check_character"}}"#,
        );
    }

    #[test]
    fn an_error_without_fields_has_an_empty_fields_object_and_no_field_codes() {
        let closed = Problem {
            code: "submission.window_closed".into(),
            message: "Il servizio per l'invio apre alle 16:00 di oggi.".into(),
            fields: BTreeMap::new(),
            field_codes: BTreeMap::new(),
            opens_at: Some("2026-04-01T14:00:00+00:00".into()),
            protocol: None,
            opens_with: None,
            possible_at: None,
            room: None,
        };
        matches_api_sample(
            &closed,
            r#"{"code":"submission.window_closed","message":"Il servizio per l'invio apre alle 16:00 di oggi.",
                "fields":{},"opens_at":"2026-04-01T14:00:00+00:00"}"#,
        );
        let existing = Problem {
            code: "application.already_submitted".into(),
            protocol: Some("INPS-2020-0000001".into()),
            opens_at: None,
            ..closed.clone()
        };
        round_trips(&existing);
        round_trips(&Problem {
            opens_with: Some("strong".into()),
            ..existing.clone()
        });
        round_trips(&Problem {
            possible_at: Some(crate::wire::Timestamp("2026-04-01T20:00:00Z".into())),
            ..existing.clone()
        });
        round_trips(&Problem {
            code: "queue.required".into(),
            room: Some("/coda".into()),
            ..existing
        });
    }

    #[test]
    fn a_too_early_validation_reads_with_the_time_it_becomes_possible() {
        // As `api::http::refusal` answers the Contact Center's validation of a fresh request.
        let too_early = Problem {
            code: "pin.validation_too_early".into(),
            message: "È troppo presto. Convalida possibile dal 01/04/2026 alle 22:00.".into(),
            fields: BTreeMap::new(),
            field_codes: BTreeMap::new(),
            opens_at: None,
            protocol: None,
            opens_with: None,
            possible_at: Some(crate::wire::Timestamp("2026-04-01T20:00:00Z".into())),
            room: None,
        };
        matches_api_sample(
            &too_early,
            r#"{"code":"pin.validation_too_early",
                "message":"È troppo presto. Convalida possibile dal 01/04/2026 alle 22:00.",
                "fields":{},"possible_at":"2026-04-01T20:00:00Z"}"#,
        );
    }

    #[test]
    fn a_body_without_a_code_is_not_a_problem() {
        use crate::wire::json::FromJson;
        assert_eq!(Problem::parse_json(r#"{"message":"x","fields":{}}"#), None);
        assert_eq!(Problem::parse_json(r#"{"code":"x","message":"x","fields":[]}"#), None);
        assert_eq!(Problem::parse_json("{}"), None);
    }
}
