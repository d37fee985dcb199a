//! The click-day waiting room (issue 15, docs/adr/0022): which room stands at a moment, where a
//! browser's ticket stands in it, and the admission pass its turn earns.
//!
//! A room is named by the opening of the citizens' window it is for. It stands from
//! `pre_queue` before that opening (everyone arriving then gets a random place, drawn at the
//! opening) for as long as its line is not empty; once everybody numbered has been let in, the
//! room stands aside and lets everyone in. The store keeps only counters and ticket records; the
//! order and the admissions are `domain::waiting_room`'s rules, and the pass is stateless: an
//! HMAC under a key derived from the server's key, bound to the ticket it was earned by.
//!
//! Outside an opening, the room stands up when the service is overloaded (the load meter sees
//! a steady share of requests shed): a *surge room*, named `surge-N` (the N-th of this store,
//! so that every process finds the same one), lets people in at the rate in arrival order for
//! at least a minute and while its line is not empty. While a room is open, its rate follows
//! the capacity measured (fewer when requests are shed, more when the work in flight leaves
//! room and people wait) within the configured bounds, until an operator sets it.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use domain::submission_window::{Channel, WindowConfig, from_rome, to_rome};
use domain::waiting_room::{Admissions, RateError, wait_range};
use domain::wire::queue::{QueueState, QueueStatus};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::load::{LoadMeter, Reading};
use crate::config::queue::QueueConfig;
use crate::rate_limit::ClientRateLimiter;
use crate::secrets::PinKey;
use crate::store::{RateChange, RoomState, Store, StoreError, TicketRecord};

/// How long a room's state read from the store answers the gate and the polls of this process:
/// the gate of every request without a pass asks, and the state moves only by new tickets and
/// an operator's change, which can wait a second.
const STATE_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// Over how long the admission rate shown is measured.
const OBSERVED_OVER: Duration = Duration::seconds(60);

/// Over how many seconds the load is read, to stand up a surge room or move the rate: long
/// enough not to act on a burst, short enough to act within the first seconds of a crowd.
const LOAD_OVER_SECONDS: u64 = 10;

/// How often at most this process moves a room's rate by the load it measures: a change waits
/// for the previous one to show in the load.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// A surge room stands for at least this long: a room that stood aside the moment its first
/// arrivals were let in would let the crowd behind them straight back onto the overloaded routes.
const SURGE_AT_LEAST: Duration = Duration::seconds(60);

/// The name of the `generation`-th surge room.
fn surge_name(generation: u64) -> String {
    format!("surge-{generation}")
}

/// A room: of one opening of the citizens' window, or one stood up by an overload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// The opening it is for (a surge room's: when it stood up).
    pub opens_at: DateTime<Utc>,
    /// Its name in the store: the opening, RFC 3339 in UTC, or `surge-N`.
    pub name: String,
}

impl Room {
    fn of(opens_at: DateTime<Utc>) -> Room {
        Room {
            opens_at,
            name: opens_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

/// Where a ticket stands, as the service decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// The room, if one stands.
    pub room: Option<Room>,
    /// What the page shows.
    pub status: QueueStatus,
}

/// What a claim of the pass gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The pass (the cookie's value) and until when it holds.
    Pass { value: String, until: DateTime<Utc> },
    /// No room guards the routes now: no pass needed.
    NotNeeded,
    /// The ticket's turn has not come (or has gone).
    NotYourTurn,
    /// The browser has no ticket of the room.
    NoTicket,
}

/// Why a browser gets no ticket.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    /// Its address took more new tickets this minute than a client may.
    #[error("too many new tickets from one address this minute")]
    TooManyTickets,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<TakeError> for crate::ApiError {
    fn from(e: TakeError) -> crate::ApiError {
        match e {
            // The count is per minute: within one the client may take again.
            TakeError::TooManyTickets => crate::ApiError::RateLimited {
                retry_after: std::time::Duration::from_secs(60),
            },
            TakeError::Store(e) => e.into(),
        }
    }
}

/// Why an operator's change of the rate is refused.
#[derive(Debug, thiserror::Error)]
pub enum RateChangeError {
    /// No room has opened for the opening asked.
    #[error("the room of {0} has not opened: a rate applies from its opening")]
    NotOpen(String),
    /// The rate is outside the configured bounds.
    #[error("a rate is 0 (pause) or between {min} and {max} passes a second")]
    OutOfBounds { min: f64, max: f64 },
    /// The domain's rule refused it.
    #[error(transparent)]
    Rule(#[from] RateError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a pass says once its MAC is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassClaims {
    /// The room it was earned in.
    pub room: String,
    /// The ticket it was earned by.
    pub ticket: String,
    /// Until when it holds.
    pub until: DateTime<Utc>,
}

/// The waiting rooms of this service: its settings, its keys, and the last room state read.
pub struct Rooms {
    config: QueueConfig,
    windows: WindowConfig,
    line_key: [u8; 32],
    pass_key: [u8; 32],
    cached: Mutex<Option<(String, Instant, Option<RoomState>)>>,
    load: Arc<LoadMeter>,
    /// The latest surge room this process knows of (its generation, 0 for none yet), and when
    /// it last looked.
    surge: Mutex<(u64, Option<Instant>, Option<RoomState>)>,
    /// When this process last moved a rate by the load.
    followed: Mutex<Option<Instant>>,
    /// New tickets per client address a minute.
    tickets: ClientRateLimiter,
}

impl std::fmt::Debug for Rooms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rooms")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Rooms {
    /// The rooms under `config`, for the citizens' window of `windows`, with keys derived from
    /// the server's key, reading this process's load from `load`.
    pub fn new(config: QueueConfig, windows: WindowConfig, pin_key: &PinKey, load: Arc<LoadMeter>) -> Rooms {
        Rooms {
            config,
            windows,
            line_key: pin_key.derive("sportello-waiting-room-line-v1"),
            pass_key: pin_key.derive("sportello-waiting-room-pass-v1"),
            cached: Mutex::new(None),
            load,
            surge: Mutex::new((0, None, None)),
            followed: Mutex::new(None),
            tickets: ClientRateLimiter::new(config.tickets_per_minute),
        }
    }

    /// The settings.
    pub fn config(&self) -> &QueueConfig {
        &self.config
    }

    /// The load meter the rooms read (the in-flight bound writes it).
    pub fn load(&self) -> &Arc<LoadMeter> {
        &self.load
    }

    /// The room that guards the routes at `now`, if any: the opening's, from its pre-queue and
    /// while its line is not empty; otherwise the latest surge room, while it stands.
    pub async fn current(&self, store: &dyn Store, now: DateTime<Utc>) -> Result<Option<Room>, StoreError> {
        if !self.config.enabled {
            return Ok(None);
        }
        if let Some(room) = self.room_at(now) {
            if now < room.opens_at {
                return Ok(Some(room));
            }
            if let Some(state) = self.state(store, &room, now).await?
                && admissions(&state).admitted_by(now) < state.taken()
            {
                return Ok(Some(room));
            }
        }
        if !self.config.on_overload {
            return Ok(None);
        }
        Ok(self
            .surge(store, now)
            .await?
            .and_then(|(room, state)| surge_stands(&state, now).then_some(room)))
    }

    /// The room whose tickets count at `now`: the one guarding, or else the opening's standing
    /// (its line may be empty, but a turn that came in it is still claimed there).
    async fn ticket_room(&self, store: &dyn Store, now: DateTime<Utc>) -> Result<Option<Room>, StoreError> {
        if !self.config.enabled {
            return Ok(None);
        }
        Ok(match self.current(store, now).await? {
            Some(room) => Some(room),
            None => self.room_at(now),
        })
    }

    /// The latest surge room of the store and its state, from this process's copy when fresh.
    async fn surge(&self, store: &dyn Store, now: DateTime<Utc>) -> Result<Option<(Room, RoomState)>, StoreError> {
        let (mut generation, mut latest) = {
            let surge = self.surge.lock().expect("not poisoned");
            if let (g, Some(at), state) = &*surge
                && at.elapsed() < STATE_FRESH_FOR
            {
                return Ok(state.clone().map(|s| (surge_room(*g, &s), s)));
            }
            (surge.0, None)
        };
        if generation > 0 {
            latest = store.room_state(&surge_name(generation)).await?;
        }
        // Another process may have stood up a newer one (or, just started, this one knows none).
        while let Some(state) = store.room_state(&surge_name(generation + 1)).await? {
            generation += 1;
            latest = Some(state);
        }
        // Only a standing room's rate is moved: one that stood aside lets nobody in any more.
        if let Some(state) = latest.as_ref().filter(|s| surge_stands(s, now)) {
            self.follow(store, &surge_name(generation), state, now).await?;
        }
        *self.surge.lock().expect("not poisoned") = (generation, Some(Instant::now()), latest.clone());
        Ok(latest.map(|s| (surge_room(generation, &s), s)))
    }

    /// Stands up a surge room if this process measures an overload and no room guards: the next
    /// generation's, which the first process to ask opens and every other one finds.
    async fn stand_up_on_overload(&self, store: &dyn Store, now: DateTime<Utc>) -> Result<bool, StoreError> {
        if !self.config.on_overload || !self.load.reading(LOAD_OVER_SECONDS).overloaded() {
            return Ok(false);
        }
        // The latest generation known to the store (read afresh), then the next one.
        self.surge.lock().expect("not poisoned").1 = None;
        self.surge(store, now).await?;
        let next = self.surge.lock().expect("not poisoned").0 + 1;
        let salt = crate::secrets::random_bytes::<16>();
        store.open_room(&surge_name(next), &salt, self.config.rate, now).await?;
        tracing::warn!(room = %surge_name(next), "waiting room stood up: the service is overloaded");
        *self.surge.lock().expect("not poisoned") = (next - 1, None, None);
        Ok(true)
    }

    /// Moves `room`'s rate by the load this process measured, at most every `FOLLOW_EVERY`,
    /// unless following is off or an operator has set the rate (the last change is theirs).
    async fn follow(
        &self,
        store: &dyn Store,
        room: &str,
        state: &RoomState,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if !self.config.follow || state.rates.len() > 1 && state.rates.last().is_some_and(|r| !r.automatic) {
            return Ok(());
        }
        {
            let mut followed = self.followed.lock().expect("not poisoned");
            if followed.is_some_and(|at| at.elapsed() < FOLLOW_EVERY) {
                return Ok(());
            }
            *followed = Some(Instant::now());
        }
        let rule = admissions(state);
        let waiting = rule.admitted_by(now) < state.taken();
        let rate = rule.rate_at(now);
        let Some(per_second) = followed_rate(rate, &self.load.reading(LOAD_OVER_SECONDS), waiting, &self.config) else {
            return Ok(());
        };
        let from = state.rates.last().map_or(now, |last| last.from.max(now));
        let change = RateChange {
            from,
            per_second,
            automatic: true,
        };
        if store.change_rate(room, change).await? {
            tracing::info!(
                room,
                from = rate,
                to = per_second,
                "waiting room's rate follows the load"
            );
        }
        Ok(())
    }

    /// The room standing at `now`, if any: the next opening's, from its pre-queue on, or the
    /// last opening's, while the citizens' window it opened is open.
    pub fn room_at(&self, now: DateTime<Utc>) -> Option<Room> {
        let window = self.windows.window(Channel::WebCitizen);
        if window.is_always_open() {
            return None;
        }
        if !window.is_open(now) {
            let next = window.next_opening(now);
            return (next - now <= self.config.pre_queue).then(|| Room::of(next));
        }
        // Open: the latest opening at or before now (today's or yesterday's start, Rome time).
        let today = to_rome(now).date();
        [today, today - Duration::days(1)]
            .into_iter()
            .filter_map(|day| from_rome(day.and_time(window.start)).earliest())
            .filter(|&t| t <= now)
            .max()
            .map(Room::of)
    }

    /// The line's key of an opening with `salt`: never stored, so a copy of the table does not
    /// tell anyone their place in advance.
    fn line_key(&self, room: &str, salt: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.line_key).expect("HMAC takes any key length");
        mac.update(b"waiting-room\0");
        mac.update(room.as_bytes());
        mac.update(b"\0");
        mac.update(salt);
        mac.finalize().into_bytes().into()
    }

    /// The room's state, opening it when its opening has come (first opener wins, all see the
    /// same), from this process's copy when it is fresh.
    async fn state(&self, store: &dyn Store, room: &Room, now: DateTime<Utc>) -> Result<Option<RoomState>, StoreError> {
        if let Some((name, at, state)) = self.cached.lock().expect("not poisoned").as_ref()
            && *name == room.name
            && at.elapsed() < STATE_FRESH_FOR
            && (state.is_some() || now < room.opens_at)
        {
            return Ok(state.clone());
        }
        let mut state = store.room_state(&room.name).await?;
        if state.is_none() && now >= room.opens_at {
            let salt = crate::secrets::random_bytes::<16>();
            store.open_room(&room.name, &salt, self.config.rate, now).await?;
            state = store.room_state(&room.name).await?;
        }
        if let Some(open) = &state {
            self.follow(store, &room.name, open, now).await?;
        }
        *self.cached.lock().expect("not poisoned") = Some((room.name.clone(), Instant::now(), state.clone()));
        Ok(state)
    }

    /// Whether the routes that start work need a pass at `now`: a room guards them (in its
    /// pre-queue, everyone waits for the draw), or the service is overloaded and one stands up.
    pub async fn guards(&self, store: &dyn Store, now: DateTime<Utc>) -> Result<bool, StoreError> {
        if !self.config.enabled {
            return Ok(false);
        }
        if self.current(store, now).await?.is_some() {
            return Ok(true);
        }
        self.stand_up_on_overload(store, now).await
    }

    /// The browser's ticket of the room standing at `now`: the one it presents (`presented`,
    /// its cookie) if the room has it and its turn has not expired, or a new one at the back.
    /// `None` as the ticket when no room guards the routes (nothing to wait for). A new ticket
    /// counts against `client`'s new tickets this minute.
    pub async fn take(
        &self,
        store: &dyn Store,
        presented: Option<&str>,
        client: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<(Option<String>, Standing), TakeError> {
        let Some(room) = self.ticket_room(store, now).await? else {
            return Ok((None, self.open_standing(None)));
        };
        if let Some(id) = presented
            && let Some(ticket) = store.ticket(&room.name, id).await?
        {
            let standing = self.standing(store, &room, &ticket, now).await?;
            if standing.status.state != QueueState::Expired {
                return Ok((Some(ticket.id), standing));
            }
        }
        if !self.guards(store, now).await? {
            return Ok((None, self.open_standing(Some(&room))));
        }
        if !self.tickets.allow(client, now) {
            return Err(TakeError::TooManyTickets);
        }
        let id = hex::encode(crate::secrets::random_bytes::<16>());
        let ticket = store.take_ticket(&room.name, &id, now).await?;
        let standing = self.standing(store, &room, &ticket, now).await?;
        Ok((Some(ticket.id), standing))
    }

    /// Where ticket `id` stands at `now`; `None` when the room standing has no such ticket.
    pub async fn status(
        &self,
        store: &dyn Store,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Standing>, StoreError> {
        let Some(room) = self.ticket_room(store, now).await? else {
            return Ok(Some(self.open_standing(None)));
        };
        match store.ticket(&room.name, id).await? {
            Some(ticket) => Ok(Some(self.standing(store, &room, &ticket, now).await?)),
            None if !self.guards(store, now).await? => Ok(Some(self.open_standing(Some(&room)))),
            None => Ok(None),
        }
    }

    /// The pass of ticket `id`, if its turn has come and is still kept.
    pub async fn claim(&self, store: &dyn Store, id: Option<&str>, now: DateTime<Utc>) -> Result<Claim, StoreError> {
        let Some(id) = id else {
            return Ok(if self.guards(store, now).await? {
                Claim::NoTicket
            } else {
                Claim::NotNeeded
            });
        };
        let Some(standing) = self.status(store, id, now).await? else {
            return Ok(Claim::NoTicket);
        };
        Ok(match (standing.status.state, standing.room) {
            (QueueState::YourTurn, Some(room)) => {
                let until = now + self.config.pass;
                Claim::Pass {
                    value: self.pass(&room.name, id, until),
                    until,
                }
            }
            (QueueState::Open | QueueState::YourTurn, _) => Claim::NotNeeded,
            (QueueState::PreQueue | QueueState::Waiting | QueueState::Expired, _) => Claim::NotYourTurn,
        })
    }

    /// A pass for `ticket` in `room`, holding until `until`: `room.ticket.until.mac`.
    pub fn pass(&self, room: &str, ticket: &str, until: DateTime<Utc>) -> String {
        let body = format!("{room}.{ticket}.{}", until.timestamp());
        format!("{body}.{}", hex::encode(self.pass_mac(&body)))
    }

    fn pass_mac(&self, body: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.pass_key).expect("HMAC takes any key length");
        mac.update(body.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The pass `value`'s claims if its MAC holds and it has not run out at `now`.
    pub fn check_pass(&self, value: &str, now: DateTime<Utc>) -> Option<PassClaims> {
        let (body, mac) = value.rsplit_once('.')?;
        let mac = hex::decode(mac).ok()?;
        if !crate::secrets::constant_time_eq(&mac, &self.pass_mac(body)) {
            return None;
        }
        let mut parts = body.rsplitn(3, '.');
        let until = DateTime::from_timestamp(parts.next()?.parse().ok()?, 0)?;
        let ticket = parts.next()?.to_owned();
        let room = parts.next()?.to_owned();
        (until > now).then_some(PassClaims { room, ticket, until })
    }

    /// The pass renewed at `now`, when more than half of its life has gone: a citizen who keeps
    /// working keeps it, one who went away loses it.
    pub fn renewal(&self, claims: &PassClaims, now: DateTime<Utc>) -> Option<(String, DateTime<Utc>)> {
        (claims.until - now < self.config.pass / 2).then(|| {
            let until = now + self.config.pass;
            (self.pass(&claims.room, &claims.ticket, until), until)
        })
    }

    /// An operator's change of the rate of the room of the opening `room` (its name), from `now`
    /// (or from the last change, if that is later): 0 pauses, the opening's rate resumes.
    pub async fn change_rate(
        &self,
        store: &dyn Store,
        room: &str,
        per_second: f64,
        now: DateTime<Utc>,
    ) -> Result<RateChange, RateChangeError> {
        if per_second != 0.0 && !(self.config.min_rate <= per_second && per_second <= self.config.max_rate) {
            return Err(RateChangeError::OutOfBounds {
                min: self.config.min_rate,
                max: self.config.max_rate,
            });
        }
        let state = store
            .room_state(room)
            .await?
            .ok_or_else(|| RateChangeError::NotOpen(room.to_owned()))?;
        let from = state.rates.last().map_or(now, |last| last.from.max(now));
        let mut rule = admissions(&state);
        rule.change(from, per_second)?;
        let change = RateChange {
            from,
            per_second,
            automatic: false,
        };
        if !store.change_rate(room, change).await? {
            return Err(RateChangeError::NotOpen(room.to_owned()));
        }
        Ok(change)
    }

    /// The rate the room was opened with, to resume at.
    pub async fn opening_rate(&self, store: &dyn Store, room: &str) -> Result<Option<f64>, StoreError> {
        Ok(store
            .room_state(room)
            .await?
            .and_then(|s| s.rates.first().map(|r| r.per_second)))
    }

    fn open_standing(&self, room: Option<&Room>) -> Standing {
        Standing {
            room: room.cloned(),
            status: QueueStatus {
                opens_at: room.map(|r| r.opens_at.into()),
                ..status(QueueState::Open, 0)
            },
        }
    }

    async fn standing(
        &self,
        store: &dyn Store,
        room: &Room,
        ticket: &TicketRecord,
        now: DateTime<Utc>,
    ) -> Result<Standing, StoreError> {
        let opens_at = Some(room.opens_at.into());
        let state = if now < room.opens_at {
            None
        } else {
            self.state(store, room, now).await?
        };
        let Some(state) = state else {
            // Before the opening: nobody has a place yet; ask again by the opening.
            let until = (room.opens_at - now).num_seconds().max(1);
            return Ok(Standing {
                room: Some(room.clone()),
                status: QueueStatus {
                    opens_at,
                    ..status(QueueState::PreQueue, until.clamp(1, 30) as u32)
                },
            });
        };
        let rule = admissions(&state);
        let place = state.opening.arrival(ticket.drawn).and_then(|arrival| {
            state
                .opening
                .line(self.line_key(&room.name, &state.opening.salt))
                .place(arrival)
        });
        let Some(place) = place else {
            // Numbered on a counter after a cached state was read: the next poll, with a fresh
            // state, places it.
            return Ok(Standing {
                room: Some(room.clone()),
                status: QueueStatus {
                    opens_at,
                    ..status(QueueState::Waiting, 1)
                },
            });
        };
        let admitted = rule.admitted_by(now);
        let status = if place >= admitted {
            let ahead = place - admitted;
            let observed = observed_rate(&rule, now);
            let wait = wait_range(ahead, observed);
            // The rate in force, or the opening's for a moment just before it (a clock a
            // little behind the opener's): a room about to move is not paused.
            let rate = rule.rate_at(now.max(state.opening.opened_at));
            // Ask again about a tenth of the way to the turn: often near it, rarely far from it.
            let poll = if rate > 0.0 {
                (ahead as f64 / rate / 10.0).clamp(1.0, 30.0) as u32
            } else {
                30
            };
            QueueStatus {
                opens_at,
                position: Some(ahead + 1),
                ahead: Some(ahead),
                wait_minutes_low: wait.map(|w| w.0),
                wait_minutes_high: wait.map(|w| w.1),
                last_moved_at: rule.reached_at(admitted).map(Into::into),
                paused: rate == 0.0,
                ..status(QueueState::Waiting, poll)
            }
        } else {
            let turn = rule.reached_at(place + 1).unwrap_or(now);
            if now - turn <= self.config.keep {
                QueueStatus {
                    opens_at,
                    claim_by: Some((turn + self.config.keep).into()),
                    ..status(QueueState::YourTurn, 0)
                }
            } else {
                QueueStatus {
                    opens_at,
                    ..status(QueueState::Expired, 0)
                }
            }
        };
        Ok(Standing {
            room: Some(room.clone()),
            status,
        })
    }
}

/// Whether a surge room opened as `state` says still stands at `now`: for its first minute, and
/// while its line is not empty.
fn surge_stands(state: &RoomState, now: DateTime<Utc>) -> bool {
    admissions(state).admitted_by(now) < state.taken() || now - state.opening.opened_at < SURGE_AT_LEAST
}

/// The surge room of `generation`, opened as `state` says.
fn surge_room(generation: u64, state: &RoomState) -> Room {
    Room {
        opens_at: state.opening.opened_at,
        name: surge_name(generation),
    }
}

/// The rate a room letting in `rate` a second should move to by `load`, if any: a quarter down
/// while at least 1 % of requests are shed (the work let in is more than the service takes), a
/// quarter up while nothing is shed, the work in flight stays under half the bound and people
/// wait; within the configured bounds, and only by at least 5 % (no churn of the rate's
/// history). A paused room stays paused: only an operator pauses.
fn followed_rate(rate: f64, load: &Reading, waiting: bool, config: &QueueConfig) -> Option<f64> {
    if rate <= 0.0 {
        return None;
    }
    let target = if load.shed >= 5 && load.shed * 100 >= load.requests {
        rate * 0.75
    } else if load.shed == 0 && waiting && load.peak_in_flight * 2 <= load.max_in_flight {
        rate * 1.25
    } else {
        return None;
    };
    let target = target.clamp(config.min_rate, config.max_rate);
    ((target - rate).abs() >= rate * 0.05).then_some(target)
}

/// A status of `state` with nothing else said.
fn status(state: QueueState, poll_after_seconds: u32) -> QueueStatus {
    QueueStatus {
        state,
        opens_at: None,
        position: None,
        ahead: None,
        wait_minutes_low: None,
        wait_minutes_high: None,
        last_moved_at: None,
        paused: false,
        claim_by: None,
        poll_after_seconds,
    }
}

/// The room's admissions from its stored rate history.
fn admissions(state: &RoomState) -> Admissions {
    let mut rates = state.rates.iter();
    let first = rates.next().map_or(0.0, |r| r.per_second);
    let mut rule = Admissions::opening(state.opening.opened_at, first)
        .unwrap_or_else(|_| Admissions::opening(state.opening.opened_at, 0.0).expect("0 is a rate"));
    for change in rates {
        // A change the rules refuse (out of order, not a rate) was never written by this
        // service; it is skipped rather than stop the room.
        let _ = rule.change(change.from, change.per_second);
    }
    rule
}

/// Places let in per second over the last minute (or since the opening, if less).
fn observed_rate(rule: &Admissions, now: DateTime<Utc>) -> f64 {
    let opened = rule.segments().first().map_or(now, |s| s.from);
    let since = (now - OBSERVED_OVER).max(opened);
    let seconds = (now - since).num_milliseconds() as f64 / 1000.0;
    if seconds < 1.0 {
        // Just opened: the rate in force is all there is to go by.
        return rule.rate_at(now);
    }
    (rule.admitted_by(now) - rule.admitted_by(since)) as f64 / seconds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rooms() -> Rooms {
        let config = QueueConfig {
            enabled: true,
            on_overload: true,
            follow: true,
            tickets_per_minute: 60,
            pre_queue: Duration::minutes(30),
            rate: 100.0,
            min_rate: 1.0,
            max_rate: 2_000.0,
            keep: Duration::minutes(15),
            pass: Duration::minutes(20),
        };
        Rooms::new(
            config,
            WindowConfig::default(),
            &PinKey::new([7; 32]),
            Arc::new(LoadMeter::new(512)),
        )
    }

    fn rome(text: &str) -> DateTime<Utc> {
        from_rome(chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap())
            .single()
            .unwrap()
    }

    #[test]
    fn a_room_stands_from_its_pre_queue_through_the_window_it_opens() {
        let r = rooms();
        let four_pm = rome("2020-04-01 16:00");
        assert_eq!(r.room_at(rome("2020-04-01 15:29")), None);
        assert_eq!(r.room_at(rome("2020-04-01 15:30")).unwrap().opens_at, four_pm);
        assert_eq!(
            r.room_at(rome("2020-04-01 16:00")).unwrap().name,
            "2020-04-01T14:00:00Z"
        );
        assert_eq!(r.room_at(rome("2020-04-02 03:00")).unwrap().opens_at, four_pm);
        assert_eq!(r.room_at(rome("2020-04-02 08:00")), None, "the window closed");
    }

    #[test]
    fn a_pass_holds_for_its_ticket_until_it_runs_out_and_is_renewed_past_half_its_life() {
        let r = rooms();
        let now = rome("2020-04-01 16:01");
        let until = now + Duration::minutes(20);
        let pass = r.pass("2020-04-01T14:00:00Z", "abc", until);
        let claims = r.check_pass(&pass, now).unwrap();
        assert_eq!(
            (claims.room.as_str(), claims.ticket.as_str(), claims.until),
            ("2020-04-01T14:00:00Z", "abc", until)
        );
        assert_eq!(r.check_pass(&pass, until), None, "run out");
        let forged = pass.replacen("abc", "abd", 1);
        assert_eq!(r.check_pass(&forged, now), None, "another ticket's");
        assert_eq!(r.check_pass("nonsense", now), None);
        let other_key = Rooms::new(
            *r.config(),
            WindowConfig::default(),
            &PinKey::new([8; 32]),
            r.load().clone(),
        );
        assert_eq!(other_key.check_pass(&pass, now), None, "another server's key");
        assert_eq!(r.renewal(&claims, now + Duration::minutes(9)), None);
        let (renewed, new_until) = r.renewal(&claims, now + Duration::minutes(11)).unwrap();
        assert_eq!(new_until, now + Duration::minutes(31));
        assert_eq!(
            r.check_pass(&renewed, now + Duration::minutes(25)).unwrap().ticket,
            "abc"
        );
    }

    #[test]
    fn the_rate_follows_the_load_within_its_bounds_and_never_unpauses() {
        let r = rooms();
        let load = |requests, shed, peak_in_flight| Reading {
            requests,
            shed,
            peak_in_flight,
            max_in_flight: 512,
        };
        let config = r.config();
        assert_eq!(
            followed_rate(100.0, &load(1_000, 20, 512), true, config),
            Some(75.0),
            "2 % shed: a quarter down"
        );
        assert_eq!(
            followed_rate(100.0, &load(1_000, 4, 512), true, config),
            None,
            "a few refusals are not a trend"
        );
        assert_eq!(
            followed_rate(100.0, &load(1_000, 0, 100), true, config),
            Some(125.0),
            "room to spare and people waiting: a quarter up"
        );
        assert_eq!(
            followed_rate(100.0, &load(1_000, 0, 300), true, config),
            None,
            "more than half the bound in flight: hold"
        );
        assert_eq!(
            followed_rate(100.0, &load(1_000, 0, 10), false, config),
            None,
            "nobody waits: nothing to let in faster"
        );
        assert_eq!(
            followed_rate(1_900.0, &load(1_000, 0, 10), true, config),
            Some(2_000.0),
            "up to the highest rate"
        );
        assert_eq!(followed_rate(2_000.0, &load(1_000, 0, 10), true, config), None);
        assert_eq!(
            followed_rate(1.2, &load(1_000, 500, 512), true, config),
            Some(1.0),
            "down to the lowest rate"
        );
        assert_eq!(
            followed_rate(1.0, &load(1_000, 500, 512), true, config),
            None,
            "and held there"
        );
        assert_eq!(
            followed_rate(1_990.0, &load(1_000, 0, 10), true, config),
            None,
            "a change under 5 % is churn"
        );
        assert_eq!(
            followed_rate(0.0, &load(1_000, 0, 10), true, config),
            None,
            "a paused room waits for its operator"
        );
    }

    #[test]
    fn the_observed_rate_is_what_was_let_in_over_the_last_minute() {
        let opened = rome("2020-04-01 16:00");
        let mut rule = Admissions::opening(opened, 100.0).unwrap();
        rule.change(opened + Duration::seconds(120), 0.0).unwrap();
        assert_eq!(observed_rate(&rule, opened), 100.0);
        assert_eq!(observed_rate(&rule, opened + Duration::seconds(30)), 100.0);
        assert_eq!(
            observed_rate(&rule, opened + Duration::seconds(150)),
            50.0,
            "paused half the minute"
        );
        assert_eq!(observed_rate(&rule, opened + Duration::seconds(200)), 0.0);
    }
}
