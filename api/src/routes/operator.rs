//! The Contact Center's API (docs/adr/0009): operator login (password and TOTP) and session,
//! calls, validating a stale PIN request, checking the PIN characters a citizen reads out, filing
//! the application on the citizen's behalf, and reading the audit log.
//!
//! An operator acts only through a call they opened, and only on its citizen: any other call id
//! is not found. Each call answers with what the task needs, never contacts or the IBAN, until the
//! citizen has proven themselves with their PIN characters. Every action, done or refused, is
//! appended to the audit log (never a PIN, a password or a TOTP code).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use domain::application::{ApplicationForm, ApplicationStatus};
use domain::pin::IssuedPin;
use domain::pin_request::{
    FirstHalfDelivery, PinRequestState, contact_center_may_validate, effective_state, mask_email, mask_mobile,
    validation_possible_from,
};
use domain::submission_window::{Channel, to_rome};
use domain::{CodiceFiscale, ErrorCode, FieldErrors, Lang, PinInput};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::http::ApiJson;
use crate::http::ClientAddr;
use crate::http::request_lang;
use crate::http::{Operator, operator_cookie};
use crate::outbox::first_half_delivery;
use crate::routes::applications::{
    ApplicationState, ApplicationView, Saved, WindowState, application_state, save_draft, save_step, submit_for,
    window_state,
};
use crate::routes::pin_requests::QueuedMessage;
use crate::secrets::{PinHalf, new_session_token, random_bytes};
use crate::services::attempts::{self, Admission, Caller, Credential};
use crate::services::operators::{TotpSealer, totp, valid_username, verify_password};
use crate::services::pin_check::{self, check_pin};
use crate::store::{AuditAction, AuditEntry, AuditOutcome, CallRecord, OperatorRole, OperatorSessionRecord};
use crate::{ApiError, AppState};

/// A call can be used for this long after it was opened: a phone call, not a standing grant.
pub const CALL_LIFETIME: Duration = Duration::hours(1);

/// The most audit entries one read returns.
const AUDIT_LIMIT: usize = 500;

/// Appends one audit entry.
async fn audit(
    state: &AppState,
    operator: &str,
    codice_fiscale: Option<&str>,
    action: AuditAction,
    outcome: AuditOutcome,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    let entry = AuditEntry {
        at: state.clock.now(),
        operator: operator.to_owned(),
        codice_fiscale: codice_fiscale.map(str::to_owned),
        action,
        outcome,
        detail: detail.into(),
    };
    state.store.append_audit(&entry).await?;
    Ok(())
}

/// An error answer in the API's shape with `extra` fields; `message` is already in the request's
/// language (these answers carry facts the shared error model has no place for).
fn refusal(status: StatusCode, code: ErrorCode, message: String, extra: serde_json::Value) -> Response {
    let mut body = json!({ "code": code.as_str(), "message": message, "fields": {} });
    if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    (status, Json(body)).into_response()
}

/// The stable code an error answers with, for the audit log.
fn error_detail(error: &ApiError) -> String {
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

// --- session -----------------------------------------------------------------------------------

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = OperatorLoginRequest)]
struct LoginRequest {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
}

/// What the console knows about its session.
#[derive(Serialize, utoipa::ToSchema)]
struct OperatorInfo {
    username: String,
    full_name: String,
    role: OperatorRole,
    expires_at: DateTime<Utc>,
    idle_seconds: i64,
}

async fn operator_info(state: &AppState, session: &OperatorSessionRecord) -> Result<OperatorInfo, ApiError> {
    let operator = state
        .store
        .operator(&session.username)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(OperatorInfo {
        username: operator.username,
        full_name: operator.full_name,
        role: operator.role,
        expires_at: session.expires_at,
        idle_seconds: state.config.operator_session_idle.num_seconds(),
    })
}

/// `POST /api/operator/session`: username, password and the current TOTP code. A wrong answer
/// never says which of the three was wrong; attempts are counted per username and client before
/// the check (`attempts`), so a stranger's guesses make the stranger wait, never the operator.
#[utoipa::path(
    post,
    path = "/api/operator/session",
    tag = "operator",
    request_body = LoginRequest,
    responses((status = 200, description = "Logged in: the operator cookie is set", body = OperatorInfo))
)]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let mut errors = FieldErrors::new();
    for (field, value) in [
        ("username", &request.username),
        ("password", &request.password),
        ("totp", &request.totp),
    ] {
        if value.trim().is_empty() {
            errors.add(field, ErrorCode::Required);
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if !state.rate_limiter.allow(client, now) {
        return Err(ApiError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    let lang = request_lang(&headers);
    let failed = || {
        refusal(
            StatusCode::UNAUTHORIZED,
            ErrorCode::OperatorLoginFailed,
            ErrorCode::OperatorLoginFailed.message(lang).to_owned(),
            json!({}),
        )
    };
    let username = request.username.trim().to_ascii_lowercase();
    if !valid_username(&username) {
        // No such operator can exist; the hash is still checked so that timing says nothing.
        let password = request.password;
        tokio::task::spawn_blocking(move || verify_password(&password, None))
            .await
            .map_err(|e| ApiError::Store(crate::store::StoreError::Other(format!("hashing task failed: {e}"))))?;
        audit(
            &state,
            "-",
            None,
            AuditAction::Login,
            AuditOutcome::Refused,
            "unknown_username",
        )
        .await?;
        return Ok(failed());
    }
    let reserved =
        match attempts::reserve(&state, Credential::Operator(&username), &Caller::Address(client), now).await? {
            Admission::Granted(reserved) => reserved,
            Admission::Delayed(retry_after) => {
                audit(
                    &state,
                    &username,
                    None,
                    AuditAction::Login,
                    AuditOutcome::Refused,
                    ErrorCode::LoginLocked.as_str(),
                )
                .await?;
                return Err(ApiError::LoginDelayed { retry_after });
            }
        };

    let operator = state.store.operator(&username).await?;
    let stored_hash = operator.as_ref().map(|o| o.password_hash.clone());
    let password = request.password;
    // argon2 costs tens of milliseconds of CPU: off the async workers.
    let password_ok = tokio::task::spawn_blocking(move || verify_password(&password, stored_hash.as_deref()))
        .await
        .map_err(|e| ApiError::Store(crate::store::StoreError::Other(format!("hashing task failed: {e}"))))?;
    let (step, reason) = match &operator {
        None => (None, "unknown_username"),
        Some(o) if o.disabled => (None, "disabled"),
        Some(_) if !password_ok => (None, "password"),
        Some(o) => {
            let step = TotpSealer::new(&state.pin_key)
                .open(&username, &o.totp_secret_sealed)
                .and_then(|secret| totp::verify(&secret, &request.totp, now));
            (step, "totp")
        }
    };
    let accepted = match step {
        // A code already used (seen by someone over the shoulder, or replayed) is refused.
        Some(step) => state.store.claim_totp_step(&username, step).await?,
        None => false,
    };
    if !accepted {
        let reason = if step.is_some() { "totp_replayed" } else { reason };
        reserved.failed();
        audit(
            &state,
            &username,
            None,
            AuditAction::Login,
            AuditOutcome::Refused,
            reason,
        )
        .await?;
        tracing::info!("operator login failed");
        return Ok(failed());
    }

    reserved.succeeded(&state).await?;
    let (token, token_hash) = new_session_token();
    let session = OperatorSessionRecord {
        token_hash,
        username: username.clone(),
        created_at: now,
        expires_at: now + state.config.operator_session_idle,
        absolute_expires_at: now + state.config.operator_session_max,
        generation: operator.as_ref().map_or(0, |o| o.session_generation),
    };
    state.store.put_operator_session(&session).await?;
    audit(&state, &username, None, AuditAction::Login, AuditOutcome::Ok, "").await?;
    tracing::info!("operator login");
    let cookie = operator_cookie(
        &token,
        state.config.operator_session_max.num_seconds(),
        state.config.secure_cookies,
    );
    let info = operator_info(&state, &session).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(info)).into_response())
}

/// `GET /api/operator/session`: who is logged in (and, being a use, extends the session).
#[utoipa::path(
    get,
    path = "/api/operator/session",
    tag = "operator",
    security(("operator_session" = [])),
    responses((status = 200, description = "The operator's live session", body = OperatorInfo))
)]
async fn show(State(state): State<AppState>, operator: Operator) -> Result<Json<OperatorInfo>, ApiError> {
    Ok(Json(operator_info(&state, &operator.session).await?))
}

/// `DELETE /api/operator/session`: logout.
#[utoipa::path(
    delete,
    path = "/api/operator/session",
    tag = "operator",
    security(("operator_session" = [])),
    responses((status = 204, description = "Logged out: the cookie is cleared"))
)]
async fn logout(State(state): State<AppState>, operator: Operator) -> Result<Response, ApiError> {
    state
        .store
        .delete_operator_session(&operator.session.token_hash)
        .await?;
    audit(
        &state,
        operator.username(),
        None,
        AuditAction::Logout,
        AuditOutcome::Ok,
        "",
    )
    .await?;
    let cookie = operator_cookie("", 0, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

// --- calls -------------------------------------------------------------------------------------

#[derive(Deserialize, utoipa::ToSchema)]
struct OpenCall {
    #[serde(default)]
    codice_fiscale: String,
}

/// A call as the console shows it: only what the operator's task needs.
#[derive(Serialize, utoipa::ToSchema)]
struct CallView {
    id: String,
    codice_fiscale: String,
    opened_at: DateTime<Utc>,
    /// The citizen's PIN characters were verified on this call: filing is possible.
    pin_checked: bool,
    /// The PIN request, if there is one.
    pin_request: Option<PinRequestView>,
    /// The application, if one was submitted.
    application: Option<ApplicationSummary>,
    /// The citizen's messages, newest first: where each went (masked) and how it went, so
    /// that "I never got it" has an answer on the call.
    messages: Vec<QueuedMessage>,
    /// The Contact Center's submission window.
    window: WindowState,
}

/// Where the citizen's PIN request stands, without any personal data.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CallPinRequest)]
struct PinRequestView {
    state: PinRequestState,
    requested_at: DateTime<Utc>,
    age_seconds: i64,
    /// The Contact Center may validate it now (pending delivery for 12 hours or more).
    may_validate: bool,
    /// When it may be validated, while it is pending delivery.
    validation_possible_at: Option<DateTime<Utc>>,
}

/// The application's receipt and status, without its content.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CallApplication)]
struct ApplicationSummary {
    protocol: String,
    status: ApplicationStatus,
    status_label: String,
    submitted_at: DateTime<Utc>,
    channel: Channel,
}

async fn call_view(state: &AppState, call: &CallRecord, headers: &HeaderMap) -> Result<CallView, ApiError> {
    let now = state.clock.now();
    let cf = &call.codice_fiscale;
    let messages = state.store.messages_for(cf, MESSAGES_SHOWN).await?;
    let pin_request = state.store.pin_request(cf).await?.map(|r| {
        let effective = effective_state(r.state, r.created_at, now, state.config.pin_validity);
        let delivery = first_half_delivery(&messages, r.created_at);
        PinRequestView {
            state: effective,
            requested_at: r.created_at,
            age_seconds: (now - r.created_at).num_seconds(),
            may_validate: contact_center_may_validate(effective, r.created_at, delivery, now),
            validation_possible_at: (effective == PinRequestState::PendingDelivery)
                .then(|| validation_possible_from(r.created_at, delivery)),
        }
    });
    let lang = request_lang(headers);
    let application = state.store.application(cf).await?.map(|r| {
        let a = r.application;
        ApplicationSummary {
            protocol: a.protocol.to_string(),
            status: a.status(),
            status_label: a.status().label(lang).to_owned(),
            submitted_at: a.submitted_at(),
            channel: a.channel,
        }
    });
    Ok(CallView {
        id: call.id.clone(),
        codice_fiscale: cf.clone(),
        opened_at: call.opened_at,
        pin_checked: call.pin_checked_at.is_some(),
        pin_request,
        application,
        // Masked as the validation's answer has them: "the number ending 2233, is it yours?"
        // tells a citizen whose PIN never came whether someone else's contacts were typed.
        messages: messages.iter().map(QueuedMessage::of).collect(),
        window: window_state(state, headers, Channel::ContactCenter),
    })
}

/// `POST /api/operator/calls`: the citizen on the phone gives their codice fiscale.
#[utoipa::path(
    post,
    path = "/api/operator/calls",
    tag = "operator",
    security(("operator_session" = [])),
    request_body = OpenCall,
    responses((status = 201, description = "The call is open", body = CallView))
)]
async fn open_call(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    ApiJson(request): ApiJson<OpenCall>,
) -> Result<(StatusCode, Json<CallView>), ApiError> {
    let mut errors = FieldErrors::new();
    let cf = if request.codice_fiscale.trim().is_empty() {
        errors.add("codice_fiscale", ErrorCode::Required);
        None
    } else {
        errors.check("codice_fiscale", CodiceFiscale::parse(&request.codice_fiscale))
    };
    let Some(cf) = cf else {
        return Err(ApiError::Validation(errors));
    };
    let call = CallRecord {
        id: hex::encode(random_bytes::<16>()),
        operator: operator.username().to_owned(),
        codice_fiscale: cf.to_string(),
        opened_at: state.clock.now(),
        pin_checked_at: None,
    };
    state.store.put_call(&call).await?;
    audit(
        &state,
        operator.username(),
        Some(&call.codice_fiscale),
        AuditAction::CallOpened,
        AuditOutcome::Ok,
        format!("call {}", call.id),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(call_view(&state, &call, &headers).await?)))
}

/// The call `id` if this operator opened it and it is still current; not found otherwise (the
/// attempt is audited, `action` saying what was tried).
async fn own_call(
    state: &AppState,
    operator: &Operator,
    id: &str,
    action: AuditAction,
) -> Result<CallRecord, ApiError> {
    let now = state.clock.now();
    let call = state
        .store
        .call(id)
        .await?
        .filter(|c| c.operator == operator.username() && now - c.opened_at < CALL_LIFETIME);
    match call {
        Some(call) => Ok(call),
        None => {
            audit(
                state,
                operator.username(),
                None,
                action,
                AuditOutcome::Refused,
                ErrorCode::NotFound.as_str(),
            )
            .await?;
            Err(ApiError::NotFound)
        }
    }
}

/// `GET /api/operator/calls/{id}`.
#[utoipa::path(
    get,
    path = "/api/operator/calls/{id}",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, description = "The call", body = CallView))
)]
async fn read_call(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<CallView>, ApiError> {
    let call = own_call(&state, &operator, &id, AuditAction::CallRead).await?;
    let view = call_view(&state, &call, &headers).await?;
    audit(
        &state,
        operator.username(),
        Some(&call.codice_fiscale),
        AuditAction::CallRead,
        AuditOutcome::Ok,
        format!("call {}", call.id),
    )
    .await?;
    Ok(Json(view))
}

/// How many of a citizen's messages the call shows: a PIN request's four, a validation's three,
/// a receipt's two and a few status changes, with room to spare.
const MESSAGES_SHOWN: usize = 40;

// --- validating a stale PIN request ------------------------------------------------------------

/// The answer to a validation: where the new first part went, masked.
#[derive(Serialize, utoipa::ToSchema)]
struct PinValidated {
    state: PinRequestState,
    validated_at: DateTime<Utc>,
    sent_to: SentTo,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ValidatedSentTo)]
struct SentTo {
    sms: String,
    email: String,
    pec: String,
}

/// `POST /api/operator/calls/{id}/pin-validation`: for a request pending delivery 12 hours or
/// more, issues a fresh first part (only hashes are stored, so the old one cannot be re-sent; the
/// letter's second part stays valid), sends it as the PIN request did, and marks the request
/// validated by the Contact Center.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/pin-validation",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, description = "Validated: new first 8 characters are sent", body = PinValidated))
)]
async fn validate_pin(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let call = own_call(&state, &operator, &id, AuditAction::PinValidation).await?;
    let (cf, now, lang) = (call.codice_fiscale.as_str(), state.clock.now(), request_lang(&headers));
    let refuse = |code: ErrorCode, possible_at: Option<DateTime<Utc>>| {
        let mut message = code.message(lang).to_owned();
        let mut extra = json!({});
        if let Some(at) = possible_at {
            let label = match lang {
                Lang::It => "Convalida possibile dal",
                Lang::En => "Validation possible from",
            };
            message = format!("{message} {label} {}.", to_rome(at).format("%d/%m/%Y %H:%M"));
            extra = json!({ "possible_at": at });
        }
        refusal(StatusCode::CONFLICT, code, message, extra)
    };
    let audit_refused = |code: ErrorCode| {
        audit(
            &state,
            operator.username(),
            Some(cf),
            AuditAction::PinValidation,
            AuditOutcome::Refused,
            code.as_str(),
        )
    };
    let record = state.store.pin_request(cf).await?;
    let effective = record
        .as_ref()
        .map(|r| effective_state(r.state, r.created_at, now, state.config.pin_validity));
    let messages = state.store.messages_for(cf, MESSAGES_SHOWN).await?;
    let delivery = record.as_ref().map_or(FirstHalfDelivery::NotSent, |r| {
        first_half_delivery(&messages, r.created_at)
    });
    let record = match (record, effective) {
        (Some(r), Some(state_now)) if contact_center_may_validate(state_now, r.created_at, delivery, now) => r,
        (Some(r), Some(PinRequestState::PendingDelivery)) => {
            let possible_at = validation_possible_from(r.created_at, delivery);
            let code = ErrorCode::PinValidationTooEarly;
            audit_refused(code).await?;
            return Ok(refuse(code, Some(possible_at)));
        }
        _ => {
            let code = ErrorCode::PinNotValidatable;
            audit_refused(code).await?;
            return Ok(refuse(code, None));
        }
    };
    let pin = IssuedPin::from_random_bytes(random_bytes());
    let first_half_hash = state.pin_key.hash_half(cf, PinHalf::First, pin.first_half());
    let messages = state.sealer.pin_validated(&record, pin.first_half(), now)?;
    // The rule was read above from the messages' state; the write checks again that the request
    // is still pending and not expired, and at least as old as that rule made it wait.
    let waited = validation_possible_from(record.created_at, delivery) - record.created_at;
    let validated = state
        .store
        .validate_pin_request(
            cf,
            &first_half_hash,
            now - state.config.pin_validity,
            now - waited,
            now,
            &messages,
        )
        .await?;
    if !validated {
        // Used or validated by someone else between the read and the write.
        let code = ErrorCode::PinNotValidatable;
        audit_refused(code).await?;
        return Ok(refuse(code, None));
    }
    state.outbox_written.notify();
    audit(
        &state,
        operator.username(),
        Some(cf),
        AuditAction::PinValidation,
        AuditOutcome::Ok,
        "",
    )
    .await?;
    tracing::info!("PIN request validated by the Contact Center");
    let r = &record.request;
    Ok(Json(PinValidated {
        state: PinRequestState::ValidatedByContactCenter,
        validated_at: now,
        sent_to: SentTo {
            sms: mask_mobile(&r.mobile),
            email: mask_email(r.email.as_str()),
            pec: mask_email(r.pec.as_str()),
        },
    })
    .into_response())
}

// --- the citizen's PIN characters ------------------------------------------------------------------

#[derive(Deserialize, utoipa::ToSchema)]
struct PinCheck {
    #[serde(default)]
    pin_first8: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PinChecked {
    pin_checked_at: DateTime<Utc>,
}

/// `POST /api/operator/calls/{id}/pin-check`: the first 8 PIN characters the citizen reads out,
/// checked as a simplified-PIN login is, and counted for this operator: the caller is the operator,
/// not an address, so no stranger's guesses ever slow the Contact Center's check.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/pin-check",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    request_body = PinCheck,
    responses((status = 200, description = "The caller gave the right first 8 characters", body = PinChecked))
)]
async fn pin_check(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PinCheck>,
) -> Result<Json<PinChecked>, ApiError> {
    let call = own_call(&state, &operator, &id, AuditAction::PinCheck).await?;
    let cf = call.codice_fiscale.as_str();
    if request.pin_first8.trim().is_empty() {
        return Err(ApiError::field("pin_first8", ErrorCode::Required));
    }
    let pin = PinInput::parse(&request.pin_first8).map_err(|e| ApiError::field("pin_first8", e))?;
    if pin.second_half().is_some() {
        // Only the first part is ever read out on the phone.
        return Err(ApiError::field("pin_first8", ErrorCode::PinLength));
    }
    let now = state.clock.now();
    let caller = Caller::Operator(operator.username().to_owned());
    let refused = match check_pin(&state, cf, &pin, &caller, now).await? {
        pin_check::PinCheck::Accepted if pin_check::simplified_pin_barred(&state, cf).await? => Some((
            ErrorCode::SimplifiedPinAfterReport,
            ApiError::field("pin_first8", ErrorCode::SimplifiedPinAfterReport),
        )),
        pin_check::PinCheck::Accepted => None,
        pin_check::PinCheck::Delayed(retry_after) => {
            Some((ErrorCode::LoginLocked, ApiError::LoginDelayed { retry_after }))
        }
        pin_check::PinCheck::Wrong => Some((
            ErrorCode::OperatorPinCheckFailed,
            ApiError::field("pin_first8", ErrorCode::OperatorPinCheckFailed),
        )),
    };
    if let Some((code, error)) = refused {
        audit(
            &state,
            operator.username(),
            Some(cf),
            AuditAction::PinCheck,
            AuditOutcome::Refused,
            code.as_str(),
        )
        .await?;
        return Err(error);
    }
    state.store.mark_call_pin_checked(&call.id, now).await?;
    audit(
        &state,
        operator.username(),
        Some(cf),
        AuditAction::PinCheck,
        AuditOutcome::Ok,
        "",
    )
    .await?;
    Ok(Json(PinChecked { pin_checked_at: now }))
}

// --- filing on the citizen's behalf ----------------------------------------------------------------

/// The call `id`, if it is this operator's and the citizen's PIN characters were checked on it.
async fn checked_call(
    state: &AppState,
    operator: &Operator,
    id: &str,
    action: AuditAction,
) -> Result<CallRecord, ApiError> {
    let call = own_call(state, operator, id, action).await?;
    if call.pin_checked_at.is_none() {
        let code = ErrorCode::OperatorPinCheckRequired;
        audit(
            state,
            operator.username(),
            Some(&call.codice_fiscale),
            action,
            AuditOutcome::Refused,
            code.as_str(),
        )
        .await?;
        return Err(ApiError::Forbidden(code));
    }
    Ok(call)
}

/// Audits how `result` ended for the call's citizen and passes it on.
async fn audited<T>(
    state: &AppState,
    operator: &Operator,
    call: &CallRecord,
    action: AuditAction,
    result: Result<T, ApiError>,
    detail_ok: impl FnOnce(&T) -> String,
) -> Result<T, ApiError> {
    let (outcome, detail) = match &result {
        Ok(value) => (AuditOutcome::Ok, detail_ok(value)),
        Err(e) => (AuditOutcome::Refused, error_detail(e)),
    };
    audit(
        state,
        operator.username(),
        Some(&call.codice_fiscale),
        action,
        outcome,
        detail,
    )
    .await?;
    result
}

/// What the Contact Center proves of the caller: the first 8 PIN characters read out on the phone,
/// so it reads and files at the simplified PIN's strength (docs/adr/0017).
const ON_A_CALL: domain::Credential = domain::Credential::SimplifiedPin;

/// `GET /api/operator/calls/{id}/application`: the citizen's form or receipt, with the Contact
/// Center's window.
#[utoipa::path(
    get,
    path = "/api/operator/calls/{id}/application",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, description = "The caller's draft or application, and the window", body = ApplicationState))
)]
async fn application(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ApplicationState>, ApiError> {
    let call = checked_call(&state, &operator, &id, AuditAction::ApplicationRead).await?;
    let result = application_state(
        &state,
        &call.codice_fiscale,
        ON_A_CALL,
        &headers,
        Channel::ContactCenter,
    )
    .await;
    audited(&state, &operator, &call, AuditAction::ApplicationRead, result, |_| {
        String::new()
    })
    .await
    .map(Json)
}

/// `PUT /api/operator/calls/{id}/application/draft`.
#[utoipa::path(
    put,
    path = "/api/operator/calls/{id}/application/draft",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    request_body = ApplicationForm,
    responses((status = 200, description = "Saved", body = Saved))
)]
async fn put_draft(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Json<Saved>, ApiError> {
    let call = checked_call(&state, &operator, &id, AuditAction::DraftSaved).await?;
    let result = save_draft(&state, &call.codice_fiscale, ON_A_CALL, form).await;
    audited(&state, &operator, &call, AuditAction::DraftSaved, result, |_| {
        "draft".into()
    })
    .await
    .map(Json)
}

/// `POST /api/operator/calls/{id}/application/steps/{slug}`.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/application/steps/{slug}",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id"), ("slug" = String, Path, description = "The step's slug")),
    request_body = ApplicationForm,
    responses((status = 200, description = "The step is valid and the draft saved", body = Saved))
)]
async fn check_step(
    State(state): State<AppState>,
    operator: Operator,
    Path((id, slug)): Path<(String, String)>,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Json<Saved>, ApiError> {
    let call = checked_call(&state, &operator, &id, AuditAction::DraftSaved).await?;
    let result = save_step(&state, &call.codice_fiscale, ON_A_CALL, &slug, form).await;
    audited(&state, &operator, &call, AuditAction::DraftSaved, result, |_| {
        format!("step {slug}")
    })
    .await
    .map(Json)
}

/// `POST /api/operator/calls/{id}/application/submit` with an `Idempotency-Key`: the same rules
/// as the citizen's Conferma, on the Contact Center's channel and window.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/application/submit",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id"), ("Idempotency-Key" = Option<String>, Header, description = "1-128 letters, digits or `-`: a retry with the same key and body gets the same answer")),
    request_body = ApplicationForm,
    responses((status = 201, description = "Submitted", body = ApplicationView), (status = 200, description = "The same submission again (same Idempotency-Key and body)", body = ApplicationView))
)]
async fn submit(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<(StatusCode, Json<ApplicationView>), ApiError> {
    let call = checked_call(&state, &operator, &id, AuditAction::ApplicationSubmitted).await?;
    let by = format!("contact_center:{}", operator.username());
    let result = submit_for(
        &state,
        &call.codice_fiscale,
        ON_A_CALL,
        &headers,
        form,
        Channel::ContactCenter,
        by,
    )
    .await;
    audited(
        &state,
        &operator,
        &call,
        AuditAction::ApplicationSubmitted,
        result,
        |(status, view)| format!("{} {}", view.protocol, status.as_u16()),
    )
    .await
}

// --- the audit log -------------------------------------------------------------------------------

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    codice_fiscale: Option<String>,
    operator: Option<String>,
    limit: Option<usize>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct AuditList {
    entries: Vec<AuditEntry>,
}

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
async fn audit_log(
    State(state): State<AppState>,
    operator: Operator,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditList>, ApiError> {
    let limit = query.limit.unwrap_or(100).min(AUDIT_LIMIT);
    let cf = match query.codice_fiscale.as_deref().map(CodiceFiscale::parse).transpose() {
        Ok(cf) => cf.map(|cf| cf.to_string()),
        Err(e) => return Err(ApiError::field("codice_fiscale", e)),
    };
    if operator.role != OperatorRole::Supervisor {
        // The attempt is itself on record: an agent looking up a stranger is what the log is for.
        let code = ErrorCode::OperatorSupervisorOnly;
        audit(
            &state,
            operator.username(),
            cf.as_deref(),
            AuditAction::AuditRead,
            AuditOutcome::Refused,
            code.as_str(),
        )
        .await?;
        return Err(ApiError::Forbidden(code));
    }
    let entries = match (&cf, query.operator) {
        (Some(cf), None) => state.store.audit_for(cf, limit).await?,
        (None, Some(username)) => state.store.audit_by_operator(username.trim(), limit).await?,
        _ => {
            return Err(ApiError::Malformed(
                "give exactly one of codice_fiscale and operator".into(),
            ));
        }
    };
    audit(
        &state,
        operator.username(),
        cf.as_deref(),
        AuditAction::AuditRead,
        AuditOutcome::Ok,
        "",
    )
    .await?;
    Ok(Json(AuditList { entries }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/operator/session", get(show).post(login).delete(logout))
        .route("/operator/calls", post(open_call))
        .route("/operator/calls/{id}", get(read_call))
        .route("/operator/calls/{id}/pin-validation", post(validate_pin))
        .route("/operator/calls/{id}/pin-check", post(pin_check))
        .route("/operator/calls/{id}/application", get(application))
        .route("/operator/calls/{id}/application/draft", put(put_draft))
        .route("/operator/calls/{id}/application/steps/{slug}", post(check_step))
        .route("/operator/calls/{id}/application/submit", post(submit))
        .route("/operator/calls/{id}/identity-report", post(identity_report))
        .route("/operator/audit", get(audit_log))
}

/// `POST /api/operator/calls/{id}/identity-report`: the citizen on the call says a PIN request
/// or an application in their name is not theirs (docs/adr/0017). Not the PIN check (whoever made
/// the request has the first half; the citizen usually does not) but the letter: its 8 characters
/// reach only the registered residence, and the caller reads them out (`check_letter`). A report
/// only ever takes away what a simplified PIN opened (the PIN, a simplified-PIN application not yet
/// paid), and is audited under the operator's name by `identity::report`; a refused one too.
#[utoipa::path(
    post,
    path = "/api/operator/calls/{id}/identity-report",
    tag = "operator",
    security(("operator_session" = [])),
    params(("id" = String, Path, description = "The call's id")),
    request_body = CallReport,
    responses((status = 200, description = "Reported", body = crate::routes::identity::ReportDone))
)]
async fn identity_report(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CallReport>,
) -> Result<Json<crate::routes::identity::ReportDone>, ApiError> {
    use crate::routes::identity::{ReportRequest, Reporter, report};
    let call = own_call(&state, &operator, &id, AuditAction::IdentityReport).await?;
    let cf = call.codice_fiscale.as_str();
    // A caller who says "not me" must hold the letter: otherwise the stranger who made the PIN
    // request could call in the citizen's name and revoke, suspend, lock the citizen out.
    if request.letter.trim().is_empty() {
        return Err(ApiError::field("letter", ErrorCode::Required));
    }
    let letter = match PinInput::parse(&request.letter) {
        Ok(PinInput::Simplified(chars)) => chars,
        Ok(_) => return Err(ApiError::field("letter", ErrorCode::PinLength)),
        Err(e) => return Err(ApiError::field("letter", e)),
    };
    let now = state.clock.now();
    let caller = Caller::Operator(operator.username().to_owned());
    let refused = match pin_check::check_letter(&state, cf, &letter, &caller, now).await? {
        pin_check::PinCheck::Accepted => None,
        pin_check::PinCheck::Delayed(retry_after) => {
            Some((ErrorCode::LoginLocked, ApiError::LoginDelayed { retry_after }))
        }
        pin_check::PinCheck::Wrong => Some((
            ErrorCode::OperatorLetterCheckFailed,
            ApiError::field("letter", ErrorCode::OperatorLetterCheckFailed),
        )),
    };
    if let Some((code, error)) = refused {
        audit(
            &state,
            operator.username(),
            Some(cf),
            AuditAction::IdentityReport,
            AuditOutcome::Refused,
            code.as_str(),
        )
        .await?;
        return Err(error);
    }
    let reporter = Reporter::Operator(operator.username().to_owned());
    let target = ReportRequest {
        pin_request: request.pin_request,
        application: request.application,
    };
    Ok(Json(report(&state, cf, &target, &reporter).await?))
}

/// A report of "non sono stato io" on a call: what is reported (as the citizen's own report
/// names it) and the 8 characters of the letter the caller reads out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct CallReport {
    /// The PIN request made at this time.
    #[serde(default)]
    pin_request: Option<DateTime<Utc>>,
    /// The application with this protocol number.
    #[serde(default)]
    application: Option<String>,
    /// The 8 characters of the letter with the PIN's second half.
    #[serde(default)]
    letter: String,
}
