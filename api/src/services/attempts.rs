//! Who may try a credential now (docs/adr/0012): every attempt at a citizen's PIN or an operator's
//! login is reserved on its counters *before* the credential is checked, so that parallel guesses
//! can never get more checks than the policy allows. Three counters take part:
//!
//! - the credential from this caller (a client address, or the Contact Center operator reading
//!   out the citizen's characters): a few attempts at once, then a wait that doubles with each
//!   further one; a right credential forgets them;
//! - the caller, whatever the credential: a larger number of wrong attempts before it waits the
//!   same way (one client trying many codici fiscali); a right credential is given back;
//! - the credential from anyone in a day: past its ceiling each caller gets one attempt before
//!   waiting, which slows a guesser spread over many addresses and never stops a caller that has
//!   not been failing.
//!
//! Nothing here locks a credential: a stranger's wrong attempts make only the stranger wait.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use domain::CodiceFiscale;

use crate::AppState;
use crate::store::{AttemptClaim, Principal, Reservation, StoreError, ThrottleKey, ThrottlePolicy};

/// The window of every counter: a day from its first attempt.
pub const WINDOW: chrono::Duration = chrono::Duration::hours(24);

/// Whose credential is tried.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// A citizen's PIN, by codice fiscale.
    Pin(&'a CodiceFiscale),
    /// An operator's password and TOTP code, by username.
    Operator(&'a str),
}

impl<'a> Credential<'a> {
    /// Whose counters the attempt goes on.
    fn principal(self) -> Principal<'a> {
        match self {
            Credential::Pin(cf) => Principal::Citizen(cf.as_str()),
            Credential::Operator(username) => Principal::Operator(username),
        }
    }
}

/// Who tries it.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A client, by its address (`rate_limit::ClientAddr`).
    Address(IpAddr),
    /// A Contact Center operator typing what the citizen reads out on the phone: counted apart
    /// from every client address, so that strangers' guesses never slow the Contact Center.
    Operator(String),
}

impl Caller {
    fn key_part(&self) -> String {
        match self {
            Caller::Address(ip) => format!("ip:{ip}"),
            Caller::Operator(username) => format!("operator:{username}"),
        }
    }
}

/// An attempt that may be checked now; tell it when the credential was right.
#[must_use = "a right credential must give its attempt back"]
#[derive(Debug)]
pub struct Reserved {
    pair: ThrottleKey,
    caller: ThrottleKey,
}

/// What a reservation gave.
#[derive(Debug)]
pub enum Admission {
    /// Check the credential.
    Granted(Reserved),
    /// Do not check anything: this caller waits this long first.
    Delayed(std::time::Duration),
}

/// The counters an attempt of `credential` from `caller` is counted on: the pair (this caller
/// at this credential), the caller's own, and the credential's day. One place, so that
/// `reserve` and `left_at_once` can never count on different keys.
struct Keys {
    pair: ThrottleKey,
    caller_key: ThrottleKey,
    day: ThrottleKey,
}

impl Keys {
    fn of(credential: Credential<'_>, caller: &Caller) -> Keys {
        let from = caller.key_part();
        let principal = credential.principal();
        Keys {
            pair: ThrottleKey::from_caller(principal, &from),
            caller_key: ThrottleKey::caller(principal.realm(), &from),
            day: ThrottleKey::day(principal),
        }
    }
}

/// Reserves an attempt by `caller` at `credential` at `now`.
pub async fn reserve(
    state: &AppState,
    credential: Credential<'_>,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<Admission, StoreError> {
    let Keys { pair, caller_key, day } = Keys::of(credential, caller);
    let config = &state.config;
    let policy = |free| ThrottlePolicy {
        free,
        first_delay: config.login_first_delay,
        max_delay: config.login_max_delay,
        window: WINDOW,
    };
    let pair_free = free_at_once(state, &day, now).await?;
    let claims = [
        AttemptClaim {
            key: pair.clone(),
            policy: policy(pair_free),
        },
        AttemptClaim {
            key: caller_key.clone(),
            policy: policy(config.login_client_free_attempts),
        },
    ];
    match state.store.reserve_attempt(&claims, now).await? {
        Reservation::Delayed(wait) => Ok(Admission::Delayed(wait.to_std().unwrap_or_default())),
        Reservation::Granted => {
            state.store.count_attempt(&day, WINDOW, now).await?;
            Ok(Admission::Granted(Reserved {
                pair,
                caller: caller_key,
            }))
        }
    }
}

/// How many attempts at a credential one caller gets at once: the configured number, or 1 once
/// the credential's daily ceiling is passed. The ceiling is read, not reserved: it only chooses
/// how many attempts go at once, and a few parallel attempts past it cost nothing the per-caller
/// counters do not already bound.
async fn free_at_once(state: &AppState, day: &ThrottleKey, now: DateTime<Utc>) -> Result<u32, StoreError> {
    let today = state
        .store
        .throttle(day)
        .await?
        .filter(|d| now < d.window_ends)
        .map_or(0, |d| d.attempts);
    Ok(if today >= state.config.login_daily_ceiling {
        1
    } else {
        state.config.login_free_attempts
    })
}

/// How many more attempts `caller` may make at `credential` at once, at `now`, before waiting:
/// what a wrong answer tells the Contact Center operator who typed it (never a stranger, who is
/// told nothing of the counters).
pub async fn left_at_once(
    state: &AppState,
    credential: Credential<'_>,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<u32, StoreError> {
    let Keys { pair, day, .. } = Keys::of(credential, caller);
    let free = free_at_once(state, &day, now).await?;
    let counted = state
        .store
        .throttle(&pair)
        .await?
        .filter(|c| now < c.window_ends)
        .map_or(0, |c| c.attempts);
    Ok(free.saturating_sub(counted))
}

impl Reserved {
    /// The credential was right: this caller's attempts at it are forgotten, and the attempt is
    /// given back to the caller's own count (a right credential is no guess).
    pub async fn succeeded(self, state: &AppState) -> Result<(), StoreError> {
        state.store.forget_attempts(&self.pair).await?;
        state.store.release_attempt(&self.caller).await
    }

    /// The credential was wrong: the reserved attempt stays counted.
    pub fn failed(self) {}
}
