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
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    /// What a test subscriber wrote.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    /// Emits one event per interesting target and level under `RUST_LOG=rust_log` and returns
    /// what was written.
    fn logged_with(rust_log: Option<&str>) -> String {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(levels(rust_log))
            .with_writer(captured.clone())
            .with_ansi(false)
            .finish()
            .with(wire_cap());
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "transmitting request IBAN-IN-A-BODY");
            tracing::trace!(target: "lambda_runtime::layers::api_response", "raw JSON event PIN-IN-AN-EVENT");
            tracing::trace!(target: "reqwest::connect", "CODE-IN-A-TOKEN-REQUEST");
            tracing::debug!(target: "aws_smithy_runtime::client::orchestrator", "beginning attempt #1");
            tracing::trace!(target: "api::store", "own trace event");
            tracing::info!(target: "api::server", "listening");
            tracing::debug!(target: "api::server", "own debug event");
        });
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn rust_log_trace_never_shows_the_messages_the_sdk_and_runtime_trace() {
        let logged = logged_with(Some("trace"));
        assert!(!logged.contains("IBAN-IN-A-BODY"), "{logged}");
        assert!(!logged.contains("PIN-IN-AN-EVENT"), "{logged}");
        assert!(!logged.contains("CODE-IN-A-TOKEN-REQUEST"), "{logged}");
        // Everything else asked for is there: the cap is on those crates' TRACE only.
        assert!(logged.contains("beginning attempt #1"), "{logged}");
        assert!(logged.contains("own trace event"), "{logged}");
        assert!(logged.contains("listening"), "{logged}");
    }

    #[test]
    fn a_crate_named_at_trace_is_still_capped() {
        let logged = logged_with(Some("warn,aws_smithy_runtime=trace,lambda_runtime=trace"));
        assert!(!logged.contains("IBAN-IN-A-BODY"), "{logged}");
        assert!(!logged.contains("PIN-IN-AN-EVENT"), "{logged}");
        assert!(logged.contains("beginning attempt #1"), "{logged}");
        assert!(!logged.contains("listening"), "warn hides info: {logged}");
    }

    #[test]
    fn unset_or_unreadable_rust_log_means_info() {
        for rust_log in [None, Some("api=notalevel")] {
            let logged = logged_with(rust_log);
            assert!(logged.contains("listening"), "{rust_log:?}: {logged}");
            assert!(!logged.contains("own debug event"), "{rust_log:?}: {logged}");
            assert!(!logged.contains("beginning attempt #1"), "{rust_log:?}: {logged}");
        }
    }
}
