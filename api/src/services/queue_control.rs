//! An operator's hand on the click-day waiting room (`sportello-admin queue …`): pause it,
//! resume it at its opening's rate, or set its rate, each on the audit log with who did it.

use chrono::{DateTime, Utc};
use domain::operator::{AuditAction, AuditOutcome};

use super::waiting_room::{RateChangeError, Rooms};
use crate::store::{AuditEntry, RateChange, Store};

/// What the operator asks of the room.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QueueOrder {
    /// Let nobody in until resumed.
    Pause,
    /// Let people in again at the rate the room opened with.
    Resume,
    /// Let people in at this many a second.
    Rate(f64),
}

/// Carries out `order` on the room of the opening named `room` (or, with `None`, the room
/// standing at `now`), on the audit log as `by`'s, refused or done.
pub async fn order(
    store: &dyn Store,
    rooms: &Rooms,
    room: Option<&str>,
    order: QueueOrder,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(String, RateChange), RateChangeError> {
    let room = match room {
        Some(room) => room.to_owned(),
        // The room guarding now (an opening's or a surge room), else the opening's standing.
        None => match rooms.current(store, now).await? {
            Some(room) => room.name,
            None => rooms
                .room_at(now)
                .map(|r| r.name)
                .ok_or_else(|| RateChangeError::NotOpen("now".to_owned()))?,
        },
    };
    let per_second = match order {
        QueueOrder::Pause => Ok(0.0),
        QueueOrder::Rate(rate) => Ok(rate),
        QueueOrder::Resume => rooms
            .opening_rate(store, &room)
            .await?
            .ok_or_else(|| RateChangeError::NotOpen(room.clone())),
    };
    let result = match per_second {
        Ok(per_second) => rooms.change_rate(store, &room, per_second, now).await,
        Err(e) => Err(e),
    };
    let (outcome, detail) = match &result {
        Ok(change) => (
            AuditOutcome::Ok,
            format!(
                "room {room}: {} a second from {}",
                change.per_second,
                change.from.to_rfc3339()
            ),
        ),
        Err(e) => (AuditOutcome::Refused, format!("room {room}: {e}")),
    };
    store
        .append_audit(&AuditEntry {
            at: now,
            operator: by.to_owned(),
            codice_fiscale: None,
            action: AuditAction::QueueRate,
            outcome,
            detail,
        })
        .await?;
    result.map(|change| (room, change))
}
