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
use chrono::{DateTime, NaiveDate, Utc};
use domain::pin::IssuedPin;
use domain::pin_request::{EmbeddedPlaces, PinRequestState, mask_email, mask_mobile};
use domain::registry::{is_registered_person, mask_residence};
use domain::{CodiceFiscale, ErrorCode, PinRequestForm, Step};
use serde::Serialize;

use crate::http::ApiJson;
use crate::http::ClientAddr;
use crate::secrets::{PinHalf, random_bytes};
use crate::store::{OutboxMessage, PinRequestInsert, PinRequestRecord};
use crate::{ApiError, AppState};

#[derive(Serialize, utoipa::ToSchema)]
struct StepOk {
    ok: bool,
    /// After the first page: what the codice fiscale itself says of its holder, so that the
    /// next page offers it to confirm rather than to type (nothing here is secret: anyone can
    /// read it off the code; the place's name comes from the server's table).
    #[serde(skip_serializing_if = "Option::is_none")]
    from_codice_fiscale: Option<FromCodiceFiscale>,
}

/// The personal data a codice fiscale encodes.
#[derive(Serialize, utoipa::ToSchema)]
struct FromCodiceFiscale {
    sex: &'static str,
    /// `None` for a date no calendar has (a mistyped code that still passes its check letter).
    birth_date: Option<NaiveDate>,
    /// The municipality or country that had the code on the birth date, if known.
    birth_place: Option<String>,
    /// Its province, `EE` abroad.
    birth_province: Option<String>,
}

impl FromCodiceFiscale {
    fn read(cf: &CodiceFiscale, today: NaiveDate) -> FromCodiceFiscale {
        let birth_date = cf.birth_date(today);
        let place = birth_date.and_then(|date| domain::places::by_code_on(&cf.birth_place_code(), date));
        FromCodiceFiscale {
            sex: cf.sex().as_str(),
            birth_date,
            birth_place: place.map(|p| p.name.to_owned()),
            birth_province: place.map(|p| p.province.to_owned()),
        }
    }
}

/// Checks one page of the form with the server's rules (including the place table).
#[utoipa::path(
    post,
    path = "/api/pin-requests/steps/{step}",
    tag = "pin-requests",
    params(("step" = String, Path, description = "The step's slug")),
    request_body = PinRequestForm,
    responses((status = 200, description = "The step's fields are valid", body = StepOk))
)]
async fn check_step(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ApiJson(form): ApiJson<PinRequestForm>,
) -> Result<Json<StepOk>, ApiError> {
    let step = Step::from_slug(&slug).ok_or(ApiError::NotFound)?;
    let today = state.clock.now().date_naive();
    let errors = form.validate_step(step, today, Some(&EmbeddedPlaces));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let from_codice_fiscale = match step {
        Step::Identity => CodiceFiscale::parse(&form.codice_fiscale)
            .ok()
            .map(|cf| FromCodiceFiscale::read(&cf, today)),
        _ => None,
    };
    Ok(Json(StepOk {
        ok: true,
        from_codice_fiscale,
    }))
}

/// Where the first half went, masked.
#[derive(Serialize, utoipa::ToSchema)]
struct SentTo {
    sms: String,
    email: String,
    pec: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PinRequestCreated {
    codice_fiscale: String,
    sent_to: SentTo,
    /// Where the letter with the second half goes: the registered residence, masked.
    letter_to: String,
    created_at: DateTime<Utc>,
    /// The messages written with the request, waiting for delivery (the page says which).
    messages: Vec<QueuedMessage>,
}

/// One message of the outbox as its citizen sees it: how it travels, where to (masked), how it went.
#[derive(Serialize, utoipa::ToSchema)]
pub struct QueuedMessage {
    /// `sms`, `email`, `pec`, `post`.
    pub channel: &'static str,
    /// What it tells (`pin_first_half`, `receipt`, …).
    pub kind: &'static str,
    /// The recipient, masked.
    pub to: String,
    /// `queued`, `sending`, `retrying`, `sent`, `dead`.
    pub state: &'static str,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When the carrier took it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Hand-overs tried.
    pub attempts: u32,
}

impl QueuedMessage {
    /// The view of `message`.
    pub fn of(message: &OutboxMessage) -> QueuedMessage {
        QueuedMessage {
            channel: message.channel.as_str(),
            kind: message.kind.as_str(),
            to: message.to_masked.clone(),
            state: message.state.as_str(),
            created_at: message.created_at,
            sent_at: message.sent_at,
            attempts: message.attempts,
        }
    }
}

impl PinRequestCreated {
    fn of(record: &PinRequestRecord, messages: &[OutboxMessage]) -> PinRequestCreated {
        let r = &record.request;
        PinRequestCreated {
            codice_fiscale: r.codice_fiscale.to_string(),
            sent_to: SentTo {
                sms: mask_mobile(&r.mobile),
                email: mask_email(r.email.as_str()),
                pec: mask_email(r.pec.as_str()),
            },
            letter_to: mask_residence(&r.residence),
            created_at: record.created_at,
            messages: messages.iter().map(QueuedMessage::of).collect(),
        }
    }
}

/// The `Idempotency-Key` header, if it is a sane token.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let key = v
                .to_str()
                .map_err(|_| ApiError::Malformed("Idempotency-Key is not text".into()))?;
            if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(ApiError::Malformed(
                    "Idempotency-Key must be 1-128 letters, digits or '-'".into(),
                ));
            }
            Ok(Some(key.to_owned()))
        }
    }
}

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
    ApiJson(form): ApiJson<PinRequestForm>,
) -> Result<(StatusCode, Json<PinRequestCreated>), ApiError> {
    let now = state.clock.now();
    if !state.rate_limiter.allow(client, now) {
        return Err(ApiError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    let key = idempotency_key(&headers)?;
    let mut request = form
        .validate(now.date_naive(), Some(&EmbeddedPlaces))
        .map_err(ApiError::Validation)?;
    // Asked before anything is written: a registry that does not answer leaves nothing behind
    // (503), and the citizen's retry is a first request again.
    let registered = state.registry.resident(&request.codice_fiscale).await?;
    let Some(resident) = registered.filter(|r| is_registered_person(&request.person, &r.person)) else {
        // One answer whether the code is unknown or a field differs, naming none: anything more
        // would let a stranger probe the registry field by field. The attempt was already counted
        // by the per-client limit above, like every PIN request.
        tracing::info!("PIN request refused: not the registered person");
        return Err(ApiError::Forbidden(ErrorCode::RegistryNoMatch));
    };
    // The registry's data win over what was typed: the letter goes to the registered residence
    // and is addressed with the registered names; the typed residence is not kept.
    request.person = resident.person;
    request.residence = resident.residence;
    let pin = IssuedPin::from_random_bytes(random_bytes());
    let cf = request.codice_fiscale.to_string();
    let record = PinRequestRecord {
        first_half_hash: state.pin_key.hash_half(&cf, PinHalf::First, pin.first_half()).to_vec(),
        second_half_hash: state
            .pin_key
            .hash_half(&cf, PinHalf::Second, pin.second_half())
            .to_vec(),
        request,
        state: PinRequestState::PendingDelivery,
        created_at: now,
        updated_at: now,
        idempotency_key: key.clone(),
        lang: crate::http::request_lang(&headers),
    };
    // The messages are written with the request, in one atomic write, and delivered by the
    // worker afterwards: the answer waits for the disk, never for a carrier.
    let messages = state.sealer.pin_request(&record, &pin, now)?;
    match state
        .store
        .insert_pin_request(&record, now - state.config.pin_validity, &messages)
        .await?
    {
        PinRequestInsert::Inserted => {
            state.outbox_written.notify();
            tracing::info!(state = record.state.as_str(), "PIN request created");
            Ok((StatusCode::CREATED, Json(PinRequestCreated::of(&record, &messages))))
        }
        // The same request retried (its answer lost on the way): the same answer, nothing re-sent.
        PinRequestInsert::Exists(existing)
            if key.is_some() && existing.idempotency_key == key && existing.request == record.request =>
        {
            let messages = state.store.messages_for(&cf, 50).await?;
            // Newest first from the store; the answer lists them in the order they were written.
            let messages: Vec<_> = messages
                .into_iter()
                .rev()
                .filter(|m| m.created_at == existing.created_at && m.kind.holds_pin())
                .collect();
            Ok((StatusCode::CREATED, Json(PinRequestCreated::of(&existing, &messages))))
        }
        PinRequestInsert::Exists(_) => Err(ApiError::Conflict(ErrorCode::PinAlreadyRequested)),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pin-requests", post(create))
        .route("/pin-requests/steps/{step}", post(check_step))
}
