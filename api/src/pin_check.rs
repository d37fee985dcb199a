//! The one check of a citizen's PIN, for their own login and for the Contact Center operator who
//! types the 8 characters the citizen reads out: the lockout, the live request, the keyed hashes,
//! the failure count and, on success, the proof that the first part arrived.

use chrono::{DateTime, Utc};
use domain::PinInput;
use domain::pin_request::{PinRequestState, effective_state};

use crate::secrets::PinHalf;
use crate::store::LockoutPolicy;
use crate::{ApiError, AppState};

/// What the check found.
#[derive(Debug, PartialEq, Eq)]
pub enum PinCheck {
    /// The PIN (first half, and second when given) is the citizen's live PIN.
    Accepted,
    /// Wrong, or no live PIN: counted toward the lockout. Never says which.
    Wrong,
    /// The codice fiscale is locked for this long; nothing was checked.
    Locked(std::time::Duration),
}

/// The lockout rule from the configuration.
pub fn lockout_policy(state: &AppState) -> LockoutPolicy {
    LockoutPolicy {
        max_failures: state.config.lockout_failures,
        lock_for: state.config.lockout_for,
    }
}

/// Checks `pin` for `cf` at `now`. A wrong PIN counts toward the lockout; a right one clears the
/// count and marks the request delivered (using the first part proves it arrived).
pub async fn check_pin(state: &AppState, cf: &str, pin: &PinInput, now: DateTime<Utc>) -> Result<PinCheck, ApiError> {
    let throttle = state.store.login_throttle(cf).await?;
    if let Some(until) = throttle.locked_until.filter(|until| now < *until) {
        return Ok(PinCheck::Locked((until - now).to_std().unwrap_or_default()));
    }
    let record = state.store.pin_request(cf).await?;
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
        .verify_half(cf, PinHalf::First, pin.first_half(), first_hash);
    let second_ok = pin
        .second_half()
        .is_none_or(|h| state.pin_key.verify_half(cf, PinHalf::Second, h, second_hash));
    if !(live.is_some() && first_ok && second_ok) {
        state.store.record_login_failure(cf, now, lockout_policy(state)).await?;
        return Ok(PinCheck::Wrong);
    }
    state.store.clear_login_failures(cf).await?;
    state
        .store
        .transition_pin_request(cf, PinRequestState::PendingDelivery, PinRequestState::Delivered, now)
        .await?;
    Ok(PinCheck::Accepted)
}
