//! The Contact Center's calls (docs/adr/0009): an operator acts only through a call they opened,
//! and only on its citizen; any other call id is not found. A call shows what the task needs,
//! never contacts or the IBAN, until the citizen has proven themselves with their PIN characters.

use chrono::Duration;
use domain::pin_request::{PinRequestState, contact_center_may_validate, effective_state, validation_possible_from};
use domain::submission_window::Channel;
use domain::{CodiceFiscale, ErrorCode, Lang};

use super::audit::audit;
use super::filing::window_state;
use crate::outbox::first_half_delivery;
use crate::secrets::random_bytes;
use crate::store::{AuditAction, AuditOutcome, CallRecord};
use crate::{ApiError, AppState};

/// A call can be used for this long after it was opened: a phone call, not a standing grant.
pub const CALL_LIFETIME: Duration = Duration::hours(1);

/// How many of a citizen's messages the call shows: a PIN request's four, a validation's three,
/// a receipt's two and a few status changes, with room to spare.
pub const MESSAGES_SHOWN: usize = 40;

/// What the Contact Center proves of the caller: the first 8 PIN characters read out on the phone,
/// so it reads and files at the simplified PIN's strength (docs/adr/0017).
pub const ON_A_CALL: domain::Credential = domain::Credential::SimplifiedPin;

// The answers are the wire types the console reads (domain::wire::operator), defined once.
pub use domain::wire::operator::{CallApplication, CallPinRequest, CallView};

/// The call as the console shows it, in `lang`.
pub async fn view(state: &AppState, call: &CallRecord, lang: Lang) -> Result<CallView, ApiError> {
    let now = state.clock.now();
    let cf = &call.codice_fiscale;
    let messages = state.store.messages_for(cf.as_str(), MESSAGES_SHOWN).await?;
    let record = state.store.pin_request(cf.as_str()).await?;
    // The name only once the caller has proven to be its owner: before, an operator must not
    // tell a caller whose codice fiscale they merely know what the citizen is called.
    let citizen_name = record
        .as_ref()
        .filter(|_| call.pin_checked_at.is_some())
        .map(|r| r.applicant_name());
    let pin_request = record.map(|r| {
        let effective = effective_state(r.state, r.created_at, now, state.config.pin_validity);
        let delivery = first_half_delivery(&messages, r.created_at);
        CallPinRequest {
            state: effective,
            requested_at: r.created_at.into(),
            age_seconds: (now - r.created_at).num_seconds(),
            may_validate: contact_center_may_validate(effective, r.created_at, delivery, now),
            validation_possible_at: (effective == PinRequestState::PendingDelivery)
                .then(|| validation_possible_from(r.created_at, delivery).into()),
        }
    });
    let application = state.store.application(cf.as_str()).await?.map(|r| {
        let a = r.application;
        CallApplication {
            protocol: a.protocol.to_string(),
            status: a.status(),
            status_label: a.status().label(lang).to_owned(),
            submitted_at: a.submitted_at().into(),
            channel: a.channel,
        }
    });
    Ok(CallView {
        id: call.id.clone(),
        codice_fiscale: cf.to_string(),
        citizen_name,
        opened_at: call.opened_at.into(),
        pin_checked: call.pin_checked_at.is_some(),
        pin_request,
        application,
        // Masked as the validation's answer has them: "the number ending 2233, is it yours?"
        // tells a citizen whose PIN never came whether someone else's contacts were typed.
        messages: messages
            .iter()
            .map(crate::services::pin_requests::queued_message)
            .collect(),
        window: window_state(state, lang, Channel::ContactCenter),
    })
}

/// Opens a call for the citizen whose codice fiscale the caller gave, for `username`.
pub async fn open(state: &AppState, username: &str, cf: &CodiceFiscale) -> Result<CallRecord, ApiError> {
    let call = CallRecord {
        id: hex::encode(random_bytes::<16>()),
        operator: username.to_owned(),
        codice_fiscale: cf.clone(),
        opened_at: state.clock.now(),
        pin_checked_at: None,
    };
    state.store.put_call(&call).await?;
    audit(
        state,
        username,
        Some(&call.codice_fiscale),
        AuditAction::CallOpened,
        AuditOutcome::Ok,
        format!("call {}", call.id),
    )
    .await?;
    Ok(call)
}

/// The call `id` of `username`, in `lang`; reading it is audited.
pub async fn read(state: &AppState, username: &str, id: &str, lang: Lang) -> Result<CallView, ApiError> {
    let call = own_call(state, username, id, AuditAction::CallRead).await?;
    let view = view(state, &call, lang).await?;
    audit(
        state,
        username,
        Some(&call.codice_fiscale),
        AuditAction::CallRead,
        AuditOutcome::Ok,
        format!("call {}", call.id),
    )
    .await?;
    Ok(view)
}

/// The call `id` if this operator opened it and it is still current; not found otherwise (the
/// attempt is audited, `action` saying what was tried).
pub async fn own_call(state: &AppState, username: &str, id: &str, action: AuditAction) -> Result<CallRecord, ApiError> {
    let now = state.clock.now();
    let call = state
        .store
        .call(id)
        .await?
        .filter(|c| c.operator == username && now - c.opened_at < CALL_LIFETIME);
    match call {
        Some(call) => Ok(call),
        None => {
            audit(
                state,
                username,
                None,
                action,
                AuditOutcome::Refused,
                ErrorCode::NotFound.as_str(),
            )
            .await?;
            Err(ApiError::NotFound)
        }
    }
}

/// The call `id`, if it is this operator's and the citizen's PIN characters were checked on it.
pub async fn checked_call(
    state: &AppState,
    username: &str,
    id: &str,
    action: AuditAction,
) -> Result<CallRecord, ApiError> {
    let call = own_call(state, username, id, action).await?;
    if call.pin_checked_at.is_none() {
        let code = ErrorCode::OperatorPinCheckRequired;
        audit(
            state,
            username,
            Some(&call.codice_fiscale),
            action,
            AuditOutcome::Refused,
            code.as_str(),
        )
        .await?;
        return Err(ApiError::Forbidden(code));
    }
    Ok(call)
}
