//! OpenAPI schemas (utoipa) for the wire types whose JSON is a plain string: the validated
//! newtypes, a declaration's answer and the error codes. Compiled only with the `openapi` feature,
//! which the API turns on for its contract (`/api/openapi.json`) and the SPA leaves off.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::{Answer, CodiceFiscale, Email, ErrorCode, ItalianIban, MobilePhone, Pec};

fn string(description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some(description))
        .examples([example])
        .into()
}

macro_rules! string_schema {
    ($($ty:ty => $name:literal, $description:literal, $example:literal;)+) => {$(
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string($description, $example)
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    )+};
}

string_schema! {
    CodiceFiscale => "CodiceFiscale", "A valid codice fiscale, upper case, 16 characters.", "RSSMRA80A01H501U";
    MobilePhone => "MobilePhone", "An Italian mobile number: +39 and the digits.", "+393331234567";
    Email => "Email", "An e-mail address.", "mario.rossi@example.it";
    Pec => "Pec", "A PEC (certified e-mail) address.", "mario.rossi@pec.example.it";
    ItalianIban => "ItalianIban", "An Italian IBAN in electronic form.", "IT60X0542811101000000123456";
    Answer => "Answer", "An answer to a declaration: `confirmed`, `yes`, `no`, a `YYYY-MM-DD` date or a whole number.", "no";
}

impl PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some("A stable error code (the catalogue in domain/src/error_code.rs)."))
            .enum_values(Some(ErrorCode::all().iter().map(|code| code.as_str())))
            .into()
    }
}

impl ToSchema for ErrorCode {}
