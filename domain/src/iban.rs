//! Italian IBAN: `IT`, two check digits, the CIN letter, ABI, CAB and account number, 27 characters.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;

/// Why a string is not a valid Italian IBAN.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IbanError {
    /// Anything wrong with it (refined by the full validator).
    #[error("not a valid Italian IBAN")]
    Invalid,
}

impl From<IbanError> for ErrorCode {
    fn from(_: IbanError) -> Self {
        ErrorCode::IbanInvalid
    }
}

/// A valid Italian IBAN in electronic form (no spaces, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItalianIban(String);

impl ItalianIban {
    /// Parses user input, ignoring spaces and case.
    pub fn parse(input: &str) -> Result<Self, IbanError> {
        let iban: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if iban.len() != 27 || !iban.starts_with("IT") {
            return Err(IbanError::Invalid);
        }
        Ok(ItalianIban(iban))
    }

    /// The electronic form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ItalianIban {
    type Error = IbanError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        ItalianIban::parse(&value)
    }
}

impl From<ItalianIban> for String {
    fn from(iban: ItalianIban) -> Self {
        iban.0
    }
}
