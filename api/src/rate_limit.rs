//! A per-client limit on attempts (logins, PIN requests), so that one client cannot try PINs for
//! many codici fiscali nor flood the PIN service. In-process and per instance: on AWS the WAF's
//! rate-based rule is the limit across instances.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// Counts attempts per client address in fixed one-minute windows.
pub struct ClientRateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl ClientRateLimiter {
    /// At most `per_minute` attempts per client per minute.
    pub fn new(per_minute: u32) -> ClientRateLimiter {
        ClientRateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt by `client` at `now`; false when it is over the limit.
    pub fn allow(&self, client: IpAddr, now: DateTime<Utc>) -> bool {
        let minute = now.timestamp() / 60;
        let mut windows = self.windows.lock().expect("rate limiter mutex");
        if windows.len() > 100_000 {
            // Forget finished windows rather than grow without bound under a spray of addresses.
            windows.retain(|_, (m, _)| *m == minute);
        }
        let entry = windows.entry(client).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_minute
    }
}

/// How many reports are taken: a few per client per minute, and a ceiling for all clients
/// together, so that a spray of addresses cannot flood the log either.
pub struct ReportLimits {
    per_client: ClientRateLimiter,
    total: ClientRateLimiter,
}

impl ReportLimits {
    /// `per_client` reports per client per minute, `total` per minute in all.
    pub fn new(per_client: u32, total: u32) -> ReportLimits {
        ReportLimits {
            per_client: ClientRateLimiter::new(per_client),
            total: ClientRateLimiter::new(total),
        }
    }

    /// Counts one report by `client` at `now`; false when over either limit.
    pub fn allow(&self, client: IpAddr, now: DateTime<Utc>) -> bool {
        self.per_client.allow(client, now) && self.total.allow(IpAddr::from([0, 0, 0, 0]), now)
    }
}

impl Default for ReportLimits {
    fn default() -> Self {
        ReportLimits::new(5, 600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_the_limit_is_refused_until_the_next_minute_and_others_are_not() {
        let limiter = ClientRateLimiter::new(3);
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.3".parse().unwrap();
        let t = DateTime::parse_from_rfc3339("2026-11-23T10:00:05Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!((0..3).all(|_| limiter.allow(a, t)));
        assert!(!limiter.allow(a, t));
        assert!(limiter.allow(b, t));
        assert!(limiter.allow(a, t + chrono::Duration::seconds(60)));
    }

    #[test]
    fn reports_are_limited_per_client_and_in_total() {
        let limits = ReportLimits::new(2, 3);
        let now = Utc::now();
        let a = IpAddr::from([127, 0, 0, 2]);
        let b = IpAddr::from([127, 0, 0, 3]);
        let c = IpAddr::from([127, 0, 0, 4]);
        assert!(limits.allow(a, now) && limits.allow(a, now));
        assert!(!limits.allow(a, now), "a third from the same client");
        assert!(limits.allow(b, now), "another client");
        assert!(!limits.allow(c, now), "over the total");
    }
}
