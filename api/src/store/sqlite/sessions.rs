//! Sessions of both realms in SQLite: citizens' in `sessions`, operators' in `operator_sessions`
//! (tables from the first migrations, kept so that existing rows stay valid). One statement per
//! operation whatever the realm; only the table differs. Both hold the record as JSON under its
//! token hash; the citizens' one also has the idle expiry as a column. Each statement is spelled
//! out whole, so that the statement cache keeps it prepared.

use super::*;

#[async_trait]
impl Sessions for SqliteStore {
    async fn put_session(&self, session: &Session) -> Result<(), StoreError> {
        let hash = session.token_hash().to_owned();
        let (sql, json, expires) = match session {
            Session::Citizen(s) => (
                "INSERT INTO sessions (token_hash, record, expires_at) VALUES (?1, ?2, ?3)",
                to_json(s)?,
                Some(ms(s.expires_at)),
            ),
            Session::Operator(s) => (
                "INSERT INTO operator_sessions (token_hash, record) VALUES (?1, ?2)",
                to_json(s)?,
                None,
            ),
        };
        self.write(move |conn| {
            match expires {
                Some(expires) => execute(conn, sql, params![hash, json, expires]),
                None => execute(conn, sql, params![hash, json]),
            }
            .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn session(&self, realm: Realm, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let hash = token_hash.to_owned();
        // Decoded on the reader, straight from SQLite's text.
        self.read(move |conn| match realm {
            Realm::Citizen => {
                Ok(read_json(conn, "SELECT record FROM sessions WHERE token_hash = ?1", &hash)?.map(Session::Citizen))
            }
            Realm::Operator => Ok(read_json(
                conn,
                "SELECT record FROM operator_sessions WHERE token_hash = ?1",
                &hash,
            )?
            .map(Session::Operator)),
        })
        .await
    }

    async fn extend_session(
        &self,
        realm: Realm,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        // The record's `expires_at` is set in place with SQLite's JSON functions, encoded as serde
        // encodes it, so that one statement does what a read-modify-write would.
        let encoded = to_json(&expires_at)?;
        let sql = match realm {
            Realm::Citizen => {
                "UPDATE sessions SET record = json_set(record, '$.expires_at', json(?1)), expires_at = ?2
                 WHERE token_hash = ?3"
            }
            Realm::Operator => {
                "UPDATE operator_sessions SET record = json_set(record, '$.expires_at', json(?1))
                 WHERE token_hash = ?3"
            }
        };
        self.write(move |conn| {
            execute(conn, sql, params![encoded, ms(expires_at), hash]).map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn delete_session(&self, realm: Realm, token_hash: &str) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        let sql = match realm {
            Realm::Citizen => "DELETE FROM sessions WHERE token_hash = ?1",
            Realm::Operator => "DELETE FROM operator_sessions WHERE token_hash = ?1",
        };
        self.write(move |conn| {
            execute(conn, sql, [&hash]).map_err(other)?;
            Ok(())
        })
        .await
    }
}
