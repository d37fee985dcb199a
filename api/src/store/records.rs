//! What the store keeps, independent of how each implementation lays it out.

use chrono::{DateTime, Utc};
use domain::application::{Application, ApplicationForm};
use domain::pin_request::{PinRequestState, ValidPinRequest};
use domain::{CodiceFiscale, Credential, Scope};
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
    /// The language the citizen used, for the messages sent later (a Contact Center validation).
    #[serde(default)]
    pub lang: domain::Lang,
}

impl PinRequestRecord {
    /// The codice fiscale the record is keyed by.
    pub fn codice_fiscale(&self) -> &str {
        self.request.codice_fiscale.as_str()
    }

    /// The applicant's name as receipts and the Contact Center show it ("Anna Verdi").
    pub fn applicant_name(&self) -> String {
        let person = &self.request.person;
        format!("{} {}", person.given_name, person.surname)
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

/// Which of the two kinds of people a session or a counter belongs to. The realms never meet: a
/// citizen's token is never looked up as an operator's, and their counters have prefixes of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Realm {
    /// Citizens, known by codice fiscale.
    Citizen,
    /// Contact Center operators, known by username.
    Operator,
}

/// Whose credential: a citizen (by codice fiscale) or an operator (by username).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal<'a> {
    /// A citizen's PIN.
    Citizen(&'a str),
    /// An operator's password and TOTP code.
    Operator(&'a str),
}

impl Principal<'_> {
    /// The realm the principal belongs to.
    pub fn realm(self) -> Realm {
        match self {
            Principal::Citizen(_) => Realm::Citizen,
            Principal::Operator(_) => Realm::Operator,
        }
    }

    fn id(self) -> String {
        // The stored prefixes predate this type (SQLite rows exist with them): `PIN` for
        // citizens, `OPERATOR` for operators.
        match self {
            Principal::Citizen(cf) => format!("PIN#{cf}"),
            Principal::Operator(username) => format!("OPERATOR#{username}"),
        }
    }
}

impl Realm {
    fn prefix(self) -> &'static str {
        match self {
            Realm::Citizen => "PIN",
            Realm::Operator => "OPERATOR",
        }
    }
}

/// Whose wrong attempts one counter holds (docs/adr/0012). Made only by its constructors, so that
/// the key spaces never overlap: a codice fiscale, an operator's username and a client address
/// each have a prefix of their own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey(String);

impl ThrottleKey {
    /// Attempts at `principal`'s credential from one caller (a client address, or a Contact
    /// Center operator reading the citizen's characters).
    pub fn from_caller(principal: Principal<'_>, caller: &str) -> ThrottleKey {
        ThrottleKey(format!("{}#FROM#{caller}", principal.id()))
    }

    /// Attempts in `realm` from one caller, whatever the credential.
    pub fn caller(realm: Realm, caller: &str) -> ThrottleKey {
        ThrottleKey(format!("{}_FROM#{caller}", realm.prefix()))
    }

    /// Attempts at `principal`'s credential from anyone: the daily ceiling's count.
    pub fn day(principal: Principal<'_>) -> ThrottleKey {
        let id = match principal {
            Principal::Citizen(id) | Principal::Operator(id) => id,
        };
        ThrottleKey(format!("{}_DAY#{id}", principal.realm().prefix()))
    }

    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub use domain::throttle::{MustWait, ThrottlePolicy, ThrottleState};

/// One attempt to reserve on one counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptClaim {
    /// The counter.
    pub key: ThrottleKey,
    /// Its rule.
    pub policy: ThrottlePolicy,
}

/// What a reservation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Every counter took the attempt: it may be checked.
    Granted,
    /// At least one counter makes the attempt wait this long; no counter changed.
    Delayed(chrono::Duration),
}

/// The `method` of a [`SessionRecord`] that is a CNS handoff, not a session (`cns.rs`).
pub const CNS_HANDOFF_METHOD: &str = "cns-handoff";

/// A citizen's session, keyed by the SHA-256 of its cookie token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Hash of the cookie's token.
    pub token_hash: String,
    /// Whose session it is: typed, so that a service handed the session never parses it again
    /// (it was parsed before the session was opened; a stored value that no longer parses is a
    /// store error, not a session).
    pub codice_fiscale: CodiceFiscale,
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
    /// For a CNS handoff only: the SHA-256 (hex) of the cookie of the browser that started the
    /// login, which alone may redeem it (`cns::CNS_BINDING_COOKIE`). `None` for a session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_binding: Option<String>,
    /// The credential the citizen logged in with; `None` for sessions stored before it was
    /// recorded (see [`SessionRecord::credential`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
    /// The name on the citizen's PIN request when the session started, for the receipt a
    /// Conferma answers with (so that it reads nothing more, issue 19). `None`: no PIN request
    /// (a citizen who came by SPID, CIE or CNS only), or a session stored before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant_name: Option<String>,
}

impl SessionRecord {
    /// The credential the citizen logged in with (docs/adr/0017).
    pub fn credential(&self) -> Credential {
        self.credential
            .unwrap_or_else(|| Credential::of_session(self.scope, &self.method))
    }

    /// Whether the session still holds at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at && now < self.absolute_expires_at
    }
}

/// A delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = DeliveryChannel)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// The outbox message's id, which the carrier passes on where it can (SMTP `Message-ID`), so
    /// that a message repeated after a crash is recognisable as the same one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

/// A notification delivered into the dev sink (dev mode's stand-in carrier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutboxEntry {
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// The message.
    #[serde(flatten)]
    pub notification: Notification,
}

/// What a queued message tells the citizen: the event behind it (docs/adr/0015).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The PIN's first 8 characters (SMS, e-mail, PEC).
    PinFirstHalf,
    /// The PIN's last 8 characters (the letter).
    PinSecondHalf,
    /// New first 8 characters after a Contact Center validation.
    PinValidated,
    /// The receipt of a filed application, with its protocol number.
    Receipt,
    /// An application's status changed.
    StatusChange,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [MessageKind; 5] = [
        MessageKind::PinFirstHalf,
        MessageKind::PinSecondHalf,
        MessageKind::PinValidated,
        MessageKind::Receipt,
        MessageKind::StatusChange,
    ];

    /// The wire and storage form.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::PinFirstHalf => "pin_first_half",
            MessageKind::PinSecondHalf => "pin_second_half",
            MessageKind::PinValidated => "pin_validated",
            MessageKind::Receipt => "receipt",
            MessageKind::StatusChange => "status_change",
        }
    }

    /// Whether the message holds a PIN half (and so must never be at rest in clear).
    pub fn holds_pin(self) -> bool {
        matches!(
            self,
            MessageKind::PinFirstHalf | MessageKind::PinSecondHalf | MessageKind::PinValidated
        )
    }
}

/// Where a message stands on its way to the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Written with its event, waiting for a worker.
    Queued,
    /// A worker claimed it and is handing it to the carrier (until its lease ends).
    Sending,
    /// The last hand-over failed; another attempt is due at `next_attempt_at`.
    Retrying,
    /// The carrier took it (a letter: it is in a batch file for the printer). Its content is gone.
    Sent,
    /// Every attempt failed: no more are made, an alarm is raised, staff look into it.
    Dead,
}

impl DeliveryState {
    /// The storage form.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Retrying => "retrying",
            DeliveryState::Sent => "sent",
            DeliveryState::Dead => "dead",
        }
    }

    /// Parses the storage form.
    pub fn parse(s: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Queued,
            DeliveryState::Sending,
            DeliveryState::Retrying,
            DeliveryState::Sent,
            DeliveryState::Dead,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }

    /// Whether a worker will still try it.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            DeliveryState::Queued | DeliveryState::Sending | DeliveryState::Retrying
        )
    }
}

/// One message of the durable outbox (docs/adr/0015): written in the same atomic write as the
/// event that causes it, delivered by a worker, and kept afterwards (without its content) as the
/// record of what was sent where and when. Its content (recipient, subject, text) is sealed
/// with AES-256-GCM ([`crate::outbox::Sealer`]) and removed once the carrier has it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Random, unique (32 hex digits); also the carrier's message id (SMTP `Message-ID`), so a
    /// repeat after a crash is recognisable downstream.
    pub id: String,
    /// Whose message it is.
    pub codice_fiscale: String,
    /// How it travels.
    pub channel: Channel,
    /// What it tells.
    pub kind: MessageKind,
    /// The recipient, masked ("+39 3** *** **12", "m***@example.it", "Via G***, 00186 Roma"):
    /// what the citizen and the operator are shown.
    pub to_masked: String,
    /// The sealed content; `None` once handed over.
    pub sealed: Option<Vec<u8>>,
    /// Where it stands.
    pub state: DeliveryState,
    /// Hand-overs tried so far.
    pub attempts: u32,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it may be tried (again).
    pub next_attempt_at: DateTime<Utc>,
    /// While `Sending`: when the claim lapses and another worker may take it.
    pub lease_until: Option<DateTime<Utc>>,
    /// When the carrier took it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed (the carrier's words, never the content).
    pub last_error: Option<String>,
}

impl std::fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl OutboxMessage {
    /// Whether a worker may claim it at `now`: queued or retrying and due, or sending with a
    /// lapsed lease (its worker died).
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        match self.state {
            DeliveryState::Queued | DeliveryState::Retrying => self.next_attempt_at <= now,
            DeliveryState::Sending => self.lease_until.is_none_or(|lease| lease <= now),
            DeliveryState::Sent | DeliveryState::Dead => false,
        }
    }
}

/// How a claimed message ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Handed to the carrier at this time; the content is removed.
    Sent(DateTime<Utc>),
    /// Failed; try again at `retry_at`, or (`None`) never again.
    Failed {
        /// The carrier's words.
        error: String,
        /// When to try again; `None` makes the message dead.
        retry_at: Option<DateTime<Utc>>,
    },
}

impl DeliveryOutcome {
    /// `message` after this outcome of its claimed hand-over.
    pub fn apply(&self, message: &mut OutboxMessage) {
        message.lease_until = None;
        match self {
            DeliveryOutcome::Sent(at) => {
                message.state = DeliveryState::Sent;
                message.sent_at = Some(*at);
                message.sealed = None;
                message.last_error = None;
            }
            DeliveryOutcome::Failed { error, retry_at } => {
                message.last_error = Some(error.clone());
                match retry_at {
                    Some(at) => {
                        message.state = DeliveryState::Retrying;
                        message.next_attempt_at = *at;
                    }
                    // Dead keeps its content, sealed, so that staff can send it again.
                    None => message.state = DeliveryState::Dead,
                }
            }
        }
    }
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
    /// The credential of the session that last saved it: only sessions at least as strong read or
    /// change it (docs/adr/0017). Drafts saved before this was recorded count as the weakest,
    /// which every session opens, as every session did then.
    #[serde(default = "weakest")]
    pub credential: Credential,
}

fn weakest() -> Credential {
    Credential::SimplifiedPin
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
    /// The credential it was submitted with (for the Contact Center, the simplified PIN whose
    /// characters the citizen read out). Older records count as the weakest.
    #[serde(default = "weakest")]
    pub credential: Credential,
}

impl ApplicationRecord {
    /// The applicant's codice fiscale.
    pub fn codice_fiscale(&self) -> &str {
        self.application.applicant.as_str()
    }
}

/// What [`super::Applications::insert_application`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationInsert {
    /// The application is stored (and the draft removed).
    Inserted,
    /// The citizen already has this application: nothing changed.
    Exists(Box<ApplicationRecord>),
    /// The citizen's draft was saved with this credential, stronger than the application's:
    /// nothing changed (a weaker session must not remove it by submitting, docs/adr/0017).
    StrongerDraft(Credential),
    /// The guard's PIN request is gone or newer than the session: nothing changed.
    PinNoLongerHolds,
}

/// What a submission must find still true as it is written, checked in the same atomic step as
/// the write (on DynamoDB a `ConditionCheck` in its transaction), so that a Conferma reads
/// nothing before writing (issue 19).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubmissionGuard {
    /// For a session opened with a PIN, when it started: the citizen's PIN request must still be
    /// stored and made no later (a revoked or newer PIN request ends the sessions of the old PIN,
    /// docs/adr/0017). `None` for SPID, CIE, CNS and the Contact Center's calls.
    pub pin_session_started_at: Option<DateTime<Utc>>,
}

impl SubmissionGuard {
    /// What a submission in `session` must find still true.
    pub fn for_session(session: &SessionRecord) -> SubmissionGuard {
        SubmissionGuard {
            pin_session_started_at: (!session.credential().is_strong()).then_some(session.created_at),
        }
    }

    /// Whether it holds with `pin` the citizen's stored PIN request.
    pub fn holds(&self, pin: Option<&PinRequestRecord>) -> bool {
        match self.pin_session_started_at {
            None => true,
            Some(started_at) => pin.is_some_and(|pin| pin.created_at <= started_at),
        }
    }
}

/// What was reported as not the citizen's ("non sono stato io", docs/adr/0017), newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reported {
    /// Revoked PIN requests (state `revoked`).
    pub pin_requests: Vec<PinRequestRecord>,
    /// Applications set aside (suspended, or moved on by staff since).
    pub applications: Vec<ApplicationRecord>,
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
/// One type for the store, the API and the console (`domain::wire::session`).
pub use domain::wire::session::OperatorRole;

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
    /// The citizen on the phone, parsed when the call was opened.
    pub codice_fiscale: CodiceFiscale,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When the citizen's first 8 PIN characters were verified on it, if they were.
    pub pin_checked_at: Option<DateTime<Utc>>,
}

/// The audit log's vocabulary, shared with the console that reads it back into words.
pub use domain::operator::{AuditAction, AuditOutcome};

/// One line of the append-only audit log. Never holds a PIN, a password or a TOTP code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// A session of either realm, as the one [`super::Sessions`] port stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// A citizen's.
    Citizen(SessionRecord),
    /// An operator's.
    Operator(OperatorSessionRecord),
}

impl Session {
    /// The realm it belongs to (and is looked up in).
    pub fn realm(&self) -> Realm {
        match self {
            Session::Citizen(_) => Realm::Citizen,
            Session::Operator(_) => Realm::Operator,
        }
    }

    /// The hash of its cookie's token, its key within the realm.
    pub fn token_hash(&self) -> &str {
        match self {
            Session::Citizen(s) => &s.token_hash,
            Session::Operator(s) => &s.token_hash,
        }
    }

    /// The citizen's session, if it is one.
    pub fn into_citizen(self) -> Option<SessionRecord> {
        match self {
            Session::Citizen(s) => Some(s),
            Session::Operator(_) => None,
        }
    }

    /// The operator's session, if it is one.
    pub fn into_operator(self) -> Option<OperatorSessionRecord> {
        match self {
            Session::Operator(s) => Some(s),
            Session::Citizen(_) => None,
        }
    }
}

impl From<SessionRecord> for Session {
    fn from(session: SessionRecord) -> Session {
        Session::Citizen(session)
    }
}

impl From<OperatorSessionRecord> for Session {
    fn from(session: OperatorSessionRecord) -> Session {
        Session::Operator(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_keys_keep_the_formats_already_stored() {
        let (citizen, operator) = (Principal::Citizen("RSSMRA80A01H501U"), Principal::Operator("anna"));
        let keys = [
            ThrottleKey::from_caller(citizen, "ip:10.0.0.1"),
            ThrottleKey::caller(Realm::Citizen, "ip:10.0.0.1"),
            ThrottleKey::day(citizen),
            ThrottleKey::from_caller(operator, "ip:10.0.0.1"),
            ThrottleKey::caller(Realm::Operator, "ip:10.0.0.1"),
            ThrottleKey::day(operator),
        ];
        let stored: Vec<&str> = keys.iter().map(ThrottleKey::as_str).collect();
        assert_eq!(
            stored,
            [
                "PIN#RSSMRA80A01H501U#FROM#ip:10.0.0.1",
                "PIN_FROM#ip:10.0.0.1",
                "PIN_DAY#RSSMRA80A01H501U",
                "OPERATOR#anna#FROM#ip:10.0.0.1",
                "OPERATOR_FROM#ip:10.0.0.1",
                "OPERATOR_DAY#anna",
            ]
        );
    }
}
