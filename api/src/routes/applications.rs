//! The indemnity application: the draft saved at every step, the submission (once per citizen,
//! only inside the channel's window, idempotent) and "Le mie domande".
//!
//! Every read and write is keyed by the session's codice fiscale, never by anything the client
//! names: in 2020 a broken check let strangers read and submit other people's drafts. Simplified
//! PIN sessions may do all of this (it is what the simplified PIN is for), but a session reads or
//! changes only a draft or application made with a credential at its strength or below; of a
//! stronger one it learns only that it exists and which credentials open it (docs/adr/0017).
//!
//! The Contact Center files through the same functions (`application_state`, `save_draft`,
//! `save_step`, `submit_for`) for the citizen of its call, on its own channel and window.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Datelike, Utc};
use domain::application::{
    Application, ApplicationForm, ApplicationStatus, ApplicationStep, ProtocolNumber, ValidApplication,
};
use domain::benefits::Catalogue;
use domain::submission_window::{Channel, to_rome};
use domain::{CodiceFiscale, Credential, ErrorCode};
use serde::Serialize;

use crate::http::ApiJson;
use crate::http::Citizen;
use crate::http::request_lang;
use crate::routes::pin_requests::idempotency_key;
use crate::store::{ApplicationInsert, ApplicationRecord, DraftRecord};
use crate::{ApiError, AppState};

/// Who the history names for the citizen's own actions.
const BY_CITIZEN: &str = "citizen";

/// What the application pages start from.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationState {
    /// The saved draft, or a new form with the PIN request's contacts.
    pub form: ApplicationForm,
    /// When the draft was last saved; `None` for a new form.
    pub saved_at: Option<DateTime<Utc>>,
    /// The application already submitted, if any (then the form is not used).
    pub submitted: Option<ApplicationView>,
    /// Whether the citizen may send now, and if not, when.
    pub window: WindowState,
    /// The catalogue the server validates against.
    pub catalogue_version: String,
}

/// The channel's window as the pages show it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WindowState {
    /// Sending is possible now.
    pub open: bool,
    /// When it is next possible (now, if open).
    pub opens_at: DateTime<Utc>,
    /// "Il servizio per l'invio apre alle 16:00 di oggi…" in the request's language, when closed.
    pub notice: Option<String>,
}

/// A submitted application as its owner sees it: the receipt and the statuses, without the
/// names of the staff who moved it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    /// The receipt's protocol number.
    pub protocol: String,
    /// Whose application it is: the receipt says so, so that a printed or forwarded receipt
    /// cannot be taken for someone else's.
    pub applicant: Applicant,
    /// How it was filed: `web_citizen`, or `contact_center` when an operator filed it for the
    /// citizen (then `submitted_at` says when).
    pub channel: Channel,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// The current status.
    pub status: ApplicationStatus,
    /// The current status in the request's language.
    pub status_label: String,
    /// Every status with its time, oldest first.
    pub history: Vec<StatusView>,
    /// What was declared.
    pub content: ValidApplication,
    /// The catalogue version whose texts were declared.
    pub catalogue_version: String,
}

/// The applicant as the receipt names them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Applicant {
    /// The codice fiscale the application is filed under.
    pub codice_fiscale: String,
    /// Given name and surname, as in the PIN request; `None` for a citizen who came by SPID, CIE
    /// or CNS without one.
    pub name: Option<String>,
}

/// `application` as its owner sees it, the applicant named from their PIN request when there is
/// one (one read, on the answers that show a receipt).
async fn view(state: &AppState, application: &Application, headers: &HeaderMap) -> Result<ApplicationView, ApiError> {
    let cf = application.applicant.to_string();
    let name = state.store.pin_request(&cf).await?.map(|pin| {
        let person = &pin.request.person;
        format!("{} {}", person.given_name, person.surname)
    });
    Ok(view_of(
        application,
        Applicant {
            codice_fiscale: cf,
            name,
        },
        headers,
    ))
}

/// One entry of the history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusView {
    /// The status entered.
    pub status: ApplicationStatus,
    /// Its label in the request's language.
    pub label: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The answer to saving a step or a draft.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Saved {
    /// When the draft was saved.
    pub saved_at: DateTime<Utc>,
}

/// The list behind "Le mie domande".
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationList {
    /// The citizen's applications (one at most: one per citizen).
    pub applications: Vec<ApplicationView>,
}

fn view_of(application: &Application, applicant: Applicant, headers: &HeaderMap) -> ApplicationView {
    let lang = request_lang(headers);
    ApplicationView {
        protocol: application.protocol.to_string(),
        applicant,
        channel: application.channel,
        submitted_at: application.submitted_at(),
        status: application.status(),
        status_label: application.status().label(lang).to_owned(),
        history: application
            .history()
            .iter()
            .map(|change| StatusView {
                status: change.status,
                label: change.status.label(lang).to_owned(),
                at: change.at,
            })
            .collect(),
        content: application.content.clone(),
        catalogue_version: application.catalogue_version.clone(),
    }
}

pub(crate) fn window_state(state: &AppState, headers: &HeaderMap, channel: Channel) -> WindowState {
    let now = state.clock.now();
    let window = state.config.submission_windows.window(channel);
    WindowState {
        open: window.is_open(now),
        opens_at: window.next_opening(now),
        notice: match channel {
            Channel::WebCitizen => state
                .config
                .submission_windows
                .citizen_closed_notice(now, request_lang(headers)),
            Channel::ContactCenter => window.closed_notice(now, request_lang(headers)),
        },
    }
}

#[utoipa::path(
    get,
    path = "/api/application",
    tag = "application",
    security(("citizen_session" = [])),
    responses((status = 200, description = "The draft or the submitted application, and the window", body = ApplicationState))
)]
async fn current(
    State(state): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
) -> Result<Json<ApplicationState>, ApiError> {
    Ok(Json(
        application_state(
            &state,
            citizen.codice_fiscale(),
            citizen.session.credential(),
            &headers,
            Channel::WebCitizen,
        )
        .await?,
    ))
}

/// Refuses a session with `credential` what was made with `made_with`, if that is stronger.
fn open_with(credential: Credential, made_with: Credential) -> Result<(), ApiError> {
    if credential.opens(made_with) {
        Ok(())
    } else {
        tracing::info!(
            session = credential.as_str(),
            made_with = made_with.as_str(),
            "refused: made with a stronger credential"
        );
        Err(ApiError::StrongerCredential {
            opens_with: made_with.strength(),
        })
    }
}

/// `cf`'s application, if a session with `credential` may see it (an error if it may not).
async fn own_application(
    state: &AppState,
    cf: &str,
    credential: Credential,
) -> Result<Option<ApplicationRecord>, ApiError> {
    let record = state.store.application(cf).await?;
    if let Some(record) = &record {
        open_with(credential, record.credential)?;
    }
    Ok(record)
}

/// What the application pages of `cf` start from, with `channel`'s window, for a session with
/// `credential`: a draft or application made with a stronger one is refused, not shown.
pub(crate) async fn application_state(
    state: &AppState,
    cf: &str,
    credential: Credential,
    headers: &HeaderMap,
    channel: Channel,
) -> Result<ApplicationState, ApiError> {
    let submitted = match own_application(state, cf, credential).await? {
        Some(record) => Some(view(state, &record.application, headers).await?),
        None => None,
    };
    let draft = state.store.draft(cf).await?;
    if let Some(draft) = &draft {
        open_with(credential, draft.credential)?;
    }
    let (form, saved_at) = match draft {
        Some(draft) => (draft.form, Some(draft.updated_at)),
        None => {
            // A citizen who came by SPID, CIE or CNS may have no PIN request: contacts start empty.
            let form = match state.store.pin_request(cf).await? {
                Some(pin) => ApplicationForm::from_pin_request(&pin.request),
                None => ApplicationForm::default(),
            };
            (form, None)
        }
    };
    Ok(ApplicationState {
        form,
        saved_at,
        submitted,
        window: window_state(state, headers, channel),
        catalogue_version: Catalogue::embedded().version().to_owned(),
    })
}

/// Saves `form` as the citizen's draft, made with `credential`, unless it is over the size limits
/// no real answer reaches or the stored draft was saved with a stronger credential. Saving over a
/// weaker draft makes it this credential's.
pub(crate) async fn save_draft(
    state: &AppState,
    codice_fiscale: &str,
    credential: Credential,
    form: ApplicationForm,
) -> Result<Saved, ApiError> {
    if !form.fits_draft_limits() {
        return Err(ApiError::Malformed("the draft is larger than any application".into()));
    }
    // A draft beside a stronger application would be submitted over nothing; say so now.
    own_application(state, codice_fiscale, credential).await?;
    let saved_at = state.clock.now();
    let saved = state
        .store
        .put_draft_unless_stronger(&DraftRecord {
            codice_fiscale: codice_fiscale.to_owned(),
            form,
            updated_at: saved_at,
            credential,
        })
        .await?;
    if !saved {
        let made_with = state
            .store
            .draft(codice_fiscale)
            .await?
            .map_or(Credential::SpidL2, |d| d.credential);
        return Err(ApiError::StrongerCredential {
            opens_with: made_with.strength().max(credential.strength()),
        });
    }
    Ok(Saved { saved_at })
}

/// `PUT /api/application/draft`: saves what was typed, checked or not (Indietro, leaving a page).
#[utoipa::path(
    put,
    path = "/api/application/draft",
    tag = "application",
    security(("citizen_session" = [])),
    request_body = ApplicationForm,
    responses((status = 200, description = "Saved", body = Saved))
)]
async fn put_draft(
    State(state): State<AppState>,
    citizen: Citizen,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Json<Saved>, ApiError> {
    Ok(Json(
        save_draft(&state, citizen.codice_fiscale(), citizen.session.credential(), form).await?,
    ))
}

/// `POST /api/application/steps/{slug}`: Avanti. Saves the draft whatever it holds (nothing typed
/// is lost), then checks the step's fields.
#[utoipa::path(
    post,
    path = "/api/application/steps/{slug}",
    tag = "application",
    security(("citizen_session" = [])),
    params(("slug" = String, Path, description = "The step's slug")),
    request_body = ApplicationForm,
    responses((status = 200, description = "The step is valid and the draft saved", body = Saved))
)]
async fn check_step(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(slug): Path<String>,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<Json<Saved>, ApiError> {
    Ok(Json(
        save_step(
            &state,
            citizen.codice_fiscale(),
            citizen.session.credential(),
            &slug,
            form,
        )
        .await?,
    ))
}

/// Saves `form` as `cf`'s draft made with `credential`, then checks the fields of the step named
/// `slug`.
pub(crate) async fn save_step(
    state: &AppState,
    cf: &str,
    credential: Credential,
    slug: &str,
    form: ApplicationForm,
) -> Result<Saved, ApiError> {
    let step = ApplicationStep::from_slug(slug).ok_or(ApiError::NotFound)?;
    let errors = form.validate_step(step, Catalogue::embedded());
    let saved = save_draft(state, cf, credential, form).await?;
    if errors.is_empty() {
        Ok(saved)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// How an existing application answers a submission: the same receipt for a retry of the
/// request that created it, a refusal otherwise (one that names no protocol number to a session
/// weaker than the application's credential).
async fn answer_existing(
    state: &AppState,
    existing: &ApplicationRecord,
    credential: Credential,
    key: &str,
    fingerprint: &str,
    headers: &HeaderMap,
) -> Result<(StatusCode, Json<ApplicationView>), ApiError> {
    open_with(credential, existing.credential)?;
    if existing.idempotency_key != key {
        return Err(ApiError::AlreadySubmitted {
            protocol: existing.application.protocol.to_string(),
        });
    }
    if existing.fingerprint != fingerprint {
        return Err(ApiError::Conflict(ErrorCode::IdempotencyKeyReused));
    }
    Ok((StatusCode::OK, Json(view(state, &existing.application, headers).await?)))
}

/// `POST /api/application/submit` with an `Idempotency-Key`: Conferma.
#[utoipa::path(
    post,
    path = "/api/application/submit",
    tag = "application",
    security(("citizen_session" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "1-128 letters, digits or `-`: a retry with the same key and body gets the same answer")),
    request_body = ApplicationForm,
    responses((status = 201, description = "Submitted", body = ApplicationView), (status = 200, description = "The same submission again (same Idempotency-Key and body)", body = ApplicationView))
)]
async fn submit(
    State(state): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
    ApiJson(form): ApiJson<ApplicationForm>,
) -> Result<(StatusCode, Json<ApplicationView>), ApiError> {
    submit_for(
        &state,
        citizen.codice_fiscale(),
        citizen.session.credential(),
        &headers,
        form,
        Channel::WebCitizen,
        BY_CITIZEN.to_owned(),
    )
    .await
}

/// Submits `form` as `cf`'s application made with `credential` through `channel` (whose window
/// must be open), with `by` in the history; `headers` carry the required `Idempotency-Key`.
pub(crate) async fn submit_for(
    state: &AppState,
    cf: &str,
    credential: Credential,
    headers: &HeaderMap,
    form: ApplicationForm,
    channel: Channel,
    by: String,
) -> Result<(StatusCode, Json<ApplicationView>), ApiError> {
    let key = idempotency_key(headers)?
        .ok_or_else(|| ApiError::Malformed("Conferma must carry an Idempotency-Key header".into()))?;
    let catalogue = Catalogue::embedded();
    let valid = form.validate(catalogue).map_err(ApiError::Validation)?;
    let fingerprint = valid.fingerprint();

    // A retry after a lost response must get its receipt even once the window has closed; this
    // read only answers early, the conditional insert below is what enforces one per citizen.
    if let Some(existing) = state.store.application(cf).await? {
        return answer_existing(state, &existing, credential, &key, &fingerprint, headers).await;
    }
    // Submitting removes the draft: a weaker session must not replace a stronger one's draft that
    // way either. (A stronger draft saved between this read and the insert below is lost to a
    // weaker submission; that application is then the citizen's to see and report, ADR 0015.)
    if let Some(draft) = state.store.draft(cf).await? {
        open_with(credential, draft.credential)?;
    }
    let now = state.clock.now();
    let window = state.config.submission_windows.window(channel);
    if !window.is_open(now) {
        return Err(ApiError::WindowClosed { window, now });
    }
    let year = to_rome(now).year();
    let sequence = state.store.next_protocol_sequence(year).await?;
    let protocol = ProtocolNumber::new(year, sequence).map_err(|e| {
        ApiError::Store(crate::store::StoreError::Other(format!(
            "protocol number {year}/{sequence}: {e}"
        )))
    })?;
    let applicant = CodiceFiscale::parse(cf).map_err(|_| {
        ApiError::Store(crate::store::StoreError::Other(
            "session holds a malformed codice fiscale".into(),
        ))
    })?;
    let application = Application::submitted(
        protocol,
        applicant,
        channel,
        catalogue.version().to_owned(),
        valid,
        now,
        by,
    );
    let record = ApplicationRecord {
        application,
        idempotency_key: key.clone(),
        fingerprint: fingerprint.clone(),
        credential,
    };
    let lang = receipt_lang(state, &record.application, headers).await;
    let messages = state.sealer.receipt(&record.application, lang, now)?;
    match state.store.insert_application(&record, &messages).await? {
        ApplicationInsert::Inserted => {
            state.outbox_written.notify();
            tracing::info!(protocol = %record.application.protocol, channel = channel.as_str(), "application submitted");
            Ok((
                StatusCode::CREATED,
                Json(view(state, &record.application, headers).await?),
            ))
        }
        // A concurrent submission (a double click) won the conditional write.
        ApplicationInsert::Exists(existing) => {
            answer_existing(state, &existing, credential, &key, &fingerprint, headers).await
        }
    }
}

/// The language of the receipt (protocol number, whose it is, when), queued by e-mail and SMS
/// to the application's contacts with the application itself: the page's, or for a filing by
/// the Contact Center the one the citizen's PIN request was made in.
async fn receipt_lang(state: &AppState, application: &Application, headers: &HeaderMap) -> domain::Lang {
    match application.channel {
        Channel::WebCitizen => request_lang(headers),
        Channel::ContactCenter => match state.store.pin_request(application.applicant.as_str()).await {
            Ok(Some(pin)) => pin.lang,
            _ => domain::Lang::It,
        },
    }
}

/// `GET /api/applications`: "Le mie domande".
#[utoipa::path(
    get,
    path = "/api/applications",
    tag = "application",
    security(("citizen_session" = [])),
    responses((status = 200, description = "The citizen's applications", body = ApplicationList))
)]
async fn list(
    State(state): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
) -> Result<Json<ApplicationList>, ApiError> {
    let (cf, credential) = (citizen.codice_fiscale(), citizen.session.credential());
    // An empty list would tell a weaker session there is nothing, when a stronger draft exists.
    if let Some(draft) = state.store.draft(cf).await? {
        open_with(credential, draft.credential)?;
    }
    let applications = match own_application(&state, cf, credential).await? {
        Some(record) => vec![view(&state, &record.application, &headers).await?],
        None => Vec::new(),
    };
    Ok(Json(ApplicationList { applications }))
}

/// `GET /api/applications/{protocol}`: one receipt, only the owner's (anyone else: not found,
/// which says nothing about whether the number exists).
#[utoipa::path(
    get,
    path = "/api/applications/{protocol}",
    tag = "application",
    security(("citizen_session" = [])),
    params(("protocol" = String, Path, description = "The protocol number")),
    responses((status = 200, description = "The application with that protocol number", body = ApplicationView))
)]
async fn receipt(
    State(state): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
    Path(protocol): Path<String>,
) -> Result<Json<ApplicationView>, ApiError> {
    let protocol = ProtocolNumber::parse(&protocol).map_err(|_| ApiError::NotFound)?;
    match own_application(&state, citizen.codice_fiscale(), citizen.session.credential()).await? {
        Some(record) if record.application.protocol == protocol => {
            Ok(Json(view(&state, &record.application, &headers).await?))
        }
        _ => Err(ApiError::NotFound),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/application", get(current))
        .route("/application/draft", put(put_draft))
        .route("/application/steps/{slug}", post(check_step))
        .route("/application/submit", post(submit))
        .route("/applications", get(list))
        .route("/applications/{protocol}", get(receipt))
}
