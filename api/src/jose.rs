//! The few pieces of JOSE an OpenID Connect relying party needs, on `ring` (already the TLS crypto
//! of the service): verifying a compact JWS against a JWK set (RS256 and ES256 only, never `none`
//! nor HMAC), and signing our ES256 client assertions for `private_key_jwt`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Why a JWS was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwsError {
    /// Not three base64url parts with a JSON header and payload.
    #[error("malformed JWS")]
    Malformed,
    /// An algorithm we do not accept (`none`, HMAC, ...).
    #[error("algorithm {0} not accepted")]
    Algorithm(String),
    /// No key in the set matches the header's `kid` and algorithm.
    #[error("no matching key")]
    NoKey,
    /// The signature does not verify.
    #[error("bad signature")]
    Signature,
    /// The header's `typ` is not the one this kind of token must carry (RFC 8725 §3.11: a token
    /// of one kind is never taken for another).
    #[error("typ {0:?} not accepted")]
    Type(Option<String>),
}

/// A JSON Web Key, as far as verification needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

/// A JWK set (`jwks_uri`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// Reads a JWK set from its JSON (`{"keys": [...]}`); `None` when it is not one.
    pub fn from_value(value: &Value) -> Option<Jwks> {
        serde_json::from_value(value.clone()).ok()
    }

    /// Whether a key with this `kid` is in the set.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// The `kid` of a compact JWS's header, if it has one.
pub fn header_kid(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    serde_json::from_slice::<Header>(&B64.decode(header).ok()?).ok()?.kid
}

/// The JSON header of a compact JWS (or JWE), unverified: for choosing a key, never for trusting.
pub fn header(token: &str) -> Option<Map<String, Value>> {
    let header = token.split('.').next()?;
    serde_json::from_slice(&B64.decode(header).ok()?).ok()
}

/// [`verify`], and the header's `typ` must be `typ` (e.g. `entity-statement+jwt`).
pub fn verify_typed(token: &str, jwks: &Jwks, typ: &str) -> Result<Map<String, Value>, JwsError> {
    let claims = verify(token, jwks)?;
    let found = header(token).and_then(|h| h.get("typ").and_then(Value::as_str).map(str::to_owned));
    if found.as_deref() != Some(typ) {
        return Err(JwsError::Type(found));
    }
    Ok(claims)
}

/// Verifies a compact JWS against `jwks` and returns its JSON payload. Only RS256 (RSA keys of
/// 2048 bits or more) and ES256 are accepted; the key is chosen by `kid`, or is the only key of
/// the algorithm's type when the header has none.
pub fn verify(token: &str, jwks: &Jwks) -> Result<Map<String, Value>, JwsError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwsError::Malformed);
    };
    let header: Header =
        serde_json::from_slice(&B64.decode(h).map_err(|_| JwsError::Malformed)?).map_err(|_| JwsError::Malformed)?;
    let kty = match header.alg.as_str() {
        "RS256" => "RSA",
        "ES256" => "EC",
        other => return Err(JwsError::Algorithm(other.to_owned())),
    };
    let candidates: Vec<&Jwk> = jwks
        .keys
        .iter()
        .filter(|k| k.kty == kty && k.usage.as_deref().is_none_or(|u| u == "sig"))
        .filter(|k| header.kid.is_none() || k.kid == header.kid)
        .collect();
    let key = match candidates.as_slice() {
        [key] => *key,
        _ => return Err(JwsError::NoKey),
    };
    let signature = B64.decode(s).map_err(|_| JwsError::Malformed)?;
    let signed = &token.as_bytes()[..h.len() + 1 + p.len()];
    let decode = |v: &Option<String>| v.as_deref().and_then(|v| B64.decode(v).ok()).ok_or(JwsError::NoKey);
    let verified = if kty == "RSA" {
        let (n, e) = (decode(&key.n)?, decode(&key.e)?);
        signature::RsaPublicKeyComponents { n: &n, e: &e }.verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            signed,
            &signature,
        )
    } else {
        if key.crv.as_deref() != Some("P-256") {
            return Err(JwsError::NoKey);
        }
        let (x, y) = (decode(&key.x)?, decode(&key.y)?);
        if x.len() != 32 || y.len() != 32 {
            return Err(JwsError::NoKey);
        }
        let point = [&[4u8][..], &x, &y].concat();
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(signed, &signature)
    };
    verified.map_err(|_| JwsError::Signature)?;
    serde_json::from_slice(&B64.decode(p).map_err(|_| JwsError::Malformed)?).map_err(|_| JwsError::Malformed)
}

/// The PEM blocks of `text` in order, each with its BEGIN and END lines. A key file may hold a
/// key and the one that follows it, for a rotation: the first signs, all are published (ADR 0024).
pub fn pem_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with("-----BEGIN ") {
            current = Some(vec![line]);
        } else if let Some(block) = current.as_mut() {
            block.push(line);
            if line.starts_with("-----END ") {
                blocks.push(block.join("\n") + "\n");
                current = None;
            }
        }
    }
    blocks
}

/// The relying party's own key (ECDSA P-256), for `private_key_jwt` client assertions.
pub struct RpKey {
    pair: EcdsaKeyPair,
    kid: String,
}

impl RpKey {
    /// Reads a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) holding a P-256 key.
    pub fn from_pem(pem: &str) -> Option<RpKey> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .skip_while(|l| *l != "-----BEGIN PRIVATE KEY-----")
            .skip(1)
            .take_while(|l| !l.starts_with("-----END"))
            .collect();
        let der = base64::engine::general_purpose::STANDARD.decode(body).ok()?;
        Self::from_pkcs8(&der)
    }

    /// A fresh key as a PKCS#8 PEM (for `sportello-admin federation keys` and the tests).
    pub fn generate_pem() -> String {
        let rng = SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("the OS random number generator is available");
        let body = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
            .collect();
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        )
    }

    /// A fresh key (dev mode without a configured one).
    pub fn generate() -> RpKey {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("the OS random number generator is available");
        Self::from_pkcs8(pkcs8.as_ref()).expect("a generated key parses")
    }

    fn from_pkcs8(der: &[u8]) -> Option<RpKey> {
        let pair =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &SystemRandom::new()).ok()?;
        let (x, y) = xy(&pair);
        // RFC 7638 thumbprint: the members in lexical order, no spaces.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = B64.encode(Sha256::digest(canonical.as_bytes()));
        Some(RpKey { pair, kid })
    }

    /// The public key as a JWK (what the provider registers for us).
    pub fn public_jwk(&self) -> Value {
        let (x, y) = xy(&self.pair);
        serde_json::json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": self.kid, "use": "sig", "alg": "ES256" })
    }

    /// The key's id (its RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A compact ES256 JWS of `claims`, `typ: JWT`.
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_typed("JWT", claims)
    }

    /// A compact ES256 JWS of `claims` whose header says `typ` (e.g. `entity-statement+jwt`).
    pub fn sign_typed(&self, typ: &str, claims: &Value) -> String {
        let header = serde_json::json!({ "alg": "ES256", "typ": typ, "kid": self.kid });
        let signing_input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(claims.to_string()));
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .expect("ECDSA signing does not fail");
        format!("{signing_input}.{}", B64.encode(signature.as_ref()))
    }
}

fn xy(pair: &EcdsaKeyPair) -> (String, String) {
    let point = pair.public_key().as_ref();
    (B64.encode(&point[1..33]), B64.encode(&point[33..65]))
}

impl std::fmt::Debug for RpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RpKey(kid {})", self.kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwks_of(key: &RpKey) -> Jwks {
        serde_json::from_value(serde_json::json!({ "keys": [key.public_jwk()] })).unwrap()
    }

    #[test]
    fn an_es256_token_verifies_with_its_key_and_not_with_another() {
        let key = RpKey::generate();
        let token = key.sign(&serde_json::json!({ "sub": "x" }));
        assert_eq!(verify(&token, &jwks_of(&key)).unwrap()["sub"], "x");
        assert_eq!(verify(&token, &jwks_of(&RpKey::generate())), Err(JwsError::NoKey));
    }

    #[test]
    fn a_changed_payload_or_the_none_algorithm_is_refused() {
        let key = RpKey::generate();
        let token = key.sign(&serde_json::json!({ "sub": "x" }));
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], B64.encode(r#"{"sub":"y"}"#), parts[2]);
        assert_eq!(verify(&forged, &jwks_of(&key)), Err(JwsError::Signature));
        let none = format!("{}.{}.", B64.encode(r#"{"alg":"none"}"#), parts[1]);
        assert_eq!(verify(&none, &jwks_of(&key)), Err(JwsError::Algorithm("none".into())));
        let hmac = format!("{}.{}.{}", B64.encode(r#"{"alg":"HS256"}"#), parts[1], parts[2]);
        assert_eq!(verify(&hmac, &jwks_of(&key)), Err(JwsError::Algorithm("HS256".into())));
    }

    #[test]
    fn a_typed_token_verifies_only_as_its_type() {
        let key = RpKey::generate_pem();
        let key = RpKey::from_pem(&key).unwrap();
        let token = key.sign_typed("entity-statement+jwt", &serde_json::json!({ "sub": "x" }));
        assert!(verify_typed(&token, &jwks_of(&key), "entity-statement+jwt").is_ok());
        assert_eq!(
            verify_typed(
                &key.sign(&serde_json::json!({})),
                &jwks_of(&key),
                "entity-statement+jwt"
            ),
            Err(JwsError::Type(Some("JWT".into())))
        );
        assert_eq!(header(&token).unwrap()["kid"], key.kid());
    }

    #[test]
    fn a_key_file_with_two_keys_gives_both_in_order() {
        let (first, second) = (RpKey::generate_pem(), RpKey::generate_pem());
        let blocks = pem_blocks(&format!("# current\n{first}\n# next\n{second}"));
        assert_eq!(blocks, [first.clone(), second]);
        assert_eq!(
            RpKey::from_pem(&blocks[0]).unwrap().kid(),
            RpKey::from_pem(&first).unwrap().kid()
        );
        assert!(pem_blocks("no key here").is_empty());
    }

    #[test]
    fn the_key_round_trips_through_pkcs8_pem() {
        let rng = SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(der.as_ref())
        );
        let key = RpKey::from_pem(&pem).unwrap();
        assert_eq!(key.public_jwk()["kty"], "EC");
        assert!(RpKey::from_pem("not a key").is_none());
    }
}
