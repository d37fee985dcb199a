//! Holds a lane to its carrier's rate: hand-overs are spaced at least `1/rate` apart, so that a
//! burst of PIN requests on click day reaches SES or SNS at the quota it allows and no faster
//! (beyond it the provider throttles, and the messages would only come back as failures).

use std::time::Duration;

use tokio::time::Instant;

/// Spaces hand-overs evenly at `per_second`.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    next: Option<Instant>,
}

impl Pace {
    /// At most `per_second` hand-overs each second (at least one).
    pub fn per_second(per_second: u32) -> Pace {
        Pace {
            interval: Duration::from_secs(1) / per_second.max(1),
            next: None,
        }
    }

    /// Waits for the next slot and takes it. An idle lane banks no slots: after a pause the next
    /// hand-over goes at once, and the ones after it are spaced again.
    pub async fn wait_turn(&mut self) {
        let now = Instant::now();
        let slot = self.next.map_or(now, |next| next.max(now));
        tokio::time::sleep_until(slot).await;
        self.next = Some(slot + self.interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn turns_are_spaced_by_the_rate_and_an_idle_pace_banks_nothing() {
        let mut pace = Pace::per_second(10);
        let start = Instant::now();
        for _ in 0..5 {
            pace.wait_turn().await;
        }
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(400),
            "five turns, four intervals"
        );
        tokio::time::sleep(Duration::from_secs(5)).await;
        let after_pause = Instant::now();
        pace.wait_turn().await;
        pace.wait_turn().await;
        assert_eq!(
            after_pause.elapsed(),
            Duration::from_millis(100),
            "no burst after a pause"
        );
    }
}
