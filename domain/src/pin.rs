//! The PIN INPS: 16 characters over an alphabet without look-alikes. The first 8 ("simplified PIN")
//! arrive at once by SMS, e-mail and PEC and are enough to fill in and send the bonus application;
//! all 16 ("full PIN") allow everything.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;

/// The characters a PIN is made of: upper-case letters and digits without the look-alikes 0/O and
/// 1/I, so that it can be read over the phone and typed from an SMS without doubt. 32 symbols, so
/// one random byte maps to one symbol without bias; 8 symbols carry 40 bits.
pub const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Characters in each half.
pub const HALF_LEN: usize = 8;

/// Why the typed PIN cannot be one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PinError {
    /// Neither 8 nor 16 characters.
    #[error("a PIN has 8 or 16 characters, this has {0}")]
    Length(usize),
    /// A character that no PIN contains.
    #[error("character {0} cannot be in a PIN")]
    Characters(usize),
}

impl From<PinError> for ErrorCode {
    fn from(err: PinError) -> Self {
        match err {
            PinError::Length(_) => ErrorCode::PinLength,
            PinError::Characters(_) => ErrorCode::PinCharacters,
        }
    }
}

/// A PIN as typed at login: the first half alone, or the whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinInput {
    /// The first 8 characters: the simplified PIN.
    Simplified(String),
    /// All 16 characters: the full PIN.
    Full(String),
}

impl PinInput {
    /// Parses what the citizen typed: case, spaces and dashes do not matter.
    pub fn parse(input: &str) -> Result<PinInput, PinError> {
        let pin: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        let len = pin.chars().count();
        if len != HALF_LEN && len != 2 * HALF_LEN {
            return Err(PinError::Length(len));
        }
        if let Some(pos) = pin.bytes().position(|b| !ALPHABET.contains(&b)) {
            return Err(PinError::Characters(pos + 1));
        }
        Ok(if len == HALF_LEN {
            PinInput::Simplified(pin)
        } else {
            PinInput::Full(pin)
        })
    }

    /// The first 8 characters.
    pub fn first_half(&self) -> &str {
        match self {
            PinInput::Simplified(p) => p,
            PinInput::Full(p) => &p[..HALF_LEN],
        }
    }

    /// The last 8 characters, if typed.
    pub fn second_half(&self) -> Option<&str> {
        match self {
            PinInput::Simplified(_) => None,
            PinInput::Full(p) => Some(&p[HALF_LEN..]),
        }
    }
}

/// A freshly issued PIN (server side: built from CSPRNG bytes, shown to nobody but its owner).
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedPin(String);

impl IssuedPin {
    /// Maps 16 random bytes to 16 symbols (`byte % 32`: unbiased, since 32 divides 256).
    pub fn from_random_bytes(bytes: [u8; 16]) -> IssuedPin {
        IssuedPin(bytes.iter().map(|b| ALPHABET[(b % 32) as usize] as char).collect())
    }

    /// The first 8 characters, delivered at once.
    pub fn first_half(&self) -> &str {
        &self.0[..HALF_LEN]
    }

    /// The last 8 characters, sent by post.
    pub fn second_half(&self) -> &str {
        &self.0[HALF_LEN..]
    }
}

impl std::fmt::Debug for IssuedPin {
    // A PIN must never reach a log, even through a `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedPin(********)")
    }
}

/// What a session may do, decided by how the citizen got in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// First 8 PIN characters: fill in, send and view the bonus application only.
    Simplified,
    /// Full PIN, SPID L2+, CIE, CNS: everything.
    Full,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn eight_characters_are_a_simplified_pin_and_sixteen_a_full_one() {
        assert_eq!(
            PinInput::parse("abcd-efgh").unwrap(),
            PinInput::Simplified("ABCDEFGH".into())
        );
        let full = PinInput::parse("ABCD EFGH 2345 6789").unwrap();
        assert_eq!(full.first_half(), "ABCDEFGH");
        assert_eq!(full.second_half(), Some("23456789"));
    }

    #[test]
    fn look_alike_characters_are_refused_with_their_position() {
        assert_eq!(PinInput::parse("ABCDEFG0"), Err(PinError::Characters(8)));
        assert_eq!(PinInput::parse("IBCDEFGH"), Err(PinError::Characters(1)));
    }

    #[test]
    fn other_lengths_are_refused() {
        assert_eq!(PinInput::parse("ABCDEFGHJ"), Err(PinError::Length(9)));
        assert_eq!(PinInput::parse(""), Err(PinError::Length(0)));
    }

    #[test]
    fn debug_output_never_shows_the_pin() {
        let pin = IssuedPin::from_random_bytes([7; 16]);
        assert!(!format!("{pin:?}").contains(pin.first_half()));
    }

    proptest! {
        #[test]
        fn every_issued_pin_parses_back_as_full_and_its_half_as_simplified(bytes in any::<[u8; 16]>()) {
            let pin = IssuedPin::from_random_bytes(bytes);
            let full = format!("{}{}", pin.first_half(), pin.second_half());
            prop_assert_eq!(PinInput::parse(&full).unwrap(), PinInput::Full(full.clone()));
            prop_assert_eq!(PinInput::parse(pin.first_half()).unwrap(), PinInput::Simplified(pin.first_half().into()));
        }
    }
}
