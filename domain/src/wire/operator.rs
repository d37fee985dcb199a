//! The Contact Center's calls (`/api/operator/calls`) and the audit log (`/api/operator/audit`).

use super::application::WindowState;
use super::pin_request::{QueuedMessage, SentTo};
use super::{Timestamp, wire_struct};
use crate::operator::{AuditAction, AuditOutcome};
use crate::pin_request::PinRequestState;
use crate::{ApplicationStatus, Channel};

wire_struct! {
    /// `POST /api/operator/calls`: the caller's codice fiscale.
    pub struct OpenCall {
        /// As typed.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(example = crate::pin_request::PinRequestForm::example_codice_fiscale))]
        pub codice_fiscale: String,
    }
}

wire_struct! {
    /// A call as the console shows it: only what the operator's task needs.
    pub struct CallView {
        /// The call's id.
        pub id: String,
        /// The caller's codice fiscale.
        pub codice_fiscale: String,
        /// The citizen's name as their PIN request has it ("Carla Blu"), once their PIN
        /// characters were verified on this call; before, nothing but the codice fiscale.
        #[serde(default)]
        pub citizen_name: Option<String>,
        /// When it was opened.
        pub opened_at: Timestamp,
        /// The citizen's PIN characters were verified on this call: filing is possible.
        pub pin_checked: bool,
        /// The PIN request, if there is one.
        pub pin_request: Option<CallPinRequest>,
        /// The application, if one was submitted.
        pub application: Option<CallApplication>,
        /// The citizen's messages, newest first.
        pub messages: Vec<QueuedMessage>,
        /// The Contact Center's submission window.
        pub window: WindowState,
    }
}

wire_struct! {
    /// Where the caller's PIN request stands, without any personal data.
    pub struct CallPinRequest {
        /// Its state.
        pub state: PinRequestState,
        /// When it was made.
        pub requested_at: Timestamp,
        /// How long ago, in seconds.
        pub age_seconds: i64,
        /// The Contact Center may validate it now.
        pub may_validate: bool,
        /// When it may be validated, while it is pending delivery.
        pub validation_possible_at: Option<Timestamp>,
    }
}

wire_struct! {
    /// The caller's application: its receipt and status, without its content.
    pub struct CallApplication {
        /// The protocol number.
        pub protocol: String,
        /// The current status.
        pub status: ApplicationStatus,
        /// Its label in the request's language.
        pub status_label: String,
        /// When it was submitted.
        pub submitted_at: Timestamp,
        /// How it was filed.
        pub channel: Channel,
    }
}

wire_struct! {
    /// The answer to a validation: where the new first part went, masked.
    pub struct PinValidated {
        /// The request's new state.
        pub state: PinRequestState,
        /// When.
        pub validated_at: Timestamp,
        /// Where the new first part went.
        pub sent_to: SentTo,
    }
}

wire_struct! {
    /// `POST /api/operator/calls/{id}/pin-check`: the first 8 PIN characters the caller reads out.
    pub struct PinCheck {
        /// As typed.
        #[serde(default)]
        pub pin_first8: String,
    }
}

wire_struct! {
    /// The answer to a right PIN check.
    pub struct PinChecked {
        /// When.
        pub pin_checked_at: Timestamp,
    }
}

wire_struct! {
    /// The audit log, newest first.
    pub struct AuditList {
        /// Its entries.
        pub entries: Vec<AuditEntry>,
    }
}

wire_struct! {
    /// One line of the append-only audit log.
    pub struct AuditEntry {
        /// When.
        pub at: Timestamp,
        /// Who: the operator's username (as typed, for a failed login).
        pub operator: String,
        /// Which citizen, when the action concerns one.
        pub codice_fiscale: Option<String>,
        /// What.
        pub action: AuditAction,
        /// How it ended.
        pub outcome: AuditOutcome,
        /// A call id, an error code, a protocol number.
        pub detail: String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::application::WindowHours;
    use crate::wire::pin_request::tests::{MESSAGE_SAMPLE, message};
    use crate::wire::testing::{matches_api_sample, round_trips};

    fn window() -> WindowState {
        WindowState {
            open: true,
            opens_at: Timestamp("2026-04-01T08:00:00Z".into()),
            notice: None,
            hours: WindowHours {
                start: "08:00".into(),
                end: "16:00".into(),
            },
        }
    }

    #[test]
    fn a_call_reads_as_the_api_writes_it() {
        let call = CallView {
            id: "ab12".into(),
            codice_fiscale: "VRDGLI90E51H501X".into(),
            citizen_name: Some("Giulia Verdi".into()),
            opened_at: Timestamp("2026-04-01T08:00:00Z".into()),
            pin_checked: false,
            pin_request: Some(CallPinRequest {
                state: PinRequestState::PendingDelivery,
                requested_at: Timestamp("2026-03-31T18:00:00Z".into()),
                age_seconds: 50400,
                may_validate: true,
                validation_possible_at: Some(Timestamp("2026-04-01T06:00:00Z".into())),
            }),
            application: Some(CallApplication {
                protocol: "INPS-2020-0000001".into(),
                status: ApplicationStatus::UnderReview,
                status_label: "In istruttoria".into(),
                submitted_at: Timestamp("2026-04-01T09:00:00Z".into()),
                channel: Channel::ContactCenter,
            }),
            messages: vec![message()],
            window: window(),
        };
        matches_api_sample(
            &call,
            &format!(
                r#"{{"id":"ab12","codice_fiscale":"VRDGLI90E51H501X","citizen_name":"Giulia Verdi","opened_at":"2026-04-01T08:00:00Z","pin_checked":false,
                "pin_request":{{"state":"pending_delivery","requested_at":"2026-03-31T18:00:00Z","age_seconds":50400,
                  "may_validate":true,"validation_possible_at":"2026-04-01T06:00:00Z"}},
                "application":{{"protocol":"INPS-2020-0000001","status":"under_review","status_label":"In istruttoria",
                  "submitted_at":"2026-04-01T09:00:00Z","channel":"contact_center"}},
                "messages":[{MESSAGE_SAMPLE}],
                "window":{{"open":true,"opens_at":"2026-04-01T08:00:00Z","notice":null,"hours":{{"start":"08:00","end":"16:00"}}}}}}"#
            ),
        );
        round_trips(&CallView {
            citizen_name: None,
            pin_request: None,
            application: None,
            messages: vec![],
            ..call
        });
    }

    #[test]
    fn validations_and_checks_read_as_the_api_writes_them() {
        matches_api_sample(
            &PinValidated {
                state: PinRequestState::ValidatedByContactCenter,
                validated_at: Timestamp("2026-04-01T08:05:00Z".into()),
                sent_to: SentTo {
                    sms: "+39 ***2233".into(),
                    email: "g***@example.it".into(),
                    pec: "".into(),
                },
            },
            r#"{"state":"validated_by_contact_center","validated_at":"2026-04-01T08:05:00Z",
                "sent_to":{"sms":"+39 ***2233","email":"g***@example.it","pec":""}}"#,
        );
        matches_api_sample(
            &PinChecked {
                pin_checked_at: Timestamp("2026-04-01T08:06:00Z".into()),
            },
            r#"{"pin_checked_at":"2026-04-01T08:06:00Z"}"#,
        );
        round_trips(&PinCheck {
            pin_first8: "ABCD2345".into(),
        });
        round_trips(&OpenCall {
            codice_fiscale: "VRDGLI90E51H501X".into(),
        });
    }

    #[test]
    fn the_audit_log_reads_as_the_api_writes_it() {
        matches_api_sample(
            &AuditList {
                entries: vec![
                    AuditEntry {
                        at: Timestamp("2026-04-01T08:06:00Z".into()),
                        operator: "mrossi".into(),
                        codice_fiscale: Some("VRDGLI90E51H501X".into()),
                        action: AuditAction::PinCheck,
                        outcome: AuditOutcome::Refused,
                        detail: "ab12".into(),
                    },
                    AuditEntry {
                        at: Timestamp("2026-04-01T08:00:00Z".into()),
                        operator: "mrossi".into(),
                        codice_fiscale: None,
                        action: AuditAction::Login,
                        outcome: AuditOutcome::Ok,
                        detail: "".into(),
                    },
                ],
            },
            r#"{"entries":[{"at":"2026-04-01T08:06:00Z","operator":"mrossi","codice_fiscale":"VRDGLI90E51H501X",
                  "action":"pin_check","outcome":"refused","detail":"ab12"},
                {"at":"2026-04-01T08:00:00Z","operator":"mrossi","codice_fiscale":null,"action":"login","outcome":"ok","detail":""}]}"#,
        );
    }
}
