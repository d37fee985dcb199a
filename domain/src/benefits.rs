//! The benefit catalogue: the indemnities a citizen can apply for and the self-declarations
//! (DPR 445/2000) that go with each, as data (`data/benefits.json`, embedded at build time).
//!
//! The SPA renders the declaration pages from it and the API validates answers against it with
//! the same generic code ([`Declaration::check`]), so a new indemnity is a data change only.
//!
//! The file's shape, checked strictly by [`Catalogue::from_json`] (unknown fields are errors, so a
//! typo such as `eligble_min` cannot silently drop a rule):
//!
//! ```json
//! { "version": "2020-03-17",
//!   "benefits": [ { "id": "art30", "decree": "D.L. 18/2020", "article": "30", "amount_euro": 600,
//!                   "title": {"it": "…", "en": "…"}, "description": {"it": "…", "en": "…"},
//!                   "declarations": [ { "id": "…", "kind": "…", "text": {…}, "hint": {…}, …rule } ] } ],
//!   "common_declarations": [ …asked after each benefit's own… ] }
//! ```
//!
//! Declaration kinds and their rules:
//! - `confirm`: a checkbox that must be ticked (the statement must be true);
//! - `yes_no`: a required answer; `eligible_answer` (`yes` | `no`), when given, is the one that
//!   keeps the citizen eligible;
//! - `date`: a real date; `eligible_from` / `eligible_to` (inclusive, `YYYY-MM-DD`) bound the
//!   eligible ones;
//! - `number`: a whole number in `min..=max` (what is possible at all: outside it is a typing
//!   mistake); `eligible_min` / `eligible_max` (inclusive) bound the eligible ones; `unit` names it.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{ErrorCode, Lang};

/// The catalogue shipped with this build.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
const EMBEDDED_JSON: &str = include_str!("../data/benefits.json");

/// Prefix of the form field of a declaration: the answer to `pensioner` is field `decl.pensioner`.
pub const DECLARATION_FIELD_PREFIX: &str = "decl.";

/// Longest id accepted for a benefit or a declaration.
const MAX_ID_LEN: usize = 40;

/// A text in both of the service's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Italian.
    pub it: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::It => &self.it,
            Lang::En => &self.en,
        }
    }
}

/// An answer to a yes/no question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
}

/// What kind of answer a declaration takes, and which answers keep the citizen eligible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeclarationKind {
    /// A statement the citizen must confirm by ticking a box.
    Confirm,
    /// A yes/no question that must be answered.
    YesNo {
        /// The answer that keeps the citizen eligible; `None` when both do.
        eligible_answer: Option<YesNo>,
    },
    /// A date; eligible when within the bounds (inclusive) that are given.
    Date {
        /// The earliest eligible date.
        eligible_from: Option<NaiveDate>,
        /// The latest eligible date.
        eligible_to: Option<NaiveDate>,
    },
    /// A whole number in `min..=max`; eligible when within the bounds (inclusive) that are given.
    Number {
        /// The smallest possible value.
        min: i64,
        /// The largest possible value.
        max: i64,
        /// The smallest eligible value.
        eligible_min: Option<i64>,
        /// The largest eligible value.
        eligible_max: Option<i64>,
        /// What is counted (`giornate`, `euro`), shown after the input.
        unit: Option<Text>,
    },
}

/// One self-declaration of a benefit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    /// Stable id, unique within its benefit; the form field is `decl.<id>`.
    pub id: String,
    /// A few words that name the declaration among the others of its benefit ("Pensione"): what
    /// an error message says first, so that two messages alike can be told apart.
    pub short: Text,
    /// The statement or question, as the citizen reads it.
    pub text: Text,
    /// Help shown under the text, if any.
    pub hint: Option<Text>,
    /// The kind of answer and the eligibility rule.
    #[serde(flatten)]
    pub kind: DeclarationKind,
}

/// A valid answer to a declaration. On the wire and in storage it is a string: `confirmed`,
/// `yes`, `no`, a `YYYY-MM-DD` date or a whole number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// A `confirm` declaration, ticked.
    Confirmed,
    /// `yes` to a yes/no question.
    Yes,
    /// `no` to a yes/no question.
    No,
    /// A date.
    Date(NaiveDate),
    /// A whole number.
    Number(i64),
}

impl Answer {
    /// The value to put back in the form's field (what the SPA sends for it).
    pub fn form_value(self) -> String {
        match self {
            Answer::Confirmed | Answer::Yes => "yes".to_owned(),
            Answer::No => "no".to_owned(),
            Answer::Date(d) => crate::iso_date::format(d),
            Answer::Number(n) => n.to_string(),
        }
    }

    /// How the answer reads on the check-your-answers page and the receipt.
    pub fn display(self, lang: Lang) -> String {
        match (self, lang) {
            (Answer::Confirmed, Lang::It) => "Confermato".to_owned(),
            (Answer::Confirmed, Lang::En) => "Confirmed".to_owned(),
            (Answer::Yes, Lang::It) => "Sì".to_owned(),
            (Answer::Yes, Lang::En) => "Yes".to_owned(),
            (Answer::No, _) => "No".to_owned(),
            (Answer::Date(d), _) => format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()),
            (Answer::Number(n), _) => n.to_string(),
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Confirmed => f.write_str("confirmed"),
            Answer::Yes => f.write_str("yes"),
            Answer::No => f.write_str("no"),
            Answer::Date(d) => f.write_str(&crate::iso_date::format(*d)),
            Answer::Number(n) => write!(f, "{n}"),
        }
    }
}

impl std::str::FromStr for Answer {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "confirmed" => Ok(Answer::Confirmed),
            "yes" => Ok(Answer::Yes),
            "no" => Ok(Answer::No),
            _ if s.contains('-') && !s.starts_with('-') => crate::iso_date::parse(s)
                .map(Answer::Date)
                .ok_or_else(|| format!("not an answer: {s}")),
            _ => s.parse().map(Answer::Number).map_err(|_| format!("not an answer: {s}")),
        }
    }
}

impl Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses a whole number as people type it: digits, optionally grouped by thousands with dots
/// (`50.000`, the Italian way) or spaces. Decimals, signs and other separators are refused.
fn parse_whole_number(typed: &str) -> Result<i64, ErrorCode> {
    let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = if compact.contains('.') {
        let mut groups = compact.split('.');
        let first = groups.next().unwrap_or_default();
        let grouped = (1..=3).contains(&first.len())
            && groups.all(|g| g.len() == 3)
            && compact.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if !grouped {
            return Err(ErrorCode::DeclarationNumber);
        }
        compact.replace('.', "")
    } else {
        compact
    };
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ErrorCode::DeclarationNumber);
    }
    digits.parse().map_err(|_| ErrorCode::DeclarationNumber)
}

fn within<T: PartialOrd>(value: T, from: Option<T>, to: Option<T>) -> bool {
    from.is_none_or(|f| value >= f) && to.is_none_or(|t| value <= t)
}

impl Declaration {
    /// The form field holding the answer: `decl.<id>`.
    pub fn field(&self) -> String {
        declaration_field(&self.id)
    }

    /// An answer, as typed, that keeps the citizen eligible, worked out from the rule alone: what
    /// the API contract's example application answers (and the tests' eligible forms).
    pub fn eligible_answer(&self) -> String {
        match &self.kind {
            DeclarationKind::Confirm => "yes".into(),
            DeclarationKind::YesNo { eligible_answer } => match eligible_answer {
                Some(YesNo::No) => "no".into(),
                _ => "yes".into(),
            },
            DeclarationKind::Date {
                eligible_from,
                eligible_to,
            } => eligible_from
                .or(*eligible_to)
                .unwrap_or(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default())
                .format("%Y-%m-%d")
                .to_string(),
            DeclarationKind::Number {
                min,
                eligible_min,
                eligible_max,
                ..
            } => eligible_min.or(*eligible_max).unwrap_or(*min).to_string(),
        }
    }

    /// Checks an answer as typed (`None` when the field was never sent): the valid answer, or
    /// what is wrong with it — missing, malformed, impossible, or making the citizen ineligible.
    pub fn check(&self, typed: Option<&str>) -> Result<Answer, ErrorCode> {
        let typed = typed.unwrap_or_default().trim();
        match &self.kind {
            DeclarationKind::Confirm => match typed.to_ascii_lowercase().as_str() {
                // `on` is what a plain HTML checkbox sends.
                "yes" | "true" | "on" => Ok(Answer::Confirmed),
                _ => Err(ErrorCode::DeclarationConfirm),
            },
            DeclarationKind::YesNo { eligible_answer } => {
                let (answer, value) = match typed.to_ascii_lowercase().as_str() {
                    "yes" => (Answer::Yes, YesNo::Yes),
                    "no" => (Answer::No, YesNo::No),
                    _ => return Err(ErrorCode::DeclarationYesNo),
                };
                match eligible_answer {
                    Some(eligible) if *eligible != value => Err(ErrorCode::DeclarationIneligible),
                    _ => Ok(answer),
                }
            }
            DeclarationKind::Date {
                eligible_from,
                eligible_to,
            } => {
                if typed.is_empty() {
                    return Err(ErrorCode::Required);
                }
                let date = crate::iso_date::parse(typed).ok_or(ErrorCode::DateInvalid)?;
                let plausible = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date")
                    ..=NaiveDate::from_ymd_opt(2100, 12, 31).expect("valid date");
                if !plausible.contains(&date) {
                    Err(ErrorCode::DateInvalid)
                } else if within(date, *eligible_from, *eligible_to) {
                    Ok(Answer::Date(date))
                } else {
                    Err(ErrorCode::DeclarationIneligible)
                }
            }
            DeclarationKind::Number {
                min,
                max,
                eligible_min,
                eligible_max,
                ..
            } => {
                if typed.is_empty() {
                    return Err(ErrorCode::Required);
                }
                let n = parse_whole_number(typed)?;
                if n < *min || n > *max {
                    Err(ErrorCode::DeclarationNumberRange)
                } else if within(n, *eligible_min, *eligible_max) {
                    Ok(Answer::Number(n))
                } else {
                    Err(ErrorCode::DeclarationIneligible)
                }
            }
        }
    }
}

/// The form field of the declaration `id`: `decl.<id>`.
pub fn declaration_field(id: &str) -> String {
    format!("{DECLARATION_FIELD_PREFIX}{id}")
}

/// One indemnity the citizen can apply for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Benefit {
    /// Stable id (`art27`), stored in applications: never change one.
    pub id: String,
    /// The act that grants it (`D.L. 18/2020`).
    pub decree: String,
    /// The article of that act (`27`).
    pub article: String,
    /// The amount, in whole euro.
    pub amount_euro: u32,
    /// Short name, for the choice page.
    pub title: Text,
    /// Who it is for, in a sentence or two.
    pub description: Text,
    /// Its declarations in page order: its own, then the catalogue's common ones.
    pub declarations: Vec<Declaration>,
}

impl Benefit {
    /// The declaration `id` of this benefit.
    pub fn declaration(&self, id: &str) -> Option<&Declaration> {
        self.declarations.iter().find(|d| d.id == id)
    }
}

/// The validated catalogue of benefits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    version: String,
    benefits: Vec<Benefit>,
}

/// Why a catalogue file was refused. Paths read like `benefits[art30].declarations[pensioner]`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogueError {
    /// Not JSON, or not of the expected shape (including unknown fields).
    #[error("the catalogue is not JSON of the expected shape: {0}")]
    Json(String),
    /// `version` is empty.
    #[error("the catalogue's version is empty")]
    NoVersion,
    /// No benefits at all.
    #[error("the catalogue has no benefits")]
    NoBenefits,
    /// An id that is not 1–40 lower-case ASCII letters, digits and underscores, starting with a letter.
    #[error(
        "{path}: `{id}` is not a valid id (1-40 lower-case letters, digits and underscores, starting with a letter)"
    )]
    BadId {
        /// Where.
        path: String,
        /// The offending id.
        id: String,
    },
    /// Two benefits, or two declarations of one benefit (common ones included), share an id.
    #[error("{path}: the id `{id}` is used twice")]
    DuplicateId {
        /// Where.
        path: String,
        /// The repeated id.
        id: String,
    },
    /// Two declarations of one benefit (common ones included) share a short title.
    #[error("{path}: another declaration of this benefit has the same short title")]
    DuplicateShort {
        /// Where.
        path: String,
    },
    /// A text is empty in Italian or in English.
    #[error("{path}: the text must be non-empty in both Italian and English")]
    EmptyText {
        /// Where.
        path: String,
    },
    /// A benefit with an amount of zero.
    #[error("{path}: the amount must be more than 0 euro")]
    ZeroAmount {
        /// Where.
        path: String,
    },
    /// A benefit with no declarations (not even common ones).
    #[error("{path}: a benefit needs at least one declaration")]
    NoDeclarations {
        /// Where.
        path: String,
    },
    /// A rule that does not belong to the declaration's kind (e.g. `min` on a `confirm`).
    #[error("{path}: `{field}` does not apply to a `{kind}` declaration")]
    NotApplicable {
        /// Where.
        path: String,
        /// The field that does not apply.
        field: &'static str,
        /// The declaration's kind.
        kind: &'static str,
    },
    /// A field the declaration's kind needs is missing.
    #[error("{path}: a `{kind}` declaration needs `{field}`")]
    Missing {
        /// Where.
        path: String,
        /// The missing field.
        field: &'static str,
        /// The declaration's kind.
        kind: &'static str,
    },
    /// Bounds that contradict each other.
    #[error("{path}: {problem}")]
    BadRange {
        /// Where.
        path: String,
        /// What is contradictory.
        problem: &'static str,
    },
}

// --- the file as written: parsed strictly, then validated into the types above ---------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    version: String,
    benefits: Vec<RawBenefit>,
    #[serde(default)]
    common_declarations: Vec<RawDeclaration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBenefit {
    id: String,
    decree: String,
    article: String,
    amount_euro: u32,
    title: Text,
    description: Text,
    #[serde(default)]
    declarations: Vec<RawDeclaration>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawKind {
    Confirm,
    YesNo,
    Date,
    Number,
}

impl RawKind {
    fn name(self) -> &'static str {
        match self {
            RawKind::Confirm => "confirm",
            RawKind::YesNo => "yes_no",
            RawKind::Date => "date",
            RawKind::Number => "number",
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeclaration {
    id: String,
    kind: RawKind,
    short: Text,
    text: Text,
    hint: Option<Text>,
    eligible_answer: Option<YesNo>,
    #[serde(default, deserialize_with = "crate::iso_date::deserialize_opt")]
    eligible_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::iso_date::deserialize_opt")]
    eligible_to: Option<NaiveDate>,
    min: Option<i64>,
    max: Option<i64>,
    eligible_min: Option<i64>,
    eligible_max: Option<i64>,
    unit: Option<Text>,
}

fn check_id(path: &str, id: &str) -> Result<(), CatalogueError> {
    let ok = (1..=MAX_ID_LEN).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(CatalogueError::BadId {
            path: path.to_owned(),
            id: id.to_owned(),
        })
    }
}

fn check_text(path: String, text: &Text) -> Result<(), CatalogueError> {
    if text.it.trim().is_empty() || text.en.trim().is_empty() {
        Err(CatalogueError::EmptyText { path })
    } else {
        Ok(())
    }
}

impl RawDeclaration {
    fn validate(self, path: &str) -> Result<Declaration, CatalogueError> {
        check_id(path, &self.id)?;
        check_text(format!("{path}.short"), &self.short)?;
        check_text(format!("{path}.text"), &self.text)?;
        if let Some(hint) = &self.hint {
            check_text(format!("{path}.hint"), hint)?;
        }
        let kind_name = self.kind.name();
        // Every rule field, and whether this kind takes it: a rule in the wrong place is an error,
        // never silently ignored.
        let given: [(&'static str, bool, bool); 8] = [
            (
                "eligible_answer",
                self.eligible_answer.is_some(),
                matches!(self.kind, RawKind::YesNo),
            ),
            (
                "eligible_from",
                self.eligible_from.is_some(),
                matches!(self.kind, RawKind::Date),
            ),
            (
                "eligible_to",
                self.eligible_to.is_some(),
                matches!(self.kind, RawKind::Date),
            ),
            ("min", self.min.is_some(), matches!(self.kind, RawKind::Number)),
            ("max", self.max.is_some(), matches!(self.kind, RawKind::Number)),
            (
                "eligible_min",
                self.eligible_min.is_some(),
                matches!(self.kind, RawKind::Number),
            ),
            (
                "eligible_max",
                self.eligible_max.is_some(),
                matches!(self.kind, RawKind::Number),
            ),
            ("unit", self.unit.is_some(), matches!(self.kind, RawKind::Number)),
        ];
        if let Some((field, ..)) = given.iter().find(|(_, present, applies)| *present && !applies) {
            return Err(CatalogueError::NotApplicable {
                path: path.to_owned(),
                field,
                kind: kind_name,
            });
        }
        let bad_range = |problem| CatalogueError::BadRange {
            path: path.to_owned(),
            problem,
        };
        let kind = match self.kind {
            RawKind::Confirm => DeclarationKind::Confirm,
            RawKind::YesNo => DeclarationKind::YesNo {
                eligible_answer: self.eligible_answer,
            },
            RawKind::Date => {
                if let (Some(from), Some(to)) = (self.eligible_from, self.eligible_to)
                    && from > to
                {
                    return Err(bad_range("eligible_from is after eligible_to"));
                }
                DeclarationKind::Date {
                    eligible_from: self.eligible_from,
                    eligible_to: self.eligible_to,
                }
            }
            RawKind::Number => {
                let missing = |field| CatalogueError::Missing {
                    path: path.to_owned(),
                    field,
                    kind: kind_name,
                };
                let min = self.min.ok_or_else(|| missing("min"))?;
                let max = self.max.ok_or_else(|| missing("max"))?;
                // Answers have at most 15 digits and no sign (see `parse_whole_number`).
                if min < 0 || max > 999_999_999_999_999 {
                    return Err(bad_range("min and max must be within 0..=999999999999999"));
                }
                if min > max {
                    return Err(bad_range("min is greater than max"));
                }
                let inside = |v: Option<i64>| v.is_none_or(|v| (min..=max).contains(&v));
                if !inside(self.eligible_min) || !inside(self.eligible_max) {
                    return Err(bad_range("eligible_min and eligible_max must be within min..=max"));
                }
                if let (Some(lo), Some(hi)) = (self.eligible_min, self.eligible_max)
                    && lo > hi
                {
                    return Err(bad_range("eligible_min is greater than eligible_max"));
                }
                if let Some(unit) = &self.unit {
                    check_text(format!("{path}.unit"), unit)?;
                }
                DeclarationKind::Number {
                    min,
                    max,
                    eligible_min: self.eligible_min,
                    eligible_max: self.eligible_max,
                    unit: self.unit,
                }
            }
        };
        Ok(Declaration {
            id: self.id,
            short: self.short,
            text: self.text,
            hint: self.hint,
            kind,
        })
    }
}

impl Catalogue {
    /// The catalogue embedded in this build (`data/benefits.json`), parsed once.
    pub fn embedded() -> &'static Catalogue {
        static EMBEDDED: OnceLock<Catalogue> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            // The browser builds it from the statics generated by build.rs (no serde deserialisers
            // in the wasm); the server parses and validates the JSON. A unit test checks that both
            // give the same catalogue.
            #[cfg(target_arch = "wasm32")]
            return table::catalogue();
            // A unit test parses the same file, so this cannot fail in a build that passed it. (No
            // `expect`: formatting the error would ship its Display code to the browser for nothing.)
            #[cfg(not(target_arch = "wasm32"))]
            Catalogue::from_json(EMBEDDED_JSON)
                .unwrap_or_else(|_| panic!("data/benefits.json is not a valid catalogue"))
        })
    }

    /// Parses and validates a catalogue: unique well-formed ids, every text in both languages,
    /// rules that fit their declaration's kind, consistent bounds.
    pub fn from_json(json: &str) -> Result<Catalogue, CatalogueError> {
        let raw: RawCatalogue = serde_json::from_str(json).map_err(|e| CatalogueError::Json(e.to_string()))?;
        if raw.version.trim().is_empty() {
            return Err(CatalogueError::NoVersion);
        }
        if raw.benefits.is_empty() {
            return Err(CatalogueError::NoBenefits);
        }
        let mut benefit_ids = HashSet::new();
        let mut benefits = Vec::with_capacity(raw.benefits.len());
        for b in raw.benefits {
            let path = format!("benefits[{}]", b.id);
            check_id(&path, &b.id)?;
            if !benefit_ids.insert(b.id.clone()) {
                return Err(CatalogueError::DuplicateId { path, id: b.id });
            }
            if b.decree.trim().is_empty() || b.article.trim().is_empty() {
                return Err(CatalogueError::EmptyText {
                    path: format!("{path}.decree/article"),
                });
            }
            if b.amount_euro == 0 {
                return Err(CatalogueError::ZeroAmount { path });
            }
            check_text(format!("{path}.title"), &b.title)?;
            check_text(format!("{path}.description"), &b.description)?;
            let own = b.declarations.into_iter().map(|d| (format!("{path}.declarations"), d));
            let common = raw
                .common_declarations
                .iter()
                .cloned()
                .map(|d| ("common_declarations".to_owned(), d));
            let mut declaration_ids = HashSet::new();
            let mut shorts = HashSet::new();
            let mut declarations = Vec::new();
            for (list, d) in own.chain(common) {
                let decl_path = format!("{list}[{}]", d.id);
                if !declaration_ids.insert(d.id.clone()) {
                    return Err(CatalogueError::DuplicateId {
                        path: format!("{path}: {decl_path}"),
                        id: d.id,
                    });
                }
                // The short title is how a citizen tells one error message from another.
                if !shorts.insert(d.short.it.trim().to_lowercase()) || !shorts.insert(d.short.en.trim().to_lowercase())
                {
                    return Err(CatalogueError::DuplicateShort {
                        path: format!("{path}: {decl_path}.short"),
                    });
                }
                declarations.push(d.validate(&decl_path)?);
            }
            if declarations.is_empty() {
                return Err(CatalogueError::NoDeclarations { path });
            }
            benefits.push(Benefit {
                id: b.id,
                decree: b.decree,
                article: b.article,
                amount_euro: b.amount_euro,
                title: b.title,
                description: b.description,
                declarations,
            });
        }
        Ok(Catalogue {
            version: raw.version,
            benefits,
        })
    }

    /// The catalogue's version, recorded with each application: which texts the citizen declared.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Every benefit, in the order of the choice page.
    pub fn benefits(&self) -> &[Benefit] {
        &self.benefits
    }

    /// The benefit `id`.
    pub fn benefit(&self, id: &str) -> Option<&Benefit> {
        self.benefits.iter().find(|b| b.id == id)
    }
}

/// The catalogue as Rust statics, generated from `data/benefits.json` by build.rs.
#[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
mod table {
    use super::{Benefit, Catalogue, Declaration, DeclarationKind, Text, YesNo};

    struct T(&'static str, &'static str);
    enum K {
        Confirm,
        YesNo(Option<YesNo>),
        Date(Option<&'static str>, Option<&'static str>),
        Number(i64, i64, Option<i64>, Option<i64>, Option<T>),
    }
    struct D {
        id: &'static str,
        short: T,
        text: T,
        hint: Option<T>,
        kind: K,
    }
    struct B {
        id: &'static str,
        decree: &'static str,
        article: &'static str,
        amount_euro: u32,
        title: T,
        description: T,
        declarations: &'static [D],
    }

    include!(concat!(env!("OUT_DIR"), "/benefits_table.rs"));

    fn text(t: &T) -> Text {
        Text {
            it: t.0.to_owned(),
            en: t.1.to_owned(),
        }
    }

    fn declaration(d: &D) -> Declaration {
        let date = |s: Option<&str>| s.and_then(crate::iso_date::parse);
        Declaration {
            id: d.id.to_owned(),
            short: text(&d.short),
            text: text(&d.text),
            hint: d.hint.as_ref().map(text),
            kind: match &d.kind {
                K::Confirm => DeclarationKind::Confirm,
                K::YesNo(eligible_answer) => DeclarationKind::YesNo {
                    eligible_answer: *eligible_answer,
                },
                K::Date(from, to) => DeclarationKind::Date {
                    eligible_from: date(*from),
                    eligible_to: date(*to),
                },
                K::Number(min, max, eligible_min, eligible_max, unit) => DeclarationKind::Number {
                    min: *min,
                    max: *max,
                    eligible_min: *eligible_min,
                    eligible_max: *eligible_max,
                    unit: unit.as_ref().map(text),
                },
            },
        }
    }

    /// The catalogue, with each benefit's own declarations followed by the common ones.
    pub(super) fn catalogue() -> Catalogue {
        Catalogue {
            version: VERSION.to_owned(),
            benefits: BENEFITS
                .iter()
                .map(|b| Benefit {
                    id: b.id.to_owned(),
                    decree: b.decree.to_owned(),
                    article: b.article.to_owned(),
                    amount_euro: b.amount_euro,
                    title: text(&b.title),
                    description: text(&b.description),
                    declarations: b.declarations.iter().chain(COMMON).map(declaration).collect(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_table_equals_the_validated_json() {
        assert_eq!(table::catalogue(), Catalogue::from_json(EMBEDDED_JSON).unwrap());
    }

    fn embedded() -> &'static Catalogue {
        Catalogue::embedded()
    }

    fn declaration(benefit: &str, id: &str) -> &'static Declaration {
        embedded().benefit(benefit).unwrap().declaration(id).unwrap()
    }

    /// The embedded catalogue as JSON, with `edit` applied: a way to make one mistake at a time.
    fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Catalogue, CatalogueError> {
        let mut json: serde_json::Value = serde_json::from_str(EMBEDDED_JSON).unwrap();
        edit(&mut json);
        Catalogue::from_json(&json.to_string())
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    // --- the embedded data -------------------------------------------------------------------

    #[test]
    fn the_embedded_catalogue_has_the_five_indemnities_of_decree_law_18_2020_at_600_euro() {
        let articles: Vec<_> = embedded().benefits().iter().map(|b| b.article.as_str()).collect();
        assert_eq!(articles, ["27", "28", "29", "30", "38"]);
        for b in embedded().benefits() {
            assert_eq!(b.amount_euro, 600, "{}", b.id);
            assert_eq!(b.decree, "D.L. 18/2020");
            assert_eq!(b.id, format!("art{}", b.article));
        }
        assert_eq!(embedded().version(), "2020-03-17");
    }

    #[test]
    fn pensioners_are_ineligible_for_every_indemnity() {
        for b in embedded().benefits() {
            let pensioner = b
                .declaration("pensioner")
                .unwrap_or_else(|| panic!("{} lacks pensioner", b.id));
            assert_eq!(pensioner.check(Some("yes")), Err(ErrorCode::DeclarationIneligible));
            assert_eq!(pensioner.check(Some("no")), Ok(Answer::No));
        }
    }

    #[test]
    fn every_benefit_ends_with_the_common_declarations() {
        for b in embedded().benefits() {
            let ids: Vec<_> = b.declarations.iter().map(|d| d.id.as_str()).collect();
            assert_eq!(ids[ids.len() - 2..], ["no_other_indemnity", "truthful"], "{}", b.id);
        }
    }

    #[test]
    fn professionals_must_not_be_enrolled_in_another_mandatory_scheme() {
        let other = declaration("art27", "other_mandatory_scheme");
        assert_eq!(other.check(Some("yes")), Err(ErrorCode::DeclarationIneligible));
    }

    #[test]
    fn agricultural_workers_need_at_least_50_days_in_2019() {
        let days = declaration("art30", "agricultural_days_2019");
        assert_eq!(days.check(Some("49")), Err(ErrorCode::DeclarationIneligible));
        assert_eq!(days.check(Some("50")), Ok(Answer::Number(50)));
        assert_eq!(days.check(Some("366")), Err(ErrorCode::DeclarationNumberRange));
    }

    #[test]
    fn entertainment_workers_need_30_contributions_and_at_most_50000_euro_of_income() {
        let contributions = declaration("art38", "entertainment_contributions_2019");
        assert_eq!(contributions.check(Some("29")), Err(ErrorCode::DeclarationIneligible));
        assert_eq!(contributions.check(Some("30")), Ok(Answer::Number(30)));
        let income = declaration("art38", "income_2019");
        assert_eq!(income.check(Some("50.000")), Ok(Answer::Number(50_000)));
        assert_eq!(income.check(Some("50001")), Err(ErrorCode::DeclarationIneligible));
        assert_eq!(
            declaration("art38", "employed_on_17_march_2020").check(Some("yes")),
            Err(ErrorCode::DeclarationIneligible)
        );
    }

    #[test]
    fn seasonal_jobs_must_have_ended_between_1_january_2019_and_17_march_2020() {
        let end = declaration("art29", "seasonal_job_end");
        assert_eq!(end.check(Some("2018-12-31")), Err(ErrorCode::DeclarationIneligible));
        assert_eq!(end.check(Some("2019-01-01")), Ok(Answer::Date(date("2019-01-01"))));
        assert_eq!(end.check(Some("2020-03-17")), Ok(Answer::Date(date("2020-03-17"))));
        assert_eq!(end.check(Some("2020-03-18")), Err(ErrorCode::DeclarationIneligible));
    }

    // --- answers -------------------------------------------------------------------------------

    #[test]
    fn a_confirmation_must_be_ticked() {
        let truthful = declaration("art28", "truthful");
        for ticked in ["yes", "on", "true", " YES "] {
            assert_eq!(truthful.check(Some(ticked)), Ok(Answer::Confirmed), "{ticked}");
        }
        for unticked in [None, Some(""), Some("no"), Some("false")] {
            assert_eq!(
                truthful.check(unticked),
                Err(ErrorCode::DeclarationConfirm),
                "{unticked:?}"
            );
        }
    }

    #[test]
    fn a_yes_no_question_needs_yes_or_no() {
        let pensioner = declaration("art28", "pensioner");
        assert_eq!(pensioner.check(None), Err(ErrorCode::DeclarationYesNo));
        assert_eq!(pensioner.check(Some("forse")), Err(ErrorCode::DeclarationYesNo));
        assert_eq!(pensioner.check(Some(" No ")), Ok(Answer::No));
    }

    #[test]
    fn a_missing_or_impossible_date_is_not_called_ineligible() {
        let end = declaration("art29", "seasonal_job_end");
        assert_eq!(end.check(Some("")), Err(ErrorCode::Required));
        assert_eq!(end.check(Some("2019-02-30")), Err(ErrorCode::DateInvalid));
        assert_eq!(end.check(Some("31/10/2019")), Err(ErrorCode::DateInvalid));
        assert_eq!(end.check(Some("0019-10-31")), Err(ErrorCode::DateInvalid));
    }

    #[test]
    fn numbers_accept_italian_thousands_separators_but_not_decimals() {
        assert_eq!(parse_whole_number("18500"), Ok(18_500));
        assert_eq!(parse_whole_number("18.500"), Ok(18_500));
        assert_eq!(parse_whole_number("1.234.567"), Ok(1_234_567));
        assert_eq!(parse_whole_number(" 18 500 "), Ok(18_500));
        for bad in [
            "18,50",
            "18.5",
            "1.2345",
            ".500",
            "-3",
            "+3",
            "3e4",
            "dieci",
            "1234567890123456",
        ] {
            assert_eq!(parse_whole_number(bad), Err(ErrorCode::DeclarationNumber), "{bad}");
        }
        assert_eq!(
            declaration("art30", "agricultural_days_2019").check(Some("  ")),
            Err(ErrorCode::Required)
        );
    }

    #[test]
    fn answers_are_stored_as_strings_and_read_back() {
        for answer in [
            Answer::Confirmed,
            Answer::Yes,
            Answer::No,
            Answer::Date(date("2019-10-31")),
            Answer::Number(102),
        ] {
            let json = serde_json::to_string(&answer).unwrap();
            assert_eq!(serde_json::from_str::<Answer>(&json).unwrap(), answer, "{json}");
        }
        assert_eq!(serde_json::to_string(&Answer::Number(7)).unwrap(), "\"7\"");
        assert!(serde_json::from_str::<Answer>("\"maybe\"").is_err());
    }

    #[test]
    fn answers_read_naturally_in_both_languages() {
        assert_eq!(Answer::Yes.display(Lang::It), "Sì");
        assert_eq!(Answer::Date(date("2019-10-31")).display(Lang::En), "31/10/2019");
        assert_eq!(Answer::Confirmed.form_value(), "yes");
    }

    // --- a catalogue with mistakes is refused --------------------------------------------------

    #[test]
    fn the_embedded_file_parses() {
        assert!(Catalogue::from_json(EMBEDDED_JSON).is_ok());
    }

    #[test]
    fn a_repeated_benefit_id_is_refused() {
        let result = edited(|j| j["benefits"][1]["id"] = "art27".into());
        assert!(matches!(result, Err(CatalogueError::DuplicateId { id, .. }) if id == "art27"));
    }

    #[test]
    fn a_benefit_declaration_that_repeats_a_common_one_is_refused() {
        let result = edited(|j| j["benefits"][0]["declarations"][0]["id"] = "truthful".into());
        assert!(matches!(result, Err(CatalogueError::DuplicateId { id, .. }) if id == "truthful"));
    }

    #[test]
    fn two_declarations_of_a_benefit_with_one_short_title_are_refused() {
        let result = edited(|j| j["benefits"][0]["declarations"][1]["short"]["it"] = "pensione ".into());
        assert!(
            matches!(result, Err(CatalogueError::DuplicateShort { .. })),
            "{result:?}"
        );
        let missing = edited(|j| j["benefits"][0]["declarations"][1]["short"]["en"] = "".into());
        assert!(matches!(missing, Err(CatalogueError::EmptyText { .. })), "{missing:?}");
    }

    #[test]
    fn a_text_missing_in_english_is_refused() {
        let result = edited(|j| j["benefits"][2]["declarations"][1]["text"]["en"] = " ".into());
        assert_eq!(
            result,
            Err(CatalogueError::EmptyText {
                path: "benefits[art29].declarations[seasonal_job_end].text".into()
            })
        );
        let result = edited(|j| j["benefits"][0]["title"]["it"] = "".into());
        assert!(matches!(result, Err(CatalogueError::EmptyText { .. })));
    }

    #[test]
    fn a_misspelt_rule_is_refused_rather_than_ignored() {
        let result = edited(|j| {
            let days = &mut j["benefits"][3]["declarations"][1];
            days.as_object_mut().unwrap().remove("eligible_min");
            days["eligble_min"] = 50.into();
        });
        assert!(matches!(result, Err(CatalogueError::Json(e)) if e.contains("eligble_min")));
    }

    #[test]
    fn a_rule_on_the_wrong_kind_of_declaration_is_refused() {
        let result = edited(|j| j["benefits"][0]["declarations"][0]["min"] = 3.into());
        assert!(matches!(
            result,
            Err(CatalogueError::NotApplicable {
                field: "min",
                kind: "confirm",
                ..
            })
        ));
    }

    #[test]
    fn contradictory_bounds_are_refused() {
        let days = |edit: fn(&mut serde_json::Value)| edited(|j| edit(&mut j["benefits"][3]["declarations"][1]));
        assert!(matches!(
            days(|d| d["min"] = 400.into()),
            Err(CatalogueError::BadRange { .. })
        ));
        assert!(matches!(
            days(|d| d["eligible_min"] = 400.into()),
            Err(CatalogueError::BadRange { .. })
        ));
        assert!(matches!(
            days(|d| d["eligible_max"] = 10.into()),
            Err(CatalogueError::BadRange { .. })
        ));
        assert!(matches!(
            days(|d| d["min"] = (-1).into()),
            Err(CatalogueError::BadRange { .. })
        ));
        assert!(matches!(
            days(|d| {
                d.as_object_mut().unwrap().remove("max");
            }),
            Err(CatalogueError::Missing { field: "max", .. })
        ));
        let result = edited(|j| j["benefits"][2]["declarations"][1]["eligible_from"] = "2021-01-01".into());
        assert!(matches!(result, Err(CatalogueError::BadRange { .. })));
    }

    #[test]
    fn ids_must_be_lower_case_identifiers() {
        for bad in ["", "Art27", "27", "art 27", "art-27", &"a".repeat(41)] {
            let result = edited(|j| j["benefits"][0]["id"] = bad.into());
            assert!(matches!(result, Err(CatalogueError::BadId { .. })), "{bad:?}");
        }
    }

    #[test]
    fn an_empty_catalogue_a_free_benefit_and_an_empty_version_are_refused() {
        assert_eq!(
            edited(|j| j["benefits"] = serde_json::json!([])),
            Err(CatalogueError::NoBenefits)
        );
        assert!(matches!(
            edited(|j| j["benefits"][4]["amount_euro"] = 0.into()),
            Err(CatalogueError::ZeroAmount { .. })
        ));
        assert_eq!(edited(|j| j["version"] = "".into()), Err(CatalogueError::NoVersion));
        assert!(matches!(
            Catalogue::from_json("{ not json"),
            Err(CatalogueError::Json(_))
        ));
    }

    #[test]
    fn a_benefit_without_any_declaration_is_refused() {
        let result = edited(|j| {
            j["benefits"][1]["declarations"] = serde_json::json!([]);
            j["common_declarations"] = serde_json::json!([]);
        });
        assert!(matches!(result, Err(CatalogueError::NoDeclarations { .. })));
    }

    // --- a sixth indemnity is data only --------------------------------------------------------

    const WITH_SIXTH: &str = include_str!("../data/test/catalogue_with_sixth.json");

    #[test]
    fn a_catalogue_with_a_sixth_indemnity_loads_with_no_code_change() {
        let catalogue = Catalogue::from_json(WITH_SIXTH).unwrap();
        assert_eq!(catalogue.benefits().len(), 6);
        let embedded_ids: Vec<_> = embedded().benefits().iter().map(|b| &b.id).collect();
        let first_five: Vec<_> = catalogue.benefits()[..5].iter().map(|b| &b.id).collect();
        assert_eq!(first_five, embedded_ids);
        let sixth = catalogue.benefit("dl34_art85").unwrap();
        assert_eq!(sixth.amount_euro, 500);
        let hours = sixth.declaration("weekly_hours").unwrap();
        assert_eq!(hours.check(Some("10")), Err(ErrorCode::DeclarationIneligible));
        assert_eq!(hours.check(Some("11")), Ok(Answer::Number(11)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// `n` written the Italian way, with a dot every three digits.
        fn with_thousands_dots(n: i64) -> String {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push('.');
                }
                out.push(c);
            }
            out
        }

        proptest! {
            #[test]
            fn a_possible_number_is_accepted_exactly_when_it_is_eligible(n in 0i64..1_200_000) {
                for b in embedded().benefits() {
                    for d in &b.declarations {
                        if let DeclarationKind::Number { min, max, eligible_min, eligible_max, .. } = d.kind {
                            let expected = if n < min || n > max {
                                Err(ErrorCode::DeclarationNumberRange)
                            } else if within(n, eligible_min, eligible_max) {
                                Ok(Answer::Number(n))
                            } else {
                                Err(ErrorCode::DeclarationIneligible)
                            };
                            prop_assert_eq!(d.check(Some(&n.to_string())), expected);
                            prop_assert_eq!(d.check(Some(&with_thousands_dots(n))), expected);
                        }
                    }
                }
            }

            #[test]
            fn any_answer_survives_its_string_form(
                n in 0i64..999_999_999_999_999,
                days in 0i64..70_000,
            ) {
                let d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
                for answer in [Answer::Number(n), Answer::Date(d)] {
                    prop_assert_eq!(answer.to_string().parse::<Answer>(), Ok(answer));
                }
            }
        }
    }
}
