//! `POST /api/client-errors`: where the SPA reports that its code panicked, so that a page that
//! broke on a citizen's phone is a log line rather than a silence. The report says *where* in the
//! code it broke (bundle and source location), never what the page held: a panic message may
//! carry a value typed by the citizen, so the SPA does not send it and the server would not keep
//! it. Rate-limited per client and in total, so that the endpoint cannot flood the logs.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use domain::bundles::Bundle;
use serde::Deserialize;

use crate::http::ClientAddr;
use crate::{ApiError, AppState};

/// The longest source location kept (`frontend/src/pages/pin_step.rs:120:17`, or a dependency's
/// path in the registry).
const MAX_LOCATION: usize = 200;

/// What the page sends (`navigator.sendBeacon`, so it arrives as `text/plain`).
#[derive(Deserialize, utoipa::ToSchema)]
struct ClientErrorReport {
    /// Which entry bundle (`public`, `area`, `console`, `queue`: `domain::bundles::Bundle::name`).
    bundle: String,
    /// `file:line:column` of the panic.
    location: String,
}

/// True when `name` is an entry bundle's: a report naming anything else is refused rather than
/// logged.
fn is_bundle(name: &str) -> bool {
    Bundle::ALL.iter().any(|bundle| bundle.name() == name)
}

/// True when `location` looks like a source location and nothing else (no spaces, no quotes, no
/// control characters), so that a forged report cannot write arbitrary text into the log.
fn is_source_location(location: &str) -> bool {
    let mut parts = location.rsplitn(3, ':');
    let numbers_ok = (0..2).all(|_| {
        parts
            .next()
            .is_some_and(|n| !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
    });
    let file_ok = parts.next().is_some_and(|file| {
        !file.is_empty()
            && file
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'\\' | b'.' | b'_' | b'-' | b'+'))
    });
    location.len() <= MAX_LOCATION && numbers_ok && file_ok
}

#[utoipa::path(
    post,
    path = "/api/client-errors",
    tag = "service",
    request_body(content = ClientErrorReport, content_type = "text/plain", description = "JSON sent as text/plain by navigator.sendBeacon"),
    responses((status = 204, description = "Logged"))
)]
async fn report(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: String,
) -> Result<StatusCode, ApiError> {
    if !state.client_error_limits.allow(client, state.clock.now()) {
        return Err(ApiError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    let report: ClientErrorReport =
        serde_json::from_str(&body).map_err(|e| ApiError::Malformed(format!("client error report: {e}")))?;
    if !is_bundle(&report.bundle) || !is_source_location(&report.location) {
        return Err(ApiError::Malformed(
            "client error report: unknown bundle or not a source location".into(),
        ));
    }
    tracing::error!(
        target: "sportello::client",
        bundle = %report.bundle,
        location = %report.location,
        "a page of the SPA panicked and showed the recovery message"
    );
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/client-errors", post(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_bundle_may_report_and_nothing_else() {
        for name in ["public", "area", "console", "queue"] {
            assert!(is_bundle(name), "{name}");
        }
        for name in ["", "elsewhere", "Queue", "queue ", "public\nFAKE"] {
            assert!(!is_bundle(name), "{name:?}");
        }
    }

    #[test]
    fn a_source_location_is_accepted_and_free_text_is_not() {
        assert!(is_source_location("frontend/src/pages/pin_step.rs:120:17"));
        assert!(is_source_location(
            "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/reactive_graph-0.2.12/src/signal.rs:9:1"
        ));
        assert!(!is_source_location("frontend/src/x.rs:1"), "no column");
        assert!(!is_source_location("RSSMRA85T10A562S lives here:1:1"), "spaces");
        assert!(!is_source_location("a.rs:1:1\nforged log line"), "a new line");
        assert!(!is_source_location(":1:1"), "no file");
        assert!(
            !is_source_location(&format!("{}:1:1", "a".repeat(MAX_LOCATION))),
            "too long"
        );
    }
}
