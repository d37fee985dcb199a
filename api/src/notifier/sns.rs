//! SMS through Amazon SNS: one `Publish` straight to the citizen's phone number (no topic), as a
//! transactional message, so that the PIN's first half arrives at once (docs/adr/0011).

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::MessageAttributeValue;
use tracing::Dispatch;
use tracing::instrument::WithSubscriber;
use tracing::subscriber::NoSubscriber;

use super::{Notifier, NotifyError};
use crate::store::{Channel, Notification};

/// The attribute that makes SNS route a message as transactional (critical, higher delivery
/// reliability) rather than promotional (cheapest, may be dropped or delayed).
const SMS_TYPE: &str = "AWS.SNS.SMS.SMSType";
/// The attribute naming the alphanumeric sender shown on the phone, where the country allows it.
const SENDER_ID: &str = "AWS.SNS.SMS.SenderID";

/// Sends SMS through SNS.
pub struct SnsSmsNotifier {
    client: aws_sdk_sns::Client,
    attributes: HashMap<String, MessageAttributeValue>,
    /// A dispatcher that records nothing, made once (each new one re-registers every callsite).
    quiet: Dispatch,
}

impl SnsSmsNotifier {
    /// A notifier publishing through `client`, showing `sender_id` as the sender when given.
    pub fn new(client: aws_sdk_sns::Client, sender_id: Option<&str>) -> Result<SnsSmsNotifier, NotifyError> {
        Ok(SnsSmsNotifier {
            client,
            attributes: sms_attributes(sender_id)?,
            quiet: Dispatch::new(NoSubscriber::default()),
        })
    }
}

#[async_trait]
impl Notifier for SnsSmsNotifier {
    async fn send(&self, notification: Notification) -> Result<(), NotifyError> {
        if notification.channel != Channel::Sms {
            return Err(NotifyError::Channel(notification.channel));
        }
        let number = e164(&notification.recipient)
            .ok_or_else(|| NotifyError::Sms("the recipient is not a phone number in E.164 form".into()))?;
        let publish = self
            .client
            .publish()
            .phone_number(number)
            .message(notification.body)
            .set_message_attributes(Some(self.attributes.clone()))
            .send();
        // The SDK logs what it handles: the request at TRACE ("transmitting request", with the
        // body when it is held in memory) and each error at DEBUG, whose SNS message may quote the
        // number. This request's body is the PIN half, so the call runs with no subscriber and no
        // log level can reveal either; its outcome is logged here, without the body or the number.
        let sent = publish.with_subscriber(self.quiet.clone()).await;
        match sent {
            Ok(_) => {
                tracing::info!(channel = notification.channel.as_str(), "notification sent by SNS");
                Ok(())
            }
            Err(e) => Err(NotifyError::Sms(describe(&e))),
        }
    }
}

/// The message attributes of every SMS: transactional, and the sender ID when there is one.
fn sms_attributes(sender_id: Option<&str>) -> Result<HashMap<String, MessageAttributeValue>, NotifyError> {
    let string = |value: &str| {
        MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
            .map_err(|e| NotifyError::Sms(format!("message attribute: {e}")))
    };
    let mut attributes = HashMap::from([(SMS_TYPE.to_owned(), string("Transactional")?)]);
    if let Some(sender_id) = sender_id {
        attributes.insert(SENDER_ID.to_owned(), string(sender_id)?);
    }
    Ok(attributes)
}

/// `recipient` in the E.164 form SNS wants (`+` and 8 to 15 digits, e.g. `+393331234567`), from
/// the stored form or one written for people (`+39 333 123 4567`, `0039 333 1234567`); `None`
/// for anything without a country code, which SNS would refuse or send to the wrong country.
fn e164(recipient: &str) -> Option<String> {
    let compact: String = recipient
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+').or_else(|| compact.strip_prefix("00"))?;
    let valid =
        (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    valid.then(|| format!("+{digits}"))
}

/// What went wrong, safe to log. SNS's own messages can quote the request (an authorization
/// error names the phone number as the resource), so a refusal is reported by its code only.
fn describe<R>(error: &SdkError<aws_sdk_sns::operation::publish::PublishError, R>) -> String {
    match error {
        SdkError::ServiceError(e) => format!("SNS refused the message: {}", e.err().code().unwrap_or("no error code")),
        SdkError::TimeoutError(_) => "SNS did not answer in time".into(),
        SdkError::DispatchFailure(_) => "SNS could not be reached".into(),
        SdkError::ResponseError(_) => "SNS's answer could not be read".into(),
        SdkError::ConstructionFailure(_) => "the SNS request could not be made".into(),
        _ => "SNS Publish failed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_mobile_is_already_e164() {
        assert_eq!(e164("+393331234567").as_deref(), Some("+393331234567"));
    }

    #[test]
    fn a_mobile_written_for_people_loses_its_spaces_and_separators() {
        assert_eq!(e164("+39 333 123 4567").as_deref(), Some("+393331234567"));
        assert_eq!(e164(" +39 333-123.45 67 ").as_deref(), Some("+393331234567"));
        assert_eq!(e164("+39 (333) 123/4567").as_deref(), Some("+393331234567"));
        assert_eq!(e164("+39\u{a0}333\t1234567").as_deref(), Some("+393331234567"));
    }

    #[test]
    fn the_00_international_prefix_becomes_a_plus() {
        assert_eq!(e164("0039 333 1234567").as_deref(), Some("+393331234567"));
    }

    #[test]
    fn a_number_without_a_country_code_is_refused_rather_than_guessed() {
        assert_eq!(e164("333 123 4567"), None);
        assert_eq!(e164("3331234567"), None);
    }

    #[test]
    fn what_is_not_a_phone_number_is_refused() {
        for bad in [
            "",
            "+",
            "+39 333 CALL ME",
            "anna@example.it",
            "+1234567",
            "+1234567890123456",
            "+039333123456",
        ] {
            assert_eq!(e164(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_sms_is_transactional_and_carries_the_sender_id_only_when_configured() {
        let value = |attributes: &HashMap<String, MessageAttributeValue>, name: &str| {
            attributes.get(name).map(|v| {
                (
                    v.data_type().to_owned(),
                    v.string_value().unwrap_or_default().to_owned(),
                )
            })
        };
        let plain = sms_attributes(None).unwrap();
        assert_eq!(value(&plain, SMS_TYPE), Some(("String".into(), "Transactional".into())));
        assert_eq!(plain.len(), 1);
        let named = sms_attributes(Some("INPS")).unwrap();
        assert_eq!(value(&named, SMS_TYPE), Some(("String".into(), "Transactional".into())));
        assert_eq!(value(&named, SENDER_ID), Some(("String".into(), "INPS".into())));
    }

    #[test]
    fn a_refusal_is_reported_by_its_code_without_what_sns_quoted() {
        // SNS names the number as the resource it refused to publish to.
        let quoted = "User: arn:aws:sts::123456789012:assumed-role/sportello is not authorized to perform: \
                      SNS:Publish on resource: +393331234567";
        let refusal = aws_sdk_sns::types::error::AuthorizationErrorException::builder()
            .message(quoted)
            .meta(
                aws_sdk_sns::error::ErrorMetadata::builder()
                    .code("AuthorizationError")
                    .message(quoted)
                    .build(),
            )
            .build();
        let error = SdkError::service_error(
            aws_sdk_sns::operation::publish::PublishError::AuthorizationErrorException(refusal),
            (),
        );
        let text = NotifyError::Sms(describe(&error)).to_string();
        assert_eq!(text, "sms: SNS refused the message: AuthorizationError");
    }
}
