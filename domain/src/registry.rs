//! The population registry's view of a person (ANPR's, or the service's own copy of it): who is
//! registered under a codice fiscale and where they live. A PIN request is issued only when what
//! the citizen typed is that person, and the letter with the PIN's second half goes to that
//! residence, never to an address typed in the form (issue 13: a stranger who knew someone's
//! name, sex, date and place of birth could otherwise have that person's PIN posted to himself).
//!
//! Here: the record, the comparison of typed and registered data (which forgives the ways one
//! name is written differently, but never says which field differs), the masked address the
//! confirmation page shows, and the checks of one row of a registry import.

use serde::{Deserialize, Serialize};

use crate::CodiceFiscale;
use crate::codice_fiscale::PersonalData;
use crate::pin_request::Residence;
use crate::text::letters_upper;

/// One registered person: the personal data their codice fiscale was issued from, and their
/// residence as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resident {
    /// The codice fiscale the person is registered under (omocode letters kept).
    pub codice_fiscale: CodiceFiscale,
    /// Given names, surnames, sex, date and place (Belfiore code) of birth, as registered.
    pub person: PersonalData,
    /// The registered residence: where letters to the person go.
    pub residence: Residence,
}

/// A name as compared with the registry's: its Latin letters only, accents folded, upper case.
/// "D'Alò", "DALO'" and "d alo" are one name; so are "Maria Teresa", "Maria-Teresa" and
/// "MariaTeresa" (double names and double surnames are written with and without spaces or
/// hyphens on Italian documents); "Maria" alone is not "Maria Teresa".
pub fn name_key(name: &str) -> String {
    letters_upper(name)
}

/// Whether the personal data a citizen typed are those of the registered person. One answer for
/// any difference: the caller must not tell the citizen which field differs, or the check would
/// become an oracle of other people's registered data.
pub fn is_registered_person(typed: &PersonalData, registered: &PersonalData) -> bool {
    name_key(&typed.given_name) == name_key(&registered.given_name)
        && name_key(&typed.surname) == name_key(&registered.surname)
        && typed.sex == registered.sex
        && typed.birth_date == registered.birth_date
        && typed
            .birth_place_code
            .trim()
            .eq_ignore_ascii_case(registered.birth_place_code.trim())
}

/// The residence as the confirmation page shows it: enough for the citizen to recognise their
/// own address, too little for anyone else to learn it — the street's kind in full ("Via",
/// "Piazza"), the first letter of its name, then the postcode and municipality, which a stranger
/// who knows where someone was born rarely needs from us. "Via dei Fori Imperiali 1", 00186 Roma
/// gives "Via d***, 00186 Roma"; abroad the country follows.
pub fn mask_residence(residence: &Residence) -> String {
    let mut words = residence.address.split_whitespace();
    let street = match (words.next(), words.next()) {
        (Some(kind), Some(name)) => format!("{kind} {}***", first_char(name)),
        (Some(only), None) => format!("{}***", first_char(only)),
        _ => "***".to_owned(),
    };
    let place = [residence.postcode.trim(), residence.municipality.trim()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let abroad = !residence.country.trim().is_empty() && residence.country.trim() != crate::pin_request::ITALY;
    match (place.is_empty(), abroad) {
        (true, false) => street,
        (true, true) => format!("{street}, {}", residence.country.trim()),
        (false, false) => format!("{street}, {place}"),
        (false, true) => format!("{street}, {place}, {}", residence.country.trim()),
    }
}

fn first_char(word: &str) -> String {
    word.chars().take(1).collect()
}

#[cfg(feature = "places")]
pub use import::{COLUMNS, RowError, parse_row};

#[cfg(feature = "places")]
mod import {
    use thiserror::Error;

    use super::Resident;
    use crate::codice_fiscale::{CfError, PersonalData, Sex};
    use crate::pin_request::{ITALY, Residence, check_name_up_to};
    use crate::{CodiceFiscale, Postcode, Province, places};

    /// The columns of a registry import, in order: the header row must be exactly these.
    pub const COLUMNS: [&str; 11] = [
        "codice_fiscale",
        "given_name",
        "surname",
        "sex",
        "birth_date",
        "birth_place_code",
        "address",
        "postcode",
        "municipality",
        "province",
        "country",
    ];

    /// Why one row of a registry import cannot be a [`Resident`]. Each names the column.
    #[derive(Debug, Clone, PartialEq, Eq, Error)]
    pub enum RowError {
        /// Not eleven values.
        #[error("expected 11 values, found {0}")]
        Columns(usize),
        /// The codice fiscale is not valid.
        #[error("codice_fiscale: {0}")]
        CodiceFiscale(#[from] CfError),
        /// A name with characters no name has, empty, or too long.
        #[error("{0}: not a name (letters, spaces, apostrophes, hyphens, dots; 1-60 characters)")]
        Name(&'static str),
        /// Neither `M` nor `F`.
        #[error("sex: expected M or F")]
        Sex,
        /// Not an existing `YYYY-MM-DD` date.
        #[error("birth_date: expected an existing date as YYYY-MM-DD")]
        BirthDate,
        /// Not a Belfiore code of any place, past or present.
        #[error("birth_place_code: {0:?} is not a Belfiore code")]
        BirthPlace(String),
        /// The codice fiscale was not computed from these data (the columns named disagree).
        #[error("codice_fiscale does not agree with {0}")]
        Inconsistent(String),
        /// The address is empty, too long or holds control characters.
        #[error("address: required, at most 120 characters")]
        Address,
        /// Not a five-digit CAP (for a residence in Italy).
        #[error("postcode: expected five digits")]
        Postcode,
        /// Not a province's sigla (for a residence in Italy).
        #[error("province: not an Italian province's abbreviation")]
        Province,
        /// No current municipality of that name in that province.
        #[error("municipality: no current municipality {0:?} in province {1}")]
        Municipality(String, String),
        /// Not `Italia` nor a current foreign country.
        #[error("country: {0:?} is neither Italia nor a current foreign country")]
        Country(String),
    }

    /// One import row, `values` in [`COLUMNS`] order, checked with the rules the PIN request
    /// uses: a valid codice fiscale computed from the row's own data, a known birth place, and a
    /// residence that exists (a CAP, a province and one of its municipalities in Italy; a current
    /// country abroad, whose province is `EE`).
    pub fn parse_row(values: &[&str]) -> Result<Resident, RowError> {
        let [
            cf,
            given_name,
            surname,
            sex,
            birth_date,
            birth_place_code,
            address,
            postcode,
            municipality,
            province,
            country,
        ] = values
        else {
            return Err(RowError::Columns(values.len()));
        };
        let codice_fiscale = CodiceFiscale::parse(cf)?;
        let given_name = check_name_up_to(given_name, 60).map_err(|_| RowError::Name("given_name"))?;
        let surname = check_name_up_to(surname, 60).map_err(|_| RowError::Name("surname"))?;
        let sex = match sex.trim() {
            "M" | "m" => Sex::Male,
            "F" | "f" => Sex::Female,
            _ => return Err(RowError::Sex),
        };
        let birth_date = crate::iso_date::parse(birth_date.trim()).ok_or(RowError::BirthDate)?;
        let code = birth_place_code.trim().to_ascii_uppercase();
        if places::by_code(&code).is_empty() {
            return Err(RowError::BirthPlace(code));
        }
        let person = PersonalData {
            given_name,
            surname,
            sex,
            birth_date,
            birth_place_code: code,
        };
        let disagree: Vec<String> = codice_fiscale
            .check_against(&person)
            .iter()
            .map(|e| e.field.clone())
            .collect();
        if !disagree.is_empty() {
            return Err(RowError::Inconsistent(disagree.join(", ")));
        }
        let address = address.trim();
        if address.is_empty() || address.chars().count() > 120 || address.chars().any(char::is_control) {
            return Err(RowError::Address);
        }
        let country = country.trim();
        let in_italy = country.eq_ignore_ascii_case(ITALY) || country.eq_ignore_ascii_case("Italy");
        let residence = if in_italy {
            let postcode = Postcode::parse(postcode).map_err(|_| RowError::Postcode)?;
            let province = Province::parse(province).map_err(|_| RowError::Province)?;
            let place = places::municipality(municipality, province.as_str())
                .ok_or_else(|| RowError::Municipality(municipality.trim().to_owned(), province.as_str().to_owned()))?;
            Residence {
                address: address.to_owned(),
                postcode: postcode.as_str().to_owned(),
                municipality: place.name.to_owned(),
                province: province.as_str().to_owned(),
                country: ITALY.to_owned(),
            }
        } else {
            let found = places::country(country).ok_or_else(|| RowError::Country(country.to_owned()))?;
            let postcode = postcode.trim();
            if postcode.chars().count() > 12 {
                return Err(RowError::Postcode);
            }
            let municipality = municipality.trim();
            if municipality.is_empty() || municipality.chars().count() > 80 {
                return Err(RowError::Municipality(municipality.to_owned(), "EE".to_owned()));
            }
            Residence {
                address: address.to_owned(),
                postcode: postcode.to_owned(),
                municipality: municipality.to_owned(),
                province: "EE".to_owned(),
                country: found.name.to_owned(),
            }
        };
        Ok(Resident {
            codice_fiscale,
            person,
            residence,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::Sex;

    fn anna() -> PersonalData {
        PersonalData {
            given_name: "Anna Maria".into(),
            surname: "D'Alò".into(),
            sex: Sex::Female,
            birth_date: NaiveDate::from_ymd_opt(1985, 12, 3).unwrap(),
            birth_place_code: "H501".into(),
        }
    }

    fn rome() -> Residence {
        Residence {
            address: "Via dei Fori Imperiali 1".into(),
            postcode: "00186".into(),
            municipality: "Roma".into(),
            province: "RM".into(),
            country: "Italia".into(),
        }
    }

    #[test]
    fn case_accents_apostrophes_spaces_and_hyphens_do_not_make_another_person() {
        for (given_name, surname) in [
            ("ANNA MARIA", "DALO"),
            ("anna-maria", "d'alo'"),
            ("Annamaria", "D’ALÒ"),
            ("  Anna   Maria ", "D. Alò"),
        ] {
            let typed = PersonalData {
                given_name: given_name.into(),
                surname: surname.into(),
                ..anna()
            };
            assert!(is_registered_person(&typed, &anna()), "{given_name} {surname}");
        }
    }

    #[test]
    fn a_different_name_sex_date_or_place_is_not_the_registered_person() {
        let registered = anna();
        let others = [
            PersonalData {
                given_name: "Anna".into(),
                ..anna()
            },
            PersonalData {
                surname: "D'Alessio".into(),
                ..anna()
            },
            PersonalData {
                sex: Sex::Male,
                ..anna()
            },
            PersonalData {
                birth_date: NaiveDate::from_ymd_opt(1985, 12, 4).unwrap(),
                ..anna()
            },
            PersonalData {
                birth_place_code: "F205".into(),
                ..anna()
            },
        ];
        for typed in others {
            assert!(!is_registered_person(&typed, &registered), "{typed:?}");
        }
    }

    #[test]
    fn the_masked_residence_keeps_the_street_kind_and_one_letter() {
        assert_eq!(mask_residence(&rome()), "Via d***, 00186 Roma");
        let piazza = Residence {
            address: "Piazza Garibaldi 3".into(),
            ..rome()
        };
        assert_eq!(mask_residence(&piazza), "Piazza G***, 00186 Roma");
        let one_word = Residence {
            address: "Lungotevere".into(),
            ..rome()
        };
        assert_eq!(mask_residence(&one_word), "L***, 00186 Roma");
        let berlin = Residence {
            address: "Unter den Linden 5".into(),
            postcode: "10117".into(),
            municipality: "Berlin".into(),
            province: "EE".into(),
            country: "Germania".into(),
        };
        assert_eq!(mask_residence(&berlin), "Unter d***, 10117 Berlin, Germania");
    }

    #[test]
    fn the_masked_residence_never_shows_the_house_number_nor_the_street_name() {
        let masked = mask_residence(&rome());
        assert!(!masked.contains(" 1"), "{masked}");
        assert!(!masked.contains("Fori"));
        assert!(!masked.contains("Imperiali"));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn respelled(name: &str, upper: bool, joiner: &str) -> String {
            let words: Vec<String> = name
                .split(' ')
                .map(|w| if upper { w.to_uppercase() } else { w.to_lowercase() })
                .collect();
            words.join(joiner)
        }

        proptest! {
            #[test]
            fn any_respelling_of_the_registered_names_is_the_same_person(
                given in "[A-Z][a-zàèéìòù]{1,8}( [A-Z][a-zàèéìòù]{1,8})?",
                surname in "[A-Z][a-zàèéìòù]{1,8}( [A-Z][a-z]{1,8})?",
                upper in any::<bool>(),
                joiner in prop::sample::select(vec![" ", "-", "", "  ", "'"]),
            ) {
                let registered = PersonalData { given_name: given.clone(), surname: surname.clone(), ..anna() };
                let typed = PersonalData {
                    given_name: respelled(&given, upper, joiner),
                    surname: respelled(&surname, !upper, joiner),
                    ..anna()
                };
                prop_assert!(is_registered_person(&typed, &registered));
            }

            #[test]
            fn an_added_or_dropped_letter_is_another_person(
                given in "[A-Z][a-z]{2,8}",
                extra in "[a-z]",
            ) {
                let registered = PersonalData { given_name: given.clone(), ..anna() };
                let typed = PersonalData { given_name: format!("{given}{extra}"), ..anna() };
                prop_assert!(!is_registered_person(&typed, &registered));
                let dropped = PersonalData { given_name: given[..given.len() - 1].to_owned(), ..anna() };
                prop_assert!(!is_registered_person(&dropped, &registered));
            }

            #[test]
            fn the_masked_address_never_holds_the_street_name_after_its_first_letter(
                kind in prop::sample::select(vec!["Via", "Piazza", "Corso", "Viale"]),
                name in "[A-Z][a-z]{3,10}",
                number in 1u32..999,
            ) {
                let residence = Residence { address: format!("{kind} {name} {number}"), ..rome() };
                let masked = mask_residence(&residence);
                prop_assert!(masked.starts_with(&format!("{kind} {}***", &name[..1])), "{}", masked);
                let street = masked.split(',').next().unwrap_or_default();
                prop_assert!(!street.contains(&name[1..]), "{}", masked);
                prop_assert!(!masked.contains(&format!(" {number},")), "{}", masked);
            }
        }
    }

    #[cfg(feature = "places")]
    mod rows {
        use super::*;

        fn row<'a>(cf: &'a str, overrides: &[(usize, &'a str)]) -> Vec<&'a str> {
            let mut values = vec![
                cf,
                "Anna Maria",
                "D'Alò",
                "F",
                "1985-12-03",
                "H501",
                "Via dei Fori Imperiali 1",
                "00186",
                "Roma",
                "RM",
                "Italia",
            ];
            for (i, v) in overrides {
                values[*i] = v;
            }
            values
        }

        fn anna_cf() -> String {
            CodiceFiscale::generate(&anna()).as_str().to_owned()
        }

        #[test]
        fn a_consistent_row_is_a_resident_with_the_official_municipality_name() {
            let cf = anna_cf();
            let resident = parse_row(&row(&cf, &[(8, "ROMA")])).unwrap();
            assert_eq!(resident.person, anna());
            assert_eq!(resident.residence, rome());
        }

        #[test]
        fn each_bad_column_is_named() {
            let cf = anna_cf();
            let cases: Vec<(Vec<&str>, &str)> = vec![
                (row("RSSMRA85T10A562X", &[]), "codice_fiscale"),
                (row(&cf, &[(1, "Anna2")]), "given_name"),
                (row(&cf, &[(3, "X")]), "sex"),
                (row(&cf, &[(4, "1985-02-30")]), "birth_date"),
                (row(&cf, &[(5, "Q999")]), "birth_place_code"),
                (row(&cf, &[(2, "Bianchi")]), "surname"),
                (row(&cf, &[(6, " ")]), "address"),
                (row(&cf, &[(7, "0018")]), "postcode"),
                (row(&cf, &[(9, "XX")]), "province"),
                (row(&cf, &[(8, "Milano")]), "municipality"),
                (row(&cf, &[(10, "Atlantide")]), "country"),
                (row(&cf, &[])[..10].to_vec(), "expected 11 values"),
            ];
            for (values, column) in cases {
                let err = parse_row(&values).unwrap_err();
                assert!(err.to_string().contains(column), "{column}: {err}");
            }
        }

        #[test]
        fn a_resident_abroad_has_the_official_country_and_province_ee() {
            let cf = anna_cf();
            let resident = parse_row(&row(
                &cf,
                &[
                    (6, "Unter den Linden 5"),
                    (7, "10117"),
                    (8, "Berlin"),
                    (9, ""),
                    (10, "germania"),
                ],
            ))
            .unwrap();
            assert_eq!(resident.residence.country, "Germania");
            assert_eq!(resident.residence.province, "EE");
        }
    }
}
