//! The durable outbox (docs/adr/0015): every message the service sends is written as an
//! [`OutboxMessage`] in the same atomic write as the event that causes it (the PIN request, the
//! Contact Center's validation, the submission, a status move), and a worker
//! ([`crate::delivery`]) hands it to its carrier afterwards. This module makes those messages:
//! the words of [`crate::citizen_messages`], addressed, and sealed.
//!
//! A message's content (recipient, subject, text, and for a letter the PIN half and the postal
//! address) is sealed with AES-256-GCM under a key derived from the server key, bound to the
//! message's id, citizen, channel and kind: a copy of the database, its WAL or a backup holds no
//! PIN half in clear, and a sealed content moved to another row does not open. The store removes
//! the content once the carrier has it.

use chrono::{DateTime, Utc};
use domain::Lang;
use domain::application::{Application, ApplicationStatus};
use domain::pin::IssuedPin;
use domain::pin_request::{FirstHalfDelivery, mask_email, mask_mobile};
use domain::registry::mask_residence;
use hmac::{Hmac, Mac};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::citizen_messages::{self, Words};
use crate::secrets::{PinKey, random_bytes};
use crate::store::{Channel, DeliveryState, MessageKind, OutboxMessage, PinRequestRecord};

/// What a carrier needs to deliver one message: sealed at rest, open only in the worker.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    /// Phone number (E.164 with +39), e-mail or PEC address; for a letter, the addressee's name.
    pub recipient: String,
    /// Subject line (e-mail, PEC, letter).
    pub subject: String,
    /// The text.
    pub body: String,
    /// For a letter: where it goes, and the PIN half it carries, for the print provider's file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub letter: Option<Letter>,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Content(<sealed>)")
    }
}

/// A letter's address (the registry's residence) and the PIN's second half.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    /// Given name and surname, as the registry has them.
    pub name: String,
    /// Street address.
    pub address: String,
    /// Postcode.
    pub postcode: String,
    /// Municipality or city.
    pub municipality: String,
    /// Province sigla, `EE` abroad.
    pub province: String,
    /// Country.
    pub country: String,
    /// The PIN's last 8 characters.
    pub pin_second_half: String,
}

/// Why a message could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The content is not this message's, or the key is another server's.
    #[error("the sealed content does not open under this key for this message")]
    DoesNotOpen,
    /// The message was already handed over: it has no content any more.
    #[error("the message has no content (already handed over)")]
    Gone,
    /// Encoding or the cipher failed.
    #[error("sealing failed: {0}")]
    Crypto(String),
}

/// Seals and opens message contents.
pub struct Sealer(LessSafeKey);

impl Sealer {
    /// The sealer of this server key: a key of its own, derived for this purpose only.
    pub fn new(pin_key: &PinKey) -> Sealer {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(pin_key.to_hex().as_bytes()).expect("HMAC takes any key length");
        mac.update(b"sportello-outbox-v1");
        let key: [u8; 32] = mac.finalize().into_bytes().into();
        Sealer(LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, &key).expect("32 bytes is an AES-256 key"),
        ))
    }

    fn aad(message: &OutboxMessage) -> Vec<u8> {
        format!(
            "{}\0{}\0{}\0{}",
            message.id,
            message.codice_fiscale,
            message.channel.as_str(),
            message.kind.as_str()
        )
        .into_bytes()
    }

    fn seal(&self, message: &OutboxMessage, content: &Content) -> Result<Vec<u8>, SealError> {
        let mut sealed = serde_json::to_vec(content).map_err(|e| SealError::Crypto(e.to_string()))?;
        let nonce = random_bytes::<NONCE_LEN>();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(Self::aad(message)),
                &mut sealed,
            )
            .map_err(|_| SealError::Crypto("AES-GCM refused".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// The content of `message`, if it still has one and it was sealed for it under this key.
    pub fn open(&self, message: &OutboxMessage) -> Result<Content, SealError> {
        let sealed = message.sealed.as_deref().ok_or(SealError::Gone)?;
        let (nonce, sealed) = sealed.split_at_checked(NONCE_LEN).ok_or(SealError::DoesNotOpen)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::DoesNotOpen)?;
        let mut buffer = sealed.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(Self::aad(message)), &mut buffer)
            .map_err(|_| SealError::DoesNotOpen)?;
        serde_json::from_slice(plain).map_err(|_| SealError::DoesNotOpen)
    }

    /// A new queued message for `codice_fiscale`, due at once, with `content` sealed in it.
    pub fn message(
        &self,
        codice_fiscale: &str,
        channel: Channel,
        kind: MessageKind,
        to_masked: String,
        content: &Content,
        now: DateTime<Utc>,
    ) -> Result<OutboxMessage, SealError> {
        let mut message = OutboxMessage {
            id: hex::encode(random_bytes::<16>()),
            codice_fiscale: codice_fiscale.to_owned(),
            channel,
            kind,
            to_masked,
            sealed: None,
            state: DeliveryState::Queued,
            attempts: 0,
            created_at: now,
            next_attempt_at: now,
            lease_until: None,
            sent_at: None,
            last_error: None,
        };
        message.sealed = Some(self.seal(&message, content)?);
        Ok(message)
    }

    /// The same words to the mobile, the e-mail and the PEC of a PIN request.
    fn to_contacts(
        &self,
        record: &PinRequestRecord,
        kind: MessageKind,
        words: &Words,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, SealError> {
        let r = &record.request;
        let cf = record.codice_fiscale();
        let content = |recipient: &str, subject: &str| Content {
            recipient: recipient.to_owned(),
            subject: subject.to_owned(),
            body: words.body.clone(),
            letter: None,
        };
        Ok(vec![
            self.message(
                cf,
                Channel::Sms,
                kind,
                mask_mobile(&r.mobile),
                &content(r.mobile.as_str(), "PIN INPS"),
                now,
            )?,
            self.message(
                cf,
                Channel::Email,
                kind,
                mask_email(r.email.as_str()),
                &content(r.email.as_str(), words.subject),
                now,
            )?,
            self.message(
                cf,
                Channel::Pec,
                kind,
                mask_email(r.pec.as_str()),
                &content(r.pec.as_str(), words.subject),
                now,
            )?,
        ])
    }

    /// The messages of a new PIN request: the first half by SMS, e-mail and PEC, the second by
    /// post to the registered residence.
    pub fn pin_request(
        &self,
        record: &PinRequestRecord,
        pin: &IssuedPin,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, SealError> {
        let first = citizen_messages::pin_first_half(record.lang, pin.first_half());
        let mut messages = self.to_contacts(record, MessageKind::PinFirstHalf, &first, now)?;
        let r = &record.request;
        let residence = &r.residence;
        let name = format!("{} {}", r.person.given_name, r.person.surname);
        let second = citizen_messages::pin_second_half(record.lang, pin.second_half());
        let letter = Content {
            recipient: name.clone(),
            subject: second.subject.to_owned(),
            body: second.body,
            letter: Some(Letter {
                name,
                address: residence.address.clone(),
                postcode: residence.postcode.clone(),
                municipality: residence.municipality.clone(),
                province: residence.province.clone(),
                country: residence.country.clone(),
                pin_second_half: pin.second_half().to_owned(),
            }),
        };
        messages.push(self.message(
            record.codice_fiscale(),
            Channel::Post,
            MessageKind::PinSecondHalf,
            mask_residence(residence),
            &letter,
            now,
        )?);
        Ok(messages)
    }

    /// The new first half after a Contact Center validation, to the request's own contacts
    /// (never to any the caller gives).
    pub fn pin_validated(
        &self,
        record: &PinRequestRecord,
        first_half: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, SealError> {
        let words = citizen_messages::pin_new_first_half(record.lang, first_half);
        self.to_contacts(record, MessageKind::PinValidated, &words, now)
    }

    /// The receipt of a filed application, by e-mail and SMS to the application's contacts.
    pub fn receipt(
        &self,
        application: &Application,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, SealError> {
        let cf = application.applicant.to_string();
        let when = rome_time(application.submitted_at(), lang);
        let words = citizen_messages::receipt(lang, &application.protocol.to_string(), &cf, &when);
        self.to_applicant(application, MessageKind::Receipt, &words, now)
    }

    /// The news that an application moved to `status`, by e-mail and SMS.
    pub fn status_change(
        &self,
        application: &Application,
        status: ApplicationStatus,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, SealError> {
        let words = citizen_messages::status_change(lang, &application.protocol.to_string(), status);
        self.to_applicant(application, MessageKind::StatusChange, &words, now)
    }

    fn to_applicant(
        &self,
        application: &Application,
        kind: MessageKind,
        words: &Words,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, SealError> {
        let cf = application.applicant.to_string();
        let contacts = &application.content.contacts;
        let content = |recipient: &str, subject: &str| Content {
            recipient: recipient.to_owned(),
            subject: subject.to_owned(),
            body: words.body.clone(),
            letter: None,
        };
        Ok(vec![
            self.message(
                &cf,
                Channel::Email,
                kind,
                mask_email(contacts.email.as_str()),
                &content(contacts.email.as_str(), words.subject),
                now,
            )?,
            self.message(
                &cf,
                Channel::Sms,
                kind,
                mask_mobile(&contacts.mobile),
                &content(contacts.mobile.as_str(), "INPS"),
                now,
            )?,
        ])
    }
}

/// How the first half of the PIN request made at `requested_at` went, from the citizen's
/// `messages` (the 12-hour rule's input, `domain::pin_request::validation_possible_from`).
pub fn first_half_delivery(messages: &[OutboxMessage], requested_at: DateTime<Utc>) -> FirstHalfDelivery {
    let first: Vec<&OutboxMessage> = messages
        .iter()
        .filter(|m| m.kind == MessageKind::PinFirstHalf && m.created_at >= requested_at)
        .collect();
    if let Some(sent) = first.iter().filter_map(|m| m.sent_at).min() {
        FirstHalfDelivery::SentAt(sent)
    } else if !first.is_empty() && first.iter().all(|m| m.state == DeliveryState::Dead) {
        FirstHalfDelivery::Undeliverable
    } else {
        FirstHalfDelivery::NotSent
    }
}

/// `at` as Rome's wall clock in a message's words.
fn rome_time(at: DateTime<Utc>, lang: Lang) -> String {
    let at = domain::submission_window::to_rome(at);
    match lang {
        Lang::It => at.format("%d/%m/%Y alle %H:%M").to_string(),
        Lang::En => at.format("%d/%m/%Y at %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> Content {
        Content {
            recipient: "+393471234567".into(),
            subject: "PIN INPS".into(),
            body: "i primi 8 caratteri del tuo PIN sono ABCDEFGH".into(),
            letter: None,
        }
    }

    #[test]
    fn a_sealed_message_holds_nothing_of_its_content_in_clear_and_opens_only_for_itself() {
        let key = PinKey::generate();
        let sealer = Sealer::new(&key);
        let now = Utc::now();
        let message = sealer
            .message(
                "RSSMRA85T10A562S",
                Channel::Sms,
                MessageKind::PinFirstHalf,
                "+39 ***4567".into(),
                &content(),
                now,
            )
            .unwrap();
        let stored = serde_json::to_string(&message).unwrap();
        assert!(
            !stored.contains("ABCDEFGH") && !stored.contains("3471234567"),
            "{stored}"
        );
        assert!(sealer.open(&message).unwrap() == content());

        // Moved to another message (another id, citizen or channel), it does not open.
        let mut moved = message.clone();
        moved.id = "0".repeat(32);
        assert!(matches!(sealer.open(&moved), Err(SealError::DoesNotOpen)));
        let mut other_channel = message.clone();
        other_channel.channel = Channel::Email;
        assert!(matches!(sealer.open(&other_channel), Err(SealError::DoesNotOpen)));
        // Nor under another server's key, nor once handed over.
        assert!(matches!(
            Sealer::new(&PinKey::generate()).open(&message),
            Err(SealError::DoesNotOpen)
        ));
        let mut sent = message;
        sent.sealed = None;
        assert!(matches!(sealer.open(&sent), Err(SealError::Gone)));
    }
}
