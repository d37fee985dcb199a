//! How messages reach citizens. The local default is an outbox in the store, readable in dev mode
//! and by tests (standing in for the citizen's phone and mailbox); SMTP, SNS and SES slot in as
//! other implementations of [`Notifier`].

use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

use crate::clock::Clock;
use crate::store::{Notification, OutboxEntry, Store, StoreError};

/// A message could not be handed over for delivery.
#[derive(Debug, Error)]
pub enum NotifyError {
    /// The outbox store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sends notifications.
#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    /// Hands `notification` over for delivery.
    async fn send(&self, notification: Notification) -> Result<(), NotifyError>;
}

/// Keeps every notification in the store's outbox.
pub struct OutboxNotifier {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl OutboxNotifier {
    /// An outbox in `store`, stamped by `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> OutboxNotifier {
        OutboxNotifier { store, clock }
    }
}

#[async_trait]
impl Notifier for OutboxNotifier {
    async fn send(&self, notification: Notification) -> Result<(), NotifyError> {
        // The channel and citizen are logged; the body (which holds a PIN half) never is.
        tracing::info!(channel = notification.channel.as_str(), "notification sent to outbox");
        let entry = OutboxEntry {
            sent_at: self.clock.now(),
            notification,
        };
        self.store.push_outbox(&entry).await?;
        Ok(())
    }
}
