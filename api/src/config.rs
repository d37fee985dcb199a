//! Configuration, read once at start from `SPORTELLO_*` environment variables, with defaults that
//! make the local run work and a clear message when a value is wrong.

use std::net::SocketAddr;
use std::path::PathBuf;

use thiserror::Error;

/// A configuration value that cannot be used.
#[derive(Debug, Error)]
#[error("configuration: {var} = {value:?} is not valid: {reason}")]
pub struct ConfigError {
    /// The environment variable.
    pub var: &'static str,
    /// What it held.
    pub value: String,
    /// What was expected.
    pub reason: &'static str,
}

/// The service's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the local server listens (`SPORTELLO_ADDR`, default `127.0.0.1:8080`).
    pub addr: SocketAddr,
    /// The folder holding the SQLite file (`SPORTELLO_DATA_DIR`, default `./data`).
    pub data_dir: PathBuf,
    /// The built SPA served by the local server (`SPORTELLO_SPA_DIR`, default `./dist`).
    pub spa_dir: PathBuf,
    /// Development mode (`SPORTELLO_DEV_MODE=1`): enables dev-only endpoints (outbox, test clock).
    /// Off unless asked for, so that nothing dev-only can reach production by default.
    pub dev_mode: bool,
    /// Log lines as JSON (`SPORTELLO_LOG_JSON=1`), as CloudWatch wants; human-readable otherwise.
    pub log_json: bool,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (tests pass a map; nothing calls `set_var`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let addr = match lookup("SPORTELLO_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(value) => value.parse().map_err(|_| ConfigError {
                var: "SPORTELLO_ADDR",
                value,
                reason: "expected host:port, e.g. 127.0.0.1:8080",
            })?,
        };
        Ok(Config {
            addr,
            data_dir: lookup("SPORTELLO_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("data")),
            spa_dir: lookup("SPORTELLO_SPA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("dist")),
            dev_mode: flag(&lookup, "SPORTELLO_DEV_MODE")?,
            log_json: flag(&lookup, "SPORTELLO_LOG_JSON")?,
        })
    }

    /// A configuration for tests: a fresh data directory, dev mode on.
    pub fn for_tests(data_dir: PathBuf) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            spa_dir: PathBuf::from("dist"),
            dev_mode: true,
            log_json: false,
        }
    }
}

fn flag(lookup: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match lookup(var).as_deref() {
        None | Some("") | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(other) => Err(ConfigError {
            var,
            value: other.to_owned(),
            reason: "expected 1/true or 0/false",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn empty_environment_gives_the_local_defaults_with_dev_mode_off() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert!(!c.dev_mode);
    }

    #[test]
    fn malformed_address_names_the_variable() {
        let err = config(&[("SPORTELLO_ADDR", "localhost")]).unwrap_err();
        assert_eq!(err.var, "SPORTELLO_ADDR");
        assert!(err.to_string().contains("host:port"));
    }

    #[test]
    fn a_flag_must_be_a_boolean() {
        assert!(config(&[("SPORTELLO_DEV_MODE", "1")]).unwrap().dev_mode);
        assert!(config(&[("SPORTELLO_DEV_MODE", "yes please")]).is_err());
    }
}
