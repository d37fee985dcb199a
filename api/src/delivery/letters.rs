//! The letters feed: letters with the PIN's second half leave as batch files for the print
//! provider (CSV: a letter id, the addressee, the registry's address, the second half, the text),
//! written to a directory locally and to an S3 bucket encrypted with a customer-managed KMS key on
//! AWS. A letter is marked sent once its file is durably written, and its sealed content is then
//! removed: the file is the only place its second half exists.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::attempt::moved_on;
use super::{Delivered, RetryPolicy, failed, record};
use crate::notifier::NotifyError;
use crate::outbox::Sealer;
use crate::store::{DeliveryOutcome, Notification, OutboxEntry, Store, StoreError};

/// One row of a batch file.
#[derive(Clone, Serialize)]
pub struct LetterRow {
    /// The outbox message's id: the provider prints each id once, so a batch sent again after a
    /// crash prints nothing twice.
    pub letter_id: String,
    /// Whose letter it is.
    pub codice_fiscale: String,
    /// Given name and surname.
    pub name: String,
    /// Street address.
    pub address: String,
    /// Postcode.
    pub postcode: String,
    /// Municipality or city.
    pub municipality: String,
    /// Province sigla, `EE` abroad.
    pub province: String,
    /// Country.
    pub country: String,
    /// The PIN's last 8 characters.
    pub pin_second_half: String,
    /// The letter's subject.
    pub subject: String,
    /// The letter's text.
    pub body: String,
}

/// One batch of letters.
pub struct LetterBatch {
    /// Unique: part of the file's name.
    pub id: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Its letters.
    pub rows: Vec<LetterRow>,
}

impl LetterBatch {
    /// The file's name: sortable by time, unique by id.
    pub fn file_name(&self) -> String {
        format!(
            "letters-{}-{}.csv",
            self.created_at.format("%Y%m%dT%H%M%S%.3fZ"),
            self.id
        )
    }

    /// The file's content: CSV with a header row, UTF-8.
    pub fn to_csv(&self) -> Result<Vec<u8>, NotifyError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in &self.rows {
            writer
                .serialize(row)
                .map_err(|e| NotifyError::Letters(format!("cannot write a CSV row: {e}")))?;
        }
        writer
            .into_inner()
            .map_err(|e| NotifyError::Letters(format!("cannot finish the CSV: {e}")))
    }
}

/// Where batches go.
#[async_trait]
pub trait LetterSink: Send + Sync + 'static {
    /// Writes `batch` durably (or fails and leaves nothing half-written); returns where it went.
    async fn write_batch(&self, batch: &LetterBatch) -> Result<String, NotifyError>;
}

/// Batch files in a directory: written to a temporary name, flushed to disk, renamed, and the
/// directory flushed, so that a file the provider sees is whole and survives a power cut.
pub struct DirectoryLetters {
    dir: PathBuf,
}

impl DirectoryLetters {
    /// A feed into `dir`, created (mode 0700) if missing.
    pub fn new(dir: PathBuf) -> Result<DirectoryLetters, NotifyError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| NotifyError::Letters(format!("cannot create {}: {e}", dir.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(DirectoryLetters { dir })
    }
}

#[async_trait]
impl LetterSink for DirectoryLetters {
    async fn write_batch(&self, batch: &LetterBatch) -> Result<String, NotifyError> {
        let bytes = batch.to_csv()?;
        let (dir, name) = (self.dir.clone(), batch.file_name());
        tokio::task::spawn_blocking(move || write_durably(&dir, &name, &bytes).map(|()| name))
            .await
            .map_err(|e| NotifyError::Letters(format!("letters task failed: {e}")))?
            .map_err(|e| NotifyError::Letters(format!("cannot write the batch file: {e}")))
    }
}

fn write_durably(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let partial = dir.join(format!(".{name}.partial"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&partial, dir.join(name))?;
    std::fs::File::open(dir)?.sync_all()
}

/// Dev mode's letters: each one into the dev sink, where the tests read it like a letterbox.
pub struct DevSinkLetters {
    store: Arc<dyn Store>,
}

impl DevSinkLetters {
    /// Letters into `store`'s dev sink.
    pub fn new(store: Arc<dyn Store>) -> DevSinkLetters {
        DevSinkLetters { store }
    }
}

#[async_trait]
impl LetterSink for DevSinkLetters {
    async fn write_batch(&self, batch: &LetterBatch) -> Result<String, NotifyError> {
        for row in &batch.rows {
            let recipient = format!(
                "{}, {}, {} {} ({}), {}",
                row.name, row.address, row.postcode, row.municipality, row.province, row.country
            );
            let entry = OutboxEntry {
                sent_at: batch.created_at,
                notification: Notification {
                    channel: crate::store::Channel::Post,
                    recipient,
                    codice_fiscale: row.codice_fiscale.clone(),
                    subject: row.subject.clone(),
                    body: row.body.clone(),
                    message_id: Some(row.letter_id.clone()),
                },
            };
            self.store.push_outbox(&entry).await?;
        }
        Ok("dev sink".to_owned())
    }
}

/// Claims each of the letters `ids`, writes those it got as one batch to `sink`, and records
/// them sent (content removed) or failed. A crash between the file and the record sends those
/// letters again in a later batch, with the same ids (ADR 0015).
pub async fn export(
    store: &dyn Store,
    sealer: &Sealer,
    sink: &dyn LetterSink,
    policy: RetryPolicy,
    ids: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<(String, Delivered)>, StoreError> {
    let lease_until = now + chrono::Duration::from_std(policy.lease).unwrap_or(chrono::Duration::MAX);
    let mut claimed = Vec::new();
    let mut results = Vec::new();
    for id in ids {
        match store.claim_message(id, now, lease_until).await? {
            Some(message) => claimed.push(message),
            None => results.push((id.clone(), Delivered::NotClaimed)),
        }
    }
    let mut rows = Vec::new();
    let mut in_batch = Vec::new();
    for message in claimed {
        match sealer.open(&message) {
            Ok(content) => match content.letter {
                Some(letter) => {
                    rows.push(LetterRow {
                        letter_id: message.id.clone(),
                        codice_fiscale: message.codice_fiscale.clone(),
                        name: letter.name,
                        address: letter.address,
                        postcode: letter.postcode,
                        municipality: letter.municipality,
                        province: letter.province,
                        country: letter.country,
                        pin_second_half: letter.pin_second_half,
                        subject: content.subject,
                        body: content.body,
                    });
                    in_batch.push(message);
                }
                None => {
                    let outcome = DeliveryOutcome::Failed {
                        error: "a letter without an address".into(),
                        retry_at: None,
                    };
                    record(store, &message, &outcome).await?;
                    results.push((message.id.clone(), Delivered::Finished(outcome)));
                }
            },
            Err(e) => {
                let outcome = DeliveryOutcome::Failed {
                    error: e.to_string(),
                    retry_at: None,
                };
                record(store, &message, &outcome).await?;
                results.push((message.id.clone(), Delivered::Finished(outcome)));
            }
        }
    }
    if in_batch.is_empty() {
        return Ok(results);
    }
    let batch = LetterBatch {
        id: hex::encode(crate::secrets::random_bytes::<8>()),
        created_at: now,
        rows,
    };
    let started = std::time::Instant::now();
    let written = sink.write_batch(&batch).await;
    if let Ok(name) = &written {
        tracing::info!(batch = %name, letters = in_batch.len(), "letters batch written");
    }
    for message in in_batch {
        let outcome = match &written {
            Ok(_) => DeliveryOutcome::Sent(moved_on(now, started)),
            Err(e) => failed(&message, policy, e.to_string(), now),
        };
        record(store, &message, &outcome).await?;
        results.push((message.id.clone(), Delivered::Finished(outcome)));
    }
    Ok(results)
}
