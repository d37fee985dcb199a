//! Sportello's domain: the rules that the browser (SPA, wasm32) and the server (API) both need,
//! written once. No I/O, no clock, no AWS, no web-sys: everything here is a pure function of its input.

pub mod codice_fiscale;
pub mod contacts;
pub mod error_code;
pub mod field_errors;
pub mod iban;
pub mod lang;

pub use codice_fiscale::{CfError, CodiceFiscale};
pub use error_code::ErrorCode;
pub use field_errors::FieldErrors;
pub use lang::Lang;
