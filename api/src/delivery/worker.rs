//! The local delivery worker: runs inside the server over the SQLite outbox, one lane per carrier
//! (SMS; e-mail and PEC, which share the SMTP server's rate; letters, in batches), each at its
//! carrier's rate. A lane sleeps until an event writes messages or its poll comes round (which is
//! also when retries fall due), so a PIN request's SMS leaves within milliseconds of the answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use super::letters::{self, LetterSink};
use super::pace::Pace;
pub use super::wake::Wake;
use super::{Delivered, RetryPolicy, deliver_one};
use crate::AppState;
use crate::clock::Clock;
pub use crate::config::faults::CrashPlan;
use crate::notifier::Notifier;
use crate::outbox::Sealer;
use crate::store::{Channel, DeliveryOutcome, Store};

/// How many due messages a lane reads at a time.
const BATCH: usize = 100;
/// How long an idle lane sleeps when nothing wakes it.
const POLL: Duration = Duration::from_millis(500);

enum Carrier {
    One(Arc<dyn Notifier>),
    Letters(Arc<dyn LetterSink>),
}

struct Lane {
    name: &'static str,
    channels: &'static [Channel],
    carrier: Carrier,
    per_second: Option<u32>,
}

struct Shared {
    store: Arc<dyn Store>,
    sealer: Arc<Sealer>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
    crash: CrashPlan,
    sent: AtomicU32,
}

/// Starts a lane for each channel that has a carrier; a channel without one keeps its messages
/// queued and sealed (logged once here) until the server is restarted with one.
pub fn spawn(state: &AppState) {
    let carriers = &state.carriers;
    let delivery = &state.config.delivery;
    let shared = Arc::new(Shared {
        store: state.store.clone(),
        sealer: state.sealer.clone(),
        clock: state.clock.clone(),
        policy: RetryPolicy::of(delivery),
        crash: state.config.faults.crash,
        sent: AtomicU32::new(0),
    });
    let claimed = Arc::new(AtomicU32::new(0));
    let crash_plan = state.config.faults.crash;
    let with_crash = |carrier: &Arc<dyn Notifier>| -> Arc<dyn Notifier> {
        match crash_plan.before_send {
            Some(at) => Arc::new(CrashBeforeSend {
                inner: carrier.clone(),
                claimed: claimed.clone(),
                at,
            }),
            None => carrier.clone(),
        }
    };
    let mut lanes = Vec::new();
    match &carriers.sms {
        Some(c) => lanes.push(Lane {
            name: "sms",
            channels: &[Channel::Sms],
            carrier: Carrier::One(with_crash(c)),
            per_second: Some(delivery.sms_per_second),
        }),
        None => tracing::warn!("no SMS carrier configured: SMS wait in the outbox, sealed"),
    }
    match &carriers.mail {
        Some(c) => lanes.push(Lane {
            name: "mail",
            channels: &[Channel::Email, Channel::Pec],
            carrier: Carrier::One(with_crash(c)),
            per_second: Some(delivery.smtp_per_second),
        }),
        None => {
            tracing::warn!("no SMTP server configured (SPORTELLO_SMTP_URL): e-mail and PEC wait in the outbox, sealed")
        }
    }
    match &carriers.letters {
        Some(sink) => lanes.push(Lane {
            name: "letters",
            channels: &[Channel::Post],
            carrier: Carrier::Letters(sink.clone()),
            per_second: None,
        }),
        None => tracing::warn!("no letters feed configured: letters wait in the outbox, sealed"),
    }
    for lane in lanes {
        let wake = state.outbox_written.subscribe();
        tokio::spawn(run(shared.clone(), lane, wake));
    }
}

async fn run(shared: Arc<Shared>, lane: Lane, mut wake: watch::Receiver<u64>) {
    let mut pace = lane.per_second.map(Pace::per_second);
    loop {
        // Marked seen before reading, so that a write during the round wakes the next one.
        wake.borrow_and_update();
        let due = match shared
            .store
            .due_messages(lane.channels, shared.clock.now(), BATCH)
            .await
        {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(lane = lane.name, error = %e, "cannot read the outbox; trying again");
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        if due.is_empty() {
            tokio::select! {
                _ = wake.changed() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            continue;
        }
        let result = match &lane.carrier {
            Carrier::One(carrier) => {
                let mut result = Ok(());
                for message in due {
                    if let Some(pace) = pace.as_mut() {
                        pace.wait_turn().await;
                    }
                    if let Err(e) = one(&shared, carrier.as_ref(), &message.id).await {
                        result = Err(e);
                        break;
                    }
                }
                result
            }
            Carrier::Letters(sink) => {
                let ids: Vec<String> = due.into_iter().map(|m| m.id).collect();
                letters::export(
                    shared.store.as_ref(),
                    &shared.sealer,
                    sink.as_ref(),
                    shared.policy,
                    &ids,
                    shared.clock.now(),
                )
                .await
                .map(|results| {
                    let sent = results
                        .iter()
                        .filter(|(_, d)| matches!(d, Delivered::Finished(DeliveryOutcome::Sent(_))))
                        .count();
                    shared.after_sent(sent as u32);
                })
            }
        };
        if let Err(e) = result {
            tracing::warn!(lane = lane.name, error = %e, "the outbox failed mid-round; trying again");
            tokio::time::sleep(POLL).await;
        }
    }
}

/// One message through `carrier`.
async fn one(shared: &Shared, carrier: &dyn Notifier, id: &str) -> Result<(), crate::store::StoreError> {
    let delivered = deliver_one(
        shared.store.as_ref(),
        &shared.sealer,
        carrier,
        shared.policy,
        id,
        shared.clock.now(),
    )
    .await?;
    if matches!(delivered, Delivered::Finished(DeliveryOutcome::Sent(_))) {
        shared.after_sent(1);
    }
    Ok(())
}

impl Shared {
    fn after_sent(&self, n: u32) {
        let total = self.sent.fetch_add(n, Ordering::SeqCst) + n;
        if self.crash.after_sent.is_some_and(|at| total >= at) {
            tracing::error!(sent = total, "injected crash after the message was recorded sent");
            std::process::abort();
        }
    }
}

/// A carrier that aborts the process on the N-th hand-off (counted over every lane), after
/// `deliver_one` recorded the claim and before the message is passed on.
struct CrashBeforeSend {
    inner: Arc<dyn Notifier>,
    claimed: Arc<AtomicU32>,
    at: u32,
}

#[async_trait::async_trait]
impl Notifier for CrashBeforeSend {
    async fn send(&self, notification: crate::store::Notification) -> Result<(), crate::notifier::NotifyError> {
        if self.claimed.fetch_add(1, Ordering::SeqCst) + 1 >= self.at {
            tracing::error!("injected crash after the claim, before the hand-off");
            std::process::abort();
        }
        self.inner.send(notification).await
    }
}
