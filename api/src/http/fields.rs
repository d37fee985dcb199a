//! A request body's fields parsed into the domain's types at the edge: a service takes a
//! `&CodiceFiscale`, never the text a client sent, and each bad value is answered under its own
//! field's name, as the SPA shows it.

use domain::{CodiceFiscale, ErrorCode, FieldErrors};

use crate::ApiError;

/// The codice fiscale typed in `field`, or its error recorded in `errors`: `Required` when blank
/// (a blank field is a missing answer, not a code 0 characters long), the parse's error otherwise.
pub fn codice_fiscale_in(errors: &mut FieldErrors, field: &str, typed: &str) -> Option<CodiceFiscale> {
    if typed.trim().is_empty() {
        errors.add(field, ErrorCode::Required);
        None
    } else {
        errors.check(field, CodiceFiscale::parse(typed))
    }
}

/// [`codice_fiscale_in`] for a body whose only field to check is the `codice_fiscale`.
pub fn codice_fiscale(typed: &str) -> Result<CodiceFiscale, ApiError> {
    let mut errors = FieldErrors::new();
    codice_fiscale_in(&mut errors, "codice_fiscale", typed).ok_or(ApiError::Validation(errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_codice_fiscale_is_required_and_a_bad_one_says_why() {
        let code = |typed| match codice_fiscale(typed) {
            Err(ApiError::Validation(errors)) => errors.get("codice_fiscale"),
            other => panic!("{typed:?}: {other:?}"),
        };
        assert_eq!(code("  "), Some(ErrorCode::Required));
        assert_eq!(code("RSSMRA85T10A562"), Some(ErrorCode::CfLength));
    }

    #[test]
    fn a_codice_fiscale_typed_with_spaces_and_lower_case_is_the_parsed_one() {
        assert_eq!(
            codice_fiscale(" rssmra85t10a562s ").unwrap().as_str(),
            "RSSMRA85T10A562S"
        );
    }
}
