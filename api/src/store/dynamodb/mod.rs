//! The store on AWS: one DynamoDB table whose keys are shaped for each access (ADR 0006, which
//! lists every item and the trait that owns it).
//!
//! Every rule is one conditional write: a PIN request is put only if absent or expired, a
//! transition happens only from the expected state, an attempt counter is written only over the
//! state it was computed from (`domain::throttle` computes it), a CNS handoff is taken by one
//! conditional delete. Nothing reads and then writes unguarded, and no request path scans. Reads
//! are strongly consistent: a citizen's next click must see what the previous one wrote (a
//! session just created, a request just stored).
//!
//! This file holds the client, the table's creation, the key and attribute helpers and the
//! transaction used by events that write messages; each capability trait is implemented in its
//! own file (`pin_requests.rs`, `sessions.rs`, …).

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::config::{BehaviorVersion, Region, SharedHttpClient};
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, ScalarAttributeType,
    StreamSpecification, StreamViewType, TimeToLiveSpecification, TransactWriteItem, Update,
};
use chrono::{DateTime, Utc};
use domain::Scope;
use domain::pin_request::PinRequestState;
use serde::Serialize;
use serde::de::DeserializeOwned;

// The records and the capability traits; each aggregate's impl is in its own file below.
use super::*;

mod applications;
mod audit_log;
mod calls;
mod cns_handoffs;
mod login_flows;
mod operators;
mod outbox;
mod pin_requests;
mod reports;
mod sessions;
mod throttles;
mod waiting_rooms;

/// The partition key attribute (a string such as `CITIZEN#<codice fiscale>`).
pub const PARTITION_KEY: &str = "pk";
/// The sort key attribute (a string such as `PIN_REQUEST`).
pub const SORT_KEY: &str = "sk";
/// The first global secondary index: the dev sink across citizens, newest first (partition
/// `OUTBOX`), and each citizen's outbox messages, newest first (partition `MESSAGES#<cf>`).
pub const OUTBOX_INDEX: &str = "gsi1";
/// The index's partition key attribute; only dev-sink entries and messages carry it (sparse).
pub const OUTBOX_INDEX_PARTITION_KEY: &str = "gsi1pk";
/// The index's sort key attribute.
pub const OUTBOX_INDEX_SORT_KEY: &str = "gsi1sk";
/// The second, sparse index: the outbox messages a worker may claim, by when (ADR 0006).
pub const DUE_INDEX: &str = "gsi2";
/// Its partition key (a string `DUE#<channel>#<shard>`), on every message item.
pub const DUE_INDEX_PARTITION_KEY: &str = "due_pk";
/// Its sort key (milliseconds, a number): when the message may next be claimed; present only
/// while the message is pending, so a sent or dead message leaves the index.
pub const DUE_INDEX_SORT_KEY: &str = "due_at";
/// The attribute DynamoDB's time to live reads, in seconds since the epoch.
pub const TTL_ATTRIBUTE: &str = "expires_at_epoch";

const PIN_REQUEST: &str = "PIN_REQUEST";
const THROTTLE: &str = "THROTTLE";
const SESSION: &str = "SESSION";
const OUTBOX_ALL: &str = "OUTBOX";
const DRAFT: &str = "DRAFT";
const APPLICATION: &str = "APPLICATION";
const PROTOCOL: &str = "PROTOCOL";
const COUNTER: &str = "COUNTER";
const OPERATOR: &str = "OPERATOR";
const OPERATOR_SESSION: &str = "OPERATOR_SESSION";
const CALL: &str = "CALL";
const MESSAGE: &str = "MESSAGE";
/// Partitions of the due index per channel: on click day thousands of messages a second are
/// written, beyond one index partition's 1,000 writes a second.
const DUE_SHARDS: u32 = 8;
/// Rounds of a transaction that lost to a parallel one on the same item before giving up.
const TRANSACTION_ROUNDS: usize = 8;
/// DynamoDB's limit of items in one `TransactWriteItems`.
const TRANSACTION_LIMIT: usize = 100;
/// What a citizen reported as not theirs, under the citizen's partition (docs/adr/0017).
const REPORTED: &str = "REPORTED#";
const REVOKED_PIN: &str = "REPORTED#PIN#";
/// A call's item goes a day after it was opened (its use ends long before; see the routes).
const CALL_RETENTION: chrono::Duration = chrono::Duration::days(1);
/// A draft nobody touched for this long is removed by TTL (the benefit's campaign is long over).
const DRAFT_RETENTION: chrono::Duration = chrono::Duration::days(180);
/// Protocol numbers come from this many counters, picked at random per submission: one counter
/// item would be one hot partition on click day (~1,000 writes/s at most per partition).
/// Counter `shard` hands out `shard + 1`, `shard + 1 + SHARDS`, … so numbers never collide.
const PROTOCOL_SHARDS: u32 = 16;
/// Development outbox entries hold PIN halves: they go after a month (the PIN's validity).
const OUTBOX_RETENTION: chrono::Duration = chrono::Duration::days(30);
/// Rounds of optimistic concurrency on a reservation's counters before giving up. Each lost round
/// means another reservation was granted, and a counter grants only its free attempts before it
/// makes the others wait (which needs no write), so reaching this needs a flood on one counter.
const THROTTLE_ROUNDS: usize = 16;

type Item = HashMap<String, AttributeValue>;

/// How an event's transaction ended.
enum Written {
    /// The event and its messages are stored.
    Done,
    /// The condition of the event's item `index` did not hold, nothing was written; the item as
    /// it was, when its condition asked for it (`ReturnValuesOnConditionCheckFailure`).
    Refused { index: usize, item: Option<Item> },
}

pub use crate::config::DynamoDbSettings;

/// A DynamoDB-backed [`Store`]. Cheap to clone: the SDK client is shared.
#[derive(Debug, Clone)]
pub struct DynamoDbStore {
    client: Client,
    table: String,
}

impl DynamoDbStore {
    /// A store on `table` through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> DynamoDbStore {
        DynamoDbStore {
            client,
            table: table.into(),
        }
    }

    /// A store configured by `settings`, with credentials from the SDK's default chain (on
    /// Lambda: the function role's, from its environment). Build it once, outside any handler.
    pub async fn from_settings(settings: &DynamoDbSettings) -> DynamoDbStore {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client());
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint) = &settings.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        let sdk_config = loader.timeout_config(sdk_timeouts()).load().await;
        DynamoDbStore::new(Client::new(&sdk_config), settings.table.clone())
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", &self.table, e))?;
        Ok(out.item)
    }

    /// Puts `item` unless an item with its key exists: whether it was put.
    async fn put_if_absent(&self, item: Item) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .send()
            .await;
        applied(result, "PutItem", &self.table)
    }

    async fn delete(&self, pk: String, sk: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .send()
            .await
            .map_err(|e| sdk_error("DeleteItem", &self.table, e))?;
        Ok(())
    }

    /// Writes an event's items and its `messages` in one `TransactWriteItems`, all or nothing.
    /// The event's items carry its rules as their conditions: when one fails, nothing is written
    /// and the answer is `Refused` with which one and the item as it was, when DynamoDB returns
    /// it. Each message is put only if its id is new. A round lost to a parallel
    /// transaction on the same item is tried again: that one may have been refused, not won.
    async fn write_event(
        &self,
        mut items: Vec<TransactWriteItem>,
        messages: &[OutboxMessage],
    ) -> Result<Written, StoreError> {
        if items.len() + messages.len() > TRANSACTION_LIMIT {
            return Err(StoreError::Other(format!(
                "an event with {} messages exceeds DynamoDB's {TRANSACTION_LIMIT} items in a transaction",
                messages.len()
            )));
        }
        let event_items = items.len();
        for message in messages {
            items.push(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(message_item(message)))
                            .condition_expression("attribute_not_exists(#pk)")
                            .expression_attribute_names("#pk", PARTITION_KEY)
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            );
        }
        for round in 0..TRANSACTION_ROUNDS {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let e = match result {
                Ok(_) => return Ok(Written::Done),
                Err(e) => e,
            };
            match Cancellation::of(&e) {
                // One of the event's own rules did not hold (a message's id is never reused).
                Some(Cancellation::Refused { index, item }) if index < event_items => {
                    return Ok(Written::Refused { index, item });
                }
                // Lost to a parallel transaction, or throttled: another round, then 503.
                Some(Cancellation::Retry(_)) => {}
                _ => return Err(sdk_error("TransactWriteItems", &self.table, e)),
            }
            tokio::time::sleep(StdDuration::from_millis(2 + 3 * round as u64)).await;
        }
        Err(StoreError::Unavailable(format!(
            "an event's transaction still conflicted or was throttled after {TRANSACTION_ROUNDS} rounds"
        )))
    }

    /// The newest audit entries under partition `pk`, newest first.
    async fn query_audit(&self, pk: String, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut entries = Vec::new();
        let mut start: Option<Item> = None;
        while entries.len() < limit {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", PARTITION_KEY)
                .expression_attribute_values(":pk", string(pk.clone()))
                .consistent_read(true)
                .scan_index_forward(false)
                .limit(i32::try_from(limit - entries.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("Query", &self.table, e))?;
            for item in out.items() {
                entries.push(from_json(get_s(item, "record")?)?);
            }
            match out.last_evaluated_key {
                Some(last) => start = Some(last),
                None => break,
            }
        }
        entries.truncate(limit);
        Ok(entries)
    }

    async fn query_outbox(&self, codice_fiscale: Option<&str>, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut entries = Vec::new();
        let mut start: Option<Item> = None;
        while entries.len() < limit {
            let page_limit = i32::try_from(limit - entries.len()).unwrap_or(i32::MAX);
            let query = self.client.query().table_name(&self.table);
            let query = match codice_fiscale {
                Some(cf) => query
                    .key_condition_expression("#pk = :pk")
                    .expression_attribute_names("#pk", PARTITION_KEY)
                    .expression_attribute_values(":pk", string(outbox(cf)))
                    .consistent_read(true),
                // Development only (ADR 0006): a sparse index on one constant partition.
                None => query
                    .index_name(OUTBOX_INDEX)
                    .key_condition_expression("#pk = :pk")
                    .expression_attribute_names("#pk", OUTBOX_INDEX_PARTITION_KEY)
                    .expression_attribute_values(":pk", string(OUTBOX_ALL)),
            };
            let out = query
                .scan_index_forward(false)
                .limit(page_limit)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("Query", &self.table, e))?;
            for item in out.items() {
                entries.push(outbox_entry_from(item)?);
            }
            match out.last_evaluated_key {
                Some(last) => start = Some(last),
                None => break,
            }
        }
        entries.truncate(limit);
        Ok(entries)
    }
}

/// The HTTPS client the SDK uses: rustls with ring (already in the build for SMTP), rather than
/// the SDK's default aws-lc, which needs a C toolchain and lengthens cross-builds for arm64.
pub fn http_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Creates `table` as this store expects it: string keys `pk`/`sk`, the two sparse indexes, on
/// demand billing, a keys-only stream, time to live on [`TTL_ATTRIBUTE`]; returns once the table
/// is active. The
/// tests use it, and it is the reference an infrastructure template is checked against.
pub async fn create_table(client: &Client, table: &str) -> Result<(), StoreError> {
    let typed = |name: &str, attribute_type: ScalarAttributeType| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(attribute_type)
            .build()
    };
    let definition = |name: &str| typed(name, ScalarAttributeType::S);
    let key_part = |name: &str, key_type: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
    };
    let index = GlobalSecondaryIndex::builder()
        .index_name(OUTBOX_INDEX)
        .key_schema(key_part(OUTBOX_INDEX_PARTITION_KEY, KeyType::Hash).map_err(build_error)?)
        .key_schema(key_part(OUTBOX_INDEX_SORT_KEY, KeyType::Range).map_err(build_error)?)
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .map_err(build_error)?;
    let due_index = GlobalSecondaryIndex::builder()
        .index_name(DUE_INDEX)
        .key_schema(key_part(DUE_INDEX_PARTITION_KEY, KeyType::Hash).map_err(build_error)?)
        .key_schema(key_part(DUE_INDEX_SORT_KEY, KeyType::Range).map_err(build_error)?)
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .map_err(build_error)?;
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(definition(PARTITION_KEY).map_err(build_error)?)
        .attribute_definitions(definition(SORT_KEY).map_err(build_error)?)
        .attribute_definitions(definition(OUTBOX_INDEX_PARTITION_KEY).map_err(build_error)?)
        .attribute_definitions(definition(OUTBOX_INDEX_SORT_KEY).map_err(build_error)?)
        .attribute_definitions(definition(DUE_INDEX_PARTITION_KEY).map_err(build_error)?)
        .attribute_definitions(typed(DUE_INDEX_SORT_KEY, ScalarAttributeType::N).map_err(build_error)?)
        .key_schema(key_part(PARTITION_KEY, KeyType::Hash).map_err(build_error)?)
        .key_schema(key_part(SORT_KEY, KeyType::Range).map_err(build_error)?)
        .global_secondary_indexes(index)
        .global_secondary_indexes(due_index)
        // Keys only: the stream tells the delivery queue that a message was written (ADR 0016),
        // and carries nothing of it but its key.
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::KeysOnly)
                .build()
                .map_err(build_error)?,
        )
        .send()
        .await
        .map_err(|e| sdk_error("CreateTable", table, e))?;
    client
        .wait_until_table_exists()
        .table_name(table)
        .wait(StdDuration::from_secs(300))
        .await
        .map_err(|e| {
            StoreError::Other(format!(
                "table {table} did not become active: {}",
                DisplayErrorContext(&e)
            ))
        })?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(TTL_ATTRIBUTE)
                .enabled(true)
                .build()
                .map_err(build_error)?,
        )
        .send()
        .await
        .map_err(|e| sdk_error("UpdateTimeToLive", table, e))?;
    Ok(())
}

#[async_trait]
impl Health for DynamoDbStore {
    fn kind(&self) -> &'static str {
        "dynamodb"
    }

    async fn health(&self) -> Result<(), StoreError> {
        // A read by key: the same permission the service uses, no DescribeTable needed.
        self.client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key("HEALTH".into(), "HEALTH")))
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", &self.table, e))?;
        Ok(())
    }
}

/// Whether a transaction took place: `false` when one of its conditions did not hold; throttled
/// or lost to a parallel transaction, `Unavailable` (503 + Retry-After); an error for anything else.
fn transaction_applied<O>(
    result: Result<O, SdkError<TransactWriteItemsError, HttpResponse>>,
    table: &str,
) -> Result<bool, StoreError> {
    match result {
        Ok(_) => Ok(true),
        Err(e) => match Cancellation::of(&e) {
            Some(Cancellation::Refused { .. }) => Ok(false),
            Some(Cancellation::Retry(code)) => Err(StoreError::Unavailable(format!(
                "DynamoDB TransactWriteItems on {table}: cancelled ({code}): retry later"
            ))),
            _ => Err(sdk_error("TransactWriteItems", table, e)),
        },
    }
}

/// What a cancelled `TransactWriteItems` says, its reasons read one by one (one per item, in
/// order; `None` for the items that were fine). A condition that did not hold is an answer
/// (`Refused`, with the item as it was when the request asked for it); throttling and conflicts
/// with other transactions are DynamoDB being busy (`Retry`: the SDK does not retry a
/// cancellation itself, and a 400 would otherwise become a 500); anything else (validation, item
/// collection size) is a fault of ours (`Broken`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cancellation {
    /// The condition of item `index` failed.
    Refused { index: usize, item: Option<Item> },
    /// Busy: try again (the reason's code).
    Retry(String),
    /// Neither: the reason's code.
    Broken(String),
}

/// The cancellation reasons that mean "busy, retry": a conflict with another transaction on the
/// same item, and the capacity ones.
const RETRY_REASONS: &[&str] = &[
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
    "RequestLimitExceeded",
];

impl Cancellation {
    /// The cancellation `err` is, if it is one.
    pub(crate) fn of(err: &SdkError<TransactWriteItemsError, HttpResponse>) -> Option<Cancellation> {
        match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                Some(Cancellation::read(cancelled.cancellation_reasons()))
            }
            _ => None,
        }
    }

    /// Reads the reasons: a failed condition first (it is the answer whatever else happened),
    /// then a busy one, then the rest.
    pub(crate) fn read(reasons: &[aws_sdk_dynamodb::types::CancellationReason]) -> Cancellation {
        if let Some((index, reason)) = reasons
            .iter()
            .enumerate()
            .find(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
        {
            return Cancellation::Refused {
                index,
                item: reason.item.clone(),
            };
        }
        if let Some(code) = reasons
            .iter()
            .filter_map(|r| r.code())
            .find(|code| RETRY_REASONS.contains(code))
        {
            return Cancellation::Retry(code.to_owned());
        }
        let codes: Vec<&str> = reasons
            .iter()
            .filter_map(|r| r.code())
            .filter(|c| *c != "None")
            .collect();
        Cancellation::Broken(codes.join(","))
    }
}

fn citizen(codice_fiscale: &str) -> String {
    format!("CITIZEN#{codice_fiscale}")
}

fn throttle_key(key: &ThrottleKey) -> String {
    format!("{THROTTLE}#{}", key.as_str())
}

fn operator_key(username: &str) -> String {
    format!("OPERATOR#{username}")
}

fn call_key(id: &str) -> String {
    format!("CALL#{id}")
}

fn outbox(codice_fiscale: &str) -> String {
    format!("OUTBOX#{codice_fiscale}")
}

/// Milliseconds zero-padded to 13 digits (enough until the year 2286), so that string order is
/// time order, then a random tail.
fn outbox_sort_key(sent_at: DateTime<Utc>, tail: [u8; 8]) -> String {
    format!("{:013}#{}", ms(sent_at).max(0), hex::encode(tail))
}

fn message_key(id: &str) -> String {
    format!("MSG#{id}")
}

/// The partition of `gsi1` that lists one citizen's messages.
fn citizen_messages(codice_fiscale: &str) -> String {
    format!("MESSAGES#{codice_fiscale}")
}

/// The partition of the due index that `channel`'s messages of shard `shard` go to.
fn due_partition(channel: Channel, shard: u32) -> String {
    format!("DUE#{}#{shard}", channel.as_str())
}

/// A message's shard of the due index, from its (random) id: the same on every write.
fn due_shard(id: &str) -> u32 {
    id.bytes().fold(0u32, |sum, b| sum.wrapping_add(u32::from(b))) % DUE_SHARDS
}

/// When a worker may next claim the message; `None` when never again (as in SQLite).
fn due_at(message: &OutboxMessage) -> Option<DateTime<Utc>> {
    match message.state {
        DeliveryState::Queued | DeliveryState::Retrying => Some(message.next_attempt_at),
        DeliveryState::Sending => Some(message.lease_until.unwrap_or(message.next_attempt_at)),
        DeliveryState::Sent | DeliveryState::Dead => None,
    }
}

/// A message's item: flat attributes, because claims and outcomes are conditional updates of
/// them; the sealed content as a Binary attribute, removed once sent; the keys of the citizen's
/// listing (`gsi1`) and, while pending, of the due index.
fn message_item(m: &OutboxMessage) -> Item {
    let mut item = key(message_key(&m.id), MESSAGE);
    item.insert("id".into(), string(&m.id));
    item.insert("codice_fiscale".into(), string(&m.codice_fiscale));
    item.insert("channel".into(), string(m.channel.as_str()));
    item.insert("kind".into(), string(m.kind.as_str()));
    item.insert("to_masked".into(), string(&m.to_masked));
    item.insert("state".into(), string(m.state.as_str()));
    item.insert("attempts".into(), number(i64::from(m.attempts)));
    item.insert("created_at".into(), number(ms(m.created_at)));
    item.insert("next_attempt_at".into(), number(ms(m.next_attempt_at)));
    if let Some(at) = m.lease_until {
        item.insert("lease_until".into(), number(ms(at)));
    }
    if let Some(at) = m.sent_at {
        item.insert("sent_at".into(), number(ms(at)));
    }
    if let Some(error) = &m.last_error {
        item.insert("last_error".into(), string(error));
    }
    if let Some(sealed) = &m.sealed {
        item.insert("sealed".into(), AttributeValue::B(Blob::new(sealed.clone())));
    }
    item.insert(
        OUTBOX_INDEX_PARTITION_KEY.into(),
        string(citizen_messages(&m.codice_fiscale)),
    );
    item.insert(
        OUTBOX_INDEX_SORT_KEY.into(),
        string(format!("{:013}#{}", ms(m.created_at).max(0), m.id)),
    );
    item.insert(
        DUE_INDEX_PARTITION_KEY.into(),
        string(due_partition(m.channel, due_shard(&m.id))),
    );
    if let Some(at) = due_at(m) {
        item.insert(DUE_INDEX_SORT_KEY.into(), number(ms(at)));
    }
    item
}

fn message_from(item: &Item) -> Result<OutboxMessage, StoreError> {
    let kind = get_s(item, "kind")?;
    Ok(OutboxMessage {
        id: get_s(item, "id")?.to_owned(),
        codice_fiscale: get_s(item, "codice_fiscale")?.to_owned(),
        channel: Channel::parse(get_s(item, "channel")?).ok_or_else(|| malformed("channel"))?,
        kind: MessageKind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind)
            .ok_or_else(|| malformed("kind"))?,
        to_masked: get_s(item, "to_masked")?.to_owned(),
        sealed: match item.get("sealed") {
            None => None,
            Some(AttributeValue::B(blob)) => Some(blob.clone().into_inner()),
            Some(_) => return Err(malformed("sealed")),
        },
        state: DeliveryState::parse(get_s(item, "state")?).ok_or_else(|| malformed("state"))?,
        attempts: u32::try_from(get_n(item, "attempts")?).map_err(|_| malformed("attempts"))?,
        created_at: from_ms(get_n(item, "created_at")?),
        next_attempt_at: from_ms(get_n(item, "next_attempt_at")?),
        lease_until: get_opt_n(item, "lease_until")?.map(from_ms),
        sent_at: get_opt_n(item, "sent_at")?.map(from_ms),
        last_error: match item.get("last_error") {
            None => None,
            Some(_) => Some(get_s(item, "last_error")?.to_owned()),
        },
    })
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        (PARTITION_KEY.to_owned(), AttributeValue::S(pk)),
        (SORT_KEY.to_owned(), string(sk)),
    ])
}

fn string(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn number(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Seconds since the epoch, rounded up: TTL must never remove an item early.
fn epoch_seconds(t: DateTime<Utc>) -> i64 {
    ms(t).div_euclid(1000) + i64::from(ms(t).rem_euclid(1000) > 0)
}

fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        _ => Err(malformed(name)),
    }
}

fn get_n(item: &Item, name: &str) -> Result<i64, StoreError> {
    get_opt_n(item, name)?.ok_or_else(|| malformed(name))
}

fn get_opt_n(item: &Item, name: &str) -> Result<Option<i64>, StoreError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::N(value)) => value.parse().map(Some).map_err(|_| malformed(name)),
        Some(_) => Err(malformed(name)),
    }
}

fn malformed(attribute: &str) -> StoreError {
    StoreError::Other(format!("stored item has no valid `{attribute}` attribute"))
}

/// The citizen's data travels as one JSON attribute (as in SQLite); the state and its time, which
/// conditions read and transitions change, are attributes of their own and win over the JSON.
fn pin_request_from(item: &Item) -> Result<PinRequestRecord, StoreError> {
    let mut record: PinRequestRecord = from_json(get_s(item, "record")?)?;
    record.state = PinRequestState::parse(get_s(item, "state")?).ok_or_else(|| malformed("state"))?;
    record.updated_at = from_ms(get_n(item, "updated_at")?);
    Ok(record)
}

fn throttle_from(item: &Item) -> Result<ThrottleState, StoreError> {
    Ok(ThrottleState {
        attempts: count_of(item)?,
        blocked_until: get_opt_n(item, "blocked_until")?.map(from_ms),
        window_ends: from_ms(get_n(item, "window_ends")?),
    })
}

fn count_of(item: &Item) -> Result<u32, StoreError> {
    u32::try_from(get_n(item, "attempts")?).map_err(|_| malformed("attempts"))
}

fn outbox_entry_from(item: &Item) -> Result<OutboxEntry, StoreError> {
    Ok(OutboxEntry {
        sent_at: from_ms(get_n(item, "sent_at")?),
        notification: Notification {
            channel: Channel::parse(get_s(item, "channel")?).ok_or_else(|| malformed("channel"))?,
            recipient: get_s(item, "recipient")?.to_owned(),
            codice_fiscale: get_s(item, "codice_fiscale")?.to_owned(),
            subject: get_s(item, "subject")?.to_owned(),
            body: get_s(item, "body")?.to_owned(),
            message_id: item.get("message_id").and_then(|v| v.as_s().ok()).cloned(),
        },
    })
}

fn scope_name(scope: Scope) -> Result<String, StoreError> {
    match serde_json::to_value(scope) {
        Ok(serde_json::Value::String(name)) => Ok(name),
        _ => Err(StoreError::Other("cannot encode a session scope".into())),
    }
}

fn parse_scope(name: &str) -> Result<Scope, StoreError> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| malformed("scope"))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(format!("cannot encode record: {e}")))
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Other(format!("cannot decode record: {e}")))
}

fn build_error(e: BuildError) -> StoreError {
    StoreError::Other(format!("cannot build a DynamoDB request: {e}"))
}

/// Whether a conditional write took place: `false` when its condition did not hold (another
/// writer got there first), an error for anything else.
fn applied<O, E>(result: Result<O, SdkError<E, HttpResponse>>, operation: &str, table: &str) -> Result<bool, StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException") => Ok(false),
        Err(e) => Err(sdk_error(operation, table, e)),
    }
}

/// The deadlines of every AWS SDK call the functions make: a connection within 1 s, each attempt
/// within 2 s, the whole call (the SDK's retries with backoff included) within 5 s — all shorter
/// than the API function's timeout (10 s in `infra/template.yaml`, checked by a test below), so a
/// slow DynamoDB gives the citizen 503 + Retry-After (`SdkError::TimeoutError` is `Unavailable`)
/// instead of a function that timed out, and an attempt stuck on one bad connection is retried on
/// another within the call's time.
pub fn sdk_timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(StdDuration::from_secs(1))
        .operation_attempt_timeout(StdDuration::from_secs(2))
        .operation_timeout(StdDuration::from_secs(5))
        .build()
}

/// Error codes DynamoDB answers when it is over capacity or briefly unable to serve: the SDK has
/// already retried them, and the caller may retry later (503 + Retry-After).
const UNAVAILABLE_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "ThrottlingException",
    "TransactionConflictException",
    "ReplicatedWriteConflictException",
    "InternalServerError",
    "ServiceUnavailable",
];

/// Maps an SDK failure: throttling, 5xx, timeouts and unreachable endpoints are `Unavailable`,
/// the rest `Other`. The message carries the operation, the table and the error chain (codes and
/// DynamoDB's messages, which name attributes but not their values); never the request, whose
/// keys hold codici fiscali, nor the raw response.
pub(crate) fn sdk_error<E>(operation: &str, table: &str, err: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let unavailable = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(context) => {
            context.raw().status().is_server_error()
                || context
                    .err()
                    .code()
                    .is_some_and(|code| UNAVAILABLE_CODES.contains(&code))
        }
        SdkError::ResponseError(context) => context.raw().status().is_server_error(),
        _ => false,
    };
    let message = format!("DynamoDB {operation} on {table}: {}", DisplayErrorContext(&err));
    if unavailable {
        StoreError::Unavailable(message)
    } else {
        StoreError::Other(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::CancellationReason;

    fn reasons(codes: &[&str]) -> Vec<CancellationReason> {
        codes
            .iter()
            .map(|c| CancellationReason::builder().code(*c).build())
            .collect()
    }

    #[test]
    fn every_sdk_call_ends_before_the_api_function_times_out() {
        let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml")).unwrap();
        let function = &template[template.find("\n  ApiFunction:").expect("the API function")..];
        let timeout: u64 = function
            .lines()
            .find_map(|l| l.trim().strip_prefix("Timeout: "))
            .expect("the function's timeout")
            .parse()
            .unwrap();
        let timeouts = sdk_timeouts();
        let operation = timeouts.operation_timeout().expect("an operation timeout");
        assert!(
            operation < StdDuration::from_secs(timeout),
            "{operation:?} vs {timeout} s"
        );
        assert!(timeouts.operation_attempt_timeout().unwrap() < operation);
        assert!(timeouts.connect_timeout().unwrap() < timeouts.operation_attempt_timeout().unwrap());
    }

    #[test]
    fn cancellation_reasons_are_read_one_by_one() {
        assert_eq!(
            Cancellation::read(&reasons(&["None", "ConditionalCheckFailed", "None"])),
            Cancellation::Refused { index: 1, item: None }
        );
        // A failed condition is the answer even beside a conflict on another item.
        assert_eq!(
            Cancellation::read(&reasons(&["TransactionConflict", "ConditionalCheckFailed"])),
            Cancellation::Refused { index: 1, item: None }
        );
        for busy in [
            "TransactionConflict",
            "ThrottlingError",
            "ProvisionedThroughputExceeded",
            "RequestLimitExceeded",
        ] {
            assert_eq!(
                Cancellation::read(&reasons(&["None", busy, "None"])),
                Cancellation::Retry(busy.into()),
                "{busy}"
            );
        }
        assert_eq!(
            Cancellation::read(&reasons(&["None", "ValidationError"])),
            Cancellation::Broken("ValidationError".into())
        );
        assert_eq!(
            Cancellation::read(&reasons(&["ItemCollectionSizeLimitExceeded"])),
            Cancellation::Broken("ItemCollectionSizeLimitExceeded".into())
        );
    }

    #[test]
    fn ttl_seconds_round_up_so_an_item_never_goes_early() {
        let t = DateTime::from_timestamp_millis(1_000_001).unwrap();
        assert_eq!(epoch_seconds(t), 1001);
        assert_eq!(epoch_seconds(DateTime::from_timestamp(1000, 0).unwrap()), 1000);
    }

    #[test]
    fn outbox_sort_keys_order_by_time_as_strings() {
        // GIVEN two times whose millisecond counts differ in length (12 and 13 digits)
        let early = outbox_sort_key(DateTime::from_timestamp_millis(999_999_999_999).unwrap(), [0xff; 8]);
        let late = outbox_sort_key(DateTime::from_timestamp_millis(1_000_000_000_000).unwrap(), [0; 8]);
        assert!(early < late, "{early} should sort before {late}");
    }
}
