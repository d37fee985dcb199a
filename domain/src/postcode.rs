//! The Italian postcode (CAP, codice di avviamento postale): five digits. Whether a CAP belongs
//! to the municipality typed next to it is not checked: Poste Italiane's table is not open
//! data, and large cities have dozens of CAPs.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;

/// Why a string is not a postcode.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PostcodeError {
    /// Not five digits.
    #[error("a CAP is five digits")]
    Invalid,
}

impl From<PostcodeError> for ErrorCode {
    fn from(_: PostcodeError) -> Self {
        ErrorCode::PostcodeInvalid
    }
}

/// An Italian postcode, five digits (leading zeros kept: Rome's start with 00).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl Postcode {
    /// Parses user input, ignoring surrounding and inner spaces.
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let cap: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if cap.len() == 5 && cap.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Postcode(cap))
        } else {
            Err(PostcodeError::Invalid)
        }
    }

    /// The five digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Postcode {
    type Error = PostcodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Postcode::parse(&value)
    }
}

impl From<Postcode> for String {
    fn from(p: Postcode) -> Self {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_digits_are_a_postcode_and_leading_zeros_are_kept() {
        assert_eq!(Postcode::parse(" 00184 ").unwrap().as_str(), "00184");
        assert_eq!(Postcode::parse("20 121").unwrap().as_str(), "20121");
    }

    #[test]
    fn anything_else_is_rejected() {
        for bad in ["", "0018", "001844", "OO184", "00-184", "１２３４５", "I-00184"] {
            assert_eq!(Postcode::parse(bad), Err(PostcodeError::Invalid), "{bad:?}");
        }
    }

    #[test]
    fn postcode_serialises_as_its_digits() {
        let p: Postcode = serde_json::from_str("\"00184\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"00184\"");
        assert!(serde_json::from_str::<Postcode>("\"184\"").is_err());
    }
}
