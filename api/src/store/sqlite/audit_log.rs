//! The append-only audit log in SQLite.

use super::*;

#[async_trait]
impl AuditLog for SqliteStore {
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let (operator, cf, json) = (entry.operator.clone(), entry.codice_fiscale.clone(), to_json(entry)?);
        self.write(move |conn| {
            execute(
                conn,
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
        self.read(move |conn| {
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
        self.read(move |conn| {
            read_audit(
                conn,
                "SELECT entry FROM audit WHERE operator = ?1 ORDER BY id DESC LIMIT ?2",
                &username,
                limit,
            )
        })
        .await
    }
}

/// The audit entries `sql` selects for `key`, at most `limit`, in the order `sql` gives.
fn read_audit(conn: &Connection, sql: &str, key: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(other)?;
    let rows = stmt
        .query_map(params![key, limit as i64], |r| r.get::<_, String>(0))
        .map_err(other)?;
    rows.map(|row| from_json(&row.map_err(other)?)).collect()
}
