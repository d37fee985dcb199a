//! The click-day waiting room (`SPORTELLO_QUEUE*`, issue 15, docs/adr/0022): whether it guards
//! the routes that start work, how long its pre-queue runs before each opening of the citizens'
//! window, the rate it lets people in at and the bounds an operator may set it within, how long a
//! turn is kept for a browser that went away, and how long a pass lasts unless renewed.

use chrono::Duration;

use super::env::number;
use super::error::ConfigError;

/// The waiting room's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueConfig {
    /// Whether the room guards the routes (`SPORTELLO_QUEUE`: `on` or `off`, off by default):
    /// off until the room's page ships in a bundle of its own (the public bundle has no room
    /// left for it), since a gate without its page would leave citizens at a 503.
    pub enabled: bool,
    /// How long before an opening the pre-queue starts (`SPORTELLO_QUEUE_PRE_QUEUE_MINUTES`, 30).
    pub pre_queue: Duration,
    /// Passes per second at the opening (`SPORTELLO_QUEUE_RATE`, 100).
    pub rate: f64,
    /// The lowest rate above a pause an operator may set (`SPORTELLO_QUEUE_MIN_RATE`, 1).
    pub min_rate: f64,
    /// The highest rate an operator may set (`SPORTELLO_QUEUE_MAX_RATE`, 2000).
    pub max_rate: f64,
    /// How long a turn is kept for a browser that closed the tab or lost the network
    /// (`SPORTELLO_QUEUE_KEEP_MINUTES`, 15).
    pub keep: Duration,
    /// How long a pass lasts unless a request renews it (`SPORTELLO_QUEUE_PASS_MINUTES`, 20).
    pub pass: Duration,
}

impl QueueConfig {
    /// Reads the room's settings.
    pub fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<QueueConfig, ConfigError> {
        let enabled = match lookup("SPORTELLO_QUEUE").filter(|v| !v.is_empty()).as_deref() {
            None => false,
            Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "SPORTELLO_QUEUE",
                    value: other.to_owned(),
                    reason: "expected on or off",
                });
            }
        };
        let min_rate = number(lookup, "SPORTELLO_QUEUE_MIN_RATE", 1, 1..=100_000)? as f64;
        let max_rate = number(lookup, "SPORTELLO_QUEUE_MAX_RATE", 2_000, 1..=100_000)? as f64;
        let rate = number(lookup, "SPORTELLO_QUEUE_RATE", 100, 1..=100_000)? as f64;
        if !(min_rate <= rate && rate <= max_rate) {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_QUEUE_RATE",
                value: rate.to_string(),
                reason: "expected a rate within SPORTELLO_QUEUE_MIN_RATE and SPORTELLO_QUEUE_MAX_RATE",
            });
        }
        Ok(QueueConfig {
            enabled,
            pre_queue: Duration::minutes(number(lookup, "SPORTELLO_QUEUE_PRE_QUEUE_MINUTES", 30, 0..=720)?),
            rate,
            min_rate,
            max_rate,
            keep: Duration::minutes(number(lookup, "SPORTELLO_QUEUE_KEEP_MINUTES", 15, 1..=240)?),
            pass: Duration::minutes(number(lookup, "SPORTELLO_QUEUE_PASS_MINUTES", 20, 1..=240)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<QueueConfig, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        QueueConfig::from_lookup(&|k| map.get(k).cloned())
    }

    #[test]
    fn the_room_is_off_unless_asked() {
        assert!(!read(&[]).unwrap().enabled);
        assert!(read(&[("SPORTELLO_QUEUE", "on")]).unwrap().enabled);
        assert!(!read(&[("SPORTELLO_QUEUE", "off")]).unwrap().enabled);
        assert_eq!(
            read(&[("SPORTELLO_QUEUE", "yes")]).unwrap_err().var(),
            "SPORTELLO_QUEUE"
        );
    }

    #[test]
    fn the_defaults_and_a_rate_outside_its_bounds() {
        let c = read(&[]).unwrap();
        assert_eq!(
            (c.pre_queue, c.rate, c.keep, c.pass),
            (
                Duration::minutes(30),
                100.0,
                Duration::minutes(15),
                Duration::minutes(20)
            )
        );
        let err = read(&[("SPORTELLO_QUEUE_RATE", "50"), ("SPORTELLO_QUEUE_MIN_RATE", "60")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_QUEUE_RATE");
        assert_eq!(
            read(&[("SPORTELLO_QUEUE_KEEP_MINUTES", "0")]).unwrap_err().var(),
            "SPORTELLO_QUEUE_KEEP_MINUTES"
        );
    }
}
