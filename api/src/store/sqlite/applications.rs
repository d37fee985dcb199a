//! Drafts, applications and the protocol register in SQLite.

use super::*;

#[async_trait]
impl Applications for SqliteStore {
    async fn put_draft(&self, draft: &DraftRecord) -> Result<(), StoreError> {
        let (cf, json) = (draft.codice_fiscale.clone(), to_json(draft)?);
        self.write(move |conn| {
            execute(
                conn,
                "INSERT INTO drafts (codice_fiscale, record) VALUES (?1, ?2)
                 ON CONFLICT (codice_fiscale) DO UPDATE SET record = excluded.record",
                params![cf, json],
            )
            .map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn put_draft_unless_stronger(&self, draft: &DraftRecord) -> Result<bool, StoreError> {
        let (cf, json, mine) = (draft.codice_fiscale.clone(), to_json(draft)?, draft.credential);
        self.write(move |conn| {
            // SQLite has one writer: an immediate transaction makes the read and the write one step.
            let tx = conn.savepoint().map_err(other)?;
            let stored: Option<DraftRecord> =
                read_json(&tx, "SELECT record FROM drafts WHERE codice_fiscale = ?1", &cf)?;
            if stored.is_some_and(|d| !mine.opens(d.credential)) {
                return Ok(false);
            }
            execute(
                &tx,
                "INSERT INTO drafts (codice_fiscale, record) VALUES (?1, ?2)
                 ON CONFLICT (codice_fiscale) DO UPDATE SET record = excluded.record",
                params![cf, json],
            )
            .map_err(other)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn draft(&self, codice_fiscale: &str) -> Result<Option<DraftRecord>, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.read(move |conn| read_json(conn, "SELECT record FROM drafts WHERE codice_fiscale = ?1", &cf))
            .await
    }

    async fn next_protocol_sequence(&self, year: i32) -> Result<u32, StoreError> {
        self.write(move |conn| {
            let last: i64 = conn
                .query_row(
                    "INSERT INTO protocol_counters (year, last) VALUES (?1, 1)
                     ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                    [year],
                    |r| r.get(0),
                )
                .map_err(other)?;
            u32::try_from(last).map_err(|_| StoreError::Other(format!("protocol counter of {year} overflowed")))
        })
        .await
    }

    async fn insert_application(
        &self,
        record: &ApplicationRecord,
        guard: SubmissionGuard,
        messages: &[OutboxMessage],
    ) -> Result<ApplicationInsert, StoreError> {
        let messages = MessageRows::of(messages)?;
        let cf = record.codice_fiscale().to_owned();
        let protocol = record.application.protocol.to_string();
        let history_len = record.application.history().len() as i64;
        let json = to_json(record)?;
        let mine = record.credential;
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
            // The primary key decides: a second application for the codice fiscale changes nothing.
            let inserted = tx
                .execute(
                    "INSERT INTO applications (codice_fiscale, protocol, record, history_len) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (codice_fiscale) DO NOTHING",
                    params![cf, protocol, json, history_len],
                )
                .map_err(other)?;
            if inserted == 0 {
                let existing: ApplicationRecord =
                    read_json(&tx, "SELECT record FROM applications WHERE codice_fiscale = ?1", &cf)?
                        .ok_or_else(|| StoreError::Other("insert refused, yet no application is stored".into()))?;
                return Ok(ApplicationInsert::Exists(Box::new(existing)));
            }
            if guard.pin_session_started_at.is_some() {
                let pin: Option<PinRequestRecord> =
                    read_json(&tx, "SELECT record FROM pin_requests WHERE codice_fiscale = ?1", &cf)?;
                if !guard.holds(pin.as_ref()) {
                    return Ok(ApplicationInsert::PinNoLongerHolds);
                }
            }
            let draft: Option<DraftRecord> =
                read_json(&tx, "SELECT record FROM drafts WHERE codice_fiscale = ?1", &cf)?;
            if let Some(draft) = draft.filter(|d| !mine.opens(d.credential)) {
                // Dropping the savepoint unwinds the insert above.
                return Ok(ApplicationInsert::StrongerDraft(draft.credential));
            }
            execute(&tx, "DELETE FROM drafts WHERE codice_fiscale = ?1", [&cf]).map_err(other)?;
            messages.insert(&tx)?;
            tx.commit().map_err(other)?;
            Ok(ApplicationInsert::Inserted)
        })
        .await
    }

    async fn application(&self, codice_fiscale: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let cf = codice_fiscale.to_owned();
        self.read(move |conn| read_json(conn, "SELECT record FROM applications WHERE codice_fiscale = ?1", &cf))
            .await
    }

    async fn application_by_protocol(&self, protocol: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let protocol = protocol.to_owned();
        self.read(move |conn| read_json(conn, "SELECT record FROM applications WHERE protocol = ?1", &protocol))
            .await
    }

    async fn update_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
        messages: &[OutboxMessage],
    ) -> Result<bool, StoreError> {
        let cf = record.codice_fiscale().to_owned();
        let history_len = record.application.history().len() as i64;
        let json = to_json(record)?;
        let messages = MessageRows::of(messages)?;
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
            let changed = tx
                .execute(
                    "UPDATE applications SET record = ?1, history_len = ?2
                     WHERE codice_fiscale = ?3 AND history_len = ?4",
                    params![json, history_len, cf, expected_history_len as i64],
                )
                .map_err(other)?;
            if changed != 1 {
                return Ok(false);
            }
            messages.insert(&tx)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn set_aside_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
    ) -> Result<bool, StoreError> {
        let cf = record.codice_fiscale().to_owned();
        let protocol = record.application.protocol.to_string();
        let history_len = record.application.history().len() as i64;
        let json = to_json(record)?;
        self.write(move |conn| {
            let tx = conn.savepoint().map_err(other)?;
            let removed = tx
                .execute(
                    "DELETE FROM applications WHERE codice_fiscale = ?1 AND protocol = ?2 AND history_len = ?3",
                    params![cf, protocol, expected_history_len as i64],
                )
                .map_err(other)?;
            if removed == 0 {
                return Ok(false);
            }
            execute(
                &tx,
                "INSERT INTO set_aside_applications (protocol, codice_fiscale, record, history_len)
                 VALUES (?1, ?2, ?3, ?4)",
                params![protocol, cf, json, history_len],
            )
            .map_err(other)?;
            tx.commit().map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn set_aside_application_by_protocol(&self, protocol: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let protocol = protocol.to_owned();
        self.read(move |conn| {
            read_json(
                conn,
                "SELECT record FROM set_aside_applications WHERE protocol = ?1",
                &protocol,
            )
        })
        .await
    }

    async fn update_set_aside_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
    ) -> Result<bool, StoreError> {
        let protocol = record.application.protocol.to_string();
        let history_len = record.application.history().len() as i64;
        let json = to_json(record)?;
        self.write(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE set_aside_applications SET record = ?1, history_len = ?2
                     WHERE protocol = ?3 AND history_len = ?4",
                    params![json, history_len, protocol, expected_history_len as i64],
                )
                .map_err(other)?;
            Ok(changed == 1)
        })
        .await
    }
}
