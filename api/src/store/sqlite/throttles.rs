//! Attempt counters in SQLite (table `throttles`, one row per [`ThrottleKey`]). What a counter
//! becomes is `domain::throttle`'s to say; here each change is a read and a write inside one
//! `IMMEDIATE` transaction, which takes SQLite's write lock before the read, so that parallel
//! changes see each other.

use super::*;

#[async_trait]
impl Throttles for SqliteStore {
    async fn reserve_attempt(&self, claims: &[AttemptClaim], now: DateTime<Utc>) -> Result<Reservation, StoreError> {
        let claims = claims.to_vec();
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let mut next = Vec::with_capacity(claims.len());
            let mut longest_wait = None;
            for claim in &claims {
                let current = read_throttle(&tx, &claim.key)?;
                match ThrottleState::after_attempt(current, now, claim.policy) {
                    Ok(state) => next.push((&claim.key, state)),
                    Err(MustWait(wait)) => longest_wait = longest_wait.max(Some(wait)),
                }
            }
            // All or nothing: a counter that makes the attempt wait leaves the others as they were.
            if let Some(wait) = longest_wait {
                return Ok(Reservation::Delayed(wait));
            }
            for (key, state) in next {
                write_throttle(&tx, key, &state)?;
            }
            tx.commit().map_err(other)?;
            Ok(Reservation::Granted)
        })
        .await
    }

    async fn release_attempt(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        let key = key.clone();
        self.write(move |conn| {
            let tx = immediate(conn)?;
            // A counter that is gone has nothing to give back.
            if let Some(current) = read_throttle(&tx, &key)? {
                write_throttle(&tx, &key, &current.after_release())?;
            }
            tx.commit().map_err(other)
        })
        .await
    }

    async fn forget_attempts(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        let key = key.as_str().to_owned();
        self.write(move |conn| {
            execute(conn, "DELETE FROM throttles WHERE key = ?1", [&key]).map_err(other)?;
            Ok(())
        })
        .await
    }

    async fn count_attempt(
        &self,
        key: &ThrottleKey,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let key = key.clone();
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let next = ThrottleState::after_count(read_throttle(&tx, &key)?, now, window);
            write_throttle(&tx, &key, &next)?;
            tx.commit().map_err(other)?;
            Ok(next.attempts)
        })
        .await
    }

    async fn throttle(&self, key: &ThrottleKey) -> Result<Option<ThrottleState>, StoreError> {
        let key = key.clone();
        self.read(move |conn| read_throttle(conn, &key)).await
    }
}

/// A transaction that holds the write lock from its start.
fn immediate(conn: &mut Connection) -> Result<rusqlite::Savepoint<'_>, StoreError> {
    conn.savepoint().map_err(other)
}

fn read_throttle(conn: &Connection, key: &ThrottleKey) -> Result<Option<ThrottleState>, StoreError> {
    query_row(
        conn,
        "SELECT attempts, blocked_until, window_ends FROM throttles WHERE key = ?1",
        [key.as_str()],
        |r| {
            Ok(ThrottleState {
                attempts: r.get(0)?,
                blocked_until: r.get::<_, Option<i64>>(1)?.map(from_ms),
                window_ends: from_ms(r.get(2)?),
            })
        },
    )
    .optional()
    .map_err(other)
}

fn write_throttle(conn: &Connection, key: &ThrottleKey, state: &ThrottleState) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO throttles (key, attempts, blocked_until, window_ends) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET attempts = excluded.attempts,
             blocked_until = excluded.blocked_until, window_ends = excluded.window_ends",
        params![
            key.as_str(),
            state.attempts,
            state.blocked_until.map(ms),
            ms(state.window_ends)
        ],
    )
    .map_err(other)?;
    Ok(())
}
