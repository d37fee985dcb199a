//! The Contact Center's words that the console and the API share: what an operator's username may
//! be, and the audit log's vocabulary (what an operator did and how it ended). The API stores and
//! sends these names; the console reads them back into words (docs/adr/0009).

use serde::{Deserialize, Serialize};

/// Whether `username` follows the naming rule: 3-32 lower-case letters, digits, `.`, `_` or `-`
/// (it keys store items, shows in the audit log and goes in the log's query string).
pub fn valid_username(username: &str) -> bool {
    (3..=32).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
}

/// What an operator did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AuditAction {
    /// Logged in (or tried to).
    Login,
    /// Logged out.
    Logout,
    /// Opened a call for a citizen.
    CallOpened,
    /// Read a citizen's PIN request and application state.
    CallRead,
    /// Checked the PIN characters the citizen read out.
    PinCheck,
    /// Validated a stale PIN request (and re-sent its first part).
    PinValidation,
    /// Read the citizen's application form.
    ApplicationRead,
    /// Saved the citizen's draft (or a step of it).
    DraftSaved,
    /// Submitted the citizen's application.
    ApplicationSubmitted,
    /// Read the audit log (or tried to).
    AuditRead,
    /// Reported a PIN request or an application as not the citizen's ("non sono stato io"): the
    /// PIN revoked, a simplified-PIN application suspended. Made by the citizen (operator
    /// `citizen`, the credential in the detail) or by an operator on the citizen's call.
    IdentityReport,
    /// Paused, resumed or changed the rate of the click-day waiting room (`sportello-admin
    /// queue …`; the room and the rate in the detail).
    QueueRate,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 12] = [
        AuditAction::Login,
        AuditAction::Logout,
        AuditAction::CallOpened,
        AuditAction::CallRead,
        AuditAction::PinCheck,
        AuditAction::PinValidation,
        AuditAction::ApplicationRead,
        AuditAction::DraftSaved,
        AuditAction::ApplicationSubmitted,
        AuditAction::AuditRead,
        AuditAction::IdentityReport,
        AuditAction::QueueRate,
    ];

    /// The name the API stores and sends (its serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::Logout => "logout",
            AuditAction::CallOpened => "call_opened",
            AuditAction::CallRead => "call_read",
            AuditAction::PinCheck => "pin_check",
            AuditAction::PinValidation => "pin_validation",
            AuditAction::ApplicationRead => "application_read",
            AuditAction::DraftSaved => "draft_saved",
            AuditAction::ApplicationSubmitted => "application_submitted",
            AuditAction::AuditRead => "audit_read",
            AuditAction::IdentityReport => "identity_report",
            AuditAction::QueueRate => "queue_rate",
        }
    }

    /// The action named `name`, if any.
    pub fn parse(name: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|action| action.as_str() == name)
    }
}

/// How an operator's action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AuditOutcome {
    /// Done.
    Ok,
    /// Refused by a rule (wrong credentials, a window, the 12 hours…).
    Refused,
}

impl AuditOutcome {
    /// The outcome named `name` (its serde name), if any.
    pub fn parse(name: &str) -> Option<AuditOutcome> {
        match name {
            "ok" => Some(AuditOutcome::Ok),
            "refused" => Some(AuditOutcome::Refused),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_short_lower_case_identifiers() {
        assert!(valid_username("m.rossi_2"));
        assert!(valid_username("e2e-agente"));
        assert!(!valid_username("MRossi"));
        assert!(!valid_username("ab"));
        assert!(!valid_username(&"a".repeat(33)));
        assert!(!valid_username("a#b:c"));
        assert!(!valid_username("mrossi&operator=x"));
    }

    #[test]
    fn each_name_is_the_one_serde_writes_and_reads_back() {
        for action in AuditAction::ALL {
            assert_eq!(
                serde_json::to_string(&action).unwrap(),
                format!("\"{}\"", action.as_str())
            );
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        for outcome in [AuditOutcome::Ok, AuditOutcome::Refused] {
            let name = serde_json::to_string(&outcome).unwrap();
            assert_eq!(AuditOutcome::parse(name.trim_matches('"')), Some(outcome));
        }
        assert_eq!(AuditAction::parse("something_new"), None);
        assert_eq!(AuditOutcome::parse("maybe"), None);
    }
}
