//! The time the server decides by. Production reads the system clock; dev-mode tests may set the
//! time (to check the submission window or the 12-hour rule) — a setting refused outside dev mode.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that runs from an offset the tests choose: the system time plus a shift, so that time
/// still passes (sessions expire, ordering holds) after it is set.
#[derive(Default)]
pub struct ShiftableClock {
    shift: Mutex<chrono::Duration>,
}

impl ShiftableClock {
    /// Makes `now()` return `at` at this instant, running on from there.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.shift.lock().expect("clock mutex") = at - Utc::now();
    }

    /// Back to the system time.
    pub fn reset(&self) {
        *self.shift.lock().expect("clock mutex") = chrono::Duration::zero();
    }
}

impl Clock for ShiftableClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.shift.lock().expect("clock mutex")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_starts_at_the_chosen_time_and_keeps_running() {
        let clock = ShiftableClock::default();
        let at = DateTime::parse_from_rfc3339("2026-03-29T00:59:00Z")
            .unwrap()
            .with_timezone(&Utc);
        clock.set(at);
        let now = clock.now();
        assert!(now >= at && now - at < chrono::Duration::seconds(5), "{now}");
        clock.reset();
        assert!((clock.now() - Utc::now()).num_seconds().abs() < 5);
    }
}
