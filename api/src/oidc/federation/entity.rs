//! Our entity configuration (OpenID Federation 1.0 §3; SPID OIDC and CIE OIDC profiles): the
//! signed statement at `{entity id}/.well-known/openid-federation` with which a provider, having
//! resolved our chain up to its anchor, learns our redirect URI and keys. Nothing else about us
//! is registered anywhere: this is our registration.

use serde_json::{Value, json};

use crate::config::federation::FederationConfig;

/// The JWS `typ` of entity statements (OpenID Federation 1.0 §3).
pub const ENTITY_STATEMENT_TYP: &str = "entity-statement+jwt";
/// The media type it is served as.
pub const ENTITY_STATEMENT_MEDIA_TYPE: &str = "application/entity-statement+jwt";
/// Where it is served, below the entity id.
pub const WELL_KNOWN_PATH: &str = "/.well-known/openid-federation";
/// How long a signed configuration holds: a day, so that a key rotation is seen by every
/// provider within one (they cache it until `exp`).
const LIFETIME_SECS: i64 = 86_400;
/// What UserInfo is encrypted with: RSA-OAEP with AES-256-CBC + HMAC-SHA-512, the reference
/// implementation's default and allowed by both profiles.
pub const USERINFO_ALG: &str = "RSA-OAEP";
/// See [`USERINFO_ALG`].
pub const USERINFO_ENC: &str = "A256CBC-HS512";

/// What goes into the statement.
pub struct Publication<'a> {
    /// Our entity id, which is also our client id.
    pub entity_id: &'a str,
    /// The callback.
    pub redirect_uri: &'a str,
    /// Anchors, hints, trust marks, names.
    pub config: &'a FederationConfig,
    /// The keys the statement is signed with.
    pub federation_jwks: Value,
    /// The keys providers use with us: request objects and client assertions (`use: sig`) and
    /// UserInfo encryption (`use: enc`). Inline: the reference implementation's token endpoint
    /// looks the client assertion's key up in them only (ADR 0024).
    pub rp_jwks: Value,
}

/// The statement's claims at `now`.
pub fn configuration(p: &Publication<'_>, now: i64) -> Value {
    let contacts = &p.config.contacts;
    let name = &p.config.organization_name;
    json!({
        "iss": p.entity_id,
        "sub": p.entity_id,
        "iat": now,
        "exp": now + LIFETIME_SECS,
        "jwks": p.federation_jwks,
        "authority_hints": p.config.authority_hints,
        "trust_marks": p.config.trust_marks,
        "metadata": {
            "federation_entity": {
                "organization_name": name,
                "homepage_uri": p.entity_id,
                "contacts": contacts,
            },
            "openid_relying_party": {
                "client_id": p.entity_id,
                "client_name": name,
                "organization_name": name,
                "application_type": "web",
                "client_registration_types": ["automatic"],
                "redirect_uris": [p.redirect_uri],
                "response_types": ["code"],
                "grant_types": ["authorization_code"],
                "subject_type": "pairwise",
                "token_endpoint_auth_method": "private_key_jwt",
                "id_token_signed_response_alg": "RS256",
                "userinfo_signed_response_alg": "RS256",
                "userinfo_encrypted_response_alg": USERINFO_ALG,
                "userinfo_encrypted_response_enc": USERINFO_ENC,
                "contacts": contacts,
                "jwks": p.rp_jwks,
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_names_us_as_client_and_carries_hints_marks_and_both_key_uses() {
        let config = FederationConfig {
            authority_hints: vec!["https://ta.example.it".into()],
            trust_marks: vec![
                json!({"id": "https://www.spid.gov.it/openid-federation/agreement/sp-public/", "trust_mark": "a.b.c"}),
            ],
            organization_name: "Sportello".into(),
            ..FederationConfig::default()
        };
        let p = Publication {
            entity_id: "https://sportello.example.it",
            redirect_uri: "https://sportello.example.it/api/auth/oidc/callback",
            config: &config,
            federation_jwks: json!({"keys": [{"kid": "f"}]}),
            rp_jwks: json!({"keys": [{"kid": "s", "use": "sig"}, {"kid": "e", "use": "enc"}]}),
        };
        let c = configuration(&p, 1_000);
        assert_eq!(c["iss"], c["sub"]);
        assert_eq!(c["exp"], 1_000 + LIFETIME_SECS);
        let rp = &c["metadata"]["openid_relying_party"];
        assert_eq!(rp["client_id"], "https://sportello.example.it");
        assert_eq!(
            rp["redirect_uris"][0],
            "https://sportello.example.it/api/auth/oidc/callback"
        );
        assert_eq!(rp["jwks"]["keys"][1]["use"], "enc");
        assert!(
            rp.get("scope").is_none(),
            "the anchor's subset_of would read a scope string as characters"
        );
        assert_eq!(c["authority_hints"][0], "https://ta.example.it");
        assert_eq!(c["trust_marks"][0]["trust_mark"], "a.b.c");
    }
}
