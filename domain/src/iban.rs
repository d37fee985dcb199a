//! Italian IBAN: `IT`, two check digits, the CIN letter, ABI (bank, 5 digits), CAB (branch,
//! 5 digits) and account number (12 letters or digits): 27 characters.
//!
//! Two independent checks catch typing mistakes: the ISO 13616 check digits (mod 97 over the
//! whole IBAN) and the Italian CIN letter (the 1976 control-letter algorithm over ABI, CAB and
//! account, shared with the codice fiscale). Between them they catch every single mistyped
//! character except one kind: in the account number, a digit `d` typed as the letter with the
//! same CIN value (`0`↔`A` … `9`↔`J`) slips past the CIN, and past mod 97 too about once in
//! 97 cases (a test below pins a real example). No validator can do better without asking the
//! bank.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;
use crate::control::control_letter;

/// Length of an Italian IBAN in electronic form.
const LENGTH: usize = 27;

/// Why a string is not a valid Italian IBAN.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IbanError {
    /// It does not start with `IT`.
    #[error("not an Italian IBAN: it does not start with IT")]
    Country,
    /// Not 27 characters once spaces are removed.
    #[error("an Italian IBAN has 27 characters, this has {0}")]
    Length(usize),
    /// A character not allowed at its position (counted from 1, spaces removed).
    #[error("character {position} is not allowed there")]
    Characters {
        /// The position of the first offending character, from 1.
        position: usize,
    },
    /// The check digits (mod 97) do not match.
    #[error("the IBAN check digits do not match")]
    Checksum,
    /// The CIN letter does not match ABI, CAB and account.
    #[error("the CIN letter does not match")]
    Cin,
}

impl From<IbanError> for ErrorCode {
    fn from(err: IbanError) -> Self {
        match err {
            IbanError::Country => ErrorCode::IbanCountry,
            IbanError::Length(_) => ErrorCode::IbanLength,
            IbanError::Characters { .. } => ErrorCode::IbanCharacters,
            IbanError::Checksum => ErrorCode::IbanChecksum,
            IbanError::Cin => ErrorCode::IbanCin,
        }
    }
}

/// A valid Italian IBAN in electronic form (no spaces, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItalianIban(String);

/// ISO 13616 remainder of `chars` (letters count as 10-35), computed digit by digit so that it
/// never overflows.
fn mod97(chars: impl Iterator<Item = u8>) -> u32 {
    chars.fold(0, |acc, b| {
        if b.is_ascii_digit() {
            (acc * 10 + u32::from(b - b'0')) % 97
        } else {
            (acc * 100 + u32::from(b - b'A') + 10) % 97
        }
    })
}

/// The mod-97 remainder of an IBAN, with the country and check digits moved to the end.
fn iban_remainder(iban: &[u8]) -> u32 {
    mod97(iban[4..].iter().chain(&iban[..4]).copied())
}

impl ItalianIban {
    /// Parses user input, ignoring spaces, dashes and case. Checks, in this order: allowed
    /// characters, country, length, the character kinds at each position, check digits, CIN.
    pub fn parse(input: &str) -> Result<Self, IbanError> {
        let iban: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if let Some(i) = iban.chars().position(|c| !c.is_ascii_alphanumeric()) {
            return Err(IbanError::Characters { position: i + 1 });
        }
        // ASCII from here on.
        if !iban.starts_with("IT") {
            return Err(IbanError::Country);
        }
        if iban.len() != LENGTH {
            return Err(IbanError::Length(iban.len()));
        }
        let bytes = iban.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let allowed = match i {
                0 | 1 => true,                        // IT, checked above
                2 | 3 | 5..=14 => b.is_ascii_digit(), // check digits, ABI, CAB
                4 => b.is_ascii_uppercase(),          // CIN
                _ => true,                            // account: letters or digits
            };
            if !allowed {
                return Err(IbanError::Characters { position: i + 1 });
            }
        }
        if iban_remainder(bytes) != 1 {
            return Err(IbanError::Checksum);
        }
        if control_letter(&bytes[5..]) != bytes[4] as char {
            return Err(IbanError::Cin);
        }
        Ok(ItalianIban(iban))
    }

    /// Builds the IBAN of an account from its ABI (5 digits), CAB (5 digits) and account number
    /// (up to 12 letters or digits; shorter ones are padded with leading zeros, as banks do),
    /// computing the CIN and the check digits. Case and spaces are ignored.
    pub fn from_parts(abi: &str, cab: &str, account: &str) -> Result<Self, IbanError> {
        let clean = |s: &str| {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_uppercase()
        };
        let (abi, cab, account) = (clean(abi), clean(cab), clean(account));
        let account = format!("{account:0>12}");
        let bban = format!("{abi}{cab}{account}");
        if let Some(i) = bban.chars().position(|c| !c.is_ascii_alphanumeric()) {
            return Err(IbanError::Characters { position: 6 + i });
        }
        if bban.len() != 22 {
            return Err(IbanError::Length(bban.len() + 5));
        }
        if let Some(i) = bban[..10].bytes().position(|b| !b.is_ascii_digit()) {
            return Err(IbanError::Characters { position: 6 + i });
        }
        let cin = control_letter(bban.as_bytes());
        let provisional = format!("IT00{cin}{bban}");
        let check = 98 - iban_remainder(provisional.as_bytes());
        Ok(ItalianIban(format!("IT{check:02}{cin}{bban}")))
    }

    /// The electronic form, e.g. `IT60X0542811101000000123456`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The paper form, in groups of four: `IT60 X054 2811 1010 0000 0123 456`.
    pub fn formatted(&self) -> String {
        let mut out = String::with_capacity(LENGTH + LENGTH / 4);
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }

    /// The CIN letter (5th character).
    pub fn cin(&self) -> char {
        self.0.as_bytes()[4] as char
    }

    /// The ABI code of the bank (characters 6-10).
    pub fn abi(&self) -> &str {
        &self.0[5..10]
    }

    /// The CAB code of the branch (characters 11-15).
    pub fn cab(&self) -> &str {
        &self.0[10..15]
    }

    /// The account number (characters 16-27).
    pub fn account(&self) -> &str {
        &self.0[15..]
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

impl std::fmt::Display for ItalianIban {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "IT60X0542811101000000123456";

    #[test]
    fn valid_iban_is_accepted_with_spaces_and_in_lower_case() {
        let iban = ItalianIban::parse(" it60 x054 2811 1010 0000 0123 456 ").unwrap();
        assert_eq!(iban.as_str(), VALID);
        assert_eq!(
            ItalianIban::parse("IT60-X054-2811-1010-0000-0123-456")
                .unwrap()
                .as_str(),
            VALID
        );
    }

    #[test]
    fn parts_of_a_valid_iban_are_readable() {
        let iban = ItalianIban::parse(VALID).unwrap();
        assert_eq!(
            (iban.cin(), iban.abi(), iban.cab(), iban.account()),
            ('X', "05428", "11101", "000000123456")
        );
    }

    #[test]
    fn formatted_iban_is_in_groups_of_four() {
        let iban = ItalianIban::parse(VALID).unwrap();
        assert_eq!(iban.formatted(), "IT60 X054 2811 1010 0000 0123 456");
        assert_eq!(iban.to_string(), VALID);
    }

    #[test]
    fn foreign_iban_is_rejected_for_its_country() {
        // A valid German IBAN (the ISO 13616 example).
        assert_eq!(
            ItalianIban::parse("DE89 3704 0044 0532 0130 00"),
            Err(IbanError::Country)
        );
        // San Marino uses the Italian layout, but it is not an Italian account.
        assert_eq!(
            ItalianIban::parse("SM86U0322509800000000270100"),
            Err(IbanError::Country)
        );
        // The BBAN alone, without IT in front.
        assert_eq!(ItalianIban::parse("X0542811101000000123456"), Err(IbanError::Country));
    }

    #[test]
    fn iban_of_the_wrong_length_reports_how_long_it_is() {
        assert_eq!(
            ItalianIban::parse("IT60X054281110100000012345"),
            Err(IbanError::Length(26))
        );
        assert_eq!(
            ItalianIban::parse("IT60X05428111010000001234567"),
            Err(IbanError::Length(28))
        );
    }

    #[test]
    fn characters_out_of_place_report_their_position() {
        assert_eq!(
            ItalianIban::parse("IT60X0542811101000000123.56"),
            Err(IbanError::Characters { position: 25 })
        );
        assert_eq!(
            ItalianIban::parse("ITA0X0542811101000000123456"),
            Err(IbanError::Characters { position: 3 })
        );
        assert_eq!(
            ItalianIban::parse("IT6000542811101000000123456"),
            Err(IbanError::Characters { position: 5 })
        );
        assert_eq!(
            ItalianIban::parse("IT60X05428111O1000000123456"),
            Err(IbanError::Characters { position: 14 })
        );
        assert_eq!(
            ItalianIban::parse("IT60X0542811101000000123456€"),
            Err(IbanError::Characters { position: 28 })
        );
    }

    #[test]
    fn swapped_check_digits_are_caught_by_mod_97() {
        assert_eq!(
            ItalianIban::parse("IT06X0542811101000000123456"),
            Err(IbanError::Checksum)
        );
    }

    #[test]
    fn account_digit_typo_is_caught() {
        assert!(ItalianIban::parse("IT60X0542811101000000123457").is_err());
    }

    #[test]
    fn wrong_cin_with_consistent_check_digits_is_caught_by_the_cin() {
        // GIVEN an IBAN whose check digits were recomputed over a wrong CIN (Y for X)
        let bban = "Y0542811101000000123456";
        let check = 98 - iban_remainder(format!("IT00{bban}").as_bytes());
        let iban = format!("IT{check:02}{bban}");
        // THEN mod 97 passes and only the CIN catches it
        assert_eq!(ItalianIban::parse(&iban), Err(IbanError::Cin));
    }

    #[test]
    fn a_digit_typed_as_its_cin_twin_letter_can_pass_both_checks() {
        // The documented blind spot: 4 → E in the account (same CIN value), and this account
        // happens to collide mod 97 too. Both are genuinely valid IBANs; the test pins that the
        // validator does not pretend otherwise.
        assert!(ItalianIban::parse("IT19F0542811101042304114426").is_ok());
        assert!(ItalianIban::parse("IT19F054281110104230E114426").is_ok());
    }

    #[test]
    fn from_parts_computes_the_cin_and_check_digits_of_a_known_iban() {
        let iban = ItalianIban::from_parts("05428", "11101", "123456").unwrap();
        assert_eq!(iban.as_str(), VALID);
        assert_eq!(
            ItalianIban::from_parts("0542", "11101", "1"),
            Err(IbanError::Length(26))
        );
        assert_eq!(
            ItalianIban::from_parts("0542A", "11101", "1"),
            Err(IbanError::Characters { position: 10 })
        );
    }

    #[test]
    fn each_error_maps_to_its_own_error_code() {
        let codes = [
            IbanError::Country,
            IbanError::Length(1),
            IbanError::Characters { position: 1 },
            IbanError::Checksum,
            IbanError::Cin,
        ]
        .map(ErrorCode::from);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
    }

    #[test]
    fn serde_accepts_only_valid_ibans() {
        let iban: ItalianIban = serde_json::from_str("\"it60 x054 2811 1010 0000 0123 456\"").unwrap();
        assert_eq!(serde_json::to_string(&iban).unwrap(), format!("\"{VALID}\""));
        assert!(serde_json::from_str::<ItalianIban>("\"IT61X0542811101000000123456\"").is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const TYPOS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-/";

        fn ibans() -> impl Strategy<Value = ItalianIban> {
            ("[0-9]{5}", "[0-9]{5}", "[0-9A-Z]{12}")
                .prop_map(|(abi, cab, account)| ItalianIban::from_parts(&abi, &cab, &account).unwrap())
        }

        /// The letter with the same CIN value as digit `d` (`0`→`A` … `9`→`J`), and back.
        fn cin_twin(c: char) -> Option<char> {
            match c {
                '0'..='9' => Some((b'A' + (c as u8 - b'0')) as char),
                'A'..='J' => Some((b'0' + (c as u8 - b'A')) as char),
                _ => None,
            }
        }

        proptest! {
            #[test]
            fn built_ibans_are_valid_and_round_trip(iban in ibans()) {
                prop_assert_eq!(ItalianIban::parse(iban.as_str()), Ok(iban.clone()));
                prop_assert_eq!(ItalianIban::parse(&iban.formatted()), Ok(iban.clone()));
            }

            #[test]
            fn single_character_changes_are_rejected_except_cin_twins_in_the_account(iban in ibans()) {
                // Every change outside the account, and every change inside it other than a
                // digit ↔ its CIN-twin letter, must fail; a twin swap may pass only when mod 97
                // collides too (see the module comment).
                let original: Vec<char> = iban.as_str().chars().collect();
                for position in 0..LENGTH {
                    for typo in TYPOS.chars().filter(|&t| t != original[position]) {
                        let mut changed = original.clone();
                        changed[position] = typo;
                        let changed: String = changed.into_iter().collect();
                        if ItalianIban::parse(&changed).is_ok() {
                            prop_assert!(position >= 15 && cin_twin(original[position]) == Some(typo),
                                "{} accepted ({} → {} at {})", changed, original[position], typo, position + 1);
                        }
                    }
                }
            }

            #[test]
            fn same_kind_changes_are_always_rejected(iban in ibans(), position in 0usize..LENGTH, shift in 1u8..10) {
                // A digit for another digit, or a letter for another letter, never passes: the
                // CIN catches every such change in the BBAN and mod 97 every one in the prefix.
                let original = iban.as_str().as_bytes()[position];
                let typo = if original.is_ascii_digit() {
                    b'0' + (original - b'0' + shift) % 10
                } else {
                    b'A' + (original - b'A' + shift) % 26
                };
                let mut changed = iban.as_str().as_bytes().to_vec();
                changed[position] = typo;
                let changed = String::from_utf8(changed).unwrap();
                prop_assert!(ItalianIban::parse(&changed).is_err(), "{} accepted", changed);
            }
        }
    }
}
