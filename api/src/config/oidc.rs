//! The OpenID Connect providers the service trusts, read from `SPORTELLO_OIDC_PROVIDERS` (a JSON
//! array, or `@/path/to/file.json`), and the relying party's key (`SPORTELLO_OIDC_RP_KEY`, a
//! PKCS#8 PEM file holding a P-256 key) and public address (`SPORTELLO_PUBLIC_URL`).
//!
//! ```json
//! [{ "id": "spid-test", "label": "SPID Test", "kind": "spid", "issuer": "https://idp.example.it",
//!    "client_id": "https://sportello.example.it", "auth": "private_key_jwt" },
//!  { "id": "cie", "label": "CIE", "kind": "cie", "issuer": "https://cie.example.it",
//!    "client_id": "sportello", "auth": "client_secret_basic", "client_secret": "..." }]
//! ```

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// Which button a provider belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(utoipa::ToSchema)]
pub enum ProviderKind {
    /// A SPID identity provider (one of several, listed under the SPID button).
    Spid,
    /// The CIE identity provider (the CIE button).
    Cie,
}

/// How the service authenticates itself at the provider's token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// A JWT signed with the relying party's key (what SPID and CIE require).
    PrivateKeyJwt,
    /// HTTP Basic with a client secret.
    ClientSecretBasic,
}

/// One trusted provider.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// The short id in URLs (`/api/auth/oidc/{id}/start`).
    pub id: String,
    /// The name shown to citizens.
    pub label: String,
    /// SPID or CIE.
    pub kind: ProviderKind,
    /// The issuer identifier; discovery is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// Our client id at this provider.
    pub client_id: String,
    /// How we authenticate at the token endpoint.
    pub auth: ClientAuth,
    /// The client secret, for `client_secret_basic`.
    pub client_secret: Option<SecretString>,
    /// The scopes asked for.
    pub scope: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    id: String,
    label: String,
    kind: ProviderKind,
    issuer: String,
    client_id: String,
    auth: ClientAuth,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

/// The relying party's configuration.
#[derive(Debug, Clone, Default)]
pub struct OidcConfig {
    /// The trusted providers, in configuration order.
    pub providers: Vec<ProviderConfig>,
    /// The relying party's private key (PKCS#8 PEM, P-256). Required outside dev mode when a
    /// provider uses `private_key_jwt`; in dev mode a fresh one is made at each start.
    pub rp_key_pem: Option<SecretString>,
    /// The service's public base URL, e.g. `https://sportello.example.it`; the redirect URI is
    /// `{public_url}/api/auth/oidc/callback`. Default: `http://{SPORTELLO_ADDR}`.
    pub public_url: String,
    /// SPID and CIE through OpenID Connect Federation; `None`: no federated login.
    pub federation: Option<super::federation::FederationConfig>,
}

impl OidcConfig {
    /// Reads the OIDC part of the configuration.
    pub fn from_lookup(
        lookup: &impl Fn(&str) -> Option<String>,
        addr: std::net::SocketAddr,
        dev_mode: bool,
    ) -> Result<OidcConfig, ConfigError> {
        let providers = match lookup("SPORTELLO_OIDC_PROVIDERS").filter(|v| !v.trim().is_empty()) {
            None => Vec::new(),
            Some(value) => parse_providers(&value)?,
        };
        let rp_key_pem = match lookup("SPORTELLO_OIDC_RP_KEY").filter(|v| !v.is_empty()) {
            None => None,
            Some(path) => {
                let err = |reason| ConfigError::Invalid {
                    var: "SPORTELLO_OIDC_RP_KEY",
                    value: path.clone(),
                    reason,
                };
                let pem = std::fs::read_to_string(&path).map_err(|_| err("cannot read the file"))?;
                crate::jose::RpKey::from_pem(&pem).ok_or_else(|| err("expected a PKCS#8 PEM with a P-256 key"))?;
                Some(SecretString::from(pem))
            }
        };
        if !dev_mode && rp_key_pem.is_none() && providers.iter().any(|p| p.auth == ClientAuth::PrivateKeyJwt) {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_OIDC_RP_KEY",
                value: String::new(),
                reason: "required outside dev mode when a provider uses private_key_jwt",
            });
        }
        let public_url = lookup("SPORTELLO_PUBLIC_URL")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| format!("http://{addr}"));
        if !(public_url.starts_with("https://") || is_local_http(&public_url)) {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_PUBLIC_URL",
                value: public_url,
                reason: "expected an https:// URL (http only on 127.0.0.1 or localhost)",
            });
        }
        Ok(OidcConfig {
            providers,
            rp_key_pem,
            public_url: public_url.trim_end_matches('/').to_owned(),
            federation: super::federation::FederationConfig::from_lookup(lookup, dev_mode)?,
        })
    }
}

impl OidcConfig {
    /// Puts the keys of the federation's keys secret (its JSON, read by `lambda.rs`) in place.
    pub fn apply_federation_keys(&mut self, json: &str) -> Result<(), &'static str> {
        let keys = super::federation::SecretKeys::parse(json)?;
        let federation = self
            .federation
            .as_mut()
            .ok_or("SPORTELLO_FEDERATION_KEYS_SECRET_ARN is set but SPORTELLO_FEDERATION is not")?;
        federation.federation_key_pem = Some(keys.federation);
        federation.enc_key_pem = Some(keys.enc);
        self.rp_key_pem = Some(keys.rp);
        Ok(())
    }
}

fn is_local_http(url: &str) -> bool {
    ["http://127.0.0.1", "http://localhost"].iter().any(|p| {
        url.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
    })
}

fn parse_providers(value: &str) -> Result<Vec<ProviderConfig>, ConfigError> {
    const VAR: &str = "SPORTELLO_OIDC_PROVIDERS";
    let err = |value: &str, reason| ConfigError::Invalid {
        var: VAR,
        value: value.chars().take(200).collect(),
        reason,
    };
    let text = match value.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|_| err(value, "cannot read the file"))?,
        None => value.to_owned(),
    };
    let raw: Vec<RawProvider> = serde_json::from_str(&text).map_err(|_| {
        err(
            value,
            "expected a JSON array of {id, label, kind: spid|cie, issuer, client_id, auth: private_key_jwt|client_secret_basic}",
        )
    })?;
    let mut providers = Vec::new();
    for p in raw {
        if p.id.is_empty()
            || !p
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(err(&p.id, "a provider id is letters, digits, - and _ only"));
        }
        if providers.iter().any(|q: &ProviderConfig| q.id == p.id) {
            return Err(err(&p.id, "provider ids must be unique"));
        }
        if !(p.issuer.starts_with("https://") || is_local_http(&p.issuer)) {
            return Err(err(
                &p.issuer,
                "an issuer must be https:// (http only on 127.0.0.1 or localhost)",
            ));
        }
        if p.auth == ClientAuth::ClientSecretBasic && p.client_secret.as_deref().is_none_or(str::is_empty) {
            return Err(err(&p.id, "client_secret_basic needs a client_secret"));
        }
        providers.push(ProviderConfig {
            id: p.id,
            label: p.label,
            kind: p.kind,
            issuer: p.issuer.trim_end_matches('/').to_owned(),
            client_id: p.client_id,
            auth: p.auth,
            client_secret: p.client_secret.map(SecretString::from),
            scope: p.scope.unwrap_or_else(|| "openid profile".into()),
        });
    }
    Ok(providers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)], dev_mode: bool) -> Result<OidcConfig, ConfigError> {
        let map: std::collections::HashMap<&str, &str> = vars.iter().copied().collect();
        OidcConfig::from_lookup(
            &|k| map.get(k).map(|v| v.to_string()),
            "127.0.0.1:8080".parse().unwrap(),
            dev_mode,
        )
    }

    #[test]
    fn providers_are_read_from_json_and_the_secret_never_prints() {
        let json = r#"[{"id":"cie","label":"CIE","kind":"cie","issuer":"https://cie.example.it/","client_id":"s",
            "auth":"client_secret_basic","client_secret":"hunter2-secret"}]"#;
        let c = read(&[("SPORTELLO_OIDC_PROVIDERS", json)], false).unwrap();
        assert_eq!(c.providers[0].issuer, "https://cie.example.it");
        assert_eq!(c.providers[0].scope, "openid profile");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert!(!format!("{c:?}").contains("hunter2-secret"));
    }

    #[test]
    fn a_plain_http_issuer_a_missing_secret_or_a_missing_rp_key_is_refused() {
        let http = r#"[{"id":"x","label":"X","kind":"spid","issuer":"http://idp.example.it","client_id":"s","auth":"private_key_jwt"}]"#;
        assert!(read(&[("SPORTELLO_OIDC_PROVIDERS", http)], true).is_err());
        let no_secret = r#"[{"id":"x","label":"X","kind":"spid","issuer":"https://idp.example.it","client_id":"s","auth":"client_secret_basic"}]"#;
        assert!(read(&[("SPORTELLO_OIDC_PROVIDERS", no_secret)], true).is_err());
        let jwt = r#"[{"id":"x","label":"X","kind":"spid","issuer":"https://idp.example.it","client_id":"s","auth":"private_key_jwt"}]"#;
        assert_eq!(
            read(&[("SPORTELLO_OIDC_PROVIDERS", jwt)], false).unwrap_err().var(),
            "SPORTELLO_OIDC_RP_KEY"
        );
        assert!(read(&[("SPORTELLO_OIDC_PROVIDERS", jwt)], true).is_ok());
        assert!(read(&[("SPORTELLO_PUBLIC_URL", "http://sportello.example.it")], true).is_err());
    }
}
