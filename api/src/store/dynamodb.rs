//! The store on AWS: one DynamoDB table whose keys are shaped for each access (ADR 0006).
//!
//! Every rule is one conditional write: a PIN request is put only if absent or expired, a
//! transition happens only from the expected state, an attempt at a credential is reserved with a
//! transaction conditioned on the counters it was computed from, a plain count is an atomic `ADD`. Nothing reads and then writes unguarded,
//! and no request path scans. Reads are strongly consistent: a citizen's next click must see what
//! the previous one wrote (a session just created, a request just stored).

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::config::{BehaviorVersion, Region, SharedHttpClient};
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    Projection, ProjectionType, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, ScalarAttributeType,
    StreamSpecification, StreamViewType, TimeToLiveSpecification, TransactWriteItem, Update,
};
use chrono::{DateTime, Utc};
use domain::Scope;
use domain::pin_request::PinRequestState;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{
    ApplicationInsert, ApplicationRecord, AttemptClaim, AuditEntry, CallRecord, Channel, DeliveryOutcome,
    DeliveryState, DraftRecord, MessageKind, Notification, OperatorRecord, OperatorSessionRecord, OutboxEntry,
    OutboxMessage, PinRequestInsert, PinRequestRecord, Reported, Reservation, SessionRecord, Store, StoreError,
    ThrottleKey, ThrottleState,
};

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
    /// The event's condition did not hold, nothing was written; the item, when returned.
    Refused(Option<Item>),
}

/// Where the table is and how to reach it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DynamoDbSettings {
    /// The table's name.
    pub table: String,
    /// The AWS region; `None` takes the SDK's default chain (`AWS_REGION`, which Lambda sets).
    pub region: Option<String>,
    /// An endpoint other than AWS's (moto or DynamoDB Local); `None` for AWS.
    pub endpoint_url: Option<String>,
}

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
        let sdk_config = loader.load().await;
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

    /// One round of a reservation: reads the counters, and writes what follows each of them in
    /// one transaction conditioned on what was read. `None`: another writer changed one first.
    async fn reserve_round(
        &self,
        claims: &[AttemptClaim],
        now: DateTime<Utc>,
    ) -> Result<Option<Reservation>, StoreError> {
        let mut writes = Vec::with_capacity(claims.len());
        let mut longest_wait = None;
        for claim in claims {
            let current = self.throttle(&claim.key).await?;
            match ThrottleState::after_attempt(current, now, claim.policy) {
                Ok(next) => writes.push((claim, current, next)),
                Err(wait) => longest_wait = longest_wait.max(Some(wait)),
            }
        }
        if let Some(wait) = longest_wait {
            return Ok(Some(Reservation::Delayed(wait)));
        }
        let mut transaction = self.client.transact_write_items();
        for (claim, current, next) in writes {
            let mut item = key(throttle_key(&claim.key), THROTTLE);
            item.insert("attempts".into(), number(i64::from(next.attempts)));
            item.insert("window_ends".into(), number(ms(next.window_ends)));
            if let Some(until) = next.blocked_until {
                item.insert("blocked_until".into(), number(ms(until)));
            }
            item.insert(TTL_ATTRIBUTE.into(), number(epoch_seconds(next.forget_after())));
            let put = Put::builder().table_name(&self.table).set_item(Some(item));
            let put = match current {
                None => put
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", PARTITION_KEY),
                // The attempts and the window are what `after_attempt` read; the wait it only
                // ever sets from them and the time.
                Some(seen) => put
                    .condition_expression("#attempts = :attempts AND #window_ends = :window_ends")
                    .expression_attribute_names("#attempts", "attempts")
                    .expression_attribute_names("#window_ends", "window_ends")
                    .expression_attribute_values(":attempts", number(i64::from(seen.attempts)))
                    .expression_attribute_values(":window_ends", number(ms(seen.window_ends))),
            };
            transaction = transaction.transact_items(
                TransactWriteItem::builder()
                    .put(put.build().map_err(build_error)?)
                    .build(),
            );
        }
        match transaction.send().await {
            Ok(_) => Ok(Some(Reservation::Granted)),
            Err(e) => {
                let lost = match e.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => cancelled
                        .cancellation_reasons()
                        .iter()
                        .any(|reason| matches!(reason.code(), Some("ConditionalCheckFailed" | "TransactionConflict"))),
                    _ => false,
                };
                if lost {
                    Ok(None)
                } else {
                    Err(sdk_error("TransactWriteItems", &self.table, e))
                }
            }
        }
    }

    /// Writes an event's items and its `messages` in one `TransactWriteItems`, all or nothing.
    /// The first of `event` carries the event's rule as its condition: when that condition
    /// fails, nothing is written and the answer is `Refused` with the item as it was, when
    /// DynamoDB returns it. Each message is put only if its id is new. A round lost to a parallel
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
            let reasons = match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    cancelled.cancellation_reasons().to_vec()
                }
                _ => return Err(sdk_error("TransactWriteItems", &self.table, e)),
            };
            if let Some(first) = reasons.first()
                && first.code() == Some("ConditionalCheckFailed")
            {
                return Ok(Written::Refused(first.item.clone()));
            }
            if !reasons.iter().any(|r| r.code() == Some("TransactionConflict")) {
                return Err(sdk_error("TransactWriteItems", &self.table, e));
            }
            tokio::time::sleep(StdDuration::from_millis(2 + 3 * round as u64)).await;
        }
        Err(StoreError::Unavailable(format!(
            "an event's transaction still conflicted after {TRANSACTION_ROUNDS} rounds"
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
impl Store for DynamoDbStore {
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

    async fn insert_pin_request(
        &self,
        record: &PinRequestRecord,
        expired_before: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<PinRequestInsert, StoreError> {
        let pk = citizen(record.codice_fiscale());
        let mut item = key(pk.clone(), PIN_REQUEST);
        item.insert("record".into(), string(to_json(record)?));
        item.insert("state".into(), string(record.state.as_str()));
        item.insert("created_at".into(), number(ms(record.created_at)));
        item.insert("updated_at".into(), number(ms(record.updated_at)));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR (#state = :pending AND #created_at < :cutoff)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#created_at", "created_at")
            .expression_attribute_values(":pending", string(PinRequestState::PendingDelivery.as_str()))
            .expression_attribute_values(":cutoff", number(ms(expired_before)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(build_error)?;
        let existing = match self
            .write_event(vec![TransactWriteItem::builder().put(put).build()], messages)
            .await?
        {
            Written::Done => return Ok(PinRequestInsert::Inserted),
            Written::Refused(existing) => existing,
        };
        // DynamoDB returns the item that failed the condition; should an emulator not, read it.
        let existing = match existing {
            Some(item) => item,
            None => self
                .get(pk, PIN_REQUEST)
                .await?
                .ok_or_else(|| StoreError::Other("conditional put refused, yet no PIN request is stored".into()))?,
        };
        Ok(PinRequestInsert::Exists(Box::new(pin_request_from(&existing)?)))
    }

    async fn pin_request(&self, codice_fiscale: &str) -> Result<Option<PinRequestRecord>, StoreError> {
        self.get(citizen(codice_fiscale), PIN_REQUEST)
            .await?
            .map(|item| pin_request_from(&item))
            .transpose()
    }

    async fn transition_pin_request(
        &self,
        codice_fiscale: &str,
        from: PinRequestState,
        to: PinRequestState,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(citizen(codice_fiscale), PIN_REQUEST)))
            .update_expression("SET #state = :to, #updated_at = :now")
            .condition_expression("#state = :from")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#updated_at", "updated_at")
            .expression_attribute_values(":from", string(from.as_str()))
            .expression_attribute_values(":to", string(to.as_str()))
            .expression_attribute_values(":now", number(ms(now)))
            .send()
            .await;
        applied(result, "UpdateItem", &self.table)
    }

    async fn reserve_attempt(&self, claims: &[AttemptClaim], now: DateTime<Utc>) -> Result<Reservation, StoreError> {
        for round in 0..THROTTLE_ROUNDS {
            if let Some(reservation) = self.reserve_round(claims, now).await? {
                return Ok(reservation);
            }
            // Lost to a parallel reservation: read again, a little later each time, so that the
            // contenders do not meet again at once.
            tokio::time::sleep(StdDuration::from_millis(2 + 3 * round as u64)).await;
        }
        Err(StoreError::Unavailable(format!(
            "attempt counters still contended after {THROTTLE_ROUNDS} rounds"
        )))
    }

    async fn release_attempt(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(self::key(throttle_key(key), THROTTLE)))
            .update_expression("ADD #attempts :minus_one")
            .condition_expression("#attempts > :zero")
            .expression_attribute_names("#attempts", "attempts")
            .expression_attribute_values(":minus_one", number(-1))
            .expression_attribute_values(":zero", number(0))
            .send()
            .await;
        // A counter that is gone or at zero has nothing to give back.
        applied(result, "UpdateItem", &self.table).map(|_| ())
    }

    async fn forget_attempts(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        self.delete(throttle_key(key), THROTTLE).await
    }

    async fn count_attempt(
        &self,
        key: &ThrottleKey,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let pk = throttle_key(key);
        let window_ends = now + window;
        // The usual case: an ADD into the window under way (or a new counter).
        let added = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(self::key(pk.clone(), THROTTLE)))
            .update_expression("ADD #attempts :one SET #window_ends = if_not_exists(#window_ends, :ends), #ttl = if_not_exists(#ttl, :ttl)")
            .condition_expression("attribute_not_exists(#pk) OR #window_ends > :now")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#attempts", "attempts")
            .expression_attribute_names("#window_ends", "window_ends")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":ends", number(ms(window_ends)))
            .expression_attribute_values(":ttl", number(epoch_seconds(window_ends)))
            .expression_attribute_values(":now", number(ms(now)))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match added {
            Ok(out) => return count_of(&out.attributes.unwrap_or_default()),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => {}
                _ => return Err(sdk_error("UpdateItem", &self.table, e)),
            },
        }
        // The window is over: start a new one at one. A parallel count that already did moved the
        // window, so this condition fails and the attempt is added to the new window instead.
        let restarted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(self::key(pk, THROTTLE)))
            .update_expression("SET #attempts = :one, #window_ends = :ends, #ttl = :ttl")
            .condition_expression("#window_ends <= :now")
            .expression_attribute_names("#attempts", "attempts")
            .expression_attribute_names("#window_ends", "window_ends")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":ends", number(ms(window_ends)))
            .expression_attribute_values(":ttl", number(epoch_seconds(window_ends)))
            .expression_attribute_values(":now", number(ms(now)))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match restarted {
            Ok(out) => count_of(&out.attributes.unwrap_or_default()),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => self.count_attempt(key, window, now).await,
                _ => Err(sdk_error("UpdateItem", &self.table, e)),
            },
        }
    }

    async fn throttle(&self, key: &ThrottleKey) -> Result<Option<ThrottleState>, StoreError> {
        self.get(throttle_key(key), THROTTLE)
            .await?
            .map(|item| throttle_from(&item))
            .transpose()
    }

    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let mut item = key(session_key(&session.token_hash), SESSION);
        item.insert("codice_fiscale".into(), string(&session.codice_fiscale));
        item.insert("scope".into(), string(scope_name(session.scope)?));
        item.insert("method".into(), string(&session.method));
        item.insert("created_at".into(), number(ms(session.created_at)));
        item.insert("expires_at".into(), number(ms(session.expires_at)));
        item.insert("absolute_expires_at".into(), number(ms(session.absolute_expires_at)));
        if let Some(binding) = &session.handoff_binding {
            item.insert("handoff_binding".into(), string(binding));
        }
        if let Some(credential) = session.credential {
            item.insert("credential".into(), string(credential.as_str()));
        }
        // The absolute end never moves, so the idle extension never has to touch it. TTL only
        // tidies up (DynamoDB deletes within days); `SessionRecord::is_live` is what decides.
        item.insert(TTL_ATTRIBUTE.into(), number(epoch_seconds(session.absolute_expires_at)));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(_)) => Err(StoreError::Other(
                    "a session with this token hash already exists".into(),
                )),
                _ => Err(sdk_error("PutItem", &self.table, e)),
            },
        }
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let Some(item) = self.get(session_key(token_hash), SESSION).await? else {
            return Ok(None);
        };
        Ok(Some(SessionRecord {
            token_hash: token_hash.to_owned(),
            codice_fiscale: get_s(&item, "codice_fiscale")?.to_owned(),
            scope: parse_scope(get_s(&item, "scope")?)?,
            method: get_s(&item, "method")?.to_owned(),
            created_at: from_ms(get_n(&item, "created_at")?),
            expires_at: from_ms(get_n(&item, "expires_at")?),
            absolute_expires_at: from_ms(get_n(&item, "absolute_expires_at")?),
            handoff_binding: match item.get("handoff_binding") {
                None => None,
                Some(_) => Some(get_s(&item, "handoff_binding")?.to_owned()),
            },
            credential: match item.get("credential") {
                None => None,
                Some(_) => Some(
                    domain::Credential::parse(get_s(&item, "credential")?).ok_or_else(|| malformed("credential"))?,
                ),
            },
        }))
    }

    async fn extend_session(&self, token_hash: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        // Conditional, so that extending a session deleted meanwhile does not bring back a stub.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(session_key(token_hash), SESSION)))
            .update_expression("SET #expires_at = :expires_at")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#expires_at", "expires_at")
            .expression_attribute_values(":expires_at", number(ms(expires_at)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(()),
                _ => Err(sdk_error("UpdateItem", &self.table, e)),
            },
        }
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.delete(session_key(token_hash), SESSION).await
    }

    async fn push_outbox(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let n = &entry.notification;
        // Time first, so that keys sort by time; a random tail keeps two entries of one
        // millisecond apart.
        let mut tail = [0u8; 8];
        getrandom::fill(&mut tail).map_err(|e| StoreError::Other(format!("no random bytes for an outbox key: {e}")))?;
        let sort_key = outbox_sort_key(entry.sent_at, tail);
        let mut item = key(outbox(&n.codice_fiscale), &sort_key);
        item.insert(OUTBOX_INDEX_PARTITION_KEY.into(), string(OUTBOX_ALL));
        item.insert(OUTBOX_INDEX_SORT_KEY.into(), string(&sort_key));
        item.insert("sent_at".into(), number(ms(entry.sent_at)));
        item.insert("channel".into(), string(n.channel.as_str()));
        item.insert("recipient".into(), string(&n.recipient));
        item.insert("codice_fiscale".into(), string(&n.codice_fiscale));
        item.insert("subject".into(), string(&n.subject));
        item.insert("body".into(), string(&n.body));
        item.insert(
            TTL_ATTRIBUTE.into(),
            number(epoch_seconds(entry.sent_at + OUTBOX_RETENTION)),
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| sdk_error("PutItem", &self.table, e))?;
        Ok(())
    }

    async fn outbox(&self, codice_fiscale: Option<&str>, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new()); // DynamoDB refuses a Limit of 0
        }
        self.query_outbox(codice_fiscale, limit).await
    }

    async fn due_messages(
        &self,
        channels: &[Channel],
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let page = i32::try_from(limit).unwrap_or(i32::MAX);
        let mut due = Vec::new();
        // One range of the sparse index per channel and shard, each oldest first; merged below.
        for channel in channels {
            for shard in 0..DUE_SHARDS {
                let out = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .index_name(DUE_INDEX)
                    .key_condition_expression("#due_pk = :due_pk AND #due_at <= :now")
                    .expression_attribute_names("#due_pk", DUE_INDEX_PARTITION_KEY)
                    .expression_attribute_names("#due_at", DUE_INDEX_SORT_KEY)
                    .expression_attribute_values(":due_pk", string(due_partition(*channel, shard)))
                    .expression_attribute_values(":now", number(ms(now)))
                    .scan_index_forward(true)
                    .limit(page)
                    .send()
                    .await
                    .map_err(|e| sdk_error("Query", &self.table, e))?;
                for item in out.items() {
                    due.push((get_n(item, DUE_INDEX_SORT_KEY)?, message_from(item)?));
                }
            }
        }
        due.sort_by_key(|(due_at, _)| *due_at);
        due.truncate(limit);
        Ok(due.into_iter().map(|(_, message)| message).collect())
    }

    async fn claim_message(
        &self,
        id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<OutboxMessage>, StoreError> {
        // `due_at` is there only while the message is pending, and is when it may next be
        // claimed (its next attempt, or the end of the lease it is under): the condition is
        // `OutboxMessage::is_due`, checked by DynamoDB on the item, so of two claims one wins.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(message_key(id), MESSAGE)))
            .update_expression("SET #state = :sending, #lease = :lease, #due_at = :lease ADD #attempts :one")
            .condition_expression("attribute_exists(#due_at) AND #due_at <= :now")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#lease", "lease_until")
            .expression_attribute_names("#due_at", DUE_INDEX_SORT_KEY)
            .expression_attribute_names("#attempts", "attempts")
            .expression_attribute_values(":sending", string(DeliveryState::Sending.as_str()))
            .expression_attribute_values(":lease", number(ms(lease_until)))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":now", number(ms(now)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => message_from(&out.attributes.unwrap_or_default()).map(Some),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(None),
                _ => Err(sdk_error("UpdateItem", &self.table, e)),
            },
        }
    }

    async fn finish_message(&self, id: &str, outcome: &DeliveryOutcome) -> Result<(), StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(message_key(id), MESSAGE)))
            // A message already sent stays sent (a late report from a worker whose lease lapsed).
            .condition_expression("attribute_exists(#pk) AND #state <> :sent")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#lease", "lease_until")
            .expression_attribute_names("#due_at", DUE_INDEX_SORT_KEY)
            .expression_attribute_values(":sent", string(DeliveryState::Sent.as_str()));
        // What `DeliveryOutcome::apply` does, as one update of the stored item.
        let update = match outcome {
            DeliveryOutcome::Sent(at) => update
                .update_expression("SET #state = :sent, #sent_at = :at REMOVE #lease, #due_at, #sealed, #last_error")
                .expression_attribute_names("#sent_at", "sent_at")
                .expression_attribute_names("#sealed", "sealed")
                .expression_attribute_names("#last_error", "last_error")
                .expression_attribute_values(":at", number(ms(*at))),
            DeliveryOutcome::Failed {
                error,
                retry_at: Some(at),
            } => update
                .update_expression(
                    "SET #state = :retrying, #last_error = :error, #next = :at, #due_at = :at REMOVE #lease",
                )
                .expression_attribute_names("#last_error", "last_error")
                .expression_attribute_names("#next", "next_attempt_at")
                .expression_attribute_values(":retrying", string(DeliveryState::Retrying.as_str()))
                .expression_attribute_values(":error", string(error))
                .expression_attribute_values(":at", number(ms(*at))),
            // Dead keeps its content, sealed, so that staff can send it again.
            DeliveryOutcome::Failed { error, retry_at: None } => update
                .update_expression("SET #state = :dead, #last_error = :error REMOVE #lease, #due_at")
                .expression_attribute_names("#last_error", "last_error")
                .expression_attribute_values(":dead", string(DeliveryState::Dead.as_str()))
                .expression_attribute_values(":error", string(error)),
        };
        applied(update.send().await, "UpdateItem", &self.table).map(|_| ())
    }

    async fn message(&self, id: &str) -> Result<Option<OutboxMessage>, StoreError> {
        self.get(message_key(id), MESSAGE)
            .await?
            .map(|item| message_from(&item))
            .transpose()
    }

    async fn messages_for(&self, codice_fiscale: &str, limit: usize) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut messages = Vec::new();
        let mut start: Option<Item> = None;
        while messages.len() < limit {
            // The index shared with the dev sink, on the citizen's own partition (ADR 0006).
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(OUTBOX_INDEX)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", OUTBOX_INDEX_PARTITION_KEY)
                .expression_attribute_values(":pk", string(citizen_messages(codice_fiscale)))
                .scan_index_forward(false)
                .limit(i32::try_from(limit - messages.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("Query", &self.table, e))?;
            for item in out.items() {
                messages.push(message_from(item)?);
            }
            match out.last_evaluated_key {
                Some(last) => start = Some(last),
                None => break,
            }
        }
        messages.truncate(limit);
        Ok(messages)
    }

    async fn put_draft(&self, draft: &DraftRecord) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(draft_item(draft)?))
            .send()
            .await
            .map_err(|e| sdk_error("PutItem", &self.table, e))?;
        Ok(())
    }

    async fn draft(&self, codice_fiscale: &str) -> Result<Option<DraftRecord>, StoreError> {
        self.get(citizen(codice_fiscale), DRAFT)
            .await?
            .map(|item| from_json(get_s(&item, "record")?))
            .transpose()
    }

    async fn next_protocol_sequence(&self, year: i32) -> Result<u32, StoreError> {
        let mut byte = [0u8; 1];
        getrandom::fill(&mut byte).map_err(|e| StoreError::Other(format!("no random bytes for a counter: {e}")))?;
        let shard = u32::from(byte[0]) % PROTOCOL_SHARDS;
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("{COUNTER}#{PROTOCOL}#{year}#{shard:02}"), COUNTER)))
            .update_expression("ADD #last :one")
            .expression_attribute_names("#last", "last")
            .expression_attribute_values(":one", number(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| sdk_error("UpdateItem", &self.table, e))?;
        let last = output
            .attributes()
            .map(|item| get_n(item, "last"))
            .transpose()?
            .ok_or_else(|| malformed("last"))?;
        u32::try_from(last - 1)
            .ok()
            .and_then(|n| n.checked_mul(PROTOCOL_SHARDS))
            .and_then(|n| n.checked_add(shard + 1))
            .ok_or_else(|| StoreError::Other(format!("protocol counter {shard} of {year} overflowed")))
    }

    async fn insert_application(
        &self,
        record: &ApplicationRecord,
        messages: &[OutboxMessage],
    ) -> Result<ApplicationInsert, StoreError> {
        let cf = record.codice_fiscale().to_owned();
        let protocol = record.application.protocol.to_string();
        let put_if_absent = |item: Item| {
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", PARTITION_KEY)
                .build()
                .map_err(build_error)
        };
        let mut by_protocol = key(format!("{PROTOCOL}#{protocol}"), PROTOCOL);
        by_protocol.insert("codice_fiscale".into(), string(&cf));
        // All or nothing: the application (absent for this citizen), its protocol entry (absent:
        // numbers are unique), the removal of the draft it came from, and the receipt.
        let items = vec![
            TransactWriteItem::builder()
                .put(put_if_absent(application_item(record)?)?)
                .build(),
            TransactWriteItem::builder().put(put_if_absent(by_protocol)?).build(),
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(key(citizen(&cf), DRAFT)))
                        .build()
                        .map_err(build_error)?,
                )
                .build(),
        ];
        match self.write_event(items, messages).await? {
            Written::Done => Ok(ApplicationInsert::Inserted),
            Written::Refused(_) => {
                let existing = self
                    .application(&cf)
                    .await?
                    .ok_or_else(|| StoreError::Other("insert refused, yet no application is stored".into()))?;
                Ok(ApplicationInsert::Exists(Box::new(existing)))
            }
        }
    }

    async fn application(&self, codice_fiscale: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        self.get(citizen(codice_fiscale), APPLICATION)
            .await?
            .map(|item| from_json(get_s(&item, "record")?))
            .transpose()
    }

    async fn application_by_protocol(&self, protocol: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let Some(entry) = self.get(format!("{PROTOCOL}#{protocol}"), PROTOCOL).await? else {
            return Ok(None);
        };
        // Once an application is set aside, the citizen's place may hold a newer one.
        Ok(self
            .application(get_s(&entry, "codice_fiscale")?)
            .await?
            .filter(|record| record.application.protocol.to_string() == protocol))
    }

    async fn update_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
        messages: &[OutboxMessage],
    ) -> Result<bool, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(application_item(record)?))
            .condition_expression("#history_len = :expected")
            .expression_attribute_names("#history_len", "history_len")
            .expression_attribute_values(":expected", number(expected_history_len as i64))
            .build()
            .map_err(build_error)?;
        let written = self
            .write_event(vec![TransactWriteItem::builder().put(put).build()], messages)
            .await?;
        Ok(matches!(written, Written::Done))
    }

    async fn validate_pin_request(
        &self,
        codice_fiscale: &str,
        first_half_hash: &[u8],
        created_after: DateTime<Utc>,
        created_by: DateTime<Utc>,
        now: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<bool, StoreError> {
        let Some(item) = self.get(citizen(codice_fiscale), PIN_REQUEST).await? else {
            return Ok(false);
        };
        let mut record = pin_request_from(&item)?;
        let seen_created_at = get_n(&item, "created_at")?;
        record.first_half_hash = first_half_hash.to_vec();
        record.state = PinRequestState::ValidatedByContactCenter;
        record.updated_at = now;
        // The condition re-checks on the stored item what the read found: still pending, the same
        // request (its creation time), inside the window the caller allows.
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(citizen(codice_fiscale), PIN_REQUEST)))
            .update_expression("SET #record = :record, #state = :to, #updated_at = :now")
            .condition_expression(
                "#state = :pending AND #created_at = :seen AND #created_at > :after AND #created_at <= :by",
            )
            .expression_attribute_names("#record", "record")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#updated_at", "updated_at")
            .expression_attribute_names("#created_at", "created_at")
            .expression_attribute_values(":record", string(to_json(&record)?))
            .expression_attribute_values(":to", string(record.state.as_str()))
            .expression_attribute_values(":now", number(ms(now)))
            .expression_attribute_values(":pending", string(PinRequestState::PendingDelivery.as_str()))
            .expression_attribute_values(":seen", number(seen_created_at))
            .expression_attribute_values(":after", number(ms(created_after)))
            .expression_attribute_values(":by", number(ms(created_by)))
            .build()
            .map_err(build_error)?;
        let written = self
            .write_event(vec![TransactWriteItem::builder().update(update).build()], messages)
            .await?;
        Ok(matches!(written, Written::Done))
    }

    async fn insert_operator(&self, operator: &OperatorRecord) -> Result<bool, StoreError> {
        let mut item = key(operator_key(&operator.username), OPERATOR);
        item.insert("record".into(), string(to_json(operator)?));
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

    async fn operator(&self, username: &str) -> Result<Option<OperatorRecord>, StoreError> {
        self.get(operator_key(username), OPERATOR)
            .await?
            .map(|item| from_json(get_s(&item, "record")?))
            .transpose()
    }

    async fn replace_operator(&self, operator: &OperatorRecord) -> Result<bool, StoreError> {
        // Only `record`: the claimed TOTP step lives beside it and must survive.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(operator_key(&operator.username), OPERATOR)))
            .update_expression("SET #record = :record")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#record", "record")
            .expression_attribute_values(":record", string(to_json(operator)?))
            .send()
            .await;
        applied(result, "UpdateItem", &self.table)
    }

    async fn claim_totp_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(operator_key(username), OPERATOR)))
            .update_expression("SET #step = :step")
            .condition_expression("attribute_exists(#pk) AND (attribute_not_exists(#step) OR #step < :step)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#step", "last_totp_step")
            .expression_attribute_values(":step", number(step))
            .send()
            .await;
        applied(result, "UpdateItem", &self.table)
    }

    async fn put_operator_session(&self, session: &OperatorSessionRecord) -> Result<(), StoreError> {
        let mut item = key(operator_session_key(&session.token_hash), OPERATOR_SESSION);
        item.insert("record".into(), string(to_json(session)?));
        // The idle expiry moves on every use: an attribute of its own, which wins over the JSON.
        item.insert("expires_at".into(), number(ms(session.expires_at)));
        item.insert(TTL_ATTRIBUTE.into(), number(epoch_seconds(session.absolute_expires_at)));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(_)) => Err(StoreError::Other(
                    "an operator session with this token hash already exists".into(),
                )),
                _ => Err(sdk_error("PutItem", &self.table, e)),
            },
        }
    }

    async fn operator_session(&self, token_hash: &str) -> Result<Option<OperatorSessionRecord>, StoreError> {
        let Some(item) = self.get(operator_session_key(token_hash), OPERATOR_SESSION).await? else {
            return Ok(None);
        };
        let mut session: OperatorSessionRecord = from_json(get_s(&item, "record")?)?;
        session.expires_at = from_ms(get_n(&item, "expires_at")?);
        Ok(Some(session))
    }

    async fn extend_operator_session(&self, token_hash: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(operator_session_key(token_hash), OPERATOR_SESSION)))
            .update_expression("SET #expires_at = :expires_at")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#expires_at", "expires_at")
            .expression_attribute_values(":expires_at", number(ms(expires_at)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                // Ended meanwhile (logout): nothing to extend, as in SQLite.
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(()),
                _ => Err(sdk_error("UpdateItem", &self.table, e)),
            },
        }
    }

    async fn delete_operator_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.delete(operator_session_key(token_hash), OPERATOR_SESSION).await
    }

    async fn put_call(&self, call: &CallRecord) -> Result<(), StoreError> {
        let mut item = key(call_key(&call.id), CALL);
        item.insert("record".into(), string(to_json(call)?));
        item.insert(
            TTL_ATTRIBUTE.into(),
            number(epoch_seconds(call.opened_at + CALL_RETENTION)),
        );
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(_)) => {
                    Err(StoreError::Other("a call with this id already exists".into()))
                }
                _ => Err(sdk_error("PutItem", &self.table, e)),
            },
        }
    }

    async fn call(&self, id: &str) -> Result<Option<CallRecord>, StoreError> {
        let Some(item) = self.get(call_key(id), CALL).await? else {
            return Ok(None);
        };
        let mut call: CallRecord = from_json(get_s(&item, "record")?)?;
        call.pin_checked_at = get_opt_n(&item, "pin_checked_at")?.map(from_ms);
        Ok(Some(call))
    }

    async fn mark_call_pin_checked(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(call_key(id), CALL)))
            .update_expression("SET #checked = :at")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#checked", "pin_checked_at")
            .expression_attribute_values(":at", number(ms(at)))
            .send()
            .await;
        applied(result, "UpdateItem", &self.table)
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut tail = [0u8; 8];
        getrandom::fill(&mut tail).map_err(|e| StoreError::Other(format!("no random bytes for an audit key: {e}")))?;
        // One copy per way it is read (by citizen, by operator), written together; no TTL.
        let sort_key = outbox_sort_key(entry.at, tail);
        let json = to_json(entry)?;
        let mut partitions = vec![format!("AUDIT#OPERATOR#{}", entry.operator)];
        if let Some(cf) = &entry.codice_fiscale {
            partitions.push(format!("AUDIT#CITIZEN#{cf}"));
        }
        let mut transaction = self.client.transact_write_items();
        for pk in partitions {
            let mut item = key(pk, &sort_key);
            item.insert("record".into(), string(json.clone()));
            transaction = transaction.transact_items(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(item))
                            .condition_expression("attribute_not_exists(#pk)")
                            .expression_attribute_names("#pk", PARTITION_KEY)
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            );
        }
        transaction
            .send()
            .await
            .map_err(|e| sdk_error("TransactWriteItems", &self.table, e))?;
        Ok(())
    }

    async fn audit_for(&self, codice_fiscale: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.query_audit(format!("AUDIT#CITIZEN#{codice_fiscale}"), limit).await
    }

    async fn audit_by_operator(&self, username: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.query_audit(format!("AUDIT#OPERATOR#{username}"), limit).await
    }

    async fn put_draft_unless_stronger(&self, draft: &DraftRecord) -> Result<bool, StoreError> {
        // A draft stored before strengths were recorded has no `strength`: the weakest.
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(draft_item(draft)?))
            .condition_expression("attribute_not_exists(#pk) OR attribute_not_exists(#strength) OR #strength <= :mine")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#strength", "strength")
            .expression_attribute_values(":mine", number(strength_rank(draft.credential)))
            .send()
            .await;
        applied(result, "PutItem", &self.table)
    }

    async fn revoke_pin_request(
        &self,
        codice_fiscale: &str,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let Some(item) = self.get(citizen(codice_fiscale), PIN_REQUEST).await? else {
            return Ok(false);
        };
        let mut record = pin_request_from(&item)?;
        if record.created_at != created_at || get_n(&item, "created_at")? != ms(created_at) {
            return Ok(false);
        }
        record.state = PinRequestState::Revoked;
        record.updated_at = now;
        let mut revoked = key(citizen(codice_fiscale), &revoked_pin_sort_key(created_at));
        revoked.insert("record".into(), string(to_json(&record)?));
        // All or nothing, and only if the request read is still the stored one.
        let result = self
            .client
            .transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name(&self.table)
                            .set_key(Some(key(citizen(codice_fiscale), PIN_REQUEST)))
                            .condition_expression("#created_at = :seen")
                            .expression_attribute_names("#created_at", "created_at")
                            .expression_attribute_values(":seen", number(ms(created_at)))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(revoked))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            )
            .send()
            .await;
        transaction_applied(result, &self.table)
    }

    async fn set_aside_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
    ) -> Result<bool, StoreError> {
        let cf = record.codice_fiscale().to_owned();
        let protocol = record.application.protocol.to_string();
        let mut aside = application_item(record)?;
        aside.insert(SORT_KEY.into(), string(set_aside_sort_key(&protocol)));
        let result = self
            .client
            .transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name(&self.table)
                            .set_key(Some(key(citizen(&cf), APPLICATION)))
                            .condition_expression("#history_len = :expected AND #protocol = :protocol")
                            .expression_attribute_names("#history_len", "history_len")
                            .expression_attribute_names("#protocol", "protocol")
                            .expression_attribute_values(":expected", number(expected_history_len as i64))
                            .expression_attribute_values(":protocol", string(&protocol))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(aside))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            )
            .send()
            .await;
        transaction_applied(result, &self.table)
    }

    async fn reported(&self, codice_fiscale: &str) -> Result<Reported, StoreError> {
        let mut reported = Reported::default();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :reported)")
                .expression_attribute_names("#pk", PARTITION_KEY)
                .expression_attribute_names("#sk", SORT_KEY)
                .expression_attribute_values(":pk", string(citizen(codice_fiscale)))
                .expression_attribute_values(":reported", string(REPORTED))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("Query", &self.table, e))?;
            for item in out.items() {
                if get_s(item, SORT_KEY)?.starts_with(REVOKED_PIN) {
                    reported.pin_requests.push(from_json(get_s(item, "record")?)?);
                } else {
                    reported.applications.push(from_json(get_s(item, "record")?)?);
                }
            }
            match out.last_evaluated_key {
                Some(last) => start = Some(last),
                None => break,
            }
        }
        reported.pin_requests.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        reported
            .applications
            .sort_by_key(|a| std::cmp::Reverse(a.application.submitted_at()));
        Ok(reported)
    }

    async fn set_aside_application_by_protocol(&self, protocol: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let Some(entry) = self.get(format!("{PROTOCOL}#{protocol}"), PROTOCOL).await? else {
            return Ok(None);
        };
        self.get(citizen(get_s(&entry, "codice_fiscale")?), &set_aside_sort_key(protocol))
            .await?
            .map(|item| from_json(get_s(&item, "record")?))
            .transpose()
    }

    async fn update_set_aside_application(
        &self,
        record: &ApplicationRecord,
        expected_history_len: usize,
    ) -> Result<bool, StoreError> {
        let mut item = application_item(record)?;
        item.insert(
            SORT_KEY.into(),
            string(set_aside_sort_key(&record.application.protocol.to_string())),
        );
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("#history_len = :expected")
            .expression_attribute_names("#history_len", "history_len")
            .expression_attribute_values(":expected", number(expected_history_len as i64))
            .send()
            .await;
        applied(result, "PutItem", &self.table)
    }
}

/// A draft's item: the record as JSON, the strength of the credential that saved it (which the
/// conditional save compares), and its TTL.
fn draft_item(draft: &DraftRecord) -> Result<Item, StoreError> {
    let mut item = key(citizen(&draft.codice_fiscale), DRAFT);
    item.insert("record".into(), string(to_json(draft)?));
    item.insert("strength".into(), number(strength_rank(draft.credential)));
    item.insert(
        TTL_ATTRIBUTE.into(),
        number(epoch_seconds(draft.updated_at + DRAFT_RETENTION)),
    );
    Ok(item)
}

/// The strength of `credential` as a number that orders as strengths do.
fn strength_rank(credential: domain::Credential) -> i64 {
    credential.strength() as i64
}

/// A revoked PIN request's sort key under its citizen: its creation time, zero-padded.
fn revoked_pin_sort_key(created_at: DateTime<Utc>) -> String {
    format!("{REVOKED_PIN}{:013}", ms(created_at).max(0))
}

/// A set-aside application's sort key under its citizen.
fn set_aside_sort_key(protocol: &str) -> String {
    format!("{REPORTED}APPLICATION#{protocol}")
}

/// Whether a transaction took place: `false` when one of its conditions did not hold, an error
/// for anything else.
fn transaction_applied<O>(
    result: Result<O, SdkError<TransactWriteItemsError, HttpResponse>>,
    table: &str,
) -> Result<bool, StoreError> {
    match result {
        Ok(_) => Ok(true),
        Err(e) => match e.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(cancelled))
                if cancelled
                    .cancellation_reasons()
                    .iter()
                    .any(|reason| reason.code() == Some("ConditionalCheckFailed")) =>
            {
                Ok(false)
            }
            _ => Err(sdk_error("TransactWriteItems", table, e)),
        },
    }
}

/// An application's item: the record as JSON, with the history's length beside it for the
/// optimistic check of status changes. No TTL: applications are kept.
fn application_item(record: &ApplicationRecord) -> Result<Item, StoreError> {
    let mut item = key(citizen(record.codice_fiscale()), APPLICATION);
    item.insert("record".into(), string(to_json(record)?));
    item.insert("protocol".into(), string(record.application.protocol.to_string()));
    item.insert("history_len".into(), number(record.application.history().len() as i64));
    Ok(item)
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

fn operator_session_key(token_hash: &str) -> String {
    format!("OPERATOR_SESSION#{token_hash}")
}

fn call_key(id: &str) -> String {
    format!("CALL#{id}")
}

fn session_key(token_hash: &str) -> String {
    format!("SESSION#{token_hash}")
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
