//! The carriers that take messages from the delivery worker ([`crate::delivery`]) to citizens:
//! SMS through Amazon SNS when `SPORTELLO_SMS=sns` ([`sns::SnsSmsNotifier`], on AWS, where the
//! Lambda entry point supplies the SNS client), e-mail and PEC through SMTP when
//! `SPORTELLO_SMTP_URL` is set ([`smtp::SmtpNotifier`], SES's SMTP interface on AWS), letters as
//! batch files for the print provider ([`crate::delivery::letters`]). In dev mode the dev sink
//! ([`DevSink`]) stands in for whatever has no carrier.

pub mod smtp;
pub mod sns;

use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

use crate::clock::Clock;
use crate::store::{Channel, Notification, OutboxEntry, Store, StoreError};

/// A message could not be handed over for delivery.
#[derive(Debug, Error)]
pub enum NotifyError {
    /// The outbox store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The mail server refused or could not be reached.
    #[error("smtp: {0}")]
    Smtp(String),
    /// The SMS carrier (SNS) refused or could not be reached; never holds the body or the number.
    #[error("sms: {0}")]
    Sms(String),
    /// The letters feed could not write its batch.
    #[error("letters: {0}")]
    Letters(String),
    /// The notification cannot travel by this notifier.
    #[error("channel {0:?} is not handled here")]
    Channel(Channel),
}

/// Sends notifications.
#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    /// Hands `notification` over for delivery.
    async fn send(&self, notification: Notification) -> Result<(), NotifyError>;
}

/// Dev mode's carrier: keeps every notification, in clear, in the store's dev sink, where the
/// tests and the dev outbox page read them as a phone or mailbox would. Exists only in dev mode.
pub struct DevSink {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl DevSink {
    /// A sink in `store`, stamped by `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> DevSink {
        DevSink { store, clock }
    }
}

#[async_trait]
impl Notifier for DevSink {
    async fn send(&self, notification: Notification) -> Result<(), NotifyError> {
        // The channel is logged; the body (which may hold a PIN half) never is.
        tracing::info!(
            channel = notification.channel.as_str(),
            "notification put in the dev sink"
        );
        let entry = OutboxEntry {
            sent_at: self.clock.now(),
            notification,
        };
        self.store.push_outbox(&entry).await?;
        Ok(())
    }
}
