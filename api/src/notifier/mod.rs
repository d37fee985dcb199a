//! How messages reach citizens. The local default is an outbox in the store, readable in dev mode
//! and by tests (standing in for the citizen's phone and mailbox). Each channel may be given a real
//! carrier instead: SMS through Amazon SNS when `SPORTELLO_SMS=sns` ([`sns::SnsSmsNotifier`], on
//! AWS, where the Lambda entry point supplies the SNS client), e-mail and PEC through SMTP when
//! `SPORTELLO_SMTP_URL` is set ([`smtp::SmtpNotifier`], SES's SMTP interface on AWS). The letter
//! with the PIN's second half always stays in the outbox: no postal carrier is wired in.

pub mod smtp;
pub mod sns;

use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

use secrecy::ExposeSecret;

use crate::clock::Clock;
use crate::config::{Config, SmsChoice};
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

/// One message to hand over: channel, recipient, subject, body.
pub type Message = (Channel, String, &'static str, String);

/// Hands each of `messages` for `codice_fiscale` to `notifier`. A failed channel is logged
/// (as `what` failed, never the body, which may hold a PIN half), not fatal: the event they
/// tell of is recorded either way, and the citizen has other channels and the Contact Center.
pub async fn send_each(notifier: &dyn Notifier, codice_fiscale: &str, messages: Vec<Message>, what: &'static str) {
    for (channel, recipient, subject, body) in messages {
        let notification = Notification {
            channel,
            recipient,
            codice_fiscale: codice_fiscale.to_owned(),
            subject: subject.to_owned(),
            body,
        };
        if let Err(e) = notifier.send(notification).await {
            tracing::error!(channel = channel.as_str(), error = %e, "{what} failed");
        }
    }
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

/// Each channel through its own notifier: SMS through one, e-mail and PEC through another, the
/// letter through a third.
pub struct ByChannel {
    sms: Arc<dyn Notifier>,
    mail: Arc<dyn Notifier>,
    post: Arc<dyn Notifier>,
}

#[async_trait]
impl Notifier for ByChannel {
    async fn send(&self, notification: Notification) -> Result<(), NotifyError> {
        match notification.channel {
            Channel::Sms => self.sms.send(notification).await,
            Channel::Email | Channel::Pec => self.mail.send(notification).await,
            Channel::Post => self.post.send(notification).await,
        }
    }
}

/// The notifier `config` asks for: SNS for SMS when `config.sms` says so (through `sns`, which the
/// caller builds from its AWS settings), SMTP for e-mail and PEC when configured, the outbox for
/// the rest. `sns` is ignored unless SNS is chosen, and required when it is.
pub fn from_config(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sns: Option<aws_sdk_sns::Client>,
) -> Result<Arc<dyn Notifier>, NotifyError> {
    let outbox: Arc<dyn Notifier> = Arc::new(OutboxNotifier::new(store, clock));
    let sms: Arc<dyn Notifier> = match (&config.sms, sns) {
        (SmsChoice::Outbox, _) => outbox.clone(),
        (SmsChoice::Sns { sender_id }, Some(client)) => {
            Arc::new(sns::SnsSmsNotifier::new(client, sender_id.as_deref())?)
        }
        (SmsChoice::Sns { .. }, None) => {
            return Err(NotifyError::Sms(
                "SPORTELLO_SMS=sns needs AWS: SMS through SNS are sent by the Lambda function (sportello-lambda)"
                    .into(),
            ));
        }
    };
    let mail: Arc<dyn Notifier> = match &config.smtp_url {
        None => outbox.clone(),
        Some(url) => Arc::new(smtp::SmtpNotifier::new(url.expose_secret(), &config.smtp_from)?),
    };
    Ok(Arc::new(ByChannel {
        sms,
        mail,
        post: outbox,
    }))
}
