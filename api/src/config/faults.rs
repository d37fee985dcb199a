//! Injected faults (`SPORTELLO_FAULTS`, dev mode only): what the fault middleware and the
//! delivery worker's crash points read.

use std::str::FromStr;
use std::time::Duration;

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
    pub crash: CrashPlan,
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

/// Crashes injected into the worker (dev mode only, `SPORTELLO_FAULTS`): the process aborts
/// right after the N-th message is recorded sent, or right after the N-th claim and before its
/// hand-off, as a power cut or an OOM kill would stop it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CrashPlan {
    /// Abort after this many messages are recorded sent.
    pub after_sent: Option<u32>,
    /// Abort after this many claims, before the hand-off.
    pub before_send: Option<u32>,
}
