//! How messages reach citizens. The local default is an outbox in the store, readable in dev mode
//! and by tests (standing in for the citizen's phone and mailbox). When SMTP is configured, e-mail
//! and PEC go through it ([`smtp::SmtpNotifier`]); SNS and SES slot in the same way on AWS.

pub mod smtp;

use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

use secrecy::ExposeSecret;

use crate::clock::Clock;
use crate::config::Config;
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

/// E-mail and PEC through one notifier, everything else through another.
pub struct ByChannel {
    mail: Arc<dyn Notifier>,
    rest: Arc<dyn Notifier>,
}

#[async_trait]
impl Notifier for ByChannel {
    async fn send(&self, notification: Notification) -> Result<(), NotifyError> {
        match notification.channel {
            Channel::Email | Channel::Pec => self.mail.send(notification).await,
            Channel::Sms | Channel::Post => self.rest.send(notification).await,
        }
    }
}

/// The notifier `config` asks for: the outbox, with SMTP for e-mail and PEC when configured.
pub fn from_config(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> Result<Arc<dyn Notifier>, NotifyError> {
    let outbox: Arc<dyn Notifier> = Arc::new(OutboxNotifier::new(store, clock));
    match &config.smtp_url {
        None => Ok(outbox),
        Some(url) => {
            let mail = smtp::SmtpNotifier::new(url.expose_secret(), &config.smtp_from)?;
            Ok(Arc::new(ByChannel {
                mail: Arc::new(mail),
                rest: outbox,
            }))
        }
    }
}
