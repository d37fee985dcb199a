//! The embedded default store: one SQLite file under the data directory, in WAL mode.
//!
//! rusqlite is synchronous, so no SQLite call runs on tokio's async workers. Reads go to a small
//! pool of reader connections on the blocking pool (WAL lets them read while a write is under
//! way). Writes go to one writer thread, which takes every write waiting for it, runs each in a
//! savepoint of its own inside one `BEGIN IMMEDIATE` transaction, commits once with
//! `synchronous = FULL`, and only then answers every caller: an answer that says something is
//! saved is on disk first, and one fsync serves the whole batch (group commit, docs/adr/0020).
//! A write that fails rolls back its own savepoint and is answered with its own error; the
//! others in its batch go on.
//!
//! This file holds the connections, the writer, the migrations and the encoding helpers; each
//! capability trait is implemented in its own file (`pin_requests.rs`, `sessions.rs`, …).

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, mpsc};

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
mod login_flows;
mod operators;
mod outbox;
mod pin_requests;
mod reports;
mod sessions;
mod throttles;
mod waiting_rooms;

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
    // The waiting room (issue 15, docs/adr/0022): a room's counters and opening, its tickets, and
    // the ticket holding each codice fiscale's place.
    "CREATE TABLE waiting_rooms (
         room TEXT PRIMARY KEY,
         pre_queue INTEGER NOT NULL DEFAULT 0,
         queue INTEGER NOT NULL DEFAULT 0,
         opened_at INTEGER,
         salt BLOB
     ) STRICT;
     CREATE TABLE waiting_room_tickets (
         room TEXT NOT NULL,
         id TEXT NOT NULL,
         record TEXT NOT NULL,
         PRIMARY KEY (room, id)
     ) STRICT;
     CREATE TABLE waiting_room_holders (
         room TEXT NOT NULL,
         codice_fiscale TEXT NOT NULL,
         ticket TEXT NOT NULL,
         PRIMARY KEY (room, codice_fiscale)
     ) STRICT;",
    // A waiting room's rate history from its opening (an operator's pause or change is a row).
    "CREATE TABLE waiting_room_rates (
         room TEXT NOT NULL,
         at INTEGER NOT NULL,
         per_second REAL NOT NULL
     ) STRICT;
     CREATE INDEX waiting_room_rates_by_room ON waiting_room_rates (room, at);",
    // Whether a rate was set by the room itself, following the measured capacity.
    "ALTER TABLE waiting_room_rates ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;",
    // SPID/CIE login flows already finished, so that none finishes twice (a provider may hand out
    // tokens again for a code already used); kept until the flow's own expiry. Each finish drops
    // the expired ones first, by the index.
    "CREATE TABLE finished_login_flows (
         flow_hash TEXT PRIMARY KEY,
         expires_at INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX finished_login_flows_by_expiry ON finished_login_flows (expires_at);",
];

/// How many reader connections the pool holds. Two cores serve the local run; a few more readers
/// than cores keep a read from waiting behind another one that is waiting for the disk.
const READERS: usize = 4;

/// At most this many writes share one transaction: enough to carry a click-day burst in one
/// fsync, few enough that the first caller of a batch does not wait for a long one.
const MAX_BATCH: usize = 512;

/// Statements kept prepared per connection (rusqlite's default is 16; the store has more).
const STATEMENT_CACHE: usize = 128;

/// A SQLite-backed [`Store`]: reader connections and one writer thread (see the module's docs).
#[derive(Clone)]
pub struct SqliteStore {
    readers: Arc<Readers>,
    writer: mpsc::Sender<Box<dyn Job>>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) `sportello.sqlite3` in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Other(format!("cannot create data directory {}: {e}", data_dir.display())))?;
        let path = data_dir.join("sportello.sqlite3");
        let mut writer = Connection::open(&path).map_err(other)?;
        writer
            .execute_batch(
                // synchronous = FULL: a commit is on disk before any caller hears of it.
                // secure_delete: a removed message's sealed content (and any row) is overwritten
                // on disk, not left in a free page.
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                 PRAGMA busy_timeout = 5000; PRAGMA secure_delete = ON;",
            )
            .map_err(other)?;
        writer.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| {
                let conn = Connection::open(&path).map_err(other)?;
                conn.execute_batch("PRAGMA query_only = ON; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                    .map_err(other)?;
                conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
                Ok(conn)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run_writer(writer, queue))
            .map_err(|e| StoreError::Other(format!("cannot start the SQLite writer: {e}")))?;
        Ok(SqliteStore {
            readers: Arc::new(Readers {
                idle: Mutex::new(readers),
                returned: Condvar::new(),
            }),
            writer: jobs,
            path,
        })
    }

    /// Empties the dev sink: outside dev mode nothing is delivered there, and what an earlier
    /// version (or a dev run on the same data) left in it would be messages in clear.
    /// Runs once at start, from synchronous code: it waits for the writer on this thread.
    pub fn purge_dev_sink(&self) -> Result<(), StoreError> {
        let (answer, answered) = mpsc::channel();
        self.enqueue(
            |conn| conn.execute("DELETE FROM dev_sink", []).map(|_| ()).map_err(other),
            move |result| {
                let _ = answer.send(result);
            },
        )?;
        answered.recv().map_err(|_| writer_gone())?
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with a reader connection on the blocking pool. `f` must only read (the
    /// connections are `query_only`).
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || readers.with(f))
            .await
            .map_err(|e| StoreError::Other(format!("store task failed: {e}")))?
    }

    /// Runs `f` on the writer, in a savepoint of its own inside the writer's current batch, and
    /// answers once the batch is committed (or with `f`'s own error, its savepoint rolled back).
    /// `f` may nest savepoints (`conn.savepoint()`), never a transaction: it is already in one.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.enqueue(f, move |result| {
            // A caller that stopped waiting (a dropped request) needs no answer; the write stands.
            let _ = answer.send(result);
        })?;
        answered.await.map_err(|_| writer_gone())?
    }

    /// Queues `f` for the writer; `reply` gets its result after the commit.
    fn enqueue<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
        reply: impl FnOnce(Result<T, StoreError>) + Send + 'static,
    ) -> Result<(), StoreError> {
        let job = PendingWrite {
            f: Some(f),
            result: None,
            reply,
        };
        self.writer.send(Box::new(job)).map_err(|_| writer_gone())
    }
}

fn writer_gone() -> StoreError {
    StoreError::Other("the SQLite writer has stopped".into())
}

/// The reader connections not in use, and a signal for a reader waiting for one.
struct Readers {
    idle: Mutex<Vec<Connection>>,
    returned: Condvar,
}

impl Readers {
    /// Runs `f` with an idle connection, waiting for one if all are busy.
    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let conn = {
            let mut idle = self.idle.lock().map_err(|_| poisoned())?;
            loop {
                if let Some(conn) = idle.pop() {
                    break conn;
                }
                idle = self.returned.wait(idle).map_err(|_| poisoned())?;
            }
        };
        // Handed back even if `f` panics: the pool never shrinks.
        struct Lease<'a> {
            readers: &'a Readers,
            conn: Option<Connection>,
        }
        impl Drop for Lease<'_> {
            fn drop(&mut self) {
                if let (Some(conn), Ok(mut idle)) = (self.conn.take(), self.readers.idle.lock()) {
                    idle.push(conn);
                    self.readers.returned.notify_one();
                }
            }
        }
        let lease = Lease {
            readers: self,
            conn: Some(conn),
        };
        f(lease.conn.as_ref().expect("a leased connection"))
    }
}

fn poisoned() -> StoreError {
    StoreError::Other("reader pool mutex poisoned".into())
}

/// A write waiting for the writer: run inside the batch, answered after its commit.
trait Job: Send {
    /// Runs the write on `conn` (inside its savepoint); whether it succeeded.
    fn run(&mut self, conn: &mut Connection) -> bool;
    /// Answers the caller: the write's own result if `commit` succeeded, else the commit's error.
    fn answer(self: Box<Self>, commit: Result<(), &StoreError>);
}

struct PendingWrite<F, T, R> {
    f: Option<F>,
    result: Option<Result<T, StoreError>>,
    reply: R,
}

impl<F, T, R> Job for PendingWrite<F, T, R>
where
    F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send,
    T: Send,
    R: FnOnce(Result<T, StoreError>) + Send,
{
    fn run(&mut self, conn: &mut Connection) -> bool {
        let Some(f) = self.f.take() else { return false };
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| f(conn)))
            .unwrap_or_else(|_| Err(StoreError::Other("a store write panicked".into())));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, commit: Result<(), &StoreError>) {
        let result = match (commit, self.result) {
            // The write's own error stands whatever became of the batch.
            (_, Some(Err(e))) => Err(e),
            (Ok(()), Some(Ok(value))) => Ok(value),
            (Err(e), _) => Err(copy_error(e)),
            (Ok(()), None) => Err(StoreError::Other("a store write was never run".into())),
        };
        (self.reply)(result)
    }
}

fn copy_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Other(m) => StoreError::Other(m.clone()),
    }
}

/// The writer thread: a batch of every write waiting, then the next; ends when the last handle
/// to the store is dropped.
fn run_writer(mut conn: Connection, queue: mpsc::Receiver<Box<dyn Job>>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&mut conn, batch);
    }
}

/// Runs `batch` in one transaction, each job in its own savepoint, commits, then answers all.
fn commit_batch(conn: &mut Connection, batch: Vec<Box<dyn Job>>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let e = other(e);
        for job in batch {
            job.answer(Err(&e));
        }
        return;
    }
    let mut done: Vec<Box<dyn Job>> = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    while let Some(mut job) = jobs.next() {
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            job.answer(Err(&other(e)));
            continue;
        }
        let kept = job.run(conn);
        if conn.is_autocommit() {
            // Some errors (a full disk, an I/O error) make SQLite roll back the whole
            // transaction: what the batch wrote so far is gone, and its callers hear so. The
            // rest start a batch of their own.
            let e = StoreError::Unavailable("the write's transaction was rolled back".into());
            for earlier in done {
                earlier.answer(Err(&e));
            }
            job.answer(Err(&e));
            commit_batch(conn, jobs.collect());
            return;
        }
        let end = if kept {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        match conn.execute_batch(end) {
            Ok(()) => done.push(job),
            Err(e) => job.answer(Err(&other(e))),
        }
    }
    let commit = conn.execute_batch("COMMIT").map_err(other);
    if commit.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for job in done {
        job.answer(commit.as_ref().map(|_| ()));
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
        self.read(|conn| {
            conn.prepare_cached("SELECT value FROM meta WHERE key = 'created_by'")
                .and_then(|mut stmt| stmt.query_row([], |r| r.get::<_, String>(0)))
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

    /// Inserts every message on `tx`; an id already there fails the whole write.
    fn insert(&self, tx: &Connection) -> Result<(), StoreError> {
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

fn write_message(tx: &Connection, message: &OutboxMessage) -> Result<(), StoreError> {
    execute(
        tx,
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

/// The JSON record `sql` selects for `key`, decoded straight from SQLite's text (no copy).
fn read_json<T: DeserializeOwned>(conn: &Connection, sql: &str, key: &str) -> Result<Option<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(other)?;
    let mut rows = stmt.query([key]).map_err(other)?;
    match rows.next().map_err(other)? {
        Some(row) => {
            let text = row
                .get_ref(0)
                .and_then(|v| v.as_str().map_err(Into::into))
                .map_err(other)?;
            from_json(text).map(Some)
        }
        None => Ok(None),
    }
}

/// Runs `sql` with `params` through the connection's statement cache; the rows it changed.
fn execute(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// The first row `sql` selects with `params`, mapped by `f`, through the statement cache.
fn query_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection of the test's own, as another process would open the file.
    fn fresh(store: &SqliteStore) -> Connection {
        Connection::open(store.path()).unwrap()
    }

    /// Queues a write that holds the writer where it stands in its batch until `open` is sent
    /// (or dropped); `reached` resolves once the writer is there.
    fn gate(store: &SqliteStore) -> (mpsc::Sender<()>, tokio::sync::oneshot::Receiver<()>) {
        let (open, wait) = mpsc::channel::<()>();
        let (reach, reached) = tokio::sync::oneshot::channel();
        store
            .enqueue(
                move |_| {
                    let _ = reach.send(());
                    let _ = wait.recv();
                    Ok(())
                },
                |_: Result<(), StoreError>| {},
            )
            .unwrap();
        (open, reached)
    }

    /// Queues `f` and returns where its answer will arrive.
    fn queued<T: Send + 'static>(
        store: &SqliteStore,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> tokio::sync::oneshot::Receiver<Result<T, StoreError>> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        store
            .enqueue(f, move |result| {
                let _ = answer.send(result);
            })
            .unwrap();
        answered
    }

    fn meta(conn: &Connection, key: &str) -> Option<String> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .unwrap()
    }

    fn insert_meta(conn: &Connection, key: &str) -> Result<(), StoreError> {
        execute(conn, "INSERT INTO meta (key, value) VALUES (?1, 'batched')", [key])
            .map(|_| ())
            .map_err(other)
    }

    #[tokio::test]
    async fn writes_batched_together_fail_alone_and_are_answered_only_after_their_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        // GIVEN the writer held inside a first batch, so that everything queued next is one batch
        let (release_first, first_reached) = gate(&store);
        first_reached.await.unwrap();
        let mut good: Vec<_> = (0..5)
            .map(|i| queued(&store, move |conn| insert_meta(conn, &format!("good-{i}"))))
            .collect();
        // a write SQLite refuses (the key exists) and one that fails after writing a row
        let refused = queued(&store, |conn| insert_meta(conn, "created_by"));
        let failed_late = queued(&store, |conn| {
            insert_meta(conn, "written-then-failed")?;
            Err::<(), _>(StoreError::Other("refused after writing".into()))
        });
        // and the second batch held after all of them, before its commit
        let (release_second, second_reached) = gate(&store);
        release_first.send(()).unwrap();
        second_reached.await.unwrap();

        // THEN while the batch is not committed, no caller has an answer and no one else sees a row
        assert!(matches!(
            good[0].try_recv(),
            Err(tokio::sync::oneshot::error::TryRecvError::Empty)
        ));
        assert_eq!(meta(&fresh(&store), "good-0"), None);

        // WHEN it commits
        release_second.send(()).unwrap();
        // THEN each good write succeeds and is there; each failed one has its own error and left nothing
        for answer in good {
            answer.await.unwrap().unwrap();
        }
        assert!(refused.await.unwrap().is_err());
        let late = failed_late.await.unwrap().unwrap_err();
        assert!(late.to_string().contains("refused after writing"), "{late}");
        let conn = fresh(&store);
        for i in 0..5 {
            assert_eq!(meta(&conn, &format!("good-{i}")).as_deref(), Some("batched"));
        }
        assert_eq!(meta(&conn, "written-then-failed"), None);
        assert_eq!(meta(&conn, "created_by").as_deref(), Some("sportello"));
    }

    #[tokio::test]
    async fn once_a_write_is_answered_another_connection_sees_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let writes: Vec<_> = (0..50)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let session = SessionRecord {
                        token_hash: format!("hash-{i}"),
                        codice_fiscale: domain::CodiceFiscale::parse("RSSMRA85T10A562S").unwrap(),
                        scope: domain::Scope::Full,
                        method: "spid".into(),
                        created_at: now,
                        expires_at: now + chrono::Duration::minutes(30),
                        absolute_expires_at: now + chrono::Duration::hours(2),
                        handoff_binding: None,
                        credential: Some(domain::Credential::SpidL2),
                        applicant_name: None,
                    };
                    store.put_session(&Session::Citizen(session)).await.unwrap();
                    // no other write is awaited here: the row is on disk for anyone to read
                    let seen: i64 = fresh(&store)
                        .query_row(
                            "SELECT COUNT(*) FROM sessions WHERE token_hash = ?1",
                            [format!("hash-{i}")],
                            |r| r.get(0),
                        )
                        .unwrap();
                    assert_eq!(seen, 1, "session {i}");
                })
            })
            .collect();
        for write in writes {
            write.await.unwrap();
        }
    }

    #[tokio::test]
    async fn the_writer_commits_with_full_synchronous_writes_and_readers_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        // 2 = FULL
        let synchronous: i64 = store
            .write(|conn| conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).map_err(other))
            .await
            .unwrap();
        assert_eq!(synchronous, 2);
        let refused = store
            .read(|conn| conn.execute("DELETE FROM meta", []).map_err(other))
            .await;
        assert!(refused.is_err());
    }

    #[tokio::test]
    async fn reopening_an_existing_file_keeps_its_data_and_runs_no_migration_twice() {
        let dir = tempfile::tempdir().unwrap();
        let first = SqliteStore::open(dir.path()).unwrap();
        first.health().await.unwrap();
        drop(first);
        let again = SqliteStore::open(dir.path()).unwrap();
        again.health().await.unwrap();
        let version: usize = fresh(&again)
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
            let conn = fresh(&store);
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
