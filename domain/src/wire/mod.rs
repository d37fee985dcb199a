//! The API's requests and answers as the SPA sends and reads them, each defined once: the API
//! serialises these types, the SPA reads them back with [`json::FromJson`] (a small reader
//! instead of serde's `Deserialize`, ADR 0008), implemented beside each type. Every type the SPA
//! reads has a test that what `serde_json` writes of it reads back equal, and a test with a JSON
//! sample of what the API emits.
//!
//! Times are [`Timestamp`]s, the RFC 3339 text serde writes for a `DateTime<Utc>`: the SPA shows
//! and sends them back as they are, and parsing them in the browser would link chrono's parser.

pub mod application;
pub mod auth;
pub mod identity;
pub mod json;
pub mod operator;
pub mod pin_request;
pub mod problem;
pub mod queue;
pub mod session;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use json::{FromJson, Json};

/// A wire struct: the struct with its serde derives, and its [`FromJson`] reading each field by
/// its name (a missing required field, or one of another shape, makes the whole value `None`).
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty ),*
        }

        impl $crate::wire::json::FromJson for $name {
            fn from_json(json: &$crate::wire::json::Json) -> Option<Self> {
                Some($name {
                    $( $field: json.get(stringify!($field))? ),*
                })
            }
        }
    };
}
pub(crate) use wire_struct;

/// [`FromJson`] for a domain enum with a `parse(&str) -> Option<Self>` of its serde names.
macro_rules! from_json_by_parse {
    ($($ty:ty),*) => {
        $(impl FromJson for $ty {
            fn from_json(json: &Json) -> Option<Self> {
                <$ty>::parse(json.as_str()?)
            }
        })*
    };
}

from_json_by_parse!(
    crate::Channel,
    crate::ApplicationStatus,
    crate::Credential,
    crate::pin_request::PinRequestState,
    crate::operator::AuditAction,
    crate::operator::AuditOutcome
);

impl FromJson for crate::Scope {
    fn from_json(json: &Json) -> Option<Self> {
        match json.as_str()? {
            "simplified" => Some(crate::Scope::Simplified),
            "full" => Some(crate::Scope::Full),
            _ => None,
        }
    }
}

/// A moment, as serde writes a `DateTime<Utc>` (`2026-04-01T14:03:07.123Z`, RFC 3339 in UTC).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = DateTime))]
#[serde(transparent)]
pub struct Timestamp(pub String);

impl Timestamp {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Timestamp {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    /// The same text as serde's `Serialize` for `DateTime<Utc>`.
    fn from(at: DateTime<Utc>) -> Timestamp {
        Timestamp(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl FromJson for Timestamp {
    fn from_json(json: &Json) -> Option<Self> {
        String::from_json(json).map(Timestamp)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::json::FromJson;
    use serde::Serialize;
    use std::fmt::Debug;

    /// What serde_json writes of `value` reads back equal through the small reader.
    pub fn round_trips<T: Serialize + FromJson + PartialEq + Debug>(value: &T) {
        let text = serde_json::to_string(value).unwrap();
        assert_eq!(T::parse_json(&text).as_ref(), Some(value), "{text}");
        let pretty = serde_json::to_string_pretty(value).unwrap();
        assert_eq!(T::parse_json(&pretty).as_ref(), Some(value), "{pretty}");
    }

    /// `sample` (the API's answer as it is written today) reads as `value`, and `value` writes the
    /// same JSON as `sample` (compared as values: member order aside).
    pub fn matches_api_sample<T: Serialize + FromJson + PartialEq + Debug>(value: &T, sample: &str) {
        let written = serde_json::to_value(value).unwrap();
        let expected: serde_json::Value = serde_json::from_str(sample).unwrap();
        assert_eq!(
            written, expected,
            "what the wire type writes differs from the API's sample"
        );
        assert_eq!(
            T::parse_json(sample).as_ref(),
            Some(value),
            "the sample does not read as the value"
        );
        round_trips(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_timestamp_is_the_text_serde_writes_for_the_moment() {
        let whole = Utc.with_ymd_and_hms(2026, 4, 1, 14, 3, 7).unwrap();
        for at in [
            whole,
            whole + chrono::Duration::milliseconds(120),
            whole + chrono::Duration::nanoseconds(123_456_789),
            whole + chrono::Duration::microseconds(5),
        ] {
            assert_eq!(
                serde_json::to_string(&Timestamp::from(at)).unwrap(),
                serde_json::to_string(&at).unwrap()
            );
        }
    }

    #[test]
    fn domain_enums_read_as_serde_writes_them() {
        use crate::operator::{AuditAction, AuditOutcome};
        use crate::pin_request::PinRequestState;
        use crate::{ApplicationStatus, Channel, Credential, Scope};
        fn each<T: Serialize + FromJson + PartialEq + std::fmt::Debug>(values: &[T]) {
            for value in values {
                testing::round_trips(value);
            }
        }
        each(&[Channel::WebCitizen, Channel::ContactCenter]);
        each(&[Scope::Simplified, Scope::Full]);
        each(&[
            PinRequestState::PendingDelivery,
            PinRequestState::Delivered,
            PinRequestState::ValidatedByContactCenter,
            PinRequestState::Expired,
            PinRequestState::Revoked,
        ]);
        each(&ApplicationStatus::ALL);
        each(&Credential::ALL);
        each(&AuditAction::ALL);
        each(&[AuditOutcome::Ok, AuditOutcome::Refused]);
        assert_eq!(Scope::parse_json("\"other\""), None);
    }
}
