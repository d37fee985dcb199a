//! CNS handoffs in SQLite: rows of the citizens' `sessions` table whose record's method is the
//! handoff's, taken with one `DELETE … RETURNING`.

use super::*;

#[async_trait]
impl CnsHandoffs for SqliteStore {
    async fn put_handoff(&self, handoff: &SessionRecord) -> Result<(), StoreError> {
        self.put_session(&Session::Citizen(handoff.clone())).await
    }

    async fn take_handoff(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>, StoreError> {
        let hash = token_hash.to_owned();
        let json: Option<String> = self
            .write(move |conn| {
                // One statement: of two redemptions, SQLite's single writer lets one delete the
                // row; the other finds nothing. `expires_at` is the idle expiry, which for a
                // handoff is also its absolute one.
                query_row(
                    conn,
                    "DELETE FROM sessions
                     WHERE token_hash = ?1 AND json_extract(record, '$.method') = ?2 AND expires_at > ?3
                     RETURNING record",
                    params![hash, CNS_HANDOFF_METHOD, ms(now)],
                    |r| r.get(0),
                )
                .optional()
                .map_err(other)
            })
            .await?;
        json.map(|json| from_json(&json)).transpose()
    }
}
