//! Fault injection, for tests and demonstrations of what the client does on a bad day: a share
//! of API requests fails with a server error *before* the handler runs (nothing was written) or
//! *after* it (written, but the answer is lost: the case that made 2020's citizens confirm twice),
//! and every request can be slowed down. Off by default; the configuration refuses it outside
//! dev mode, so it cannot reach production.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use crate::config::faults::FaultPlan;

/// A uniform draw in [0, 1) from the OS generator (no shared RNG state between requests).
fn draw() -> f64 {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("the OS random number generator is available");
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}

fn injected(when: &'static str) -> Response {
    tracing::warn!(when, "injected fault");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [("content-type", "application/json")],
        r#"{"code":"internal","message":"Errore simulato (fault injection).","fields":{}}"#,
    )
        .into_response()
}

/// Applies `plan` to API requests other than health checks and the dev endpoints (which tests use
/// to read what happened).
pub async fn inject(State(plan): State<FaultPlan>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/dev/") || path == "/api/health" || !path.starts_with("/api/") {
        return next.run(request).await;
    }
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    let roll = draw();
    if roll < plan.before {
        return injected("before");
    }
    let response = next.run(request).await;
    if roll < plan.before + plan.after {
        return injected("after");
    }
    response
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn plans_are_read_from_configuration_text() {
        let plan: FaultPlan = "before=0.15, after=0.15, latency_ms=200".parse().unwrap();
        assert_eq!(plan.before, 0.15);
        assert_eq!(plan.after, 0.15);
        assert_eq!(plan.latency, Duration::from_millis(200));
        assert!(plan.is_active());
        assert!(!"".parse::<FaultPlan>().unwrap().is_active());
        for bad in [
            "before=2",
            "after=-0.1",
            "sometimes=0.1",
            "before",
            "before=0.6,after=0.6",
            "latency_ms=x",
        ] {
            assert!(bad.parse::<FaultPlan>().is_err(), "{bad}");
        }
    }

    #[test]
    fn draws_are_shares() {
        for _ in 0..1000 {
            let d = draw();
            assert!((0.0..1.0).contains(&d));
        }
    }
}
