//! Contacts: Italian mobile numbers (+39 3…), e-mail and PEC addresses.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;

/// Why a string is not an Italian mobile number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MobileError {
    #[error("not an Italian mobile number with +39")]
    Invalid,
}

impl From<MobileError> for ErrorCode {
    fn from(_: MobileError) -> Self {
        ErrorCode::MobileInvalid
    }
}

/// An Italian mobile number, stored as `+39` followed by the digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MobilePhone(String);

impl MobilePhone {
    /// Parses user input; spaces, dots and dashes are ignored, the `+39` prefix is required.
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
        let rest = compact.strip_prefix("+39").ok_or(MobileError::Invalid)?;
        if rest.starts_with('3') && (9..=10).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit()) {
            Ok(MobilePhone(compact))
        } else {
            Err(MobileError::Invalid)
        }
    }

    /// `+39` and the digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MobilePhone {
    type Error = MobileError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        MobilePhone::parse(&value)
    }
}

impl From<MobilePhone> for String {
    fn from(m: MobilePhone) -> Self {
        m.0
    }
}

/// Why a string is not an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("not an e-mail address")]
    Invalid,
}

impl From<EmailError> for ErrorCode {
    fn from(_: EmailError) -> Self {
        ErrorCode::EmailInvalid
    }
}

/// An e-mail address (also used for PEC, which is an e-mail address at a certified provider).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses user input: one `@`, a non-empty local part, a dotted domain, no spaces.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        let (local, domain) = s.split_once('@').ok_or(EmailError::Invalid)?;
        if local.is_empty() || !domain.contains('.') || domain.contains('@') || s.contains(char::is_whitespace) {
            return Err(EmailError::Invalid);
        }
        Ok(Email(s.to_owned()))
    }

    /// The address as typed, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}
