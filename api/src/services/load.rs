//! How loaded this process is, as its requests measure it (issue 15): per second, how many were
//! answered, how many were shed (503 `overloaded`: the in-flight bound, or the store asking to
//! slow down) and the most in flight at once. The waiting room reads it to stand up when the
//! service is overloaded outside an opening, and to follow the capacity with its rate.
//!
//! On Lambda an execution environment runs one request at a time, so the in-flight figure says
//! nothing there; the store's refusals still count (docs/adr/0022).

use std::sync::Mutex;
use std::time::Instant;

/// How many seconds the meter remembers: more than any reading asks for.
const REMEMBERED: usize = 64;

/// What the requests of a few seconds measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reading {
    /// Requests answered or shed.
    pub requests: u64,
    /// Of those, shed for want of capacity.
    pub shed: u64,
    /// The most requests in flight at once.
    pub peak_in_flight: usize,
    /// The in-flight bound.
    pub max_in_flight: usize,
}

impl Reading {
    /// Whether the service could not take what came: at least 10 requests shed, and at least 2 %
    /// of them. A lone refusal (a burst of a few milliseconds) is not an overload; a steady share
    /// is, and a room that lets people in at a rate is kinder than refusals that reward whoever
    /// retries fastest.
    pub fn overloaded(&self) -> bool {
        self.shed >= 10 && self.shed * 50 >= self.requests
    }
}

/// A second's counts.
#[derive(Debug, Clone, Copy, Default)]
struct Second {
    /// Which second (since the meter started) these counts are of.
    at: u64,
    requests: u64,
    shed: u64,
    peak_in_flight: usize,
}

/// The meter: a ring of the last seconds' counts.
#[derive(Debug)]
pub struct LoadMeter {
    max_in_flight: usize,
    started: Instant,
    seconds: Mutex<[Second; REMEMBERED]>,
}

impl LoadMeter {
    /// A meter for a process whose in-flight bound is `max_in_flight`.
    pub fn new(max_in_flight: usize) -> LoadMeter {
        LoadMeter {
            max_in_flight,
            started: Instant::now(),
            seconds: Mutex::new([Second::default(); REMEMBERED]),
        }
    }

    fn now(&self) -> u64 {
        // Second 0 is never a real second's: the ring starts zeroed.
        self.started.elapsed().as_secs() + 1
    }

    /// One request done (or refused) with `in_flight` requests running when it started.
    pub fn record(&self, in_flight: usize, shed: bool) {
        self.record_at(self.now(), in_flight, shed);
    }

    fn record_at(&self, second: u64, in_flight: usize, shed: bool) {
        let mut seconds = self.seconds.lock().expect("not poisoned");
        let slot = &mut seconds[(second as usize) % REMEMBERED];
        if slot.at != second {
            *slot = Second {
                at: second,
                ..Second::default()
            };
        }
        slot.requests += 1;
        slot.shed += u64::from(shed);
        slot.peak_in_flight = slot.peak_in_flight.max(in_flight);
    }

    /// What the last `seconds` seconds (this one included) measured.
    pub fn reading(&self, seconds: u64) -> Reading {
        self.reading_at(self.now(), seconds)
    }

    fn reading_at(&self, now: u64, over: u64) -> Reading {
        let over = over.min(REMEMBERED as u64 - 1);
        let seconds = self.seconds.lock().expect("not poisoned");
        seconds
            .iter()
            .filter(|s| s.at != 0 && s.at <= now && now - s.at < over)
            .fold(
                Reading {
                    max_in_flight: self.max_in_flight,
                    ..Reading::default()
                },
                |r, s| Reading {
                    requests: r.requests + s.requests,
                    shed: r.shed + s.shed,
                    peak_in_flight: r.peak_in_flight.max(s.peak_in_flight),
                    max_in_flight: r.max_in_flight,
                },
            )
    }
}

/// Marks a response as shed for want of capacity (set by `ApiError`'s 503 `overloaded`), so that
/// the meter counts the store's refusals as well as the in-flight bound's.
#[derive(Debug, Clone, Copy)]
pub struct Shed;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_sums_the_seconds_asked_and_forgets_older_ones() {
        let meter = LoadMeter::new(8);
        for _ in 0..90 {
            meter.record_at(5, 3, false);
        }
        for _ in 0..10 {
            meter.record_at(5, 8, true);
        }
        meter.record_at(7, 1, false);
        assert_eq!(
            meter.reading_at(7, 10),
            Reading {
                requests: 101,
                shed: 10,
                peak_in_flight: 8,
                max_in_flight: 8
            }
        );
        assert_eq!(meter.reading_at(7, 2).requests, 1, "second 5 is three seconds back");
        assert_eq!(meter.reading_at(40, 10).requests, 0, "long gone");
        // A slot reused a lap later starts afresh.
        meter.record_at(5 + REMEMBERED as u64, 0, false);
        assert_eq!(meter.reading_at(5 + REMEMBERED as u64, 1).requests, 1);
    }

    #[test]
    fn overloaded_is_a_steady_share_shed_not_a_lone_refusal() {
        let r = |requests, shed| Reading {
            requests,
            shed,
            peak_in_flight: 0,
            max_in_flight: 512,
        };
        assert!(!r(9, 9).overloaded(), "too few to tell");
        assert!(r(500, 10).overloaded(), "2 %");
        assert!(!r(501, 10).overloaded(), "under 2 %");
        assert!(!r(10_000, 0).overloaded(), "busy but keeping up");
    }
}
