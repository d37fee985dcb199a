//! The OpenID Connect relying party for SPID and CIE: authorization-code flow with PKCE (S256),
//! `state` and `nonce`, `acr_values` asking for SPID level 2; on the way back the code is exchanged
//! (client authentication `private_key_jwt` or `client_secret_basic`), the ID token's signature is
//! checked against the provider's JWK set and its issuer, audience, expiry, nonce and `acr` are
//! checked, and the codice fiscale is taken from the `fiscal_number` claim (ID token or userinfo).
//!
//! Nothing of a login in progress is kept on the server: `state`, `nonce`, the PKCE verifier and the
//! provider travel in a short-lived, HttpOnly cookie signed with a key derived from the PIN key, so
//! that any instance (Lambda included) can finish a flow another one started, and a callback from a
//! browser that did not start the flow, or with a changed `state`, is refused.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use domain::{CodiceFiscale, ErrorCode};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use crate::config::oidc::{ClientAuth, OidcConfig, ProviderConfig, ProviderKind};
use crate::jose::{self as jws, Jwks, RpKey};

use crate::secrets::{constant_time_eq, random_bytes};

mod federated;
pub mod federation;

/// SPID level 1 (password only): not enough for this service.
pub const SPID_L1: &str = "https://www.spid.gov.it/SpidL1";
/// SPID level 2 (password and a second factor): the minimum accepted, and what is asked for.
pub const SPID_L2: &str = "https://www.spid.gov.it/SpidL2";
/// SPID level 3 (smart card).
pub const SPID_L3: &str = "https://www.spid.gov.it/SpidL3";
/// The claim carrying the codice fiscale, as `TINIT-<CF>`.
pub const FISCAL_NUMBER_CLAIM: &str = "https://attributes.eid.gov.it/fiscal_number";
/// The cookie holding a login in progress.
pub const FLOW_COOKIE: &str = "sportello_oidc";
/// The path the provider sends the browser back to.
pub const CALLBACK_PATH: &str = "/api/auth/oidc/callback";

/// How long a citizen has at the provider before the login must start again.
const FLOW_LIFETIME_SECS: i64 = 600;
/// Clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: i64 = 60;
/// How long discovery and JWK sets are trusted before being fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);

/// Why a login through a provider was refused. Each maps to a code the SPA explains.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// No flow cookie, a forged or expired one, or a `state` that does not match it.
    #[error("login flow not valid: {0}")]
    Flow(&'static str),
    /// The provider answered with an error, or with something the protocol does not allow.
    #[error("provider failed: {0}")]
    Provider(String),
    /// The identity was asserted below SPID level 2.
    #[error("authentication level too low: {0:?}")]
    LevelTooLow(Option<String>),
    /// No valid codice fiscale in the identity.
    #[error("identity without a valid codice fiscale: {0}")]
    Identity(String),
    /// The store could not record the flow as finished: try again in a moment.
    #[error("login flow not recorded: {0}")]
    Store(#[from] crate::store::StoreError),
}

impl Refusal {
    /// The stable code shown to the citizen.
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::Flow(_) => ErrorCode::AuthFlowInvalid,
            Refusal::Provider(_) => ErrorCode::AuthProviderFailed,
            Refusal::LevelTooLow(_) => ErrorCode::AuthLevelTooLow,
            Refusal::Identity(_) => ErrorCode::AuthIdentityInvalid,
            Refusal::Store(_) => ErrorCode::Overloaded,
        }
    }
}

fn provider_error(context: &str, e: impl std::fmt::Display) -> Refusal {
    Refusal::Provider(format!("{context}: {e}"))
}

/// A verified citizen, as a provider vouched for them.
#[derive(Debug, Clone)]
pub struct VerifiedIdentity {
    /// The codice fiscale from the `fiscal_number` claim, validated.
    pub codice_fiscale: CodiceFiscale,
    /// SPID or CIE.
    pub kind: ProviderKind,
    /// The provider's id.
    pub provider: String,
    /// The level asserted (`acr`).
    pub acr: String,
}

/// Where to send the browser to start a login, and the flow cookie to set on the way.
#[derive(Debug)]
pub struct Authorization {
    /// The provider's authorization URL with every parameter.
    pub url: String,
    /// The `Set-Cookie` value for the flow.
    pub flow_cookie: String,
}

/// The query the provider sends back to the callback.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The authorization code.
    pub code: Option<String>,
    /// The state we sent.
    pub state: Option<String>,
    /// The provider's error (e.g. `access_denied`).
    pub error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
}

struct Discovered {
    metadata: Metadata,
    jwks: Jwks,
    fetched: Instant,
}

/// What the flow cookie carries (signed, not secret from its own browser).
#[derive(Serialize, Deserialize)]
struct Flow {
    /// Provider id.
    p: String,
    /// State.
    s: String,
    /// Nonce.
    n: String,
    /// PKCE code verifier.
    v: String,
    /// Expiry, Unix seconds.
    e: i64,
    /// The provider's entity id, for a provider of the federation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<String>,
}

impl Flow {
    /// A new flow at provider `p` (`f`: its entity id, for a provider of the federation): fresh
    /// `state`, `nonce` and PKCE verifier, expiring after [`FLOW_LIFETIME_SECS`].
    fn new(p: String, f: Option<String>, now: DateTime<Utc>) -> Flow {
        Flow {
            p,
            s: B64.encode(random_bytes::<32>()),
            n: B64.encode(random_bytes::<32>()),
            v: B64.encode(random_bytes::<32>()),
            e: now.timestamp() + FLOW_LIFETIME_SECS,
            f,
        }
    }

    /// The PKCE S256 challenge of the verifier.
    fn challenge(&self) -> String {
        B64.encode(Sha256::digest(self.v.as_bytes()))
    }
}

/// A way in, as the login page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedProvider {
    /// The id in `/api/auth/oidc/{id}/start`.
    pub id: String,
    /// The name shown.
    pub label: String,
    /// SPID or CIE.
    pub kind: ProviderKind,
}

/// The relying party: providers, our key, the flow-cookie key and what discovery found.
pub struct Oidc {
    providers: Vec<ProviderConfig>,
    public_url: String,
    rp_key: RpKey,
    /// Every key of the RP key file, the first being `rp_key`: all are published (a rotation).
    rp_published: Vec<Value>,
    flow_key: [u8; 32],
    secure_cookies: bool,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<HashMap<String, Arc<Discovered>>>,
    federation: Option<federation::Federation>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("providers", &self.providers.len())
            .finish_non_exhaustive()
    }
}

impl Oidc {
    /// The relying party for `config`; `flow_key` signs the flow cookie (derive it from a secret
    /// every instance shares).
    pub fn new(config: &OidcConfig, secure_cookies: bool, flow_key: [u8; 32]) -> Oidc {
        let rp_key = match &config.rp_key_pem {
            Some(pem) => RpKey::from_pem(pem.expose_secret()).expect("validated when the configuration was read"),
            None => RpKey::generate(),
        };
        let mut rp_published = vec![rp_key.public_jwk()];
        if let Some(pem) = &config.rp_key_pem {
            let blocks = crate::jose::pem_blocks(pem.expose_secret());
            rp_published.extend(
                blocks
                    .iter()
                    .skip(1)
                    .filter_map(|b| RpKey::from_pem(b))
                    .map(|k| k.public_jwk()),
            );
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client builds");
        let redirect_uri = format!("{}{CALLBACK_PATH}", config.public_url);
        let federation = config
            .federation
            .as_ref()
            .map(|f| federation::Federation::new(f, &config.public_url, redirect_uri, http.clone()));
        Oidc {
            providers: config.providers.clone(),
            public_url: config.public_url.clone(),
            rp_key,
            rp_published,
            flow_key,
            secure_cookies,
            http,
            discovered: tokio::sync::Mutex::new(HashMap::new()),
            federation,
        }
    }

    /// The providers configured one by one (plain OpenID Connect).
    pub fn providers(&self) -> &[ProviderConfig] {
        &self.providers
    }

    /// The SPID/CIE federation, when one is configured.
    pub fn federation(&self) -> Option<&federation::Federation> {
        self.federation.as_ref()
    }

    /// Every way in the login page lists: the configured providers, then the federation's.
    pub async fn listed(&self, now: DateTime<Utc>) -> Vec<ListedProvider> {
        let mut listed: Vec<ListedProvider> = self
            .providers
            .iter()
            .map(|p| ListedProvider {
                id: p.id.clone(),
                label: p.label.clone(),
                kind: p.kind,
            })
            .collect();
        if let Some(federation) = &self.federation {
            listed.extend(
                federation
                    .providers(now.timestamp())
                    .await
                    .iter()
                    .map(|p| ListedProvider {
                        id: p.id.clone(),
                        label: p.label.clone(),
                        kind: p.kind,
                    }),
            );
        }
        listed
    }

    /// Our entity configuration (signed), when a federation is configured.
    pub fn entity_configuration(&self, now: DateTime<Utc>) -> Option<String> {
        self.federation
            .as_ref()
            .map(|f| f.entity_configuration(self.rp_published.clone(), now.timestamp()))
    }

    /// Our public key as a JWK set (for providers that fetch it rather than register it).
    pub fn rp_jwks(&self) -> Value {
        serde_json::json!({ "keys": self.rp_published })
    }

    /// The redirect URI registered at every provider.
    pub fn redirect_uri(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.public_url)
    }

    fn provider(&self, id: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Whether `id` names a configured provider.
    pub fn has_provider(&self, id: &str) -> bool {
        self.provider(id).is_some()
    }

    /// The `Set-Cookie` value that clears the flow cookie.
    pub fn clear_flow_cookie(&self) -> String {
        self.flow_cookie_header("", 0)
    }

    fn flow_cookie_header(&self, value: &str, max_age: i64) -> String {
        // Lax, not Strict: the provider sends the browser back with a cross-site top-level GET.
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!("{FLOW_COOKIE}={value}; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
    }

    fn sign_flow(&self, flow: &Flow) -> String {
        let payload = B64.encode(serde_json::to_vec(flow).expect("flow serialises"));
        let tag = B64.encode(self.flow_mac(payload.as_bytes()).finalize().into_bytes());
        format!("{payload}.{tag}")
    }

    fn flow_mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.flow_key).expect("HMAC takes any key length");
        mac.update(b"sportello-oidc-flow-v1\0");
        mac.update(payload);
        mac
    }

    fn open_flow(&self, cookie: &str, now: DateTime<Utc>) -> Result<Flow, Refusal> {
        let (payload, tag) = cookie.split_once('.').ok_or(Refusal::Flow("malformed cookie"))?;
        let tag = B64.decode(tag).map_err(|_| Refusal::Flow("malformed cookie"))?;
        self.flow_mac(payload.as_bytes())
            .verify_slice(&tag)
            .map_err(|_| Refusal::Flow("cookie signature"))?;
        let flow: Flow = B64
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(Refusal::Flow("malformed cookie"))?;
        if flow.e < now.timestamp() {
            return Err(Refusal::Flow("expired"));
        }
        Ok(flow)
    }

    async fn discover(&self, provider: &ProviderConfig, refresh_keys: bool) -> Result<Arc<Discovered>, Refusal> {
        let mut cache = self.discovered.lock().await;
        if let Some(d) = cache.get(&provider.id)
            && d.fetched.elapsed() < METADATA_TTL
            && !(refresh_keys && d.fetched.elapsed() > Duration::from_secs(30))
        {
            return Ok(d.clone());
        }
        let url = format!("{}/.well-known/openid-configuration", provider.issuer);
        let metadata: Metadata = self.get_json(&url).await?;
        if metadata.issuer.trim_end_matches('/') != provider.issuer {
            return Err(Refusal::Provider(format!(
                "discovery names issuer {} instead of {}",
                metadata.issuer, provider.issuer
            )));
        }
        let jwks: Jwks = self.get_json(&metadata.jwks_uri).await?;
        let discovered = Arc::new(Discovered {
            metadata,
            jwks,
            fetched: Instant::now(),
        });
        cache.insert(provider.id.clone(), discovered.clone());
        Ok(discovered)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, Refusal> {
        let response = self.http.get(url).send().await.map_err(|e| provider_error(url, e))?;
        if !response.status().is_success() {
            return Err(Refusal::Provider(format!("{url}: HTTP {}", response.status())));
        }
        response.json().await.map_err(|e| provider_error(url, e))
    }

    /// Starts a login at provider `id`: the authorization URL and the flow cookie. `None` when no
    /// such provider is configured.
    pub async fn start(&self, id: &str, now: DateTime<Utc>) -> Option<Result<Authorization, Refusal>> {
        if let Some(provider) = self.provider(id) {
            return Some(self.start_at(provider, now).await);
        }
        let federation = self.federation.as_ref()?;
        let provider = federation.provider(id, now.timestamp()).await?;
        Some(self.start_federated(federation, &provider, now).await)
    }

    async fn start_at(&self, provider: &ProviderConfig, now: DateTime<Utc>) -> Result<Authorization, Refusal> {
        let discovered = self.discover(provider, false).await?;
        let flow = Flow::new(provider.id.clone(), None, now);
        let challenge = flow.challenge();
        let claims = serde_json::json!({
            "userinfo": { FISCAL_NUMBER_CLAIM: { "essential": true } },
            "id_token": { "acr": { "essential": true } },
        });
        let mut url = url::Url::parse(&discovered.metadata.authorization_endpoint)
            .map_err(|e| provider_error("authorization_endpoint", e))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &provider.client_id)
            .append_pair("redirect_uri", &self.redirect_uri())
            .append_pair("scope", &provider.scope)
            .append_pair("state", &flow.s)
            .append_pair("nonce", &flow.n)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("acr_values", SPID_L2)
            .append_pair("claims", &claims.to_string())
            .append_pair("prompt", "login");
        Ok(Authorization {
            url: url.into(),
            flow_cookie: self.flow_cookie_header(&self.sign_flow(&flow), FLOW_LIFETIME_SECS),
        })
    }

    /// Finishes a login: checks the flow cookie against `state`, records the flow as finished
    /// in `flows` (a second finish of one flow is refused, whatever the provider would do with
    /// the code again), exchanges the code, verifies the ID token, and reads the codice fiscale.
    pub async fn finish(
        &self,
        flows: &dyn crate::store::LoginFlows,
        flow_cookie: Option<&str>,
        query: &CallbackQuery,
        now: DateTime<Utc>,
    ) -> Result<VerifiedIdentity, Refusal> {
        let flow = self.open_flow(flow_cookie.ok_or(Refusal::Flow("no flow cookie"))?, now)?;
        let state = query.state.as_deref().ok_or(Refusal::Flow("no state"))?;
        if !constant_time_eq(state.as_bytes(), flow.s.as_bytes()) {
            return Err(Refusal::Flow("state does not match"));
        }
        if let Some(error) = &query.error {
            return Err(Refusal::Provider(format!("provider answered {error}")));
        }
        let code = query.code.as_deref().ok_or(Refusal::Provider("no code".into()))?;
        // Before the code goes anywhere: the reference SPID provider hands out tokens again for
        // a used code (ADR 0024), so a captured callback and cookie must not log in twice.
        let flow_hash = B64.encode(Sha256::digest(flow.s.as_bytes()));
        let expires = DateTime::from_timestamp(flow.e, 0).unwrap_or(now);
        if !flows.finish_flow(&flow_hash, expires, now).await? {
            return Err(Refusal::Flow("flow already finished"));
        }
        if let Some(entity_id) = &flow.f {
            let federation = self
                .federation
                .as_ref()
                .ok_or(Refusal::Flow("federation no longer configured"))?;
            return self.finish_federated(federation, &flow, entity_id, code, now).await;
        }
        let provider = self
            .provider(&flow.p)
            .ok_or(Refusal::Flow("provider no longer configured"))?;
        let discovered = self.discover(provider, false).await?;
        let tokens = self
            .exchange(provider, &discovered.metadata, code, &flow.v, now)
            .await?;
        let id_token = tokens
            .get("id_token")
            .and_then(Value::as_str)
            .ok_or(Refusal::Provider("no id_token".into()))?;
        let discovered = if jws::header_kid(id_token).is_some_and(|kid| !discovered.jwks.has_kid(&kid)) {
            // The provider may have rotated its keys since we fetched them.
            self.discover(provider, true).await?
        } else {
            discovered
        };
        let claims = jws::verify(id_token, &discovered.jwks).map_err(|e| provider_error("id_token", e))?;
        check_id_token(&claims, &provider.issuer, &provider.client_id, &flow.n, now)?;
        let acr = level_of(&claims)?;
        let fiscal_number = match claims.get(FISCAL_NUMBER_CLAIM).and_then(Value::as_str) {
            Some(v) => v.to_owned(),
            None => {
                let access_token = tokens
                    .get("access_token")
                    .and_then(Value::as_str)
                    .ok_or(Refusal::Identity("no fiscal_number and no access token".into()))?;
                self.userinfo_fiscal_number(provider, &discovered, access_token, &claims)
                    .await?
            }
        };
        Ok(VerifiedIdentity {
            codice_fiscale: codice_fiscale_of(&fiscal_number)?,
            kind: provider.kind,
            provider: provider.id.clone(),
            acr,
        })
    }

    async fn exchange(
        &self,
        provider: &ProviderConfig,
        metadata: &Metadata,
        code: &str,
        verifier: &str,
        now: DateTime<Utc>,
    ) -> Result<Map<String, Value>, Refusal> {
        let redirect_uri = self.redirect_uri();
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier.to_owned()),
            ("client_id", provider.client_id.clone()),
        ];
        let mut request = self.http.post(&metadata.token_endpoint);
        match provider.auth {
            ClientAuth::PrivateKeyJwt => {
                let assertion = self.rp_key.sign(&serde_json::json!({
                    "iss": provider.client_id,
                    "sub": provider.client_id,
                    "aud": metadata.token_endpoint,
                    "iat": now.timestamp(),
                    "exp": now.timestamp() + 60,
                    "jti": B64.encode(random_bytes::<16>()),
                }));
                form.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                ));
                form.push(("client_assertion", assertion));
            }
            ClientAuth::ClientSecretBasic => {
                // RFC 6749 §2.3.1: both parts form-urlencoded before Basic.
                let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let secret = provider
                    .client_secret
                    .as_ref()
                    .map(|s| s.expose_secret())
                    .unwrap_or_default();
                let basic = base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    enc(&provider.client_id),
                    enc(secret)
                ));
                request = request.header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"));
            }
        }
        post_token_form(request, form.iter().map(|(k, v)| (*k, v.as_str()))).await
    }

    async fn userinfo_fiscal_number(
        &self,
        provider: &ProviderConfig,
        discovered: &Discovered,
        access_token: &str,
        id_claims: &Map<String, Value>,
    ) -> Result<String, Refusal> {
        let endpoint = discovered
            .metadata
            .userinfo_endpoint
            .as_deref()
            .ok_or(Refusal::Identity("no fiscal_number and no userinfo endpoint".into()))?;
        let response = self
            .http
            .get(endpoint)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| provider_error("userinfo", e))?;
        if !response.status().is_success() {
            return Err(Refusal::Provider(format!("userinfo HTTP {}", response.status())));
        }
        let is_jwt = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/jwt"));
        let text = response.text().await.map_err(|e| provider_error("userinfo", e))?;
        let info = if is_jwt {
            let info = jws::verify(text.trim(), &discovered.jwks).map_err(|e| provider_error("userinfo", e))?;
            if info.get("iss").and_then(Value::as_str) != Some(provider.issuer.as_str())
                || !audience_ok(&info, &provider.client_id)
            {
                return Err(Refusal::Provider("signed userinfo for another issuer or client".into()));
            }
            info
        } else {
            serde_json::from_str::<Map<String, Value>>(&text).map_err(|e| provider_error("userinfo", e))?
        };
        // OpenID Connect Core §5.3.2: a userinfo for another subject must not be used.
        if info.get("sub") != id_claims.get("sub") {
            return Err(Refusal::Provider("userinfo sub differs from the ID token's".into()));
        }
        info.get(FISCAL_NUMBER_CLAIM)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(Refusal::Identity("no fiscal_number claim".into()))
    }
}

/// POSTs the form of a token request and reads the JSON answer; an error answer (a replayed or
/// expired code: `invalid_grant`) is a refusal naming the first 200 characters of its body.
async fn post_token_form<'a>(
    request: reqwest::RequestBuilder,
    form: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Map<String, Value>, Refusal> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let response = request
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| provider_error("token endpoint", e))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| provider_error("token endpoint", e))?;
    if !status.is_success() {
        let error: String = text.chars().take(200).collect();
        return Err(Refusal::Provider(format!("token endpoint HTTP {status}: {error}")));
    }
    serde_json::from_str(&text).map_err(|e| provider_error("token response", e))
}

/// The key that signs flow cookies, derived from the PIN key so that every instance shares it
/// without one more secret to deploy, and separated from PIN hashing by its label.
pub fn flow_key(pin_key: &crate::secrets::PinKey) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(pin_key.to_hex().as_bytes()).expect("HMAC takes any key length");
    mac.update(b"sportello-oidc-flow-key-v1");
    mac.finalize().into_bytes().into()
}

fn audience_ok(claims: &Map<String, Value>, client_id: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(aud)) => aud == client_id,
        Some(Value::Array(auds)) => {
            auds.iter().any(|a| a.as_str() == Some(client_id))
                && (auds.len() == 1 || claims.get("azp").and_then(Value::as_str) == Some(client_id))
        }
        _ => false,
    }
}

/// The level asserted (`acr`): SPID level 2 or 3, else refused.
fn level_of(claims: &Map<String, Value>) -> Result<String, Refusal> {
    let acr = claims.get("acr").and_then(Value::as_str).map(str::to_owned);
    match acr.as_deref() {
        Some(SPID_L2 | SPID_L3) => Ok(acr.unwrap_or_default()),
        _ => Err(Refusal::LevelTooLow(acr)),
    }
}

/// The codice fiscale of a `fiscal_number` claim (`TINIT-<CF>`), validated.
fn codice_fiscale_of(fiscal_number: &str) -> Result<CodiceFiscale, Refusal> {
    let cf = fiscal_number
        .strip_prefix("TINIT-")
        .ok_or_else(|| Refusal::Identity("fiscal_number without TINIT- prefix".into()))?;
    CodiceFiscale::parse(cf).map_err(|e| Refusal::Identity(format!("{e:?}")))
}

/// OpenID Connect Core §3.1.3.7: issuer, audience, expiry, issue time, nonce.
fn check_id_token(
    claims: &Map<String, Value>,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let bad = |what: &str| Err(Refusal::Provider(format!("id_token {what}")));
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return bad("issuer");
    }
    if !audience_ok(claims, client_id) {
        return bad("audience");
    }
    let now = now.timestamp();
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp + LEEWAY_SECS > now => {}
        _ => return bad("expired"),
    }
    match claims.get("iat").and_then(Value::as_i64) {
        Some(iat) if iat <= now + LEEWAY_SECS => {}
        _ => return bad("issue time"),
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
        return bad("nonce");
    }
    if claims.get("sub").and_then(Value::as_str).is_none_or(str::is_empty) {
        return bad("subject");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oidc() -> Oidc {
        Oidc::new(&OidcConfig::default(), false, [7; 32])
    }

    #[test]
    fn a_flow_cookie_opens_only_unchanged_and_unexpired() {
        let rp = oidc();
        let now = Utc::now();
        let flow = Flow {
            p: "x".into(),
            s: "state".into(),
            n: "nonce".into(),
            v: "verifier".into(),
            e: now.timestamp() + 60,
            f: None,
        };
        let cookie = rp.sign_flow(&flow);
        assert_eq!(rp.open_flow(&cookie, now).unwrap().s, "state");
        let (payload, tag) = cookie.split_once('.').unwrap();
        let forged = B64.encode(
            String::from_utf8(B64.decode(payload).unwrap())
                .unwrap()
                .replace("state", "other"),
        );
        assert!(rp.open_flow(&format!("{forged}.{tag}"), now).is_err());
        assert!(rp.open_flow(&cookie, now + chrono::Duration::seconds(61)).is_err());
        let other = Oidc::new(&OidcConfig::default(), false, [8; 32]);
        assert!(other.open_flow(&cookie, now).is_err());
    }

    #[test]
    fn an_id_token_for_another_audience_or_nonce_or_past_its_expiry_is_refused() {
        let provider = ProviderConfig {
            id: "p".into(),
            label: "P".into(),
            kind: ProviderKind::Spid,
            issuer: "https://idp.example.it".into(),
            client_id: "me".into(),
            auth: ClientAuth::PrivateKeyJwt,
            client_secret: None,
            scope: "openid".into(),
        };
        let now = Utc::now();
        let good = serde_json::json!({ "iss": "https://idp.example.it", "aud": "me", "exp": now.timestamp() + 300,
            "iat": now.timestamp(), "nonce": "n", "sub": "s" });
        let check = |v: &Value, nonce| {
            check_id_token(
                v.as_object().unwrap(),
                &provider.issuer,
                &provider.client_id,
                nonce,
                now,
            )
        };
        assert!(check(&good, "n").is_ok());
        assert!(check(&good, "other").is_err());
        let mut other_aud = good.clone();
        other_aud["aud"] = serde_json::json!(["me", "them"]);
        assert!(check(&other_aud, "n").is_err());
        let mut expired = good.clone();
        expired["exp"] = serde_json::json!(now.timestamp() - 120);
        assert!(check(&expired, "n").is_err());
        let mut other_iss = good;
        other_iss["iss"] = serde_json::json!("https://evil.example.it");
        assert!(check(&other_iss, "n").is_err());
    }
}
