//! The audit log: every operator action, done or refused, appended (never a PIN, a password or a
//! TOTP code); read by supervisors only, and the reading is itself on record.

use chrono::NaiveDate;
use domain::submission_window::to_rome;
use domain::{CodiceFiscale, ErrorCode};
use serde::Deserialize;

use crate::store::{AuditAction, AuditEntry, AuditOutcome, OperatorRole};
use crate::{ApiError, AppState};

/// The most audit entries one read returns.
const AUDIT_LIMIT: usize = 500;

/// Appends one audit entry.
pub async fn audit(
    state: &AppState,
    operator: &str,
    codice_fiscale: Option<&CodiceFiscale>,
    action: AuditAction,
    outcome: AuditOutcome,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    let entry = AuditEntry {
        at: state.clock.now(),
        operator: operator.to_owned(),
        codice_fiscale: codice_fiscale.map(CodiceFiscale::to_string),
        action,
        outcome,
        detail: detail.into(),
    };
    state.store.append_audit(&entry).await?;
    Ok(())
}

/// The stable code an error answers with, for the audit log.
pub fn error_detail(error: &ApiError) -> String {
    match error {
        ApiError::Validation(_) => ErrorCode::ValidationFailed.as_str().to_owned(),
        ApiError::Malformed(_) => ErrorCode::MalformedRequest.as_str().to_owned(),
        ApiError::WindowClosed { .. } => ErrorCode::WindowClosed.as_str().to_owned(),
        ApiError::AlreadySubmitted { protocol } => format!("{} {protocol}", ErrorCode::AlreadySubmitted.as_str()),
        ApiError::Conflict(code) | ApiError::Forbidden(code) => code.as_str().to_owned(),
        ApiError::NotFound => ErrorCode::NotFound.as_str().to_owned(),
        _ => ErrorCode::Internal.as_str().to_owned(),
    }
}

/// Audits how `result` ended for the call's citizen and passes it on.
pub async fn audited<T>(
    state: &AppState,
    username: &str,
    codice_fiscale: &CodiceFiscale,
    action: AuditAction,
    result: Result<T, ApiError>,
    detail_ok: impl FnOnce(&T) -> String,
) -> Result<T, ApiError> {
    let (outcome, detail) = match &result {
        Ok(value) => (AuditOutcome::Ok, detail_ok(value)),
        Err(e) => (AuditOutcome::Refused, error_detail(e)),
    };
    audit(state, username, Some(codice_fiscale), action, outcome, detail).await?;
    result
}

/// What a supervisor looks up: one citizen's entries or one operator's, of one action or all,
/// between two days (Italian time, both included) or at any time.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The citizen, as typed (spaces and lower case are accepted, as when opening a call).
    pub codice_fiscale: Option<String>,
    /// The operator's username.
    pub operator: Option<String>,
    /// Only this action (`call_opened`, `pin_check`…).
    pub action: Option<String>,
    /// From this day (`YYYY-MM-DD`, Italian time).
    pub from: Option<String>,
    /// To this day, included (`YYYY-MM-DD`, Italian time).
    pub to: Option<String>,
    /// At most this many entries (100 unless said, 500 at most).
    pub limit: Option<usize>,
}

/// Which of the entries found are shown: the action and the days asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this action.
    pub action: Option<AuditAction>,
    /// From this day, Italian time.
    pub from: Option<NaiveDate>,
    /// To this day included, Italian time.
    pub to: Option<NaiveDate>,
}

impl AuditFilter {
    /// The filter `query` asks for; a day that is not one, a range that ends before it starts or
    /// an action that does not exist is refused at its parameter.
    pub fn from_query(query: &AuditQuery) -> Result<AuditFilter, ApiError> {
        let day = |field: &str, value: &Option<String>| -> Result<Option<NaiveDate>, ApiError> {
            match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| ApiError::field(field, ErrorCode::DateInvalid)),
            }
        };
        let (from, to) = (day("from", &query.from)?, day("to", &query.to)?);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(ApiError::field("to", ErrorCode::DateInvalid));
        }
        let action = match query.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(name) => Some(
                AuditAction::parse(name)
                    .ok_or_else(|| ApiError::Malformed(format!("no audit action named {name:?}")))?,
            ),
        };
        Ok(AuditFilter { action, from, to })
    }

    /// Whether `entry` is one of those asked for.
    pub fn keeps(&self, entry: &AuditEntry) -> bool {
        let day = to_rome(entry.at).date();
        self.action.is_none_or(|action| action == entry.action)
            && self.from.is_none_or(|from| day >= from)
            && self.to.is_none_or(|to| day <= to)
    }

    /// Whether it narrows anything.
    fn narrows(&self) -> bool {
        *self != AuditFilter::default()
    }
}

// The answer is the wire type the console reads, defined once.
pub use domain::wire::operator::AuditList;

/// The entries `query` names, for `username` if their `role` is supervisor; an agent's attempt
/// is refused and recorded (an agent looking up a stranger is what the log is for).
pub async fn read_log(
    state: &AppState,
    username: &str,
    role: OperatorRole,
    query: AuditQuery,
) -> Result<AuditList, ApiError> {
    let limit = query.limit.unwrap_or(100).min(AUDIT_LIMIT);
    let cf = query
        .codice_fiscale
        .as_deref()
        .map(CodiceFiscale::parse)
        .transpose()
        .map_err(|e| ApiError::field("codice_fiscale", e))?;
    if role != OperatorRole::Supervisor {
        // The attempt is itself on record: an agent looking up a stranger is what the log is for.
        let code = ErrorCode::OperatorSupervisorOnly;
        audit(
            state,
            username,
            cf.as_ref(),
            AuditAction::AuditRead,
            AuditOutcome::Refused,
            code.as_str(),
        )
        .await?;
        return Err(ApiError::Forbidden(code));
    }
    let filter = AuditFilter::from_query(&query)?;
    // A filtered look-up reads as far back as a read may go, then keeps what was asked for.
    let read = if filter.narrows() { AUDIT_LIMIT } else { limit };
    let entries = match (&cf, query.operator) {
        (Some(cf), None) => state.store.audit_for(cf.as_str(), read).await?,
        (None, Some(username)) => {
            state
                .store
                .audit_by_operator(&username.trim().to_ascii_lowercase(), read)
                .await?
        }
        _ => {
            return Err(ApiError::Malformed(
                "give exactly one of codice_fiscale and operator".into(),
            ));
        }
    };
    audit(
        state,
        username,
        cf.as_ref(),
        AuditAction::AuditRead,
        AuditOutcome::Ok,
        "",
    )
    .await?;
    let entries = entries
        .into_iter()
        .filter(|e| filter.keeps(e))
        .take(limit)
        .map(|e| domain::wire::operator::AuditEntry {
            at: e.at.into(),
            operator: e.operator,
            codice_fiscale: e.codice_fiscale,
            action: e.action,
            outcome: e.outcome,
            detail: e.detail,
        })
        .collect();
    Ok(AuditList { entries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn entry(at: &str, action: AuditAction) -> AuditEntry {
        AuditEntry {
            at: DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc),
            operator: "mrossi".into(),
            codice_fiscale: None,
            action,
            outcome: AuditOutcome::Ok,
            detail: String::new(),
        }
    }

    fn query(action: &str, from: &str, to: &str) -> AuditQuery {
        let some = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        AuditQuery {
            action: some(action),
            from: some(from),
            to: some(to),
            ..AuditQuery::default()
        }
    }

    #[test]
    fn days_are_counted_on_italian_clocks_and_both_ends_are_included() {
        let filter = AuditFilter::from_query(&query("", "2020-04-02", "2020-04-02")).unwrap();
        // 23:30 UTC on 1 April is 01:30 on 2 April in Rome (summer time).
        assert!(filter.keeps(&entry("2020-04-01T23:30:00Z", AuditAction::Login)));
        assert!(filter.keeps(&entry("2020-04-02T21:59:59Z", AuditAction::Login)));
        assert!(!filter.keeps(&entry("2020-04-02T22:00:00Z", AuditAction::Login)));
        assert!(!filter.keeps(&entry("2020-04-01T21:59:59Z", AuditAction::Login)));
    }

    #[test]
    fn an_action_keeps_only_its_own_entries() {
        let filter = AuditFilter::from_query(&query("pin_check", "", "")).unwrap();
        assert!(filter.keeps(&entry("2020-04-02T10:00:00Z", AuditAction::PinCheck)));
        assert!(!filter.keeps(&entry("2020-04-02T10:00:00Z", AuditAction::CallOpened)));
        assert!(!AuditFilter::from_query(&query("", "", "")).unwrap().narrows());
    }

    #[test]
    fn a_wrong_day_a_backward_range_or_an_unknown_action_is_refused() {
        let refused = |q: AuditQuery| AuditFilter::from_query(&q).unwrap_err();
        assert!(matches!(refused(query("", "2020-02-30", "")), ApiError::Validation(_)));
        assert!(matches!(
            refused(query("", "2020-04-03", "2020-04-02")),
            ApiError::Validation(_)
        ));
        assert!(matches!(refused(query("anything", "", "")), ApiError::Malformed(_)));
    }
}
