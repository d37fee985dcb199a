//! The embedded registry on SQLite: `registry.sqlite3` beside the store's file in the data
//! directory. A file of its own, so that the registry's schema never shares a migration counter
//! with the store's, and an import (`sportello-admin registry import`) can write while the server
//! reads: WAL lets readers go on during a write, and the busy timeout makes a writer wait for the
//! other rather than fail.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::CodiceFiscale;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Registry, RegistryError, RegistryWriter, Resident};

/// The registry's file in the data directory.
pub const FILE_NAME: &str = "registry.sqlite3";

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS residents (
    codice_fiscale TEXT PRIMARY KEY,
    record TEXT NOT NULL
) STRICT;";

/// A SQLite-backed registry. Cheap to clone: one connection behind a mutex.
#[derive(Clone)]
pub struct SqliteRegistry {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl SqliteRegistry {
    /// Opens (creating if needed) the registry in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<SqliteRegistry, RegistryError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| RegistryError::Other(format!("cannot create data directory {}: {e}", data_dir.display())))?;
        let path = data_dir.join(FILE_NAME);
        let conn = Connection::open(&path).map_err(failure)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
            .map_err(failure)?;
        conn.execute_batch(SCHEMA).map_err(failure)?;
        Ok(SqliteRegistry {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, RegistryError> + Send + 'static,
    ) -> Result<T, RegistryError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| RegistryError::Other("registry connection mutex poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| RegistryError::Other(format!("registry task failed: {e}")))?
    }
}

fn failure(e: rusqlite::Error) -> RegistryError {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
            RegistryError::Unavailable(e.to_string())
        }
        _ => RegistryError::Other(e.to_string()),
    }
}

#[async_trait]
impl Registry for SqliteRegistry {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn resident(&self, codice_fiscale: &CodiceFiscale) -> Result<Option<Resident>, RegistryError> {
        let cf = codice_fiscale.to_string();
        let text: Option<String> = self
            .with_conn(move |conn| {
                conn.query_row("SELECT record FROM residents WHERE codice_fiscale = ?1", [cf], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(failure)
            })
            .await?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| RegistryError::Other(format!("cannot decode a resident: {e}")))
        })
        .transpose()
    }

    fn writer(&self) -> Option<&dyn RegistryWriter> {
        Some(self)
    }
}

#[async_trait]
impl RegistryWriter for SqliteRegistry {
    async fn upsert(&self, residents: &[Resident]) -> Result<(), RegistryError> {
        let rows = residents
            .iter()
            .map(|r| {
                serde_json::to_string(r)
                    .map(|json| (r.codice_fiscale.to_string(), json))
                    .map_err(|e| RegistryError::Other(format!("cannot encode a resident: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // One transaction per batch: a commit per row would be one fsync per row, and 10,000
        // rows would take minutes instead of a second.
        self.with_conn(move |conn| {
            let tx = conn.transaction().map_err(failure)?;
            {
                let mut insert = tx
                    .prepare_cached(
                        "INSERT INTO residents (codice_fiscale, record) VALUES (?1, ?2)
                         ON CONFLICT (codice_fiscale) DO UPDATE SET record = excluded.record",
                    )
                    .map_err(failure)?;
                for (cf, json) in &rows {
                    insert.execute(params![cf, json]).map_err(failure)?;
                }
            }
            tx.commit().map_err(failure)
        })
        .await
    }
}
