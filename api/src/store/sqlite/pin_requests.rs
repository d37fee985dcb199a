//! Citizens' PIN requests in SQLite.

use super::*;

#[async_trait]
impl PinRequests for SqliteStore {
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
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
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
        self.read(move |conn| {
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
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
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
            execute(
                &tx,
                "UPDATE pin_requests SET record = ?1, state = ?2 WHERE codice_fiscale = ?3",
                params![to_json(&record)?, to.as_str(), cf],
            )
            .map_err(other)?;
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
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
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
            execute(
                &tx,
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

    async fn revoke_pin_request(
        &self,
        codice_fiscale: &str,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let cf = codice_fiscale.to_owned();
        let created = created_at.timestamp_millis();
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
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
            execute(
                &tx,
                "INSERT OR REPLACE INTO revoked_pin_requests (codice_fiscale, created_at, record) VALUES (?1, ?2, ?3)",
                params![cf, created, to_json(&record)?],
            )
            .map_err(other)?;
            execute(&tx, "DELETE FROM pin_requests WHERE codice_fiscale = ?1", [&cf]).map_err(other)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }
}
