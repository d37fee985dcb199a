//! What the store keeps, independent of how each implementation lays it out.

use chrono::{DateTime, Utc};
use domain::application::{Application, ApplicationForm};
use domain::pin_request::{PinRequestState, ValidPinRequest};
use domain::{Credential, Scope};
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
}

/// What happened to a conditional insert of a PIN request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinRequestInsert {
    /// Stored (new, or replacing an expired one).
    Inserted,
    /// A live request exists for that codice fiscale; here it is.
    Exists(Box<PinRequestRecord>),
}

/// Whose wrong attempts one counter holds (docs/adr/0012). Made only by its constructors, so that
/// the key spaces never overlap: a codice fiscale, an operator's username and a client address
/// each have a prefix of their own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey(String);

impl ThrottleKey {
    /// PIN attempts on one codice fiscale from one caller (a client address, or a Contact Center
    /// operator reading the citizen's characters).
    pub fn citizen_from(codice_fiscale: &str, caller: &str) -> ThrottleKey {
        ThrottleKey(format!("PIN#{codice_fiscale}#FROM#{caller}"))
    }

    /// PIN attempts from one caller, whatever the codice fiscale.
    pub fn pin_caller(caller: &str) -> ThrottleKey {
        ThrottleKey(format!("PIN_FROM#{caller}"))
    }

    /// PIN attempts on one codice fiscale from anyone: the daily ceiling's count.
    pub fn citizen_day(codice_fiscale: &str) -> ThrottleKey {
        ThrottleKey(format!("PIN_DAY#{codice_fiscale}"))
    }

    /// Login attempts on one operator's username from one client address.
    pub fn operator_from(username: &str, caller: &str) -> ThrottleKey {
        ThrottleKey(format!("OPERATOR#{username}#FROM#{caller}"))
    }

    /// Operator login attempts from one client address, whatever the username.
    pub fn operator_caller(caller: &str) -> ThrottleKey {
        ThrottleKey(format!("OPERATOR_FROM#{caller}"))
    }

    /// Login attempts on one operator's username from anyone: the daily ceiling's count.
    pub fn operator_day(username: &str) -> ThrottleKey {
        ThrottleKey(format!("OPERATOR_DAY#{username}"))
    }

    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How one counter turns attempts into waits: the first `free` attempts of a window go at once;
/// from the `free`-th on, each attempt makes the next one wait `first_delay`, then twice that, and
/// so on up to `max_delay`. The count starts again `window` after the window's first attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Attempts that impose no wait.
    pub free: u32,
    /// The first wait.
    pub first_delay: chrono::Duration,
    /// The longest wait.
    pub max_delay: chrono::Duration,
    /// How long a window lasts from its first attempt.
    pub window: chrono::Duration,
}

impl ThrottlePolicy {
    /// The wait that the `attempts`-th attempt of a window imposes on the next one.
    pub fn delay_after(&self, attempts: u32) -> chrono::Duration {
        if attempts < self.free {
            return chrono::Duration::zero();
        }
        let doublings = (attempts - self.free).min(30);
        let delay = self.first_delay.num_milliseconds().saturating_mul(1_i64 << doublings);
        chrono::Duration::milliseconds(delay.min(self.max_delay.num_milliseconds()))
    }
}

/// One counter as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    /// Attempts counted in the window.
    pub attempts: u32,
    /// No attempt is let through before this.
    pub blocked_until: Option<DateTime<Utc>>,
    /// When the window ends and the count starts again.
    pub window_ends: DateTime<Utc>,
}

impl ThrottleState {
    /// The counter after one more attempt at `now` under `policy`, or the wait still due when an
    /// attempt is not allowed yet. `current` is `None` when there is no counter.
    pub fn after_attempt(
        current: Option<ThrottleState>,
        now: DateTime<Utc>,
        policy: ThrottlePolicy,
    ) -> Result<ThrottleState, chrono::Duration> {
        // A wait outlives the window it was earned in: a new window starts only once it is over.
        if let Some(until) = current.and_then(|c| c.blocked_until).filter(|until| now < *until) {
            return Err(until - now);
        }
        let live = current.filter(|c| now < c.window_ends);
        let attempts = live.map_or(0, |c| c.attempts) + 1;
        let delay = policy.delay_after(attempts);
        Ok(ThrottleState {
            attempts,
            blocked_until: (delay > chrono::Duration::zero()).then(|| now + delay),
            window_ends: live.map_or(now + policy.window, |c| c.window_ends),
        })
    }

    /// When the store may forget the counter: once both the window and the wait are over.
    pub fn forget_after(&self) -> DateTime<Utc> {
        self.blocked_until.map_or(self.window_ends, |b| b.max(self.window_ends))
    }
}

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
    /// For a CNS handoff only: the SHA-256 (hex) of the cookie of the browser that started the
    /// login, which alone may redeem it (`cns::CNS_BINDING_COOKIE`). `None` for a session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_binding: Option<String>,
    /// The credential the citizen logged in with; `None` for sessions stored before it was
    /// recorded (see [`SessionRecord::credential`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(utoipa::ToSchema)]
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

/// What [`super::Store::insert_application`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationInsert {
    /// The application is stored (and the draft removed).
    Inserted,
    /// The citizen already has this application: nothing changed.
    Exists(Box<ApplicationRecord>),
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(utoipa::ToSchema)]
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

#[cfg(test)]
mod throttle_tests {
    use super::*;
    use chrono::Duration;

    const POLICY: ThrottlePolicy = ThrottlePolicy {
        free: 3,
        first_delay: Duration::seconds(30),
        max_delay: Duration::minutes(5),
        window: Duration::hours(24),
    };

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn the_free_attempts_impose_no_wait_and_each_further_one_doubles_it_up_to_the_longest() {
        let waits: Vec<i64> = (1..=9).map(|n| POLICY.delay_after(n).num_seconds()).collect();
        assert_eq!(waits, [0, 0, 30, 60, 120, 240, 300, 300, 300]);
        assert_eq!(POLICY.delay_after(u32::MAX), Duration::minutes(5), "no overflow");
    }

    #[test]
    fn an_attempt_during_a_wait_is_refused_with_what_is_left_and_a_wait_outlives_its_window() {
        let mut state = None;
        for _ in 0..3 {
            state = Some(ThrottleState::after_attempt(state, t(0), POLICY).unwrap());
        }
        let third = state.unwrap();
        assert_eq!((third.attempts, third.blocked_until), (3, Some(t(30))));
        assert_eq!(
            ThrottleState::after_attempt(state, t(10), POLICY),
            Err(Duration::seconds(20))
        );
        // GIVEN a wait that ends after the window does
        let late = ThrottleState {
            attempts: 7,
            blocked_until: Some(t(86_500)),
            window_ends: t(86_400),
        };
        assert_eq!(late.forget_after(), t(86_500));
        assert_eq!(
            ThrottleState::after_attempt(Some(late), t(86_450), POLICY),
            Err(Duration::seconds(50))
        );
        // THEN once it is over the count starts again in a new window
        let fresh = ThrottleState::after_attempt(Some(late), t(86_500), POLICY).unwrap();
        assert_eq!(
            (fresh.attempts, fresh.blocked_until, fresh.window_ends),
            (1, None, t(86_500) + Duration::hours(24))
        );
    }
}
