//! How long the server waits for a slow client, and how many it holds at once (`SPORTELLO_*`
//! below). A client that sends its headers and then trickles its body must not hold what other
//! citizens need: the headers, the body and the whole request each have a deadline, the number of
//! open connections is capped, and a request takes an in-flight permit only once its body has
//! arrived (`http::slow_clients`, `server::listener`; ADR 0019).

use std::time::Duration;

use super::env::number;
use super::error::ConfigError;

/// The deadlines and caps of the local server's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's headers must have arrived this long after its first byte, or after the
    /// previous answer on a kept-alive connection (`SPORTELLO_HEADER_TIMEOUT_SECONDS`, 10).
    pub header_timeout: Duration,
    /// Its body must have arrived this long after its headers (`SPORTELLO_BODY_TIMEOUT_SECONDS`,
    /// 10): a citizen's form is a few hundred bytes, which even 2G sends in well under a second.
    pub body_timeout: Duration,
    /// The answer must be on its way this long after the headers (`SPORTELLO_REQUEST_TIMEOUT_SECONDS`,
    /// 30); past it, 503 with Retry-After, which the SPA retries by itself.
    pub request_timeout: Duration,
    /// Open connections at most (`SPORTELLO_MAX_CONNECTIONS`, 4096); beyond, new ones wait in
    /// the listen queue until one closes. Keep it under the process's file limit (`ulimit -n`).
    pub max_connections: usize,
    /// A request body's size at most (`SPORTELLO_MAX_BODY_BYTES`, 65536): the largest the API
    /// takes, an application with its declarations, is under 4 KB.
    pub max_body_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 4096,
            max_body_bytes: 64 * 1024,
        }
    }
}

impl ConnectionLimits {
    /// Reads the limits, each within a range that keeps the server usable.
    pub(super) fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<ConnectionLimits, ConfigError> {
        let defaults = ConnectionLimits::default();
        let seconds = |var, default: Duration, max| -> Result<Duration, ConfigError> {
            Ok(Duration::from_secs(
                number(lookup, var, default.as_secs() as i64, 1..=max)? as u64,
            ))
        };
        Ok(ConnectionLimits {
            header_timeout: seconds("SPORTELLO_HEADER_TIMEOUT_SECONDS", defaults.header_timeout, 300)?,
            body_timeout: seconds("SPORTELLO_BODY_TIMEOUT_SECONDS", defaults.body_timeout, 300)?,
            request_timeout: seconds("SPORTELLO_REQUEST_TIMEOUT_SECONDS", defaults.request_timeout, 900)?,
            max_connections: number(
                lookup,
                "SPORTELLO_MAX_CONNECTIONS",
                defaults.max_connections as i64,
                16..=1_000_000,
            )? as usize,
            max_body_bytes: number(
                lookup,
                "SPORTELLO_MAX_BODY_BYTES",
                defaults.max_body_bytes as i64,
                1024..=16 * 1024 * 1024,
            )? as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(vars: &[(&str, &str)]) -> Result<ConnectionLimits, ConfigError> {
        ConnectionLimits::from_lookup(&|var: &str| vars.iter().find(|(k, _)| *k == var).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn the_defaults_are_safe_and_each_limit_can_be_set() {
        assert_eq!(limits(&[]).unwrap(), ConnectionLimits::default());
        let set = limits(&[
            ("SPORTELLO_HEADER_TIMEOUT_SECONDS", "3"),
            ("SPORTELLO_BODY_TIMEOUT_SECONDS", "4"),
            ("SPORTELLO_REQUEST_TIMEOUT_SECONDS", "5"),
            ("SPORTELLO_MAX_CONNECTIONS", "800"),
            ("SPORTELLO_MAX_BODY_BYTES", "2048"),
        ])
        .unwrap();
        assert_eq!(set.header_timeout, Duration::from_secs(3));
        assert_eq!(set.body_timeout, Duration::from_secs(4));
        assert_eq!(set.request_timeout, Duration::from_secs(5));
        assert_eq!(set.max_connections, 800);
        assert_eq!(set.max_body_bytes, 2048);
    }

    #[test]
    fn a_limit_that_would_disable_the_server_is_refused_by_name() {
        for (var, value) in [
            ("SPORTELLO_HEADER_TIMEOUT_SECONDS", "0"),
            ("SPORTELLO_BODY_TIMEOUT_SECONDS", "forever"),
            ("SPORTELLO_MAX_CONNECTIONS", "1"),
            ("SPORTELLO_MAX_BODY_BYTES", "10"),
        ] {
            let err = limits(&[(var, value)]).unwrap_err();
            assert!(err.to_string().contains(var), "{err}");
        }
    }
}
