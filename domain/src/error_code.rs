//! The catalogue of error codes: stable identifiers shared by the SPA and the API, each with a
//! message in Italian and English that names the problem and says how to fix it.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// A stable error code. The string form (`as_str`) is part of the public API: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum ErrorCode {
    /// The request as a whole failed validation (the fields say where).
    ValidationFailed,
    /// A mandatory field was left empty.
    Required,
    CfLength,
    CfCharacters,
    CfCheckCharacter,
    CfBirthDate,
    IbanInvalid,
    MobileInvalid,
    EmailInvalid,
    /// The resource does not exist (or is not the caller's to see).
    NotFound,
    /// The server is overloaded: try again after the Retry-After delay.
    Overloaded,
    /// Something went wrong on our side.
    Internal,
    /// The request body is not valid JSON of the expected shape.
    MalformedRequest,
}

const ALL: &[ErrorCode] = &[
    ErrorCode::ValidationFailed,
    ErrorCode::Required,
    ErrorCode::CfLength,
    ErrorCode::CfCharacters,
    ErrorCode::CfCheckCharacter,
    ErrorCode::CfBirthDate,
    ErrorCode::IbanInvalid,
    ErrorCode::MobileInvalid,
    ErrorCode::EmailInvalid,
    ErrorCode::NotFound,
    ErrorCode::Overloaded,
    ErrorCode::Internal,
    ErrorCode::MalformedRequest,
];

impl ErrorCode {
    /// Every code, for catalogue-wide tests.
    pub fn all() -> &'static [ErrorCode] {
        ALL
    }

    /// The stable wire form, e.g. `cf.check_character`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::Required => "required",
            ErrorCode::CfLength => "cf.length",
            ErrorCode::CfCharacters => "cf.characters",
            ErrorCode::CfCheckCharacter => "cf.check_character",
            ErrorCode::CfBirthDate => "cf.birth_date",
            ErrorCode::IbanInvalid => "iban.invalid",
            ErrorCode::MobileInvalid => "mobile.invalid",
            ErrorCode::EmailInvalid => "email.invalid",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Overloaded => "overloaded",
            ErrorCode::Internal => "internal",
            ErrorCode::MalformedRequest => "malformed_request",
        }
    }

    /// The user-facing message in `lang`.
    pub fn message(self, lang: Lang) -> &'static str {
        let (it, en) = match self {
            ErrorCode::ValidationFailed => (
                "Alcuni dati non sono corretti: correggi i campi indicati.",
                "Some details are not right: correct the fields shown.",
            ),
            ErrorCode::Required => ("Questo campo è obbligatorio.", "This field is required."),
            ErrorCode::CfLength => (
                "Il codice fiscale deve avere 16 caratteri, lettere e numeri.",
                "The codice fiscale must be 16 characters, letters and digits.",
            ),
            ErrorCode::CfCharacters => (
                "Il codice fiscale contiene caratteri non ammessi o fuori posto: controlla di averlo copiato dalla tessera sanitaria.",
                "The codice fiscale has characters that are not allowed or out of place: copy it from your health card.",
            ),
            ErrorCode::CfCheckCharacter => (
                "Il codice fiscale non è valido: l'ultimo carattere di controllo non corrisponde. Controlla di averlo scritto senza errori.",
                "The codice fiscale is not valid: its last (check) character does not match. Check it for typing mistakes.",
            ),
            ErrorCode::CfBirthDate => (
                "Il codice fiscale contiene una data di nascita impossibile: controlla il mese e il giorno.",
                "The codice fiscale encodes an impossible birth date: check the month and day.",
            ),
            ErrorCode::IbanInvalid => (
                "L'IBAN non è valido: deve essere un IBAN italiano di 27 caratteri che inizia con IT.",
                "The IBAN is not valid: it must be an Italian IBAN of 27 characters starting with IT.",
            ),
            ErrorCode::MobileInvalid => (
                "Inserisci un numero di cellulare italiano con prefisso +39, ad esempio +39 333 123 4567.",
                "Enter an Italian mobile number with the +39 prefix, for example +39 333 123 4567.",
            ),
            ErrorCode::EmailInvalid => (
                "Inserisci un indirizzo e-mail valido, ad esempio nome@esempio.it.",
                "Enter a valid e-mail address, for example name@example.it.",
            ),
            ErrorCode::NotFound => ("La pagina o il dato richiesto non esiste.", "The page or item requested does not exist."),
            ErrorCode::Overloaded => (
                "Il servizio è molto richiesto in questo momento: riprova tra poco.",
                "The service is very busy right now: try again shortly.",
            ),
            ErrorCode::Internal => (
                "Si è verificato un errore nel servizio. I dati inseriti non sono andati persi: riprova.",
                "Something went wrong on our side. Nothing you typed is lost: try again.",
            ),
            ErrorCode::MalformedRequest => (
                "La richiesta non è nel formato atteso.",
                "The request is not in the expected format.",
            ),
        };
        match lang {
            Lang::It => it,
            Lang::En => en,
        }
    }

    /// Parses the wire form back into a code.
    pub fn from_str_code(code: &str) -> Option<ErrorCode> {
        ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl From<ErrorCode> for &'static str {
    fn from(code: ErrorCode) -> Self {
        code.as_str()
    }
}

impl TryFrom<String> for ErrorCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        ErrorCode::from_str_code(&value).ok_or_else(|| format!("unknown error code {value}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_a_unique_wire_form_that_round_trips() {
        let mut seen = HashSet::new();
        for &code in ErrorCode::all() {
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert_eq!(ErrorCode::from_str_code(code.as_str()), Some(code));
        }
    }

    #[test]
    fn every_code_has_distinct_italian_and_english_messages() {
        for &code in ErrorCode::all() {
            assert!(!code.message(Lang::It).is_empty());
            assert_ne!(code.message(Lang::It), code.message(Lang::En), "{}", code.as_str());
        }
    }
}
