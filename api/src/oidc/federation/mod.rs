//! OpenID Connect Federation 1.0 as SPID's and CIE's OIDC profiles use it (ADR 0024): our entity
//! configuration, the providers' trust chains and metadata policy, and the list of providers the
//! SPID button shows, taken from the federation rather than from a hand-kept list.

pub mod chain;
pub mod entity;
pub mod policy;

use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::config::federation::FederationConfig;
use crate::config::oidc::ProviderKind;
use crate::jose::{Jwks, RpKey};
use crate::jwe::EncKey;
use chain::{ChainError, ResolvedEntity, Resolver, TrustAnchor};

/// The entity type of an identity provider.
pub const OPENID_PROVIDER: &str = "openid_provider";
/// How long the list of providers is kept before the anchor is asked again.
const LIST_TTL: Duration = Duration::from_secs(300);

/// A provider of the federation, as the login page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedProvider {
    /// The short id in URLs: derived from the entity id, stable across restarts and instances.
    pub id: String,
    /// Its entity id (the issuer).
    pub entity_id: String,
    /// The name it publishes (`organization_name`), else its host.
    pub label: String,
    /// SPID or CIE.
    pub kind: ProviderKind,
}

/// Our side of the federation: keys, what we publish, and the providers we found.
pub struct Federation {
    config: FederationConfig,
    entity_id: String,
    redirect_uri: String,
    /// The first signs our entity configuration; all are published (a rotation).
    federation_keys: Vec<RpKey>,
    /// All are published; UserInfo is decrypted with the one its `kid` names.
    enc_keys: Vec<EncKey>,
    resolver: Resolver,
    listed: tokio::sync::RwLock<Option<(Instant, Arc<Vec<FederatedProvider>>)>>,
    /// Held by the one request refreshing `listed`.
    refreshing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Federation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Federation")
            .field("entity_id", &self.entity_id)
            .finish_non_exhaustive()
    }
}

/// The short id of a provider: 16 hex digits of the SHA-256 of its entity id.
pub fn provider_id(entity_id: &str) -> String {
    let digest = Sha256::digest(entity_id.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

impl Federation {
    /// Our federation for `config`; `entity_id` is the service's public URL, `redirect_uri` the
    /// callback. Keys absent from the configuration (dev mode only) are made fresh.
    pub fn new(config: &FederationConfig, entity_id: &str, redirect_uri: String, http: reqwest::Client) -> Federation {
        let validated = "validated when the configuration was read";
        let federation_keys = match &config.federation_key_pem {
            Some(pem) => crate::jose::pem_blocks(pem.expose_secret())
                .iter()
                .map(|b| RpKey::from_pem(b).expect(validated))
                .collect(),
            None => vec![RpKey::generate()],
        };
        let enc_keys = match &config.enc_key_pem {
            Some(pem) => crate::jose::pem_blocks(pem.expose_secret())
                .iter()
                .map(|b| EncKey::from_pem(b).expect(validated))
                .collect(),
            None => vec![EncKey::generate()],
        };
        let anchors = config
            .trust_anchors
            .iter()
            .map(|a| TrustAnchor {
                entity_id: a.entity_id.clone(),
                jwks: Jwks::from_value(&a.jwks).unwrap_or_default(),
            })
            .collect();
        Federation {
            config: config.clone(),
            entity_id: entity_id.to_owned(),
            redirect_uri,
            federation_keys,
            enc_keys,
            resolver: Resolver::new(http, anchors, config.provider_trust_marks.clone()),
            listed: tokio::sync::RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Our entity id (= our client id at every provider).
    pub fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// The key a UserInfo JWE is encrypted to: the one its header's `kid` names, else the first.
    pub fn enc_key_for(&self, jwe: &str) -> &EncKey {
        let kid = crate::jose::header(jwe).and_then(|h| h.get("kid").and_then(Value::as_str).map(str::to_owned));
        kid.and_then(|kid| self.enc_keys.iter().find(|k| k.kid() == kid))
            .unwrap_or(&self.enc_keys[0])
    }

    /// Our federation public keys (what the anchor registers for us).
    pub fn federation_jwks(&self) -> Value {
        let keys: Vec<Value> = self.federation_keys.iter().map(RpKey::public_jwk).collect();
        serde_json::json!({ "keys": keys })
    }

    /// Our entity configuration, signed now; `core_jwks` are the relying party's signing keys.
    pub fn entity_configuration(&self, core_jwks: Vec<Value>, now: i64) -> String {
        let mut rp_keys = core_jwks;
        rp_keys.extend(self.enc_keys.iter().map(EncKey::public_jwk));
        let claims = entity::configuration(
            &entity::Publication {
                entity_id: &self.entity_id,
                redirect_uri: &self.redirect_uri,
                config: &self.config,
                federation_jwks: self.federation_jwks(),
                rp_jwks: serde_json::json!({ "keys": rp_keys }),
            },
            now,
        );
        self.federation_keys[0].sign_typed(entity::ENTITY_STATEMENT_TYP, &claims)
    }

    /// A provider's trust chain, resolved and verified (cached until it expires).
    pub async fn resolve(&self, entity_id: &str, now: i64) -> Result<Arc<ResolvedEntity>, ChainError> {
        self.resolver.resolve(entity_id, OPENID_PROVIDER, now).await
    }

    /// The providers: SPID's from the anchor's list, CIE's as configured; each one whose chain
    /// does not resolve is left out (and logged by the resolver). Kept for five minutes; past
    /// that, one request refreshes the list while the others go on with the old one, so that a
    /// slow anchor never holds up the login page of everyone at once.
    pub async fn providers(&self, now: i64) -> Arc<Vec<FederatedProvider>> {
        let kept = self.listed.read().await.clone();
        if let Some((at, list)) = &kept
            && at.elapsed() < LIST_TTL
        {
            return list.clone();
        }
        let refreshing = match (&kept, self.refreshing.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some((_, stale)), Err(_)) => return stale.clone(),
            // Nothing to show yet: wait for the refresh under way, then take its list.
            (None, Err(_)) => {
                let guard = self.refreshing.lock().await;
                if let Some((_, list)) = self.listed.read().await.as_ref() {
                    return list.clone();
                }
                guard
            }
        };
        let found = Arc::new(self.list_now(now).await);
        // An empty answer (the anchor down) is kept only briefly, so the button comes back soon.
        let at = if found.is_empty() {
            Instant::now() - LIST_TTL + Duration::from_secs(15)
        } else {
            Instant::now()
        };
        *self.listed.write().await = Some((at, found.clone()));
        drop(refreshing);
        found
    }

    /// Asks the anchor and resolves each provider, now.
    async fn list_now(&self, now: i64) -> Vec<FederatedProvider> {
        let mut candidates: Vec<(String, ProviderKind)> = Vec::new();
        if let Some(anchor) = &self.config.spid_anchor {
            match self.resolver.list(anchor, OPENID_PROVIDER).await {
                Ok(ids) => candidates.extend(
                    ids.into_iter()
                        .filter(|id| !self.config.cie_providers.contains(id))
                        .map(|id| (id, ProviderKind::Spid)),
                ),
                Err(e) => tracing::warn!(%anchor, error = %e, "the federation's list of providers is not available"),
            }
        }
        candidates.extend(
            self.config
                .cie_providers
                .iter()
                .map(|id| (id.clone(), ProviderKind::Cie)),
        );
        let mut found = Vec::new();
        for (entity_id, kind) in candidates {
            if let Ok(resolved) = self.resolve(&entity_id, now).await {
                found.push(FederatedProvider {
                    id: provider_id(&entity_id),
                    label: label_of(&resolved, &entity_id),
                    entity_id,
                    kind,
                });
            }
        }
        found
    }

    /// The provider with this short id, if the federation lists it.
    pub async fn provider(&self, id: &str, now: i64) -> Option<FederatedProvider> {
        self.providers(now).await.iter().find(|p| p.id == id).cloned()
    }
}

/// The file names [`make_keys`] writes, and the variables that name them.
pub const KEY_FILES: [(&str, &str); 3] = [
    ("federation.pem", "SPORTELLO_FEDERATION_KEY"),
    ("rp.pem", "SPORTELLO_OIDC_RP_KEY"),
    ("enc.pem", "SPORTELLO_OIDC_ENC_KEY"),
];

/// Makes our three keys as PKCS#8 PEM files in `dir` (readable by the owner only; an existing
/// file is never overwritten) and returns the federation's public JWK set, which is what the
/// trust anchor registers at onboarding.
pub fn make_keys(dir: &std::path::Path) -> std::io::Result<Value> {
    use std::io::Write;
    let federation = RpKey::generate_pem();
    let pems = [federation.clone(), RpKey::generate_pem(), EncKey::generate().to_pem()];
    std::fs::create_dir_all(dir)?;
    for ((name, _), pem) in KEY_FILES.iter().zip(pems) {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(dir.join(name))?.write_all(pem.as_bytes())?;
    }
    let key = RpKey::from_pem(&federation).expect("a generated key reads back");
    Ok(serde_json::json!({ "keys": [key.public_jwk()] }))
}

/// What a provider calls itself: `organization_name` of its provider or federation metadata.
fn label_of(resolved: &ResolvedEntity, entity_id: &str) -> String {
    let named = |m: Option<&Map<String, Value>>| {
        m.and_then(|m| m.get("organization_name"))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
    };
    named(Some(&resolved.metadata))
        .or_else(|| named(resolved.federation_entity.as_ref()))
        .or_else(|| {
            url::Url::parse(entity_id)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
        })
        .unwrap_or_else(|| entity_id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn during_a_rotation_both_keys_are_published_the_first_signs_and_userinfo_finds_its_key() {
        let (fed_old, fed_new) = (RpKey::generate_pem(), RpKey::generate_pem());
        let (enc_old, enc_new) = (EncKey::generate(), EncKey::generate());
        let config = FederationConfig {
            federation_key_pem: Some(format!("{fed_old}{fed_new}").into()),
            enc_key_pem: Some(format!("{}{}", enc_old.to_pem(), enc_new.to_pem()).into()),
            ..FederationConfig::default()
        };
        let f = Federation::new(
            &config,
            "https://s.example.it",
            "https://s.example.it/cb".into(),
            reqwest::Client::new(),
        );
        let statement = f.entity_configuration(vec![], 1_000);
        let own = Jwks::from_value(&f.federation_jwks()).unwrap();
        let claims = crate::jose::verify_typed(&statement, &own, entity::ENTITY_STATEMENT_TYP).unwrap();
        assert_eq!(claims["jwks"]["keys"].as_array().unwrap().len(), 2);
        let old_kid = RpKey::from_pem(&fed_old).unwrap().kid().to_owned();
        assert_eq!(
            crate::jose::header(&statement).unwrap()["kid"],
            old_kid.as_str(),
            "the first key signs"
        );
        let enc: Vec<&str> = claims["metadata"]["openid_relying_party"]["jwks"]["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(enc, [enc_old.kid(), enc_new.kid()]);
        let to_new = crate::jwe::encrypt(b"x", &enc_new.public_jwk(), "RSA-OAEP", "A256CBC-HS512");
        assert_eq!(f.enc_key_for(&to_new).kid(), enc_new.kid());
        assert_eq!(
            crate::jwe::decrypt(&to_new, f.enc_key_for(&to_new)).unwrap().plaintext,
            b"x"
        );
    }

    #[test]
    fn a_provider_id_is_stable_and_short() {
        assert_eq!(provider_id("http://127.0.0.1:8101/oidc/op").len(), 16);
        assert_eq!(
            provider_id("https://id.example.it"),
            provider_id("https://id.example.it")
        );
        assert_ne!(provider_id("https://a.example.it"), provider_id("https://b.example.it"));
    }
}
