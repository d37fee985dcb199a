//! The embedded default store: one SQLite file under the data directory, in WAL mode.
//!
//! rusqlite is synchronous; every call runs on tokio's blocking pool so that a slow disk never
//! stalls the async workers. One connection behind a mutex is enough for SQLite's single writer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::pin_request::PinRequestState;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{
    ApplicationInsert, ApplicationRecord, AttemptClaim, AuditEntry, CallRecord, Channel, DeliveryOutcome,
    DeliveryState, DraftRecord, OperatorRecord, OperatorSessionRecord, OutboxEntry, OutboxMessage, PinRequestInsert,
    PinRequestRecord, Reported, Reservation, SessionRecord, Store, StoreError, ThrottleKey, ThrottleState,
};

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
/// Timestamps are stored as milliseconds since the epoch, so that comparisons are numeric.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
     INSERT INTO meta (key, value) VALUES ('created_by', 'sportello');",
    "CREATE TABLE pin_requests (
         codice_fiscale TEXT PRIMARY KEY,
         record TEXT NOT NULL,
         state TEXT NOT NULL,
         created_at INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE login_throttle (
         codice_fiscale TEXT PRIMARY KEY,
         failures INTEGER NOT NULL,
         window_start INTEGER NOT NULL,
         locked_until INTEGER
     ) STRICT;
     CREATE TABLE sessions (
         token_hash TEXT PRIMARY KEY,
         record TEXT NOT NULL,
         expires_at INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE outbox (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         codice_fiscale TEXT NOT NULL,
         entry TEXT NOT NULL
     ) STRICT;
     CREATE INDEX outbox_by_citizen ON outbox (codice_fiscale, id);",
    // One application per citizen is the primary key; a protocol number belongs to one application.
    "CREATE TABLE drafts (
         codice_fiscale TEXT PRIMARY KEY,
         record TEXT NOT NULL
     ) STRICT;
     CREATE TABLE applications (
         codice_fiscale TEXT PRIMARY KEY,
         protocol TEXT NOT NULL UNIQUE,
         record TEXT NOT NULL,
         history_len INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE protocol_counters (
         year INTEGER PRIMARY KEY,
         last INTEGER NOT NULL
     ) STRICT;",
    // The Contact Center (docs/adr/0009). The audit log is append-only down to the schema: the
    // triggers refuse any UPDATE or DELETE, whatever code runs.
    "CREATE TABLE operators (
         username TEXT PRIMARY KEY,
         record TEXT NOT NULL,
         last_totp_step INTEGER
     ) STRICT;
     CREATE TABLE operator_login_throttle (
         codice_fiscale TEXT PRIMARY KEY,
         failures INTEGER NOT NULL,
         window_start INTEGER NOT NULL,
         locked_until INTEGER
     ) STRICT;
     CREATE TABLE operator_sessions (
         token_hash TEXT PRIMARY KEY,
         record TEXT NOT NULL
     ) STRICT;
     CREATE TABLE calls (
         id TEXT PRIMARY KEY,
         record TEXT NOT NULL
     ) STRICT;
     CREATE TABLE audit (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         operator TEXT NOT NULL,
         codice_fiscale TEXT,
         entry TEXT NOT NULL
     ) STRICT;
     CREATE INDEX audit_by_citizen ON audit (codice_fiscale, id);
     CREATE INDEX audit_by_operator ON audit (operator, id);
     CREATE TRIGGER audit_is_never_updated BEFORE UPDATE ON audit
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
     CREATE TRIGGER audit_is_never_deleted BEFORE DELETE ON audit
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    // Wrong attempts are counted per key (docs/adr/0012), one table for citizens and operators;
    // the per-codice-fiscale and per-username lockouts it replaces go with their records.
    "DROP TABLE login_throttle;
     DROP TABLE operator_login_throttle;
     CREATE TABLE throttles (
         key TEXT PRIMARY KEY,
         attempts INTEGER NOT NULL,
         blocked_until INTEGER,
         window_ends INTEGER NOT NULL
     ) STRICT;",
    // The durable outbox (docs/adr/0015). `due_at` is when a worker may next claim the message
    // (its next attempt, or the end of its lease), NULL once it is sent or dead; the content is
    // sealed, and NULL once handed over. The old outbox is the dev sink now: what dev mode's
    // stand-in carrier delivered.
    "CREATE TABLE messages (
         id TEXT PRIMARY KEY,
         codice_fiscale TEXT NOT NULL,
         channel TEXT NOT NULL,
         due_at INTEGER,
         created_at INTEGER NOT NULL,
         record TEXT NOT NULL,
         sealed BLOB
     ) STRICT;
     CREATE INDEX messages_due ON messages (channel, due_at) WHERE due_at IS NOT NULL;
     CREATE INDEX messages_by_citizen ON messages (codice_fiscale, created_at);
     ALTER TABLE outbox RENAME TO dev_sink;",
    // What a citizen reported as not theirs (docs/adr/0017): revoked PIN requests, and
    // applications set aside from the one-per-citizen table (their protocol stays theirs).
    "CREATE TABLE revoked_pin_requests (
         codice_fiscale TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         record TEXT NOT NULL,
         PRIMARY KEY (codice_fiscale, created_at)
     ) STRICT;
     CREATE TABLE set_aside_applications (
         protocol TEXT PRIMARY KEY,
         codice_fiscale TEXT NOT NULL,
         record TEXT NOT NULL,
         history_len INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX set_aside_by_citizen ON set_aside_applications (codice_fiscale);",
];

/// A SQLite-backed [`Store`].
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) `sportello.sqlite3` in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Other(format!("cannot create data directory {}: {e}", data_dir.display())))?;
        let path = data_dir.join("sportello.sqlite3");
        let mut conn = Connection::open(&path).map_err(other)?;
        conn.execute_batch(
            // secure_delete: a removed message's sealed content (and any row) is overwritten on
            // disk, not left in a free page.
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
             PRAGMA secure_delete = ON;",
        )
        .map_err(other)?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    /// Empties the dev sink: outside dev mode nothing is delivered there, and what an earlier
    /// version (or a dev run on the same data) left in it would be messages in clear.
    /// Runs once at start, before the store is shared: it takes the connection directly.
    pub fn purge_dev_sink(&self) -> Result<(), StoreError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Other("connection mutex poisoned".into()))?;
        conn.execute("DELETE FROM dev_sink", []).map(|_| ()).map_err(other)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Other("connection mutex poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Other(format!("store task failed: {e}")))?
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let done: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(other)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction().map_err(other)?;
        tx.execute_batch(sql).map_err(other)?;
        tx.pragma_update(None, "user_version", i + 1).map_err(other)?;
        tx.commit().map_err(other)?;
    }
    Ok(())
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(format!("cannot encode record: {e}")))
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Other(format!("cannot decode record: {e}")))
}

fn other(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn health(&self) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.query_row("SELECT value FROM meta WHERE key = 'created_by'", [], |r| {
                r.get::<_, String>(0)
            })
            .map(|_| ())
            .map_err(other)
        })
        .await
    }
    async fn insert_pin_request(
        &self,
        record: &PinRequestRecord,
        expired_before: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<PinRequestInsert, StoreError> {
        let cf = record.codice_fiscale().to_owned();
        let json = to_json(record)?;
        let (state, created) = (record.state.as_str(), ms(record.created_at));
        let messages = MessageRows::of(messages)?;
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            // One statement decides: insert, or replace only an expired pending request.
            let changed = tx
                .execute(
                    "INSERT INTO pin_requests (codice_fiscale, record, state, created_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (codice_fiscale) DO UPDATE SET record = excluded.record,
                         state = excluded.state, created_at = excluded.created_at
                     WHERE pin_requests.state = ?5 AND pin_requests.created_at < ?6",
                    params![
                        cf,
                        json,
                        state,
                        created,
                        PinRequestState::PendingDelivery.as_str(),
                        ms(expired_before)
                    ],
                )
                .map_err(other)?;
            if changed == 1 {
                messages.insert(&tx)?;
                tx.commit().map_err(other)?;
                return Ok(PinRequestInsert::Inserted);
            }
            let existing: String = tx
                .query_row(
                    "SELECT record FROM pin_requests WHERE codice_fiscale = ?1",
                    [&cf],
                    |r| r.get(0),
                )
                .map_err(other)?;
            Ok(PinRequestInsert::Exists(Box::new(from_json(&existing)?)))
        })
        .await
    }

    async fn pin_request(&self, codice_fiscale: &str) -> Result<Option<PinRequestRecord>, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.with_conn(move |conn| {
            let json: Option<String> = conn
                .query_row(
                    "SELECT record FROM pin_requests WHERE codice_fiscale = ?1",
                    [&cf],
                    |r| r.get(0),
                )
                .optional()
                .map_err(other)?;
            json.map(|j| from_json(&j)).transpose()
        })
        .await
    }

    async fn transition_pin_request(
        &self,
        codice_fiscale: &str,
        from: PinRequestState,
        to: PinRequestState,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.with_conn(move |conn| {
            let tx = conn.transaction().map_err(other)?;
            let json: Option<String> = tx
                .query_row(
                    "SELECT record FROM pin_requests WHERE codice_fiscale = ?1 AND state = ?2",
                    params![cf, from.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(other)?;
            let Some(json) = json else { return Ok(false) };
            let mut record: PinRequestRecord = from_json(&json)?;
            record.state = to;
            record.updated_at = now;
            tx.execute(
                "UPDATE pin_requests SET record = ?1, state = ?2 WHERE codice_fiscale = ?3",
                params![to_json(&record)?, to.as_str(), cf],
            )
            .map_err(other)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn reserve_attempt(&self, claims: &[AttemptClaim], now: DateTime<Utc>) -> Result<Reservation, StoreError> {
        let claims = claims.to_vec();
        self.with_conn(move |conn| {
            // IMMEDIATE: the write lock is taken before the counters are read, so that parallel
            // reservations see each other's counts.
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            let mut next = Vec::with_capacity(claims.len());
            let mut longest_wait = None;
            for claim in &claims {
                let current = read_throttle(&tx, &claim.key)?;
                match ThrottleState::after_attempt(current, now, claim.policy) {
                    Ok(state) => next.push((claim.key.as_str().to_owned(), state)),
                    Err(wait) => longest_wait = longest_wait.max(Some(wait)),
                }
            }
            if let Some(wait) = longest_wait {
                return Ok(Reservation::Delayed(wait));
            }
            for (key, state) in next {
                write_throttle(&tx, &key, &state)?;
            }
            tx.commit().map_err(other)?;
            Ok(Reservation::Granted)
        })
        .await
    }

    async fn release_attempt(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        let key = key.as_str().to_owned();
        self.with_conn(move |conn| {
            conn.execute(
                "UPDATE throttles SET attempts = attempts - 1 WHERE key = ?1 AND attempts > 0",
                [&key],
            )
            .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn forget_attempts(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        let key = key.as_str().to_owned();
        self.with_conn(move |conn| {
            conn.execute("DELETE FROM throttles WHERE key = ?1", [&key])
                .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn count_attempt(
        &self,
        key: &ThrottleKey,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let key = key.as_str().to_owned();
        self.with_conn(move |conn| {
            // One statement: a window that is over starts again at one.
            conn.query_row(
                "INSERT INTO throttles (key, attempts, blocked_until, window_ends) VALUES (?1, 1, NULL, ?3)
                 ON CONFLICT (key) DO UPDATE SET
                     attempts = CASE WHEN window_ends > ?2 THEN attempts + 1 ELSE 1 END,
                     window_ends = CASE WHEN window_ends > ?2 THEN window_ends ELSE ?3 END
                 RETURNING attempts",
                params![key, ms(now), ms(now + window)],
                |r| r.get(0),
            )
            .map_err(other)
        })
        .await
    }

    async fn throttle(&self, key: &ThrottleKey) -> Result<Option<ThrottleState>, StoreError> {
        let key = key.clone();
        self.with_conn(move |conn| read_throttle(conn, &key)).await
    }

    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let (hash, json, expires) = (session.token_hash.clone(), to_json(session)?, ms(session.expires_at));
        self.with_conn(move |conn| {
            conn.execute(
                "INSERT INTO sessions (token_hash, record, expires_at) VALUES (?1, ?2, ?3)",
                params![hash, json, expires],
            )
            .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let hash = token_hash.to_owned();
        self.with_conn(move |conn| {
            let json: Option<String> = conn
                .query_row("SELECT record FROM sessions WHERE token_hash = ?1", [&hash], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(other)?;
            json.map(|j| from_json(&j)).transpose()
        })
        .await
    }

    async fn extend_session(&self, token_hash: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        self.with_conn(move |conn| {
            let tx = conn.transaction().map_err(other)?;
            let json: Option<String> = tx
                .query_row("SELECT record FROM sessions WHERE token_hash = ?1", [&hash], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(other)?;
            if let Some(json) = json {
                let mut session: SessionRecord = from_json(&json)?;
                session.expires_at = expires_at;
                tx.execute(
                    "UPDATE sessions SET record = ?1, expires_at = ?2 WHERE token_hash = ?3",
                    params![to_json(&session)?, ms(expires_at), hash],
                )
                .map_err(other)?;
            }
            tx.commit().map_err(other)
        })
        .await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        self.with_conn(move |conn| {
            conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [&hash])
                .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn push_outbox(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let (cf, json) = (entry.notification.codice_fiscale.clone(), to_json(entry)?);
        self.with_conn(move |conn| {
            conn.execute(
                "INSERT INTO dev_sink (codice_fiscale, entry) VALUES (?1, ?2)",
                params![cf, json],
            )
            .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn outbox(&self, codice_fiscale: Option<&str>, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let cf = codice_fiscale.map(str::to_owned);
        self.with_conn(move |conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT entry FROM dev_sink WHERE (?1 IS NULL OR codice_fiscale = ?1) ORDER BY id DESC LIMIT ?2",
                )
                .map_err(other)?;
            let rows = stmt
                .query_map(params![cf, limit as i64], |r| r.get::<_, String>(0))
                .map_err(other)?;
            rows.map(|row| from_json(&row.map_err(other)?)).collect()
        })
        .await
    }

    async fn due_messages(
        &self,
        channels: &[Channel],
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let channels: Vec<&'static str> = channels.iter().map(|c| c.as_str()).collect();
        self.with_conn(move |conn| {
            let mut due = Vec::new();
            // One indexed range per channel; merged oldest first below.
            let mut stmt = conn
                .prepare(
                    "SELECT record, sealed FROM messages WHERE channel = ?1 AND due_at IS NOT NULL AND due_at <= ?2
                     ORDER BY due_at LIMIT ?3",
                )
                .map_err(other)?;
            for channel in channels {
                let rows = stmt
                    .query_map(params![channel, ms(now), limit as i64], read_message_row)
                    .map_err(other)?;
                for row in rows {
                    due.push(message_from_row(row.map_err(other)?)?);
                }
            }
            due.sort_by_key(|m: &OutboxMessage| due_at(m));
            due.truncate(limit);
            Ok(due)
        })
        .await
    }

    async fn claim_message(
        &self,
        id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<OutboxMessage>, StoreError> {
        let id = id.to_owned();
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            let row = tx
                .query_row(
                    "SELECT record, sealed FROM messages WHERE id = ?1",
                    [&id],
                    read_message_row,
                )
                .optional()
                .map_err(other)?;
            let Some(row) = row else { return Ok(None) };
            let mut message = message_from_row(row)?;
            if !message.is_due(now) {
                return Ok(None);
            }
            message.state = DeliveryState::Sending;
            message.attempts += 1;
            message.lease_until = Some(lease_until);
            write_message(&tx, &message)?;
            tx.commit().map_err(other)?;
            Ok(Some(message))
        })
        .await
    }

    async fn finish_message(&self, id: &str, outcome: &DeliveryOutcome) -> Result<(), StoreError> {
        let (id, outcome) = (id.to_owned(), outcome.clone());
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            let row = tx
                .query_row(
                    "SELECT record, sealed FROM messages WHERE id = ?1",
                    [&id],
                    read_message_row,
                )
                .optional()
                .map_err(other)?;
            let Some(row) = row else { return Ok(()) };
            let mut message = message_from_row(row)?;
            if message.state == DeliveryState::Sent {
                return Ok(());
            }
            outcome.apply(&mut message);
            write_message(&tx, &message)?;
            tx.commit().map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn message(&self, id: &str) -> Result<Option<OutboxMessage>, StoreError> {
        let id = id.to_owned();
        self.with_conn(move |conn| {
            conn.query_row(
                "SELECT record, sealed FROM messages WHERE id = ?1",
                [&id],
                read_message_row,
            )
            .optional()
            .map_err(other)?
            .map(message_from_row)
            .transpose()
        })
        .await
    }

    async fn messages_for(&self, codice_fiscale: &str, limit: usize) -> Result<Vec<OutboxMessage>, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.with_conn(move |conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT record, sealed FROM messages WHERE codice_fiscale = ?1
                     ORDER BY created_at DESC, rowid DESC LIMIT ?2",
                )
                .map_err(other)?;
            let rows = stmt
                .query_map(params![cf, limit as i64], read_message_row)
                .map_err(other)?;
            rows.map(|row| message_from_row(row.map_err(other)?)).collect()
        })
        .await
    }

    async fn put_draft(&self, draft: &DraftRecord) -> Result<(), StoreError> {
        let (cf, json) = (draft.codice_fiscale.clone(), to_json(draft)?);
        self.with_conn(move |conn| {
            conn.execute(
                "INSERT INTO drafts (codice_fiscale, record) VALUES (?1, ?2)
                 ON CONFLICT (codice_fiscale) DO UPDATE SET record = excluded.record",
                params![cf, json],
            )
            .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn draft(&self, codice_fiscale: &str) -> Result<Option<DraftRecord>, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.with_conn(move |conn| read_json(conn, "SELECT record FROM drafts WHERE codice_fiscale = ?1", &cf))
            .await
    }

    async fn next_protocol_sequence(&self, year: i32) -> Result<u32, StoreError> {
        self.with_conn(move |conn| {
            let last: i64 = conn
                .query_row(
                    "INSERT INTO protocol_counters (year, last) VALUES (?1, 1)
                     ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                    [year],
                    |r| r.get(0),
                )
                .map_err(other)?;
            u32::try_from(last).map_err(|_| StoreError::Other(format!("protocol counter of {year} overflowed")))
        })
        .await
    }

    async fn insert_application(
        &self,
        record: &ApplicationRecord,
        messages: &[OutboxMessage],
    ) -> Result<ApplicationInsert, StoreError> {
        let messages = MessageRows::of(messages)?;
        let cf = record.codice_fiscale().to_owned();
        let protocol = record.application.protocol.to_string();
        let history_len = record.application.history().len() as i64;
        let json = to_json(record)?;
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            // The primary key decides: a second application for the codice fiscale changes nothing.
            let inserted = tx
                .execute(
                    "INSERT INTO applications (codice_fiscale, protocol, record, history_len) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (codice_fiscale) DO NOTHING",
                    params![cf, protocol, json, history_len],
                )
                .map_err(other)?;
            if inserted == 0 {
                let existing: ApplicationRecord =
                    read_json(&tx, "SELECT record FROM applications WHERE codice_fiscale = ?1", &cf)?
                        .ok_or_else(|| StoreError::Other("insert refused, yet no application is stored".into()))?;
                return Ok(ApplicationInsert::Exists(Box::new(existing)));
            }
            tx.execute("DELETE FROM drafts WHERE codice_fiscale = ?1", [&cf])
                .map_err(other)?;
            messages.insert(&tx)?;
            tx.commit().map_err(other)?;
            Ok(ApplicationInsert::Inserted)
        })
        .await
    }

    async fn application(&self, codice_fiscale: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.with_conn(move |conn| read_json(conn, "SELECT record FROM applications WHERE codice_fiscale = ?1", &cf))
            .await
    }

    async fn application_by_protocol(&self, protocol: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let protocol = protocol.to_owned();
        self.with_conn(move |conn| read_json(conn, "SELECT record FROM applications WHERE protocol = ?1", &protocol))
            .await
    }

    async fn update_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
        messages: &[OutboxMessage],
    ) -> Result<bool, StoreError> {
        let cf = record.codice_fiscale().to_owned();
        let history_len = record.application.history().len() as i64;
        let json = to_json(record)?;
        let messages = MessageRows::of(messages)?;
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            let changed = tx
                .execute(
                    "UPDATE applications SET record = ?1, history_len = ?2
                     WHERE codice_fiscale = ?3 AND history_len = ?4",
                    params![json, history_len, cf, expected_history_len as i64],
                )
                .map_err(other)?;
            if changed != 1 {
                return Ok(false);
            }
            messages.insert(&tx)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn validate_pin_request(
        &self,
        codice_fiscale: &str,
        first_half_hash: &[u8],
        created_after: DateTime<Utc>,
        created_by: DateTime<Utc>,
        now: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<bool, StoreError> {
        let (cf, hash) = (codice_fiscale.to_owned(), first_half_hash.to_vec());
        let messages = MessageRows::of(messages)?;
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            let json: Option<String> = tx
                .query_row(
                    "SELECT record FROM pin_requests
                     WHERE codice_fiscale = ?1 AND state = ?2 AND created_at > ?3 AND created_at <= ?4",
                    params![
                        cf,
                        PinRequestState::PendingDelivery.as_str(),
                        ms(created_after),
                        ms(created_by)
                    ],
                    |r| r.get(0),
                )
                .optional()
                .map_err(other)?;
            let Some(json) = json else { return Ok(false) };
            let mut record: PinRequestRecord = from_json(&json)?;
            record.first_half_hash = hash;
            record.state = PinRequestState::ValidatedByContactCenter;
            record.updated_at = now;
            tx.execute(
                "UPDATE pin_requests SET record = ?1, state = ?2 WHERE codice_fiscale = ?3",
                params![to_json(&record)?, record.state.as_str(), cf],
            )
            .map_err(other)?;
            messages.insert(&tx)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn insert_operator(&self, operator: &OperatorRecord) -> Result<bool, StoreError> {
        let (username, json) = (operator.username.clone(), to_json(operator)?);
        self.with_conn(move |conn| {
            let inserted = conn
                .execute(
                    "INSERT INTO operators (username, record) VALUES (?1, ?2) ON CONFLICT (username) DO NOTHING",
                    params![username, json],
                )
                .map_err(other)?;
            Ok(inserted == 1)
        })
        .await
    }

    async fn operator(&self, username: &str) -> Result<Option<OperatorRecord>, StoreError> {
        let username = username.to_owned();
        self.with_conn(move |conn| read_json(conn, "SELECT record FROM operators WHERE username = ?1", &username))
            .await
    }

    async fn replace_operator(&self, operator: &OperatorRecord) -> Result<bool, StoreError> {
        let (username, json) = (operator.username.clone(), to_json(operator)?);
        self.with_conn(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE operators SET record = ?2 WHERE username = ?1",
                    params![username, json],
                )
                .map_err(other)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn claim_totp_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
        let username = username.to_owned();
        self.with_conn(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE operators SET last_totp_step = ?1
                     WHERE username = ?2 AND (last_totp_step IS NULL OR last_totp_step < ?1)",
                    params![step, username],
                )
                .map_err(other)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn put_operator_session(&self, session: &OperatorSessionRecord) -> Result<(), StoreError> {
        let (hash, json) = (session.token_hash.clone(), to_json(session)?);
        self.with_conn(move |conn| {
            conn.execute(
                "INSERT INTO operator_sessions (token_hash, record) VALUES (?1, ?2)",
                params![hash, json],
            )
            .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn operator_session(&self, token_hash: &str) -> Result<Option<OperatorSessionRecord>, StoreError> {
        let hash = token_hash.to_owned();
        self.with_conn(move |conn| {
            read_json(
                conn,
                "SELECT record FROM operator_sessions WHERE token_hash = ?1",
                &hash,
            )
        })
        .await
    }

    async fn extend_operator_session(&self, token_hash: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        self.with_conn(move |conn| {
            let tx = conn.transaction().map_err(other)?;
            let session: Option<OperatorSessionRecord> =
                read_json(&tx, "SELECT record FROM operator_sessions WHERE token_hash = ?1", &hash)?;
            if let Some(mut session) = session {
                session.expires_at = expires_at;
                tx.execute(
                    "UPDATE operator_sessions SET record = ?1 WHERE token_hash = ?2",
                    params![to_json(&session)?, hash],
                )
                .map_err(other)?;
            }
            tx.commit().map_err(other)
        })
        .await
    }

    async fn delete_operator_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        self.with_conn(move |conn| {
            conn.execute("DELETE FROM operator_sessions WHERE token_hash = ?1", [&hash])
                .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn put_call(&self, call: &CallRecord) -> Result<(), StoreError> {
        let (id, json) = (call.id.clone(), to_json(call)?);
        self.with_conn(move |conn| {
            conn.execute("INSERT INTO calls (id, record) VALUES (?1, ?2)", params![id, json])
                .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn call(&self, id: &str) -> Result<Option<CallRecord>, StoreError> {
        let id = id.to_owned();
        self.with_conn(move |conn| read_json(conn, "SELECT record FROM calls WHERE id = ?1", &id))
            .await
    }

    async fn mark_call_pin_checked(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.with_conn(move |conn| {
            let tx = conn.transaction().map_err(other)?;
            let call: Option<CallRecord> = read_json(&tx, "SELECT record FROM calls WHERE id = ?1", &id)?;
            let Some(mut call) = call else { return Ok(false) };
            call.pin_checked_at = Some(at);
            tx.execute(
                "UPDATE calls SET record = ?1 WHERE id = ?2",
                params![to_json(&call)?, id],
            )
            .map_err(other)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let (operator, cf, json) = (entry.operator.clone(), entry.codice_fiscale.clone(), to_json(entry)?);
        self.with_conn(move |conn| {
            conn.execute(
                "INSERT INTO audit (operator, codice_fiscale, entry) VALUES (?1, ?2, ?3)",
                params![operator, cf, json],
            )
            .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn audit_for(&self, codice_fiscale: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.with_conn(move |conn| {
            read_audit(
                conn,
                "SELECT entry FROM audit WHERE codice_fiscale = ?1 ORDER BY id DESC LIMIT ?2",
                &cf,
                limit,
            )
        })
        .await
    }

    async fn audit_by_operator(&self, username: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let username = username.to_owned();
        self.with_conn(move |conn| {
            read_audit(
                conn,
                "SELECT entry FROM audit WHERE operator = ?1 ORDER BY id DESC LIMIT ?2",
                &username,
                limit,
            )
        })
        .await
    }

    async fn put_draft_unless_stronger(&self, draft: &DraftRecord) -> Result<bool, StoreError> {
        let (cf, json, mine) = (draft.codice_fiscale.clone(), to_json(draft)?, draft.credential);
        self.with_conn(move |conn| {
            // SQLite has one writer: an immediate transaction makes the read and the write one step.
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            let stored: Option<DraftRecord> =
                read_json(&tx, "SELECT record FROM drafts WHERE codice_fiscale = ?1", &cf)?;
            if stored.is_some_and(|d| !mine.opens(d.credential)) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO drafts (codice_fiscale, record) VALUES (?1, ?2)
                 ON CONFLICT (codice_fiscale) DO UPDATE SET record = excluded.record",
                params![cf, json],
            )
            .map_err(other)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn revoke_pin_request(
        &self,
        codice_fiscale: &str,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let cf = codice_fiscale.to_owned();
        let created = created_at.timestamp_millis();
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            let json: Option<String> = tx
                .query_row(
                    "SELECT record FROM pin_requests WHERE codice_fiscale = ?1 AND created_at = ?2",
                    params![cf, created],
                    |r| r.get(0),
                )
                .optional()
                .map_err(other)?;
            let Some(json) = json else { return Ok(false) };
            let mut record: PinRequestRecord = from_json(&json)?;
            record.state = PinRequestState::Revoked;
            record.updated_at = now;
            tx.execute(
                "INSERT OR REPLACE INTO revoked_pin_requests (codice_fiscale, created_at, record) VALUES (?1, ?2, ?3)",
                params![cf, created, to_json(&record)?],
            )
            .map_err(other)?;
            tx.execute("DELETE FROM pin_requests WHERE codice_fiscale = ?1", [&cf])
                .map_err(other)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn set_aside_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
    ) -> Result<bool, StoreError> {
        let cf = record.codice_fiscale().to_owned();
        let protocol = record.application.protocol.to_string();
        let history_len = record.application.history().len() as i64;
        let json = to_json(record)?;
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(other)?;
            let removed = tx
                .execute(
                    "DELETE FROM applications WHERE codice_fiscale = ?1 AND protocol = ?2 AND history_len = ?3",
                    params![cf, protocol, expected_history_len as i64],
                )
                .map_err(other)?;
            if removed == 0 {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO set_aside_applications (protocol, codice_fiscale, record, history_len)
                 VALUES (?1, ?2, ?3, ?4)",
                params![protocol, cf, json, history_len],
            )
            .map_err(other)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn reported(&self, codice_fiscale: &str) -> Result<Reported, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.with_conn(move |conn| {
            let rows = |sql: &str| -> Result<Vec<String>, StoreError> {
                let mut stmt = conn.prepare(sql).map_err(other)?;
                let rows = stmt.query_map([&cf], |r| r.get::<_, String>(0)).map_err(other)?;
                rows.map(|row| row.map_err(other)).collect()
            };
            let pin_requests =
                rows("SELECT record FROM revoked_pin_requests WHERE codice_fiscale = ?1 ORDER BY created_at DESC")?
                    .iter()
                    .map(|j| from_json(j))
                    .collect::<Result<_, _>>()?;
            let mut applications: Vec<ApplicationRecord> =
                rows("SELECT record FROM set_aside_applications WHERE codice_fiscale = ?1")?
                    .iter()
                    .map(|j| from_json(j))
                    .collect::<Result<_, _>>()?;
            applications.sort_by_key(|a| std::cmp::Reverse(a.application.submitted_at()));
            Ok(Reported {
                pin_requests,
                applications,
            })
        })
        .await
    }

    async fn set_aside_application_by_protocol(&self, protocol: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let protocol = protocol.to_owned();
        self.with_conn(move |conn| {
            read_json(
                conn,
                "SELECT record FROM set_aside_applications WHERE protocol = ?1",
                &protocol,
            )
        })
        .await
    }

    async fn update_set_aside_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
    ) -> Result<bool, StoreError> {
        let protocol = record.application.protocol.to_string();
        let history_len = record.application.history().len() as i64;
        let json = to_json(record)?;
        self.with_conn(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE set_aside_applications SET record = ?1, history_len = ?2
                     WHERE protocol = ?3 AND history_len = ?4",
                    params![json, history_len, protocol, expected_history_len as i64],
                )
                .map_err(other)?;
            Ok(changed == 1)
        })
        .await
    }
}

/// The audit entries `sql` selects for `key`, at most `limit`.
/// Messages to write with an event, encoded before the store's lock is taken.
struct MessageRows(Vec<(OutboxMessage, String)>);

impl MessageRows {
    fn of(messages: &[OutboxMessage]) -> Result<MessageRows, StoreError> {
        messages
            .iter()
            .map(|m| Ok((m.clone(), record_json(m)?)))
            .collect::<Result<_, StoreError>>()
            .map(MessageRows)
    }

    /// Inserts every message in `tx`; an id already there fails the whole write.
    fn insert(&self, tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO messages (id, codice_fiscale, channel, due_at, created_at, record, sealed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(other)?;
        for (m, json) in &self.0 {
            stmt.execute(params![
                m.id,
                m.codice_fiscale,
                m.channel.as_str(),
                due_at(m).map(ms),
                ms(m.created_at),
                json,
                m.sealed
            ])
            .map_err(other)?;
        }
        Ok(())
    }
}

/// A message's record without its sealed content, which has a column of its own.
fn record_json(message: &OutboxMessage) -> Result<String, StoreError> {
    let mut bare = message.clone();
    bare.sealed = None;
    to_json(&bare)
}

/// When a worker may next claim the message; `None` when never again.
fn due_at(message: &OutboxMessage) -> Option<DateTime<Utc>> {
    match message.state {
        DeliveryState::Queued | DeliveryState::Retrying => Some(message.next_attempt_at),
        DeliveryState::Sending => Some(message.lease_until.unwrap_or(message.next_attempt_at)),
        DeliveryState::Sent | DeliveryState::Dead => None,
    }
}

fn read_message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, Option<Vec<u8>>)> {
    Ok((r.get(0)?, r.get(1)?))
}

fn message_from_row((json, sealed): (String, Option<Vec<u8>>)) -> Result<OutboxMessage, StoreError> {
    let mut message: OutboxMessage = from_json(&json)?;
    message.sealed = sealed;
    Ok(message)
}

fn write_message(tx: &rusqlite::Transaction<'_>, message: &OutboxMessage) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE messages SET due_at = ?1, record = ?2, sealed = ?3 WHERE id = ?4",
        params![
            due_at(message).map(ms),
            record_json(message)?,
            message.sealed,
            message.id
        ],
    )
    .map_err(other)?;
    Ok(())
}

fn read_audit(conn: &Connection, sql: &str, key: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare(sql).map_err(other)?;
    let rows = stmt
        .query_map(params![key, limit as i64], |r| r.get::<_, String>(0))
        .map_err(other)?;
    rows.map(|row| from_json(&row.map_err(other)?)).collect()
}

/// The JSON record `sql` selects for `key`, decoded.
fn read_json<T: DeserializeOwned>(conn: &Connection, sql: &str, key: &str) -> Result<Option<T>, StoreError> {
    let json: Option<String> = conn.query_row(sql, [key], |r| r.get(0)).optional().map_err(other)?;
    json.map(|j| from_json(&j)).transpose()
}

fn read_throttle(conn: &Connection, key: &ThrottleKey) -> Result<Option<ThrottleState>, StoreError> {
    conn.query_row(
        "SELECT attempts, blocked_until, window_ends FROM throttles WHERE key = ?1",
        [key.as_str()],
        |r| {
            Ok(ThrottleState {
                attempts: r.get(0)?,
                blocked_until: r.get::<_, Option<i64>>(1)?.map(from_ms),
                window_ends: from_ms(r.get(2)?),
            })
        },
    )
    .optional()
    .map_err(other)
}

fn write_throttle(conn: &Connection, key: &str, state: &ThrottleState) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO throttles (key, attempts, blocked_until, window_ends) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET attempts = excluded.attempts,
             blocked_until = excluded.blocked_until, window_ends = excluded.window_ends",
        params![key, state.attempts, state.blocked_until.map(ms), ms(state.window_ends)],
    )
    .map_err(other)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reopening_an_existing_file_keeps_its_data_and_runs_no_migration_twice() {
        let dir = tempfile::tempdir().unwrap();
        let first = SqliteStore::open(dir.path()).unwrap();
        first.health().await.unwrap();
        drop(first);
        let again = SqliteStore::open(dir.path()).unwrap();
        again.health().await.unwrap();
        let version: usize = again
            .conn
            .lock()
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
    }

    #[tokio::test]
    async fn the_schema_itself_refuses_to_change_or_remove_audit_entries() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let entry = AuditEntry {
            at: DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
            operator: "mrossi".into(),
            codice_fiscale: None,
            action: super::super::AuditAction::Login,
            outcome: super::super::AuditOutcome::Ok,
            detail: String::new(),
        };
        store.append_audit(&entry).await.unwrap();
        {
            let conn = store.conn.lock().unwrap();
            for sql in ["UPDATE audit SET operator = 'x'", "DELETE FROM audit"] {
                let err = conn.execute(sql, []).unwrap_err();
                assert!(err.to_string().contains("append-only"), "{sql}: {err}");
            }
        }
        assert_eq!(store.audit_by_operator("mrossi", 10).await.unwrap(), [entry]);
    }

    #[tokio::test]
    async fn unwritable_data_dir_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = SqliteStore::open(&file.join("sub")).err().expect("must fail");
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }
}
