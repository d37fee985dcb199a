//! The population registry port (docs/adr/0013): who is registered under a codice fiscale and
//! where they live. PIN requests are checked against it and the letter with the PIN's second
//! half goes to its residence (`routes::pin_requests`).
//!
//! A port of its own rather than more `Store` methods: the registry is another system's data
//! (ANPR's) that the service reads, not citizens' data it writes, and it has an adapter that is
//! not a database at all. Adapters:
//! - embedded (`SPORTELLO_REGISTRY=embedded`, the default): the service's own copy, loaded with
//!   `sportello-admin registry import FILE.csv` — SQLite in the data directory locally
//!   ([`sqlite`]), the DynamoDB table on AWS ([`dynamodb`]);
//! - HTTP (`SPORTELLO_REGISTRY=http`): the national registry's e-service, reached with an OAuth2
//!   voucher ([`http`]).

pub mod dynamodb;
pub mod http;
pub mod import;
pub mod sqlite;
pub mod synthetic;

use async_trait::async_trait;
use domain::CodiceFiscale;
use domain::registry::{RowError, parse_row};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use domain::registry::Resident;

/// A registry failure. Callers never see the details; the log does.
#[derive(Debug, Error)]
pub enum RegistryError {
    /// The registry did not answer in time or is over capacity: the citizen may retry later.
    #[error("population registry unavailable: {0}")]
    Unavailable(String),
    /// Anything else (a malformed answer, a refused voucher, a failed write).
    #[error("population registry failure: {0}")]
    Other(String),
}

/// The registry port: read-only for the service.
#[async_trait]
pub trait Registry: Send + Sync + 'static {
    /// A short name of the adapter, e.g. `sqlite`, `http`.
    fn kind(&self) -> &'static str;

    /// The person registered under `codice_fiscale` (exactly that code: an omocode code is
    /// another registration), or `None` when nobody is.
    async fn resident(&self, codice_fiscale: &CodiceFiscale) -> Result<Option<Resident>, RegistryError>;

    /// How to load this registry, when the service keeps it (the embedded adapters); `None` for
    /// one the service only reads (the national e-service).
    fn writer(&self) -> Option<&dyn RegistryWriter> {
        None
    }
}

/// Loads an embedded registry.
#[async_trait]
pub trait RegistryWriter: Send + Sync {
    /// Stores `residents`, replacing whoever was registered under the same codice fiscale, so that
    /// importing the same file twice changes nothing and a newer file updates.
    async fn upsert(&self, residents: &[Resident]) -> Result<(), RegistryError>;
}

/// One registered person as text, in the columns of a registry import: the CSV row, the JSON the
/// national e-service answers and the dev endpoint takes, all one shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[derive(utoipa::ToSchema)]
pub struct RegistryRow {
    /// Codice fiscale.
    pub codice_fiscale: String,
    /// Given names.
    pub given_name: String,
    /// Surnames.
    pub surname: String,
    /// `M` or `F`.
    pub sex: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// Belfiore code of the place of birth.
    pub birth_place_code: String,
    /// Street address of the residence.
    pub address: String,
    /// Postcode.
    pub postcode: String,
    /// Municipality (or city abroad).
    pub municipality: String,
    /// Province sigla; empty or `EE` abroad.
    pub province: String,
    /// `Italia` or the foreign country.
    pub country: String,
}

impl RegistryRow {
    /// The values in the import's column order (`domain::registry::COLUMNS`).
    pub fn values(&self) -> [&str; 11] {
        [
            &self.codice_fiscale,
            &self.given_name,
            &self.surname,
            &self.sex,
            &self.birth_date,
            &self.birth_place_code,
            &self.address,
            &self.postcode,
            &self.municipality,
            &self.province,
            &self.country,
        ]
    }

    /// The row checked with the domain's rules.
    pub fn parse(&self) -> Result<Resident, RowError> {
        parse_row(&self.values())
    }

    /// The row of a resident.
    pub fn of(resident: &Resident) -> RegistryRow {
        let p = &resident.person;
        let r = &resident.residence;
        RegistryRow {
            codice_fiscale: resident.codice_fiscale.to_string(),
            given_name: p.given_name.clone(),
            surname: p.surname.clone(),
            sex: p.sex.as_str().to_owned(),
            birth_date: domain::iso_date::format(p.birth_date),
            birth_place_code: p.birth_place_code.clone(),
            address: r.address.clone(),
            postcode: r.postcode.clone(),
            municipality: r.municipality.clone(),
            province: if r.province == "EE" {
                String::new()
            } else {
                r.province.clone()
            },
            country: r.country.clone(),
        }
    }
}
