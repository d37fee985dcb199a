//! Decrypting the UserInfo answers of SPID and CIE OpenID providers: a compact JWE (RFC 7516)
//! encrypted to our RSA key, whose plaintext is the provider's JWS. Only what the federation
//! profile uses is here — RSA-OAEP or RSA-OAEP-256 key transport, and AES-CBC-HMAC-SHA-2 or
//! AES-GCM content encryption — put together by hand from RustCrypto's `rsa`, `aes`, `cbc` and
//! `hmac` and ring's AEAD (RustCrypto's `aes-gcm` for the 128-bit GCM IVs of cryptojwt), since no
//! JOSE crate sits on our stack (docs/adr/0025).

use aes::{Aes128, Aes256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, Mac};
use ring::aead;
use ring::rand::{SecureRandom, SystemRandom};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, PrivateKey, PublicKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha512};

/// Why a JWE was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JweError {
    /// Not five base64url parts with a JSON header carrying `alg` and `enc`.
    #[error("malformed JWE")]
    Malformed,
    /// A key management algorithm we do not accept (`RSA1_5`, `dir`, ...).
    #[error("key management algorithm {0} not accepted")]
    Algorithm(String),
    /// A content encryption we do not accept.
    #[error("content encryption {0} not accepted")]
    Encryption(String),
    /// Not encrypted to our key: another `kid`, or an encrypted key that our key cannot have made.
    #[error("not encrypted to our key")]
    Key,
    /// The content does not decrypt: a wrong tag, CEK or padding all give this one error, so
    /// that a failure tells an attacker nothing about which step failed.
    #[error("JWE does not decrypt")]
    Decrypt,
    /// A header member we do not implement (`zip`, `crit`).
    #[error("JWE header member {0} not supported")]
    Unsupported(&'static str),
    /// Our encryption key could not be read.
    #[error("encryption key: {0}")]
    KeyFormat(&'static str),
}

/// The key management algorithms we publish and accept (the entity configuration's
/// `userinfo_encryption_alg_values_supported` and [`decrypt`]'s check read the same list).
pub const KEY_ALGORITHMS: &[&str] = &["RSA-OAEP", "RSA-OAEP-256"];

/// The content encryptions we publish and accept.
pub const CONTENT_ENCRYPTIONS: &[&str] = &["A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"];

/// The smallest RSA key we take: what SPID's technical rules and NIST SP 800-57 ask for.
const MIN_BITS: u32 = 2048;

/// Our RSA key that providers encrypt UserInfo to. It is used for nothing else.
pub struct EncKey {
    key: PrivateKey,
    kid: String,
}

impl EncKey {
    /// Reads a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) holding an RSA key of at least 2048
    /// bits.
    pub fn from_pem(pem: &str) -> Result<EncKey, JweError> {
        let key =
            PrivateKey::from_pkcs8_pem(pem.trim()).map_err(|_| JweError::KeyFormat("not a PKCS#8 RSA private key"))?;
        Self::from_key(key)
    }

    /// A fresh 2048-bit key (dev mode without a configured one, and the tests).
    pub fn generate() -> EncKey {
        let key = PrivateKey::new(&mut RingRng(SystemRandom::new()), MIN_BITS as usize)
            .expect("RSA key generation with the OS random number generator does not fail");
        Self::from_key(key).expect("a generated key has the size asked for")
    }

    fn from_key(key: PrivateKey) -> Result<EncKey, JweError> {
        if key.n().bit_width() < MIN_BITS {
            return Err(JweError::KeyFormat("RSA key shorter than 2048 bits"));
        }
        let kid = thumbprint(key.as_public_key());
        Ok(EncKey { key, kid })
    }

    /// The key as a PKCS#8 PEM (for `sportello-admin` key generation and the tests).
    pub fn to_pem(&self) -> String {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .expect("an RSA private key encodes as PKCS#8")
            .to_string()
    }

    /// The key's id: its RFC 7638 JWK thumbprint (SHA-256, base64url), as cryptojwt computes it.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK, for the `jwks` of our entity configuration.
    pub fn public_jwk(&self) -> Value {
        let public = self.key.as_public_key();
        serde_json::json!({
            "kty": "RSA",
            "n": B64.encode(public.n_bytes()),
            "e": B64.encode(public.e_bytes()),
            "kid": self.kid,
            "use": "enc",
            "alg": "RSA-OAEP",
        })
    }

    /// The RFC 7516 Appendix A.1 key, built from its JWK members.
    #[cfg(test)]
    fn from_jwk_components(n: &str, e: &str, d: &str, p: &str, q: &str) -> EncKey {
        let int = |b64: &str| BoxedUint::from_be_slice_vartime(&B64.decode(b64).expect("base64url"));
        let key = PrivateKey::from_components(int(n), int(e), int(d), vec![int(p), int(q)]).expect("a valid RSA key");
        Self::from_key(key).expect("a 2048-bit key")
    }
}

impl std::fmt::Debug for EncKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncKey(kid {})", self.kid)
    }
}

/// RFC 7638: the required members in lexical order, no spaces, hashed with SHA-256.
fn thumbprint(public: &PublicKey) -> String {
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        B64.encode(public.e_bytes()),
        B64.encode(public.n_bytes())
    );
    B64.encode(Sha256::digest(canonical.as_bytes()))
}

/// ring's system random number generator, for the `rsa` crate's key generation (which takes a
/// `rand_core` generator; ring's is the one the service already draws from).
struct RingRng(SystemRandom);

#[derive(Debug, thiserror::Error)]
#[error("the OS random number generator failed")]
struct RngFailed;

impl rsa::rand_core::TryRng for RingRng {
    type Error = RngFailed;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dst).map_err(|_| RngFailed)
    }
}

impl rsa::rand_core::TryCryptoRng for RingRng {}

/// A decrypted JWE: its protected header and the plaintext (for UserInfo, the provider's JWS).
pub struct Decrypted {
    /// The protected header, as sent (authenticated by the content encryption).
    pub header: Map<String, Value>,
    /// The plaintext.
    pub plaintext: Vec<u8>,
}

/// The plaintext is a citizen's personal data: Debug shows only its length.
impl std::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decrypted")
            .field("header", &self.header)
            .field("plaintext", &format_args!("<{} bytes>", self.plaintext.len()))
            .finish()
    }
}

/// A content encryption algorithm (RFC 7518 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    A128CbcHs256,
    A256CbcHs512,
    A128Gcm,
    A256Gcm,
}

impl Enc {
    fn from_name(name: &str) -> Option<Enc> {
        Some(match name {
            "A128CBC-HS256" => Enc::A128CbcHs256,
            "A256CBC-HS512" => Enc::A256CbcHs512,
            "A128GCM" => Enc::A128Gcm,
            "A256GCM" => Enc::A256Gcm,
            _ => return None,
        })
    }

    /// The CEK's length in octets (for CBC-HMAC, MAC key and encryption key together).
    fn key_len(self) -> usize {
        match self {
            Enc::A128CbcHs256 | Enc::A256Gcm => 32,
            Enc::A256CbcHs512 => 64,
            Enc::A128Gcm => 16,
        }
    }

    fn iv_len(self) -> usize {
        match self {
            Enc::A128CbcHs256 | Enc::A256CbcHs512 => 16,
            Enc::A128Gcm | Enc::A256Gcm => 12,
        }
    }

    /// Decrypts and authenticates; every failure is [`JweError::Decrypt`].
    fn open(self, cek: &[u8], iv: &[u8], aad: &[u8], ciphertext: &[u8], tag: &[u8]) -> Result<Vec<u8>, JweError> {
        match self {
            Enc::A128CbcHs256 | Enc::A256CbcHs512 => cbc_hmac_decrypt(cek, iv, aad, ciphertext, tag),
            Enc::A128Gcm | Enc::A256Gcm => gcm_decrypt(self.gcm(), cek, iv, aad, ciphertext, tag),
        }
    }

    /// Encrypts: (ciphertext, tag).
    fn seal(self, cek: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
        match self {
            Enc::A128CbcHs256 | Enc::A256CbcHs512 => cbc_hmac_encrypt(cek, iv, aad, plaintext),
            Enc::A128Gcm | Enc::A256Gcm => gcm_encrypt(self.gcm(), cek, iv, aad, plaintext),
        }
    }

    fn gcm(self) -> &'static aead::Algorithm {
        if self == Enc::A128Gcm {
            &aead::AES_128_GCM
        } else {
            &aead::AES_256_GCM
        }
    }
}

/// Decrypts a compact JWE to `key`. The header's `alg` must be in [`KEY_ALGORITHMS`] and its
/// `enc` in [`CONTENT_ENCRYPTIONS`]; a `kid`, if present, must be ours; `zip` and `crit` are
/// refused. The AAD is the ASCII of the header's base64url part (RFC 7516 §5.2).
///
/// An encrypted key that does not unwrap is not reported as such: the content is then decrypted
/// under a random CEK and fails as a wrong tag would (RFC 7516 §11.5), so that the answer is no
/// oracle on the RSA decryption (Bleichenbacher, Manger).
pub fn decrypt(token: &str, key: &EncKey) -> Result<Decrypted, JweError> {
    let mut parts = token.split('.');
    let (Some(h), Some(ek), Some(iv), Some(ct), Some(tag), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(JweError::Malformed);
    };
    let decode = |part: &str| B64.decode(part).map_err(|_| JweError::Malformed);
    let header: Map<String, Value> = serde_json::from_slice(&decode(h)?).map_err(|_| JweError::Malformed)?;
    let member = |name: &str| match header.get(name) {
        Some(Value::String(value)) => Ok(value.as_str()),
        _ => Err(JweError::Malformed),
    };
    let (alg, enc_name) = (member("alg")?, member("enc")?);
    if !KEY_ALGORITHMS.contains(&alg) {
        return Err(JweError::Algorithm(alg.to_owned()));
    }
    let enc = Enc::from_name(enc_name).ok_or_else(|| JweError::Encryption(enc_name.to_owned()))?;
    for unsupported in ["zip", "crit"] {
        if header.contains_key(unsupported) {
            return Err(JweError::Unsupported(unsupported));
        }
    }
    if header.get("kid").is_some_and(|kid| kid.as_str() != Some(key.kid())) {
        return Err(JweError::Key);
    }
    let (encrypted_key, iv, ciphertext, tag) = (decode(ek)?, decode(iv)?, decode(ct)?, decode(tag)?);
    // The RSA ciphertext is exactly the modulus long, or our key did not make it: a public fact,
    // checked before the private operation.
    if encrypted_key.len() != key.key.size() {
        return Err(JweError::Key);
    }

    // Drawn before the unwrap, so that success and failure take the same steps.
    let mut random_cek = vec![0u8; enc.key_len()];
    SystemRandom::new()
        .fill(&mut random_cek)
        .map_err(|_| JweError::Decrypt)?;
    let unwrapped = match alg {
        "RSA-OAEP" => key.key.oaep_decrypt::<sha1::Sha1>(&encrypted_key),
        _ => key.key.oaep_decrypt::<rsa::sha2::Sha256>(&encrypted_key),
    };
    let cek = match unwrapped {
        Ok(cek) if cek.len() == enc.key_len() => cek,
        _ => random_cek,
    };
    let plaintext = enc.open(&cek, &iv, h.as_bytes(), &ciphertext, &tag)?;
    Ok(Decrypted { header, plaintext })
}

/// Encrypts `plaintext` to the RSA public key in `public_jwk` (its `n` and `e`) as a compact JWE
/// with header `{"alg", "enc", "kid" (the JWK's, if any), "cty": "JWT"}`, as the providers do.
/// It exists for the tests, the integration tests' tampered tokens and the comparison with the
/// test federation: the service itself only decrypts.
///
/// # Panics
/// On a JWK without a usable RSA `n` and `e`, or an `alg` or `enc` that [`decrypt`] does not
/// accept.
pub fn encrypt(plaintext: &[u8], public_jwk: &Value, alg: &str, enc: &str) -> String {
    let mut header = Map::new();
    header.insert("alg".into(), alg.into());
    header.insert("enc".into(), enc.into());
    if let Some(kid) = public_jwk.get("kid") {
        header.insert("kid".into(), kid.clone());
    }
    header.insert("cty".into(), "JWT".into());
    seal(plaintext, &public_key_of(public_jwk), &header)
}

fn public_key_of(jwk: &Value) -> PublicKey {
    let int = |name: &str| {
        let bytes = jwk[name]
            .as_str()
            .and_then(|v| B64.decode(v).ok())
            .unwrap_or_else(|| panic!("the JWK has no base64url {name}"));
        BoxedUint::from_be_slice_vartime(&bytes)
    };
    assert_eq!(jwk["kty"], "RSA", "an RSA JWK");
    PublicKey::new(int("n"), int("e")).expect("a valid RSA public key")
}

/// Encrypts under whatever protected `header` is given (its `alg` and `enc` choose the
/// algorithms), so that the tests can make tokens that decrypt but carry refused members.
fn seal(plaintext: &[u8], public: &PublicKey, header: &Map<String, Value>) -> String {
    let alg = header["alg"].as_str().expect("alg");
    let enc = Enc::from_name(header["enc"].as_str().expect("enc")).expect("an accepted enc");
    let rng = SystemRandom::new();
    let mut cek = vec![0u8; enc.key_len()];
    let mut iv = vec![0u8; enc.iv_len()];
    rng.fill(&mut cek).expect("the OS random number generator is available");
    rng.fill(&mut iv).expect("the OS random number generator is available");
    let encrypted_key = match alg {
        "RSA-OAEP" => public.oaep_encrypt::<sha1::Sha1>(&cek),
        "RSA-OAEP-256" => public.oaep_encrypt::<rsa::sha2::Sha256>(&cek),
        other => panic!("alg {other} not accepted"),
    }
    .expect("OAEP encryption of a CEK does not fail");
    let protected = B64.encode(Value::Object(header.clone()).to_string());
    let (ciphertext, tag) = enc.seal(&cek, &iv, protected.as_bytes(), plaintext);
    [
        protected,
        B64.encode(encrypted_key),
        B64.encode(iv),
        B64.encode(ciphertext),
        B64.encode(tag),
    ]
    .join(".")
}

/// The HMAC of RFC 7518 §5.2.2.1 over AAD || IV || ciphertext || AL, before truncation.
fn cbc_hmac<M: Mac + hmac::digest::KeyInit>(mac_key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> M {
    let mut mac = <M as Mac>::new_from_slice(mac_key).expect("HMAC takes keys of any length");
    mac.update(aad);
    mac.update(iv);
    mac.update(ciphertext);
    mac.update(&((aad.len() as u64) * 8).to_be_bytes());
    mac
}

/// AES_128_CBC_HMAC_SHA_256 or AES_256_CBC_HMAC_SHA_512 (RFC 7518 §5.2.2.2), chosen by the CEK's
/// length: the tag is checked, in constant time, before anything is decrypted, so that the
/// padding check runs only on authenticated ciphertexts (no padding oracle).
fn cbc_hmac_decrypt(cek: &[u8], iv: &[u8], aad: &[u8], ciphertext: &[u8], tag: &[u8]) -> Result<Vec<u8>, JweError> {
    let half = cek.len() / 2;
    // verify_truncated_left would accept a shorter tag: the length is checked first.
    if !matches!(cek.len(), 32 | 64) || tag.len() != half || iv.len() != 16 {
        return Err(JweError::Decrypt);
    }
    let (mac_key, enc_key) = cek.split_at(half);
    let verified = if half == 16 {
        cbc_hmac::<Hmac<Sha256>>(mac_key, aad, iv, ciphertext).verify_truncated_left(tag)
    } else {
        cbc_hmac::<Hmac<Sha512>>(mac_key, aad, iv, ciphertext).verify_truncated_left(tag)
    };
    verified.map_err(|_| JweError::Decrypt)?;
    let decrypted = if half == 16 {
        cbc::Decryptor::<Aes128>::new_from_slices(enc_key, iv)
            .map_err(|_| JweError::Decrypt)?
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
    } else {
        cbc::Decryptor::<Aes256>::new_from_slices(enc_key, iv)
            .map_err(|_| JweError::Decrypt)?
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
    };
    decrypted.map_err(|_| JweError::Decrypt)
}

/// The encrypting side of [`cbc_hmac_decrypt`]: (ciphertext, tag).
fn cbc_hmac_encrypt(cek: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let half = cek.len() / 2;
    let (mac_key, enc_key) = cek.split_at(half);
    let ciphertext = if half == 16 {
        cbc::Encryptor::<Aes128>::new_from_slices(enc_key, iv)
            .expect("a 128-bit key and IV")
            .encrypt_padded_vec::<Pkcs7>(plaintext)
    } else {
        cbc::Encryptor::<Aes256>::new_from_slices(enc_key, iv)
            .expect("a 256-bit key and 128-bit IV")
            .encrypt_padded_vec::<Pkcs7>(plaintext)
    };
    let tag = if half == 16 {
        cbc_hmac::<Hmac<Sha256>>(mac_key, aad, iv, &ciphertext)
            .finalize()
            .into_bytes()[..half]
            .to_vec()
    } else {
        cbc_hmac::<Hmac<Sha512>>(mac_key, aad, iv, &ciphertext)
            .finalize()
            .into_bytes()[..half]
            .to_vec()
    };
    (ciphertext, tag)
}

/// AES-GCM (RFC 7518 §5.3): 128-bit tag, and the 96-bit IV the RFC requires — or a 128-bit one,
/// which is what cryptojwt 1.11 (the JOSE library of spid-cie-oidc) draws for GCM too. ring takes
/// only 96-bit nonces; the longer IV goes through RustCrypto's `aes-gcm` (GCM derives the
/// counter block from such an IV by GHASH, NIST SP 800-38D §7.1).
fn gcm_decrypt(
    algorithm: &'static aead::Algorithm,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, JweError> {
    // ring reads the tag off the end of one buffer: a tag of another length would move the
    // boundary between ciphertext and tag and still authenticate.
    if tag.len() != algorithm.tag_len() || cek.len() != algorithm.key_len() {
        return Err(JweError::Decrypt);
    }
    if iv.len() == 16 {
        return gcm_decrypt_128_bit_iv(cek, iv, aad, ciphertext, tag);
    }
    let key = aead::UnboundKey::new(algorithm, cek).map_err(|_| JweError::Decrypt)?;
    let nonce = aead::Nonce::try_assume_unique_for_key(iv).map_err(|_| JweError::Decrypt)?;
    let mut in_out = [ciphertext, tag].concat();
    let plaintext = aead::LessSafeKey::new(key)
        .open_in_place(nonce, aead::Aad::from(aad), &mut in_out)
        .map_err(|_| JweError::Decrypt)?;
    Ok(plaintext.to_vec())
}

fn gcm_decrypt_128_bit_iv(
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, JweError> {
    use aes_gcm::aead::array::Array;
    use aes_gcm::aead::consts::U16;
    use aes_gcm::{AeadInOut, AesGcm, KeyInit};

    let nonce = Array::try_from(iv).map_err(|_| JweError::Decrypt)?;
    let tag = Array::try_from(tag).map_err(|_| JweError::Decrypt)?;
    let mut buffer = ciphertext.to_vec();
    let opened = match cek.len() {
        16 => AesGcm::<Aes128, U16>::new_from_slice(cek)
            .map_err(|_| JweError::Decrypt)?
            .decrypt_inout_detached(&nonce, aad, buffer.as_mut_slice().into(), &tag),
        _ => AesGcm::<Aes256, U16>::new_from_slice(cek)
            .map_err(|_| JweError::Decrypt)?
            .decrypt_inout_detached(&nonce, aad, buffer.as_mut_slice().into(), &tag),
    };
    opened.map_err(|_| JweError::Decrypt)?;
    Ok(buffer)
}

fn gcm_encrypt(
    algorithm: &'static aead::Algorithm,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(algorithm, cek).expect("a CEK of the right length"));
    let nonce = aead::Nonce::try_assume_unique_for_key(iv).expect("a 96-bit IV");
    let mut in_out = plaintext.to_vec();
    let tag = key
        .seal_in_place_separate_tag(nonce, aead::Aad::from(aad), &mut in_out)
        .expect("AES-GCM sealing of a short message does not fail");
    (in_out, tag.as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    /// One generated key for the tests that need any key (generation is the slow part).
    static KEY: LazyLock<EncKey> = LazyLock::new(EncKey::generate);

    const PAIRS: [(&str, &str); 8] = [
        ("RSA-OAEP", "A128CBC-HS256"),
        ("RSA-OAEP", "A256CBC-HS512"),
        ("RSA-OAEP", "A128GCM"),
        ("RSA-OAEP", "A256GCM"),
        ("RSA-OAEP-256", "A128CBC-HS256"),
        ("RSA-OAEP-256", "A256CBC-HS512"),
        ("RSA-OAEP-256", "A128GCM"),
        ("RSA-OAEP-256", "A256GCM"),
    ];

    fn hex(spaced: &str) -> Vec<u8> {
        hex::decode(spaced.split_whitespace().collect::<String>()).unwrap()
    }

    /// The token with one bit flipped in the decoded `part` at `byte`.
    fn flip(token: &str, part: usize, byte: usize) -> String {
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut bytes = B64.decode(&parts[part]).unwrap();
        bytes[byte] ^= 1;
        parts[part] = B64.encode(bytes);
        parts.join(".")
    }

    /// The token with its protected header replaced (the rest, and so the AAD, untouched).
    fn with_header(token: &str, header: &Value) -> String {
        let rest = token.split_once('.').unwrap().1;
        format!("{}.{rest}", B64.encode(header.to_string()))
    }

    /// A token whose protected header is `header`, sealed properly (it would decrypt were its
    /// members accepted).
    fn sealed_with(header: Value) -> String {
        seal(b"claims", KEY.key.as_public_key(), header.as_object().unwrap())
    }

    #[test]
    fn rfc7516_appendix_a1_rsa_oaep_a256gcm_decrypts_to_the_rfc_plaintext() {
        // GIVEN the RSA key of RFC 7516 A.1.3 and the compact JWE of A.1.7
        let key = EncKey::from_jwk_components(
            "oahUIoWw0K0usKNuOR6H4wkf4oBUXHTxRvgb48E-BVvxkeDNjbC4he8rUW\
             cJoZmds2h7M70imEVhRU5djINXtqllXI4DFqcI1DgjT9LewND8MW2Krf3S\
             psk_ZkoFnilakGygTwpZ3uesH-PFABNIUYpOiN15dsQRkgr0vEhxN92i2a\
             sbOenSZeyaxziK72UwxrrKoExv6kc5twXTq4h-QChLOln0_mtUZwfsRaMS\
             tPs6mS6XrgxnxbWhojf663tuEQueGC-FCMfra36C9knDFGzKsNa7LZK2dj\
             YgyD3JR_MB_4NUJW_TqOQtwHYbxevoJArm-L5StowjzGy-_bq6Gw",
            "AQAB",
            "kLdtIj6GbDks_ApCSTYQtelcNttlKiOyPzMrXHeI-yk1F7-kpDxY4-WY5N\
             WV5KntaEeXS1j82E375xxhWMHXyvjYecPT9fpwR_M9gV8n9Hrh2anTpTD9\
             3Dt62ypW3yDsJzBnTnrYu1iwWRgBKrEYY46qAZIrA2xAwnm2X7uGR1hghk\
             qDp0Vqj3kbSCz1XyfCs6_LehBwtxHIyh8Ripy40p24moOAbgxVw3rxT_vl\
             t3UVe4WO3JkJOzlpUf-KTVI2Ptgm-dARxTEtE-id-4OJr0h-K-VFs3VSnd\
             VTIznSxfyrj8ILL6MG_Uv8YAu7VILSB3lOW085-4qE3DzgrTjgyQ",
            "1r52Xk46c-LsfB5P442p7atdPUrxQSy4mti_tZI3Mgf2EuFVbUoDBvaRQ-\
             SWxkbkmoEzL7JXroSBjSrK3YIQgYdMgyAEPTPjXv_hI2_1eTSPVZfzL0lf\
             fNn03IXqWF5MDFuoUYE0hzb2vhrlN_rKrbfDIwUbTrjjgieRbwC6Cl0",
            "wLb35x7hmQWZsWJmB_vle87ihgZ19S8lBEROLIsZG4ayZVe9Hi9gDVCOBm\
             UDdaDYVTSNx_8Fyw1YYa9XGrGnDew00J28cRUoeBB_jKI1oma0Orv1T9aX\
             IWxKwd4gvxFImOWr3QRL9KEBRzk2RatUBnmDZJTIAfwTs0g68UZHvtc",
        );
        let token = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.\
             OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe\
             ipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDb\
             Sv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaV\
             mqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je8\
             1860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi\
             6UklfCpIMfIjf7iGdXKHzg.\
             48V1_ALb6US04U3b.\
             5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6ji\
             SdiwkIr3ajwQzaBtQD_A.\
             XFBoMYUZodetZdvTiFvSkQ";
        // WHEN it is decrypted
        let decrypted = decrypt(token, &key).unwrap();
        // THEN the plaintext is the RFC's, and the header is {"alg":"RSA-OAEP","enc":"A256GCM"}
        assert_eq!(
            String::from_utf8(decrypted.plaintext).unwrap(),
            "The true sign of intelligence is not knowledge but imagination."
        );
        assert_eq!(
            Value::Object(decrypted.header),
            serde_json::json!({ "alg": "RSA-OAEP", "enc": "A256GCM" })
        );
        // and a changed tag is refused
        assert_eq!(decrypt(&flip(token, 4, 0), &key).unwrap_err(), JweError::Decrypt);
    }

    /// RFC 7518 Appendix B: P, IV and A are the same for every test case.
    const B_P: &str = "41 20 63 69 70 68 65 72 20 73 79 73 74 65 6d 20 6d 75 73 74 20 6e 6f 74 20 62 65 20 72 65 71 75
        69 72 65 64 20 74 6f 20 62 65 20 73 65 63 72 65 74 2c 20 61 6e 64 20 69 74 20 6d 75 73 74 20 62
        65 20 61 62 6c 65 20 74 6f 20 66 61 6c 6c 20 69 6e 74 6f 20 74 68 65 20 68 61 6e 64 73 20 6f 66
        20 74 68 65 20 65 6e 65 6d 79 20 77 69 74 68 6f 75 74 20 69 6e 63 6f 6e 76 65 6e 69 65 6e 63 65";
    const B_IV: &str = "1a f3 8c 2d c2 b9 6f fd d8 66 94 09 23 41 bc 04";
    const B_A: &str = "54 68 65 20 73 65 63 6f 6e 64 20 70 72 69 6e 63 69 70 6c 65 20 6f 66 20 41 75 67 75 73 74 65 20
        4b 65 72 63 6b 68 6f 66 66 73";

    fn check_rfc7518_case(key_len: u8, e: &str, t: &str) {
        let k: Vec<u8> = (0..key_len).collect();
        let (p, iv, a, e, t) = (hex(B_P), hex(B_IV), hex(B_A), hex(e), hex(t));
        assert_eq!(cbc_hmac_encrypt(&k, &iv, &a, &p), (e.clone(), t.clone()));
        assert_eq!(cbc_hmac_decrypt(&k, &iv, &a, &e, &t).unwrap(), p);
        let mut wrong_tag = t.clone();
        wrong_tag[t.len() - 1] ^= 1;
        assert_eq!(cbc_hmac_decrypt(&k, &iv, &a, &e, &wrong_tag), Err(JweError::Decrypt));
        assert_eq!(cbc_hmac_decrypt(&k, &iv, &a[1..], &e, &t), Err(JweError::Decrypt));
        // A truncated tag is not checked on its prefix only.
        assert_eq!(cbc_hmac_decrypt(&k, &iv, &a, &e, &t[..1]), Err(JweError::Decrypt));
        assert_eq!(cbc_hmac_decrypt(&k[1..], &iv, &a, &e, &t), Err(JweError::Decrypt));
    }

    #[test]
    fn rfc7518_appendix_b1_aes_128_cbc_hmac_sha_256_gives_the_rfc_ciphertext_and_tag() {
        check_rfc7518_case(
            32,
            "c8 0e df a3 2d df 39 d5 ef 00 c0 b4 68 83 42 79 a2 e4 6a 1b 80 49 f7 92 f7 6b fe 54 b9 03 a9 c9
             a9 4a c9 b4 7a d2 65 5c 5f 10 f9 ae f7 14 27 e2 fc 6f 9b 3f 39 9a 22 14 89 f1 63 62 c7 03 23 36
             09 d4 5a c6 98 64 e3 32 1c f8 29 35 ac 40 96 c8 6e 13 33 14 c5 40 19 e8 ca 79 80 df a4 b9 cf 1b
             38 4c 48 6f 3a 54 c5 10 78 15 8e e5 d7 9d e5 9f bd 34 d8 48 b3 d6 95 50 a6 76 46 34 44 27 ad e5
             4b 88 51 ff b5 98 f7 f8 00 74 b9 47 3c 82 e2 db",
            "65 2c 3f a3 6b 0a 7c 5b 32 19 fa b3 a3 0b c1 c4",
        );
    }

    #[test]
    fn rfc7518_appendix_b3_aes_256_cbc_hmac_sha_512_gives_the_rfc_ciphertext_and_tag() {
        check_rfc7518_case(
            64,
            "4a ff aa ad b7 8c 31 c5 da 4b 1b 59 0d 10 ff bd 3d d8 d5 d3 02 42 35 26 91 2d a0 37 ec bc c7 bd
             82 2c 30 1d d6 7c 37 3b cc b5 84 ad 3e 92 79 c2 e6 d1 2a 13 74 b7 7f 07 75 53 df 82 94 10 44 6b
             36 eb d9 70 66 29 6a e6 42 7e a7 5c 2e 08 46 a1 1a 09 cc f5 37 0d c8 0b fe cb ad 28 c7 3f 09 b3
             a3 b7 5e 66 2a 25 94 41 0a e4 96 b2 e2 e6 60 9e 31 e6 e0 2c c8 37 f0 53 d2 1f 37 ff 4f 51 95 0b
             be 26 38 d0 9d d7 a4 93 09 30 80 6d 07 03 b1 f6",
            "4d d3 b4 c0 88 a7 f4 5c 21 68 39 64 5b 20 12 bf 2e 62 69 a8 c5 6a 81 6d bc 1b 26 77 61 95 5b c5",
        );
    }

    /// The cryptojwt fixtures (api/tests/fixtures/jwe/make_fixtures.py).
    mod cryptojwt {
        pub const KEY: &str = include_str!("../tests/fixtures/jwe/test_only_enc_key.pem");
        pub const KID: &str = include_str!("../tests/fixtures/jwe/kid.txt");
        pub const PLAINTEXT: &str = include_str!("../tests/fixtures/jwe/plaintext.txt");
        pub const TOKENS: [(&str, &str, &str); 4] = [
            (
                "RSA-OAEP",
                "A256CBC-HS512",
                include_str!("../tests/fixtures/jwe/rsa-oaep.a256cbc-hs512.jwe"),
            ),
            (
                "RSA-OAEP-256",
                "A128CBC-HS256",
                include_str!("../tests/fixtures/jwe/rsa-oaep-256.a128cbc-hs256.jwe"),
            ),
            (
                "RSA-OAEP",
                "A128GCM",
                include_str!("../tests/fixtures/jwe/rsa-oaep.a128gcm.jwe"),
            ),
            (
                "RSA-OAEP",
                "A256GCM",
                include_str!("../tests/fixtures/jwe/rsa-oaep.a256gcm.jwe"),
            ),
        ];
    }

    #[test]
    fn cryptojwt_tokens_decrypt_for_each_pair_the_reference_sends() {
        let key = EncKey::from_pem(cryptojwt::KEY).unwrap();
        for (alg, enc, token) in cryptojwt::TOKENS {
            let decrypted = decrypt(token.trim(), &key).unwrap_or_else(|e| panic!("{alg} {enc}: {e}"));
            assert_eq!(
                decrypted.plaintext,
                cryptojwt::PLAINTEXT.trim().as_bytes(),
                "{alg} {enc}"
            );
            assert_eq!(
                Value::Object(decrypted.header),
                serde_json::json!({ "alg": alg, "enc": enc, "kid": cryptojwt::KID.trim(), "cty": "JWT" })
            );
        }
    }

    #[test]
    fn cryptojwt_tokens_with_a_flipped_bit_are_refused() {
        let key = EncKey::from_pem(cryptojwt::KEY).unwrap();
        for (alg, enc, token) in cryptojwt::TOKENS {
            for part in 1..=4 {
                for byte in [0, 15] {
                    assert_eq!(
                        decrypt(&flip(token.trim(), part, byte), &key).unwrap_err(),
                        JweError::Decrypt,
                        "{alg} {enc} part {part} byte {byte}"
                    );
                }
            }
        }
    }

    #[test]
    fn our_kid_is_the_thumbprint_cryptojwt_gives_the_same_key() {
        let key = EncKey::from_pem(cryptojwt::KEY).unwrap();
        assert_eq!(key.kid(), "jzWDGc0G8iAqiLwJagsaFRwxJeqeJB0TCziqFQpvkio");
        assert_eq!(key.kid(), cryptojwt::KID.trim());
        assert_eq!(key.public_jwk()["kid"], cryptojwt::KID.trim());
    }

    #[test]
    fn our_tokens_round_trip_for_every_alg_and_enc() {
        let jwk = KEY.public_jwk();
        for (alg, enc) in PAIRS {
            let token = encrypt(b"a JWS", &jwk, alg, enc);
            let decrypted = decrypt(&token, &KEY).unwrap_or_else(|e| panic!("{alg} {enc}: {e}"));
            assert_eq!(decrypted.plaintext, b"a JWS", "{alg} {enc}");
            assert_eq!(
                Value::Object(decrypted.header),
                serde_json::json!({ "alg": alg, "enc": enc, "kid": KEY.kid(), "cty": "JWT" })
            );
        }
        // Without a kid in the JWK, the header has none, and the token still decrypts.
        let mut anonymous = jwk.clone();
        anonymous.as_object_mut().unwrap().remove("kid");
        let token = encrypt(b"a JWS", &anonymous, "RSA-OAEP", "A256CBC-HS512");
        assert!(!decrypt(&token, &KEY).unwrap().header.contains_key("kid"));
    }

    #[test]
    fn a_flipped_bit_in_any_of_the_five_parts_is_refused() {
        let jwk = KEY.public_jwk();
        for (alg, enc) in PAIRS {
            let token = encrypt(cryptojwt::PLAINTEXT.as_bytes(), &jwk, alg, enc);
            let header = String::from_utf8(B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
            // The header still parses but says cty "JWU": the AAD no longer matches.
            let cty_t = header.find(r#""JWT""#).unwrap() + 3;
            assert_eq!(
                decrypt(&flip(&token, 0, cty_t), &KEY).unwrap_err(),
                JweError::Decrypt,
                "{alg} {enc}"
            );
            // The header's closing brace becomes '|': not JSON.
            let brace = header.len() - 1;
            assert_eq!(
                decrypt(&flip(&token, 0, brace), &KEY).unwrap_err(),
                JweError::Malformed,
                "{alg} {enc}"
            );
            // A changed encrypted key fails as a changed tag does (no unwrap oracle).
            for part in 1..=4 {
                for byte in [0, 11] {
                    assert_eq!(
                        decrypt(&flip(&token, part, byte), &KEY).unwrap_err(),
                        JweError::Decrypt,
                        "{alg} {enc} part {part} byte {byte}"
                    );
                }
            }
        }
    }

    #[test]
    fn algorithms_and_encryptions_we_do_not_accept_are_refused() {
        let token = encrypt(b"a JWS", &KEY.public_jwk(), "RSA-OAEP", "A256GCM");
        let refused = [
            (
                serde_json::json!({ "alg": "RSA1_5", "enc": "A256GCM" }),
                JweError::Algorithm("RSA1_5".into()),
            ),
            (
                serde_json::json!({ "alg": "dir", "enc": "A256GCM" }),
                JweError::Algorithm("dir".into()),
            ),
            (
                serde_json::json!({ "alg": "none", "enc": "A256GCM" }),
                JweError::Algorithm("none".into()),
            ),
            (
                serde_json::json!({ "alg": "RSA-OAEP", "enc": "A192GCM" }),
                JweError::Encryption("A192GCM".into()),
            ),
            (serde_json::json!({ "alg": "RSA-OAEP" }), JweError::Malformed),
            (serde_json::json!({ "alg": 1, "enc": "A256GCM" }), JweError::Malformed),
        ];
        for (header, error) in refused {
            assert_eq!(
                decrypt(&with_header(&token, &header), &KEY).unwrap_err(),
                error,
                "{header}"
            );
        }
    }

    #[test]
    fn zip_crit_and_a_foreign_kid_are_refused_even_on_tokens_that_would_decrypt() {
        // GIVEN tokens sealed properly under headers with members we refuse
        let base = serde_json::json!({ "alg": "RSA-OAEP", "enc": "A128CBC-HS256", "kid": KEY.kid() });
        let with = |name: &str, value: Value| {
            let mut header = base.clone();
            header[name] = value;
            sealed_with(header)
        };
        // THEN (the base header itself decrypts)
        assert_eq!(decrypt(&sealed_with(base.clone()), &KEY).unwrap().plaintext, b"claims");
        assert_eq!(
            decrypt(&with("zip", "DEF".into()), &KEY).unwrap_err(),
            JweError::Unsupported("zip")
        );
        assert_eq!(
            decrypt(&with("crit", serde_json::json!(["exp"])), &KEY).unwrap_err(),
            JweError::Unsupported("crit")
        );
        assert_eq!(
            decrypt(&with("kid", "someone-else".into()), &KEY).unwrap_err(),
            JweError::Key
        );
        assert_eq!(decrypt(&with("kid", 7.into()), &KEY).unwrap_err(), JweError::Key);
        // and a token to another key, without a kid, fails as a wrong tag does
        let other = EncKey::generate();
        let mut anonymous = other.public_jwk();
        anonymous.as_object_mut().unwrap().remove("kid");
        let to_other = encrypt(b"a JWS", &anonymous, "RSA-OAEP", "A256GCM");
        assert_eq!(decrypt(&to_other, &KEY).unwrap_err(), JweError::Decrypt);
    }

    #[test]
    fn malformed_tokens_are_refused_as_such() {
        let token = encrypt(b"a JWS", &KEY.public_jwk(), "RSA-OAEP", "A128GCM");
        let parts: Vec<&str> = token.split('.').collect();
        for malformed in [
            parts[..4].join("."),
            format!("{token}.x"),
            format!("{}.{}!.{}.{}.{}", parts[0], parts[1], parts[2], parts[3], parts[4]),
            format!("{}={}", parts[0], &token[parts[0].len()..]),
            format!("{}.{}", B64.encode("not json"), token.split_once('.').unwrap().1),
            String::new(),
        ] {
            assert_eq!(
                decrypt(&malformed, &KEY).unwrap_err(),
                JweError::Malformed,
                "{malformed}"
            );
        }
        // An encrypted key that is not the modulus long cannot be to our key.
        let short = format!("{}.{}.{}", parts[0], B64.encode([1u8; 255]), parts[2..].join("."));
        assert_eq!(decrypt(&short, &KEY).unwrap_err(), JweError::Key);
    }

    #[test]
    fn a_cek_of_the_wrong_length_is_refused_not_truncated() {
        // GIVEN a token whose header says A128GCM but whose (validly wrapped) CEK is 32 octets,
        // the content encrypted under its first 16
        let header = B64.encode(r#"{"alg":"RSA-OAEP","enc":"A128GCM"}"#);
        let cek = [7u8; 32];
        let iv = [9u8; 12];
        let (ciphertext, tag) = gcm_encrypt(&aead::AES_128_GCM, &cek[..16], &iv, header.as_bytes(), b"a JWS");
        let encrypted_key = KEY.key.as_public_key().oaep_encrypt::<sha1::Sha1>(&cek).unwrap();
        let token = [
            header,
            B64.encode(encrypted_key),
            B64.encode(iv),
            B64.encode(ciphertext),
            B64.encode(tag),
        ]
        .join(".");
        // THEN it does not decrypt
        assert_eq!(decrypt(&token, &KEY).unwrap_err(), JweError::Decrypt);
    }

    #[test]
    fn from_pem_refuses_a_1024_bit_key_and_garbage() {
        let small = PrivateKey::new(&mut RingRng(SystemRandom::new()), 1024).unwrap();
        let pem = small.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert_eq!(
            EncKey::from_pem(&pem).unwrap_err(),
            JweError::KeyFormat("RSA key shorter than 2048 bits")
        );
        for garbage in [
            "",
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            assert_eq!(
                EncKey::from_pem(garbage).unwrap_err(),
                JweError::KeyFormat("not a PKCS#8 RSA private key")
            );
        }
        // A P-256 key (our signing keys' kind) is PKCS#8 too, but not RSA.
        assert_eq!(
            EncKey::from_pem(&crate::jose::RpKey::generate_pem()).unwrap_err(),
            JweError::KeyFormat("not a PKCS#8 RSA private key")
        );
    }

    #[test]
    fn a_generated_key_is_2048_bits_and_keeps_its_kid_through_pem() {
        let started = std::time::Instant::now();
        let key = EncKey::generate();
        let took = started.elapsed();
        let pem = key.to_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
        let again = EncKey::from_pem(&pem).unwrap();
        assert_eq!(again.kid(), key.kid());
        assert_eq!(again.public_jwk(), key.public_jwk());
        let jwk = key.public_jwk();
        assert_eq!(B64.decode(jwk["n"].as_str().unwrap()).unwrap().len(), 256);
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(
            (jwk["kty"].as_str(), jwk["use"].as_str(), jwk["alg"].as_str()),
            (Some("RSA"), Some("enc"), Some("RSA-OAEP"))
        );
        assert_eq!(jwk["kid"], key.kid());
        assert_ne!(EncKey::generate().kid(), key.kid());
        // Dev mode generates one at start: it must not hold up the start.
        assert!(took < std::time::Duration::from_secs(10), "generation took {took:?}");
    }

    #[test]
    fn debug_shows_the_kid_and_no_key_material() {
        let key = EncKey::from_pem(cryptojwt::KEY).unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, format!("EncKey(kid {})", cryptojwt::KID.trim()));
        let n = key.public_jwk()["n"].as_str().unwrap().to_owned();
        assert!(!shown.contains(&n[..16]));
        assert!(!shown.contains("PRIVATE"));
        // Nor does a decrypted answer show the citizen's claims.
        let decrypted = decrypt(cryptojwt::TOKENS[0].2.trim(), &key).unwrap();
        let shown = format!("{decrypted:?}");
        assert!(
            shown.contains(&format!("<{} bytes>", cryptojwt::PLAINTEXT.trim().len())),
            "{shown}"
        );
        assert!(!shown.contains(cryptojwt::PLAINTEXT.trim()), "{shown}");
    }

    #[test]
    fn the_published_lists_are_the_ones_decrypt_accepts() {
        assert_eq!(KEY_ALGORITHMS, ["RSA-OAEP", "RSA-OAEP-256"]);
        for enc in CONTENT_ENCRYPTIONS {
            assert!(Enc::from_name(enc).is_some(), "{enc}");
        }
        assert_eq!(PAIRS.len(), KEY_ALGORITHMS.len() * CONTENT_ENCRYPTIONS.len());
    }
}
