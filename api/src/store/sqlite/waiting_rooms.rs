//! The waiting room in SQLite: one row per room (its two counters and, once open, the opening),
//! one per ticket, one per codice fiscale holding a place. SQLite has one writer, so numbering and
//! the opening are each one step, and the pre-queue is counted on a single shard.

use super::*;

#[async_trait]
impl WaitingRooms for SqliteStore {
    async fn take_ticket(&self, room: &str, id: &str, now: DateTime<Utc>) -> Result<TicketRecord, StoreError> {
        let (room, id) = (room.to_owned(), id.to_owned());
        self.write(move |conn| {
            if let Some(ticket) = ticket_in(conn, &room, &id)? {
                return Ok(ticket);
            }
            execute(
                conn,
                "INSERT INTO waiting_rooms (room) VALUES (?1) ON CONFLICT (room) DO NOTHING",
                [&room],
            )
            .map_err(other)?;
            // Numbered on whichever counter the room's state says, in the same step as the state
            // is read: the opening cannot fall between the two.
            let (opened, number): (bool, i64) = query_row(
                conn,
                "UPDATE waiting_rooms
                 SET pre_queue = pre_queue + (opened_at IS NULL), queue = queue + (opened_at IS NOT NULL)
                 WHERE room = ?1
                 RETURNING opened_at IS NOT NULL, CASE WHEN opened_at IS NULL THEN pre_queue ELSE queue END",
                [&room],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(other)?;
            let index =
                u64::try_from(number - 1).map_err(|_| StoreError::Other("a room's counter is negative".into()))?;
            let drawn = if opened {
                Drawn::Queue { index }
            } else {
                Drawn::PreQueue { shard: 0, index }
            };
            let ticket = TicketRecord {
                room: room.clone(),
                id: id.clone(),
                drawn,
                codice_fiscale: None,
                taken_at: now,
            };
            execute(
                conn,
                "INSERT INTO waiting_room_tickets (room, id, record) VALUES (?1, ?2, ?3)",
                params![room, id, to_json(&ticket)?],
            )
            .map_err(other)?;
            Ok(ticket)
        })
        .await
    }

    async fn ticket(&self, room: &str, id: &str) -> Result<Option<TicketRecord>, StoreError> {
        let (room, id) = (room.to_owned(), id.to_owned());
        self.read(move |conn| ticket_in(conn, &room, &id)).await
    }

    async fn open_room(
        &self,
        room: &str,
        salt: &[u8],
        per_second: f64,
        now: DateTime<Utc>,
    ) -> Result<RoomOpening, StoreError> {
        let (room, salt) = (room.to_owned(), salt.to_vec());
        self.write(move |conn| {
            if let Some(opening) = opening_of(conn, &room)? {
                return Ok(opening);
            }
            execute(
                conn,
                "INSERT INTO waiting_rooms (room, opened_at, salt) VALUES (?1, ?2, ?3)
                 ON CONFLICT (room) DO UPDATE SET opened_at = excluded.opened_at, salt = excluded.salt",
                params![room, ms(now), salt],
            )
            .map_err(other)?;
            execute(
                conn,
                "INSERT INTO waiting_room_rates (room, at, per_second) VALUES (?1, ?2, ?3)",
                params![room, ms(now), per_second],
            )
            .map_err(other)?;
            opening_of(conn, &room)?.ok_or_else(|| StoreError::Other("a room opened, yet not stored".into()))
        })
        .await
    }

    async fn room_opening(&self, room: &str) -> Result<Option<RoomOpening>, StoreError> {
        let room = room.to_owned();
        self.read(move |conn| opening_of(conn, &room)).await
    }

    async fn room_state(&self, room: &str) -> Result<Option<RoomState>, StoreError> {
        let room = room.to_owned();
        self.read(move |conn| {
            let Some(opening) = opening_of(conn, &room)? else {
                return Ok(None);
            };
            let queue: i64 = query_row(conn, "SELECT queue FROM waiting_rooms WHERE room = ?1", [&room], |r| {
                r.get(0)
            })
            .map_err(other)?;
            let mut statement = conn
                .prepare_cached(
                    "SELECT at, per_second, automatic FROM waiting_room_rates WHERE room = ?1 ORDER BY at, rowid",
                )
                .map_err(other)?;
            let rates = statement
                .query_map([&room], |r| {
                    Ok(RateChange {
                        from: from_ms(r.get(0)?),
                        per_second: r.get(1)?,
                        automatic: r.get::<_, i64>(2)? != 0,
                    })
                })
                .map_err(other)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(other)?;
            Ok(Some(RoomState {
                opening,
                rates,
                queue_taken: u64::try_from(queue).unwrap_or(0),
            }))
        })
        .await
    }

    async fn change_rate(&self, room: &str, change: RateChange) -> Result<bool, StoreError> {
        let room = room.to_owned();
        self.write(move |conn| {
            if opening_of(conn, &room)?.is_none() {
                return Ok(false);
            }
            execute(
                conn,
                "INSERT INTO waiting_room_rates (room, at, per_second, automatic) VALUES (?1, ?2, ?3, ?4)",
                params![room, ms(change.from), change.per_second, i64::from(change.automatic)],
            )
            .map_err(other)?;
            Ok(true)
        })
        .await
    }

    async fn bind_ticket(&self, room: &str, id: &str, codice_fiscale: &str) -> Result<Option<String>, StoreError> {
        let (room, id, cf) = (room.to_owned(), id.to_owned(), codice_fiscale.to_owned());
        self.write(move |conn| {
            let Some(mut ticket) = ticket_in(conn, &room, &id)? else {
                return Ok(None);
            };
            let holder: Option<String> = query_row(
                conn,
                "SELECT ticket FROM waiting_room_holders WHERE room = ?1 AND codice_fiscale = ?2",
                params![room, cf],
                |r| r.get(0),
            )
            .optional()
            .map_err(other)?;
            if let Some(holder) = holder {
                return Ok(Some(holder));
            }
            execute(
                conn,
                "INSERT INTO waiting_room_holders (room, codice_fiscale, ticket) VALUES (?1, ?2, ?3)",
                params![room, cf, id],
            )
            .map_err(other)?;
            ticket.codice_fiscale = Some(cf);
            execute(
                conn,
                "UPDATE waiting_room_tickets SET record = ?3 WHERE room = ?1 AND id = ?2",
                params![room, id, to_json(&ticket)?],
            )
            .map_err(other)?;
            Ok(Some(id))
        })
        .await
    }
}

fn ticket_in(conn: &Connection, room: &str, id: &str) -> Result<Option<TicketRecord>, StoreError> {
    let json: Option<String> = query_row(
        conn,
        "SELECT record FROM waiting_room_tickets WHERE room = ?1 AND id = ?2",
        params![room, id],
        |r| r.get(0),
    )
    .optional()
    .map_err(other)?;
    json.map(|json| from_json(&json)).transpose()
}

fn opening_of(conn: &Connection, room: &str) -> Result<Option<RoomOpening>, StoreError> {
    let row: Option<(Option<i64>, Option<Vec<u8>>, i64)> = query_row(
        conn,
        "SELECT opened_at, salt, pre_queue FROM waiting_rooms WHERE room = ?1",
        [room],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
    .map_err(other)?;
    Ok(match row {
        Some((Some(opened_at), Some(salt), pre_queue)) => Some(RoomOpening {
            opened_at: from_ms(opened_at),
            salt,
            pre_queue_by_shard: vec![u64::try_from(pre_queue).unwrap_or(0)],
        }),
        _ => None,
    })
}
