//! SPID and CIE through OpenID Connect Federation 1.0 (ADR 0024): who we trust, what we publish,
//! and our three keys.
//!
//! - `SPORTELLO_FEDERATION`: JSON (or `@/path/to/file.json`):
//!   ```json
//!   { "trust_anchors": [{ "entity_id": "https://registry.spid.gov.it", "jwks": { "keys": [...] } }],
//!     "authority_hints": ["https://registry.spid.gov.it"],
//!     "trust_marks": [{ "id": "https://www.spid.gov.it/openid-federation/agreement/sp-public/", "trust_mark": "eyJ..." }],
//!     "spid_anchor": "https://registry.spid.gov.it",
//!     "cie_providers": ["https://id.servizicie.interno.gov.it"],
//!     "provider_trust_marks": ["https://www.spid.gov.it/openid-federation/agreement/op-public/"],
//!     "organization_name": "Sportello", "contacts": ["ops@sportello.example.it"] }
//!   ```
//!   The anchors' keys are pinned here, never fetched: a chain is only as good as its top. SPID's
//!   providers are listed from `spid_anchor`'s list endpoint (the federation's own list, not one
//!   of ours); CIE's are named. `trust_marks` are what onboarding gave us, published as they are.
//! - `SPORTELLO_FEDERATION_KEY`: PKCS#8 PEM file, P-256: signs our entity configuration; its
//!   public half is what the anchor registered (`sportello-admin federation keys` makes one).
//! - `SPORTELLO_OIDC_RP_KEY` (the relying party's key, see `oidc.rs`): signs request objects and
//!   client assertions.
//! - `SPORTELLO_OIDC_ENC_KEY`: PKCS#8 PEM file, RSA ≥ 2048 bits: providers encrypt UserInfo to it.
//!
//! - `SPORTELLO_FEDERATION_KEYS_SECRET_ARN` (on AWS, instead of the three files): a Secrets
//!   Manager secret holding `{"federation": PEM, "rp": PEM, "enc": PEM}`, read at start
//!   (`lambda.rs`, [`super::oidc::OidcConfig::apply_federation_keys`]).
//!
//! Outside dev mode, a federation without its keys is refused; in dev mode fresh keys are made at
//! each start (a test federation registers them as it finds them).

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;

use super::error::ConfigError;

/// One trust anchor, with its federation keys pinned.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorConfig {
    /// Its entity id.
    pub entity_id: String,
    /// Its federation JWK set (`{"keys": [...]}`).
    pub jwks: Value,
}

/// The federation part of the configuration.
#[derive(Debug, Clone, Default)]
pub struct FederationConfig {
    /// The anchors a provider's chain may end at.
    pub trust_anchors: Vec<AnchorConfig>,
    /// Our superiors, published in our entity configuration.
    pub authority_hints: Vec<String>,
    /// The trust marks we hold, published as given (objects with `id` and `trust_mark`).
    pub trust_marks: Vec<Value>,
    /// The anchor whose list of `openid_provider`s is the SPID button's list.
    pub spid_anchor: Option<String>,
    /// The CIE providers' entity ids.
    pub cie_providers: Vec<String>,
    /// Trust marks a provider must hold (any one of them); empty: none asked for.
    pub provider_trust_marks: Vec<String>,
    /// Our organisation's name, shown on the providers' consent pages.
    pub organization_name: String,
    /// Who to write to about our relying party.
    pub contacts: Vec<String>,
    /// The federation key (PKCS#8 PEM, P-256).
    pub federation_key_pem: Option<SecretString>,
    /// The UserInfo encryption key (PKCS#8 PEM, RSA).
    pub enc_key_pem: Option<SecretString>,
    /// The secret that holds the three keys, when they come from Secrets Manager.
    pub keys_secret_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFederation {
    trust_anchors: Vec<AnchorConfig>,
    #[serde(default)]
    authority_hints: Vec<String>,
    #[serde(default)]
    trust_marks: Vec<Value>,
    #[serde(default)]
    spid_anchor: Option<String>,
    #[serde(default)]
    cie_providers: Vec<String>,
    #[serde(default)]
    provider_trust_marks: Vec<String>,
    #[serde(default)]
    organization_name: Option<String>,
    #[serde(default)]
    contacts: Vec<String>,
}

const VAR: &str = "SPORTELLO_FEDERATION";

impl FederationConfig {
    /// Reads the federation; `None` when `SPORTELLO_FEDERATION` is unset (no federated login).
    pub fn from_lookup(
        lookup: &impl Fn(&str) -> Option<String>,
        dev_mode: bool,
    ) -> Result<Option<FederationConfig>, ConfigError> {
        let Some(value) = lookup(VAR).filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        let err = |reason| ConfigError::Invalid {
            var: VAR,
            value: value.chars().take(200).collect(),
            reason,
        };
        let text = match value.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).map_err(|_| err("cannot read the file"))?,
            None => value.clone(),
        };
        let raw: RawFederation = serde_json::from_str(&text).map_err(|_| {
            err("expected JSON {trust_anchors: [{entity_id, jwks}], authority_hints, trust_marks, spid_anchor, cie_providers, provider_trust_marks, organization_name, contacts}")
        })?;
        if raw.trust_anchors.is_empty() {
            return Err(err("at least one trust anchor is needed"));
        }
        let entity_ids = raw
            .trust_anchors
            .iter()
            .map(|a| a.entity_id.as_str())
            .chain(raw.authority_hints.iter().map(String::as_str))
            .chain(raw.spid_anchor.iter().map(String::as_str))
            .chain(raw.cie_providers.iter().map(String::as_str));
        for id in entity_ids {
            if !is_entity_id(id) {
                return Err(err(
                    "an entity id is an https:// URL without query or fragment (http only on 127.0.0.1 or localhost)",
                ));
            }
        }
        for anchor in &raw.trust_anchors {
            let keys = anchor.jwks.get("keys").and_then(Value::as_array);
            if keys.is_none_or(|k| k.is_empty()) {
                return Err(err("each trust anchor needs its pinned jwks: {\"keys\": [...]}"));
            }
        }
        let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
        if let Some(spid) = &raw.spid_anchor
            && !raw.trust_anchors.iter().any(|a| same(&a.entity_id, spid))
        {
            return Err(err("spid_anchor must be one of trust_anchors"));
        }
        if raw
            .trust_marks
            .iter()
            .any(|m| m.get("trust_mark").and_then(Value::as_str).is_none())
        {
            return Err(err("each trust mark is an object with its trust_mark JWT"));
        }
        let keys_secret_arn = super::env::secret_arn(lookup, "SPORTELLO_FEDERATION_KEYS_SECRET_ARN")?;
        // With the keys in a secret, the files are not needed (nor may they be given as well).
        let files_needed = !dev_mode && keys_secret_arn.is_none();
        let federation_key_pem = read_key(lookup, "SPORTELLO_FEDERATION_KEY", files_needed, signing_keys)?;
        let enc_key_pem = read_key(lookup, "SPORTELLO_OIDC_ENC_KEY", files_needed, encryption_keys)?;
        let rp_key_file = lookup("SPORTELLO_OIDC_RP_KEY").is_some_and(|v| !v.is_empty());
        if keys_secret_arn.is_some() && (federation_key_pem.is_some() || enc_key_pem.is_some() || rp_key_file) {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_FEDERATION_KEYS_SECRET_ARN",
                value: keys_secret_arn.unwrap_or_default(),
                reason: "the keys come from the secret or from files, not both",
            });
        }
        if files_needed && !rp_key_file {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_OIDC_RP_KEY",
                value: String::new(),
                reason: "required outside dev mode with a federation: it signs request objects and client assertions",
            });
        }
        Ok(Some(FederationConfig {
            trust_anchors: raw
                .trust_anchors
                .into_iter()
                .map(|a| AnchorConfig {
                    entity_id: a.entity_id.trim_end_matches('/').to_owned(),
                    jwks: a.jwks,
                })
                .collect(),
            authority_hints: raw.authority_hints,
            trust_marks: raw.trust_marks,
            spid_anchor: raw.spid_anchor.map(|a| a.trim_end_matches('/').to_owned()),
            cie_providers: raw.cie_providers,
            provider_trust_marks: raw.provider_trust_marks,
            organization_name: raw.organization_name.unwrap_or_else(|| "Sportello".to_owned()),
            contacts: raw.contacts,
            federation_key_pem,
            enc_key_pem,
            keys_secret_arn,
        }))
    }
}

/// The three keys of a `SPORTELLO_FEDERATION_KEYS_SECRET_ARN` secret, checked.
pub struct SecretKeys {
    /// Signs our entity configuration.
    pub federation: SecretString,
    /// Signs request objects and client assertions.
    pub rp: SecretString,
    /// UserInfo is encrypted to it.
    pub enc: SecretString,
}

impl SecretKeys {
    /// Reads the secret's JSON; the error says which key is wrong, never what it holds.
    /// Each value may hold several PEM keys, as a key file may.
    pub fn parse(json: &str) -> Result<SecretKeys, &'static str> {
        #[derive(Deserialize)]
        struct Raw {
            federation: String,
            rp: String,
            enc: String,
        }
        let raw: Raw = serde_json::from_str(json)
            .map_err(|_| "expected JSON {\"federation\", \"rp\", \"enc\"}, each a PKCS#8 PEM")?;
        if !signing_keys(&raw.federation) {
            return Err("\"federation\" is not a PKCS#8 PEM P-256 key");
        }
        if !signing_keys(&raw.rp) {
            return Err("\"rp\" is not a PKCS#8 PEM P-256 key");
        }
        if !encryption_keys(&raw.enc) {
            return Err("\"enc\" is not a PKCS#8 PEM RSA key of 2048 bits or more");
        }
        Ok(SecretKeys {
            federation: raw.federation.into(),
            rp: raw.rp.into(),
            enc: raw.enc.into(),
        })
    }
}

/// Whether `text` holds one or more P-256 keys (PKCS#8 PEM), and nothing else.
fn signing_keys(text: &str) -> bool {
    let blocks = crate::jose::pem_blocks(text);
    !blocks.is_empty() && blocks.iter().all(|b| crate::jose::RpKey::from_pem(b).is_some())
}

/// Whether `text` holds one or more RSA keys of 2048 bits or more (PKCS#8 PEM), and nothing else.
fn encryption_keys(text: &str) -> bool {
    let blocks = crate::jose::pem_blocks(text);
    !blocks.is_empty() && blocks.iter().all(|b| crate::jwe::EncKey::from_pem(b).is_ok())
}

/// A key file named by `var`: required when `needed`, checked by `valid`. It may hold several
/// keys: the first is used, all are published (a rotation, ADR 0024).
fn read_key(
    lookup: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    needed: bool,
    valid: impl Fn(&str) -> bool,
) -> Result<Option<SecretString>, ConfigError> {
    let Some(path) = lookup(var).filter(|v| !v.is_empty()) else {
        if !needed {
            return Ok(None);
        }
        return Err(ConfigError::Invalid {
            var,
            value: String::new(),
            reason: "required outside dev mode with a federation (a PKCS#8 PEM file)",
        });
    };
    let err = |reason| ConfigError::Invalid {
        var,
        value: path.clone(),
        reason,
    };
    let pem = std::fs::read_to_string(&path).map_err(|_| err("cannot read the file"))?;
    if !valid(&pem) {
        return Err(err("not a usable PKCS#8 PEM key of the expected kind"));
    }
    Ok(Some(SecretString::from(pem)))
}

/// An entity id: https (http only on loopback, for the test federation), a host, no query or
/// fragment (OpenID Federation 1.0 §1.2).
fn is_entity_id(id: &str) -> bool {
    let Ok(url) = url::Url::parse(id) else {
        return false;
    };
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost"));
    (url.scheme() == "https" || (url.scheme() == "http" && loopback))
        && url.host_str().is_some()
        && url.query().is_none()
        && url.fragment().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)], dev_mode: bool) -> Result<Option<FederationConfig>, ConfigError> {
        let map: std::collections::HashMap<&str, &str> = vars.iter().copied().collect();
        FederationConfig::from_lookup(&|k| map.get(k).map(|v| v.to_string()), dev_mode)
    }

    const GOOD: &str = r#"{"trust_anchors": [{"entity_id": "https://ta.example.it/", "jwks": {"keys": [{"kty": "EC"}]}}],
        "authority_hints": ["https://ta.example.it"], "spid_anchor": "https://ta.example.it",
        "cie_providers": ["https://cie.example.it/oidc/op"], "trust_marks": [{"id": "x", "trust_mark": "a.b.c"}]}"#;

    #[test]
    fn a_federation_is_read_and_its_anchors_keep_their_pinned_keys() {
        let f = read(&[(VAR, GOOD)], true).unwrap().unwrap();
        assert_eq!(f.trust_anchors[0].entity_id, "https://ta.example.it");
        assert_eq!(f.spid_anchor.as_deref(), Some("https://ta.example.it"));
        assert_eq!(f.cie_providers, ["https://cie.example.it/oidc/op"]);
        assert_eq!(f.organization_name, "Sportello");
        assert!(f.federation_key_pem.is_none(), "dev mode makes its keys");
        assert!(read(&[], false).unwrap().is_none());
    }

    #[test]
    fn outside_dev_mode_the_keys_are_required_and_bad_entity_ids_are_refused() {
        assert_eq!(
            read(&[(VAR, GOOD)], false).unwrap_err().var(),
            "SPORTELLO_FEDERATION_KEY"
        );
        let http = GOOD.replace("https://cie.example.it", "http://cie.example.it");
        assert!(read(&[(VAR, &http)], true).is_err());
        let query = GOOD.replace("oidc/op", "oidc/op?x=1");
        assert!(read(&[(VAR, &query)], true).is_err());
        let unpinned = GOOD.replace(r#"{"keys": [{"kty": "EC"}]}"#, r#"{"keys": []}"#);
        assert!(read(&[(VAR, &unpinned)], true).is_err());
        let stray = GOOD.replace(
            r#""spid_anchor": "https://ta.example.it""#,
            r#""spid_anchor": "https://other.example.it""#,
        );
        assert!(read(&[(VAR, &stray)], true).is_err());
        assert!(read(&[(VAR, "{")], true).is_err());
    }

    #[test]
    fn with_a_keys_secret_no_key_file_is_needed_nor_allowed() {
        let arn = "arn:aws:secretsmanager:eu-south-1:123456789012:secret:sportello-federation-keys";
        let f = read(&[(VAR, GOOD), ("SPORTELLO_FEDERATION_KEYS_SECRET_ARN", arn)], false)
            .unwrap()
            .unwrap();
        assert_eq!(f.keys_secret_arn.as_deref(), Some(arn));
        let both = read(
            &[
                (VAR, GOOD),
                ("SPORTELLO_FEDERATION_KEYS_SECRET_ARN", arn),
                ("SPORTELLO_OIDC_RP_KEY", "/k.pem"),
            ],
            false,
        );
        assert_eq!(both.unwrap_err().var(), "SPORTELLO_FEDERATION_KEYS_SECRET_ARN");
    }

    #[test]
    fn a_keys_secret_is_read_only_with_its_three_keys() {
        let ec = crate::jose::RpKey::generate_pem();
        let rsa = crate::jwe::EncKey::generate().to_pem();
        let good = serde_json::json!({ "federation": ec, "rp": ec, "enc": rsa }).to_string();
        assert!(SecretKeys::parse(&good).is_ok());
        let swapped = serde_json::json!({ "federation": ec, "rp": rsa, "enc": ec }).to_string();
        let err = SecretKeys::parse(&swapped).err().unwrap();
        assert!(err.contains("\"rp\""), "{err}");
        assert!(!err.contains("PRIVATE KEY-----"), "the error never holds a key");
        assert!(SecretKeys::parse("{}").is_err());
    }
}
