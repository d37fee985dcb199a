//! A login at a provider of the SPID/CIE federation (ADR 0024): the provider's metadata comes
//! from its verified trust chain, never from a discovery document; the authorization request is a
//! signed request object; the client authenticates with `private_key_jwt`; UserInfo comes back
//! signed and then encrypted to our key.
//!
//! The flow cookie, `state`, `nonce` and PKCE are the plain flow's (`mod.rs`): only what is
//! said to the provider and how its answers are read differ.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::federation::chain::ResolvedEntity;
use super::federation::{FederatedProvider, Federation};
use super::{
    Authorization, FISCAL_NUMBER_CLAIM, FLOW_LIFETIME_SECS, Flow, Oidc, Refusal, SPID_L2, VerifiedIdentity,
    audience_ok, check_id_token, codice_fiscale_of, level_of, post_token_form, provider_error,
};
use crate::jose::{self as jws, Jwks};
use crate::secrets::random_bytes;

/// The JWS `typ` of a request object (RFC 9101 §10.8).
const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";
/// How long a request object or a client assertion holds.
const ASSERTION_LIFETIME_SECS: i64 = 120;
/// What the provider must say UserInfo is.
const JWT_MEDIA_TYPES: [&str; 2] = ["application/jwt", "application/jose"];

/// A resolved provider's endpoints and keys, read from its policy-applied metadata.
struct Endpoints {
    issuer: String,
    authorization: String,
    token: String,
    userinfo: String,
    jwks: Jwks,
}

impl Endpoints {
    fn of(resolved: &ResolvedEntity) -> Result<Endpoints, Refusal> {
        let m = &resolved.metadata;
        let text = |name: &str| {
            m.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| Refusal::Provider(format!("{}: metadata without {name}", resolved.entity_id)))
        };
        let jwks = m
            .get("jwks")
            .and_then(Jwks::from_value)
            .ok_or_else(|| Refusal::Provider(format!("{}: metadata without inline jwks", resolved.entity_id)))?;
        let endpoints = Endpoints {
            issuer: text("issuer")?,
            authorization: text("authorization_endpoint")?,
            token: text("token_endpoint")?,
            userinfo: text("userinfo_endpoint")?,
            jwks,
        };
        // The issuer is the entity the chain was resolved for, nobody else.
        if endpoints.issuer.trim_end_matches('/') != resolved.entity_id.trim_end_matches('/') {
            return Err(Refusal::Provider(format!(
                "{}: metadata names issuer {}",
                resolved.entity_id, endpoints.issuer
            )));
        }
        Ok(endpoints)
    }
}

impl Oidc {
    async fn resolved(
        &self,
        federation: &Federation,
        entity_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Endpoints, Refusal> {
        let resolved = federation
            .resolve(entity_id, now.timestamp())
            .await
            .map_err(|e| Refusal::Provider(format!("trust chain of {entity_id}: {e}")))?;
        Endpoints::of(&resolved)
    }

    /// The browser goes to the provider's authorization endpoint with our signed request object.
    pub(super) async fn start_federated(
        &self,
        federation: &Federation,
        provider: &FederatedProvider,
        now: DateTime<Utc>,
    ) -> Result<Authorization, Refusal> {
        let endpoints = self.resolved(federation, &provider.entity_id, now).await?;
        let flow = Flow::new(provider.id.clone(), Some(provider.entity_id.clone()), now);
        let challenge = flow.challenge();
        let client_id = federation.entity_id();
        let request = self.rp_key.sign_typed(
            REQUEST_OBJECT_TYP,
            &json!({
                "iss": client_id,
                "client_id": client_id,
                "aud": [provider.entity_id, endpoints.authorization],
                "iat": now.timestamp(),
                "exp": now.timestamp() + ASSERTION_LIFETIME_SECS,
                "jti": B64.encode(random_bytes::<16>()),
                "response_type": "code",
                // Lists, as the profiles' request schemas want them (the reference
                // implementation's `AuthenticationRequestSpid`/`Cie` refuse strings).
                "scope": ["openid"],
                "redirect_uri": self.redirect_uri(),
                "state": flow.s,
                "nonce": flow.n,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "acr_values": [SPID_L2],
                // Both profiles allow only these two; "consent login" asks for a fresh login.
                "prompt": "consent login",
                "claims": { "userinfo": { FISCAL_NUMBER_CLAIM: { "essential": true } } },
            }),
        );
        let mut url =
            url::Url::parse(&endpoints.authorization).map_err(|e| provider_error("authorization_endpoint", e))?;
        // The profile repeats these outside the request object; the provider reads the object.
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid")
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("request", &request);
        Ok(Authorization {
            url: url.into(),
            flow_cookie: self.flow_cookie_header(&self.sign_flow(&flow), FLOW_LIFETIME_SECS),
        })
    }

    /// The code becomes tokens; the ID token is checked; the codice fiscale comes from UserInfo.
    pub(super) async fn finish_federated(
        &self,
        federation: &Federation,
        flow: &Flow,
        entity_id: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<VerifiedIdentity, Refusal> {
        let endpoints = self.resolved(federation, entity_id, now).await?;
        let client_id = federation.entity_id();
        let tokens = self.token_request(&endpoints, client_id, code, &flow.v, now).await?;
        let text = |name: &str| {
            tokens
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| Refusal::Provider(format!("token response without {name}")))
        };
        let (id_token, access_token) = (text("id_token")?, text("access_token")?);
        let claims = jws::verify(id_token, &endpoints.jwks).map_err(|e| provider_error("id_token", e))?;
        check_id_token(&claims, &endpoints.issuer, client_id, &flow.n, now)?;
        check_at_hash(&claims, access_token)?;
        let acr = level_of(&claims)?;
        let info = self.userinfo(federation, &endpoints, access_token, client_id).await?;
        // OpenID Connect Core §5.3.2: a UserInfo about somebody else must not be used.
        if info.get("sub").is_none() || info.get("sub") != claims.get("sub") {
            return Err(Refusal::Provider("userinfo sub differs from the ID token's".into()));
        }
        let fiscal_number = info
            .get(FISCAL_NUMBER_CLAIM)
            .and_then(Value::as_str)
            .ok_or(Refusal::Identity("no fiscal_number claim".into()))?;
        Ok(VerifiedIdentity {
            codice_fiscale: codice_fiscale_of(fiscal_number)?,
            kind: match federation.provider(&flow.p, now.timestamp()).await {
                Some(p) => p.kind,
                None => return Err(Refusal::Flow("provider no longer listed")),
            },
            provider: flow.p.clone(),
            acr,
        })
    }

    async fn token_request(
        &self,
        endpoints: &Endpoints,
        client_id: &str,
        code: &str,
        verifier: &str,
        now: DateTime<Utc>,
    ) -> Result<Map<String, Value>, Refusal> {
        let assertion = self.rp_key.sign(&json!({
            "iss": client_id,
            "sub": client_id,
            // The provider looks for its own token endpoint's URL among the audiences.
            "aud": [endpoints.token],
            "iat": now.timestamp(),
            "exp": now.timestamp() + ASSERTION_LIFETIME_SECS,
            "jti": B64.encode(random_bytes::<16>()),
        }));
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("client_id", client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &assertion),
        ];
        post_token_form(self.http.post(&endpoints.token), form).await
    }

    /// UserInfo: a JWE to our encryption key around a JWS by the provider.
    async fn userinfo(
        &self,
        federation: &Federation,
        endpoints: &Endpoints,
        access_token: &str,
        client_id: &str,
    ) -> Result<Map<String, Value>, Refusal> {
        let response = self
            .http
            .get(&endpoints.userinfo)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| provider_error("userinfo", e))?;
        if !response.status().is_success() {
            return Err(Refusal::Provider(format!("userinfo HTTP {}", response.status())));
        }
        let media_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .unwrap_or_default();
        if !JWT_MEDIA_TYPES.contains(&media_type.as_str()) {
            return Err(Refusal::Provider(format!("userinfo is {media_type:?}, not a JWT")));
        }
        let text = response.text().await.map_err(|e| provider_error("userinfo", e))?;
        let decrypted = crate::jwe::decrypt(text.trim(), federation.enc_key_for(text.trim()))
            .map_err(|e| provider_error("userinfo JWE", e))?;
        let inner = String::from_utf8(decrypted.plaintext).map_err(|e| provider_error("userinfo JWE", e))?;
        let info = jws::verify(inner.trim(), &endpoints.jwks).map_err(|e| provider_error("userinfo JWS", e))?;
        // The reference implementation sends neither; when a provider does, they must be right.
        if info
            .get("iss")
            .is_some_and(|iss| iss.as_str() != Some(endpoints.issuer.as_str()))
        {
            return Err(Refusal::Provider("userinfo from another issuer".into()));
        }
        if info.get("aud").is_some() && !audience_ok(&info, client_id) {
            return Err(Refusal::Provider("userinfo for another client".into()));
        }
        Ok(info)
    }
}

/// OpenID Connect Core §3.1.3.8: when the ID token has `at_hash`, it is the left half of the
/// SHA-256 of the access token (RS256 and ES256 both hash with SHA-256).
fn check_at_hash(claims: &Map<String, Value>, access_token: &str) -> Result<(), Refusal> {
    let Some(at_hash) = claims.get("at_hash") else {
        return Ok(());
    };
    let digest = Sha256::digest(access_token.as_bytes());
    if at_hash.as_str() != Some(B64.encode(&digest[..16]).as_str()) {
        return Err(Refusal::Provider(
            "id_token at_hash does not match the access token".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half_of_the_access_tokens_sha256() {
        // The expected value was computed apart, with Python's hashlib and base64.
        let token = "sample-access-token";
        let claims = json!({ "at_hash": "EN9PvSfRnJ9qwbHAFRGqMw" });
        assert!(check_at_hash(claims.as_object().unwrap(), token).is_ok());
        assert!(check_at_hash(claims.as_object().unwrap(), "another").is_err());
        assert!(check_at_hash(&Map::new(), token).is_ok());
    }
}
