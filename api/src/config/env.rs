//! Reading numbers and secrets' ARNs from the environment, for every configuration module.

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

pub(super) fn is_region(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// A Secrets Manager secret's ARN: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`.
pub(super) fn secret_arn(
    lookup: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<String>, ConfigError> {
    let Some(value) = lookup(var).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if secret_arn_region(&value).is_none() {
        return Err(ConfigError::Invalid {
            var,
            value,
            reason: "expected arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME",
        });
    }
    Ok(Some(value))
}

/// The region of a Secrets Manager secret's ARN, which is where it must be read; `None` when
/// `arn` is not such an ARN.
pub fn secret_arn_region(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let [scheme, partition, service, region, account, kind, name] = parts[..] else {
        return None;
    };
    let ok = scheme == "arn"
        && partition.starts_with("aws")
        && service == "secretsmanager"
        && is_region(region)
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && kind == "secret"
        && !name.is_empty();
    ok.then_some(region)
}
