//! The embedded default store: one SQLite file under the data directory, in WAL mode.
//!
//! rusqlite is synchronous; every call runs on tokio's blocking pool so that a slow disk never
//! stalls the async workers. One connection behind a mutex is enough for SQLite's single writer.
//!
//! This file holds the connection, the migrations and the encoding helpers; each capability trait
//! is implemented in its own file (`pin_requests.rs`, `sessions.rs`, …).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::pin_request::PinRequestState;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

// The records and the capability traits; each aggregate's impl is in its own file below.
use super::*;

mod applications;
mod audit_log;
mod calls;
mod cns_handoffs;
mod operators;
mod outbox;
mod pin_requests;
mod reports;
mod sessions;
mod throttles;

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
impl Health for SqliteStore {
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
}

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

/// The JSON record `sql` selects for `key`, decoded.
fn read_json<T: DeserializeOwned>(conn: &Connection, sql: &str, key: &str) -> Result<Option<T>, StoreError> {
    let json: Option<String> = conn.query_row(sql, [key], |r| r.get(0)).optional().map_err(other)?;
    json.map(|j| from_json(&j)).transpose()
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
            action: AuditAction::Login,
            outcome: AuditOutcome::Ok,
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
