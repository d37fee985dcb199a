//! "A mio nome" (`/api/identity`): everything in the citizen's name, and the report of what is
//! not theirs ("non sono stato io"), by the citizen or by the Contact Center on their call.

use super::{Timestamp, wire_struct};
use crate::pin_request::PinRequestState;
use crate::{ApplicationStatus, Channel, Credential};

wire_struct! {
    /// Everything in the citizen's name, newest first.
    pub struct IdentityView {
        /// PIN requests: the current one, then those revoked.
        pub pin_requests: Vec<PinRequestReview>,
        /// Applications: the current one, then those set aside.
        pub applications: Vec<ApplicationReview>,
    }
}

wire_struct! {
    /// A PIN request as its owner reviews it: where its halves went, masked.
    pub struct PinRequestReview {
        /// When it was made; also what a report names it by.
        pub created_at: Timestamp,
        /// Where it stands.
        pub state: PinRequestState,
        /// The first half's mobile, masked.
        pub sms: String,
        /// The first half's e-mail, masked.
        pub email: String,
        /// The first half's PEC, masked.
        pub pec: String,
        /// The residence the letter went to, masked.
        pub letter_to: String,
        /// Whether it may be reported.
        pub reportable: bool,
    }
}

wire_struct! {
    /// An application as its owner reviews it.
    pub struct ApplicationReview {
        /// Its protocol number; also what a report names it by.
        pub protocol: String,
        /// When it was submitted.
        pub submitted_at: Timestamp,
        /// `web_citizen` or `contact_center`.
        pub channel: Channel,
        /// The credential it was made with.
        pub credential: Credential,
        /// Its name in the request's language.
        pub credential_label: String,
        /// The current status.
        pub status: ApplicationStatus,
        /// Its label in the request's language.
        pub status_label: String,
        /// The contacts it gave, masked; `None` when made with a stronger credential.
        pub contacts: Option<MaskedContacts>,
        /// Whether a report suspends it.
        pub reportable: bool,
    }
}

wire_struct! {
    /// Contacts, masked.
    pub struct MaskedContacts {
        /// The mobile.
        pub mobile: String,
        /// The e-mail.
        pub email: String,
    }
}

wire_struct! {
    /// What a citizen reports as not theirs (`POST /api/identity/reports`): exactly one.
    #[serde(deny_unknown_fields)]
    pub struct Report {
        /// The PIN request made at this time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pin_request: Option<Timestamp>,
        /// The application with this protocol number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub application: Option<String>,
    }
}

wire_struct! {
    /// The same report made on a call (`POST /api/operator/calls/{id}/identity-report`), with
    /// the 8 characters of the letter the caller reads out.
    #[serde(deny_unknown_fields)]
    pub struct CallReport {
        /// The PIN request made at this time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pin_request: Option<Timestamp>,
        /// The application with this protocol number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub application: Option<String>,
        /// The 8 characters of the letter with the PIN's second half.
        #[serde(default)]
        pub letter: String,
    }
}

wire_struct! {
    /// What a report did.
    pub struct ReportDone {
        /// Whether a PIN request was revoked.
        pub pin_revoked: bool,
        /// The protocol number of the application suspended, if one was.
        pub suspended: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::testing::{matches_api_sample, round_trips};

    #[test]
    fn the_identity_view_reads_as_the_api_writes_it() {
        let view = IdentityView {
            pin_requests: vec![PinRequestReview {
                created_at: Timestamp("2026-04-01T07:00:00Z".into()),
                state: PinRequestState::Delivered,
                sms: "+39 ***2233".into(),
                email: "m***@example.it".into(),
                pec: "".into(),
                letter_to: "Via G***, 00186 Roma".into(),
                reportable: true,
            }],
            applications: vec![ApplicationReview {
                protocol: "INPS-2020-0000001".into(),
                submitted_at: Timestamp("2026-04-01T14:03:07.123Z".into()),
                channel: Channel::ContactCenter,
                credential: Credential::SimplifiedPin,
                credential_label: "PIN semplificato".into(),
                status: ApplicationStatus::Submitted,
                status_label: "Presentata".into(),
                contacts: Some(MaskedContacts {
                    mobile: "+39 ***2233".into(),
                    email: "m***@example.it".into(),
                }),
                reportable: true,
            }],
        };
        matches_api_sample(
            &view,
            r#"{"pin_requests":[{"created_at":"2026-04-01T07:00:00Z","state":"delivered","sms":"+39 ***2233",
                  "email":"m***@example.it","pec":"","letter_to":"Via G***, 00186 Roma","reportable":true}],
                "applications":[{"protocol":"INPS-2020-0000001","submitted_at":"2026-04-01T14:03:07.123Z",
                  "channel":"contact_center","credential":"simplified_pin","credential_label":"PIN semplificato",
                  "status":"submitted","status_label":"Presentata",
                  "contacts":{"mobile":"+39 ***2233","email":"m***@example.it"},"reportable":true}]}"#,
        );
        let mut hidden = view.applications[0].clone();
        hidden.contacts = None;
        round_trips(&hidden);
    }

    #[test]
    fn reports_round_trip() {
        matches_api_sample(
            &ReportDone {
                pin_revoked: true,
                suspended: None,
            },
            r#"{"pin_revoked":true,"suspended":null}"#,
        );
        round_trips(&ReportDone {
            pin_revoked: false,
            suspended: Some("INPS-2020-0000001".into()),
        });
        round_trips(&Report {
            pin_request: Some(Timestamp("2026-04-01T07:00:00Z".into())),
            application: None,
        });
        let unknown: Result<Report, _> = serde_json::from_str(r#"{"application":"X","extra":1}"#);
        assert!(unknown.is_err(), "the API refuses a report naming anything else");
        round_trips(&CallReport {
            pin_request: None,
            application: Some("INPS-2020-0000001".into()),
            letter: "ABCD2345".into(),
        });
    }
}
