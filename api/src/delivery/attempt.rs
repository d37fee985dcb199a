//! One delivery attempt: claim, open, hand over, record; and when to retry.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::DeliveryConfig;
use crate::notifier::Notifier;
use crate::outbox::{Content, Sealer};
use crate::store::{DeliveryOutcome, Notification, OutboxMessage, Store, StoreError};

/// The longest wait between two attempts.
const RETRY_CAP: Duration = Duration::from_secs(15 * 60);

/// When to retry and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before a message is dead.
    pub max_attempts: u32,
    /// The first wait; each further one doubles, up to [`RETRY_CAP`].
    pub base: Duration,
    /// How long a claim holds.
    pub lease: Duration,
}

impl RetryPolicy {
    /// The policy of `config`.
    pub fn of(config: &DeliveryConfig) -> RetryPolicy {
        RetryPolicy {
            max_attempts: config.max_attempts,
            base: config.retry_base,
            lease: config.lease,
        }
    }

    /// When to try again after the `attempts`-th failed attempt at `now` (`None`: never), with
    /// full jitter (`jitter` in 0..1 picks the point of the window): retries of many messages
    /// failed by one outage spread out instead of coming back together.
    pub fn retry_at(&self, attempts: u32, now: DateTime<Utc>, jitter: f64) -> Option<DateTime<Utc>> {
        if attempts >= self.max_attempts {
            return None;
        }
        let window = self
            .base
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(20))
            .min(RETRY_CAP);
        // Never less than a tenth of the window: a retry at once would just fail again.
        let wait = window.mul_f64(0.1 + 0.9 * jitter.clamp(0.0, 1.0));
        Some(now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX))
    }
}

/// A number in 0..1 from the OS's randomness, for jitter.
pub fn jitter() -> f64 {
    let bytes = crate::secrets::random_bytes::<4>();
    f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX)
}

/// What became of one message handed to [`deliver_one`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// Another worker has it, or it is no longer due (sent, dead, not yet time).
    NotClaimed,
    /// Claimed and handed over: this is how it ended.
    Finished(DeliveryOutcome),
}

/// Claims message `id`, opens it, hands it to `carrier` and records the outcome. The claim
/// (one more attempt, a lease) is on disk before the hand-off; a crash after the hand-off and
/// before the record lets the lease lapse, and the message goes once more (ADR 0015).
pub async fn deliver_one(
    store: &dyn Store,
    sealer: &Sealer,
    carrier: &dyn Notifier,
    policy: RetryPolicy,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Delivered, StoreError> {
    let lease_until = now + chrono::Duration::from_std(policy.lease).unwrap_or(chrono::Duration::MAX);
    let Some(message) = store.claim_message(id, now, lease_until).await? else {
        return Ok(Delivered::NotClaimed);
    };
    let started = std::time::Instant::now();
    let outcome = match sealer.open(&message) {
        Ok(content) => match carrier.send(notification(&message, content)).await {
            Ok(()) => DeliveryOutcome::Sent(moved_on(now, started)),
            Err(e) => failed(&message, policy, e.to_string(), now),
        },
        // Sealed under another key, or moved: it can never open, so it is dead at once.
        Err(e) => DeliveryOutcome::Failed {
            error: e.to_string(),
            retry_at: None,
        },
    };
    record(store, &message, &outcome).await?;
    Ok(Delivered::Finished(outcome))
}

/// `now` moved on by the time since `started`: when the carrier took a message, on the clock the
/// caller reads (the settable dev clock in dev mode, whose 12-hour rule reads `sent_at`), not on
/// the system's.
pub(super) fn moved_on(now: DateTime<Utc>, started: std::time::Instant) -> DateTime<Utc> {
    now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default()
}

/// The outcome of a failed attempt of `message` under `policy`.
pub fn failed(message: &OutboxMessage, policy: RetryPolicy, error: String, now: DateTime<Utc>) -> DeliveryOutcome {
    DeliveryOutcome::Failed {
        error,
        retry_at: policy.retry_at(message.attempts, now, jitter()),
    }
}

/// Records `outcome` and says so in the log (never the content); a dead message is the alarm's
/// event (the metric filter on AWS counts "message dead").
pub async fn record(store: &dyn Store, message: &OutboxMessage, outcome: &DeliveryOutcome) -> Result<(), StoreError> {
    store.finish_message(&message.id, outcome).await?;
    let (channel, kind) = (message.channel.as_str(), message.kind.as_str());
    match outcome {
        DeliveryOutcome::Sent(_) => tracing::info!(channel, kind, id = %message.id, "message sent"),
        DeliveryOutcome::Failed {
            error,
            retry_at: Some(at),
        } => {
            tracing::warn!(channel, kind, id = %message.id, attempts = message.attempts, %error, retry_at = %at, "message failed, will retry")
        }
        DeliveryOutcome::Failed { error, retry_at: None } => {
            tracing::error!(channel, kind, id = %message.id, attempts = message.attempts, %error, alarm = "delivery", "message dead")
        }
    }
    Ok(())
}

/// The notification a carrier takes for `message`.
pub fn notification(message: &OutboxMessage, content: Content) -> Notification {
    Notification {
        channel: message.channel,
        recipient: content.recipient,
        codice_fiscale: message.codice_fiscale.clone(),
        subject: content.subject,
        body: content.body,
        message_id: Some(message.id.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_with_jitter_up_to_a_cap_and_stop_at_the_last_attempt() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base: Duration::from_secs(10),
            lease: Duration::from_secs(60),
        };
        let now = Utc::now();
        let wait = |attempts, jitter| (policy.retry_at(attempts, now, jitter).unwrap() - now).num_milliseconds();
        assert_eq!(wait(1, 1.0), 10_000);
        assert_eq!(wait(2, 1.0), 20_000);
        assert_eq!(wait(4, 1.0), 80_000);
        assert_eq!(wait(1, 0.0), 1_000, "never less than a tenth of the window");
        assert!(policy.retry_at(5, now, 0.5).is_none(), "the fifth failure is the last");
        let long = RetryPolicy {
            max_attempts: 100,
            ..policy
        };
        assert_eq!(
            (long.retry_at(60, now, 1.0).unwrap() - now).num_seconds(),
            15 * 60,
            "capped, no overflow"
        );
        let j = jitter();
        assert!((0.0..=1.0).contains(&j));
    }

    #[test]
    fn a_hand_over_is_dated_on_the_callers_clock_not_the_systems() {
        // The dev clock set to 1 April 2020: the 12-hour rule reads `sent_at` on that clock.
        let now = DateTime::parse_from_rfc3339("2020-04-01T07:00:00+02:00")
            .unwrap()
            .to_utc();
        let started = std::time::Instant::now();
        std::thread::sleep(Duration::from_millis(5));
        let sent = moved_on(now, started);
        assert!(sent >= now + chrono::Duration::milliseconds(5), "{sent}");
        assert!(sent < now + chrono::Duration::seconds(60), "{sent}");
    }
}
