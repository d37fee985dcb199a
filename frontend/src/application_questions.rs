//! The application's questions, written once for whoever types the answers: the citizen on a
//! phone, one step to a page, or an operator on a call, the four steps on one desktop page. The
//! questions, their order, ids, inputs and conditions are the same; what differs is whose words
//! the hints and choices are ([`Voice`]) and where a step's heading sits (the page's).

use std::collections::BTreeMap;
use std::sync::Arc;

use domain::application::{
    ApplicationForm, ApplicationStep, HOLDER_JOINT, HOLDER_OWN, PAYMENT_IBAN, PAYMENT_POST_OFFICE,
};
use domain::benefits::{Catalogue, Declaration};
use leptos::prelude::*;

use crate::application_answers::Voice;
use crate::area_texts::{Words, dyn_view, ww};
use crate::components::{ChoiceField, DeclarationField, WordsInput};
use crate::form::FormProblems;
use crate::i18n::Text;
use crate::ui::tr;

/// The application's answers as typed, one signal per question: the citizen's draft and the
/// console's each hold one set.
#[derive(Clone, Copy)]
pub struct Answers {
    /// The benefit chosen.
    pub benefit: RwSignal<String>,
    /// `iban` or `post_office`.
    pub payment_method: RwSignal<String>,
    /// The IBAN as typed.
    pub iban: RwSignal<String>,
    /// `own` or `joint`.
    pub account_holder: RwSignal<String>,
    /// The other holder of a joint account.
    pub joint_holder_name: RwSignal<String>,
    /// The mobile number.
    pub mobile: RwSignal<String>,
    /// The e-mail address.
    pub email: RwSignal<String>,
    /// The PEC address, if any.
    pub pec: RwSignal<String>,
    /// Answers to the declarations, by declaration id.
    pub declarations: RwSignal<BTreeMap<String, String>>,
}

impl Answers {
    /// No answer yet.
    pub fn new() -> Self {
        let text = || RwSignal::new(String::new());
        Answers {
            benefit: text(),
            payment_method: text(),
            iban: text(),
            account_holder: text(),
            joint_holder_name: text(),
            mobile: text(),
            email: text(),
            pec: text(),
            declarations: RwSignal::new(BTreeMap::new()),
        }
    }

    /// The whole form (reactive).
    pub fn form(self) -> ApplicationForm {
        ApplicationForm {
            benefit: self.benefit.get(),
            declarations: self.declarations.get(),
            payment_method: self.payment_method.get(),
            iban: self.iban.get(),
            account_holder: self.account_holder.get(),
            joint_holder_name: self.joint_holder_name.get(),
            mobile: self.mobile.get(),
            email: self.email.get(),
            pec: self.pec.get(),
        }
    }

    /// The whole form, without tracking.
    pub fn form_untracked(self) -> ApplicationForm {
        untrack(move || self.form())
    }

    /// Replaces every answer.
    pub fn set_form(self, form: ApplicationForm) {
        self.benefit.set(form.benefit);
        self.declarations.set(form.declarations);
        self.payment_method.set(form.payment_method);
        self.iban.set(form.iban);
        self.account_holder.set(form.account_holder);
        self.joint_holder_name.set(form.joint_holder_name);
        self.mobile.set(form.mobile);
        self.email.set(form.email);
        self.pec.set(form.pec);
    }

    /// The answer to the declaration `id` (empty when unanswered).
    pub fn declaration(self, id: &str) -> String {
        self.declarations.read().get(id).cloned().unwrap_or_default()
    }

    /// Sets the answer to the declaration `id`.
    pub fn set_declaration(self, id: &str, answer: String) {
        self.declarations.update(|answers| {
            answers.insert(id.to_owned(), answer);
        });
    }
}

impl Default for Answers {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a question finds its error message: the citizen's pages and the console each keep their
/// problems their own way.
pub trait FieldErrors: Copy + Send + Sync + 'static {
    /// The message for `field` while it has a problem (reactive, in the page's language).
    fn field(self, field: &'static str) -> Signal<Option<String>>;
    /// The message for a declaration, starting with its short title: the messages of one
    /// declaration and the next read alike ("Spunta la casella…"), as in the error summary.
    fn declaration(self, declaration: &'static Declaration) -> Signal<Option<String>>;
}

impl FieldErrors for FormProblems {
    fn field(self, field: &'static str) -> Signal<Option<String>> {
        FormProblems::field(self, field)
    }
    fn declaration(self, declaration: &'static Declaration) -> Signal<Option<String>> {
        self.declaration_field(declaration.field(), &declaration.short)
    }
}

/// The questions of `step`. `heading`: the step's one question is the page's heading (the
/// citizen's benefit page).
pub fn step_questions<V: Voice>(
    step: ApplicationStep,
    answers: Answers,
    errors: impl FieldErrors,
    heading: bool,
) -> AnyView {
    match step {
        ApplicationStep::Benefit => benefit::<V>(answers, errors, heading),
        ApplicationStep::Declarations => declarations::<V>(answers, errors),
        ApplicationStep::Payment => payment::<V>(answers, errors),
        ApplicationStep::Contacts => contacts::<V>(answers, errors),
    }
}

fn benefit<V: Voice>(answers: Answers, errors: impl FieldErrors, heading: bool) -> AnyView {
    let options = Catalogue::embedded()
        .benefits()
        .iter()
        .map(|b| {
            (
                b.id.as_str(),
                Words::Data(V::benefit_title(b)),
                Some(Words::Data(&b.description)),
            )
        })
        .collect();
    view! {
        <ChoiceField
            id="benefit"
            legend=Text::BenefitHeading.into()
            heading=heading
            hint=Some(V::BENEFIT_HINT.into())
            options=options
            error=errors.field("benefit")
            value=answers.benefit
        />
    }
    .into_any()
}

/// The chosen benefit's declarations, from the catalogue; they follow the choice (on the
/// console's one page it can change under them).
fn declarations<V: Voice>(answers: Answers, errors: impl FieldErrors) -> AnyView {
    dyn_view(Arc::new(move || {
        let Some(benefit) = Catalogue::embedded().benefit(answers.benefit.read().trim()) else {
            return view! { <p>{tr(Text::DeclarationsNoBenefit)}</p> }.into_any();
        };
        let fields = benefit
            .declarations
            .iter()
            .map(|declaration| {
                let value = RwSignal::new(untrack(|| answers.declaration(&declaration.id)));
                crate::ui::effect(move || {
                    let answer = value.get();
                    if untrack(|| answers.declaration(&declaration.id)) != answer {
                        answers.set_declaration(&declaration.id, answer);
                    }
                });
                view! { <DeclarationField declaration=declaration error=errors.declaration(declaration) value=value /> }
            })
            .collect_view();
        view! {
            {V::before_declarations()}
            <p class="lead">{ww(Words::Data(V::benefit_title(benefit)))}</p>
            {fields}
        }
        .into_any()
    }))
    .into_any()
}

/// How to be paid: IBAN (own or joint account) or a transfer to collect at a post office.
fn payment<V: Voice>(answers: Answers, errors: impl FieldErrors) -> AnyView {
    let methods = vec![
        (PAYMENT_IBAN, Text::PaymentIban.into(), None),
        (
            PAYMENT_POST_OFFICE,
            Text::PaymentPostOffice.into(),
            Some(Text::PaymentPostOfficeHint.into()),
        ),
    ];
    let by_iban = move || answers.payment_method.read().trim() == PAYMENT_IBAN;
    let joint = move || answers.account_holder.read().trim() == HOLDER_JOINT;
    let account = dyn_view(Arc::new(move || {
        by_iban()
            .then(|| {
                let holders = vec![
                    (HOLDER_OWN, V::HOLDER_OWN.into(), None),
                    (HOLDER_JOINT, V::HOLDER_JOINT.into(), None),
                ];
                view! {
                    <WordsInput id="iban" label=Text::IbanLabel.into() hint=Some(Text::IbanHint.into())
                        error=errors.field("iban") value=answers.iban class="input--iban" />
                    <ChoiceField id="account_holder" legend=Text::HolderLegend.into() options=holders
                        error=errors.field("account_holder") value=answers.account_holder />
                    {dyn_view(Arc::new(move || joint().then(|| view! {
                        <WordsInput id="joint_holder_name" label=Text::JointHolderLabel.into()
                            error=errors.field("joint_holder_name") value=answers.joint_holder_name class="input--20" />
                    }).into_any()))}
                }
            })
            .into_any()
    }));
    view! {
        <ChoiceField id="payment_method" legend=V::PAYMENT_LEGEND.into() options=methods
            error=errors.field("payment_method") value=answers.payment_method />
        {account}
    }
    .into_any()
}

/// The contacts the receipt goes to. The browser's autofill is offered only in the citizen's own
/// voice: an operator's browser knows the operator's number, not the citizen's.
fn contacts<V: Voice>(answers: Answers, errors: impl FieldErrors) -> AnyView {
    let (tel, email) = if V::AUTOFILL { ("tel", "email") } else { ("off", "off") };
    view! {
        <WordsInput id="mobile" label=Text::MobileLabel.into() hint=Some(Text::MobileHint.into())
            error=errors.field("mobile") value=answers.mobile class="input--20" input_type="tel" autocomplete=tel />
        <WordsInput id="email" label=Text::EmailLabel.into() hint=Some(Text::EmailHint.into())
            error=errors.field("email") value=answers.email input_type="email" autocomplete=email />
        <WordsInput id="pec" label=Text::PecOptionalLabel.into() hint=Some(Text::PecHint.into())
            error=errors.field("pec") value=answers.pec input_type="email" />
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answers_hold_a_form_and_give_it_back() {
        let owner = Owner::new();
        owner.set();
        let answers = Answers::new();
        let mut form = ApplicationForm {
            benefit: "art28".into(),
            payment_method: PAYMENT_IBAN.into(),
            iban: "IT60X0542811101000000123456".into(),
            account_holder: HOLDER_JOINT.into(),
            joint_holder_name: "Maria Rossi".into(),
            mobile: "+39 333 123 4567".into(),
            email: "a@example.it".into(),
            pec: "a@pec.example.it".into(),
            ..ApplicationForm::default()
        };
        form.declarations.insert("no_pension".into(), "yes".into());
        answers.set_form(form.clone());
        assert_eq!(answers.form_untracked(), form);
        assert_eq!(answers.declaration("no_pension"), "yes");
        assert_eq!(answers.declaration("other"), "");
        answers.set_declaration("other", "no".into());
        assert_eq!(
            answers.form_untracked().declarations.get("other").map(String::as_str),
            Some("no")
        );
    }
}
