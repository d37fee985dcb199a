//! The PIN request ("Richiesta PIN"): the form's steps and fields, their validation (run by the
//! SPA on each page and again by the API, which trusts nothing the browser says), the request's
//! states, and the 12-hour rule after which the Contact Center may validate a request.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::codice_fiscale::{PersonalData, Sex};
use crate::{CodiceFiscale, Email, ErrorCode, FieldErrors, MobilePhone, Pec, Postcode, Province};

/// How long the first half may take to arrive before the Contact Center can validate the request.
pub const DELIVERY_GRACE: Duration = Duration::hours(12);

/// The pages of the request, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Codice fiscale and country of residence.
    Identity,
    /// Name, surname, sex, date and place of birth.
    Personal,
    /// Address, postcode, municipality, province.
    Residence,
    /// Mobile, e-mail, PEC.
    Contacts,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 4] = [Step::Identity, Step::Personal, Step::Residence, Step::Contacts];

    /// The fields asked on this step, in page order (their names are the inputs' ids).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Step::Identity => &["codice_fiscale", "residence_country"],
            Step::Personal => &[
                "given_name",
                "surname",
                "sex",
                "birth_date",
                "birth_place",
                "birth_province",
            ],
            Step::Residence => &["address", "postcode", "municipality", "province"],
            Step::Contacts => &["mobile", "email", "pec"],
        }
    }

    /// The step that asks `field`.
    pub fn of_field(field: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.fields().contains(&field))
    }

    /// The URL slug of the step's page.
    pub fn slug(self) -> &'static str {
        match self {
            Step::Identity => "identita",
            Step::Personal => "dati-anagrafici",
            Step::Residence => "residenza",
            Step::Contacts => "contatti",
        }
    }

    /// The step with that slug.
    pub fn from_slug(slug: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// The residence country meaning Italy.
pub const ITALY: &str = "Italia";

/// What the citizen typed, field by field, exactly as typed (so that nothing is lost and the
/// pages can show it back). Validation turns it into a [`ValidPinRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(examples(PinRequestForm::example))
)]
pub struct PinRequestForm {
    /// Codice fiscale.
    pub codice_fiscale: String,
    /// Country of residence: `Italia` or a foreign country's Italian name.
    pub residence_country: String,
    /// Given name(s).
    pub given_name: String,
    /// Surname(s).
    pub surname: String,
    /// `M` or `F`.
    pub sex: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: String,
    /// Municipality or foreign country of birth.
    pub birth_place: String,
    /// Province of birth (sigla), `EE` when born abroad.
    pub birth_province: String,
    /// Street address.
    pub address: String,
    /// Postcode (CAP in Italy).
    pub postcode: String,
    /// Municipality (or city abroad).
    pub municipality: String,
    /// Province (sigla) in Italy; empty abroad.
    pub province: String,
    /// Mobile phone with +39.
    pub mobile: String,
    /// E-mail address.
    pub email: String,
    /// PEC address.
    pub pec: String,
}

/// Where the citizen lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Residence {
    /// Street address.
    pub address: String,
    /// Postcode (a CAP in Italy, free text abroad).
    pub postcode: String,
    /// Municipality or city.
    pub municipality: String,
    /// Province sigla in Italy, `EE` abroad.
    pub province: String,
    /// `Italia` or the foreign country.
    pub country: String,
}

/// A PIN request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidPinRequest {
    /// Codice fiscale.
    pub codice_fiscale: CodiceFiscale,
    /// Personal data, consistent with the codice fiscale.
    pub person: PersonalData,
    /// Name of the place of birth as resolved (e.g. `Roma`).
    pub birth_place_name: String,
    /// Residence.
    pub residence: Residence,
    /// Mobile with +39.
    pub mobile: MobilePhone,
    /// E-mail.
    pub email: Email,
    /// PEC.
    pub pec: Pec,
}

/// Knows Italian municipalities and foreign countries. The server has the whole table; the
/// browser passes `None` and leaves those checks to the server.
pub trait PlaceDirectory {
    /// The Belfiore code and official name of the place of birth, as of the birth date.
    fn birth_place(&self, name: &str, province: &str, birth_date: NaiveDate) -> Option<(String, String)>;
    /// Whether `name` is a current municipality of `province`.
    fn is_municipality(&self, name: &str, province: &str) -> bool;
    /// The official name of the current foreign country `name`, if it is one.
    fn country(&self, name: &str) -> Option<String>;
}

fn is_italy(country: &str) -> bool {
    country.trim().eq_ignore_ascii_case(ITALY) || country.trim().eq_ignore_ascii_case("Italy")
}

/// A name or surname: 1–60 characters, at least one letter; letters, spaces, apostrophes, hyphens
/// and dots only.
fn check_name(value: &str) -> Result<String, ErrorCode> {
    check_name_up_to(value, 60)
}

/// A person's name of at most `max` characters, at least one letter; letters, spaces,
/// apostrophes, hyphens and dots only. Shared by the PIN request and the application.
pub(crate) fn check_name_up_to(value: &str, max: usize) -> Result<String, ErrorCode> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ErrorCode::Required);
    }
    let ok = v.chars().count() <= max
        && v.chars().any(char::is_alphabetic)
        && v.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '’' | '-' | '.'));
    if ok {
        Ok(v.to_owned())
    } else {
        Err(ErrorCode::NameInvalid)
    }
}

fn check_text(value: &str, max: usize) -> Result<String, ErrorCode> {
    let v = value.trim();
    if v.is_empty() {
        Err(ErrorCode::Required)
    } else if v.chars().count() > max || v.chars().any(char::is_control) {
        Err(ErrorCode::TextTooLong)
    } else {
        Ok(v.to_owned())
    }
}

fn required<T, E: Into<ErrorCode>>(value: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<T, ErrorCode> {
    if value.trim().is_empty() {
        Err(ErrorCode::Required)
    } else {
        parse(value).map_err(Into::into)
    }
}

/// Parses a `YYYY-MM-DD` date of birth: it must exist, not be in the future, nor before 1900.
pub fn parse_birth_date(value: &str, today: NaiveDate) -> Result<NaiveDate, ErrorCode> {
    if value.trim().is_empty() {
        return Err(ErrorCode::Required);
    }
    let date = crate::iso_date::parse(value.trim()).ok_or(ErrorCode::DateInvalid)?;
    if date > today {
        Err(ErrorCode::DateInFuture)
    } else if date < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") {
        Err(ErrorCode::DateInvalid)
    } else {
        Ok(date)
    }
}

impl PinRequestForm {
    /// The API contract's example (`/api/openapi.json`): a complete request, consistent with its
    /// codice fiscale, for a made-up Mario Rossi born in Rome on 10 December 1985. A unit test
    /// keeps it valid, so that intermediaries and the fuzzer start from a request that passes.
    pub fn example() -> Self {
        let person = PersonalData {
            given_name: "Mario".into(),
            surname: "Rossi".into(),
            sex: Sex::Male,
            birth_date: NaiveDate::from_ymd_opt(1985, 12, 10).unwrap_or_default(),
            birth_place_code: "H501".into(),
        };
        PinRequestForm {
            codice_fiscale: CodiceFiscale::generate(&person).as_str().to_owned(),
            residence_country: ITALY.into(),
            given_name: person.given_name,
            surname: person.surname,
            sex: "M".into(),
            birth_date: person.birth_date.format("%Y-%m-%d").to_string(),
            birth_place: "Roma".into(),
            birth_province: "RM".into(),
            address: "Via Roma 1".into(),
            postcode: "00184".into(),
            municipality: "Roma".into(),
            province: "RM".into(),
            mobile: "+39 333 123 4567".into(),
            email: "mario.rossi@example.it".into(),
            pec: "mario.rossi@pec.example.it".into(),
        }
    }

    /// The example's codice fiscale, which the contract shows on the other requests that carry one
    /// (the check, the login, the call), so that they are all about the same person.
    pub fn example_codice_fiscale() -> String {
        PinRequestForm::example().codice_fiscale
    }

    /// Validates the fields of `step` (and, on the personal-data step, their consistency with the
    /// codice fiscale). `today` bounds the date of birth; `places`, when given, checks places.
    pub fn validate_step(&self, step: Step, today: NaiveDate, places: Option<&dyn PlaceDirectory>) -> FieldErrors {
        let mut errors = FieldErrors::new();
        match step {
            Step::Identity => {
                errors.check("codice_fiscale", required(&self.codice_fiscale, CodiceFiscale::parse));
                let country = self.residence_country.trim();
                if country.is_empty() {
                    errors.add("residence_country", ErrorCode::Required);
                } else if !is_italy(country) && places.is_some_and(|p| p.country(country).is_none()) {
                    errors.add("residence_country", ErrorCode::CountryUnknown);
                }
            }
            Step::Personal => {
                self.personal(today, places, &mut errors);
            }
            Step::Residence => {
                errors.check("address", check_text(&self.address, 120));
                if is_italy(&self.residence_country) {
                    errors.check("postcode", required(&self.postcode, Postcode::parse));
                    let municipality = errors.check("municipality", check_text(&self.municipality, 80));
                    let province = errors.check("province", required(&self.province, Province::parse));
                    if let (Some(m), Some(p), Some(dir)) = (municipality, province, places)
                        && !dir.is_municipality(&m, p.as_str())
                    {
                        errors.add("municipality", ErrorCode::MunicipalityUnknown);
                    }
                } else {
                    if self.postcode.trim().chars().count() > 12 {
                        errors.add("postcode", ErrorCode::TextTooLong);
                    }
                    errors.check("municipality", check_text(&self.municipality, 80));
                }
            }
            Step::Contacts => {
                errors.check("mobile", required(&self.mobile, MobilePhone::parse));
                errors.check("email", required(&self.email, Email::parse));
                errors.check("pec", required(&self.pec, Pec::parse));
            }
        }
        errors
    }

    fn personal(
        &self,
        today: NaiveDate,
        places: Option<&dyn PlaceDirectory>,
        errors: &mut FieldErrors,
    ) -> Option<(PersonalData, String)> {
        let given_name = errors.check("given_name", check_name(&self.given_name));
        let surname = errors.check("surname", check_name(&self.surname));
        let sex = match self.sex.trim() {
            "M" => Some(Sex::Male),
            "F" => Some(Sex::Female),
            "" => {
                errors.add("sex", ErrorCode::Required);
                None
            }
            _ => {
                errors.add("sex", ErrorCode::SexInvalid);
                None
            }
        };
        let birth_date = errors.check("birth_date", parse_birth_date(&self.birth_date, today));
        let birth_place = errors.check("birth_place", check_text(&self.birth_place, 80));
        let born_abroad = self.birth_province.trim().eq_ignore_ascii_case("EE");
        let birth_province = if born_abroad {
            Some("EE".to_owned())
        } else {
            errors
                .check("birth_province", required(&self.birth_province, Province::parse))
                .map(|p| p.as_str().to_owned())
        };
        let (given_name, surname, sex, birth_date, birth_place, birth_province) =
            (given_name?, surname?, sex?, birth_date?, birth_place?, birth_province?);
        // Without the place table (in the browser) the code comes from the codice fiscale itself,
        // so that the other fields can still be checked against it; the server checks the place.
        let cf = CodiceFiscale::parse(&self.codice_fiscale).ok();
        let (code, place_name) = match places {
            Some(dir) => match dir.birth_place(&birth_place, &birth_province, birth_date) {
                Some(found) => found,
                None => {
                    errors.add("birth_place", ErrorCode::BirthPlaceUnknown);
                    return None;
                }
            },
            None => (
                cf.as_ref().map(CodiceFiscale::birth_place_code).unwrap_or_default(),
                birth_place,
            ),
        };
        let person = PersonalData {
            given_name,
            surname,
            sex,
            birth_date,
            birth_place_code: code,
        };
        if let Some(cf) = cf {
            for mismatch in cf.check_against(&person).iter() {
                errors.add(&mismatch.field, mismatch.code);
            }
        }
        Some((person, place_name))
    }

    /// Validates every step; the first error of each field, in page order.
    pub fn validate(
        &self,
        today: NaiveDate,
        places: Option<&dyn PlaceDirectory>,
    ) -> Result<ValidPinRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        for step in Step::ALL {
            for e in self.validate_step(step, today, places).iter() {
                errors.add(&e.field, e.code);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut scratch = FieldErrors::new();
        let (person, birth_place_name) = self.personal(today, places, &mut scratch).ok_or(scratch)?;
        let abroad = !is_italy(&self.residence_country);
        let country = if abroad {
            places
                .and_then(|p| p.country(&self.residence_country))
                .unwrap_or_else(|| self.residence_country.trim().to_owned())
        } else {
            ITALY.to_owned()
        };
        let parse_or_required = |field: &str, e| {
            let mut errs = FieldErrors::new();
            errs.add(field, e);
            errs
        };
        Ok(ValidPinRequest {
            codice_fiscale: CodiceFiscale::parse(&self.codice_fiscale)
                .map_err(|e| parse_or_required("codice_fiscale", e.into()))?,
            person,
            birth_place_name,
            residence: Residence {
                address: self.address.trim().to_owned(),
                postcode: self.postcode.trim().to_owned(),
                municipality: self.municipality.trim().to_owned(),
                province: if abroad {
                    "EE".to_owned()
                } else {
                    self.province.trim().to_ascii_uppercase()
                },
                country,
            },
            mobile: MobilePhone::parse(&self.mobile).map_err(|e| parse_or_required("mobile", e.into()))?,
            email: Email::parse(&self.email).map_err(|e| parse_or_required("email", e.into()))?,
            pec: Pec::parse(&self.pec).map_err(|e| parse_or_required("pec", e.into()))?,
        })
    }
}

/// Where a PIN request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PinRequestState {
    /// The first half was sent; the citizen has not used it yet, so we do not know it arrived.
    PendingDelivery,
    /// The citizen logged in with it: it arrived.
    Delivered,
    /// The Contact Center validated the request after the 12 hours and re-sent the first half.
    ValidatedByContactCenter,
    /// Never used nor validated within the validity period: a new request may replace it.
    Expired,
    /// The citizen, logged in with a stronger credential, or the Contact Center on their call,
    /// reported it as not theirs: the PIN no longer opens anything and a new request may be made.
    Revoked,
}

impl PinRequestState {
    /// The wire and storage form.
    pub fn as_str(self) -> &'static str {
        match self {
            PinRequestState::PendingDelivery => "pending_delivery",
            PinRequestState::Delivered => "delivered",
            PinRequestState::ValidatedByContactCenter => "validated_by_contact_center",
            PinRequestState::Expired => "expired",
            PinRequestState::Revoked => "revoked",
        }
    }

    /// Parses the storage form.
    pub fn parse(s: &str) -> Option<PinRequestState> {
        [
            PinRequestState::PendingDelivery,
            PinRequestState::Delivered,
            PinRequestState::ValidatedByContactCenter,
            PinRequestState::Expired,
            PinRequestState::Revoked,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

/// The state of a request created at `created_at`, stored as `stored`, seen at `now`: a request
/// still pending after `validity` has expired.
pub fn effective_state(
    stored: PinRequestState,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
    validity: Duration,
) -> PinRequestState {
    if stored == PinRequestState::PendingDelivery && now - created_at >= validity {
        PinRequestState::Expired
    } else {
        stored
    }
}

/// How the first half's messages (SMS, e-mail, PEC) went, as the outbox records it: what the
/// 12-hour rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstHalfDelivery {
    /// None has reached a carrier yet.
    NotSent,
    /// The first to reach its carrier did so at this time.
    SentAt(DateTime<Utc>),
    /// Every one failed for good: none will arrive.
    Undeliverable,
}

/// From when the Contact Center may validate a request pending delivery: 12 hours after its
/// first half reached a carrier (a message that waited in the outbox does not eat into the
/// citizen's 12 hours), or after the request was made while none has; at once when none can
/// arrive any more.
pub fn validation_possible_from(created_at: DateTime<Utc>, delivery: FirstHalfDelivery) -> DateTime<Utc> {
    match delivery {
        FirstHalfDelivery::NotSent => created_at + DELIVERY_GRACE,
        FirstHalfDelivery::SentAt(sent) => sent.max(created_at) + DELIVERY_GRACE,
        FirstHalfDelivery::Undeliverable => created_at,
    }
}

/// Whether the Contact Center may validate a request at `now`: still pending delivery, and
/// [`validation_possible_from`] has come.
pub fn contact_center_may_validate(
    state: PinRequestState,
    created_at: DateTime<Utc>,
    delivery: FirstHalfDelivery,
    now: DateTime<Utc>,
) -> bool {
    state == PinRequestState::PendingDelivery && now >= validation_possible_from(created_at, delivery)
}

/// `+39 ***4567`: enough for the citizen to recognise the number, too little for anyone else.
pub fn mask_mobile(mobile: &MobilePhone) -> String {
    let digits = mobile.national_number();
    let tail = &digits[digits.len().saturating_sub(4)..];
    format!("+39 ***{tail}")
}

/// `m***@example.it`: the first character of the local part and the domain.
pub fn mask_email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(feature = "places")]
mod embedded {
    use chrono::NaiveDate;

    use super::PlaceDirectory;
    use crate::places::{self, PlaceKind};
    use crate::text::search_key;

    /// The place table embedded in the server.
    pub struct EmbeddedPlaces;

    impl PlaceDirectory for EmbeddedPlaces {
        fn birth_place(&self, name: &str, province: &str, birth_date: NaiveDate) -> Option<(String, String)> {
            let key = search_key(name);
            let abroad = province.trim().eq_ignore_ascii_case("EE");
            places::all()
                .iter()
                .filter(|p| (p.kind == PlaceKind::Country) == abroad)
                .filter(|p| abroad || p.province.eq_ignore_ascii_case(province.trim()))
                .filter(|p| search_key(p.name) == key || p.other_names.iter().any(|n| search_key(n) == key))
                // A country's span may not cover old births (dates are those of the registry):
                // prefer the span of the birth date, else any span with that name.
                .max_by_key(|p| (p.was_valid_on(birth_date), p.is_current()))
                .map(|p| (p.code.to_owned(), p.name.to_owned()))
        }

        fn is_municipality(&self, name: &str, province: &str) -> bool {
            places::municipality(name, province).is_some()
        }

        fn country(&self, name: &str) -> Option<String> {
            places::country(name).map(|p| p.name.to_owned())
        }
    }
}

#[cfg(feature = "places")]
pub use embedded::EmbeddedPlaces;

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// The contract's example: Mario Rossi, born in Rome on 10/12/1985, resident in Rome.
    fn mario() -> PinRequestForm {
        PinRequestForm::example()
    }

    #[test]
    fn a_complete_consistent_form_is_valid_in_the_browser() {
        let valid = mario().validate(today(), None).unwrap();
        assert_eq!(valid.person.birth_place_code, "H501");
        assert_eq!(valid.residence.country, "Italia");
    }

    #[test]
    fn each_step_reports_only_its_own_fields() {
        let form = PinRequestForm::default();
        for step in Step::ALL {
            let errors = form.validate_step(step, today(), None);
            for e in errors.iter() {
                assert!(
                    step.fields().contains(&e.field.as_str()),
                    "{step:?} reported {}",
                    e.field
                );
            }
            assert!(!errors.is_empty(), "{step:?} accepted an empty form");
        }
    }

    #[test]
    fn a_surname_that_disagrees_with_the_codice_fiscale_is_named() {
        let form = PinRequestForm {
            surname: "Bianchi".into(),
            ..mario()
        };
        let errors = form.validate_step(Step::Personal, today(), None);
        assert_eq!(errors.get("surname"), Some(ErrorCode::CfMismatchSurname));
        assert_eq!(errors.get("given_name"), None);
    }

    #[test]
    fn a_birth_date_in_the_future_or_malformed_is_refused() {
        assert_eq!(parse_birth_date("2030-01-01", today()), Err(ErrorCode::DateInFuture));
        assert_eq!(parse_birth_date("1985-02-30", today()), Err(ErrorCode::DateInvalid));
        assert_eq!(parse_birth_date("", today()), Err(ErrorCode::Required));
    }

    #[test]
    fn names_with_digits_are_refused_but_apostrophes_and_accents_are_fine() {
        assert_eq!(check_name("D'Alò-Nicolò").unwrap(), "D'Alò-Nicolò");
        assert_eq!(check_name("Mario2"), Err(ErrorCode::NameInvalid));
    }

    #[test]
    fn abroad_residents_need_no_italian_postcode_or_province() {
        let form = PinRequestForm {
            residence_country: "Germania".into(),
            postcode: "10115".into(),
            municipality: "Berlin".into(),
            province: String::new(),
            ..mario()
        };
        assert!(form.validate_step(Step::Residence, today(), None).is_empty());
    }

    #[test]
    fn the_contact_center_may_validate_only_after_twelve_hours_of_pending_delivery() {
        let created = DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let pending = PinRequestState::PendingDelivery;
        let not_sent = FirstHalfDelivery::NotSent;
        assert!(!contact_center_may_validate(
            pending,
            created,
            not_sent,
            created + Duration::hours(11) + Duration::minutes(59)
        ));
        assert!(contact_center_may_validate(
            pending,
            created,
            not_sent,
            created + Duration::hours(12)
        ));
        assert!(!contact_center_may_validate(
            PinRequestState::Delivered,
            created,
            not_sent,
            created + Duration::hours(13)
        ));
    }

    #[test]
    fn the_twelve_hours_run_from_when_the_first_half_left_and_not_at_all_when_it_never_can() {
        let created = DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // GIVEN a first half that waited three hours in the outbox (a carrier outage)
        let sent = FirstHalfDelivery::SentAt(created + Duration::hours(3));
        assert_eq!(validation_possible_from(created, sent), created + Duration::hours(15));
        let pending = PinRequestState::PendingDelivery;
        assert!(!contact_center_may_validate(
            pending,
            created,
            sent,
            created + Duration::hours(13)
        ));
        // Every channel failed for good: nothing will arrive, so there is nothing to wait for.
        let dead = FirstHalfDelivery::Undeliverable;
        assert!(contact_center_may_validate(pending, created, dead, created));
        assert!(!contact_center_may_validate(
            PinRequestState::Delivered,
            created,
            dead,
            created
        ));
    }

    #[test]
    fn a_pending_request_expires_after_its_validity() {
        let created = DateTime::parse_from_rfc3339("2026-11-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let state = effective_state(
            PinRequestState::PendingDelivery,
            created,
            created + Duration::days(30),
            Duration::days(30),
        );
        assert_eq!(state, PinRequestState::Expired);
        let state = effective_state(
            PinRequestState::Delivered,
            created,
            created + Duration::days(90),
            Duration::days(30),
        );
        assert_eq!(state, PinRequestState::Delivered);
    }

    #[test]
    fn contacts_are_masked_for_the_confirmation_page() {
        assert_eq!(
            mask_mobile(&MobilePhone::parse("+39 333 123 4567").unwrap()),
            "+39 ***4567"
        );
        assert_eq!(mask_email("mario.rossi@example.it"), "m***@example.it");
    }

    #[cfg(feature = "places")]
    #[test]
    fn the_server_resolves_the_birth_place_and_rejects_unknown_ones() {
        let dir = EmbeddedPlaces;
        assert!(mario().validate(today(), Some(&dir)).is_ok());
        let form = PinRequestForm {
            birth_place: "Atlantide".into(),
            ..mario()
        };
        let errors = form.validate_step(Step::Personal, today(), Some(&dir));
        assert_eq!(errors.get("birth_place"), Some(ErrorCode::BirthPlaceUnknown));
        let form = PinRequestForm {
            birth_place: "Milano".into(),
            birth_province: "MI".into(),
            ..mario()
        };
        let errors = form.validate_step(Step::Personal, today(), Some(&dir));
        assert_eq!(errors.get("birth_place"), Some(ErrorCode::CfMismatchBirthPlace));
        let form = PinRequestForm {
            municipality: "Roma".into(),
            province: "MI".into(),
            ..mario()
        };
        assert_eq!(
            form.validate_step(Step::Residence, today(), Some(&dir))
                .get("municipality"),
            Some(ErrorCode::MunicipalityUnknown)
        );
    }
}
