//! Server-side secrets and the keyed hashes built from them.
//!
//! PIN halves are stored only as HMAC-SHA256 under a server key (see docs/adr/0004): a copy of the
//! database alone does not let anyone test PIN guesses offline, and checking a login costs
//! microseconds, which matters on a click day. Session tokens are stored only as SHA-256 hashes, so a
//! leaked table cannot be replayed as cookies.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use sha2::{Digest, Sha256};

/// The key PIN hashes are made with. Never printed, never logged.
pub struct PinKey(SecretBox<[u8; 32]>);

impl PinKey {
    /// Wraps 32 key bytes.
    pub fn new(bytes: [u8; 32]) -> PinKey {
        PinKey(SecretBox::new(Box::new(bytes)))
    }

    /// Parses 64 hex digits.
    pub fn from_hex(hex_key: &str) -> Option<PinKey> {
        let bytes: [u8; 32] = hex::decode(hex_key.trim()).ok()?.try_into().ok()?;
        Some(PinKey::new(bytes))
    }

    /// A fresh random key.
    pub fn generate() -> PinKey {
        PinKey::new(random_bytes())
    }

    /// The key as hex, to be written to the local key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.expose_secret())
    }

    /// The keyed hash of one PIN half, bound to the citizen and to which half it is, so that a
    /// hash copied from one row or half never matches another.
    pub fn hash_half(&self, codice_fiscale: &str, half: PinHalf, value: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.expose_secret()).expect("HMAC takes any key length");
        mac.update(b"sportello-pin-v1\0");
        mac.update(codice_fiscale.as_bytes());
        mac.update(&[0, half as u8]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A key of its own for `purpose` (e.g. `sportello-waiting-room-pass-v1`), derived from this
    /// one, so that a key used for one thing can never be replayed for another.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.expose_secret()).expect("HMAC takes any key length");
        mac.update(b"sportello-derived-key\0");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Compares a typed half with a stored hash in constant time.
    pub fn verify_half(&self, codice_fiscale: &str, half: PinHalf, value: &str, stored: &[u8]) -> bool {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.expose_secret()).expect("HMAC takes any key length");
        mac.update(b"sportello-pin-v1\0");
        mac.update(codice_fiscale.as_bytes());
        mac.update(&[0, half as u8]);
        mac.update(value.as_bytes());
        mac.verify_slice(stored).is_ok()
    }
}

impl std::fmt::Debug for PinKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinKey(<secret>)")
    }
}

/// Which half of a PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum PinHalf {
    /// The first 8 characters.
    First = 1,
    /// The last 8 characters.
    Second = 2,
}

/// `N` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the OS random number generator is available");
    bytes
}

/// A new session token for a cookie (256 bits, hex) and the hash under which the store keeps it.
pub fn new_session_token() -> (String, String) {
    let token = hex::encode(random_bytes::<32>());
    let hash = session_token_hash(&token);
    (token, hash)
}

/// The hash the store keys a session by.
pub fn session_token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `a` and `b` are equal, in a time that depends on their length only: a guesser learns
/// nothing from how fast a wrong secret is refused (lengths are not secret here).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_is_plain_equality() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret!"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn a_half_verifies_only_for_its_citizen_its_position_and_its_value() {
        let key = PinKey::generate();
        let stored = key.hash_half("RSSMRA85T10A562S", PinHalf::First, "ABCDEFGH");
        assert!(key.verify_half("RSSMRA85T10A562S", PinHalf::First, "ABCDEFGH", &stored));
        assert!(!key.verify_half("RSSMRA85T10A562S", PinHalf::First, "ABCDEFGJ", &stored));
        assert!(!key.verify_half("RSSMRA85T10A562S", PinHalf::Second, "ABCDEFGH", &stored));
        assert!(!key.verify_half("VRDLGU80A01H501U", PinHalf::First, "ABCDEFGH", &stored));
        assert!(!PinKey::generate().verify_half("RSSMRA85T10A562S", PinHalf::First, "ABCDEFGH", &stored));
    }

    #[test]
    fn the_key_never_shows_in_debug_output_and_round_trips_through_hex() {
        let key = PinKey::generate();
        assert!(!format!("{key:?}").contains(&key.to_hex()[..8]));
        let again = PinKey::from_hex(&key.to_hex()).unwrap();
        assert_eq!(
            again.hash_half("X", PinHalf::First, "A"),
            key.hash_half("X", PinHalf::First, "A")
        );
        assert!(PinKey::from_hex("abcd").is_none());
    }

    #[test]
    fn session_tokens_are_unique_and_stored_only_as_hashes() {
        let (a, a_hash) = new_session_token();
        let (b, _) = new_session_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(a, a_hash);
        assert_eq!(session_token_hash(&a), a_hash);
    }
}
