//! The delivery worker on AWS Lambda (docs/adr/0016): the same `sportello-lambda` binary with
//! `SPORTELLO_ROLE=delivery`. The table's stream tells an EventBridge Pipe of each message
//! written, the pipe puts its id on the delivery queue, and this worker takes the queue's batches:
//! each message id goes through [`crate::delivery::deliver_one`] (SMS by SNS, e-mail and PEC by
//! SES's SMTP interface) or, for letters, [`crate::delivery::letters::export`] into the letters
//! bucket ([`crate::delivery::s3::S3Letters`]). The store decides: the claim is recorded before
//! the hand-off, so a record delivered twice by SQS sends nothing twice.
//!
//! A message that failed and will be retried stays on the queue (a batch item failure) with its
//! visibility moved to the retry's time, which already holds the backoff and jitter; after
//! `maxReceiveCount` receives SQS moves it to the dead-letter queue, whose depth raises an alarm.
//! A scheduled sweep puts back on the queue any message still due long after its time (a record
//! the pipe could not deliver, or one sent to the dead-letter queue while its store was down).

use std::collections::HashMap;
use std::sync::Arc;

use aws_config::SdkConfig;
use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, SmsChoice};
use crate::delivery::letters::{self, LetterSink};
use crate::delivery::pace::Pace;
use crate::delivery::s3::S3Letters;
use crate::delivery::{Carriers, Delivered, RetryPolicy, deliver_one};
use crate::lambda::LambdaStartError;
use crate::notifier::{Notifier, NotifyError, smtp::SmtpNotifier, sns::SnsSmsNotifier};
use crate::outbox::Sealer;
use crate::store::dynamodb::DynamoDbStore;
use crate::store::{Channel, DeliveryOutcome, DeliveryState, OutboxMessage, Store, StoreError};

/// The longest an SQS message can stay invisible (12 hours).
const MAX_VISIBILITY_SECONDS: i64 = 12 * 60 * 60;
/// How long a message of a channel without a carrier waits before it is looked at again.
const NO_CARRIER_WAIT_SECONDS: i64 = 15 * 60;
/// The sweep re-queues messages due for longer than this: a shorter delay is the queue's own.
const SWEEP_GRACE: chrono::Duration = chrono::Duration::minutes(20);
/// Messages the sweep puts back at most per run.
const SWEEP_LIMIT: usize = 500;

/// What the worker reads from the environment beside [`Config`] (`SPORTELLO_*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerSettings {
    /// The delivery queue's URL (`SPORTELLO_DELIVERY_QUEUE_URL`): retries move a record's
    /// visibility there, and the sweep sends to it.
    pub queue_url: Option<String>,
    /// The letters bucket (`SPORTELLO_LETTERS_BUCKET`).
    pub letters_bucket: Option<String>,
    /// The customer-managed KMS key the letters are encrypted under (`SPORTELLO_LETTERS_KMS_KEY_ID`).
    pub letters_kms_key_id: Option<String>,
    /// The prefix of the batch files' keys (`SPORTELLO_LETTERS_PREFIX`, default `letters/`).
    pub letters_prefix: String,
}

impl WorkerSettings {
    /// Reads the settings through `lookup`; the letters bucket needs its key.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<WorkerSettings, LambdaStartError> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let settings = WorkerSettings {
            queue_url: get("SPORTELLO_DELIVERY_QUEUE_URL"),
            letters_bucket: get("SPORTELLO_LETTERS_BUCKET"),
            letters_kms_key_id: get("SPORTELLO_LETTERS_KMS_KEY_ID"),
            letters_prefix: get("SPORTELLO_LETTERS_PREFIX").unwrap_or_else(|| "letters/".into()),
        };
        if settings.letters_bucket.is_some() && settings.letters_kms_key_id.is_none() {
            return Err(LambdaStartError::Notifier(NotifyError::Letters(
                "SPORTELLO_LETTERS_BUCKET needs SPORTELLO_LETTERS_KMS_KEY_ID: letters are written only under \
                 the customer-managed key"
                    .into(),
            )));
        }
        Ok(settings)
    }
}

/// The queue a record came from, for moving its visibility and for the sweep.
#[derive(Clone)]
pub struct Queue {
    /// The SQS client.
    pub client: aws_sdk_sqs::Client,
    /// The queue's URL.
    pub url: String,
}

/// The worker: the store, the key that opens the messages, the carriers, and the pace of each.
pub struct DeliveryWorker {
    store: Arc<dyn Store>,
    sealer: Arc<Sealer>,
    carriers: Carriers,
    policy: RetryPolicy,
    sms_per_second: u32,
    mail_per_second: u32,
    clock: Arc<dyn Clock>,
    queue: Option<Queue>,
}

/// What to do with one SQS record once its message was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Done with it (sent, dead, or gone): SQS deletes the record.
    Done,
    /// Leave it on the queue and show it again at this time.
    RetryAt(DateTime<Utc>),
    /// Leave it on the queue; SQS shows it again after the queue's visibility timeout.
    RetrySoon,
}

impl DeliveryWorker {
    /// A worker over `store` with `carriers`, pacing each channel at the rates of `config`
    /// (per invocation: the channel's rate on AWS is the function's concurrency times this).
    pub fn new(
        config: &Config,
        store: Arc<dyn Store>,
        sealer: Arc<Sealer>,
        carriers: Carriers,
        queue: Option<Queue>,
    ) -> DeliveryWorker {
        DeliveryWorker {
            store,
            sealer,
            carriers,
            policy: RetryPolicy::of(&config.delivery),
            sms_per_second: config.delivery.sms_per_second,
            mail_per_second: config.delivery.smtp_per_second,
            clock: Arc::new(SystemClock),
            queue,
        }
    }

    /// The same worker deciding by `clock` (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> DeliveryWorker {
        self.clock = clock;
        self
    }

    /// Handles one SQS batch: every message it names is delivered (or found already sent), and
    /// those to try again are returned as batch item failures (ReportBatchItemFailures).
    pub async fn handle_sqs(&self, event: SqsEvent) -> SqsBatchResponse {
        let now = self.clock.now();
        let mut next: HashMap<String, Next> = HashMap::new();
        // Sorted into lanes by channel, read by key first: a record for a message already sent
        // (SQS delivers at least once) costs one read.
        let (mut sms, mut mail, mut post) = (Vec::new(), Vec::new(), Vec::new());
        for record in &event.records {
            let Some(record_id) = record.message_id.clone() else {
                continue;
            };
            let Some(id) = message_id(record) else {
                tracing::error!(record = %record_id, "a delivery record names no message; dropped");
                next.insert(record_id, Next::Done);
                continue;
            };
            let decided = match self.store.message(&id).await {
                Ok(None) => Some(Next::Done),
                Ok(Some(message)) if !message.state.is_pending() => Some(Next::Done),
                Ok(Some(message)) => {
                    match message.channel {
                        Channel::Sms => sms.push((record_id.clone(), id)),
                        Channel::Email | Channel::Pec => mail.push((record_id.clone(), id)),
                        Channel::Post => post.push((record_id.clone(), id)),
                    }
                    None
                }
                Err(e) => {
                    tracing::warn!(record = %record_id, error = %e, "cannot read a message; it comes back");
                    Some(Next::RetrySoon)
                }
            };
            if let Some(decided) = decided {
                next.insert(record_id, decided);
            }
        }
        let (sms, mail, post) = tokio::join!(
            self.lane(self.carriers.sms.clone(), self.sms_per_second, sms, now),
            self.lane(self.carriers.mail.clone(), self.mail_per_second, mail, now),
            self.letters(post, now),
        );
        next.extend(sms.into_iter().chain(mail).chain(post));

        let mut response = SqsBatchResponse::default();
        for record in &event.records {
            let Some(record_id) = &record.message_id else { continue };
            match next.get(record_id).copied().unwrap_or(Next::RetrySoon) {
                Next::Done => {}
                retry => {
                    if let Next::RetryAt(at) = retry {
                        self.show_again_at(record, at, now).await;
                    }
                    let mut failure = BatchItemFailure::default();
                    failure.item_identifier = record_id.clone();
                    response.batch_item_failures.push(failure);
                }
            }
        }
        response
    }

    /// Messages of one single-message carrier, one after the other at `per_second`.
    async fn lane(
        &self,
        carrier: Option<Arc<dyn Notifier>>,
        per_second: u32,
        records: Vec<(String, String)>,
        now: DateTime<Utc>,
    ) -> Vec<(String, Next)> {
        if records.is_empty() {
            return Vec::new();
        }
        let Some(carrier) = carrier else {
            tracing::warn!("no carrier for a channel: its messages wait in the outbox, sealed");
            let at = now + chrono::Duration::seconds(NO_CARRIER_WAIT_SECONDS);
            return records.into_iter().map(|(r, _)| (r, Next::RetryAt(at))).collect();
        };
        let mut pace = Pace::per_second(per_second);
        let mut out = Vec::with_capacity(records.len());
        for (record, id) in records {
            pace.wait_turn().await;
            let next = match deliver_one(
                self.store.as_ref(),
                &self.sealer,
                carrier.as_ref(),
                self.policy,
                &id,
                self.clock.now(),
            )
            .await
            {
                Ok(Delivered::Finished(outcome)) => after(&outcome),
                Ok(Delivered::NotClaimed) => self.not_claimed(&id).await,
                Err(e) => {
                    tracing::warn!(id = %id, error = %e, "the outbox failed; the message comes back");
                    Next::RetrySoon
                }
            };
            out.push((record, next));
        }
        out
    }

    /// The letters of the batch, as one batch file.
    async fn letters(&self, records: Vec<(String, String)>, now: DateTime<Utc>) -> Vec<(String, Next)> {
        if records.is_empty() {
            return Vec::new();
        }
        let Some(sink) = self.carriers.letters.clone() else {
            tracing::warn!("no letters feed configured: letters wait in the outbox, sealed");
            let at = now + chrono::Duration::seconds(NO_CARRIER_WAIT_SECONDS);
            return records.into_iter().map(|(r, _)| (r, Next::RetryAt(at))).collect();
        };
        let ids: Vec<String> = records.iter().map(|(_, id)| id.clone()).collect();
        let results = letters::export(
            self.store.as_ref(),
            &self.sealer,
            sink.as_ref() as &dyn LetterSink,
            self.policy,
            &ids,
            self.clock.now(),
        )
        .await;
        let results: HashMap<String, Delivered> = match results {
            Ok(results) => results.into_iter().collect(),
            Err(e) => {
                tracing::warn!(error = %e, "the outbox failed during a letters batch; the letters come back");
                return records.into_iter().map(|(r, _)| (r, Next::RetrySoon)).collect();
            }
        };
        let mut out = Vec::with_capacity(records.len());
        for (record, id) in records {
            let next = match results.get(&id) {
                Some(Delivered::Finished(outcome)) => after(outcome),
                Some(Delivered::NotClaimed) => self.not_claimed(&id).await,
                None => Next::RetrySoon,
            };
            out.push((record, next));
        }
        out
    }

    /// A record whose message could not be claimed: done if the message is no longer pending
    /// (another receive of the same record sent it), else to be seen again when it is due.
    async fn not_claimed(&self, id: &str) -> Next {
        match self.store.message(id).await {
            Ok(Some(message)) if message.state.is_pending() => match due_at(&message) {
                Some(at) => Next::RetryAt(at),
                None => Next::RetrySoon,
            },
            Ok(_) => Next::Done,
            Err(_) => Next::RetrySoon,
        }
    }

    /// Moves `record`'s visibility so that SQS shows it again at `at` (at most 12 hours on).
    async fn show_again_at(&self, record: &SqsMessage, at: DateTime<Utc>, now: DateTime<Utc>) {
        let (Some(queue), Some(handle)) = (&self.queue, &record.receipt_handle) else {
            return;
        };
        let wait = ((at - now).num_milliseconds() + 999).div_euclid(1000);
        let seconds = wait.clamp(0, MAX_VISIBILITY_SECONDS) as i32;
        if let Err(e) = queue
            .client
            .change_message_visibility()
            .queue_url(&queue.url)
            .receipt_handle(handle)
            .visibility_timeout(seconds)
            .send()
            .await
        {
            // The record then comes back after the queue's visibility timeout, earlier than
            // due: its claim is refused and it is put off again. Nothing is sent early.
            tracing::warn!(error = %DisplayErrorContext(&e), "cannot move a record's visibility");
        }
    }

    /// Puts back on the queue every message due for longer than the queue itself would have
    /// kept it waiting; returns how many. Run on a schedule.
    pub async fn sweep(&self) -> Result<usize, StoreError> {
        let Some(queue) = &self.queue else { return Ok(0) };
        let now = self.clock.now();
        let channels = [Channel::Sms, Channel::Email, Channel::Pec, Channel::Post];
        let due = self
            .store
            .due_messages(&channels, now - SWEEP_GRACE, SWEEP_LIMIT)
            .await?;
        let mut sent = 0;
        for chunk in due.chunks(10) {
            let mut batch = queue.client.send_message_batch().queue_url(&queue.url);
            for (n, message) in chunk.iter().enumerate() {
                let entry = aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(n.to_string())
                    .message_body(record_body(&message.id))
                    .build()
                    .map_err(|e| StoreError::Other(format!("cannot build an SQS entry: {e}")))?;
                batch = batch.entries(entry);
            }
            match batch.send().await {
                Ok(out) => sent += chunk.len() - out.failed().len(),
                Err(e) => {
                    return Err(StoreError::Unavailable(format!(
                        "SQS SendMessageBatch: {}",
                        DisplayErrorContext(&e)
                    )));
                }
            }
        }
        if sent > 0 {
            tracing::warn!(messages = sent, "sweep put overdue messages back on the delivery queue");
        }
        Ok(sent)
    }

    /// One Lambda event: an SQS batch (`Records`), or the scheduled sweep (anything else).
    pub async fn handle(&self, event: Value) -> Result<Value, StoreError> {
        if event.get("Records").is_some() {
            let event: SqsEvent =
                serde_json::from_value(event).map_err(|e| StoreError::Other(format!("not an SQS event: {e}")))?;
            let response = self.handle_sqs(event).await;
            return serde_json::to_value(response).map_err(|e| StoreError::Other(e.to_string()));
        }
        let requeued = self.sweep().await?;
        Ok(serde_json::json!({ "requeued": requeued }))
    }
}

/// What follows a finished hand-over.
fn after(outcome: &DeliveryOutcome) -> Next {
    match outcome {
        DeliveryOutcome::Sent(_) => Next::Done,
        DeliveryOutcome::Failed { retry_at: Some(at), .. } => Next::RetryAt(*at),
        // Dead: the store says so and the log's "message dead" raises the alarm; the record
        // has nothing more to do.
        DeliveryOutcome::Failed { retry_at: None, .. } => Next::Done,
    }
}

/// When a pending message may next be claimed.
fn due_at(message: &OutboxMessage) -> Option<DateTime<Utc>> {
    match message.state {
        DeliveryState::Queued | DeliveryState::Retrying => Some(message.next_attempt_at),
        DeliveryState::Sending => message.lease_until,
        DeliveryState::Sent | DeliveryState::Dead => None,
    }
}

/// The body of a delivery record: what the pipe writes (`{"pk": "MSG#<id>"}`, the item's key
/// from the stream) and the sweep writes too.
pub fn record_body(id: &str) -> String {
    serde_json::json!({ "pk": format!("MSG#{id}") }).to_string()
}

/// The message id a record names.
fn message_id(record: &SqsMessage) -> Option<String> {
    let body: Value = serde_json::from_str(record.body.as_deref()?).ok()?;
    let id = body.get("pk")?.as_str()?.strip_prefix("MSG#")?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// The worker for `config` with clients made from `sdk`: the DynamoDB store, the PIN key (which
/// derives the sealing key) and the SMTP URL read by ARN, SNS for SMS, S3 for letters.
pub async fn worker_with(
    config: Config,
    settings: WorkerSettings,
    sdk: &SdkConfig,
) -> Result<DeliveryWorker, LambdaStartError> {
    let config = crate::lambda::read_secrets(config, sdk).await?;
    let table = config.dynamodb_settings().ok_or(LambdaStartError::NotDynamoDb)?.table;
    let store: Arc<dyn Store> = Arc::new(DynamoDbStore::new(aws_sdk_dynamodb::Client::new(sdk), table));
    let pin_key = crate::lambda::pin_key(&config)?;
    let sms: Option<Arc<dyn Notifier>> = match &config.sms {
        SmsChoice::Sns { sender_id } => Some(Arc::new(SnsSmsNotifier::new(
            aws_sdk_sns::Client::new(sdk),
            sender_id.as_deref(),
        )?)),
        SmsChoice::Outbox => None,
    };
    let mail: Option<Arc<dyn Notifier>> = match &config.smtp_url {
        Some(url) => Some(Arc::new(SmtpNotifier::new(url.expose_secret(), &config.smtp_from)?)),
        None => None,
    };
    let letters: Option<Arc<dyn LetterSink>> = match (&settings.letters_bucket, &settings.letters_kms_key_id) {
        (Some(bucket), Some(key)) => {
            // Path-style addressing only against an endpoint other than AWS's (moto).
            let s3 = aws_sdk_s3::config::Builder::from(sdk)
                .force_path_style(config.aws_endpoint.is_some())
                .build();
            Some(Arc::new(S3Letters::new(
                aws_sdk_s3::Client::from_conf(s3),
                bucket.clone(),
                settings.letters_prefix.clone(),
                key.clone(),
            )))
        }
        _ => None,
    };
    let queue = settings.queue_url.clone().map(|url| Queue {
        client: aws_sdk_sqs::Client::new(sdk),
        url,
    });
    let carriers = Carriers { sms, mail, letters };
    Ok(DeliveryWorker::new(
        &config,
        store,
        Arc::new(Sealer::new(&pin_key)),
        carriers,
        queue,
    ))
}

/// Serves the delivery queue's events from the Lambda Runtime API until the environment ends.
pub async fn run(worker: DeliveryWorker) -> Result<(), lambda_runtime::Error> {
    let worker = Arc::new(worker);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<Value>| {
            let worker = worker.clone();
            async move {
                worker
                    .handle(event.payload)
                    .await
                    .map_err(|e| lambda_runtime::Error::from(e.to_string()))
            }
        },
    ))
    .await
}
