//! `GET /api/operator/audit`: the audit log, for supervisors.

use axum::Json;
use axum::extract::{Query, State};

use crate::http::Operator;
use crate::services::audit::{self, AuditList, AuditQuery};
use crate::{ApiError, AppState};

/// `GET /api/operator/audit?codice_fiscale=…` or `?operator=…`: newest first, for supervisors
/// only. Reading, and trying to, is itself audited. There is no route that changes or removes an
/// entry.
#[utoipa::path(
    get,
    path = "/api/operator/audit",
    tag = "operator",
    security(("operator_session" = [])),
    params(AuditQuery),
    responses((status = 200, description = "Audit log entries, newest first", body = AuditList))
)]
pub async fn audit_log(
    State(state): State<AppState>,
    operator: Operator,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditList>, ApiError> {
    Ok(Json(
        audit::read_log(&state, operator.username(), operator.role, query).await?,
    ))
}
