//! The `Idempotency-Key` a client sends with a request that creates something (a PIN request, a
//! submission): a retry with the same key gets the first answer instead of a second creation.

use crate::ApiError;

/// A key as the client sent it: 1 to 128 ASCII letters, digits or `-` (a UUID fits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The header's value, if it is a sane token.
    pub fn parse(value: &str) -> Result<IdempotencyKey, ApiError> {
        if value.is_empty() || value.len() > 128 || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(ApiError::Malformed(
                "Idempotency-Key must be 1-128 letters, digits or '-'".into(),
            ));
        }
        Ok(IdempotencyKey(value.to_owned()))
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_a_short_token() {
        assert_eq!(IdempotencyKey::parse("3f2a-9b").unwrap().as_str(), "3f2a-9b");
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("a b").is_err());
        assert!(IdempotencyKey::parse(&"a".repeat(129)).is_err());
        assert!(IdempotencyKey::parse(&"a".repeat(128)).is_ok());
    }
}
