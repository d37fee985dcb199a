//! What the store keeps, independent of how each implementation lays it out.

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::application::{Application, ApplicationForm};
use domain::pin_request::{PinRequestState, ValidPinRequest};
use serde::{Deserialize, Serialize};

/// A PIN request and the hashes of its PIN (never the PIN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinRequestRecord {
    /// The citizen's data as validated.
    pub request: ValidPinRequest,
    /// HMAC of the first 8 characters.
    pub first_half_hash: Vec<u8>,
    /// HMAC of the last 8 characters.
    pub second_half_hash: Vec<u8>,
    /// Where the request stands (as stored; see `domain::pin_request::effective_state`).
    pub state: PinRequestState,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When its state last changed.
    pub updated_at: DateTime<Utc>,
    /// The Idempotency-Key the browser sent, so that a retried request gets the same answer.
    pub idempotency_key: Option<String>,
}

impl PinRequestRecord {
    /// The codice fiscale the record is keyed by.
    pub fn codice_fiscale(&self) -> &str {
        self.request.codice_fiscale.as_str()
    }
}

/// What happened to a conditional insert of a PIN request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinRequestInsert {
    /// Stored (new, or replacing an expired one).
    Inserted,
    /// A live request exists for that codice fiscale; here it is.
    Exists(Box<PinRequestRecord>),
}

/// Wrong-PIN bookkeeping for one codice fiscale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginThrottle {
    /// Wrong PINs since `window_start`.
    pub failures: u32,
    /// When the current counting window began.
    pub window_start: Option<DateTime<Utc>>,
    /// Logins are refused until then.
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginThrottle {
    /// Whether logins are refused at `now`.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }
}

/// How failures turn into a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Wrong PINs that lock the codice fiscale.
    pub max_failures: u32,
    /// How long the lock lasts, and how long failures are remembered.
    pub lock_for: chrono::Duration,
}

/// A citizen's session, keyed by the SHA-256 of its cookie token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Hash of the cookie's token.
    pub token_hash: String,
    /// Whose session it is.
    pub codice_fiscale: String,
    /// What it may do.
    pub scope: Scope,
    /// How the citizen got in (`pin`, `spid`, `cie`, `cns`).
    pub method: String,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// It ends at this time unless used before (idle timeout).
    pub expires_at: DateTime<Utc>,
    /// It ends at this time whatever happens.
    pub absolute_expires_at: DateTime<Utc>,
}

impl SessionRecord {
    /// Whether the session still holds at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at && now < self.absolute_expires_at
    }
}

/// A delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Text message to the mobile.
    Sms,
    /// E-mail.
    Email,
    /// Certified e-mail.
    Pec,
    /// A letter by post (the PIN's second half).
    Post,
}

impl Channel {
    /// The storage form.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Pec => "pec",
            Channel::Post => "post",
        }
    }

    /// Parses the storage form.
    pub fn parse(s: &str) -> Option<Channel> {
        [Channel::Sms, Channel::Email, Channel::Pec, Channel::Post]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// A message to a citizen, as the notifier sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// How it travels.
    pub channel: Channel,
    /// Phone number, address or postal address.
    pub recipient: String,
    /// Whose message it is.
    pub codice_fiscale: String,
    /// Subject line (e-mail, PEC, letter).
    pub subject: String,
    /// The text.
    pub body: String,
}

/// A notification kept in the development outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// The message.
    #[serde(flatten)]
    pub notification: Notification,
}

/// A citizen's application form as last saved, before it is submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftRecord {
    /// The owner: drafts are keyed by the session's codice fiscale, never by anything the client names.
    pub codice_fiscale: String,
    /// What was typed, as typed.
    pub form: ApplicationForm,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
}

/// A submitted application with what makes a retry of its submission recognisable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRecord {
    /// The application, its receipt and its history.
    pub application: Application,
    /// The `Idempotency-Key` of the request that created it.
    pub idempotency_key: String,
    /// [`domain::application::ValidApplication::fingerprint`] of what was submitted.
    pub fingerprint: String,
}

impl ApplicationRecord {
    /// The applicant's codice fiscale.
    pub fn codice_fiscale(&self) -> &str {
        self.application.applicant.as_str()
    }
}

/// What [`super::Store::insert_application`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationInsert {
    /// The application is stored (and the draft removed).
    Inserted,
    /// The citizen already has this application: nothing changed.
    Exists(Box<ApplicationRecord>),
}

/// A Contact Center operator: a staff identity, never a citizen's.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorRecord {
    /// The login name, unique.
    pub username: String,
    /// The name the audit log and the console show.
    pub full_name: String,
    /// The password as an argon2id PHC string (salt and parameters included).
    pub password_hash: String,
    /// The TOTP secret sealed with AES-256-GCM under a key derived from the server key: a copy of
    /// the database alone cannot produce codes.
    pub totp_secret_sealed: Vec<u8>,
    /// A disabled operator cannot log in, and their sessions end.
    pub disabled: bool,
    /// When the operator was created.
    pub created_at: DateTime<Utc>,
    /// Moves on when the operator is disabled or their credentials are reset: sessions opened
    /// under an earlier generation are over, so that neither re-enabling nor an old cookie brings
    /// one back. A counter rather than a time, so that the admin's clock cannot disagree.
    #[serde(default)]
    pub session_generation: u32,
    /// What the operator may do beyond taking calls. Records from before roles existed are agents.
    #[serde(default)]
    pub role: OperatorRole,
}

/// An operator's role. Every operator takes calls; only a supervisor reads the audit log, which
/// names every citizen any operator has touched (an agent sees only the citizen of their call).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorRole {
    /// Takes calls: validates PIN requests and files applications for the caller.
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

impl std::fmt::Debug for OperatorRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorRecord")
            .field("username", &self.username)
            .field("full_name", &self.full_name)
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// An operator's session, keyed by the SHA-256 of its cookie token; stored apart from citizens'
/// sessions, so that neither token can ever be looked up as the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorSessionRecord {
    /// Hash of the cookie's token.
    pub token_hash: String,
    /// The operator.
    pub username: String,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// It ends at this time unless used before (idle timeout).
    pub expires_at: DateTime<Utc>,
    /// It ends at this time whatever happens.
    pub absolute_expires_at: DateTime<Utc>,
    /// The operator's `session_generation` when it was opened.
    #[serde(default)]
    pub generation: u32,
}

impl OperatorSessionRecord {
    /// Whether the session still holds at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at && now < self.absolute_expires_at
    }
}

/// A phone call: the one citizen an operator may act on, opened by that operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    /// Random identifier (hex).
    pub id: String,
    /// The operator who opened it; nobody else may use it.
    pub operator: String,
    /// The citizen on the phone.
    pub codice_fiscale: String,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When the citizen's first 8 PIN characters were verified on it, if they were.
    pub pin_checked_at: Option<DateTime<Utc>>,
}

/// The audit log's vocabulary, shared with the console that reads it back into words.
pub use domain::operator::{AuditAction, AuditOutcome};

/// One line of the append-only audit log. Never holds a PIN, a password or a TOTP code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who: the operator's username (as typed, for a failed login).
    pub operator: String,
    /// Which citizen, when the action concerns one.
    pub codice_fiscale: Option<String>,
    /// What.
    pub action: AuditAction,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// A reference or reason without secrets: the call id, an error code, a protocol number.
    pub detail: String,
}
