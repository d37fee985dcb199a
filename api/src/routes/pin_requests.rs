//! The PIN request: per-step checks for the SPA's pages, and the request itself, which issues a
//! PIN, stores only its keyed hashes, and queues the first half for SMS, e-mail and PEC and the
//! second for the post, sealed, in the same atomic write (docs/adr/0015).
//!
//! One live request per codice fiscale: a second one is refused (409) rather than replacing the
//! first, so nobody can take over a citizen's PIN by re-requesting it with their own contacts
//! (docs/adr/0004). A retry of the same request (same Idempotency-Key) gets the same answer.
//!
//! Only the person registered under the codice fiscale gets a PIN, and the letter with its second
//! half goes to the residence the population registry knows, never to one typed in the form
//! (docs/adr/0013): knowing someone's name, sex, date and place of birth is not enough to have
//! their PIN posted to oneself.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use chrono::NaiveDate;
use domain::pin_request::EmbeddedPlaces;
use domain::wire::pin_request::{FromCodiceFiscale, StepChecked};
use domain::{CodiceFiscale, PinRequestForm, Step};

use crate::http::{ApiJson, ClientAddr, request_lang};
use crate::services::idempotency::IdempotencyKey;
use crate::services::pin_requests::{self, PinRequestCreated};
use crate::{ApiError, AppState};

/// What the codice fiscale itself says of its holder, so that the next page offers it to confirm
/// rather than to type (nothing here is secret: anyone can read it off the code; the place's name
/// comes from the server's table).
fn from_codice_fiscale(cf: &CodiceFiscale, today: NaiveDate) -> FromCodiceFiscale {
    let birth_date = cf.birth_date(today);
    let place = birth_date.and_then(|date| domain::places::by_code_on(&cf.birth_place_code(), date));
    FromCodiceFiscale {
        sex: cf.sex().as_str().to_owned(),
        birth_date: birth_date.map(|d| d.to_string()),
        birth_place: place.map(|p| p.name.to_owned()),
        birth_province: place.map(|p| p.province.to_owned()),
    }
}

/// Checks one page of the form with the server's rules (including the place table).
#[utoipa::path(
    post,
    path = "/api/pin-requests/steps/{step}",
    tag = "pin-requests",
    params(("step" = String, Path, description = "The step's slug")),
    request_body = PinRequestForm,
    responses((status = 200, description = "The step's fields are valid", body = StepChecked))
)]
async fn check_step(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ApiJson(form): ApiJson<PinRequestForm>,
) -> Result<Json<StepChecked>, ApiError> {
    let step = Step::from_slug(&slug).ok_or(ApiError::NotFound)?;
    let today = state.clock.now().date_naive();
    let errors = form.validate_step(step, today, Some(&EmbeddedPlaces));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let from_codice_fiscale = match step {
        Step::Identity => CodiceFiscale::parse(&form.codice_fiscale)
            .ok()
            .map(|cf| from_codice_fiscale(&cf, today)),
        _ => None,
    };
    Ok(Json(StepChecked {
        ok: true,
        from_codice_fiscale,
    }))
}

/// `POST /api/pin-requests`: the PIN request's CONFERMA.
#[utoipa::path(
    post,
    path = "/api/pin-requests",
    tag = "pin-requests",
    params(("Idempotency-Key" = Option<String>, Header, description = "1-128 letters, digits or `-`: a retry with the same key and body gets the same answer")),
    request_body = PinRequestForm,
    responses((status = 201, description = "The PIN request is filed and its messages queued", body = PinRequestCreated))
)]
async fn create(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    key: Option<IdempotencyKey>,
    ApiJson(form): ApiJson<PinRequestForm>,
) -> Result<(StatusCode, Json<PinRequestCreated>), ApiError> {
    if !state.rate_limiter.allow(client, state.clock.now()) {
        return Err(ApiError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    let created = pin_requests::request_pin(&state, form, key, request_lang(&headers)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pin-requests", post(create))
        .route("/pin-requests/steps/{step}", post(check_step))
}
