//! Fault injection, for tests and demonstrations of what the client does on a bad day: a share
//! of API requests fails with a server error *before* the handler runs (nothing was written) or
//! *after* it (written, but the answer is lost: the case that made 2020's citizens confirm twice),
//! and every request can be slowed down. Off by default; the configuration refuses it outside
//! dev mode, so it cannot reach production.

use std::str::FromStr;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Shares of requests to fail and latency to add (`SPORTELLO_FAULTS`, e.g. `before=0.15,after=0.15,latency_ms=200`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultPlan {
    /// Share (0–1) of requests failed before the handler runs.
    pub before: f64,
    /// Share (0–1) of requests whose handler runs but whose answer is replaced by a failure.
    pub after: f64,
    /// Latency added to every request.
    pub latency: Duration,
    /// Crashes of the delivery worker (`crash_after_sent=N`, `crash_before_send=N`).
    pub crash: crate::delivery::worker::CrashPlan,
}

impl FaultPlan {
    /// Whether the plan does anything.
    pub fn is_active(&self) -> bool {
        self.before > 0.0 || self.after > 0.0 || !self.latency.is_zero() || self.crash != Default::default()
    }
}

impl FromStr for FaultPlan {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut plan = FaultPlan::default();
        for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (name, value) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry:?} is not name=value"))?;
            let share = || match value.trim().parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
                _ => Err(format!("{name} must be a share between 0 and 1")),
            };
            match name.trim() {
                "before" => plan.before = share()?,
                "after" => plan.after = share()?,
                "latency_ms" => {
                    let ms: u64 = value
                        .trim()
                        .parse()
                        .map_err(|_| "latency_ms must be whole milliseconds")?;
                    plan.latency = Duration::from_millis(ms.min(60_000));
                }
                "crash_after_sent" | "crash_before_send" => {
                    let n: u32 = value
                        .trim()
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("{name} must be a whole number of messages, at least 1"))?;
                    if name.trim() == "crash_after_sent" {
                        plan.crash.after_sent = Some(n);
                    } else {
                        plan.crash.before_send = Some(n);
                    }
                }
                other => return Err(format!("unknown fault {other:?}")),
            }
        }
        if plan.before + plan.after > 1.0 {
            return Err("before + after cannot exceed 1".into());
        }
        Ok(plan)
    }
}

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
