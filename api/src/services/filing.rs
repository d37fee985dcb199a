//! Filing the indemnity application: what its pages start from, the draft saved at every step,
//! the submission (once per citizen, only inside the channel's window, idempotent) and the views
//! of a submitted one. Citizens' routes and the Contact Center's file through the same functions,
//! each for the codice fiscale its session or call names, never one the client sends.
//!
//! A session reads or changes only a draft or application made with a credential at its
//! strength or below; of a stronger one it learns only that it exists and which credentials open
//! it (docs/adr/0017).

use chrono::Datelike;
use domain::application::{Application, ApplicationForm, ApplicationStep, ProtocolNumber};
use domain::benefits::Catalogue;
use domain::submission_window::{Channel, to_rome};
use domain::{CodiceFiscale, Credential, ErrorCode, Lang};

use super::idempotency::IdempotencyKey;
use crate::metrics::{self, Metric};
use crate::store::{ApplicationInsert, ApplicationRecord, DraftRecord, SubmissionGuard};
use crate::{ApiError, AppState};

/// What a submission answered: a new application, or the one a retry of the same request made.
#[derive(Debug)]
pub enum Submitted {
    /// Written now (201).
    Created(ApplicationView),
    /// Written by an earlier try of the same request (200, the same receipt).
    Again(ApplicationView),
}

impl Submitted {
    /// The receipt either way.
    pub fn view(&self) -> &ApplicationView {
        match self {
            Submitted::Created(view) | Submitted::Again(view) => view,
        }
    }

    /// Whether this request wrote it.
    pub fn created(&self) -> bool {
        matches!(self, Submitted::Created(_))
    }
}

// The answers are the wire types the SPA reads (domain::wire), defined once.
pub use domain::wire::application::{
    Applicant, ApplicationContent, ApplicationList, ApplicationState, ApplicationView, Saved, StatusView, WindowState,
};

/// Who the history names for the citizen's own actions.
pub const BY_CITIZEN: &str = "citizen";

/// `application` as its owner sees it, the applicant named from their PIN request when there is
/// one (one read, on the answers that show a receipt).
pub async fn view(state: &AppState, application: &Application, lang: Lang) -> Result<ApplicationView, ApiError> {
    let name = state
        .store
        .pin_request(application.applicant.as_str())
        .await?
        .map(|pin| pin.applicant_name());
    Ok(named_view(application, name, lang))
}

/// `application` as its owner sees it, the applicant named `name`.
fn named_view(application: &Application, name: Option<String>, lang: Lang) -> ApplicationView {
    view_of(
        application,
        Applicant {
            codice_fiscale: application.applicant.to_string(),
            name,
        },
        lang,
    )
}

fn view_of(application: &Application, applicant: Applicant, lang: Lang) -> ApplicationView {
    ApplicationView {
        protocol: application.protocol.to_string(),
        applicant,
        channel: application.channel,
        submitted_at: application.submitted_at().into(),
        status: application.status(),
        status_label: application.status().label(lang).to_owned(),
        history: application
            .history()
            .iter()
            .map(|change| StatusView {
                status: change.status,
                label: change.status.label(lang).to_owned(),
                at: change.at.into(),
            })
            .collect(),
        content: ApplicationContent::from(&application.content),
        catalogue_version: application.catalogue_version.clone(),
    }
}

pub fn window_state(state: &AppState, lang: Lang, channel: Channel) -> WindowState {
    let now = state.clock.now();
    let window = state.config.submission_windows.window(channel);
    WindowState {
        open: window.is_open(now),
        opens_at: window.next_opening(now).into(),
        hours: window.into(),
        notice: match channel {
            Channel::WebCitizen => state.config.submission_windows.citizen_closed_notice(now, lang),
            Channel::ContactCenter => state.config.submission_windows.contact_center_closed_notice(now, lang),
        },
    }
}

/// Refuses a session with `credential` what was made with `made_with`, if that is stronger.
pub fn open_with(credential: Credential, made_with: Credential) -> Result<(), ApiError> {
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
pub async fn own_application(
    state: &AppState,
    cf: &CodiceFiscale,
    credential: Credential,
) -> Result<Option<ApplicationRecord>, ApiError> {
    let record = state.store.application(cf.as_str()).await?;
    if let Some(record) = &record {
        open_with(credential, record.credential)?;
    }
    Ok(record)
}

/// What the application pages of `cf` start from, with `channel`'s window, for a session with
/// `credential`: a draft or application made with a stronger one is refused, not shown.
pub async fn application_state(
    state: &AppState,
    cf: &CodiceFiscale,
    credential: Credential,
    lang: Lang,
    channel: Channel,
) -> Result<ApplicationState, ApiError> {
    let submitted = match own_application(state, cf, credential).await? {
        Some(record) => Some(view(state, &record.application, lang).await?),
        None => None,
    };
    let draft = state.store.draft(cf.as_str()).await?;
    if let Some(draft) = &draft {
        open_with(credential, draft.credential)?;
    }
    let (form, saved_at) = match draft {
        Some(draft) => (draft.form, Some(draft.updated_at)),
        None => {
            // A citizen who came by SPID, CIE or CNS may have no PIN request: contacts start empty.
            let form = match state.store.pin_request(cf.as_str()).await? {
                Some(pin) => ApplicationForm::from_pin_request(&pin.request),
                None => ApplicationForm::default(),
            };
            (form, None)
        }
    };
    Ok(ApplicationState {
        form,
        saved_at: saved_at.map(Into::into),
        submitted,
        window: window_state(state, lang, channel),
        catalogue_version: Catalogue::embedded().version().to_owned(),
    })
}

/// Saves `form` as the citizen's draft, made with `credential`, unless it is over the size limits
/// no real answer reaches or the stored draft was saved with a stronger credential. Saving over a
/// weaker draft makes it this credential's.
pub async fn save_draft(
    state: &AppState,
    codice_fiscale: &CodiceFiscale,
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
            codice_fiscale: codice_fiscale.to_string(),
            form,
            updated_at: saved_at,
            credential,
        })
        .await?;
    if !saved {
        let made_with = state
            .store
            .draft(codice_fiscale.as_str())
            .await?
            .map_or(Credential::SpidL2, |d| d.credential);
        return Err(ApiError::StrongerCredential {
            opens_with: made_with.strength().max(credential.strength()),
        });
    }
    metrics::count(state.config.emf_metrics, Metric::DraftSaves, saved_at);
    Ok(Saved {
        saved_at: saved_at.into(),
    })
}

/// Saves `form` as `cf`'s draft made with `credential`, then checks the fields of the step named
/// `slug`.
pub async fn save_step(
    state: &AppState,
    cf: &CodiceFiscale,
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

/// Who submits, and how: the citizen whose application it is, the credential it is made with,
/// the channel (whose window must be open), who the history names, the answer's language, and
/// the applicant's name for the receipt, and what must still hold as the application is written.
#[derive(Debug, Clone)]
pub struct Filer<'a> {
    pub codice_fiscale: &'a CodiceFiscale,
    pub credential: Credential,
    pub channel: Channel,
    pub by: String,
    pub lang: Lang,
    pub name: ApplicantName,
    pub guard: SubmissionGuard,
}

/// Where a receipt's applicant name comes from.
#[derive(Debug, Clone)]
pub enum ApplicantName {
    /// Known already: a citizen's session carries the name on their PIN request (or none).
    Known(Option<String>),
    /// Read from the PIN request (the Contact Center's calls hold no name).
    FromPinRequest,
}

/// The receipt of `application` with the applicant named as `name` says.
async fn receipt_view(
    state: &AppState,
    application: &Application,
    name: &ApplicantName,
    lang: Lang,
) -> Result<ApplicationView, ApiError> {
    match name {
        ApplicantName::Known(name) => Ok(named_view(application, name.clone(), lang)),
        ApplicantName::FromPinRequest => view(state, application, lang).await,
    }
}

/// How an existing application answers a submission: the same receipt for a retry of the
/// request that created it, a refusal otherwise (one that names no protocol number to a session
/// weaker than the application's credential).
fn answer_existing(
    existing: &ApplicationRecord,
    credential: Credential,
    key: &str,
    fingerprint: &str,
) -> Result<(), ApiError> {
    open_with(credential, existing.credential)?;
    if existing.idempotency_key != key {
        return Err(ApiError::AlreadySubmitted {
            protocol: existing.application.protocol.to_string(),
        });
    }
    if existing.fingerprint != fingerprint {
        return Err(ApiError::Conflict(ErrorCode::IdempotencyKeyReused));
    }
    Ok(())
}

/// Submits `form` as `filer`'s application under the request's `key`.
///
/// With the window open this reads nothing: the protocol counter, then one conditional write
/// that refuses a second application (and hands back the one there, for a retry's receipt) or a
/// draft of a stronger credential (issue 19: a Conferma in at most 3 DynamoDB calls, the
/// session's read included). The cost is a protocol number drawn for a retry, a gap in the
/// register, which numbers already allow (`Applications::next_protocol_sequence`).
pub async fn submit_for(
    state: &AppState,
    filer: Filer<'_>,
    key: &IdempotencyKey,
    form: ApplicationForm,
) -> Result<Submitted, ApiError> {
    let Filer {
        codice_fiscale: cf,
        credential,
        channel,
        by,
        lang,
        name,
        guard,
    } = filer;
    let catalogue = Catalogue::embedded();
    let valid = form.validate(catalogue).map_err(ApiError::Validation)?;
    let fingerprint = valid.fingerprint();

    let now = state.clock.now();
    let window = state.config.submission_windows.window(channel);
    if !window.is_open(now) {
        // A retry after a lost response gets its receipt even once the window has closed.
        if !super::sessions::guard_holds(state, cf, guard).await? {
            return Err(ApiError::Unauthenticated);
        }
        if let Some(existing) = state.store.application(cf.as_str()).await? {
            answer_existing(&existing, credential, key.as_str(), &fingerprint)?;
            return Ok(Submitted::Again(
                receipt_view(state, &existing.application, &name, lang).await?,
            ));
        }
        return Err(ApiError::WindowClosed { window, now });
    }
    let year = to_rome(now).year();
    let sequence = state.store.next_protocol_sequence(year).await?;
    let protocol = ProtocolNumber::new(year, sequence).map_err(|e| {
        ApiError::Store(crate::store::StoreError::Other(format!(
            "protocol number {year}/{sequence}: {e}"
        )))
    })?;
    let application = Application::submitted(
        protocol,
        cf.clone(),
        channel,
        catalogue.version().to_owned(),
        valid,
        now,
        by,
    );
    let record = ApplicationRecord {
        application,
        idempotency_key: key.as_str().to_owned(),
        fingerprint: fingerprint.clone(),
        credential,
    };
    let lang = receipt_lang(state, &record.application, lang).await;
    let messages = state.sealer.receipt(&record.application, lang, now)?;
    match state.store.insert_application(&record, guard, &messages).await? {
        ApplicationInsert::Inserted => {
            state.outbox_written.notify();
            tracing::info!(protocol = %record.application.protocol, channel = channel.as_str(), "application submitted");
            metrics::count(state.config.emf_metrics, Metric::Submissions, now);
            Ok(Submitted::Created(
                receipt_view(state, &record.application, &name, lang).await?,
            ))
        }
        // An earlier try of this request, a double click or another submission came first.
        ApplicationInsert::Exists(existing) => {
            answer_existing(&existing, credential, key.as_str(), &fingerprint)?;
            Ok(Submitted::Again(
                receipt_view(state, &existing.application, &name, lang).await?,
            ))
        }
        // The PIN the session proved was revoked or replaced meanwhile: the session is over (the
        // next request's session check deletes it).
        ApplicationInsert::PinNoLongerHolds => {
            tracing::info!("submission refused: the session's PIN no longer holds");
            Err(ApiError::Unauthenticated)
        }
        // Submitting removes the draft: a weaker session must not remove a stronger one's.
        ApplicationInsert::StrongerDraft(made_with) => {
            tracing::info!(
                session = credential.as_str(),
                made_with = made_with.as_str(),
                "submission refused: the draft was saved with a stronger credential"
            );
            Err(ApiError::StrongerCredential {
                opens_with: made_with.strength(),
            })
        }
    }
}

/// The language of the receipt (protocol number, whose it is, when), queued by e-mail and SMS
/// to the application's contacts with the application itself: the page's, or for a filing by
/// the Contact Center the one the citizen's PIN request was made in.
async fn receipt_lang(state: &AppState, application: &Application, lang: Lang) -> Lang {
    match application.channel {
        Channel::WebCitizen => lang,
        Channel::ContactCenter => match state.store.pin_request(application.applicant.as_str()).await {
            Ok(Some(pin)) => pin.lang,
            _ => Lang::It,
        },
    }
}
