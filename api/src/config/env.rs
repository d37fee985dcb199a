//! Reading numbers from the environment, for every configuration module.

use super::error::ConfigError;

/// The whole number in `var` (`default` when unset or empty), refused by name when it is not one
/// or is outside `range`.
pub(super) fn number(
    lookup: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    match lookup(var).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(value) => match value.parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::Invalid {
                var,
                value,
                reason: "expected a whole number in the allowed range",
            }),
        },
    }
}
