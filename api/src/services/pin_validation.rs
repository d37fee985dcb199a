//! Validating a stale PIN request on a call: for a request pending delivery 12 hours or more, a
//! fresh first part (only hashes are stored, so the old one cannot be re-sent; the letter's second
//! part stays valid), sent as the PIN request did; the request is marked validated.

use chrono::{DateTime, Utc};
use domain::ErrorCode;
use domain::pin::IssuedPin;
use domain::pin_request::{
    FirstHalfDelivery, PinRequestState, contact_center_may_validate, effective_state, mask_email, mask_mobile,
    validation_possible_from,
};

use super::audit::audit;
use super::calls::MESSAGES_SHOWN;
use crate::outbox::first_half_delivery;
use crate::secrets::{PinHalf, random_bytes};
use crate::store::{AuditAction, AuditOutcome, CallRecord};
use crate::{ApiError, AppState};

// The answer is the wire type the console reads, defined once.
pub use domain::wire::operator::PinValidated;
pub use domain::wire::pin_request::SentTo;

/// Why a request cannot be validated now (audited already).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotValidated {
    /// Pending delivery, but not yet for long enough: possible from then.
    TooEarly(DateTime<Utc>),
    /// Nothing to validate (no request, already used, expired, validated by someone else).
    NotValidatable,
}

impl NotValidated {
    /// The code the answer carries.
    pub fn code(self) -> ErrorCode {
        match self {
            NotValidated::TooEarly(_) => ErrorCode::PinValidationTooEarly,
            NotValidated::NotValidatable => ErrorCode::PinNotValidatable,
        }
    }
}

/// Validates the PIN request of `call`'s citizen, for `username`.
pub async fn validate(
    state: &AppState,
    username: &str,
    call: &CallRecord,
) -> Result<Result<PinValidated, NotValidated>, ApiError> {
    let (cf, now) = (&call.codice_fiscale, state.clock.now());
    let audit_refused = |code: ErrorCode| {
        audit(
            state,
            username,
            Some(cf),
            AuditAction::PinValidation,
            AuditOutcome::Refused,
            code.as_str(),
        )
    };
    let record = state.store.pin_request(cf.as_str()).await?;
    let effective = record
        .as_ref()
        .map(|r| effective_state(r.state, r.created_at, now, state.config.pin_validity));
    let messages = state.store.messages_for(cf.as_str(), MESSAGES_SHOWN).await?;
    let delivery = record.as_ref().map_or(FirstHalfDelivery::NotSent, |r| {
        first_half_delivery(&messages, r.created_at)
    });
    let record = match (record, effective) {
        (Some(r), Some(state_now)) if contact_center_may_validate(state_now, r.created_at, delivery, now) => r,
        (Some(r), Some(PinRequestState::PendingDelivery)) => {
            let possible_at = validation_possible_from(r.created_at, delivery);
            let code = ErrorCode::PinValidationTooEarly;
            audit_refused(code).await?;
            return Ok(Err(NotValidated::TooEarly(possible_at)));
        }
        _ => {
            let code = ErrorCode::PinNotValidatable;
            audit_refused(code).await?;
            return Ok(Err(NotValidated::NotValidatable));
        }
    };
    let pin = IssuedPin::from_random_bytes(random_bytes());
    let first_half_hash = state.pin_key.hash_half(cf.as_str(), PinHalf::First, pin.first_half());
    let messages = state.sealer.pin_validated(&record, pin.first_half(), now)?;
    // The rule was read above from the messages' state; the write checks again that the request
    // is still pending and not expired, and at least as old as that rule made it wait.
    let waited = validation_possible_from(record.created_at, delivery) - record.created_at;
    let validated = state
        .store
        .validate_pin_request(
            cf.as_str(),
            &first_half_hash,
            now - state.config.pin_validity,
            now - waited,
            now,
            &messages,
        )
        .await?;
    if !validated {
        // Used or validated by someone else between the read and the write.
        let code = ErrorCode::PinNotValidatable;
        audit_refused(code).await?;
        return Ok(Err(NotValidated::NotValidatable));
    }
    state.outbox_written.notify();
    audit(
        state,
        username,
        Some(cf),
        AuditAction::PinValidation,
        AuditOutcome::Ok,
        "",
    )
    .await?;
    tracing::info!("PIN request validated by the Contact Center");
    let r = &record.request;
    Ok(Ok(PinValidated {
        state: PinRequestState::ValidatedByContactCenter,
        validated_at: now.into(),
        sent_to: SentTo {
            sms: mask_mobile(&r.mobile),
            email: mask_email(r.email.as_str()),
            pec: mask_email(r.pec.as_str()),
        },
    }))
}
