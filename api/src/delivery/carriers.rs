//! Which carrier takes each channel's messages, as the configuration chooses.

use std::sync::Arc;

use secrecy::ExposeSecret;

use super::letters::{DevSinkLetters, DirectoryLetters, LetterSink};
use crate::clock::Clock;
use crate::config::{Config, SmsChoice};
use crate::notifier::{DevSink, Notifier, NotifyError, smtp, sns};
use crate::store::{Channel, Store};

/// The carriers of each channel. A channel without one keeps its messages queued (sealed) until
/// one is configured: outside dev mode nothing stands in for a real carrier.
#[derive(Clone, Default)]
pub struct Carriers {
    /// SMS (SNS on AWS; the dev sink in dev mode).
    pub sms: Option<Arc<dyn Notifier>>,
    /// E-mail and PEC (SMTP; the dev sink in dev mode).
    pub mail: Option<Arc<dyn Notifier>>,
    /// Letters (the print provider's feed; the dev sink in dev mode unless a directory is given).
    pub letters: Option<Arc<dyn LetterSink>>,
}

impl Carriers {
    /// The carrier of a single-message channel.
    pub fn for_channel(&self, channel: Channel) -> Option<&Arc<dyn Notifier>> {
        match channel {
            Channel::Sms => self.sms.as_ref(),
            Channel::Email | Channel::Pec => self.mail.as_ref(),
            Channel::Post => None,
        }
    }
}

/// The carriers `config` asks for: SNS for SMS when `config.sms` says so (through `sns`, which
/// the caller builds from its AWS settings), SMTP for e-mail and PEC when configured, the letters
/// feed into `SPORTELLO_LETTERS_DIR` (or `letters` under the data directory). In dev mode the dev
/// sink takes what has no carrier (and the letters unless a directory is given); outside it a
/// channel without a carrier has none, and its messages wait, sealed. `sns` is ignored unless
/// SNS is chosen, and required when it is.
pub fn from_config(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sns: Option<aws_sdk_sns::Client>,
) -> Result<Carriers, NotifyError> {
    let dev_sink: Option<Arc<dyn Notifier>> = config
        .dev_mode
        .then(|| Arc::new(DevSink::new(store.clone(), clock)) as Arc<dyn Notifier>);
    let sms: Option<Arc<dyn Notifier>> = match (&config.sms, sns) {
        (SmsChoice::Outbox, _) => dev_sink.clone(),
        (SmsChoice::Sns { sender_id }, Some(client)) => {
            Some(Arc::new(sns::SnsSmsNotifier::new(client, sender_id.as_deref())?))
        }
        (SmsChoice::Sns { .. }, None) => {
            return Err(NotifyError::Sms(
                "SPORTELLO_SMS=sns needs AWS: SMS through SNS are sent by the Lambda function (sportello-lambda)"
                    .into(),
            ));
        }
    };
    let mail: Option<Arc<dyn Notifier>> = match &config.smtp_url {
        None => dev_sink.clone(),
        Some(url) => Some(Arc::new(smtp::SmtpNotifier::new(
            url.expose_secret(),
            &config.smtp_from,
        )?)),
    };
    let letters: Option<Arc<dyn LetterSink>> = match (&config.delivery.letters_dir, config.dev_mode) {
        (Some(dir), _) => Some(Arc::new(DirectoryLetters::new(dir.clone())?)),
        (None, true) => Some(Arc::new(DevSinkLetters::new(store))),
        (None, false) => Some(Arc::new(DirectoryLetters::new(config.data_dir.join("letters"))?)),
    };
    Ok(Carriers { sms, mail, letters })
}
