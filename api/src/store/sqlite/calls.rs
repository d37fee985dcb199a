//! Contact Center calls in SQLite.

use super::*;

#[async_trait]
impl Calls for SqliteStore {
    async fn put_call(&self, call: &CallRecord) -> Result<(), StoreError> {
        let (id, json) = (call.id.clone(), to_json(call)?);
        self.write(move |conn| {
            execute(
                conn,
                "INSERT INTO calls (id, record) VALUES (?1, ?2)",
                params![id, json],
            )
            .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn call(&self, id: &str) -> Result<Option<CallRecord>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| read_json(conn, "SELECT record FROM calls WHERE id = ?1", &id))
            .await
    }

    async fn mark_call_pin_checked(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
            let call: Option<CallRecord> = read_json(&tx, "SELECT record FROM calls WHERE id = ?1", &id)?;
            let Some(mut call) = call else { return Ok(false) };
            call.pin_checked_at = Some(at);
            execute(
                &tx,
                "UPDATE calls SET record = ?1 WHERE id = ?2",
                params![to_json(&call)?, id],
            )
            .map_err(other)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }
}
