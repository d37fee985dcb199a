//! Belfiore codes (the place-of-birth code inside a codice fiscale) of Italian municipalities,
//! current and historic, and of foreign countries. Only compiled with the `places` feature: the
//! table is about 600 KB, so the server embeds it and the SPA asks the server.
//!
//! The data come from `data/places.tsv` (see `data/README.md` for source and licence), embedded
//! in the binary and parsed once, on first use. Each row is a span of time in which a code had
//! one name and one province: a code can be reused (Abano became Abano Terme, both `A001`) and
//! a municipality can move province (Bolzano was in Trento's until 1927), so lookups by code
//! return every span, and [`by_code_on`] picks the one of a birth date.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Serialize;

use crate::text::search_key;

const DATA: &str = include_str!("../data/places.tsv");

/// What kind of place a Belfiore code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PlaceKind {
    /// An Italian municipality (comune).
    Municipality,
    /// A foreign country (province `EE`, code starting with `Z`).
    Country,
}

/// A place of birth as the registry knew it during a span of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The Belfiore code, e.g. `H501`.
    pub code: &'static str,
    /// The Italian name, e.g. `Roma`, `Germania`.
    pub name: &'static str,
    /// The province's sigla during the span, `EE` for foreign countries.
    pub province: &'static str,
    /// Municipality or country.
    pub kind: PlaceKind,
    /// First day of the span (1900-01-01 for countries stands for "always").
    pub valid_from: NaiveDate,
    /// Last day of the span; `None` while it still holds.
    pub valid_to: Option<NaiveDate>,
    /// Other official names: the second-language name of bilingual municipalities (`Bozen`),
    /// alternative and English names of countries (`Germany`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<&'static str>,
}

impl Place {
    /// Whether the span still holds (the municipality or country exists under this name).
    pub fn is_current(&self) -> bool {
        self.valid_to.is_none()
    }

    /// Whether the place had this code and name on `date`.
    pub fn was_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }
}

struct Table {
    /// Sorted by code, then start date (as in the file).
    places: Vec<Place>,
    /// Search keys of each place, same order: the name's first, then the other names'.
    keys: Vec<Vec<String>>,
}

fn date(field: &str, line: &str) -> NaiveDate {
    NaiveDate::parse_from_str(field, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad date {field:?} in places.tsv: {line}"))
}

fn parse_line(line: &'static str) -> Place {
    let fields: Vec<&'static str> = line.split('\t').collect();
    let [code, name, province, kind, from, to, others] = fields[..] else {
        panic!("places.tsv line without 7 fields: {line}");
    };
    Place {
        code,
        name,
        province,
        kind: if kind == "C" {
            PlaceKind::Country
        } else {
            PlaceKind::Municipality
        },
        valid_from: date(from, line),
        valid_to: (!to.is_empty()).then(|| date(to, line)),
        other_names: others.split(';').filter(|s| !s.is_empty()).collect(),
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        // The file is generated and tested: a malformed line is a build defect, hence panics.
        let places: Vec<Place> = DATA.lines().filter(|l| !l.is_empty()).map(parse_line).collect();
        let keys = places
            .iter()
            .map(|p| {
                std::iter::once(p.name)
                    .chain(p.other_names.iter().copied())
                    .map(search_key)
                    .collect()
            })
            .collect();
        Table { places, keys }
    })
}

/// Every place, sorted by code then start date.
pub fn all() -> &'static [Place] {
    &table().places
}

/// Every span of `code` (case-insensitive), oldest first; empty if the code is unknown.
pub fn by_code(code: &str) -> Vec<&'static Place> {
    let code = code.trim().to_ascii_uppercase();
    let places = all();
    let start = places.partition_point(|p| p.code < code.as_str());
    places[start..].iter().take_while(|p| p.code == code).collect()
}

/// The place that had `code` on `date`, e.g. a person's birth place on their birth date. The
/// source data has gaps (codes assigned after the first births were registered, missing
/// spans), so when no span covers `date` the next span to start after it is returned; `None`
/// if the code is unknown or was retired before `date`.
pub fn by_code_on(code: &str, date: NaiveDate) -> Option<&'static Place> {
    let spans = by_code(code);
    spans
        .iter()
        .find(|p| p.was_valid_on(date))
        .or_else(|| spans.iter().find(|p| p.valid_from > date))
        .copied()
}

/// Places whose name (or other name) starts with `name_prefix`, ignoring case, accents and
/// punctuation, best first: exact names, then names starting with the prefix, then names
/// with a later word starting with it ("agata" finds Sant'Agata); current places before
/// historic ones; then alphabetically. A place that had the same code, name and province in
/// several spans is listed once (its latest span). At most `limit` results.
pub fn search(name_prefix: &str, limit: usize) -> Vec<&'static Place> {
    let prefix = search_key(name_prefix);
    if prefix.is_empty() || limit == 0 {
        return Vec::new();
    }
    let word_prefix = format!(" {prefix}");
    let table = table();
    let mut hits: Vec<(u8, &'static Place)> = table
        .places
        .iter()
        .zip(&table.keys)
        .filter_map(|(place, keys)| {
            let rank = keys
                .iter()
                .filter_map(|k| {
                    if *k == prefix {
                        Some(0)
                    } else if k.starts_with(&prefix) {
                        Some(1)
                    } else if k.contains(&word_prefix) {
                        Some(2)
                    } else {
                        None
                    }
                })
                .min()?;
            Some((rank, place))
        })
        .collect();
    hits.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then(b.is_current().cmp(&a.is_current()))
            .then(a.name.cmp(b.name))
            .then(a.province.cmp(b.province))
            .then(b.valid_from.cmp(&a.valid_from))
    });
    let mut seen = std::collections::HashSet::new();
    hits.into_iter()
        .map(|(_, place)| place)
        .filter(|p| seen.insert((p.code, p.name, p.province)))
        .take(limit)
        .collect()
}

/// The current municipality called `name` (or by its other official name) in `province`
/// (sigla), ignoring case, accents and punctuation. The province is needed because names
/// repeat: there is a Castro in Bergamo's province and one in Lecce's.
pub fn municipality(name: &str, province: &str) -> Option<&'static Place> {
    let key = search_key(name);
    let province = province.trim();
    let table = table();
    table.places.iter().zip(&table.keys).find_map(|(place, keys)| {
        (place.kind == PlaceKind::Municipality
            && place.is_current()
            && place.province.eq_ignore_ascii_case(province)
            && keys.contains(&key))
        .then_some(place)
    })
}

/// The current foreign country called `name` (Italian, alternative or English name), ignoring
/// case, accents and punctuation.
pub fn country(name: &str) -> Option<&'static Place> {
    let key = search_key(name);
    let table = table();
    table.places.iter().zip(&table.keys).find_map(|(place, keys)| {
        (place.kind == PlaceKind::Country && place.is_current() && keys.contains(&key)).then_some(place)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::province::Province;
    use std::collections::BTreeSet;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn codes(places: &[&Place]) -> Vec<&'static str> {
        places.iter().map(|p| p.code).collect()
    }

    #[test]
    fn roma_is_h501() {
        assert_eq!(municipality("Roma", "RM").unwrap().code, "H501");
        assert_eq!(search("roma", 1)[0].code, "H501");
    }

    #[test]
    fn milano_is_f205() {
        assert_eq!(municipality("milano", "mi").unwrap().code, "F205");
        assert_eq!(by_code("f205")[0].name, "Milano");
    }

    #[test]
    fn germania_is_z112() {
        let germany = country("Germania").unwrap();
        assert_eq!(
            (germany.code, germany.province, germany.kind),
            ("Z112", "EE", PlaceKind::Country)
        );
        assert_eq!(country("germany").unwrap().code, "Z112");
    }

    #[test]
    fn table_has_current_and_historic_places_of_both_kinds() {
        let places = all();
        assert!(places.len() > 15_000, "{}", places.len());
        let current_municipalities = places
            .iter()
            .filter(|p| p.kind == PlaceKind::Municipality && p.is_current())
            .count();
        // About 7,900 comuni exist today.
        assert!(
            (7_800..8_000).contains(&current_municipalities),
            "{current_municipalities}"
        );
        assert!(places.iter().any(|p| p.kind == PlaceKind::Country && !p.is_current()));
    }

    #[test]
    fn every_row_is_well_formed() {
        for p in all() {
            let code = p.code.as_bytes();
            assert!(
                code.len() == 4 && code[0].is_ascii_uppercase() && code[1..].iter().all(u8::is_ascii_digit),
                "{p:?}"
            );
            assert!(p.valid_to.is_none_or(|to| p.valid_from <= to), "{p:?}");
            assert!(!p.name.is_empty() && p.province.len() == 2, "{p:?}");
            if p.kind == PlaceKind::Country {
                assert!(p.code.starts_with('Z') && p.province == "EE", "{p:?}");
            }
        }
        assert!(
            all()
                .windows(2)
                .all(|w| (w[0].code, w[0].valid_from) <= (w[1].code, w[1].valid_from))
        );
    }

    #[test]
    fn current_provinces_match_the_province_list() {
        let in_table: BTreeSet<&str> = all()
            .iter()
            .filter(|p| p.kind == PlaceKind::Municipality && p.is_current())
            .map(|p| p.province)
            .collect();
        let listed: BTreeSet<&str> = Province::all().map(Province::as_str).collect();
        assert_eq!(in_table, listed);
    }

    #[test]
    fn reused_code_returns_every_span_and_the_date_picks_one() {
        let spans = by_code("A001");
        let names: Vec<_> = spans.iter().map(|p| p.name).collect();
        assert_eq!(names, ["Abano", "Abano Terme"]);
        assert_eq!(by_code_on("A001", date(1900, 1, 1)).unwrap().name, "Abano");
        assert_eq!(by_code_on("A001", date(1985, 12, 10)).unwrap().name, "Abano Terme");
    }

    #[test]
    fn municipality_that_changed_province_is_found_in_the_province_of_the_date() {
        assert_eq!(by_code_on("A952", date(1925, 1, 1)).unwrap().province, "TN");
        assert_eq!(by_code_on("A952", date(1971, 6, 30)).unwrap().province, "BZ");
    }

    #[test]
    fn dissolved_country_is_historic_but_still_found_by_code() {
        let czechoslovakia = by_code_on("Z105", date(1960, 1, 1)).unwrap();
        assert_eq!(czechoslovakia.name, "Cecoslovacchia");
        assert!(!czechoslovakia.is_current());
        assert_eq!(country("Cecoslovacchia"), None);
        assert_eq!(by_code_on("Z105", date(2000, 1, 1)), None);
    }

    #[test]
    fn unknown_code_gives_nothing() {
        assert!(by_code("Z999").is_empty());
        assert!(by_code("").is_empty());
        assert_eq!(by_code_on("Q000", date(2000, 1, 1)), None);
    }

    #[test]
    fn search_ignores_case_accents_and_apostrophes() {
        assert_eq!(codes(&search("FORLI", 1)), ["D704"]);
        assert_eq!(search("forlì", 1)[0].name, "Forlì");
        assert_eq!(search("sant agata de goti", 1)[0].name, "Sant'Agata De' Goti");
        assert_eq!(search("reggio nell'emilia", 1)[0].code, "H223");
    }

    #[test]
    fn search_puts_the_exact_name_first() {
        // Many names start with "Roma" (Romano, Romagnano…): Roma itself comes first.
        let results = search("Roma", 10);
        assert_eq!(results[0].name, "Roma");
        assert_eq!(results.len(), 10);
        assert!(results[1..].iter().all(|p| p.name != "Roma"));
    }

    #[test]
    fn search_lists_current_places_before_historic_ones() {
        // Abbadia Alpina (abolished) sorts first alphabetically, yet comes after the current
        // Abbadia Cerreto, Abbadia Lariana and Abbadia San Salvatore.
        let results = search("abbadia", 10);
        let first_historic = results.iter().position(|p| !p.is_current()).unwrap();
        assert!(first_historic >= 3, "{results:?}");
        assert!(results[first_historic..].iter().all(|p| !p.is_current()));
    }

    #[test]
    fn search_finds_later_words_and_other_names() {
        assert!(search("agata", 50).iter().any(|p| p.name == "Sant'Agata Bolognese"));
        assert_eq!(search("Bozen", 1)[0].name, "Bolzano");
        assert_eq!(search("Germany", 1)[0].code, "Z112");
    }

    #[test]
    fn search_lists_a_place_once_and_respects_the_limit() {
        let bolzano: Vec<_> = search("bolzano", 20).into_iter().filter(|p| p.code == "A952").collect();
        // Two provinces (TN, then BZ), so two entries; not one per administrative change.
        assert_eq!(bolzano.len(), 2);
        assert!(search("a", 5).len() == 5);
        assert!(search("", 5).is_empty());
        assert!(search("'-", 5).is_empty());
        assert!(search("roma", 0).is_empty());
    }

    #[test]
    fn homonymous_municipalities_are_told_apart_by_province() {
        let bergamo = municipality("Castro", "BG").unwrap();
        let lecce = municipality("Castro", "LE").unwrap();
        assert_ne!(bergamo.code, lecce.code);
        assert_eq!(municipality("Castro", "RM"), None);
    }

    #[test]
    fn municipality_ignores_historic_places() {
        // Abano is the old name of Abano Terme.
        assert_eq!(municipality("Abano", "PD"), None);
        assert_eq!(municipality("Abano Terme", "PD").unwrap().code, "A001");
    }

    #[test]
    fn places_serialise_for_the_api() {
        let json = serde_json::to_value(by_code("Z112")[0]).unwrap();
        assert_eq!(json["code"], "Z112");
        assert_eq!(json["kind"], "country");
        assert_eq!(json["valid_to"], serde_json::Value::Null);
        assert_eq!(json["other_names"][0], "Germany");
    }
}
