//! The application's answers as a person reads them: the labels of its fields, each answer in
//! words, and the answers step by step (GOV.UK summary list) — for the citizen's check your
//! answers and receipt, and for the operator reading them back to the citizen on the phone.

use crate::i18n::t;
use std::sync::Arc;

use domain::Lang;
use domain::application::{
    ApplicationForm, ApplicationStep, HOLDER_JOINT, HOLDER_OWN, PAYMENT_IBAN, PAYMENT_POST_OFFICE,
};
use domain::benefits::{Answer, Benefit, Catalogue, DeclarationKind, Text as DataText};
use leptos::prelude::*;

use crate::area_texts::{Words, dyn_text, dyn_view, ww};
use crate::components::lower_initial;
use crate::i18n::Text;
use crate::ui::{tr, use_lang};

/// Where a "Modifica" link sends the reader for a field.
pub type Link = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// The label of an application field.
pub fn label_of(field: &str) -> Option<Words> {
    let words = match field {
        "benefit" => Text::BenefitLabel.into(),
        "payment_method" => Text::PaymentMethodLegend.into(),
        "iban" => Text::IbanLabel.into(),
        "account_holder" => Text::HolderLegend.into(),
        "joint_holder_name" => Text::JointHolderLabel.into(),
        "mobile" => Text::MobileLabel.into(),
        "email" => Text::EmailLabel.into(),
        "pec" => Text::PecOptionalLabel.into(),
        _ => Catalogue::embedded()
            .benefits()
            .iter()
            .flat_map(|b| &b.declarations)
            .find(|d| d.field() == field)
            .map(|d| Words::Data(&d.short))?,
    };
    Some(words)
}

/// The heading of a step's group of questions.
pub fn step_heading(step: ApplicationStep) -> Text {
    match step {
        ApplicationStep::Benefit => Text::BenefitLabel,
        ApplicationStep::Declarations => Text::DeclarationsHeading,
        ApplicationStep::Payment => Text::PaymentMethodLegend,
        ApplicationStep::Contacts => Text::ContactsHeading,
    }
}

/// An answer as a person reads it.
pub fn shown(form: &ApplicationForm, field: &str, lang: Lang) -> String {
    let choice = |key: Text| t(lang, key).to_owned();
    match field {
        "benefit" => Catalogue::embedded()
            .benefit(form.benefit.trim())
            .map_or_else(String::new, |b| b.title.get(lang).to_owned()),
        "payment_method" => match form.payment_method.trim() {
            PAYMENT_IBAN => choice(Text::PaymentIban),
            PAYMENT_POST_OFFICE => choice(Text::PaymentPostOffice),
            _ => String::new(),
        },
        "iban" => grouped_iban(&form.iban),
        "account_holder" => match form.account_holder.trim() {
            HOLDER_OWN => choice(Text::HolderOwn),
            HOLDER_JOINT => choice(Text::HolderJoint),
            _ => String::new(),
        },
        "joint_holder_name" => form.joint_holder_name.trim().to_owned(),
        "mobile" => form.mobile.trim().to_owned(),
        "email" => form.email.trim().to_owned(),
        "pec" => form.pec.trim().to_owned(),
        _ => {
            let id = field
                .strip_prefix(domain::benefits::DECLARATION_FIELD_PREFIX)
                .unwrap_or(field);
            let typed = form.declarations.get(id).map(|s| s.trim()).unwrap_or_default();
            let confirm = Catalogue::embedded()
                .benefit(form.benefit.trim())
                .and_then(|b| b.declaration(id))
                .is_some_and(|d| matches!(d.kind, DeclarationKind::Confirm));
            match typed.parse::<Answer>() {
                // A ticked box is sent as "yes": it reads as confirmed.
                Ok(Answer::Yes) if confirm => Answer::Confirmed.display(lang),
                Ok(answer) => answer.display(lang),
                Err(_) => typed.to_owned(),
            }
        }
    }
}

/// An IBAN in groups of four characters, as a bank statement prints it (read out more easily).
fn grouped_iban(iban: &str) -> String {
    let compact: Vec<char> = iban
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    compact
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The fields shown for `step`, given the answers (no IBAN questions for a post-office payment).
pub fn shown_fields(form: &ApplicationForm, step: ApplicationStep) -> Vec<String> {
    let benefit = Catalogue::embedded().benefit(form.benefit.trim());
    let by_iban = form.payment_method.trim() == PAYMENT_IBAN;
    step.fields_for(benefit)
        .into_iter()
        .filter(|field| match field.as_str() {
            "iban" | "account_holder" => by_iban,
            "joint_holder_name" => by_iban && form.account_holder.trim() == HOLDER_JOINT,
            "pec" => !form.pec.trim().is_empty(),
            _ => true,
        })
        .collect()
}

/// Whose words the answers are read in: the citizen's own ([`Citizen`]), or an operator's about
/// the citizen (the console's). A type, not a value, so that each bundle links only its own.
pub trait Voice: 'static {
    /// The benefit question's hint.
    const BENEFIT_HINT: Text;
    /// The payment question's legend.
    const PAYMENT_LEGEND: Text;
    /// The choice of an account in the applicant's name alone.
    const HOLDER_OWN: Text;
    /// The choice of a joint account.
    const HOLDER_JOINT: Text;
    /// Whether the contact questions offer the browser's autofill (only the applicant's own
    /// browser knows the applicant's contacts).
    const AUTOFILL: bool;
    /// A step's heading.
    fn heading(step: ApplicationStep) -> Text;
    /// An answer as a person reads it.
    fn shown(form: &ApplicationForm, field: &str, lang: Lang) -> String;
    /// A benefit's name, as the form's choices and the declarations' title say it.
    fn benefit_title(benefit: &'static Benefit) -> &'static DataText;
    /// What comes before the declarations, if anything.
    fn before_declarations() -> Option<AnyView> {
        None
    }
}

/// The citizen's own words ("Le tue dichiarazioni", "Solo a me").
pub struct Citizen;

impl Voice for Citizen {
    const BENEFIT_HINT: Text = Text::BenefitHint;
    const PAYMENT_LEGEND: Text = Text::PaymentMethodLegend;
    const HOLDER_OWN: Text = Text::HolderOwn;
    const HOLDER_JOINT: Text = Text::HolderJoint;
    const AUTOFILL: bool = true;
    fn benefit_title(benefit: &'static Benefit) -> &'static DataText {
        &benefit.title
    }
    fn heading(step: ApplicationStep) -> Text {
        step_heading(step)
    }
    fn shown(form: &ApplicationForm, field: &str, lang: Lang) -> String {
        shown(form, field, lang)
    }
}

/// The answers of `form`, step by step, each with a "Modifica" link made by `change` when given.
pub fn answers(form: Signal<ApplicationForm>, change: Option<Link>) -> impl IntoView {
    answers_in::<Citizen>(form, change)
}

/// [`answers`] in the words of `V`.
pub fn answers_in<V: Voice>(form: Signal<ApplicationForm>, change: Option<Link>) -> impl IntoView {
    let lang = use_lang();
    let group = move |step: ApplicationStep| {
        let change = change.clone();
        let rows = dyn_view(Arc::new(move || {
            let change = change.clone();
            shown_fields(&form.read(), step)
                .into_iter()
                .filter_map(|field| {
                    let key = label_of(&field)?;
                    let href = change.as_ref().map(|link| link(&field));
                    let value = dyn_text(Arc::new(move || V::shown(&form.read(), &field, lang.get())));
                    let action = href.map(|href| {
                        view! {
                            <dd class="summary-list__actions">
                                <a href=href>
                                    {tr(Text::Change)}
                                    <span class="visually-hidden">" "{dyn_text(Arc::new(move || lower_initial(key.get(lang.get()))))}</span>
                                </a>
                            </dd>
                        }
                    });
                    Some(view! {
                        <div class="summary-list__row">
                            <dt class="summary-list__key">{ww(key)}</dt>
                            <dd class="summary-list__value">{value}</dd>
                            {action}
                        </div>
                    })
                })
                .collect_view()
                .into_any()
        }));
        view! {
            <h2 class="heading-m">{tr(V::heading(step))}</h2>
            <dl class="summary-list">{rows}</dl>
        }
    };
    ApplicationStep::ALL.into_iter().map(group).collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_every_step_has_a_label() {
        for benefit in Catalogue::embedded().benefits() {
            for step in ApplicationStep::ALL {
                for field in step.fields_for(Some(benefit)) {
                    assert!(label_of(&field).is_some(), "{field}");
                }
            }
        }
        assert!(label_of("decl.nope").is_none());
    }

    fn post_office_form() -> ApplicationForm {
        ApplicationForm {
            benefit: "art27".into(),
            payment_method: PAYMENT_POST_OFFICE.into(),
            iban: "IT60X0542811101000000123456".into(),
            mobile: "+39 333 123 4567".into(),
            ..ApplicationForm::default()
        }
    }

    #[test]
    fn an_iban_reads_in_groups_of_four_however_it_was_typed() {
        let mut form = post_office_form();
        form.iban = "it60x0542811101000000123456".into();
        assert_eq!(shown(&form, "iban", Lang::It), "IT60 X054 2811 1010 0000 0123 456");
        form.iban = " IT60 X054 2811 1010 0000 0123 456 ".into();
        assert_eq!(shown(&form, "iban", Lang::It), "IT60 X054 2811 1010 0000 0123 456");
    }

    #[test]
    fn answers_not_asked_are_not_shown() {
        let form = post_office_form();
        assert_eq!(shown_fields(&form, ApplicationStep::Payment), vec!["payment_method"]);
        assert_eq!(shown_fields(&form, ApplicationStep::Contacts), vec!["mobile", "email"]);
        assert_eq!(
            shown(&form, "payment_method", Lang::It),
            "Bonifico da riscuotere all'ufficio postale"
        );
    }

    #[test]
    fn declarations_read_as_answers_and_ticked_boxes_as_confirmed() {
        let mut form = post_office_form();
        let benefit = Catalogue::embedded().benefit("art27").unwrap();
        for declaration in &benefit.declarations {
            form.declarations.insert(declaration.id.clone(), "yes".into());
        }
        let confirm = benefit
            .declarations
            .iter()
            .find(|d| matches!(d.kind, DeclarationKind::Confirm))
            .unwrap();
        assert_eq!(shown(&form, &confirm.field(), Lang::It), "Confermato");
        assert_eq!(shown(&form, &confirm.field(), Lang::En), "Confirmed");
        assert_eq!(
            shown_fields(&form, ApplicationStep::Declarations).len(),
            benefit.declarations.len()
        );
    }
}
