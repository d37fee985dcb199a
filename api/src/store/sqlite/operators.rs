//! Contact Center operators in SQLite.

use super::*;

#[async_trait]
impl Operators for SqliteStore {
    async fn insert_operator(&self, operator: &OperatorRecord) -> Result<bool, StoreError> {
        let (username, json) = (operator.username.clone(), to_json(operator)?);
        self.write(move |conn| {
            let inserted = conn
                .execute(
                    "INSERT INTO operators (username, record) VALUES (?1, ?2) ON CONFLICT (username) DO NOTHING",
                    params![username, json],
                )
                .map_err(other)?;
            Ok(inserted == 1)
        })
        .await
    }

    async fn operator(&self, username: &str) -> Result<Option<OperatorRecord>, StoreError> {
        let username = username.to_owned();
        self.read(move |conn| read_json(conn, "SELECT record FROM operators WHERE username = ?1", &username))
            .await
    }

    async fn replace_operator(&self, operator: &OperatorRecord) -> Result<bool, StoreError> {
        let (username, json) = (operator.username.clone(), to_json(operator)?);
        self.write(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE operators SET record = ?2 WHERE username = ?1",
                    params![username, json],
                )
                .map_err(other)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn claim_totp_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
        let username = username.to_owned();
        self.write(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE operators SET last_totp_step = ?1
                     WHERE username = ?2 AND (last_totp_step IS NULL OR last_totp_step < ?1)",
                    params![step, username],
                )
                .map_err(other)?;
            Ok(changed == 1)
        })
        .await
    }
}
