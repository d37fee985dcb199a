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
    /// Whether the room guards the routes (`SPORTELLO_QUEUE`: `on` or `off`; off by default in
    /// dev mode, where the tests that need it turn it on, on otherwise).
    pub enabled: bool,
    /// Whether the room also stands when the service is overloaded outside an opening
    /// (`SPORTELLO_QUEUE_ON_OVERLOAD`: `on`, the default, or `off`).
    pub on_overload: bool,
    /// Whether the rate follows the measured capacity (requests shed, work in flight) within
    /// `min_rate` and `max_rate` until an operator sets it (`SPORTELLO_QUEUE_FOLLOW`: `on`, the
    /// default, or `off`).
    pub follow: bool,
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
    /// New tickets a client address may take a minute (`SPORTELLO_QUEUE_TICKETS_PER_MINUTE`, 60):
    /// a script minting tickets would otherwise fill the pre-queue's draw with places of its own.
    /// Generous, because a mobile network puts many subscribers behind one address; a browser
    /// keeping its ticket is never counted.
    pub tickets_per_minute: u32,
}

impl QueueConfig {
    /// Reads the room's settings; `dev_mode` decides the default of `SPORTELLO_QUEUE`.
    pub fn from_lookup(lookup: &impl Fn(&str) -> Option<String>, dev_mode: bool) -> Result<QueueConfig, ConfigError> {
        let enabled = on_off(lookup, "SPORTELLO_QUEUE", !dev_mode)?;
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
            on_overload: on_off(lookup, "SPORTELLO_QUEUE_ON_OVERLOAD", true)?,
            follow: on_off(lookup, "SPORTELLO_QUEUE_FOLLOW", true)?,
            pre_queue: Duration::minutes(number(lookup, "SPORTELLO_QUEUE_PRE_QUEUE_MINUTES", 30, 0..=720)?),
            rate,
            min_rate,
            max_rate,
            keep: Duration::minutes(number(lookup, "SPORTELLO_QUEUE_KEEP_MINUTES", 15, 1..=240)?),
            pass: Duration::minutes(number(lookup, "SPORTELLO_QUEUE_PASS_MINUTES", 20, 1..=240)?),
            tickets_per_minute: number(lookup, "SPORTELLO_QUEUE_TICKETS_PER_MINUTE", 60, 1..=100_000)? as u32,
        })
    }
}

/// `var` as `on` or `off`, `default` when unset.
fn on_off(lookup: &impl Fn(&str) -> Option<String>, var: &'static str, default: bool) -> Result<bool, ConfigError> {
    match lookup(var).filter(|v| !v.is_empty()).as_deref() {
        None => Ok(default),
        Some("on") => Ok(true),
        Some("off") => Ok(false),
        Some(other) => Err(ConfigError::Invalid {
            var,
            value: other.to_owned(),
            reason: "expected on or off",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<QueueConfig, ConfigError> {
        read_in(vars, false)
    }

    fn read_in(vars: &[(&str, &str)], dev_mode: bool) -> Result<QueueConfig, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        QueueConfig::from_lookup(&|k| map.get(k).cloned(), dev_mode)
    }

    #[test]
    fn the_room_is_on_outside_dev_mode_and_off_in_it_unless_asked() {
        assert!(read(&[]).unwrap().enabled);
        assert!(!read_in(&[], true).unwrap().enabled);
        assert!(read_in(&[("SPORTELLO_QUEUE", "on")], true).unwrap().enabled);
        assert!(!read(&[("SPORTELLO_QUEUE", "off")]).unwrap().enabled);
        assert_eq!(
            read(&[("SPORTELLO_QUEUE", "yes")]).unwrap_err().var(),
            "SPORTELLO_QUEUE"
        );
        let c = read(&[]).unwrap();
        assert!(c.on_overload && c.follow, "on by default");
        let c = read(&[
            ("SPORTELLO_QUEUE_ON_OVERLOAD", "off"),
            ("SPORTELLO_QUEUE_FOLLOW", "off"),
        ])
        .unwrap();
        assert!(!c.on_overload && !c.follow);
        assert_eq!(
            read(&[("SPORTELLO_QUEUE_FOLLOW", "1")]).unwrap_err().var(),
            "SPORTELLO_QUEUE_FOLLOW"
        );
    }

    #[test]
    fn the_defaults_and_a_rate_outside_its_bounds() {
        let c = read(&[]).unwrap();
        assert_eq!(
            (c.pre_queue, c.rate, c.keep, c.pass, c.tickets_per_minute),
            (
                Duration::minutes(30),
                100.0,
                Duration::minutes(15),
                Duration::minutes(20),
                60
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
