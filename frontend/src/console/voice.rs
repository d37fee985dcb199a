//! The application in the operator's voice: the summary, the receipt and the form's headings
//! speak *about* the citizen ("Le dichiarazioni del cittadino", "Conto intestato solo al
//! cittadino"), the indemnities carry their article of decree-law 18/2020 as operators name them
//! ("art. 28"), and the mobile number reads in one grouping. The declarations themselves stay in
//! the citizen's words, verbatim: the operator reads them aloud and the citizen answers them.
//!
//! All of it lives in the console's bundle: the citizens' area keeps its own words
//! (`application_answers::Citizen`) and links none of these.

use std::sync::OnceLock;

use domain::application::{ApplicationForm, ApplicationStep, HOLDER_JOINT, HOLDER_OWN};
use domain::benefits::{Benefit, Catalogue, Text as DataText};
use domain::{Lang, MobilePhone};

use crate::application_answers::{Voice, shown, step_heading};
use crate::i18n::{Text, t};
use crate::ui::tr;
use leptos::prelude::*;

/// The operator's words about the citizen.
pub struct Operator;

impl Voice for Operator {
    const BENEFIT_HINT: Text = Text::ConsoleBenefitHint;
    // The section's heading says "Modalità di pagamento" already; the legend is the question the
    // operator reads out ("Come vuoi ricevere il pagamento?").
    const PAYMENT_LEGEND: Text = Text::PaymentHeading;
    const HOLDER_OWN: Text = Text::ConsoleHolderOwn;
    const HOLDER_JOINT: Text = Text::ConsoleHolderJoint;
    const AUTOFILL: bool = false;

    fn benefit_title(benefit: &'static Benefit) -> &'static DataText {
        benefit_title(benefit)
    }

    /// Kept word for word as the citizen's form has it: the operator reads it aloud.
    fn before_declarations() -> Option<AnyView> {
        Some(
            view! { <p class="hint"><strong>{tr(Text::ReadAloud)}</strong>" "{tr(Text::DeclarationsIntro)}</p> }
                .into_any(),
        )
    }

    fn heading(step: ApplicationStep) -> Text {
        match step {
            ApplicationStep::Declarations => Text::ConsoleDeclarationsHeading,
            ApplicationStep::Contacts => Text::ConsoleContactsHeading,
            other => step_heading(other),
        }
    }

    fn shown(form: &ApplicationForm, field: &str, lang: Lang) -> String {
        match field {
            "benefit" => Catalogue::embedded()
                .benefit(form.benefit.trim())
                .map_or_else(String::new, |b| benefit_title(b).get(lang).to_owned()),
            "account_holder" => match form.account_holder.trim() {
                HOLDER_OWN => t(lang, Text::ConsoleHolderOwn).to_owned(),
                HOLDER_JOINT => t(lang, Text::ConsoleHolderJoint).to_owned(),
                _ => String::new(),
            },
            "mobile" => mobile_grouped(&form.mobile),
            _ => shown(form, field, lang),
        }
    }
}

/// A mobile number as the form's hint and the PIN request write it (`+39 333 123 4567`), however
/// it was typed; as typed if it is not one (the form says what is wrong with it).
pub fn mobile_grouped(typed: &str) -> String {
    MobilePhone::parse(typed).map_or_else(|_| typed.trim().to_owned(), |mobile| mobile.formatted())
}

/// "Art. 29 D.L. 18/2020 — Lavoratori stagionali…": an indemnity as operators name it.
pub fn with_article(benefit: &Benefit, lang: Lang) -> String {
    format!(
        "Art. {} {} — {}",
        benefit.article,
        benefit.decree,
        benefit.title.get(lang)
    )
}

/// The catalogue's titles with their article, made once (the form's choices take static words).
pub fn benefit_title(benefit: &Benefit) -> &'static DataText {
    static TITLES: OnceLock<Vec<(String, DataText)>> = OnceLock::new();
    let titles = TITLES.get_or_init(|| {
        Catalogue::embedded()
            .benefits()
            .iter()
            .map(|b| {
                let text = DataText {
                    it: with_article(b, Lang::It),
                    en: with_article(b, Lang::En),
                };
                (b.id.clone(), text)
            })
            .collect()
    });
    titles
        .iter()
        .find(|(id, _)| *id == benefit.id)
        .map(|(_, text)| text)
        .expect("every benefit of the embedded catalogue has its title")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ApplicationForm {
        ApplicationForm {
            benefit: "art29".into(),
            payment_method: domain::application::PAYMENT_IBAN.into(),
            account_holder: HOLDER_OWN.into(),
            mobile: "+393331234567".into(),
            ..ApplicationForm::default()
        }
    }

    #[test]
    fn the_summary_speaks_of_the_citizens_account_not_mine() {
        assert_eq!(
            Operator::shown(&form(), "account_holder", Lang::It),
            "Conto intestato solo al cittadino"
        );
        assert_eq!(
            Operator::shown(&form(), "account_holder", Lang::En),
            "Account in the citizen's name only"
        );
        assert_eq!(
            Operator::heading(ApplicationStep::Declarations),
            Text::ConsoleDeclarationsHeading
        );
        assert_eq!(
            Operator::heading(ApplicationStep::Payment),
            step_heading(ApplicationStep::Payment)
        );
    }

    #[test]
    fn every_indemnity_carries_its_article_of_decree_law_18_2020() {
        assert_eq!(
            Operator::shown(&form(), "benefit", Lang::It),
            "Art. 29 D.L. 18/2020 — Lavoratori stagionali del turismo e degli stabilimenti termali"
        );
        assert_eq!(
            Operator::shown(&form(), "benefit", Lang::En),
            "Art. 29 D.L. 18/2020 — Seasonal workers in tourism and spas"
        );
        let articles: Vec<_> = Catalogue::embedded()
            .benefits()
            .iter()
            .map(|b| benefit_title(b).it.split(' ').nth(1).unwrap().to_owned())
            .collect();
        assert_eq!(articles, ["27", "28", "29", "30", "38"]);
    }

    #[test]
    fn a_mobile_number_reads_in_one_grouping_however_it_was_typed() {
        assert_eq!(Operator::shown(&form(), "mobile", Lang::It), "+39 333 123 4567");
        assert_eq!(mobile_grouped(" +39 333 1234567 "), "+39 333 123 4567");
        assert_eq!(mobile_grouped("0039 333 123 4567"), "+39 333 123 4567");
        assert_eq!(mobile_grouped(" 06 1234 "), "06 1234");
    }

    #[test]
    fn declarations_stay_in_the_citizens_words() {
        let mut form = form();
        form.declarations.insert("pensioner".into(), "no".into());
        let field = format!("{}pensioner", domain::benefits::DECLARATION_FIELD_PREFIX);
        assert_eq!(Operator::shown(&form, &field, Lang::It), shown(&form, &field, Lang::It));
    }
}
