//! How to reach the national registry's e-service (`SPORTELLO_REGISTRY_*`, with
//! `SPORTELLO_REGISTRY=http`).

use std::time::Duration;

use secrecy::SecretString;

use super::env::number;
use super::error::ConfigError;
use crate::jose::RpKey;

/// Answers are kept at most this long: a citizen who just moved sees it within minutes.
pub const MAX_CACHE_TTL: Duration = Duration::from_secs(300);

/// How to reach the e-service (`SPORTELLO_REGISTRY_*`).
#[derive(Debug, Clone)]
pub struct HttpRegistrySettings {
    /// The lookup endpoint (`SPORTELLO_REGISTRY_URL`): POST `{"codice_fiscale": …}`.
    pub lookup_url: String,
    /// The authorisation server's token endpoint (`SPORTELLO_REGISTRY_TOKEN_URL`).
    pub token_url: String,
    /// Our client id there (`SPORTELLO_REGISTRY_CLIENT_ID`), the assertion's `iss` and `sub`.
    pub client_id: String,
    /// The assertion's `aud` (`SPORTELLO_REGISTRY_AUDIENCE`, default the token endpoint).
    pub audience: String,
    /// Our private key, PKCS#8 PEM with a P-256 key (read from the file `SPORTELLO_REGISTRY_KEY`).
    pub key_pem: SecretString,
    /// Each request's deadline (`SPORTELLO_REGISTRY_TIMEOUT_MS`, default 2000).
    pub timeout: Duration,
    /// Tries per lookup, the first included (`SPORTELLO_REGISTRY_ATTEMPTS`, default 3).
    pub attempts: u32,
    /// How long an answer is kept (`SPORTELLO_REGISTRY_CACHE_SECONDS`, default 60, at most 300).
    pub cache_ttl: Duration,
}

impl HttpRegistrySettings {
    /// Reads the settings, required when `SPORTELLO_REGISTRY=http`.
    pub fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<HttpRegistrySettings, ConfigError> {
        let url = |var: &'static str| -> Result<String, ConfigError> {
            let value = lookup(var).unwrap_or_default();
            if value.starts_with("https://") || is_loopback_http(&value) {
                Ok(value)
            } else {
                Err(ConfigError::Invalid {
                    var,
                    value,
                    reason: "required with SPORTELLO_REGISTRY=http: an https:// URL (http only on 127.0.0.1)",
                })
            }
        };
        let lookup_url = url("SPORTELLO_REGISTRY_URL")?;
        let token_url = url("SPORTELLO_REGISTRY_TOKEN_URL")?;
        let client_id = lookup("SPORTELLO_REGISTRY_CLIENT_ID").unwrap_or_default();
        if client_id.trim().is_empty() {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_REGISTRY_CLIENT_ID",
                value: client_id,
                reason: "required with SPORTELLO_REGISTRY=http: the client id the authorisation server gave us",
            });
        }
        let key_path = lookup("SPORTELLO_REGISTRY_KEY").unwrap_or_default();
        let key_err = |reason| ConfigError::Invalid {
            var: "SPORTELLO_REGISTRY_KEY",
            value: key_path.clone(),
            reason,
        };
        let pem = std::fs::read_to_string(&key_path)
            .map_err(|_| key_err("required with SPORTELLO_REGISTRY=http: the path of our PKCS#8 PEM key file"))?;
        RpKey::from_pem(&pem).ok_or_else(|| key_err("expected a PKCS#8 PEM with a P-256 key"))?;
        // Each within its range (`config/env.rs`), so never negative.
        let whole = |var, default, range| number(lookup, var, default, range).map(|n| n as u64);
        Ok(HttpRegistrySettings {
            audience: lookup("SPORTELLO_REGISTRY_AUDIENCE")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| token_url.clone()),
            lookup_url,
            token_url,
            client_id,
            key_pem: SecretString::from(pem),
            timeout: Duration::from_millis(whole("SPORTELLO_REGISTRY_TIMEOUT_MS", 2_000, 100..=10_000)?),
            attempts: whole("SPORTELLO_REGISTRY_ATTEMPTS", 3, 1..=5)? as u32,
            cache_ttl: Duration::from_secs(whole(
                "SPORTELLO_REGISTRY_CACHE_SECONDS",
                60,
                0..=MAX_CACHE_TTL.as_secs() as i64,
            )?),
        })
    }
}

fn is_loopback_http(url: &str) -> bool {
    url.strip_prefix("http://127.0.0.1")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
}
