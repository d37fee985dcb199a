//! The waiting room's answers (issue 15): where a browser's ticket stands, and the pass it is
//! given on its turn. `POST /api/queue/tickets` (take or keep the ticket) and `GET
//! /api/queue/status` answer a [`QueueStatus`]; `POST /api/queue/pass` a [`QueuePass`].

use super::{Timestamp, json::FromJson, json::Json, wire_struct};

/// The room's page in the SPA, where `queue.required` sends the citizen (the problem's `room`).
pub const ROOM_PAGE: &str = "/coda";

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueueState {
    /// No waiting room now, or its line is empty: go straight on, no pass needed.
    Open,
    /// Before the opening (`opens_at`): the order among everyone here is drawn then, at random;
    /// arriving earlier in this period gives no better place.
    PreQueue,
    /// In line: `position`, `ahead`, the estimated wait.
    Waiting,
    /// Let in: take the pass (`POST /api/queue/pass`) by `claim_by`.
    YourTurn,
    /// The turn came and went more than the keeping time ago: a new ticket goes at the back.
    Expired,
}

impl QueueState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueState::Open => "open",
            QueueState::PreQueue => "pre_queue",
            QueueState::Waiting => "waiting",
            QueueState::YourTurn => "your_turn",
            QueueState::Expired => "expired",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<QueueState> {
        [
            QueueState::Open,
            QueueState::PreQueue,
            QueueState::Waiting,
            QueueState::YourTurn,
            QueueState::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

impl FromJson for QueueState {
    fn from_json(json: &Json) -> Option<Self> {
        QueueState::parse(json.as_str()?)
    }
}

wire_struct! {
    /// Where the browser's ticket stands, and when to ask again.
    pub struct QueueStatus {
        /// The state; the other members are there when it gives them a meaning.
        pub state: QueueState,
        /// The opening this room is for (the citizens' window opening).
        pub opens_at: Option<Timestamp>,
        /// The place in line, 1 being next (`waiting`).
        pub position: Option<u64>,
        /// How many are let in before this ticket (`waiting`).
        pub ahead: Option<u64>,
        /// The estimated wait in whole minutes, low and high, from the rate people were let in at
        /// over the last minute; absent while nobody is being let in (`waiting`).
        pub wait_minutes_low: Option<u64>,
        /// See `wait_minutes_low`.
        pub wait_minutes_high: Option<u64>,
        /// When the line last moved (`waiting`).
        pub last_moved_at: Option<Timestamp>,
        /// Whether the room has been paused by the service (`waiting`): nobody is let in for now.
        pub paused: bool,
        /// Until when the turn is kept for this ticket (`your_turn`).
        pub claim_by: Option<Timestamp>,
        /// When to ask again, in seconds: the server spreads the polls it can take.
        pub poll_after_seconds: u32,
    }
}

wire_struct! {
    /// The pass given on the ticket's turn (an HttpOnly cookie carries it; this says until when).
    pub struct QueuePass {
        /// Until when the pass holds unless renewed: each request that needs it renews it.
        pub until: Timestamp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_back_what_serde_writes_and_the_apis_sample() {
        let status = QueueStatus {
            state: QueueState::Waiting,
            opens_at: Some(Timestamp("2020-04-01T14:00:00Z".into())),
            position: Some(12),
            ahead: Some(11),
            wait_minutes_low: Some(0),
            wait_minutes_high: Some(1),
            last_moved_at: Some(Timestamp("2020-04-01T14:00:03Z".into())),
            paused: false,
            claim_by: None,
            poll_after_seconds: 5,
        };
        let text = serde_json::to_string(&status).unwrap();
        assert_eq!(QueueStatus::parse_json(&text), Some(status));
        let sample = r#"{"state":"pre_queue","opens_at":"2020-04-01T14:00:00Z","position":null,"ahead":null,
            "wait_minutes_low":null,"wait_minutes_high":null,"last_moved_at":null,"paused":false,
            "claim_by":null,"poll_after_seconds":10}"#;
        let read = QueueStatus::parse_json(sample).unwrap();
        assert_eq!(read.state, QueueState::PreQueue);
        assert_eq!(read.poll_after_seconds, 10);
        let pass = QueuePass {
            until: Timestamp("2020-04-01T14:10:00Z".into()),
        };
        assert_eq!(
            QueuePass::parse_json(&serde_json::to_string(&pass).unwrap()),
            Some(pass)
        );
    }
}
