//! The durable outbox and the dev sink in SQLite.

use super::*;

#[async_trait]
impl Outbox for SqliteStore {
    async fn due_messages(
        &self,
        channels: &[Channel],
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let channels: Vec<&'static str> = channels.iter().map(|c| c.as_str()).collect();
        self.read(move |conn| {
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
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
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
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
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
        self.read(move |conn| {
            query_row(
                conn,
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
        self.read(move |conn| {
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

    async fn push_outbox(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let (cf, json) = (entry.notification.codice_fiscale.clone(), to_json(entry)?);
        self.write(move |conn| {
            execute(
                conn,
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
        self.read(move |conn| {
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
}
