//! The waiting room in DynamoDB (docs/adr/0022). Items:
//! - `ROOM#<room>#PRE#<s>` / `COUNTER`: pre-queue shard `s`, `last` (its count) and, from the
//!   opening, `closed`. A ticket is counted on the shard its id hashes to, so 100,000 arrivals
//!   in half an hour spread over [`PRE_QUEUE_SHARDS`] items.
//! - `ROOM#<room>` / `ROOM`: the queue's counter `queue` (one item: after the opening order is
//!   arrival order) and, once open, `opening` (when, the salt and the shards' final counts) and
//!   `rates`, the rate's history (a list, appended to by an operator's change).
//! - `ROOM#<room>#TICKET#<id>` / `TICKET` and `ROOM#<room>#HOLDER#<cf>` / `HOLDER`: a ticket's
//!   record, and the ticket holding a codice fiscale's place.
//!
//! Everything has a TTL of two days: a room is over the evening it opens.

use sha2::{Digest, Sha256};

use super::*;
use crate::store::{Drawn, RateChange, RoomOpening, RoomState, TicketRecord, WaitingRooms};

/// How many items count the pre-queue: each takes about 1,000 writes a second, so 16 hold a
/// pre-queue arriving at 16,000 a second, with room to spare for the 55 a second of 100,000
/// arrivals in 30 minutes.
pub const PRE_QUEUE_SHARDS: u32 = 16;

/// How long a room's items are kept.
const ROOM_RETENTION: chrono::Duration = chrono::Duration::days(2);

const ROOM: &str = "ROOM";
const TICKET: &str = "TICKET";
const HOLDER: &str = "HOLDER";

fn room_pk(room: &str) -> String {
    format!("{ROOM}#{room}")
}

/// The shard a ticket is counted on: from its id, so that a retry of the same take lands on the
/// same one.
fn shard_of(id: &str) -> u32 {
    let digest = Sha256::digest(id.as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % PRE_QUEUE_SHARDS
}

#[async_trait]
impl WaitingRooms for DynamoDbStore {
    async fn take_ticket(&self, room: &str, id: &str, now: DateTime<Utc>) -> Result<TicketRecord, StoreError> {
        if let Some(ticket) = self.ticket(room, id).await? {
            return Ok(ticket);
        }
        let expires = number(epoch_seconds(now + ROOM_RETENTION));
        let shard = shard_of(id);
        // Counted in the pre-queue unless its shard has closed, which the opening does before
        // it records the counts: a number drawn here is in them.
        let pre = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("{}#PRE#{shard}", room_pk(room)), COUNTER)))
            .update_expression("ADD #last :one SET #ttl = :ttl")
            .condition_expression("attribute_not_exists(#closed)")
            .expression_attribute_names("#last", "last")
            .expression_attribute_names("#closed", "closed")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":ttl", expires.clone())
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        let drawn = match pre {
            Ok(out) => Drawn::PreQueue {
                shard,
                index: counted(out.attributes(), "last")?,
            },
            Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException") => {
                let out = self
                    .client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(key(room_pk(room), ROOM)))
                    .update_expression("ADD #queue :one SET #ttl = :ttl")
                    .expression_attribute_names("#queue", "queue")
                    .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
                    .expression_attribute_values(":one", number(1))
                    .expression_attribute_values(":ttl", expires.clone())
                    .return_values(ReturnValue::UpdatedNew)
                    .send()
                    .await
                    .map_err(|e| sdk_error("UpdateItem", &self.table, e))?;
                Drawn::Queue {
                    index: counted(out.attributes(), "queue")?,
                }
            }
            Err(e) => return Err(sdk_error("UpdateItem", &self.table, e)),
        };
        let ticket = TicketRecord {
            room: room.to_owned(),
            id: id.to_owned(),
            drawn,
            codice_fiscale: None,
            taken_at: now,
        };
        let item = ticket_item(&ticket)?;
        if self.put_if_absent(item).await? {
            return Ok(ticket);
        }
        // The same ticket taken at once by another request (two tabs): theirs stands, and the
        // number drawn here is an empty place.
        self.ticket(room, id)
            .await?
            .ok_or_else(|| StoreError::Other("a ticket's put was refused, yet it is not stored".into()))
    }

    async fn ticket(&self, room: &str, id: &str) -> Result<Option<TicketRecord>, StoreError> {
        self.get(format!("{}#{TICKET}#{id}", room_pk(room)), TICKET)
            .await?
            .map(|item| from_json(get_s(&item, "record")?))
            .transpose()
    }

    async fn open_room(
        &self,
        room: &str,
        salt: &[u8],
        per_second: f64,
        now: DateTime<Utc>,
    ) -> Result<RoomOpening, StoreError> {
        if let Some(opening) = self.room_opening(room).await? {
            return Ok(opening);
        }
        let expires = number(epoch_seconds(now + ROOM_RETENTION));
        // Closing a shard returns its final count: no ticket is counted on it after this.
        // Concurrent openers close the same shards and read the same counts. One by one: an
        // opening happens once a room, and 16 calls take a few tens of milliseconds.
        let mut pre_queue_by_shard = Vec::with_capacity(PRE_QUEUE_SHARDS as usize);
        for shard in 0..PRE_QUEUE_SHARDS {
            let out = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(format!("{}#PRE#{shard}", room_pk(room)), COUNTER)))
                .update_expression("SET #closed = :yes, #ttl = if_not_exists(#ttl, :ttl)")
                .expression_attribute_names("#closed", "closed")
                .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .expression_attribute_values(":ttl", expires.clone())
                .return_values(ReturnValue::AllNew)
                .send()
                .await
                .map_err(|e| sdk_error("UpdateItem", &self.table, e))?;
            let last = match out.attributes() {
                Some(item) if item.contains_key("last") => get_n(item, "last")?,
                _ => 0,
            };
            pre_queue_by_shard.push(u64::try_from(last).map_err(|_| malformed("last"))?);
        }
        let opening = RoomOpening {
            opened_at: now,
            salt: salt.to_vec(),
            pre_queue_by_shard,
        };
        let recorded = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(room_pk(room), ROOM)))
            .update_expression("SET #opening = :opening, #rates = :rates, #ttl = :ttl")
            .condition_expression("attribute_not_exists(#opening)")
            .expression_attribute_names("#opening", "opening")
            .expression_attribute_names("#rates", "rates")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":opening", string(to_json(&opening)?))
            .expression_attribute_values(
                ":rates",
                AttributeValue::L(vec![string(to_json(&RateChange {
                    from: now,
                    per_second,
                    automatic: false,
                })?)]),
            )
            .expression_attribute_values(":ttl", expires)
            .send()
            .await;
        if applied(recorded, "UpdateItem", &self.table)? {
            return Ok(opening);
        }
        self.room_opening(room)
            .await?
            .ok_or_else(|| StoreError::Other("a room's opening was refused, yet none is stored".into()))
    }

    async fn room_opening(&self, room: &str) -> Result<Option<RoomOpening>, StoreError> {
        match self.get(room_pk(room), ROOM).await? {
            Some(item) if item.contains_key("opening") => Ok(Some(from_json(get_s(&item, "opening")?)?)),
            _ => Ok(None),
        }
    }

    async fn room_state(&self, room: &str) -> Result<Option<RoomState>, StoreError> {
        let Some(item) = self.get(room_pk(room), ROOM).await? else {
            return Ok(None);
        };
        if !item.contains_key("opening") {
            return Ok(None);
        }
        let rates = match item.get("rates") {
            Some(AttributeValue::L(list)) => list
                .iter()
                .map(|v| match v {
                    AttributeValue::S(json) => from_json(json),
                    _ => Err(malformed("rates")),
                })
                .collect::<Result<Vec<RateChange>, _>>()?,
            _ => return Err(malformed("rates")),
        };
        let queue_taken = match item.get("queue") {
            Some(_) => u64::try_from(get_n(&item, "queue")?).map_err(|_| malformed("queue"))?,
            None => 0,
        };
        Ok(Some(RoomState {
            opening: from_json(get_s(&item, "opening")?)?,
            rates,
            queue_taken,
        }))
    }

    async fn change_rate(&self, room: &str, change: RateChange) -> Result<bool, StoreError> {
        let appended = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(room_pk(room), ROOM)))
            .update_expression("SET #rates = list_append(#rates, :change)")
            .condition_expression("attribute_exists(#opening)")
            .expression_attribute_names("#rates", "rates")
            .expression_attribute_names("#opening", "opening")
            .expression_attribute_values(":change", AttributeValue::L(vec![string(to_json(&change)?)]))
            .send()
            .await;
        applied(appended, "UpdateItem", &self.table)
    }

    async fn bind_ticket(&self, room: &str, id: &str, codice_fiscale: &str) -> Result<Option<String>, StoreError> {
        let Some(mut ticket) = self.ticket(room, id).await? else {
            return Ok(None);
        };
        let holder_pk = format!("{}#{HOLDER}#{codice_fiscale}", room_pk(room));
        let mut holder = key(holder_pk.clone(), HOLDER);
        holder.insert("ticket".into(), string(id));
        holder.insert(
            TTL_ATTRIBUTE.into(),
            number(epoch_seconds(ticket.taken_at + ROOM_RETENTION)),
        );
        if !self.put_if_absent(holder).await? {
            let holder = self
                .get(holder_pk, HOLDER)
                .await?
                .ok_or_else(|| StoreError::Other("a holder's put was refused, yet none is stored".into()))?;
            return Ok(Some(get_s(&holder, "ticket")?.to_owned()));
        }
        ticket.codice_fiscale = Some(codice_fiscale.to_owned());
        let item = ticket_item(&ticket)?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| sdk_error("PutItem", &self.table, e))?;
        Ok(Some(id.to_owned()))
    }
}

/// A ticket's item, kept as long as its room.
fn ticket_item(ticket: &TicketRecord) -> Result<Item, StoreError> {
    let mut item = key(format!("{}#{TICKET}#{}", room_pk(&ticket.room), ticket.id), TICKET);
    item.insert("record".into(), string(to_json(ticket)?));
    item.insert(
        TTL_ATTRIBUTE.into(),
        number(epoch_seconds(ticket.taken_at + ROOM_RETENTION)),
    );
    Ok(item)
}

/// The number a counter's `ADD 1` handed out (0 for the first), from its new value.
fn counted(attributes: Option<&Item>, name: &str) -> Result<u64, StoreError> {
    let last = attributes
        .map(|item| get_n(item, name))
        .transpose()?
        .ok_or_else(|| malformed(name))?;
    u64::try_from(last - 1).map_err(|_| malformed(name))
}
