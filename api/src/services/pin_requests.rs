//! Requesting a PIN: checked against the population registry, written with its messages (the
//! first half by SMS, e-mail and PEC, the second by letter) in one atomic write.

use domain::pin::IssuedPin;
use domain::pin_request::{EmbeddedPlaces, PinRequestState, mask_email, mask_mobile};
use domain::registry::{is_registered_person, mask_residence};
use domain::{ErrorCode, Lang, PinRequestForm};

use super::idempotency::IdempotencyKey;
use crate::metrics::{self, Metric};
use crate::secrets::{PinHalf, random_bytes};
use crate::store::{OutboxMessage, PinRequestInsert, PinRequestRecord};
use crate::{ApiError, AppState};

// The answer is the wire type the SPA reads (domain::wire::pin_request), defined once.
pub use domain::wire::pin_request::{PinRequestCreated, QueuedMessage, SentTo};

/// The view of `message` its citizen sees.
pub fn queued_message(message: &OutboxMessage) -> QueuedMessage {
    QueuedMessage {
        channel: message.channel.as_str().to_owned(),
        kind: message.kind.as_str().to_owned(),
        to: message.to_masked.clone(),
        state: message.state.as_str().to_owned(),
        created_at: message.created_at.into(),
        sent_at: message.sent_at.map(Into::into),
        attempts: message.attempts,
    }
}

/// The answer to a PIN request: where each half goes, masked, and the messages written with it.
pub fn created(record: &PinRequestRecord, messages: &[OutboxMessage]) -> PinRequestCreated {
    let r = &record.request;
    PinRequestCreated {
        codice_fiscale: r.codice_fiscale.to_string(),
        sent_to: SentTo {
            sms: mask_mobile(&r.mobile),
            email: mask_email(r.email.as_str()),
            pec: mask_email(r.pec.as_str()),
        },
        letter_to: mask_residence(&r.residence),
        created_at: record.created_at.into(),
        messages: messages.iter().map(queued_message).collect(),
    }
}

/// Makes `form` a PIN request for its registered person (at `now`, answering in `lang`, under
/// the client's `key`), with its messages in the same write; the same answer for a retry of the
/// same request, a conflict for another request while one holds.
pub async fn request_pin(
    state: &AppState,
    form: PinRequestForm,
    key: Option<IdempotencyKey>,
    lang: Lang,
) -> Result<PinRequestCreated, ApiError> {
    let now = state.clock.now();
    let key = key.map(|k| k.as_str().to_owned());
    let mut request = form
        .validate(now.date_naive(), Some(&EmbeddedPlaces))
        .map_err(ApiError::Validation)?;
    // Asked before anything is written: a registry that does not answer leaves nothing behind
    // (503), and the citizen's retry is a first request again.
    let registered = state.registry.resident(&request.codice_fiscale).await?;
    let Some(resident) = registered.filter(|r| is_registered_person(&request.person, &r.person)) else {
        // One answer whether the code is unknown or a field differs, naming none: anything more
        // would let a stranger probe the registry field by field. The attempt was already counted
        // by the per-client limit above, like every PIN request.
        tracing::info!("PIN request refused: not the registered person");
        return Err(ApiError::Forbidden(ErrorCode::RegistryNoMatch));
    };
    // The registry's data win over what was typed: the letter goes to the registered residence
    // and is addressed with the registered names; the typed residence is not kept.
    request.person = resident.person;
    request.residence = resident.residence;
    let pin = IssuedPin::from_random_bytes(random_bytes());
    let cf = request.codice_fiscale.to_string();
    let record = PinRequestRecord {
        first_half_hash: state.pin_key.hash_half(&cf, PinHalf::First, pin.first_half()).to_vec(),
        second_half_hash: state
            .pin_key
            .hash_half(&cf, PinHalf::Second, pin.second_half())
            .to_vec(),
        request,
        state: PinRequestState::PendingDelivery,
        created_at: now,
        updated_at: now,
        idempotency_key: key.clone(),
        lang,
    };
    // The messages are written with the request, in one atomic write, and delivered by the
    // worker afterwards: the answer waits for the disk, never for a carrier.
    let messages = state.sealer.pin_request(&record, &pin, now)?;
    match state
        .store
        .insert_pin_request(&record, now - state.config.pin_validity, &messages)
        .await?
    {
        PinRequestInsert::Inserted => {
            state.outbox_written.notify();
            tracing::info!(state = record.state.as_str(), "PIN request created");
            metrics::count(state.config.emf_metrics, Metric::PinRequests, state.clock.now());
            Ok(created(&record, &messages))
        }
        // The same request retried (its answer lost on the way): the same answer, nothing re-sent.
        PinRequestInsert::Exists(existing)
            if key.is_some() && existing.idempotency_key == key && existing.request == record.request =>
        {
            let messages = state.store.messages_for(&cf, 50).await?;
            // Newest first from the store; the answer lists them in the order they were written.
            let messages: Vec<_> = messages
                .into_iter()
                .rev()
                .filter(|m| m.created_at == existing.created_at && m.kind.holds_pin())
                .collect();
            Ok(created(&existing, &messages))
        }
        PinRequestInsert::Exists(_) => Err(ApiError::Conflict(ErrorCode::PinAlreadyRequested)),
    }
}
