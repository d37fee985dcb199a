//! The national registry's e-service (as ANPR is reached through PDND): an OAuth2
//! client-credentials voucher obtained with a signed client assertion (`private_key_jwt`, RFC
//! 7523, the ES256 signing of `oidc::jws`), then a JSON lookup by codice fiscale.
//!
//! A citizen waits on this call, so every step has a deadline: each request its own timeout, at
//! most `attempts` tries with a growing pause between them, retrying only what may succeed next
//! time (a timeout, no connection, 429, 5xx, an expired voucher). Then the registry is
//! `Unavailable` and the citizen gets 503 with Retry-After. Answers are cached for a short TTL
//! (never more than five minutes, config-checked), so that a retried PIN request does not ask
//! twice, while a change of residence reaches us within minutes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use domain::CodiceFiscale;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{Registry, RegistryError, RegistryRow, Resident};
use crate::config::ConfigError;
use crate::oidc::jws::RpKey;
use crate::secrets::random_bytes;

/// The longest the cache may keep an answer.
pub const MAX_CACHE_TTL: Duration = Duration::from_secs(300);
/// Entries the cache holds at most; past it, expired entries go, then everything.
const CACHE_CAPACITY: usize = 10_000;
/// A voucher is renewed this long before it expires, so that none expires on the way.
const VOUCHER_MARGIN: Duration = Duration::from_secs(30);
/// The first pause between tries; each next one doubles.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

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
        let whole = |var: &'static str, default: u64, range: std::ops::RangeInclusive<u64>| match lookup(var)
            .filter(|v| !v.is_empty())
        {
            None => Ok(default),
            Some(value) => match value.parse::<u64>() {
                Ok(n) if range.contains(&n) => Ok(n),
                _ => Err(ConfigError::Invalid {
                    var,
                    value,
                    reason: "expected a whole number in the allowed range",
                }),
            },
        };
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
                0..=MAX_CACHE_TTL.as_secs(),
            )?),
        })
    }
}

fn is_loopback_http(url: &str) -> bool {
    url.strip_prefix("http://127.0.0.1")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
}

/// A voucher and when to stop using it.
struct Voucher {
    token: SecretString,
    renew_at: Instant,
}

/// The e-service adapter.
pub struct HttpRegistry {
    http: reqwest::Client,
    settings: HttpRegistrySettings,
    key: RpKey,
    voucher: tokio::sync::Mutex<Option<Voucher>>,
    cache: Mutex<HashMap<String, (Instant, Resident)>>,
}

impl std::fmt::Debug for HttpRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HttpRegistry({})", self.settings.lookup_url)
    }
}

/// Why one try failed, and whether another may succeed.
enum TryError {
    /// Worth another try (timeout, no connection, 429, 5xx).
    Transient(String),
    /// The voucher was refused: get a new one, then try again.
    VoucherRefused,
    /// Another try would fail the same way.
    Final(String),
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl HttpRegistry {
    /// The adapter for `settings` (checked when the configuration was read).
    pub fn new(settings: HttpRegistrySettings) -> Result<HttpRegistry, RegistryError> {
        let key = RpKey::from_pem(settings.key_pem.expose_secret())
            .ok_or_else(|| RegistryError::Other("SPORTELLO_REGISTRY_KEY is not a P-256 PKCS#8 key".into()))?;
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .map_err(|e| RegistryError::Other(format!("cannot build the HTTP client: {e}")))?;
        Ok(HttpRegistry {
            http,
            settings,
            key,
            voucher: tokio::sync::Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Our public key as a JWK: what the authorisation server registers for our client.
    pub fn public_jwk(&self) -> serde_json::Value {
        self.key.public_jwk()
    }

    fn cached(&self, cf: &str) -> Option<Resident> {
        let cache = self.cache.lock().expect("registry cache mutex");
        cache
            .get(cf)
            .filter(|(at, _)| at.elapsed() < self.settings.cache_ttl)
            .map(|(_, r)| r.clone())
    }

    fn remember(&self, resident: &Resident) {
        if self.settings.cache_ttl.is_zero() {
            return;
        }
        let mut cache = self.cache.lock().expect("registry cache mutex");
        if cache.len() >= CACHE_CAPACITY {
            let ttl = self.settings.cache_ttl;
            cache.retain(|_, (at, _)| at.elapsed() < ttl);
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
        }
        cache.insert(resident.codice_fiscale.to_string(), (Instant::now(), resident.clone()));
    }

    /// A voucher, from memory while it is fresh, else a new one.
    async fn voucher(&self) -> Result<SecretString, TryError> {
        let mut held = self.voucher.lock().await;
        if let Some(v) = held.as_ref().filter(|v| Instant::now() < v.renew_at) {
            return Ok(v.token.clone());
        }
        let now = chrono::Utc::now().timestamp();
        let assertion = self.key.sign(&serde_json::json!({
            "iss": self.settings.client_id,
            "sub": self.settings.client_id,
            "aud": self.settings.audience,
            "iat": now,
            "exp": now + 60,
            "jti": B64.encode(random_bytes::<16>()),
        }));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair(
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            )
            .append_pair("client_assertion", &assertion)
            .finish();
        let response = self
            .http
            .post(&self.settings.token_url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| transport("voucher", &e))?;
        let status = response.status();
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(TryError::Transient(format!(
                "voucher: the authorisation server answered {status}"
            )));
        }
        if !status.is_success() {
            return Err(TryError::Final(format!("voucher refused: {status}")));
        }
        let answer: TokenAnswer = response
            .json()
            .await
            .map_err(|e| TryError::Final(format!("voucher: not a token answer: {e}")))?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(300));
        let token = SecretString::from(answer.access_token);
        *held = Some(Voucher {
            token: token.clone(),
            renew_at: Instant::now() + lifetime.saturating_sub(VOUCHER_MARGIN),
        });
        Ok(token)
    }

    async fn forget_voucher(&self) {
        *self.voucher.lock().await = None;
    }

    /// One try: a voucher, then the lookup.
    async fn try_lookup(&self, cf: &str) -> Result<Option<Resident>, TryError> {
        let voucher = self.voucher().await?;
        // The codice fiscale goes in the body, not the URL: URLs end up in access logs.
        let response = self
            .http
            .post(&self.settings.lookup_url)
            .bearer_auth(voucher.expose_secret())
            .json(&serde_json::json!({ "codice_fiscale": cf }))
            .send()
            .await
            .map_err(|e| transport("lookup", &e))?;
        let status = response.status();
        match status {
            reqwest::StatusCode::NOT_FOUND => Ok(None),
            reqwest::StatusCode::UNAUTHORIZED => Err(TryError::VoucherRefused),
            s if s.is_server_error() || s == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                Err(TryError::Transient(format!("lookup: the registry answered {s}")))
            }
            s if !s.is_success() => Err(TryError::Final(format!("lookup: the registry answered {s}"))),
            _ => {
                let row: RegistryRow = response.json().await.map_err(|e| transport("lookup answer", &e))?;
                // The registry's answer passes the import's rules too: what we post a PIN to
                // must be a real address, whoever wrote it.
                let resident = row
                    .parse()
                    .map_err(|e| TryError::Final(format!("lookup: the registry's answer is not valid: {e}")))?;
                if resident.codice_fiscale.as_str() != cf {
                    return Err(TryError::Final(
                        "lookup: the registry answered about another codice fiscale".into(),
                    ));
                }
                Ok(Some(resident))
            }
        }
    }
}

fn transport(step: &str, e: &reqwest::Error) -> TryError {
    // A timeout, a refused connection or a body cut short may all go better next time. The
    // error's text has the URL, never the codice fiscale (it travels in the body).
    TryError::Transient(format!(
        "{step}: {}",
        if e.is_timeout() { "timed out" } else { "no answer" }
    ))
}

#[async_trait]
impl Registry for HttpRegistry {
    fn kind(&self) -> &'static str {
        "http"
    }

    async fn resident(&self, codice_fiscale: &CodiceFiscale) -> Result<Option<Resident>, RegistryError> {
        let cf = codice_fiscale.as_str();
        if let Some(resident) = self.cached(cf) {
            return Ok(Some(resident));
        }
        let mut last = String::new();
        let mut pause = FIRST_BACKOFF;
        for attempt in 1..=self.settings.attempts {
            if attempt > 1 {
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            match self.try_lookup(cf).await {
                Ok(found) => {
                    if let Some(resident) = &found {
                        self.remember(resident);
                    }
                    return Ok(found);
                }
                Err(TryError::Final(reason)) => return Err(RegistryError::Other(reason)),
                Err(TryError::VoucherRefused) => {
                    self.forget_voucher().await;
                    last = "lookup: the voucher was refused".into();
                }
                Err(TryError::Transient(reason)) => last = reason,
            }
        }
        Err(RegistryError::Unavailable(format!(
            "{} tries in vain, the last: {last}",
            self.settings.attempts
        )))
    }
}
