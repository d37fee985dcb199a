//! The arithmetic of attempt counters (docs/adr/0012), written once: every store adapter reads a
//! counter, asks these functions what it becomes, and writes that back under its own concurrency
//! guard (a SQLite transaction, a DynamoDB write conditioned on the state read). No adapter
//! re-states the rule, neither in SQL nor in a condition expression.

use chrono::{DateTime, Duration, Utc};

/// How one counter turns attempts into waits: the first `free` attempts of a window go at once;
/// from the `free`-th on, each attempt makes the next one wait `first_delay`, then twice that, and
/// so on up to `max_delay`. The count starts again `window` after the window's first attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Attempts that impose no wait.
    pub free: u32,
    /// The first wait.
    pub first_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
    /// How long a window lasts from its first attempt.
    pub window: Duration,
}

impl ThrottlePolicy {
    /// The wait that the `attempts`-th attempt of a window imposes on the next one.
    pub fn delay_after(&self, attempts: u32) -> Duration {
        if attempts < self.free {
            return Duration::zero();
        }
        // Capped before shifting: past 2^30 times the first wait every policy is at its longest.
        let doublings = (attempts - self.free).min(30);
        let delay = self.first_delay.num_milliseconds().saturating_mul(1_i64 << doublings);
        Duration::milliseconds(delay.min(self.max_delay.num_milliseconds()))
    }
}

/// An attempt that may not go yet: it must wait this long (nothing was counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MustWait(pub Duration);

/// One counter as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    /// Attempts counted in the window.
    pub attempts: u32,
    /// No attempt is let through before this.
    pub blocked_until: Option<DateTime<Utc>>,
    /// When the window ends and the count starts again.
    pub window_ends: DateTime<Utc>,
}

impl ThrottleState {
    /// The counter after one more attempt at `now` under `policy`, or the wait still due when an
    /// attempt is not allowed yet. `current` is `None` when there is no counter.
    pub fn after_attempt(
        current: Option<ThrottleState>,
        now: DateTime<Utc>,
        policy: ThrottlePolicy,
    ) -> Result<ThrottleState, MustWait> {
        // A wait outlives the window it was earned in: a new window starts only once it is over.
        if let Some(until) = current.and_then(|c| c.blocked_until).filter(|until| now < *until) {
            return Err(MustWait(until - now));
        }
        let live = current.filter(|c| now < c.window_ends);
        let attempts = live.map_or(0, |c| c.attempts) + 1;
        let delay = policy.delay_after(attempts);
        Ok(ThrottleState {
            attempts,
            blocked_until: (delay > Duration::zero()).then(|| now + delay),
            window_ends: live.map_or(now + policy.window, |c| c.window_ends),
        })
    }

    /// A plain counter (no waits, e.g. the daily ceiling's) after one more attempt at `now`: one
    /// more in the window under way, or one in a new window of `window` once the last is over.
    pub fn after_count(current: Option<ThrottleState>, now: DateTime<Utc>, window: Duration) -> ThrottleState {
        match current.filter(|c| now < c.window_ends) {
            Some(live) => ThrottleState {
                attempts: live.attempts.saturating_add(1),
                ..live
            },
            None => ThrottleState {
                attempts: 1,
                blocked_until: None,
                window_ends: now + window,
            },
        }
    }

    /// The counter once one reserved attempt is given back (the credential was right): one fewer,
    /// never below zero. A wait that attempt imposed stays until it ends, so that a caller cannot
    /// buy a new free attempt by proving a credential it already had.
    pub fn after_release(self) -> ThrottleState {
        ThrottleState {
            attempts: self.attempts.saturating_sub(1),
            ..self
        }
    }

    /// When the store may forget the counter: once both the window and the wait are over.
    pub fn forget_after(&self) -> DateTime<Utc> {
        self.blocked_until.map_or(self.window_ends, |b| b.max(self.window_ends))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const POLICY: ThrottlePolicy = ThrottlePolicy {
        free: 3,
        first_delay: Duration::seconds(30),
        max_delay: Duration::minutes(5),
        window: Duration::hours(24),
    };

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn the_free_attempts_impose_no_wait_and_each_further_one_doubles_it_up_to_the_longest() {
        let waits: Vec<i64> = (1..=9).map(|n| POLICY.delay_after(n).num_seconds()).collect();
        assert_eq!(waits, [0, 0, 30, 60, 120, 240, 300, 300, 300]);
        assert_eq!(POLICY.delay_after(u32::MAX), Duration::minutes(5), "no overflow");
    }

    #[test]
    fn an_attempt_during_a_wait_is_refused_with_what_is_left_and_a_wait_outlives_its_window() {
        let mut state = None;
        for _ in 0..3 {
            state = Some(ThrottleState::after_attempt(state, t(0), POLICY).unwrap());
        }
        let third = state.unwrap();
        assert_eq!((third.attempts, third.blocked_until), (3, Some(t(30))));
        assert_eq!(
            ThrottleState::after_attempt(state, t(10), POLICY),
            Err(MustWait(Duration::seconds(20)))
        );
        // GIVEN a wait that ends after the window does
        let late = ThrottleState {
            attempts: 7,
            blocked_until: Some(t(86_500)),
            window_ends: t(86_400),
        };
        assert_eq!(late.forget_after(), t(86_500));
        assert_eq!(
            ThrottleState::after_attempt(Some(late), t(86_450), POLICY),
            Err(MustWait(Duration::seconds(50)))
        );
        // THEN once it is over the count starts again in a new window
        let fresh = ThrottleState::after_attempt(Some(late), t(86_500), POLICY).unwrap();
        assert_eq!(
            (fresh.attempts, fresh.blocked_until, fresh.window_ends),
            (1, None, t(86_500) + Duration::hours(24))
        );
    }

    #[test]
    fn a_plain_count_adds_one_in_its_window_and_starts_again_at_one_after_it() {
        let first = ThrottleState::after_count(None, t(0), Duration::hours(24));
        assert_eq!((first.attempts, first.window_ends), (1, t(86_400)));
        let second = ThrottleState::after_count(Some(first), t(100), Duration::hours(24));
        assert_eq!((second.attempts, second.window_ends), (2, t(86_400)));
        let again = ThrottleState::after_count(Some(second), t(86_400), Duration::hours(24));
        assert_eq!((again.attempts, again.window_ends), (1, t(172_800)));
    }

    #[test]
    fn a_release_gives_one_attempt_back_never_below_zero_and_keeps_the_wait() {
        let state = ThrottleState {
            attempts: 1,
            blocked_until: Some(t(30)),
            window_ends: t(86_400),
        };
        let released = state.after_release();
        assert_eq!(
            (released.attempts, released.blocked_until, released.window_ends),
            (0, Some(t(30)), t(86_400))
        );
        assert_eq!(released.after_release().attempts, 0);
    }

    fn policy() -> impl Strategy<Value = ThrottlePolicy> {
        (0u32..6, 1i64..120, 1i64..3_600, 60i64..200_000).prop_map(|(free, first, max, window)| ThrottlePolicy {
            free,
            first_delay: Duration::seconds(first),
            max_delay: Duration::seconds(first.max(max)),
            window: Duration::seconds(window),
        })
    }

    proptest! {
        #[test]
        fn no_caller_gets_more_than_the_free_attempts_at_once(policy in policy(), tries in 1usize..40) {
            // GIVEN a caller that tries again at the same instant, over and over
            let mut state = None;
            let mut granted = 0u32;
            for _ in 0..tries {
                match ThrottleState::after_attempt(state, t(0), policy) {
                    Ok(next) => { state = Some(next); granted += 1; }
                    Err(MustWait(wait)) => prop_assert!(wait > Duration::zero()),
                }
            }
            // THEN it got at most the free ones (and at least one: the first never waits)
            prop_assert!(granted >= 1);
            prop_assert!(granted <= policy.free.max(1));
        }

        #[test]
        fn every_wait_is_within_the_policy_and_the_counter_outlives_it(
            policy in policy(),
            steps in proptest::collection::vec(0i64..400, 1..30),
        ) {
            let mut state: Option<ThrottleState> = None;
            let mut now = t(0);
            for step in steps {
                now += Duration::seconds(step);
                match ThrottleState::after_attempt(state, now, policy) {
                    Ok(next) => {
                        if let Some(until) = next.blocked_until {
                            prop_assert!(until - now <= policy.max_delay);
                            prop_assert!(until - now >= policy.first_delay.min(policy.max_delay));
                        }
                        prop_assert!(next.window_ends > now);
                        prop_assert!(next.forget_after() >= next.window_ends);
                        state = Some(next);
                    }
                    Err(MustWait(wait)) => {
                        let until = state.and_then(|s| s.blocked_until).expect("a wait needs a block");
                        prop_assert_eq!(until - now, wait);
                    }
                }
            }
        }

        #[test]
        fn a_plain_count_is_the_attempts_within_one_window(gaps in proptest::collection::vec(0i64..50_000, 1..30)) {
            let window = Duration::hours(24);
            let mut state = None;
            let mut now = t(0);
            for gap in gaps {
                now += Duration::seconds(gap);
                let next = ThrottleState::after_count(state, now, window);
                match state.filter(|s| now < s.window_ends) {
                    Some(live) => prop_assert_eq!(next.attempts, live.attempts + 1),
                    None => prop_assert_eq!((next.attempts, next.window_ends), (1, now + window)),
                }
                state = Some(next);
            }
        }
    }
}
