//! Staff actions on applications that have no screen yet: moving an application's status
//! (submitted → under review → accepted / rejected → paid, and a suspended application — one its
//! citizen reported as not theirs, set aside from the one-per-citizen place, docs/adr/0017 — on to
//! under review or rejected). The `sportello-admin` command calls it; the Contact Center console
//! will too.

use chrono::{DateTime, Utc};
use domain::application::{Application, ApplicationStatus, ProtocolNumber, StatusError};
use thiserror::Error;

use crate::outbox::{SealError, Sealer};
use crate::store::{Store, StoreError};

/// Rounds of optimistic concurrency before giving up: each lost round means someone else moved
/// the same application in between, which staff do not do many times a second.
const ATTEMPTS: usize = 5;

/// Why a status could not be moved.
#[derive(Debug, Error)]
pub enum AdminError {
    /// The protocol number is not well formed.
    #[error("{0:?} is not a protocol number (INPS-COVID-YYYY-NNNNNNN)")]
    BadProtocol(String),
    /// The status name is unknown.
    #[error("unknown status {0:?}: one of submitted, under_review, accepted, rejected, paid, suspended")]
    BadStatus(String),
    /// No application has this number.
    #[error("no application with protocol {0}")]
    NotFound(String),
    /// The move breaks the status rules.
    #[error(transparent)]
    Transition(#[from] StatusError),
    /// Others kept moving the same application.
    #[error("the application kept changing while it was being updated; try again")]
    Contended,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The message could not be sealed.
    #[error(transparent)]
    Sealing(#[from] SealError),
}

/// Moves the application numbered `protocol` to `status` at `now`, recording `by`, and queues
/// the message that tells the citizen (by e-mail and SMS, in the language of their PIN request)
/// in the same write; returns the application as stored afterwards.
pub async fn move_status(
    store: &dyn Store,
    sealer: &Sealer,
    protocol: &str,
    status: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Application, AdminError> {
    let protocol = ProtocolNumber::parse(protocol.trim())
        .map_err(|_| AdminError::BadProtocol(protocol.to_owned()))?
        .to_string();
    let next = ApplicationStatus::parse(status.trim()).ok_or_else(|| AdminError::BadStatus(status.to_owned()))?;
    for _ in 0..ATTEMPTS {
        let (mut record, set_aside) = match store.application_by_protocol(&protocol).await? {
            Some(record) => (record, false),
            None => (
                store
                    .set_aside_application_by_protocol(&protocol)
                    .await?
                    .ok_or_else(|| AdminError::NotFound(protocol.clone()))?,
                true,
            ),
        };
        let read_len = record.application.history().len();
        record.application.move_to(next, now, by.to_owned())?;
        let updated = if set_aside {
            // Set aside because its citizen reported it as not theirs: its contacts are the
            // stranger's, so the move is recorded without a message to them.
            store.update_set_aside_application(&record, read_len).await?
        } else {
            let lang = store
                .pin_request(record.codice_fiscale())
                .await?
                .map_or(domain::Lang::It, |pin| pin.lang);
            let messages = sealer.status_change(&record.application, next, lang, now)?;
            store.update_application(&record, read_len, &messages).await?
        };
        if updated {
            return Ok(record.application);
        }
    }
    Err(AdminError::Contended)
}
