//! Sportello's domain: the rules that the browser (SPA, wasm32) and the server (API) both need,
//! written once. No I/O, no clock, no AWS, no web-sys: everything here is a pure function of its input.

pub mod application;
pub mod benefits;
pub mod bundles;
pub mod codice_fiscale;
pub mod contacts;
mod control;
pub mod credential;
pub mod error_code;
pub mod field_errors;
pub mod html;
pub mod iban;
pub mod iso_date;
pub mod lang;
#[cfg(feature = "openapi")]
mod openapi;
pub mod operator;
pub mod pin;
pub mod pin_request;
#[cfg(feature = "places")]
pub mod places;
pub mod postcode;
pub mod province;
pub mod registry;
pub mod submission_window;
mod text;
pub mod throttle;
pub mod waiting_room;
pub mod wire;

pub use application::{
    AccountHolder, Application, ApplicationForm, ApplicationStatus, ApplicationStep, Contacts, Payment, ProtocolNumber,
    StatusChange, ValidApplication,
};
pub use benefits::{Answer, Benefit, Catalogue, CatalogueError, Declaration, DeclarationKind};
pub use codice_fiscale::{CfError, CodiceFiscale, PersonalData, Sex};
pub use contacts::{Email, MobilePhone, Pec};
pub use credential::{Credential, Strength};
pub use error_code::ErrorCode;
pub use field_errors::FieldErrors;
pub use iban::ItalianIban;
pub use lang::Lang;
pub use pin::{PinInput, Scope};
pub use pin_request::{PinRequestForm, Step};
pub use postcode::Postcode;
pub use province::Province;
pub use submission_window::{Channel, SubmissionWindow, WindowConfig};
