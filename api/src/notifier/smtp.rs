//! E-mail and PEC over SMTP (a PEC provider accepts mail over SMTP like any other), with lettre.

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Notifier, NotifyError};
use crate::store::{Channel, Notification};

/// Sends e-mail and PEC through one SMTP server.
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpNotifier {
    /// A notifier for `url` (`smtp://host:port`, `smtps://user:pass@host`), sending as `from`.
    pub fn new(url: &str, from: &str) -> Result<SmtpNotifier, NotifyError> {
        // The URL may carry a password: errors name the problem, never the URL.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| NotifyError::Smtp(format!("SPORTELLO_SMTP_URL is not a valid SMTP URL: {e}")))?
            .build();
        let from = from
            .parse()
            .map_err(|e| NotifyError::Smtp(format!("SPORTELLO_SMTP_FROM is not an address: {e}")))?;
        Ok(SmtpNotifier { transport, from })
    }
}

#[async_trait]
impl Notifier for SmtpNotifier {
    async fn send(&self, notification: Notification) -> Result<(), NotifyError> {
        if !matches!(notification.channel, Channel::Email | Channel::Pec) {
            return Err(NotifyError::Channel(notification.channel));
        }
        let to: Mailbox = notification
            .recipient
            .parse()
            .map_err(|e| NotifyError::Smtp(format!("recipient is not an address: {e}")))?;
        let mut builder = Message::builder().from(self.from.clone()).to(to);
        if let Some(id) = &notification.message_id {
            // The outbox id: a message repeated after a crash carries the same Message-ID, which
            // mail servers and clients use to recognise duplicates.
            let domain = self.from.email.domain();
            builder = builder.message_id(Some(format!("<{id}@{domain}>")));
        }
        let message = builder
            .subject(notification.subject)
            .body(notification.body)
            .map_err(|e| NotifyError::Smtp(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| NotifyError::Smtp(e.to_string()))?;
        tracing::info!(channel = notification.channel.as_str(), "notification sent by SMTP");
        Ok(())
    }
}
