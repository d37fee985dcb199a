//! Contact Center operators: staff identities apart from citizens (docs/adr/0009). An operator
//! is created by `sportello-admin operator create`, logs in with a password (argon2id) and a TOTP
//! code, and holds an operator session in its own cookie and its own store records, which no
//! citizen route reads (and no operator route reads a citizen's).

pub mod totp;

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::HeaderValue;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sha2::Sha256;
use thiserror::Error;

use crate::auth::cookie_value;
use crate::secrets::{PinKey, random_bytes, session_token_hash};
use crate::store::{OperatorRecord, OperatorRole, OperatorSessionRecord, Store, StoreError};
use crate::store::{Realm, Session};
use crate::{ApiError, AppState};

pub use domain::operator::valid_username;

/// The operator session cookie's name (citizens' is `sportello_session`).
pub const OPERATOR_COOKIE: &str = "sportello_operator";

/// Bytes of a TOTP secret (160 bits, as RFC 4226 recommends for SHA-1).
const TOTP_SECRET_BYTES: usize = 20;

/// Why an operator cannot be created.
#[derive(Debug, Error)]
pub enum OperatorError {
    /// The username breaks the naming rule.
    #[error("username must be 3-32 lower-case letters, digits, '.', '_' or '-'")]
    BadUsername,
    /// The full name is empty or too long.
    #[error("the full name must be 1-100 characters")]
    BadName,
    /// Someone has this username already.
    #[error("an operator named {0:?} exists already")]
    Taken(String),
    /// No operator has this username.
    #[error("no operator named {0:?}")]
    Unknown(String),
    /// Hashing or sealing failed.
    #[error("cannot protect the credentials: {0}")]
    Crypto(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the admin hands to a new operator, once: never stored in clear, never shown again.
pub struct NewOperator {
    /// The operator as stored.
    pub record: OperatorRecord,
    /// The generated initial password.
    pub password: String,
    /// The TOTP secret in base32, for typing into an authenticator app.
    pub totp_secret: String,
    /// The same as an `otpauth://` URI (for a QR code).
    pub otpauth_uri: String,
}

impl std::fmt::Debug for NewOperator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewOperator")
            .field("record", &self.record)
            .finish_non_exhaustive()
    }
}

/// Creates operator `username` in `role` with a generated password and TOTP secret, stored as an
/// argon2id hash and a sealed secret.
pub async fn create_operator(
    store: &dyn Store,
    pin_key: &PinKey,
    username: &str,
    full_name: &str,
    role: OperatorRole,
    now: DateTime<Utc>,
) -> Result<NewOperator, OperatorError> {
    if !valid_username(username) {
        return Err(OperatorError::BadUsername);
    }
    let full_name = full_name.trim();
    if full_name.is_empty() || full_name.chars().count() > 100 {
        return Err(OperatorError::BadName);
    }
    let fresh = Credentials::new(pin_key, username)?;
    let record = OperatorRecord {
        username: username.to_owned(),
        full_name: full_name.to_owned(),
        password_hash: fresh.password_hash.clone(),
        totp_secret_sealed: fresh.totp_secret_sealed.clone(),
        disabled: false,
        created_at: now,
        session_generation: 0,
        role,
    };
    if !store.insert_operator(&record).await? {
        return Err(OperatorError::Taken(username.to_owned()));
    }
    Ok(fresh.handed_over(record))
}

/// Gives operator `username` a new password and TOTP secret (a forgotten password, a lost phone)
/// and ends their sessions; the new credentials are returned once, as at creation.
pub async fn reset_credentials(
    store: &dyn Store,
    pin_key: &PinKey,
    username: &str,
) -> Result<NewOperator, OperatorError> {
    let fresh = Credentials::new(pin_key, username)?;
    let record = update_operator(store, username, |record| {
        record.password_hash = fresh.password_hash.clone();
        record.totp_secret_sealed = fresh.totp_secret_sealed.clone();
        record.session_generation += 1;
    })
    .await?;
    Ok(fresh.handed_over(record))
}

/// Disables (`disabled`) or enables operator `username`. Disabling ends their sessions at once,
/// and enabling again does not bring them back: they log in anew.
pub async fn set_disabled(store: &dyn Store, username: &str, disabled: bool) -> Result<OperatorRecord, OperatorError> {
    update_operator(store, username, |record| {
        record.disabled = disabled;
        if disabled {
            record.session_generation += 1;
        }
    })
    .await
}

/// Gives operator `username` `role`. It holds from their next request: every request reads the
/// operator's record, so a supervisor made an agent again loses the audit log at once.
pub async fn set_role(store: &dyn Store, username: &str, role: OperatorRole) -> Result<OperatorRecord, OperatorError> {
    update_operator(store, username, |record| record.role = role).await
}

/// Reads operator `username`, applies `change` and stores the record again; the record as stored.
/// Only an administrator changes operators, rarely: no concurrency check beyond existence.
async fn update_operator(
    store: &dyn Store,
    username: &str,
    change: impl FnOnce(&mut OperatorRecord),
) -> Result<OperatorRecord, OperatorError> {
    let unknown = || OperatorError::Unknown(username.to_owned());
    let mut record = store.operator(username).await?.ok_or_else(unknown)?;
    change(&mut record);
    if !store.replace_operator(&record).await? {
        return Err(unknown());
    }
    Ok(record)
}

/// A generated password and TOTP secret, in clear (to hand over once) and protected (to store).
struct Credentials {
    password: String,
    password_hash: String,
    totp_secret: Vec<u8>,
    totp_secret_sealed: Vec<u8>,
}

impl Credentials {
    fn new(pin_key: &PinKey, username: &str) -> Result<Credentials, OperatorError> {
        let password = totp::base32_encode(&random_bytes::<15>());
        let totp_secret = random_bytes::<TOTP_SECRET_BYTES>().to_vec();
        Ok(Credentials {
            password_hash: hash_password(&password)?,
            totp_secret_sealed: TotpSealer::new(pin_key).seal(username, &totp_secret)?,
            password,
            totp_secret,
        })
    }

    /// What the admin hands to the operator of `record`.
    fn handed_over(self, record: OperatorRecord) -> NewOperator {
        let totp_secret = totp::base32_encode(&self.totp_secret);
        let otpauth_uri = format!(
            "otpauth://totp/Sportello:{}?secret={totp_secret}&issuer=Sportello&algorithm=SHA1&digits={}&period={}",
            record.username,
            totp::DIGITS,
            totp::STEP_SECONDS
        );
        NewOperator {
            record,
            password: self.password,
            totp_secret,
            otpauth_uri,
        }
    }
}

/// The argon2id PHC string of `password` (default parameters: 19 MiB, 2 passes).
fn hash_password(password: &str) -> Result<String, OperatorError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| OperatorError::Crypto(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| OperatorError::Crypto(e.to_string()))
}

/// Checks `password` against a stored PHC string; with `None` (no such operator) it checks
/// against a hash nothing matches, so that the answer takes as long either way.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static NOTHING: OnceLock<String> = OnceLock::new();
    let nothing =
        NOTHING.get_or_init(|| hash_password(&totp::base32_encode(&random_bytes::<15>())).unwrap_or_default());
    let matches = PasswordHash::new(stored.unwrap_or(nothing))
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok());
    matches && stored.is_some()
}

/// Seals TOTP secrets with AES-256-GCM under a key derived from the server's PIN key, bound to
/// the username (a sealed secret copied to another operator does not open).
pub struct TotpSealer(LessSafeKey);

impl TotpSealer {
    /// The sealer of this server key.
    pub fn new(pin_key: &PinKey) -> TotpSealer {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(pin_key.to_hex().as_bytes()).expect("HMAC takes any key length");
        mac.update(b"sportello-operator-totp-v1");
        let key: [u8; 32] = mac.finalize().into_bytes().into();
        TotpSealer(LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, &key).expect("32 bytes is an AES-256 key"),
        ))
    }

    /// Nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, username: &str, secret: &[u8]) -> Result<Vec<u8>, OperatorError> {
        let nonce = random_bytes::<NONCE_LEN>();
        let mut sealed = secret.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(username.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| OperatorError::Crypto("sealing failed".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// The secret, if `sealed` was sealed for `username` under this key.
    pub fn open(&self, username: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        let (nonce, sealed) = sealed.split_at_checked(NONCE_LEN)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buffer = sealed.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(username.as_bytes()), &mut buffer)
            .ok()?;
        Some(plain.to_vec())
    }
}

/// A `Set-Cookie` value that sets (or, with `max_age` 0, clears) the operator cookie. Its path is
/// `/api/operator`: the browser does not even send it to citizens' routes.
pub fn operator_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{OPERATOR_COOKIE}={token}; Path=/api/operator; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    ))
    .expect("token is hex")
}

/// An operator with a live operator session (never a citizen's). Using it extends the idle timeout.
#[derive(Debug, Clone)]
pub struct Operator {
    /// The session.
    pub session: OperatorSessionRecord,
    /// The operator's role as their record says now (not as it was at login).
    pub role: OperatorRole,
}

impl Operator {
    /// The operator's username.
    pub fn username(&self) -> &str {
        &self.session.username
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie_value(&parts.headers, OPERATOR_COOKIE).ok_or(ApiError::Unauthenticated)?;
        let hash = session_token_hash(&token);
        let mut session = state
            .store
            .session(Realm::Operator, &hash)
            .await?
            .and_then(Session::into_operator)
            .ok_or(ApiError::Unauthenticated)?;
        let now = state.clock.now();
        // A disabled operator's sessions end at once, not at their timeout, and so do the sessions
        // started before a reset or a disabling.
        let record = state
            .store
            .operator(&session.username)
            .await?
            .filter(|operator| !operator.disabled && session.generation == operator.session_generation);
        let Some(record) = record.filter(|_| session.is_live(now)) else {
            state.store.delete_session(Realm::Operator, &hash).await?;
            return Err(ApiError::Unauthenticated);
        };
        let expires_at = (now + state.config.operator_session_idle).min(session.absolute_expires_at);
        state.store.extend_session(Realm::Operator, &hash, expires_at).await?;
        session.expires_at = expires_at;
        Ok(Operator {
            session,
            role: record.role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_operator_under_its_key() {
        let key = PinKey::generate();
        let sealer = TotpSealer::new(&key);
        let sealed = sealer.seal("mrossi", b"secret bytes").unwrap();
        assert_eq!(sealer.open("mrossi", &sealed).unwrap(), b"secret bytes");
        assert!(sealer.open("lbianchi", &sealed).is_none());
        assert!(TotpSealer::new(&PinKey::generate()).open("mrossi", &sealed).is_none());
        assert!(!sealed.windows(12).any(|w| w == b"secret bytes"));
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", Some(&hash)));
        assert!(!verify_password("correct horsE", Some(&hash)));
        assert!(!verify_password("correct horse", None));
    }

    #[test]
    fn the_operator_cookie_is_scoped_to_operator_routes() {
        let c = operator_cookie("abc", 60, true);
        let c = c.to_str().unwrap();
        assert!(c.contains("Path=/api/operator") && c.contains("HttpOnly") && c.contains("SameSite=Strict"));
        assert!(c.contains("Secure"));
    }
}
