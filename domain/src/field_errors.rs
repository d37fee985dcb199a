//! Errors per form field, in the order the fields appear: the shape both the API's error body and
//! the SPA's error summary are built from.

use serde::{Deserialize, Serialize};

use crate::{ErrorCode, Lang};

/// One field's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name on the wire and its input's id in the page (e.g. `codice_fiscale`).
    pub field: String,
    /// What is wrong with it.
    pub code: ErrorCode,
}

/// The errors of a form, in field order. Empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `code` for `field` (the first error of a field wins: fix one thing at a time).
    pub fn add(&mut self, field: &str, code: ErrorCode) {
        if self.get(field).is_none() {
            self.0.push(FieldError {
                field: field.to_owned(),
                code,
            });
        }
    }

    /// Validates one field with `parse`, recording its error and returning the value if valid.
    pub fn check<T, E: Into<ErrorCode>>(&mut self, field: &str, parsed: Result<T, E>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(err) => {
                self.add(field, err.into());
                None
            }
        }
    }

    /// The error of `field`, if any.
    pub fn get(&self, field: &str) -> Option<ErrorCode> {
        self.0.iter().find(|e| e.field == field).map(|e| e.code)
    }

    /// True when no field has an error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors in field order.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `(field, message)` pairs in `lang`, in field order.
    pub fn messages(&self, lang: Lang) -> Vec<(String, &'static str)> {
        self.0.iter().map(|e| (e.field.clone(), e.code.message(lang))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_error_of_a_field_is_kept_and_order_is_preserved() {
        let mut errors = FieldErrors::new();
        errors.add("b", ErrorCode::Required);
        errors.add("a", ErrorCode::EmailInvalid);
        errors.add("b", ErrorCode::MobileInvalid);
        let fields: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, vec![("b", ErrorCode::Required), ("a", ErrorCode::EmailInvalid)]);
    }
}
