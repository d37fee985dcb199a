//! Finished login flows in SQLite: one row per flow in `finished_login_flows`, whose primary key
//! is the rule; the finish that inserts the row is the one that counts.

use super::*;

#[async_trait]
impl LoginFlows for SqliteStore {
    async fn finish_flow(
        &self,
        flow_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let hash = flow_hash.to_owned();
        // The normal write path: atomic, and on disk before the answer like every write (the
        // group commit's fsync, docs/adr/0020). A finish answered `true` and then lost to a crash
        // would let the same flow finish again.
        self.write(move |conn| {
            // Records past their flow's expiry are dropped on the way, so the table holds only
            // the flows of the last few minutes; no clean-up job needed. A row of this very flow
            // is dropped only if it is past its expiry, when the flow cookie is refused anyway.
            execute(
                conn,
                "DELETE FROM finished_login_flows WHERE expires_at <= ?1",
                params![ms(now)],
            )
            .map_err(other)?;
            // The single writer runs one finish after the other: of two, one inserts the row and
            // the other finds it there.
            let inserted = execute(
                conn,
                "INSERT INTO finished_login_flows (flow_hash, expires_at) VALUES (?1, ?2)
                 ON CONFLICT (flow_hash) DO NOTHING",
                params![hash, ms(expires_at)],
            )
            .map_err(other)?;
            Ok(inserted == 1)
        })
        .await
    }
}
