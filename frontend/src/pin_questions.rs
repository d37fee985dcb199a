//! The questions of the PIN request, as data: for each step its page's title, heading and
//! introduction, and for each field its label, hint and input. One page component renders every
//! step from this table, and the check-your-answers page labels the answers with it — a page per
//! step written out by hand cost several kilobytes of wasm each (ADR 0005).

use domain::Step;

use crate::i18n::Text;

/// A step's page.
pub struct StepPage {
    /// The document title.
    pub title: Text,
    /// The page's heading (also the heading of the step's answers on the summary page).
    pub heading: Text,
    /// The paragraph under the heading.
    pub intro: Text,
}

/// How a question is answered.
pub enum Kind {
    /// A text input.
    Text(Input),
    /// Day, month and year (GOV.UK date input); the token is the `autocomplete` prefix.
    Date(&'static str),
    /// One of a few options: the value sent and its label.
    Choice(&'static [(&'static str, Text)]),
}

/// The attributes of a text input.
pub struct Input {
    /// Width class, e.g. `input--20`.
    pub class: &'static str,
    /// `type`: `text`, `tel`, `email`.
    pub input_type: &'static str,
    /// `autocomplete` token.
    pub autocomplete: &'static str,
    /// `autocapitalize` hint.
    pub autocapitalize: &'static str,
}

/// One question of the form.
pub struct Question {
    /// The field's name (the input's id).
    pub field: &'static str,
    /// The label (or legend).
    pub label: Text,
    /// The hint, if any.
    pub hint: Option<Text>,
    /// Label and hint when the citizen lives abroad, if they differ.
    pub abroad: Option<(Text, Text)>,
    /// Asked only of residents of Italy.
    pub italy_only: bool,
    /// How it is answered.
    pub kind: Kind,
    /// The on-screen keyboard for a resident of Italy (`numeric` for the CAP), if not the usual.
    pub inputmode_in_italy: Option<&'static str>,
}

const fn text(class: &'static str, autocomplete: &'static str, autocapitalize: &'static str) -> Kind {
    Kind::Text(Input {
        class,
        input_type: "text",
        autocomplete,
        autocapitalize,
    })
}

const fn typed(input_type: &'static str, class: &'static str, autocomplete: &'static str) -> Kind {
    Kind::Text(Input {
        class,
        input_type,
        autocomplete,
        autocapitalize: "off",
    })
}

const fn ask(field: &'static str, label: Text, hint: Option<Text>, kind: Kind) -> Question {
    Question {
        field,
        label,
        hint,
        abroad: None,
        italy_only: false,
        kind,
        inputmode_in_italy: None,
    }
}

/// The answers to "Sesso", as the codice fiscale has them.
const SEXES: &[(&str, Text)] = &[("M", Text::SexMale), ("F", Text::SexFemale)];

const IDENTITY: &[Question] = &[
    ask(
        "codice_fiscale",
        Text::CfLabel,
        Some(Text::CfHint),
        text("input--cf", "off", "characters"),
    ),
    ask(
        "residence_country",
        Text::ResidenceCountryLabel,
        Some(Text::ResidenceCountryHint),
        text("input--20", "country-name", "words"),
    ),
];

const PERSONAL: &[Question] = &[
    ask(
        "given_name",
        Text::GivenNameLabel,
        Some(Text::GivenNameHint),
        text("input--20", "given-name", "words"),
    ),
    ask(
        "surname",
        Text::SurnameLabel,
        Some(Text::SurnameHint),
        text("input--20", "family-name", "words"),
    ),
    ask("sex", Text::SexLegend, Some(Text::SexHint), Kind::Choice(SEXES)),
    ask(
        "birth_date",
        Text::BirthDateLegend,
        Some(Text::BirthDateHint),
        Kind::Date("bday"),
    ),
    ask(
        "birth_place",
        Text::BirthPlaceLabel,
        Some(Text::BirthPlaceHint),
        text("input--20", "off", "words"),
    ),
    ask(
        "birth_province",
        Text::BirthProvinceLabel,
        Some(Text::BirthProvinceHint),
        text("input--3", "off", "characters"),
    ),
];

const RESIDENCE: &[Question] = &[
    ask(
        "address",
        Text::AddressLabel,
        Some(Text::AddressHint),
        text("", "address-line1", "sentences"),
    ),
    Question {
        abroad: Some((Text::PostcodeAbroadLabel, Text::PostcodeAbroadHint)),
        inputmode_in_italy: Some("numeric"),
        ..ask(
            "postcode",
            Text::PostcodeLabel,
            Some(Text::PostcodeHint),
            text("input--10", "postal-code", "characters"),
        )
    },
    Question {
        abroad: Some((Text::CityLabel, Text::CityHint)),
        ..ask(
            "municipality",
            Text::MunicipalityLabel,
            Some(Text::MunicipalityHint),
            text("input--20", "address-level2", "words"),
        )
    },
    Question {
        italy_only: true,
        ..ask(
            "province",
            Text::ProvinceLabel,
            Some(Text::ProvinceHint),
            text("input--3", "address-level1", "characters"),
        )
    },
];

// The PEC is a second e-mail address: `autocomplete="email"` would fill in the ordinary one.
const CONTACTS: &[Question] = &[
    ask(
        "mobile",
        Text::MobileLabel,
        Some(Text::MobileHint),
        typed("tel", "input--20", "tel"),
    ),
    ask(
        "email",
        Text::EmailLabel,
        Some(Text::EmailHint),
        typed("email", "", "email"),
    ),
    ask("pec", Text::PecLabel, Some(Text::PecHint), typed("email", "", "off")),
];

/// The questions of `step`, in page order.
pub fn questions(step: Step) -> &'static [Question] {
    match step {
        Step::Identity => IDENTITY,
        Step::Personal => PERSONAL,
        Step::Residence => RESIDENCE,
        Step::Contacts => CONTACTS,
    }
}

/// The question that asks `field`.
pub fn question(field: &str) -> Option<&'static Question> {
    let step = Step::of_field(field)?;
    questions(step).iter().find(|q| q.field == field)
}

/// The label of `field`, for the error summary.
pub fn label_of(field: &str) -> Option<Text> {
    question(field).map(|q| q.label)
}

impl Question {
    /// The label for a resident of Italy (`in_italy`) or abroad.
    pub fn label(&self, in_italy: bool) -> Text {
        match self.abroad {
            Some((label, _)) if !in_italy => label,
            _ => self.label,
        }
    }

    /// The hint for a resident of Italy (`in_italy`) or abroad.
    pub fn hint(&self, in_italy: bool) -> Option<Text> {
        match self.abroad {
            Some((_, hint)) if !in_italy => Some(hint),
            _ => self.hint,
        }
    }
}

/// The page of `step`.
pub fn page(step: Step) -> StepPage {
    match step {
        Step::Identity => StepPage {
            title: Text::PinIdentityTitle,
            heading: Text::PinIdentityHeading,
            intro: Text::PinIdentityIntro,
        },
        Step::Personal => StepPage {
            title: Text::PinPersonalTitle,
            heading: Text::PinPersonalHeading,
            intro: Text::PinPersonalIntro,
        },
        Step::Residence => StepPage {
            title: Text::PinResidenceTitle,
            heading: Text::PinResidenceHeading,
            intro: Text::PinResidenceIntro,
        },
        Step::Contacts => StepPage {
            title: Text::PinContactsTitle,
            heading: Text::PinContactsHeading,
            intro: Text::PinContactsIntro,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_asks_exactly_the_domains_fields_in_its_order() {
        for step in Step::ALL {
            let asked: Vec<&str> = questions(step).iter().map(|q| q.field).collect();
            assert_eq!(asked, step.fields(), "{step:?}");
        }
    }

    #[test]
    fn no_two_questions_share_a_label_in_italy_or_abroad() {
        for in_italy in [true, false] {
            let labels: Vec<Text> = Step::ALL
                .into_iter()
                .flat_map(|step| questions(step).iter().map(move |q| q.label(in_italy)))
                .collect();
            for (i, label) in labels.iter().enumerate() {
                assert!(!labels[..i].contains(label), "{label:?} repeated");
            }
        }
    }

    #[test]
    fn abroad_the_municipality_is_a_city_and_the_postcode_optional() {
        let municipality = question("municipality").unwrap();
        assert_eq!(municipality.label(false), Text::CityLabel);
        assert_eq!(municipality.label(true), Text::MunicipalityLabel);
        assert_eq!(question("postcode").unwrap().label(false), Text::PostcodeAbroadLabel);
        assert!(question("province").unwrap().italy_only);
    }
}
