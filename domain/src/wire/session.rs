//! Who is in: the citizen's session (`/api/session`) and the operator's (`/api/operator/session`),
//! and the logins that open them.

use serde::{Deserialize, Serialize};

use super::json::{FromJson, Json};
use super::{Timestamp, wire_struct};
use crate::{Credential, Scope};

wire_struct! {
    /// What the SPA knows about the citizen's session.
    pub struct SessionInfo {
        /// Whose session it is.
        pub codice_fiscale: String,
        /// What it allows.
        pub scope: Scope,
        /// How the citizen got in (`pin`, `spid`, `cie`, `cns`).
        pub method: String,
        /// The credential, which decides what the session may read (docs/adr/0017).
        pub credential: Credential,
        /// When it ends unless extended (server clock).
        pub expires_at: Timestamp,
        /// How long a session lasts without activity, in seconds.
        pub idle_seconds: i64,
    }
}

wire_struct! {
    /// `POST /api/session`: the citizen's PIN login.
    pub struct PinLogin {
        /// The codice fiscale as typed.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(example = crate::pin_request::PinRequestForm::example_codice_fiscale))]
        pub codice_fiscale: String,
        /// The PIN (8 or 16 characters) as typed.
        #[serde(default)]
        pub pin: String,
    }
}

/// An operator's role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OperatorRole {
    /// Opens calls and files for citizens.
    #[default]
    Agent,
    /// An agent who may also read the audit log.
    Supervisor,
}

impl OperatorRole {
    /// The role named `name` (`agent`, `supervisor`), as the admin command takes it.
    pub fn parse(name: &str) -> Option<OperatorRole> {
        match name.trim() {
            "agent" => Some(OperatorRole::Agent),
            "supervisor" => Some(OperatorRole::Supervisor),
            _ => None,
        }
    }

    /// The role's name, as [`OperatorRole::parse`] reads it.
    pub fn name(self) -> &'static str {
        match self {
            OperatorRole::Agent => "agent",
            OperatorRole::Supervisor => "supervisor",
        }
    }
}

impl FromJson for OperatorRole {
    fn from_json(json: &Json) -> Option<Self> {
        OperatorRole::parse(json.as_str()?)
    }
}

wire_struct! {
    /// What the console knows about the operator's session.
    pub struct OperatorInfo {
        /// Their username.
        pub username: String,
        /// Their name as the administrator wrote it.
        pub full_name: String,
        /// What they may do.
        pub role: OperatorRole,
        /// When the session ends unless extended.
        pub expires_at: Timestamp,
        /// How long a session lasts without activity, in seconds.
        pub idle_seconds: i64,
    }
}

wire_struct! {
    /// `GET /api/operator/session/status`: when the operator's session ends, read without
    /// extending it (the console's timeout warning asks this), and the server's time now, so that
    /// the console counts on the server's clock, not its own.
    pub struct OperatorSessionStatus {
        /// The server's time now.
        pub now: Timestamp,
        /// When the session ends unless it is used before.
        pub expires_at: Timestamp,
        /// How long a session lasts without activity, in seconds.
        pub idle_seconds: i64,
    }
}

wire_struct! {
    /// `POST /api/operator/session`: username, password and the current TOTP code.
    pub struct OperatorLogin {
        /// The username.
        #[serde(default)]
        pub username: String,
        /// The password.
        #[serde(default)]
        pub password: String,
        /// The authenticator's current code.
        #[serde(default)]
        pub totp: String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::testing::{matches_api_sample, round_trips};

    #[test]
    fn a_session_reads_as_the_api_writes_it() {
        matches_api_sample(
            &SessionInfo {
                codice_fiscale: "RSSMRA85T10A562S".into(),
                scope: Scope::Simplified,
                method: "pin".into(),
                credential: Credential::SimplifiedPin,
                expires_at: Timestamp("2026-04-01T14:33:07.250Z".into()),
                idle_seconds: 1800,
            },
            r#"{"codice_fiscale":"RSSMRA85T10A562S","scope":"simplified","method":"pin",
                "credential":"simplified_pin","expires_at":"2026-04-01T14:33:07.250Z","idle_seconds":1800}"#,
        );
    }

    #[test]
    fn a_session_with_a_renamed_field_is_not_read() {
        let renamed = r#"{"codice_fiscale":"RSSMRA85T10A562S","scope":"full","method":"spid",
            "credential":"spid_l2","expiry":"2026-04-01T14:33:07Z","idle_seconds":1800}"#;
        assert_eq!(SessionInfo::parse_json(renamed), None);
    }

    #[test]
    fn an_operator_session_reads_as_the_api_writes_it() {
        matches_api_sample(
            &OperatorInfo {
                username: "mrossi".into(),
                full_name: "Maria Rossi".into(),
                role: OperatorRole::Supervisor,
                expires_at: Timestamp("2026-04-01T09:10:00Z".into()),
                idle_seconds: 600,
            },
            r#"{"username":"mrossi","full_name":"Maria Rossi","role":"supervisor",
                "expires_at":"2026-04-01T09:10:00Z","idle_seconds":600}"#,
        );
    }

    #[test]
    fn logins_round_trip() {
        round_trips(&PinLogin {
            codice_fiscale: "RSSMRA85T10A562S".into(),
            pin: "ABCD-EFGH".into(),
        });
        round_trips(&OperatorLogin {
            username: "mrossi".into(),
            password: "secret".into(),
            totp: "123456".into(),
        });
    }
}
