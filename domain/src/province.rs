//! Italian provinces (and metropolitan cities, free municipal consortia, …) by their two-letter
//! abbreviation ("sigla"), as used in addresses: the 107 current ones, the same set the
//! `places` table uses for current municipalities.
//!
//! `EE` ("Estero", abroad) is deliberately not a province here. The registry uses it as the
//! province of foreign birth places, and the `places` table keeps it for countries; but a
//! residence address with province `EE` is not an Italian address, and a form that wants one
//! from abroad must ask for a country instead. Abolished sigle (e.g. `CI`, `OG`, `OT`, `VS` in
//! Sardinia) are rejected for the same reason: an address is written with today's sigla.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;

/// The current provinces: sigla and name, sorted by sigla.
const PROVINCES: [(&str, &str); 107] = [
    ("AG", "Agrigento"),
    ("AL", "Alessandria"),
    ("AN", "Ancona"),
    ("AO", "Aosta"),
    ("AP", "Ascoli Piceno"),
    ("AQ", "L'Aquila"),
    ("AR", "Arezzo"),
    ("AT", "Asti"),
    ("AV", "Avellino"),
    ("BA", "Bari"),
    ("BG", "Bergamo"),
    ("BI", "Biella"),
    ("BL", "Belluno"),
    ("BN", "Benevento"),
    ("BO", "Bologna"),
    ("BR", "Brindisi"),
    ("BS", "Brescia"),
    ("BT", "Barletta-Andria-Trani"),
    ("BZ", "Bolzano"),
    ("CA", "Cagliari"),
    ("CB", "Campobasso"),
    ("CE", "Caserta"),
    ("CH", "Chieti"),
    ("CL", "Caltanissetta"),
    ("CN", "Cuneo"),
    ("CO", "Como"),
    ("CR", "Cremona"),
    ("CS", "Cosenza"),
    ("CT", "Catania"),
    ("CZ", "Catanzaro"),
    ("EN", "Enna"),
    ("FC", "Forlì-Cesena"),
    ("FE", "Ferrara"),
    ("FG", "Foggia"),
    ("FI", "Firenze"),
    ("FM", "Fermo"),
    ("FR", "Frosinone"),
    ("GE", "Genova"),
    ("GO", "Gorizia"),
    ("GR", "Grosseto"),
    ("IM", "Imperia"),
    ("IS", "Isernia"),
    ("KR", "Crotone"),
    ("LC", "Lecco"),
    ("LE", "Lecce"),
    ("LI", "Livorno"),
    ("LO", "Lodi"),
    ("LT", "Latina"),
    ("LU", "Lucca"),
    ("MB", "Monza e della Brianza"),
    ("MC", "Macerata"),
    ("ME", "Messina"),
    ("MI", "Milano"),
    ("MN", "Mantova"),
    ("MO", "Modena"),
    ("MS", "Massa-Carrara"),
    ("MT", "Matera"),
    ("NA", "Napoli"),
    ("NO", "Novara"),
    ("NU", "Nuoro"),
    ("OR", "Oristano"),
    ("PA", "Palermo"),
    ("PC", "Piacenza"),
    ("PD", "Padova"),
    ("PE", "Pescara"),
    ("PG", "Perugia"),
    ("PI", "Pisa"),
    ("PN", "Pordenone"),
    ("PO", "Prato"),
    ("PR", "Parma"),
    ("PT", "Pistoia"),
    ("PU", "Pesaro e Urbino"),
    ("PV", "Pavia"),
    ("PZ", "Potenza"),
    ("RA", "Ravenna"),
    ("RC", "Reggio Calabria"),
    ("RE", "Reggio Emilia"),
    ("RG", "Ragusa"),
    ("RI", "Rieti"),
    ("RM", "Roma"),
    ("RN", "Rimini"),
    ("RO", "Rovigo"),
    ("SA", "Salerno"),
    ("SI", "Siena"),
    ("SO", "Sondrio"),
    ("SP", "La Spezia"),
    ("SR", "Siracusa"),
    ("SS", "Sassari"),
    ("SU", "Sud Sardegna"),
    ("SV", "Savona"),
    ("TA", "Taranto"),
    ("TE", "Teramo"),
    ("TN", "Trento"),
    ("TO", "Torino"),
    ("TP", "Trapani"),
    ("TR", "Terni"),
    ("TS", "Trieste"),
    ("TV", "Treviso"),
    ("UD", "Udine"),
    ("VA", "Varese"),
    ("VB", "Verbano-Cusio-Ossola"),
    ("VC", "Vercelli"),
    ("VE", "Venezia"),
    ("VI", "Vicenza"),
    ("VR", "Verona"),
    ("VT", "Viterbo"),
    ("VV", "Vibo Valentia"),
];

/// Why a string is not a province abbreviation.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProvinceError {
    /// Not the sigla of a current Italian province.
    #[error("not the abbreviation of a current Italian province")]
    Invalid,
}

impl From<ProvinceError> for ErrorCode {
    fn from(_: ProvinceError) -> Self {
        ErrorCode::ProvinceInvalid
    }
}

/// A current Italian province, by its two-letter sigla (e.g. `RM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub struct Province(&'static str);

impl Province {
    /// Parses a sigla, ignoring case and surrounding spaces (and the brackets of "(RM)").
    pub fn parse(input: &str) -> Result<Self, ProvinceError> {
        let sigla = input
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim()
            .to_ascii_uppercase();
        PROVINCES
            .binary_search_by(|(s, _)| s.cmp(&sigla.as_str()))
            .map(|i| Province(PROVINCES[i].0))
            .map_err(|_| ProvinceError::Invalid)
    }

    /// Every current province, sorted by sigla: for a select list.
    pub fn all() -> impl ExactSizeIterator<Item = Province> {
        PROVINCES.iter().map(|(sigla, _)| Province(sigla))
    }

    /// The two-letter sigla, e.g. `RM`.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The Italian name of the province (or of the city it is named after), e.g. `Roma`.
    pub fn name(self) -> &'static str {
        PROVINCES
            .iter()
            .find(|(s, _)| *s == self.0)
            .map_or("", |(_, name)| name)
    }
}

impl TryFrom<String> for Province {
    type Error = ProvinceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Province::parse(&value)
    }
}

impl From<Province> for &'static str {
    fn from(p: Province) -> Self {
        p.0
    }
}

impl std::fmt::Display for Province {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_two_upper_case_letters() {
        // `parse` relies on binary search.
        assert!(PROVINCES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            PROVINCES
                .iter()
                .all(|(s, n)| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) && !n.is_empty())
        );
    }

    #[test]
    fn known_sigle_parse_in_any_case() {
        assert_eq!(Province::parse("rm").unwrap().as_str(), "RM");
        assert_eq!(Province::parse(" (Mi) ").unwrap().name(), "Milano");
        assert_eq!(Province::parse("SU").unwrap().name(), "Sud Sardegna");
        assert_eq!(Province::parse("AG").unwrap().name(), "Agrigento");
        assert_eq!(Province::parse("VV").unwrap().name(), "Vibo Valentia");
    }

    #[test]
    fn abroad_abolished_and_made_up_sigle_are_rejected() {
        for bad in ["EE", "CI", "OG", "OT", "VS", "XX", "R", "ROM", "", "R1"] {
            assert_eq!(Province::parse(bad), Err(ProvinceError::Invalid), "{bad:?}");
        }
    }

    #[test]
    fn there_are_107_provinces() {
        assert_eq!(Province::all().len(), 107);
    }

    #[test]
    fn province_serialises_as_its_sigla() {
        let p: Province = serde_json::from_str("\"to\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"TO\"");
        assert!(serde_json::from_str::<Province>("\"EE\"").is_err());
    }
}
