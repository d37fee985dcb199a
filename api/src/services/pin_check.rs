//! The one check of a citizen's PIN, for their own login and for the Contact Center operator who
//! types the 8 characters the citizen reads out: the attempt reserved first (`attempts`), the live
//! request, the keyed hashes and, on success, the proof that the first part arrived.

use chrono::{DateTime, Utc};
use domain::pin_request::{PinRequestState, effective_state};
use domain::{CodiceFiscale, ErrorCode, PinInput};

use crate::secrets::PinHalf;
use crate::services::attempts::{self, Admission, Caller, Credential};
use crate::services::audit::audit;
use crate::store::{AuditAction, AuditOutcome, CallRecord};
use crate::{ApiError, AppState};

/// What the check found.
#[derive(Debug, PartialEq, Eq)]
pub enum PinCheck {
    /// The PIN (first half, and second when given) is the citizen's live PIN; the name on its
    /// request, which a session started from it records (read here already, not again).
    Accepted { applicant_name: String },
    /// Wrong, or no live PIN: counted for this caller. Never says which.
    Wrong,
    /// This caller has tried too often: nothing was checked, try again after this long.
    Delayed(std::time::Duration),
}

/// Checks `pin` for `cf`, tried by `caller`, at `now`. The attempt is counted before the check;
/// a right PIN gives it back and marks the request delivered (using the first part proves it
/// arrived).
pub async fn check_pin(
    state: &AppState,
    cf: &CodiceFiscale,
    pin: &PinInput,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<PinCheck, ApiError> {
    let reserved = match attempts::reserve(state, Credential::Pin(cf), caller, now).await? {
        Admission::Granted(reserved) => reserved,
        Admission::Delayed(wait) => return Ok(PinCheck::Delayed(wait)),
    };
    let record = state.store.pin_request(cf.as_str()).await?;
    let live = record
        .as_ref()
        .filter(|r| effective_state(r.state, r.created_at, now, state.config.pin_validity) != PinRequestState::Expired);
    // Without a live PIN the hash is still checked (against nothing that can match), so that
    // timing does not tell whether this codice fiscale has one.
    let (first_hash, second_hash) = live.map_or((&[0u8; 32][..], &[0u8; 32][..]), |r| {
        (r.first_half_hash.as_slice(), r.second_half_hash.as_slice())
    });
    let first_ok = state
        .pin_key
        .verify_half(cf.as_str(), PinHalf::First, pin.first_half(), first_hash);
    let second_ok = pin
        .second_half()
        .is_none_or(|h| state.pin_key.verify_half(cf.as_str(), PinHalf::Second, h, second_hash));
    if !(live.is_some() && first_ok && second_ok) {
        reserved.failed();
        return Ok(PinCheck::Wrong);
    }
    reserved.succeeded(state).await?;
    state
        .store
        .transition_pin_request(
            cf.as_str(),
            PinRequestState::PendingDelivery,
            PinRequestState::Delivered,
            now,
        )
        .await?;
    let applicant_name = live.map(|r| r.applicant_name()).unwrap_or_default();
    Ok(PinCheck::Accepted { applicant_name })
}

/// Checks the 8 characters of the letter (the PIN's second half) that `caller` — the Contact
/// Center operator of a call — read from the citizen, before a report of "non sono stato io" on
/// the phone. The letter goes only to the residence the registry knows, so a stranger who
/// requested the PIN with their own contacts has the first half and never this one: holding the
/// letter is what tells the citizen from the stranger on a call. Counted like any PIN check, for
/// this caller only; a right answer gives the attempt back and changes nothing else.
pub async fn check_letter(
    state: &AppState,
    cf: &CodiceFiscale,
    letter: &str,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<PinCheck, ApiError> {
    let reserved = match attempts::reserve(state, Credential::Pin(cf), caller, now).await? {
        Admission::Granted(reserved) => reserved,
        Admission::Delayed(wait) => return Ok(PinCheck::Delayed(wait)),
    };
    let record = state.store.pin_request(cf.as_str()).await?;
    let live = record.as_ref().filter(|r| {
        !matches!(
            effective_state(r.state, r.created_at, now, state.config.pin_validity),
            PinRequestState::Expired | PinRequestState::Revoked
        )
    });
    let hash = live.map_or(&[0u8; 32][..], |r| r.second_half_hash.as_slice());
    if !(state.pin_key.verify_half(cf.as_str(), PinHalf::Second, letter, hash) && live.is_some()) {
        reserved.failed();
        return Ok(PinCheck::Wrong);
    }
    reserved.succeeded(state).await?;
    let applicant_name = live.map(|r| r.applicant_name()).unwrap_or_default();
    Ok(PinCheck::Accepted { applicant_name })
}

/// Whether the simplified PIN is barred for `cf`: once a PIN request in the citizen's name was
/// reported as not theirs, whoever made it can make another with the same personal data and have
/// its first half sent to their own contacts again; the letter still goes only to the registered
/// residence. So from then on only the full PIN (or SPID, CIE, CNS) opens, for the citizen's own
/// login and for the Contact Center's check on a call alike (docs/adr/0017).
pub async fn simplified_pin_barred(state: &AppState, cf: &CodiceFiscale) -> Result<bool, ApiError> {
    Ok(!state.store.reported(cf.as_str()).await?.pin_requests.is_empty())
}

/// Checks the first 8 PIN characters the citizen of `call` reads out to `username`, as a
/// simplified-PIN login is checked, counted for the operator (the caller is the operator, not an
/// address, so no stranger's guesses ever slow the Contact Center's check); marks the call checked
/// and returns when. Every outcome is audited.
pub async fn check_on_call(
    state: &AppState,
    username: &str,
    call: &CallRecord,
    pin_first8: &str,
) -> Result<DateTime<Utc>, ApiError> {
    let cf = &call.codice_fiscale;
    if pin_first8.trim().is_empty() {
        return Err(ApiError::field("pin_first8", ErrorCode::Required));
    }
    let pin = PinInput::parse(pin_first8).map_err(|e| ApiError::field("pin_first8", e))?;
    if pin.second_half().is_some() {
        // Only the first part is ever read out on the phone.
        return Err(ApiError::field("pin_first8", ErrorCode::PinLength));
    }
    let now = state.clock.now();
    let caller = Caller::Operator(username.to_owned());
    let refused = match check_pin(state, cf, &pin, &caller, now).await? {
        PinCheck::Accepted { .. } if simplified_pin_barred(state, cf).await? => Some((
            ErrorCode::SimplifiedPinAfterReport,
            ApiError::field("pin_first8", ErrorCode::SimplifiedPinAfterReport),
        )),
        PinCheck::Accepted { .. } => None,
        PinCheck::Delayed(retry_after) => Some((ErrorCode::LoginLocked, ApiError::LoginDelayed { retry_after })),
        // The operator is told how many more checks they may make at once: they can then ask
        // the citizen to read slowly, or to look for the newest SMS, before the last one.
        PinCheck::Wrong => Some((
            ErrorCode::OperatorPinCheckFailed,
            ApiError::WrongOnCall {
                field: "pin_first8",
                code: ErrorCode::OperatorPinCheckFailed,
                attempts_left: attempts::left_at_once(state, Credential::Pin(cf), &caller, now).await?,
            },
        )),
    };
    if let Some((code, error)) = refused {
        audit(
            state,
            username,
            Some(cf),
            AuditAction::PinCheck,
            AuditOutcome::Refused,
            code.as_str(),
        )
        .await?;
        return Err(error);
    }
    state.store.mark_call_pin_checked(&call.id, now).await?;
    audit(state, username, Some(cf), AuditAction::PinCheck, AuditOutcome::Ok, "").await?;
    Ok(now)
}
