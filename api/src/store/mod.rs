//! Where citizens' data lives: SQLite locally (`sqlite`), DynamoDB on AWS (`dynamodb`, table design in
//! docs/adr/0006). The port is one capability trait per aggregate ([`PinRequests`], [`Throttles`],
//! [`Sessions`], [`CnsHandoffs`], [`LoginFlows`], [`Applications`], [`Reports`], [`Operators`],
//! [`Calls`], [`AuditLog`], [`Outbox`], [`WaitingRooms`], and [`Health`]), each implemented in one
//! file per adapter (`sqlite/<aggregate>.rs`, `dynamodb/<aggregate>.rs`); [`Store`] is all of them
//! at once, for `AppState`'s `Arc<dyn Store>`. Callers add `use crate::store::prelude::*;`.
//!
//! The traits are shaped for DynamoDB (access by key, conditional writes, no joins, no
//! read-then-write for a rule); SQLite implements the same contract with constraints and
//! transactions, and is the default for local runs. A rule's arithmetic lives in `domain`
//! (`domain::throttle`), so that both adapters compute it the same way.

pub mod dynamodb;
mod records;
pub mod sqlite;
mod waiting_rooms;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::pin_request::PinRequestState;
use thiserror::Error;

pub use records::*;
pub use waiting_rooms::{Drawn, RateChange, RoomOpening, RoomState, TicketRecord};

/// A store failure. Callers never see the details; the log does.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The store cannot be reached or is over capacity: worth retrying.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else.
    #[error("store failure: {0}")]
    Other(String),
}

/// The whole storage port: every aggregate's capability. `AppState` holds an `Arc<dyn Store>`;
/// code that needs only some capabilities may ask for those (`&dyn Sessions`).
pub trait Store:
    Health
    + PinRequests
    + Throttles
    + Sessions
    + CnsHandoffs
    + LoginFlows
    + Applications
    + Reports
    + Operators
    + Calls
    + AuditLog
    + Outbox
    + WaitingRooms
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: Health
        + PinRequests
        + Throttles
        + Sessions
        + CnsHandoffs
        + LoginFlows
        + Applications
        + Reports
        + Operators
        + Calls
        + AuditLog
        + Outbox
        + WaitingRooms
        + Send
        + Sync
        + 'static
{
}

/// The capability traits, so that one `use crate::store::prelude::*;` lets a caller use any
/// method of a store. Imported anonymously (`as _`): their methods come into scope without their
/// names, which callers may well use for things of their own (an `Outbox` type, a `Calls` view).
pub mod prelude {
    pub use super::Store;
    pub use super::{
        Applications as _, AuditLog as _, Calls as _, CnsHandoffs as _, Health as _, LoginFlows as _, Operators as _,
        Outbox as _, PinRequests as _, Reports as _, Sessions as _, Throttles as _, WaitingRooms as _,
    };
}

/// Which store answers, and whether it does.
#[async_trait]
pub trait Health: Send + Sync {
    /// A short name of the implementation, e.g. `sqlite`.
    fn kind(&self) -> &'static str;

    /// Reads from the store to prove it answers.
    async fn health(&self) -> Result<(), StoreError>;
}

/// Citizens' PIN requests, one per codice fiscale (with the messages that carry the PIN).
#[async_trait]
pub trait PinRequests: Send + Sync {
    /// Stores a PIN request unless a live one exists for the same codice fiscale, and with it
    /// `messages` in the same atomic write (all or nothing). A request still pending delivery and
    /// created before `expired_before` is not live and is replaced. Atomic: of two concurrent
    /// requests for one codice fiscale, one wins, and only its messages are written.
    async fn insert_pin_request(
        &self,
        record: &PinRequestRecord,
        expired_before: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<PinRequestInsert, StoreError>;

    /// The PIN request of a codice fiscale.
    async fn pin_request(&self, codice_fiscale: &str) -> Result<Option<PinRequestRecord>, StoreError>;

    /// Moves a request from `from` to `to`; false (and no change) if it was not in `from`.
    async fn transition_pin_request(
        &self,
        codice_fiscale: &str,
        from: PinRequestState,
        to: PinRequestState,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Marks a PIN request validated by the Contact Center and replaces its first half's hash with
    /// the one of a fresh first half, only if it is still pending delivery and was created after
    /// `created_after` (not expired) and no later than `created_by` (12 hours ago): false, and no
    /// change, otherwise. The second half (the letter) stays valid. `messages` (the new first
    /// half) are written in the same atomic write.
    async fn validate_pin_request(
        &self,
        codice_fiscale: &str,
        first_half_hash: &[u8],
        created_after: DateTime<Utc>,
        created_by: DateTime<Utc>,
        now: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<bool, StoreError>;

    /// Revokes the citizen's PIN request created at `created_at`: it moves, in state `revoked`
    /// since `now`, among the citizen's reported records, and the citizen has no PIN request any
    /// more (the PIN opens nothing; a new request may be made). False, and no change, if the
    /// stored request is not that one (none, or a newer one). Atomic.
    async fn revoke_pin_request(
        &self,
        codice_fiscale: &str,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

/// Attempt counters (docs/adr/0012): the arithmetic is `domain::throttle`'s; adapters only keep it atomic.
#[async_trait]
pub trait Throttles: Send + Sync {
    /// Reserves one attempt on every counter of `claims` at `now`, before the credential is
    /// checked, atomically: either every counter takes it (each by [`ThrottleState::after_attempt`]),
    /// or, when one makes the attempt wait, none changes and the longest wait is returned. Of
    /// many parallel reservations no more are granted than the counters allow one by one.
    async fn reserve_attempt(&self, claims: &[AttemptClaim], now: DateTime<Utc>) -> Result<Reservation, StoreError>;

    /// Gives one reserved attempt back to `key` (the credential was right): one fewer in its count,
    /// never below zero. A wait that attempt imposed stays until it ends.
    async fn release_attempt(&self, key: &ThrottleKey) -> Result<(), StoreError>;

    /// Forgets the counter of `key` (the owner of the credential just proved it from this caller).
    async fn forget_attempts(&self, key: &ThrottleKey) -> Result<(), StoreError>;

    /// Counts one attempt on `key`, a plain counter whose window is `window` from its first
    /// attempt, with an atomic increment; returns the count after it.
    async fn count_attempt(
        &self,
        key: &ThrottleKey,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError>;

    /// The counter of `key` as stored, if any (a window that is over may still be there).
    async fn throttle(&self, key: &ThrottleKey) -> Result<Option<ThrottleState>, StoreError>;
}

/// Sessions of both realms, keyed by the hash of their cookie's token within the realm: a token
/// of one realm is never found in the other.
#[async_trait]
pub trait Sessions: Send + Sync {
    /// Stores a new session (an error if its token hash is already taken in its realm).
    async fn put_session(&self, session: &Session) -> Result<(), StoreError>;

    /// A session of `realm` by its token hash.
    async fn session(&self, realm: Realm, token_hash: &str) -> Result<Option<Session>, StoreError>;

    /// Moves a session's idle expiry; nothing happens to a session that is gone.
    async fn extend_session(&self, realm: Realm, token_hash: &str, expires_at: DateTime<Utc>)
    -> Result<(), StoreError>;

    /// Ends a session.
    async fn delete_session(&self, realm: Realm, token_hash: &str) -> Result<(), StoreError>;
}

/// CNS handoffs: a short-lived, one-use record that carries a smart-card login from the card's
/// host to the service's host (`cns.rs`), bound to the browser that started it. Kept beside the
/// citizens' sessions (as a [`SessionRecord`] of method `cns-handoff`), but never opened as one.
#[async_trait]
pub trait CnsHandoffs: Send + Sync {
    /// Stores a new handoff.
    async fn put_handoff(&self, handoff: &SessionRecord) -> Result<(), StoreError>;

    /// Takes the handoff of `token_hash` out of the store, in one atomic step, if it is still
    /// live at `now`: of two redemptions of one handoff, one gets it. `None` for an unknown,
    /// already taken or expired one (an expired one is left to the store's clean-up).
    async fn take_handoff(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>, StoreError>;
}

/// Login flows (SPID/CIE) already finished: each flow (by the hash of its `state`) finishes once,
/// whatever a provider does with a replayed code. Kept until the flow would have expired anyway.
#[async_trait]
pub trait LoginFlows: Send + Sync {
    /// Records that the flow `flow_hash` finished; `false` if it already had (a replay). The record
    /// may be forgotten after `expires_at` (the flow cookie is refused past it anyway). Atomic: of
    /// two concurrent finishes of one flow, one gets `true`.
    async fn finish_flow(
        &self,
        flow_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

/// Citizens' drafts and submitted applications, with the protocol register.
#[async_trait]
pub trait Applications: Send + Sync {
    /// Saves a citizen's draft, replacing the previous one.
    async fn put_draft(&self, draft: &DraftRecord) -> Result<(), StoreError>;

    /// Saves a citizen's draft unless the stored one was saved with a stronger credential than
    /// `draft.credential`: false then, and no change. Atomic: a weaker session never overwrites a
    /// stronger draft, however their saves interleave.
    async fn put_draft_unless_stronger(&self, draft: &DraftRecord) -> Result<bool, StoreError>;

    /// A citizen's draft.
    async fn draft(&self, codice_fiscale: &str) -> Result<Option<DraftRecord>, StoreError>;

    /// The next protocol sequence number of `year`: unique across every caller, never reused;
    /// numbers handed out for a submission that then fails are lost (the register has gaps).
    async fn next_protocol_sequence(&self, year: i32) -> Result<u32, StoreError>;

    /// Stores a submitted application with its `messages` (the receipt) and removes the
    /// citizen's draft, unless the citizen already has an application (one per citizen) — then
    /// nothing changes and the existing one is returned — or the draft was saved with a stronger
    /// credential than the record's — then nothing changes and that credential is returned — or
    /// `guard` does not hold — then nothing changes either.
    /// Atomic: of many concurrent submissions for one codice fiscale, one wins; the checks and
    /// the write are one step (on DynamoDB one transaction, so a Conferma needs no reads first).
    async fn insert_application(
        &self,
        record: &ApplicationRecord,
        guard: SubmissionGuard,
        messages: &[OutboxMessage],
    ) -> Result<ApplicationInsert, StoreError>;

    /// A citizen's application.
    async fn application(&self, codice_fiscale: &str) -> Result<Option<ApplicationRecord>, StoreError>;

    /// An application by its protocol number (for operators and the admin command).
    async fn application_by_protocol(&self, protocol: &str) -> Result<Option<ApplicationRecord>, StoreError>;

    /// Replaces an application after a change of status, with the `messages` that tell of it,
    /// only if its history still has `expected_history_len` entries (no other change happened
    /// since it was read); false, and nothing written, otherwise.
    async fn update_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
        messages: &[OutboxMessage],
    ) -> Result<bool, StoreError>;

    /// Sets the citizen's application aside, as `record` now is (suspended): it leaves the
    /// one-per-citizen place for the citizen's reported records, keeping its protocol number, so
    /// that the citizen may apply again. Only if the stored application still has
    /// `expected_history_len` entries; false, and no change, otherwise. Atomic.
    async fn set_aside_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
    ) -> Result<bool, StoreError>;

    /// A set-aside application by its protocol number (for staff, who move it on).
    async fn set_aside_application_by_protocol(&self, protocol: &str) -> Result<Option<ApplicationRecord>, StoreError>;

    /// Replaces a set-aside application after a change of status, only if its history still has
    /// `expected_history_len` entries; false otherwise.
    async fn update_set_aside_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
    ) -> Result<bool, StoreError>;
}

/// What citizens reported as not theirs ("non sono stato io", docs/adr/0017).
#[async_trait]
pub trait Reports: Send + Sync {
    /// The citizen's revoked PIN requests and set-aside applications, newest first.
    async fn reported(&self, codice_fiscale: &str) -> Result<Reported, StoreError>;
}

/// Contact Center operators' records and their TOTP steps.
#[async_trait]
pub trait Operators: Send + Sync {
    /// Stores a new operator unless the username is taken (false then, and no change).
    async fn insert_operator(&self, operator: &OperatorRecord) -> Result<bool, StoreError>;

    /// An operator by username.
    async fn operator(&self, username: &str) -> Result<Option<OperatorRecord>, StoreError>;

    /// Replaces an existing operator's record (disable, enable, new credentials); false, and no
    /// change, when there is no such operator. The TOTP step already claimed stays claimed.
    async fn replace_operator(&self, operator: &OperatorRecord) -> Result<bool, StoreError>;

    /// Records that the operator used the TOTP code of time step `step`, only if no code of this
    /// or a later step was used before: false means a replayed (or older) code. Atomic.
    async fn claim_totp_step(&self, username: &str, step: i64) -> Result<bool, StoreError>;
}

/// Contact Center calls: the one citizen an operator may act on.
#[async_trait]
pub trait Calls: Send + Sync {
    /// Stores a new call.
    async fn put_call(&self, call: &CallRecord) -> Result<(), StoreError>;

    /// A call by its id.
    async fn call(&self, id: &str) -> Result<Option<CallRecord>, StoreError>;

    /// Records that the citizen's PIN characters were verified on the call; false if no such call.
    async fn mark_call_pin_checked(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError>;
}

/// The append-only audit log of what operators did.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an entry to the audit log. The log has no method that changes or removes an entry.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// The newest audit entries about one citizen, newest first.
    async fn audit_for(&self, codice_fiscale: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;

    /// The newest audit entries of one operator, newest first.
    async fn audit_by_operator(&self, username: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
}

/// The durable outbox of messages to citizens (docs/adr/0015), and dev mode's sink.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Up to `limit` messages of the durable outbox on `channels` that a worker may claim at
    /// `now` ([`OutboxMessage::is_due`]), the longest waiting first.
    async fn due_messages(
        &self,
        channels: &[Channel],
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Claims one message for one hand-over, only if it is still due at `now`: it moves to
    /// `Sending` with one more attempt and a lease until `lease_until`, recorded before the
    /// hand-off. Atomic: of two workers claiming it, one gets it (`Some`, as stored afterwards).
    async fn claim_message(
        &self,
        id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<OutboxMessage>, StoreError>;

    /// Records how a claimed hand-over ended: sent (its content removed for good), retrying at
    /// a later time, or dead. A message that is already sent stays sent.
    async fn finish_message(&self, id: &str, outcome: &DeliveryOutcome) -> Result<(), StoreError>;

    /// One message of the outbox by its id.
    async fn message(&self, id: &str) -> Result<Option<OutboxMessage>, StoreError>;

    /// The newest messages of one citizen, newest first (what was sent where, and how it went).
    async fn messages_for(&self, codice_fiscale: &str, limit: usize) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Keeps a delivered notification in the dev sink: the carrier of dev mode only, standing in
    /// for citizens' phones and mailboxes (never used outside dev mode).
    async fn push_outbox(&self, entry: &OutboxEntry) -> Result<(), StoreError>;

    /// The newest dev-sink entries, optionally only those of one codice fiscale.
    async fn outbox(&self, codice_fiscale: Option<&str>, limit: usize) -> Result<Vec<OutboxEntry>, StoreError>;
}

/// The waiting rooms: tickets numbered, the opening that closes the pre-queue, one place per
/// codice fiscale.
#[async_trait]
pub trait WaitingRooms: Send + Sync {
    /// Ticket `id` of `room`. A new one is numbered now, in the pre-queue until the room opens,
    /// in the queue after. Atomic with the opening: a ticket numbered in the pre-queue is
    /// counted in the opening's totals. A ticket that exists comes back unchanged: a refresh, a
    /// retry or another tab of the browser keeps its place. A crash between numbering and
    /// recording leaves a number nobody holds, which the line lets in as an empty place.
    async fn take_ticket(&self, room: &str, id: &str, now: DateTime<Utc>) -> Result<TicketRecord, StoreError>;

    /// Ticket `id` of `room`, if it was taken.
    async fn ticket(&self, room: &str, id: &str) -> Result<Option<TicketRecord>, StoreError>;

    /// Opens `room` unless it is open: the pre-queue closes and its counts are fixed, with
    /// `salt` for the line's key, letting in `per_second` from `now`. Returns the opening that
    /// stands, this one or the earlier one: of concurrent openings the first wins, and all see
    /// the same.
    async fn open_room(
        &self,
        room: &str,
        salt: &[u8],
        per_second: f64,
        now: DateTime<Utc>,
    ) -> Result<RoomOpening, StoreError>;

    /// The opening of `room`, once it opened.
    async fn room_opening(&self, room: &str) -> Result<Option<RoomOpening>, StoreError>;

    /// `room` as it stands, once it opened: the opening, the rate's history, the queue's count.
    async fn room_state(&self, room: &str) -> Result<Option<RoomState>, StoreError>;

    /// Appends `change` to the rate's history of `room`; false, and no change, while the room
    /// has not opened. The caller keeps the history in order (`domain::waiting_room::Admissions`
    /// refuses a change before the last one).
    async fn change_rate(&self, room: &str, change: RateChange) -> Result<bool, StoreError>;

    /// Records that ticket `id` is used for `codice_fiscale` and answers which ticket holds that
    /// person's place: the first ticket used with it (a second browser of the same person gets
    /// no second place). `None` for a ticket the room does not have.
    async fn bind_ticket(&self, room: &str, id: &str, codice_fiscale: &str) -> Result<Option<String>, StoreError>;
}
