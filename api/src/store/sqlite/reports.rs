//! What citizens reported as not theirs in SQLite.

use super::*;

#[async_trait]
impl Reports for SqliteStore {
    async fn reported(&self, codice_fiscale: &str) -> Result<Reported, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.read(move |conn| {
            let rows = |sql: &str| -> Result<Vec<String>, StoreError> {
                let mut stmt = conn.prepare_cached(sql).map_err(other)?;
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
}
