//! A per-client limit on attempts (logins, PIN requests), so that one client cannot try PINs for
//! many codici fiscali nor flood the PIN service. In-process and per instance: on AWS the WAF's
//! rate-based rule is the limit across instances.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
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

/// The client's address: the socket peer locally; on Lambda, API Gateway's source IP (which
/// lambda_http puts in the request context), falling back to "unspecified" (one shared bucket).
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            return Ok(ClientAddr(addr.ip()));
        }
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        Ok(ClientAddr(forwarded.unwrap_or(IpAddr::from([0, 0, 0, 0]))))
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
}
