//! How many places the room has let in by a given moment: it admits at a rate (passes per
//! second) from the opening, which an operator may pause, resume or change (`sportello-admin
//! queue …`) and which may follow the service's measured capacity within bounds. The room's
//! history is a list of segments, each with its rate from its start; the count is the integral of
//! the rate, so it never goes back, and a place `p` is let in exactly once: at the first moment
//! the count exceeds `p`.

use chrono::{DateTime, Utc};

/// From `from` on, the room admits `per_second` places a second (0 while paused).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// When this rate took effect.
    pub from: DateTime<Utc>,
    /// Places let in per second.
    pub per_second: f64,
}

/// Why a change to the room's rate is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// Rates are zero (paused) or positive and finite.
    #[error("a rate is a finite number of passes per second, zero or more")]
    Invalid,
    /// A change cannot take effect before the last one.
    #[error("a change cannot take effect before the previous one")]
    OutOfOrder,
}

/// The room's rate since its opening.
#[derive(Debug, Clone, PartialEq)]
pub struct Admissions {
    segments: Vec<Segment>,
}

impl Admissions {
    /// A room opening at `opens_at` with `per_second`.
    pub fn opening(opens_at: DateTime<Utc>, per_second: f64) -> Result<Admissions, RateError> {
        check(per_second)?;
        Ok(Admissions {
            segments: vec![Segment {
                from: opens_at,
                per_second,
            }],
        })
    }

    /// The rate becomes `per_second` at `at` (0 pauses the room).
    pub fn change(&mut self, at: DateTime<Utc>, per_second: f64) -> Result<(), RateError> {
        check(per_second)?;
        let last = self.segments.last().expect("an opening segment");
        if at < last.from {
            return Err(RateError::OutOfOrder);
        }
        self.segments.push(Segment { from: at, per_second });
        Ok(())
    }

    /// The segments, oldest first.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The rate in force at `now` (0 before the opening).
    pub fn rate_at(&self, now: DateTime<Utc>) -> f64 {
        self.segments
            .iter()
            .rev()
            .find(|s| s.from <= now)
            .map_or(0.0, |s| s.per_second)
    }

    /// How many places have been let in by `now`: places `0..admitted_by(now)` are in.
    pub fn admitted_by(&self, now: DateTime<Utc>) -> u64 {
        let mut total = 0.0;
        for (i, segment) in self.segments.iter().enumerate() {
            if segment.from >= now {
                break;
            }
            let end = self.segments.get(i + 1).map_or(now, |next| next.from.min(now));
            let seconds = (end - segment.from).num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6;
            total += seconds.max(0.0) * segment.per_second;
        }
        // Rounded down: a place is in only once the whole of it has been reached.
        total.floor() as u64
    }

    /// The first moment by which `count` places have been let in (`admitted_by` is `count` or
    /// more from then on): when a place's turn comes (`count` = place + 1), or when the line last
    /// moved. `None` when the rates never reach it (the room stays paused).
    pub fn reached_at(&self, count: u64) -> Option<DateTime<Utc>> {
        let first = self.segments.first()?;
        if count == 0 {
            return Some(first.from);
        }
        let mut total = 0.0;
        for (i, segment) in self.segments.iter().enumerate() {
            let next = self.segments.get(i + 1).map(|n| n.from);
            if segment.per_second > 0.0 {
                let seconds = (count as f64 - total) / segment.per_second;
                let mut at = segment.from + chrono::Duration::microseconds((seconds * 1e6).ceil() as i64);
                if next.is_none_or(|n| at <= n) {
                    // Rounding: the integral is a float, so step to the exact microsecond (a
                    // step or two at most, within this segment).
                    while self.admitted_by(at) < count {
                        at += chrono::Duration::microseconds(1);
                    }
                    while at > segment.from && self.admitted_by(at - chrono::Duration::microseconds(1)) >= count {
                        at -= chrono::Duration::microseconds(1);
                    }
                    return Some(at);
                }
            }
            if let Some(next) = next {
                let seconds = (next - segment.from).num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6;
                total += seconds.max(0.0) * segment.per_second;
            }
        }
        None
    }

    /// Whether `place` is let in at `now`.
    pub fn is_admitted(&self, place: u64, now: DateTime<Utc>) -> bool {
        place < self.admitted_by(now)
    }
}

fn check(per_second: f64) -> Result<(), RateError> {
    if per_second.is_finite() && per_second >= 0.0 {
        Ok(())
    } else {
        Err(RateError::Invalid)
    }
}

/// An honest estimate of the wait of someone with `ahead` people before them, from the rate the
/// room has actually let people in at lately (`observed_per_second`): a range, not a number,
/// because the rate follows the service's capacity. `None` while the room lets nobody in (paused,
/// or nothing observed yet): the page then says so instead of inventing a time.
pub fn wait_range(ahead: u64, observed_per_second: f64) -> Option<(u64, u64)> {
    if !(observed_per_second.is_finite() && observed_per_second > 0.0) {
        return None;
    }
    let seconds = ahead as f64 / observed_per_second;
    // ±25 %: how much the admitted rate moved minute to minute in the busy-day runs; rounded
    // outwards to whole minutes, so the page never promises a precision it does not have.
    let low = (seconds * 0.75 / 60.0).floor() as u64;
    let high = ((seconds * 1.25 / 60.0).ceil() as u64).max(1);
    Some((low, high))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_585_749_600 + seconds, 0).unwrap() // 2020-04-01 16:00 Rome
    }

    #[test]
    fn it_admits_at_its_rate_from_the_opening_and_never_goes_back() {
        let room = Admissions::opening(at(0), 100.0).unwrap();
        assert_eq!(room.admitted_by(at(-5)), 0);
        assert_eq!(room.admitted_by(at(0)), 0);
        assert_eq!(room.admitted_by(at(1)), 100);
        assert_eq!(room.admitted_by(at(20)), 2_000);
        let mut last = 0;
        for ms in (0..30_000).step_by(7) {
            let now = at(0) + chrono::Duration::milliseconds(ms);
            let count = room.admitted_by(now);
            assert!(count >= last, "went back at {ms} ms");
            last = count;
        }
    }

    #[test]
    fn a_pause_stops_admissions_and_a_new_rate_takes_over_from_its_moment() {
        let mut room = Admissions::opening(at(0), 10.0).unwrap();
        room.change(at(10), 0.0).unwrap(); // paused after 100
        room.change(at(40), 50.0).unwrap(); // resumed faster
        assert_eq!(room.admitted_by(at(10)), 100);
        assert_eq!(room.admitted_by(at(39)), 100);
        assert_eq!(room.admitted_by(at(42)), 200);
        assert_eq!(room.rate_at(at(20)), 0.0);
        assert_eq!(room.rate_at(at(41)), 50.0);
        assert_eq!(room.change(at(30), 5.0), Err(RateError::OutOfOrder));
        assert_eq!(room.change(at(50), -1.0), Err(RateError::Invalid));
        assert_eq!(room.change(at(50), f64::NAN), Err(RateError::Invalid));
    }

    #[test]
    fn each_place_is_let_in_once_in_order_and_the_count_is_the_rates_integral() {
        let mut room = Admissions::opening(at(0), 37.0).unwrap();
        room.change(at(13), 91.0).unwrap();
        // Stepping through time a millisecond at a time, the places let in are always 0..count:
        // the count only grows, so a place let in is never let in again, and none is skipped.
        let mut count = 0;
        let mut first_in = Vec::new();
        for tick in 0..30_000i64 {
            let now = at(0) + chrono::Duration::milliseconds(tick);
            let next = room.admitted_by(now);
            assert!(next >= count, "went back at {tick} ms");
            first_in.extend((count..next).map(|place| (place, tick)));
            count = next;
        }
        assert_eq!(
            count,
            37 * 13 + 91 * 17 - 1,
            "the last place is reached only at 30 s itself"
        );
        assert_eq!(room.admitted_by(at(30)), 37 * 13 + 91 * 17);
        assert!(first_in.windows(2).all(|w| w[0].0 + 1 == w[1].0 && w[0].1 <= w[1].1));
    }

    #[test]
    fn the_moment_a_count_is_reached_is_exact_to_the_microsecond_across_a_pause() {
        let mut room = Admissions::opening(at(0), 100.0).unwrap();
        room.change(at(10), 0.0).unwrap();
        room.change(at(40), 30.0).unwrap();
        assert_eq!(room.reached_at(0), Some(at(0)));
        assert_eq!(room.reached_at(100), Some(at(1)));
        assert_eq!(room.reached_at(1_000), Some(at(10)), "the last place before the pause");
        assert_eq!(room.reached_at(1_030), Some(at(41)), "the first after it: 1 s at 30/s");
        for count in [1, 7, 99, 101, 999, 1_001, 1_500] {
            let t = room.reached_at(count).unwrap();
            assert!(room.admitted_by(t) >= count, "{count} reached at {t}");
            assert!(
                room.admitted_by(t - chrono::Duration::microseconds(1)) < count,
                "{count} not before {t}"
            );
        }
        let paused = Admissions::opening(at(0), 0.0).unwrap();
        assert_eq!(paused.reached_at(1), None);
    }

    #[test]
    fn the_wait_is_a_range_in_whole_minutes_and_none_when_nobody_moves() {
        assert_eq!(wait_range(6_000, 100.0), Some((0, 2))); // 60 s: 45–75 s
        assert_eq!(wait_range(60_000, 100.0), Some((7, 13))); // 10 min: 7.5–12.5
        assert_eq!(wait_range(0, 100.0), Some((0, 1)));
        assert_eq!(wait_range(100, 0.0), None);
        assert_eq!(wait_range(100, f64::NAN), None);
    }
}
