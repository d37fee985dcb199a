//! What the binaries log, and what they never do.
//!
//! `RUST_LOG` chooses the levels (by default `info,tower_http=warn`). However verbose it is set
//! while chasing a problem, the crates whose TRACE events carry whole messages stay at DEBUG:
//! - the AWS SDK's orchestrator logs each DynamoDB request and response with its items (codici
//!   fiscali, IBANs, PIN hashes), and SigV4 the request it signs;
//! - lambda_runtime logs each API Gateway event raw (cookies, bodies with PINs);
//! - the HTTP clients log what they send (the OpenID token request's code and client assertion).
//!
//! Personal data and secrets must never reach CloudWatch, so this is not left to whoever sets
//! `RUST_LOG` on a busy day.

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The levels when `RUST_LOG` is unset or unreadable.
const DEFAULT_LEVELS: &str = "info,tower_http=warn";

/// Crates whose TRACE events hold whole HTTP messages or events (see the module's comment).
const WIRE_LOGGERS: [&str; 11] = [
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http",
    "aws_smithy_http_client",
    "aws_sigv4",
    "lambda_runtime",
    "lambda_http",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
];

/// Where the logs go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A terminal or a file: standard output, with the time.
    Local,
    /// Lambda: standard error, which CloudWatch stamps with the time itself, without colours.
    Lambda,
}

/// Installs the process's logger: `RUST_LOG`'s levels under [`wire_cap`], as JSON if `json`.
pub fn init(destination: Destination, json: bool) {
    let filter = levels(std::env::var("RUST_LOG").ok().as_deref());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match (destination, json) {
        (Destination::Local, false) => builder.finish().with(wire_cap()).init(),
        (Destination::Local, true) => builder.json().finish().with(wire_cap()).init(),
        (Destination::Lambda, json) => {
            let builder = builder.with_writer(std::io::stderr).with_ansi(false).without_time();
            if json {
                builder.json().finish().with(wire_cap()).init()
            } else {
                builder.finish().with(wire_cap()).init()
            }
        }
    }
}

/// The levels `rust_log` asks for (`RUST_LOG`'s syntax), or the defaults if it is unset or cannot
/// be read (a typo must not silence the service).
pub fn levels(rust_log: Option<&str>) -> EnvFilter {
    rust_log
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_LEVELS))
}

/// Everything allowed, except TRACE from the [`WIRE_LOGGERS`]: a filter over whatever
/// [`levels`] lets through.
pub fn wire_cap() -> Targets {
    WIRE_LOGGERS.into_iter().fold(
        Targets::new().with_default(LevelFilter::TRACE),
        |targets, crate_name| targets.with_target(crate_name, LevelFilter::DEBUG),
    )
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::*;

    #[test]
    fn the_wire_loggers_trace_is_cut_and_their_debug_kept() {
        let cap = wire_cap();
        for target in [
            "aws_smithy_runtime::client::orchestrator",
            "aws_sigv4::http_request::sign",
            "lambda_runtime::layers::api_response",
            "reqwest::connect",
            "hyper_util::client::legacy::pool",
        ] {
            assert!(!cap.would_enable(target, &Level::TRACE), "{target} at TRACE");
            assert!(cap.would_enable(target, &Level::DEBUG), "{target} at DEBUG");
        }
    }

    #[test]
    fn everything_else_is_left_to_rust_log() {
        let cap = wire_cap();
        for target in ["api::store::dynamodb", "api::routes::session", "tower_http::trace"] {
            assert!(cap.would_enable(target, &Level::TRACE), "{target}");
        }
    }

    #[test]
    fn unset_or_unreadable_rust_log_means_info() {
        assert_eq!(levels(None).max_level_hint(), Some(LevelFilter::INFO));
        assert_eq!(levels(Some("api=notalevel")).max_level_hint(), Some(LevelFilter::INFO));
        assert_eq!(
            levels(Some("warn,api=trace")).max_level_hint(),
            Some(LevelFilter::TRACE)
        );
    }
}
