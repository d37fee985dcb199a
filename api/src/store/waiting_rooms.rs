//! The waiting room's records (issue 15, docs/adr/0022; the port is `WaitingRooms` in the
//! store's root): the tickets of an opening, how they were numbered, and the opening that closes
//! the pre-queue. The rules the numbers
//! feed (the shuffle, the admissions) are `domain::waiting_room`; a store only numbers, records
//! and closes, atomically.
//!
//! On DynamoDB the pre-queue is counted on several shards, so that 100,000 arrivals in half an
//! hour never meet on one item; a ticket records its shard and its number there, and the opening
//! records each shard's final count, which is what turns `(shard, number)` into one pre-queue
//! arrival number without any write per ticket at 16:00. SQLite counts on one shard.

use chrono::{DateTime, Utc};
use domain::waiting_room::{Arrival, Line};
use serde::{Deserialize, Serialize};

/// How a ticket was numbered when it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "period", rename_all = "snake_case")]
pub enum Drawn {
    /// Before the opening: the `index`-th ticket counted on pre-queue shard `shard`.
    PreQueue { shard: u32, index: u64 },
    /// After the opening: the `index`-th ticket of the queue (one counter: arrival order).
    Queue { index: u64 },
}

/// A ticket of one opening's waiting room, kept by the browser in an HttpOnly cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRecord {
    /// The opening it is for (`domain::waiting_room` names rooms by their opening).
    pub room: String,
    /// Its random identity.
    pub id: String,
    /// Its number.
    pub drawn: Drawn,
    /// The codice fiscale it was last used with, once known.
    pub codice_fiscale: Option<String>,
    /// When it was taken.
    pub taken_at: DateTime<Utc>,
}

/// A room's opening: when, the salt of its line's key, and how many tickets each pre-queue shard
/// had numbered when it closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomOpening {
    /// When the pre-queue closed.
    pub opened_at: DateTime<Utc>,
    /// Random bytes drawn at the opening. The line's key is derived from the server's key and
    /// these, so the store never holds the key itself.
    pub salt: Vec<u8>,
    /// Shard `s` numbered `pre_queue_by_shard[s]` tickets before the opening.
    pub pre_queue_by_shard: Vec<u64>,
}

impl RoomOpening {
    /// How many tickets were taken before the opening.
    pub fn pre_queue(&self) -> u64 {
        self.pre_queue_by_shard.iter().sum()
    }

    /// The ticket's arrival as the line numbers it: the pre-queue's shards laid end to end, the
    /// queue after. `None` for a pre-queue number its shard never handed out before closing
    /// (a forged or corrupted record).
    pub fn arrival(&self, drawn: Drawn) -> Option<Arrival> {
        match drawn {
            Drawn::PreQueue { shard, index } => {
                let shard = usize::try_from(shard).ok()?;
                if index >= *self.pre_queue_by_shard.get(shard)? {
                    return None;
                }
                let before: u64 = self.pre_queue_by_shard[..shard].iter().sum();
                Some(Arrival::PreQueue { index: before + index })
            }
            Drawn::Queue { index } => Some(Arrival::Queue { index }),
        }
    }

    /// The line under `key` (derived by the caller from the server's key and [`Self::salt`]).
    pub fn line(&self, key: [u8; 32]) -> Line {
        Line::new(key, self.pre_queue())
    }
}

/// A change of a room's rate: from `from` on it lets in `per_second` places a second (0: paused).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateChange {
    /// When it took effect.
    pub from: DateTime<Utc>,
    /// Places let in per second from then.
    pub per_second: f64,
    /// Whether the room set it itself, following the measured capacity (not an operator, not
    /// the opening): once an operator has set the rate, the room no longer moves it.
    #[serde(default)]
    pub automatic: bool,
}

/// A room as it stands once open: its opening, its rate's history from the opening (the first
/// change is the opening's rate, oldest first), and how many tickets the queue numbered since.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomState {
    /// The opening.
    pub opening: RoomOpening,
    /// The rate's history, oldest first, starting at the opening.
    pub rates: Vec<RateChange>,
    /// Tickets numbered in the queue after the opening.
    pub queue_taken: u64,
}

impl RoomState {
    /// Every ticket numbered, before and after the opening: the line's length.
    pub fn taken(&self) -> u64 {
        self.opening.pre_queue() + self.queue_taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_openings_shards_are_laid_end_to_end_and_unknown_numbers_have_no_arrival() {
        let opening = RoomOpening {
            opened_at: DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
            salt: vec![1; 16],
            pre_queue_by_shard: vec![3, 0, 2],
        };
        assert_eq!(opening.pre_queue(), 5);
        let arrivals: Vec<Option<Arrival>> = [(0, 0), (0, 2), (2, 0), (2, 1), (0, 3), (1, 0), (3, 0)]
            .into_iter()
            .map(|(shard, index)| opening.arrival(Drawn::PreQueue { shard, index }))
            .collect();
        let pre = |index| Some(Arrival::PreQueue { index });
        assert_eq!(arrivals, [pre(0), pre(2), pre(3), pre(4), None, None, None]);
        assert_eq!(
            opening.arrival(Drawn::Queue { index: 7 }),
            Some(Arrival::Queue { index: 7 })
        );
    }
}
