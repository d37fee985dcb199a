//! Contacts: Italian mobile numbers (+39 3…), e-mail and PEC (certified e-mail) addresses.
//!
//! The PIN request needs all three, and the first half of the PIN is sent to them, so a typo
//! here costs the citizen a day: the checks are strict about shape and say exactly what to fix.
//! E-mail validation is pragmatic, without a regex (it ships in the browser): it accepts the
//! addresses people actually have and rejects the typos people actually make; it does not try
//! to cover every corner of RFC 5322 (quoted local parts, IP-literal domains).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;

/// Why a string is not an Italian mobile number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MobileError {
    /// Not a phone number at all, or one with a foreign prefix.
    #[error("not an Italian mobile number with +39")]
    Invalid,
    /// An Italian-looking number typed without the +39 (or 0039) prefix.
    #[error("the +39 prefix is missing")]
    MissingPrefix,
    /// An Italian number that is not a mobile (mobiles start with 3 after +39).
    #[error("not a mobile number: after +39 it does not start with 3")]
    NotMobile,
    /// A mobile number with too few or too many digits (9 or 10 after +39).
    #[error("a mobile number has 9 or 10 digits after +39, this has {0}")]
    Length(usize),
}

impl From<MobileError> for ErrorCode {
    fn from(err: MobileError) -> Self {
        match err {
            MobileError::Invalid => ErrorCode::MobileInvalid,
            MobileError::MissingPrefix => ErrorCode::MobilePrefix,
            MobileError::NotMobile => ErrorCode::MobileNotMobile,
            MobileError::Length(_) => ErrorCode::MobileLength,
        }
    }
}

/// An Italian mobile number, stored as `+39` followed by the digits (e.g. `+393331234567`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MobilePhone(String);

impl MobilePhone {
    /// Parses user input: spaces, dots, dashes, slashes and brackets are ignored; the prefix
    /// may be written `+39` or `0039` and is stored as `+39`.
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/' | '(' | ')'))
            .collect();
        let national = if let Some(rest) = compact.strip_prefix("+39").or_else(|| compact.strip_prefix("0039")) {
            rest
        } else if compact.starts_with('+') || compact.starts_with("00") || compact.is_empty() {
            // Another country's prefix: this service needs an Italian mobile.
            return Err(MobileError::Invalid);
        } else if compact.bytes().all(|b| b.is_ascii_digit()) {
            // A bare number: say what is missing, or that it is a landline anyway.
            return Err(if compact.starts_with('3') {
                MobileError::MissingPrefix
            } else {
                MobileError::NotMobile
            });
        } else {
            return Err(MobileError::Invalid);
        };
        if !national.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MobileError::Invalid);
        }
        if national.is_empty() {
            return Err(MobileError::Length(0));
        }
        if !national.starts_with('3') {
            return Err(MobileError::NotMobile);
        }
        if !(9..=10).contains(&national.len()) {
            return Err(MobileError::Length(national.len()));
        }
        Ok(MobilePhone(format!("+39{national}")))
    }

    /// `+39` and the digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits after `+39`.
    pub fn national_number(&self) -> &str {
        &self.0[3..]
    }

    /// For reading aloud or on screen: `+39 333 123 4567` (or `+39 333 123 456`).
    pub fn formatted(&self) -> String {
        let n = self.national_number();
        format!("+39 {} {} {}", &n[..3], &n[3..6], &n[6..])
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
    /// Not of the shape `name@domain.tld`.
    #[error("not an e-mail address")]
    Invalid,
}

impl From<EmailError> for ErrorCode {
    fn from(_: EmailError) -> Self {
        ErrorCode::EmailInvalid
    }
}

/// Characters allowed in the local part besides ASCII letters and digits (RFC 5322 atext).
const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-.";

fn is_valid_local_part(local: &str) -> bool {
    (1..=64).contains(&local.len())
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn is_valid_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// A top-level domain: two or more letters (`it`, `com`), or an internationalised one in
/// punycode (`xn--…`).
fn is_valid_tld(tld: &str) -> bool {
    tld.len() >= 2 && (tld.bytes().all(|b| b.is_ascii_alphabetic()) || tld.starts_with("xn--"))
}

/// The address in canonical form (trimmed, domain in lower case), or `None` if it is not one.
/// The local part keeps its case: strictly it is case-sensitive, and some providers care.
fn normalise_email(input: &str) -> Option<String> {
    let s = input.trim();
    if s.len() > 254 || s.contains(char::is_whitespace) {
        return None;
    }
    let (local, domain) = s.split_once('@')?;
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let valid = is_valid_local_part(local)
        && labels.len() >= 2
        && labels.iter().all(|l| is_valid_label(l))
        && labels.last().is_some_and(|tld| is_valid_tld(tld));
    valid.then(|| format!("{local}@{domain}"))
}

/// An e-mail address, trimmed, with the domain in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses user input: one `@`; a local part of at most 64 letters, digits and
    /// `!#$%&'*+/=?^_`{|}~-.` without leading, trailing or doubled dots; a domain of dotted
    /// labels (letters, digits, inner hyphens) ending in a top-level domain of two or more
    /// letters; at most 254 characters in all.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        normalise_email(input).map(Email).ok_or(EmailError::Invalid)
    }

    /// The address, trimmed, domain in lower case.
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

/// Why a string is not a PEC address.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PecError {
    /// Not of the shape `name@domain.tld`.
    #[error("not a PEC address")]
    Invalid,
}

impl From<PecError> for ErrorCode {
    fn from(_: PecError) -> Self {
        ErrorCode::PecInvalid
    }
}

/// A PEC (posta elettronica certificata) address. It is an e-mail address at a certified
/// provider; which providers are certified changes over time and is not checked here, so the
/// rules are those of [`Email`] — the type and its error code keep the two fields apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pec(String);

impl Pec {
    /// Parses user input with the rules of [`Email::parse`].
    pub fn parse(input: &str) -> Result<Self, PecError> {
        normalise_email(input).map(Pec).ok_or(PecError::Invalid)
    }

    /// The address, trimmed, domain in lower case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Pec {
    type Error = PecError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Pec::parse(&value)
    }
}

impl From<Pec> for String {
    fn from(p: Pec) -> Self {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- mobile ------------------------------------------------------------------------------

    #[test]
    fn mobile_with_plus_39_and_separators_is_normalised() {
        for input in [
            "+39 333 123 4567",
            "+39-333-1234567",
            "+39.333.123.45.67",
            " +39 (333) 1234567 ",
            "+393331234567",
        ] {
            assert_eq!(MobilePhone::parse(input).unwrap().as_str(), "+393331234567", "{input}");
        }
    }

    #[test]
    fn mobile_with_0039_is_stored_with_plus_39() {
        assert_eq!(
            MobilePhone::parse("0039 333 1234567").unwrap().as_str(),
            "+393331234567"
        );
    }

    #[test]
    fn nine_digit_mobiles_are_accepted() {
        let mobile = MobilePhone::parse("+39 333 123 456").unwrap();
        assert_eq!(mobile.national_number(), "333123456");
        assert_eq!(mobile.formatted(), "+39 333 123 456");
    }

    #[test]
    fn formatted_mobile_is_grouped_for_reading() {
        assert_eq!(
            MobilePhone::parse("+393331234567").unwrap().formatted(),
            "+39 333 123 4567"
        );
    }

    #[test]
    fn mobile_without_prefix_asks_for_the_prefix() {
        assert_eq!(MobilePhone::parse("333 1234567"), Err(MobileError::MissingPrefix));
        assert_eq!(ErrorCode::from(MobileError::MissingPrefix).as_str(), "mobile.prefix");
    }

    #[test]
    fn landline_is_not_a_mobile_with_or_without_prefix() {
        assert_eq!(MobilePhone::parse("+39 06 1234 5678"), Err(MobileError::NotMobile));
        assert_eq!(MobilePhone::parse("06 12345678"), Err(MobileError::NotMobile));
    }

    #[test]
    fn mobile_with_too_few_or_too_many_digits_reports_the_count() {
        assert_eq!(MobilePhone::parse("+39 333 1234"), Err(MobileError::Length(7)));
        assert_eq!(MobilePhone::parse("+39 333 1234 5678"), Err(MobileError::Length(11)));
        assert_eq!(MobilePhone::parse("+39"), Err(MobileError::Length(0)));
    }

    #[test]
    fn foreign_numbers_and_letters_are_invalid() {
        assert_eq!(MobilePhone::parse("+41 79 123 45 67"), Err(MobileError::Invalid));
        assert_eq!(MobilePhone::parse("0041 79 123 45 67"), Err(MobileError::Invalid));
        assert_eq!(MobilePhone::parse("+39 333 CHIAMAMI"), Err(MobileError::Invalid));
        assert_eq!(MobilePhone::parse("tre tre tre"), Err(MobileError::Invalid));
        assert_eq!(MobilePhone::parse(""), Err(MobileError::Invalid));
    }

    #[test]
    fn mobile_errors_map_to_distinct_codes() {
        let codes = [
            MobileError::Invalid,
            MobileError::MissingPrefix,
            MobileError::NotMobile,
            MobileError::Length(1),
        ]
        .map(ErrorCode::from);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
    }

    #[test]
    fn mobile_deserialises_only_when_valid() {
        let m: MobilePhone = serde_json::from_str("\"0039 333 1234567\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"+393331234567\"");
        assert!(serde_json::from_str::<MobilePhone>("\"3331234567\"").is_err());
    }

    // --- e-mail ------------------------------------------------------------------------------

    #[test]
    fn ordinary_addresses_are_accepted_and_the_domain_lower_cased() {
        assert_eq!(
            Email::parse("  Mario.Rossi@Example.IT ").unwrap().as_str(),
            "Mario.Rossi@example.it"
        );
        for ok in [
            "a@b.it",
            "mario.rossi+inps@gmail.com",
            "o'brien@example.co.uk",
            "user_1@mail-server.example.org",
            "x@xn--80ak6aa92e.xn--p1ai",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn common_typos_are_rejected() {
        for bad in [
            "",
            "mario.rossi",             // no @
            "mario.rossi@",            // no domain
            "@example.it",             // no local part
            "mario@@example.it",       // two @
            "mario@rossi@example.it",  // two @
            "mario rossi@example.it",  // space
            "mario@example",           // no top-level domain
            "mario@example.i",         // one-letter TLD
            "mario@example.it.",       // trailing dot
            "mario@.example.it",       // empty label
            "mario@example..it",       // empty label
            "mario@-example.it",       // label starting with a hyphen
            "mario@example-.it",       // label ending with a hyphen
            "mario@example.123",       // numeric TLD
            "mario@exa_mple.it",       // underscore in the domain
            ".mario@example.it",       // leading dot
            "mario.@example.it",       // trailing dot
            "mario..rossi@example.it", // doubled dot
            "mario,rossi@example.it",  // comma
            "\"mario\"@example.it",    // quoted local part: legal, but not worth the risk
            "mariò@example.it",        // non-ASCII local part
            "mario@città.it",          // non-ASCII domain: use the punycode form
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad:?}");
        }
    }

    #[test]
    fn length_limits_are_64_for_the_local_part_and_254_in_all() {
        let local64 = "a".repeat(64);
        assert!(Email::parse(&format!("{local64}@example.it")).is_ok());
        assert!(Email::parse(&format!("{local64}a@example.it")).is_err());
        let label = "d".repeat(63);
        let long_domain = format!("{label}.{label}.{label}.{}.it", "d".repeat(50)); // 245 chars
        let at_limit = format!("{}@{long_domain}", "a".repeat(254 - 1 - long_domain.len()));
        assert_eq!(at_limit.len(), 254);
        assert!(Email::parse(&at_limit).is_ok());
        assert!(Email::parse(&format!("a{at_limit}")).is_err());
        assert!(Email::parse(&format!("a@{}.it", "d".repeat(64))).is_err());
    }

    // --- PEC ---------------------------------------------------------------------------------

    #[test]
    fn pec_follows_the_email_rules_with_its_own_error_code() {
        assert_eq!(
            Pec::parse(" Mario.Rossi@PEC.it ").unwrap().as_str(),
            "Mario.Rossi@pec.it"
        );
        assert_eq!(Pec::parse("mario.rossi@pec"), Err(PecError::Invalid));
        assert_eq!(ErrorCode::from(PecError::Invalid).as_str(), "pec.invalid");
    }

    #[test]
    fn pec_deserialises_only_when_valid() {
        assert!(serde_json::from_str::<Pec>("\"nome@pec.esempio.it\"").is_ok());
        assert!(serde_json::from_str::<Pec>("\"nome@\"").is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_well_formed_mobile_parses_to_plus_39_and_its_digits(
                digits in "3[0-9]{8,9}",
                prefix in prop_oneof![Just("+39"), Just("0039"), Just("+39 "), Just("0039-")],
                separator in prop_oneof![Just(""), Just(" "), Just("."), Just("-")],
            ) {
                let typed = format!("{prefix}{}{separator}{}", &digits[..3], &digits[3..]);
                let mobile = MobilePhone::parse(&typed).unwrap();
                prop_assert_eq!(mobile.as_str(), format!("+39{digits}"));
                prop_assert_eq!(MobilePhone::parse(&mobile.formatted()), Ok(mobile.clone()));
            }

            #[test]
            fn well_formed_addresses_parse_and_parsing_is_idempotent(
                local in "[a-zA-Z0-9_+-]{1,20}(\\.[a-zA-Z0-9_+-]{1,10}){0,2}",
                domain in "[a-zA-Z0-9]{1,20}(-[a-zA-Z0-9]{1,10})?(\\.[a-zA-Z0-9]{1,10}){0,2}",
                tld in "[a-zA-Z]{2,6}",
            ) {
                let email = Email::parse(&format!("{local}@{domain}.{tld}")).unwrap();
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
                let expected_start = format!("{}@", local);
                prop_assert!(email.as_str().starts_with(&expected_start), "{} does not keep its local part", email.as_str());
            }
        }
    }
}
