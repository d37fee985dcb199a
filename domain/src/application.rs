//! The application for the indemnity (the "domanda"): the form's steps and fields, their
//! validation against the benefit catalogue (run by the SPA on each page and again by the API,
//! which trusts nothing the browser says), the validated application and its fingerprint for
//! idempotency, the protocol number of the receipt, and the statuses an application goes through.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::benefits::{Answer, Benefit, Catalogue, DECLARATION_FIELD_PREFIX};
use crate::credential::{Credential, Strength};
use crate::pin_request::ValidPinRequest;
use crate::submission_window::Channel;
use crate::{CodiceFiscale, Email, ErrorCode, FieldErrors, ItalianIban, Lang, MobilePhone, Pec};

/// `payment_method` for a credit to the applicant's Italian bank account.
pub const PAYMENT_IBAN: &str = "iban";
/// `payment_method` for a transfer to be cashed at a post office.
pub const PAYMENT_POST_OFFICE: &str = "post_office";
/// `account_holder` when the account is in the applicant's name only.
pub const HOLDER_OWN: &str = "own";
/// `account_holder` when the account is in joint names.
pub const HOLDER_JOINT: &str = "joint";

/// The pages of the application, in order (check-your-answers and the receipt follow them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStep {
    /// Which indemnity.
    Benefit,
    /// That indemnity's self-declarations.
    Declarations,
    /// How to be paid.
    Payment,
    /// Mobile, e-mail, PEC.
    Contacts,
}

impl ApplicationStep {
    /// Every step, in order.
    pub const ALL: [ApplicationStep; 4] = [
        ApplicationStep::Benefit,
        ApplicationStep::Declarations,
        ApplicationStep::Payment,
        ApplicationStep::Contacts,
    ];

    /// The fixed fields asked on this step, in page order. The declarations step's fields
    /// depend on the benefit (`decl.<id>`): see [`ApplicationStep::fields_for`].
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            ApplicationStep::Benefit => &["benefit"],
            ApplicationStep::Declarations => &[],
            ApplicationStep::Payment => &["payment_method", "iban", "account_holder", "joint_holder_name"],
            ApplicationStep::Contacts => &["mobile", "email", "pec"],
        }
    }

    /// The fields asked on this step for `benefit`, in page order.
    pub fn fields_for(self, benefit: Option<&Benefit>) -> Vec<String> {
        match (self, benefit) {
            (ApplicationStep::Declarations, Some(b)) => b.declarations.iter().map(|d| d.field()).collect(),
            _ => self.fields().iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    /// The step that asks `field`.
    pub fn of_field(field: &str) -> Option<ApplicationStep> {
        if field.starts_with(DECLARATION_FIELD_PREFIX) {
            return Some(ApplicationStep::Declarations);
        }
        ApplicationStep::ALL.into_iter().find(|s| s.fields().contains(&field))
    }

    /// The URL slug of the step's page.
    pub fn slug(self) -> &'static str {
        match self {
            ApplicationStep::Benefit => "indennita",
            ApplicationStep::Declarations => "dichiarazioni",
            ApplicationStep::Payment => "pagamento",
            ApplicationStep::Contacts => "contatti",
        }
    }

    /// The step with that slug.
    pub fn from_slug(slug: &str) -> Option<ApplicationStep> {
        ApplicationStep::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// Limits on a draft, which the server stores whenever the citizen presses Avanti: generous for
/// any real answer, small enough that a draft cannot be used to store junk.
const MAX_DRAFT_ANSWERS: usize = 64;
const MAX_DRAFT_KEY: usize = 64;
const MAX_DRAFT_VALUE: usize = 256;

/// What the citizen typed, exactly as typed (so that nothing is lost and the pages can show it
/// back); also the shape of a saved draft. Validation turns it into a [`ValidApplication`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(examples(ApplicationForm::example))
)]
pub struct ApplicationForm {
    /// The chosen benefit's id (`art27`).
    pub benefit: String,
    /// Answers by declaration id (`pensioner` → `no`). Answers to another benefit's declarations
    /// may stay here while the citizen changes their mind; validation ignores them.
    pub declarations: BTreeMap<String, String>,
    /// [`PAYMENT_IBAN`] or [`PAYMENT_POST_OFFICE`].
    pub payment_method: String,
    /// The IBAN, when paid by credit.
    pub iban: String,
    /// [`HOLDER_OWN`] or [`HOLDER_JOINT`], when paid by credit.
    pub account_holder: String,
    /// The other holder's name and surname, for a joint account.
    pub joint_holder_name: String,
    /// Mobile with +39 (prefilled from the PIN request).
    pub mobile: String,
    /// E-mail (prefilled from the PIN request).
    pub email: String,
    /// PEC, optional here (prefilled from the PIN request).
    pub pec: String,
}

/// Whose name the bank account is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AccountHolder {
    /// The applicant's alone.
    Own,
    /// The applicant's and another person's.
    Joint {
        /// The other holder's name and surname.
        co_holder: String,
    },
}

/// How the indemnity is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Payment {
    /// Credit to an Italian account in the applicant's own or joint name.
    Iban {
        /// The account.
        iban: ItalianIban,
        /// Whose name it is in.
        holder: AccountHolder,
    },
    /// A transfer to be cashed at a post office.
    PostOffice,
}

/// Where the applicant can be reached about the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contacts {
    /// Mobile with +39.
    pub mobile: MobilePhone,
    /// E-mail.
    pub email: Email,
    /// PEC, if the applicant has one.
    pub pec: Option<Pec>,
}

/// An application that passed every check: what the citizen declares, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidApplication {
    /// The benefit's id.
    pub benefit: String,
    /// The answers to that benefit's declarations (and only those), by declaration id.
    pub declarations: BTreeMap<String, Answer>,
    /// How to pay.
    pub payment: Payment,
    /// Contacts.
    pub contacts: Contacts,
}

/// A name and surname: 1–120 characters, at least one letter; letters, spaces, apostrophes,
/// hyphens and dots only. (The PIN request applies the same rule to each of name and surname.)
fn check_person_name(value: &str) -> Result<String, ErrorCode> {
    crate::pin_request::check_name_up_to(value, 120)
}

fn required<T, E: Into<ErrorCode>>(value: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<T, ErrorCode> {
    if value.trim().is_empty() {
        Err(ErrorCode::Required)
    } else {
        parse(value).map_err(Into::into)
    }
}

impl ApplicationForm {
    /// The API contract's example (`/api/openapi.json`): the embedded catalogue's first benefit,
    /// answered as [`ApplicationForm::eligible_for`] does. A unit test keeps it valid, so that
    /// intermediaries and the fuzzer start from a form that passes.
    pub fn example() -> Self {
        Catalogue::embedded()
            .benefits()
            .first()
            .map(ApplicationForm::eligible_for)
            .unwrap_or_default()
    }

    /// A complete form for `benefit` with answers that keep the applicant eligible (worked out
    /// from each declaration's rule), paid by credit to the applicant's own account, no PEC.
    pub fn eligible_for(benefit: &Benefit) -> Self {
        ApplicationForm {
            benefit: benefit.id.clone(),
            declarations: benefit
                .declarations
                .iter()
                .map(|d| (d.id.clone(), d.eligible_answer()))
                .collect(),
            payment_method: PAYMENT_IBAN.into(),
            iban: "IT60 X054 2811 1010 0000 0123 456".into(),
            account_holder: HOLDER_OWN.into(),
            joint_holder_name: String::new(),
            mobile: "+39 333 123 4567".into(),
            email: "mario.rossi@example.it".into(),
            pec: String::new(),
        }
    }

    /// A new form with the contacts given in the PIN request.
    pub fn from_pin_request(pin: &ValidPinRequest) -> Self {
        let mut form = ApplicationForm::default();
        form.prefill_contacts(&pin.mobile.formatted(), pin.email.as_str(), pin.pec.as_str());
        form
    }

    /// Fills the contact fields that are still empty, keeping whatever the citizen already typed.
    pub fn prefill_contacts(&mut self, mobile: &str, email: &str, pec: &str) {
        for (field, value) in [
            (&mut self.mobile, mobile),
            (&mut self.email, email),
            (&mut self.pec, pec),
        ] {
            if field.trim().is_empty() {
                *field = value.to_owned();
            }
        }
    }

    /// Whether the form is small enough to be stored as a draft (the API refuses larger ones:
    /// no real answer comes near the limits).
    pub fn fits_draft_limits(&self) -> bool {
        let short = |s: &String| s.len() <= MAX_DRAFT_VALUE;
        self.declarations.len() <= MAX_DRAFT_ANSWERS
            && self
                .declarations
                .iter()
                .all(|(k, v)| k.len() <= MAX_DRAFT_KEY && short(v))
            && [
                &self.benefit,
                &self.payment_method,
                &self.iban,
                &self.account_holder,
                &self.joint_holder_name,
                &self.mobile,
                &self.email,
                &self.pec,
            ]
            .into_iter()
            .all(short)
    }

    /// Validates the fields of `step`. On the declarations step without a valid benefit, the
    /// error is on `benefit`: the page should send the citizen back to the choice.
    pub fn validate_step(&self, step: ApplicationStep, catalogue: &Catalogue) -> FieldErrors {
        let mut errors = FieldErrors::new();
        match step {
            ApplicationStep::Benefit => {
                self.benefit(catalogue, &mut errors);
            }
            ApplicationStep::Declarations => {
                if let Some(benefit) = self.benefit(catalogue, &mut errors) {
                    self.answers(benefit, &mut errors);
                }
            }
            ApplicationStep::Payment => {
                self.payment(&mut errors);
            }
            ApplicationStep::Contacts => {
                self.contacts(&mut errors);
            }
        }
        errors
    }

    /// Validates every step; the first error of each field, in page order.
    pub fn validate(&self, catalogue: &Catalogue) -> Result<ValidApplication, FieldErrors> {
        let mut errors = FieldErrors::new();
        let benefit = self.benefit(catalogue, &mut errors);
        let declarations = benefit.map(|b| self.answers(b, &mut errors));
        let payment = self.payment(&mut errors);
        let contacts = self.contacts(&mut errors);
        match (benefit, declarations, payment, contacts) {
            (Some(benefit), Some(declarations), Some(payment), Some(contacts)) if errors.is_empty() => {
                Ok(ValidApplication {
                    benefit: benefit.id.clone(),
                    declarations,
                    payment,
                    contacts,
                })
            }
            _ => Err(errors),
        }
    }

    fn benefit<'c>(&self, catalogue: &'c Catalogue, errors: &mut FieldErrors) -> Option<&'c Benefit> {
        let found = catalogue.benefit(self.benefit.trim());
        if found.is_none() {
            errors.add("benefit", ErrorCode::BenefitChoose);
        }
        found
    }

    /// The answers to `benefit`'s declarations, checked one by one from the catalogue's rules.
    fn answers(&self, benefit: &Benefit, errors: &mut FieldErrors) -> BTreeMap<String, Answer> {
        let mut answers = BTreeMap::new();
        for declaration in &benefit.declarations {
            let typed = self.declarations.get(&declaration.id).map(String::as_str);
            if let Some(answer) = errors.check(&declaration.field(), declaration.check(typed)) {
                answers.insert(declaration.id.clone(), answer);
            }
        }
        answers
    }

    fn payment(&self, errors: &mut FieldErrors) -> Option<Payment> {
        match self.payment_method.trim() {
            PAYMENT_POST_OFFICE => Some(Payment::PostOffice),
            PAYMENT_IBAN => {
                let iban = errors.check("iban", required(&self.iban, ItalianIban::parse));
                let holder = match self.account_holder.trim() {
                    HOLDER_OWN => Some(AccountHolder::Own),
                    HOLDER_JOINT => errors
                        .check("joint_holder_name", check_person_name(&self.joint_holder_name))
                        .map(|co_holder| AccountHolder::Joint { co_holder }),
                    _ => {
                        errors.add("account_holder", ErrorCode::AccountHolder);
                        None
                    }
                };
                Some(Payment::Iban {
                    iban: iban?,
                    holder: holder?,
                })
            }
            _ => {
                errors.add("payment_method", ErrorCode::PaymentMethod);
                None
            }
        }
    }

    fn contacts(&self, errors: &mut FieldErrors) -> Option<Contacts> {
        let mobile = errors.check("mobile", required(&self.mobile, MobilePhone::parse));
        let email = errors.check("email", required(&self.email, Email::parse));
        let pec = if self.pec.trim().is_empty() {
            Some(None)
        } else {
            errors.check("pec", Pec::parse(&self.pec)).map(Some)
        };
        Some(Contacts {
            mobile: mobile?,
            email: email?,
            pec: pec?,
        })
    }
}

/// `value` as JSON with every object's keys sorted and no spaces: one text per value, whatever
/// the field order of the structs or the map implementation serde_json was built with.
fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => out.push_str(&value.to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
    }
}

impl ValidApplication {
    /// The application as canonical JSON (sorted keys, no spaces).
    pub fn canonical_json(&self) -> String {
        let value = serde_json::to_value(self).expect("an application always serialises");
        let mut out = String::new();
        write_canonical(&value, &mut out);
        out
    }

    /// SHA-256 of [`ValidApplication::canonical_json`], in lower-case hex: equal for the same
    /// application however it was typed (spaces in the IBAN, case of the e-mail domain), different
    /// for any change of content. The API stores it with an idempotency key to tell a retry
    /// (same fingerprint) from a different application sent with the same key. Stored
    /// fingerprints must stay comparable: a test pins the value of a known application.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.canonical_json().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The form that gives back this application (to edit it from check-your-answers).
    pub fn to_form(&self) -> ApplicationForm {
        let (payment_method, iban, account_holder, joint_holder_name) = match &self.payment {
            Payment::PostOffice => (PAYMENT_POST_OFFICE, String::new(), "", String::new()),
            Payment::Iban { iban, holder } => match holder {
                AccountHolder::Own => (PAYMENT_IBAN, iban.formatted(), HOLDER_OWN, String::new()),
                AccountHolder::Joint { co_holder } => (PAYMENT_IBAN, iban.formatted(), HOLDER_JOINT, co_holder.clone()),
            },
        };
        ApplicationForm {
            benefit: self.benefit.clone(),
            declarations: self
                .declarations
                .iter()
                .map(|(id, answer)| (id.clone(), answer.form_value()))
                .collect(),
            payment_method: payment_method.to_owned(),
            iban,
            account_holder: account_holder.to_owned(),
            joint_holder_name,
            mobile: self.contacts.mobile.formatted(),
            email: self.contacts.email.as_str().to_owned(),
            pec: self
                .contacts
                .pec
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
        }
    }
}

// --- the receipt's protocol number ------------------------------------------------------------

/// Why a string is not a protocol number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    /// Not `INPS-COVID-YYYY-NNNNNNN`, or a year or sequence out of range.
    #[error("not a protocol number of the form INPS-COVID-YYYY-NNNNNNN")]
    Invalid,
}

impl From<ProtocolError> for ErrorCode {
    fn from(_: ProtocolError) -> Self {
        ErrorCode::ProtocolInvalid
    }
}

/// The number on the receipt: `INPS-COVID-2026-0000123` — the year of submission and a
/// sequence number (1 to 9,999,999) within that year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProtocolNumber {
    year: u16,
    sequence: u32,
}

const PROTOCOL_PREFIX: &str = "INPS-COVID-";

impl ProtocolNumber {
    /// The largest sequence number a year can have.
    pub const MAX_SEQUENCE: u32 = 9_999_999;

    /// The protocol number `sequence` of `year` (2020 to 9999).
    pub fn new(year: i32, sequence: u32) -> Result<Self, ProtocolError> {
        if !(2020..=9999).contains(&year) || !(1..=Self::MAX_SEQUENCE).contains(&sequence) {
            return Err(ProtocolError::Invalid);
        }
        Ok(ProtocolNumber {
            year: u16::try_from(year).map_err(|_| ProtocolError::Invalid)?,
            sequence,
        })
    }

    /// Parses a protocol number as printed on the receipt (case and surrounding spaces ignored).
    pub fn parse(input: &str) -> Result<Self, ProtocolError> {
        let upper = input.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix(PROTOCOL_PREFIX).ok_or(ProtocolError::Invalid)?;
        let (year, sequence) = rest.split_once('-').ok_or(ProtocolError::Invalid)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(sequence, 7) {
            return Err(ProtocolError::Invalid);
        }
        ProtocolNumber::new(
            year.parse().map_err(|_| ProtocolError::Invalid)?,
            sequence.parse().map_err(|_| ProtocolError::Invalid)?,
        )
    }

    /// The year of submission.
    pub fn year(self) -> i32 {
        i32::from(self.year)
    }

    /// The sequence number within the year.
    pub fn sequence(self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for ProtocolNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PROTOCOL_PREFIX}{:04}-{:07}", self.year, self.sequence)
    }
}

impl TryFrom<String> for ProtocolNumber {
    type Error = ProtocolError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        ProtocolNumber::parse(&value)
    }
}

impl From<ProtocolNumber> for String {
    fn from(p: ProtocolNumber) -> Self {
        p.to_string()
    }
}

// --- status --------------------------------------------------------------------------------------

/// Where an application stands: submitted → under review → accepted | rejected; accepted → paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ApplicationStatus {
    /// Received, with a protocol number.
    Submitted,
    /// Being checked by INPS.
    UnderReview,
    /// Granted: payment will follow.
    Accepted,
    /// Refused.
    Rejected,
    /// The indemnity was paid.
    Paid,
    /// Held: the citizen reported it as not theirs (it was made with a simplified PIN someone else
    /// requested). Only staff move it on, after checking who made it.
    Suspended,
}

impl ApplicationStatus {
    /// Every status, in the order of the story.
    pub const ALL: [ApplicationStatus; 6] = [
        ApplicationStatus::Submitted,
        ApplicationStatus::UnderReview,
        ApplicationStatus::Accepted,
        ApplicationStatus::Rejected,
        ApplicationStatus::Paid,
        ApplicationStatus::Suspended,
    ];

    /// The wire and storage form.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::UnderReview => "under_review",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Paid => "paid",
            ApplicationStatus::Suspended => "suspended",
        }
    }

    /// Parses the storage form.
    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        ApplicationStatus::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// How the status reads in "Le mie domande".
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ApplicationStatus::Submitted, Lang::It) => "Presentata",
            (ApplicationStatus::Submitted, Lang::En) => "Submitted",
            (ApplicationStatus::UnderReview, Lang::It) => "In istruttoria",
            (ApplicationStatus::UnderReview, Lang::En) => "Under review",
            (ApplicationStatus::Accepted, Lang::It) => "Accolta",
            (ApplicationStatus::Accepted, Lang::En) => "Accepted",
            (ApplicationStatus::Rejected, Lang::It) => "Respinta",
            (ApplicationStatus::Rejected, Lang::En) => "Rejected",
            (ApplicationStatus::Paid, Lang::It) => "Pagata",
            (ApplicationStatus::Paid, Lang::En) => "Paid",
            (ApplicationStatus::Suspended, Lang::It) => "Sospesa",
            (ApplicationStatus::Suspended, Lang::En) => "Suspended",
        }
    }

    /// The statuses this one may move to.
    pub fn next(self) -> &'static [ApplicationStatus] {
        match self {
            ApplicationStatus::Submitted => &[ApplicationStatus::UnderReview, ApplicationStatus::Suspended],
            ApplicationStatus::UnderReview => &[
                ApplicationStatus::Accepted,
                ApplicationStatus::Rejected,
                ApplicationStatus::Suspended,
            ],
            ApplicationStatus::Accepted => &[ApplicationStatus::Paid, ApplicationStatus::Suspended],
            // Staff check who made a suspended application, then review or refuse it.
            ApplicationStatus::Suspended => &[ApplicationStatus::UnderReview, ApplicationStatus::Rejected],
            ApplicationStatus::Rejected | ApplicationStatus::Paid => &[],
        }
    }

    /// Whether an application in this status may move to `next`.
    pub fn can_move_to(self, next: ApplicationStatus) -> bool {
        self.next().contains(&next)
    }

    /// Whether nothing can follow (rejected or paid).
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }
}

/// Whether a citizen's report that an application is not theirs suspends it: only one made with
/// the simplified PIN (which anyone who knows a person's data could have requested) and not yet
/// paid, refused or suspended. Anything made with a stronger credential is the citizen's to explain
/// to the Contact Center.
pub fn report_suspends(made_with: Credential, status: ApplicationStatus) -> bool {
    made_with.strength() == Strength::SimplifiedPin && status.can_move_to(ApplicationStatus::Suspended)
}

/// One entry of an application's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The status entered.
    pub status: ApplicationStatus,
    /// When.
    pub at: DateTime<Utc>,
    /// Who: `citizen`, `contact_center:<operator>`, `admin:<name>`…
    pub by: String,
    /// Why, when the change needs one (a suspension: who reported the application and how).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Why a change of status was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StatusError {
    /// The status cannot follow the current one.
    #[error("an application that is {} cannot become {}", from.as_str(), to.as_str())]
    NotAllowed {
        /// The current status.
        from: ApplicationStatus,
        /// The one asked for.
        to: ApplicationStatus,
    },
    /// The change is dated before the previous one.
    #[error("a change of status cannot be dated before the previous one")]
    BeforePrevious,
    /// A stored history that does not start with the submission.
    #[error("an application's history must start with its submission")]
    NotSubmittedFirst,
}

impl From<StatusError> for ErrorCode {
    fn from(_: StatusError) -> Self {
        ErrorCode::StatusTransition
    }
}

/// A submitted application: the receipt's number, who applied and how, what they declared,
/// and its history of statuses (never empty, the first being the submission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredApplication")]
pub struct Application {
    /// The receipt's protocol number.
    pub protocol: ProtocolNumber,
    /// The applicant.
    pub applicant: CodiceFiscale,
    /// The channel it came through.
    pub channel: Channel,
    /// The catalogue version whose declaration texts the applicant made.
    pub catalogue_version: String,
    /// What the applicant declared.
    pub content: ValidApplication,
    history: Vec<StatusChange>,
}

/// [`Application`] as stored, before its history is checked.
#[derive(Deserialize)]
struct StoredApplication {
    protocol: ProtocolNumber,
    applicant: CodiceFiscale,
    channel: Channel,
    catalogue_version: String,
    content: ValidApplication,
    history: Vec<StatusChange>,
}

impl TryFrom<StoredApplication> for Application {
    type Error = StatusError;
    fn try_from(stored: StoredApplication) -> Result<Self, Self::Error> {
        let mut changes = stored.history.into_iter();
        let first = changes
            .next()
            .filter(|c| c.status == ApplicationStatus::Submitted)
            .ok_or(StatusError::NotSubmittedFirst)?;
        let mut application = Application::submitted(
            stored.protocol,
            stored.applicant,
            stored.channel,
            stored.catalogue_version,
            stored.content,
            first.at,
            first.by,
        );
        for change in changes {
            application.move_because(change.status, change.at, change.by, change.reason)?;
        }
        Ok(application)
    }
}

impl Application {
    /// A new application, submitted at `at` by `by`.
    pub fn submitted(
        protocol: ProtocolNumber,
        applicant: CodiceFiscale,
        channel: Channel,
        catalogue_version: String,
        content: ValidApplication,
        at: DateTime<Utc>,
        by: String,
    ) -> Self {
        Application {
            protocol,
            applicant,
            channel,
            catalogue_version,
            content,
            history: vec![StatusChange {
                status: ApplicationStatus::Submitted,
                at,
                by,
                reason: None,
            }],
        }
    }

    /// The current status.
    pub fn status(&self) -> ApplicationStatus {
        self.last().status
    }

    /// When it was submitted (the receipt's date and time).
    pub fn submitted_at(&self) -> DateTime<Utc> {
        self.history[0].at
    }

    /// Every change of status, oldest first.
    pub fn history(&self) -> &[StatusChange] {
        &self.history
    }

    fn last(&self) -> &StatusChange {
        self.history.last().expect("the history starts with the submission")
    }

    /// Moves to `next` at `at`, recording who did it; refused if `next` cannot follow the
    /// current status or `at` is before the previous change.
    pub fn move_to(&mut self, next: ApplicationStatus, at: DateTime<Utc>, by: String) -> Result<(), StatusError> {
        self.move_because(next, at, by, None)
    }

    /// Moves to `next` like [`Application::move_to`], recording why.
    pub fn move_because(
        &mut self,
        next: ApplicationStatus,
        at: DateTime<Utc>,
        by: String,
        reason: Option<String>,
    ) -> Result<(), StatusError> {
        let last = self.last();
        if !last.status.can_move_to(next) {
            return Err(StatusError::NotAllowed {
                from: last.status,
                to: next,
            });
        }
        if at < last.at {
            return Err(StatusError::BeforePrevious);
        }
        self.history.push(StatusChange {
            status: next,
            at,
            by,
            reason,
        });
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

    fn catalogue() -> &'static Catalogue {
        Catalogue::embedded()
    }

    /// A complete, eligible form for `benefit`, paid by credit to the applicant's own account.
    pub(crate) fn form_for(catalogue: &Catalogue, benefit: &str) -> ApplicationForm {
        ApplicationForm::eligible_for(catalogue.benefit(benefit).unwrap())
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    // --- steps -----------------------------------------------------------------------------------

    #[test]
    fn steps_have_italian_slugs_and_find_their_fields() {
        let slugs: Vec<_> = ApplicationStep::ALL.iter().map(|s| s.slug()).collect();
        assert_eq!(slugs, ["indennita", "dichiarazioni", "pagamento", "contatti"]);
        assert_eq!(ApplicationStep::from_slug("pagamento"), Some(ApplicationStep::Payment));
        assert_eq!(ApplicationStep::of_field("iban"), Some(ApplicationStep::Payment));
        assert_eq!(
            ApplicationStep::of_field("decl.pensioner"),
            Some(ApplicationStep::Declarations)
        );
        assert_eq!(ApplicationStep::of_field("codice_fiscale"), None);
        let art30 = catalogue().benefit("art30");
        assert_eq!(
            ApplicationStep::Declarations.fields_for(art30),
            [
                "decl.agricultural_worker",
                "decl.agricultural_days_2019",
                "decl.pensioner",
                "decl.no_other_indemnity",
                "decl.truthful"
            ]
        );
        assert_eq!(ApplicationStep::Contacts.fields_for(art30), ["mobile", "email", "pec"]);
    }

    #[test]
    fn the_contracts_example_is_a_valid_application_for_the_first_indemnity() {
        let valid = ApplicationForm::example().validate(catalogue()).unwrap();
        assert_eq!(valid.benefit, catalogue().benefits()[0].id);
    }

    #[test]
    fn a_complete_eligible_form_is_valid_for_every_indemnity() {
        for b in catalogue().benefits() {
            let valid = form_for(catalogue(), &b.id).validate(catalogue()).unwrap();
            assert_eq!(valid.benefit, b.id);
            assert_eq!(valid.declarations.len(), b.declarations.len(), "{}", b.id);
        }
    }

    #[test]
    fn each_step_reports_only_its_own_fields() {
        let form = ApplicationForm {
            benefit: "art38".into(),
            ..ApplicationForm::default()
        };
        let art38 = catalogue().benefit("art38");
        for step in ApplicationStep::ALL {
            let errors = form.validate_step(step, catalogue());
            let fields = step.fields_for(art38);
            for e in errors.iter() {
                assert!(fields.contains(&e.field), "{step:?} reported {}", e.field);
            }
            if step != ApplicationStep::Benefit {
                assert!(!errors.is_empty(), "{step:?} accepted an empty form");
            }
        }
    }

    #[test]
    fn the_whole_form_reports_every_step_s_errors_in_page_order() {
        let errors = ApplicationForm {
            benefit: "art30".into(),
            ..ApplicationForm::default()
        }
        .validate(catalogue())
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "decl.agricultural_worker",
                "decl.agricultural_days_2019",
                "decl.pensioner",
                "decl.no_other_indemnity",
                "decl.truthful",
                "payment_method",
                "mobile",
                "email",
            ]
        );
    }

    // --- the benefit and its declarations -------------------------------------------------------

    #[test]
    fn no_benefit_or_an_unknown_one_asks_to_choose_from_the_list() {
        for benefit in ["", "art99", "ART27"] {
            let form = ApplicationForm {
                benefit: benefit.into(),
                ..form_for(catalogue(), "art27")
            };
            let errors = form.validate_step(ApplicationStep::Benefit, catalogue());
            assert_eq!(errors.get("benefit"), Some(ErrorCode::BenefitChoose), "{benefit:?}");
        }
    }

    #[test]
    fn the_declarations_page_without_a_benefit_points_back_to_the_choice() {
        let form = ApplicationForm::default();
        let errors = form.validate_step(ApplicationStep::Declarations, catalogue());
        assert_eq!(errors.get("benefit"), Some(ErrorCode::BenefitChoose));
        assert_eq!(errors.iter().count(), 1);
    }

    #[test]
    fn a_pensioner_is_told_the_answer_makes_them_ineligible_on_that_declaration() {
        let mut form = form_for(catalogue(), "art28");
        form.declarations.insert("pensioner".into(), "yes".into());
        let errors = form.validate(catalogue()).unwrap_err();
        assert_eq!(errors.get("decl.pensioner"), Some(ErrorCode::DeclarationIneligible));
        assert_eq!(errors.iter().count(), 1);
    }

    #[test]
    fn an_unticked_declaration_must_be_confirmed() {
        let mut form = form_for(catalogue(), "art27");
        form.declarations.remove("truthful");
        let errors = form.validate_step(ApplicationStep::Declarations, catalogue());
        assert_eq!(errors.get("decl.truthful"), Some(ErrorCode::DeclarationConfirm));
    }

    #[test]
    fn too_few_agricultural_days_and_too_much_income_are_ineligible() {
        let mut form = form_for(catalogue(), "art30");
        form.declarations.insert("agricultural_days_2019".into(), "49".into());
        let errors = form.validate_step(ApplicationStep::Declarations, catalogue());
        assert_eq!(
            errors.get("decl.agricultural_days_2019"),
            Some(ErrorCode::DeclarationIneligible)
        );
        let mut form = form_for(catalogue(), "art38");
        form.declarations.insert("income_2019".into(), "50.001".into());
        let errors = form.validate_step(ApplicationStep::Declarations, catalogue());
        assert_eq!(errors.get("decl.income_2019"), Some(ErrorCode::DeclarationIneligible));
    }

    #[test]
    fn answers_left_over_from_another_benefit_are_ignored_and_dropped() {
        // GIVEN a citizen who answered for art. 30, then chose art. 28
        let mut form = form_for(catalogue(), "art28");
        form.declarations.insert("agricultural_days_2019".into(), "3".into());
        // THEN the stale answer neither blocks nor travels with the application
        let valid = form.validate(catalogue()).unwrap();
        assert!(!valid.declarations.contains_key("agricultural_days_2019"));
    }

    // --- payment -----------------------------------------------------------------------------------

    #[test]
    fn a_post_office_transfer_needs_no_iban_and_drops_one_typed_before() {
        let form = ApplicationForm {
            payment_method: "post_office".into(),
            iban: "not an iban".into(),
            account_holder: String::new(),
            ..form_for(catalogue(), "art27")
        };
        assert_eq!(form.validate(catalogue()).unwrap().payment, Payment::PostOffice);
    }

    #[test]
    fn a_credit_needs_a_valid_italian_iban() {
        for (iban, code) in [
            ("", ErrorCode::Required),
            ("DE89 3704 0044 0532 0130 00", ErrorCode::IbanCountry),
            ("IT60X0542811101000000123457", ErrorCode::IbanChecksum),
        ] {
            let form = ApplicationForm {
                iban: iban.into(),
                ..form_for(catalogue(), "art27")
            };
            let errors = form.validate_step(ApplicationStep::Payment, catalogue());
            assert_eq!(errors.get("iban"), Some(code), "{iban:?}");
        }
    }

    #[test]
    fn a_joint_account_needs_the_other_holder_s_name() {
        let joint = ApplicationForm {
            account_holder: "joint".into(),
            ..form_for(catalogue(), "art27")
        };
        let errors = joint.validate_step(ApplicationStep::Payment, catalogue());
        assert_eq!(errors.get("joint_holder_name"), Some(ErrorCode::Required));
        let named = ApplicationForm {
            joint_holder_name: "Anna D'Amico".into(),
            ..joint
        };
        assert_eq!(
            named.validate(catalogue()).unwrap().payment,
            Payment::Iban {
                iban: ItalianIban::parse("IT60X0542811101000000123456").unwrap(),
                holder: AccountHolder::Joint {
                    co_holder: "Anna D'Amico".into()
                },
            }
        );
    }

    #[test]
    fn the_payment_method_and_account_holder_must_be_chosen() {
        let form = ApplicationForm {
            payment_method: "cash".into(),
            ..form_for(catalogue(), "art27")
        };
        let errors = form.validate_step(ApplicationStep::Payment, catalogue());
        assert_eq!(errors.get("payment_method"), Some(ErrorCode::PaymentMethod));
        let form = ApplicationForm {
            account_holder: String::new(),
            ..form_for(catalogue(), "art27")
        };
        let errors = form.validate_step(ApplicationStep::Payment, catalogue());
        assert_eq!(errors.get("account_holder"), Some(ErrorCode::AccountHolder));
    }

    // --- contacts ----------------------------------------------------------------------------------

    #[test]
    fn contacts_are_prefilled_without_overwriting_what_was_typed() {
        let mut form = ApplicationForm {
            email: "nuovo@example.it".into(),
            ..ApplicationForm::default()
        };
        form.prefill_contacts("+39 333 123 4567", "vecchio@example.it", "mario@pec.example.it");
        assert_eq!(form.mobile, "+39 333 123 4567");
        assert_eq!(form.email, "nuovo@example.it");
        assert_eq!(form.pec, "mario@pec.example.it");
    }

    #[test]
    fn the_pec_is_optional_here_but_must_be_valid_when_given() {
        let form = form_for(catalogue(), "art27");
        assert_eq!(form.validate(catalogue()).unwrap().contacts.pec, None);
        let form = ApplicationForm {
            pec: "mario@pec".into(),
            ..form
        };
        let errors = form.validate_step(ApplicationStep::Contacts, catalogue());
        assert_eq!(errors.get("pec"), Some(ErrorCode::PecInvalid));
    }

    #[test]
    fn a_landline_is_refused_as_the_mobile() {
        let form = ApplicationForm {
            mobile: "06 1234 5678".into(),
            ..form_for(catalogue(), "art27")
        };
        let errors = form.validate_step(ApplicationStep::Contacts, catalogue());
        assert_eq!(errors.get("mobile"), Some(ErrorCode::MobileNotMobile));
    }

    #[test]
    fn drafts_with_oversized_content_are_refused() {
        assert!(form_for(catalogue(), "art38").fits_draft_limits());
        let mut form = ApplicationForm::default();
        form.declarations.insert("x".into(), "y".repeat(MAX_DRAFT_VALUE + 1));
        assert!(!form.fits_draft_limits());
        let mut form = ApplicationForm::default();
        for i in 0..=MAX_DRAFT_ANSWERS {
            form.declarations.insert(format!("k{i}"), "yes".into());
        }
        assert!(!form.fits_draft_limits());
        let form = ApplicationForm {
            email: "a".repeat(MAX_DRAFT_VALUE + 1),
            ..ApplicationForm::default()
        };
        assert!(!form.fits_draft_limits());
    }

    // --- fingerprint -------------------------------------------------------------------------------

    #[test]
    fn the_same_application_typed_differently_has_the_same_fingerprint() {
        let a = form_for(catalogue(), "art38");
        let b = ApplicationForm {
            iban: "it60x0542811101000000123456".into(),
            mobile: "0039 333 1234567".into(),
            email: "mario.rossi@EXAMPLE.IT".into(),
            ..a.clone()
        };
        let (a, b) = (a.validate(catalogue()).unwrap(), b.validate(catalogue()).unwrap());
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), 64);
    }

    #[test]
    fn any_change_of_content_changes_the_fingerprint() {
        let base = form_for(catalogue(), "art38");
        let original = base.validate(catalogue()).unwrap().fingerprint();
        let mut income = base.clone();
        income.declarations.insert("income_2019".into(), "49999".into());
        let post = ApplicationForm {
            payment_method: "post_office".into(),
            ..base.clone()
        };
        let pec = ApplicationForm {
            pec: "mario@pec.example.it".into(),
            ..base
        };
        for changed in [income, post, pec] {
            assert_ne!(changed.validate(catalogue()).unwrap().fingerprint(), original);
        }
    }

    #[test]
    fn the_canonical_json_has_sorted_keys_and_a_pinned_fingerprint() {
        // Stored fingerprints are compared with new ones: this value must never change.
        let valid = form_for(catalogue(), "art28").validate(catalogue()).unwrap();
        assert_eq!(
            valid.canonical_json(),
            concat!(
                r#"{"benefit":"art28","contacts":{"email":"mario.rossi@example.it","mobile":"+393331234567","pec":null},"#,
                r#""declarations":{"no_other_indemnity":"confirmed","pensioner":"no","special_scheme":"confirmed","truthful":"confirmed"},"#,
                r#""payment":{"holder":{"type":"own"},"iban":"IT60X0542811101000000123456","method":"iban"}}"#
            )
        );
        // Independently: printf '%s' '<the JSON above>' | sha256sum
        assert_eq!(
            valid.fingerprint(),
            "b6a551faea3ed9740e062d052d83eb02d5df7f236a58e0de794d352191c92e19"
        );
    }

    #[test]
    fn a_valid_application_gives_back_a_form_that_validates_to_it() {
        let mut form = form_for(catalogue(), "art29");
        form.account_holder = "joint".into();
        form.joint_holder_name = "Anna Bianchi".into();
        form.pec = "mario@pec.example.it".into();
        let valid = form.validate(catalogue()).unwrap();
        assert_eq!(valid.to_form().validate(catalogue()).unwrap(), valid);
        let stored = serde_json::to_string(&valid).unwrap();
        assert_eq!(serde_json::from_str::<ValidApplication>(&stored).unwrap(), valid);
    }

    // --- a sixth indemnity, through the same code ----------------------------------------------------

    #[test]
    fn an_application_for_a_sixth_indemnity_validates_with_no_code_change() {
        let sixth = Catalogue::from_json(include_str!("../data/test/catalogue_with_sixth.json")).unwrap();
        let form = form_for(&sixth, "dl34_art85");
        let valid = form.validate(&sixth).unwrap();
        assert_eq!(valid.declarations["weekly_hours"], Answer::Number(11));
        let mut living_in = form.clone();
        living_in
            .declarations
            .insert("lives_with_employer".into(), "yes".into());
        let errors = living_in.validate(&sixth).unwrap_err();
        assert_eq!(
            errors.get("decl.lives_with_employer"),
            Some(ErrorCode::DeclarationIneligible)
        );
        // The embedded catalogue does not know it.
        let errors = form.validate(catalogue()).unwrap_err();
        assert_eq!(errors.get("benefit"), Some(ErrorCode::BenefitChoose));
    }

    // --- protocol number ---------------------------------------------------------------------------

    #[test]
    fn protocol_numbers_read_like_inps_covid_year_and_seven_digits() {
        let p = ProtocolNumber::new(2026, 123).unwrap();
        assert_eq!(p.to_string(), "INPS-COVID-2026-0000123");
        assert_eq!(ProtocolNumber::parse(" inps-covid-2026-0000123 "), Ok(p));
        assert_eq!((p.year(), p.sequence()), (2026, 123));
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"INPS-COVID-2026-0000123\"");
        assert!(ProtocolNumber::new(2026, 122).unwrap() < p);
        assert!(p < ProtocolNumber::new(2027, 1).unwrap());
    }

    #[test]
    fn malformed_protocol_numbers_are_refused() {
        for bad in [
            "",
            "INPS-COVID-2026-123",
            "INPS-COVID-26-0000123",
            "INPS-COVID-2026-0000000",
            "INPS-COVID-2019-0000001",
            "INPS-2026-0000123",
            "INPS-COVID-2026-00001234",
            "INPS-COVID-2026-+000123",
        ] {
            assert_eq!(ProtocolNumber::parse(bad), Err(ProtocolError::Invalid), "{bad:?}");
        }
        assert!(ProtocolNumber::new(2026, ProtocolNumber::MAX_SEQUENCE + 1).is_err());
        assert_eq!(ErrorCode::from(ProtocolError::Invalid), ErrorCode::ProtocolInvalid);
    }

    // --- status ------------------------------------------------------------------------------------

    #[test]
    fn statuses_move_only_forward_and_paid_only_after_accepted() {
        use ApplicationStatus::*;
        let allowed = [
            (Submitted, UnderReview),
            (UnderReview, Accepted),
            (UnderReview, Rejected),
            (Accepted, Paid),
            (Submitted, Suspended),
            (UnderReview, Suspended),
            (Accepted, Suspended),
            (Suspended, UnderReview),
            (Suspended, Rejected),
        ];
        for from in ApplicationStatus::ALL {
            for to in ApplicationStatus::ALL {
                assert_eq!(from.can_move_to(to), allowed.contains(&(from, to)), "{from:?} → {to:?}");
            }
        }
        assert!(Rejected.is_final() && Paid.is_final() && !Accepted.is_final());
        assert_eq!(ApplicationStatus::parse("under_review"), Some(UnderReview));
        assert_eq!(UnderReview.label(Lang::It), "In istruttoria");
    }

    fn submitted() -> Application {
        Application::submitted(
            ProtocolNumber::new(2026, 1).unwrap(),
            CodiceFiscale::generate(&crate::PersonalData {
                given_name: "Mario".into(),
                surname: "Rossi".into(),
                sex: crate::Sex::Male,
                birth_date: NaiveDate::from_ymd_opt(1985, 12, 10).unwrap(),
                birth_place_code: "H501".into(),
            }),
            Channel::WebCitizen,
            catalogue().version().to_owned(),
            form_for(catalogue(), "art30").validate(catalogue()).unwrap(),
            at("2026-11-24T17:00:00Z"),
            "citizen".into(),
        )
    }

    #[test]
    fn an_application_records_each_change_of_status_with_time_and_author() {
        let mut app = submitted();
        assert_eq!(app.status(), ApplicationStatus::Submitted);
        let review = at("2026-11-25T09:00:00Z");
        app.move_to(ApplicationStatus::UnderReview, review, "admin:rossi".into())
            .unwrap();
        app.move_to(
            ApplicationStatus::Accepted,
            review + Duration::days(3),
            "admin:rossi".into(),
        )
        .unwrap();
        app.move_to(
            ApplicationStatus::Paid,
            review + Duration::days(10),
            "admin:bianchi".into(),
        )
        .unwrap();
        let statuses: Vec<_> = app.history().iter().map(|c| c.status).collect();
        assert_eq!(
            statuses,
            [
                ApplicationStatus::Submitted,
                ApplicationStatus::UnderReview,
                ApplicationStatus::Accepted,
                ApplicationStatus::Paid
            ]
        );
        assert_eq!(app.submitted_at(), at("2026-11-24T17:00:00Z"));
        assert_eq!(app.history()[3].by, "admin:bianchi");
    }

    #[test]
    fn a_rejected_application_cannot_be_paid_and_time_cannot_run_backwards() {
        let mut app = submitted();
        assert_eq!(
            app.move_to(ApplicationStatus::Paid, at("2026-11-25T09:00:00Z"), "admin".into()),
            Err(StatusError::NotAllowed {
                from: ApplicationStatus::Submitted,
                to: ApplicationStatus::Paid
            })
        );
        assert_eq!(
            app.move_to(
                ApplicationStatus::UnderReview,
                at("2026-11-24T16:00:00Z"),
                "admin".into()
            ),
            Err(StatusError::BeforePrevious)
        );
        app.move_to(
            ApplicationStatus::UnderReview,
            at("2026-11-25T09:00:00Z"),
            "admin".into(),
        )
        .unwrap();
        app.move_to(ApplicationStatus::Rejected, at("2026-11-26T09:00:00Z"), "admin".into())
            .unwrap();
        let refused = app.move_to(ApplicationStatus::Paid, at("2026-11-27T09:00:00Z"), "admin".into());
        assert!(refused.is_err());
        assert_eq!(ErrorCode::from(refused.unwrap_err()), ErrorCode::StatusTransition);
        assert_eq!(app.history().len(), 3);
    }

    #[test]
    fn a_report_suspends_only_an_unpaid_simplified_pin_application_and_the_reason_is_kept() {
        use ApplicationStatus::*;
        assert!(report_suspends(Credential::SimplifiedPin, Submitted));
        assert!(report_suspends(Credential::SimplifiedPin, Accepted));
        assert!(!report_suspends(Credential::SimplifiedPin, Paid));
        assert!(!report_suspends(Credential::SimplifiedPin, Suspended));
        assert!(!report_suspends(Credential::FullPin, Submitted));
        assert!(!report_suspends(Credential::SpidL2, Submitted));
        let mut app = submitted();
        app.move_because(
            Suspended,
            at("2026-11-25T09:00:00Z"),
            "citizen".into(),
            Some("reported by the citizen (spid_l2)".into()),
        )
        .unwrap();
        let json = serde_json::to_string(&app).unwrap();
        let back: Application = serde_json::from_str(&json).unwrap();
        assert_eq!(back.status(), Suspended);
        assert_eq!(
            back.history()[1].reason.as_deref(),
            Some("reported by the citizen (spid_l2)")
        );
        assert!(!json.contains("\"reason\":null"), "no reason, no field: {json}");
    }

    #[test]
    fn a_stored_application_is_read_back_only_with_a_consistent_history() {
        let mut app = submitted();
        app.move_to(
            ApplicationStatus::UnderReview,
            at("2026-11-25T09:00:00Z"),
            "admin".into(),
        )
        .unwrap();
        let json = serde_json::to_value(&app).unwrap();
        assert_eq!(serde_json::from_value::<Application>(json.clone()).unwrap(), app);
        let mut skipped = json.clone();
        skipped["history"][1]["status"] = "paid".into();
        assert!(serde_json::from_value::<Application>(skipped).is_err());
        let mut empty = json;
        empty["history"] = serde_json::json!([]);
        assert!(serde_json::from_value::<Application>(empty).is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Forms built from plausible and implausible values for every field.
        fn forms() -> impl Strategy<Value = ApplicationForm> {
            let benefit = prop_oneof![
                Just(""),
                Just("art27"),
                Just("art29"),
                Just("art30"),
                Just("art38"),
                Just("x")
            ];
            let answer = prop_oneof![
                Just(""),
                Just("yes"),
                Just("no"),
                Just("2019-06-30"),
                Just("2018-01-01"),
                Just("40"),
                Just("60"),
                Just("50.000"),
                Just("1,5")
            ];
            let answers = proptest::collection::btree_map(
                prop_oneof![
                    Just("pensioner"),
                    Just("truthful"),
                    Just("no_other_indemnity"),
                    Just("seasonal_job_end"),
                    Just("agricultural_days_2019"),
                    Just("income_2019"),
                    Just("entertainment_contributions_2019"),
                    Just("vat_or_collaboration"),
                    Just("separate_scheme"),
                    Just("employed_on_17_march_2020"),
                ],
                answer,
                0..10,
            );
            (
                benefit,
                answers,
                prop_oneof![Just(""), Just("iban"), Just("post_office")],
                prop_oneof![
                    Just(""),
                    Just("IT60X0542811101000000123456"),
                    Just("IT60X0542811101000000123457")
                ],
                prop_oneof![Just(""), Just("own"), Just("joint")],
                prop_oneof![Just(""), Just("Anna Bianchi"), Just("4nna")],
                prop_oneof![Just(""), Just("+39 333 123 4567"), Just("333 1234567")],
                prop_oneof![Just(""), Just("a@b.it"), Just("a@b")],
            )
                .prop_map(|(benefit, answers, method, iban, holder, joint, mobile, email)| {
                    ApplicationForm {
                        benefit: benefit.into(),
                        declarations: answers.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
                        payment_method: method.into(),
                        iban: iban.into(),
                        account_holder: holder.into(),
                        joint_holder_name: joint.into(),
                        mobile: mobile.into(),
                        email: email.into(),
                        pec: String::new(),
                    }
                })
        }

        proptest! {
            #[test]
            fn the_server_s_whole_check_agrees_with_the_browser_s_step_checks(form in forms()) {
                let mut by_step = FieldErrors::new();
                for step in ApplicationStep::ALL {
                    for e in form.validate_step(step, catalogue()).iter() {
                        by_step.add(&e.field, e.code);
                    }
                }
                match form.validate(catalogue()) {
                    Ok(valid) => {
                        prop_assert!(by_step.is_empty());
                        prop_assert_eq!(valid.to_form().validate(catalogue()), Ok(valid.clone()));
                    }
                    Err(errors) => prop_assert_eq!(errors, by_step),
                }
            }

            #[test]
            fn protocol_numbers_round_trip(year in 2020i32..=9999, sequence in 1u32..=ProtocolNumber::MAX_SEQUENCE) {
                let p = ProtocolNumber::new(year, sequence).unwrap();
                prop_assert_eq!(ProtocolNumber::parse(&p.to_string()), Ok(p));
                prop_assert_eq!(p.to_string().len(), "INPS-COVID-2026-0000123".len());
            }
        }
    }
}
