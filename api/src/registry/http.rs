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
pub use crate::config::registry::{HttpRegistrySettings, MAX_CACHE_TTL};
use crate::jose::RpKey;
use crate::secrets::random_bytes;

/// Entries the cache holds at most; past it, expired entries go, then everything.
const CACHE_CAPACITY: usize = 10_000;
/// A voucher is renewed this long before it expires, so that none expires on the way.
const VOUCHER_MARGIN: Duration = Duration::from_secs(30);
/// The first pause between tries; each next one doubles.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

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
