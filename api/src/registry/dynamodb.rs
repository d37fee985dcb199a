//! The embedded registry on AWS: items of the service's one DynamoDB table (docs/adr/0006),
//! `pk = RESIDENT#<codice fiscale>`, `sk = RESIDENT`, the resident as one JSON attribute
//! `record` (the same serde form as on SQLite). A partition per person, like every citizen's
//! item, so that click day's lookups spread over the table. Loaded with BatchWriteItem, 25 puts
//! a request; a put replaces the item, so a re-import updates.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use domain::CodiceFiscale;

use super::{Registry, RegistryError, RegistryWriter, Resident};
use crate::store::StoreError;
use crate::store::dynamodb::{PARTITION_KEY, SORT_KEY, sdk_error};

/// The sort key of a resident's item.
pub const RESIDENT: &str = "RESIDENT";
/// DynamoDB's limit of puts in one BatchWriteItem.
const BATCH: usize = 25;
/// Rounds of re-sending what DynamoDB left unprocessed (throttled) before giving up.
const UNPROCESSED_ROUNDS: u32 = 8;

/// The registry in the DynamoDB table. Cheap to clone: the SDK client is shared.
#[derive(Debug, Clone)]
pub struct DynamoDbRegistry {
    client: Client,
    table: String,
}

impl DynamoDbRegistry {
    /// The registry in `table` through `client` (the store's table and client).
    pub fn new(client: Client, table: impl Into<String>) -> DynamoDbRegistry {
        DynamoDbRegistry {
            client,
            table: table.into(),
        }
    }
}

fn partition(codice_fiscale: &str) -> String {
    format!("RESIDENT#{codice_fiscale}")
}

fn from_store(e: StoreError) -> RegistryError {
    match e {
        StoreError::Unavailable(m) => RegistryError::Unavailable(m),
        StoreError::Other(m) => RegistryError::Other(m),
    }
}

#[async_trait]
impl Registry for DynamoDbRegistry {
    fn kind(&self) -> &'static str {
        "dynamodb"
    }

    async fn resident(&self, codice_fiscale: &CodiceFiscale) -> Result<Option<Resident>, RegistryError> {
        // An eventually consistent read: the registry changes by import, never by the citizen's
        // previous click, and costs half as much on click day.
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, AttributeValue::S(partition(codice_fiscale.as_str())))
            .key(SORT_KEY, AttributeValue::S(RESIDENT.into()))
            .send()
            .await
            .map_err(|e| from_store(sdk_error("GetItem", &self.table, e)))?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let record = item
            .get("record")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| RegistryError::Other(format!("a resident's item in {} has no record", self.table)))?;
        serde_json::from_str(record)
            .map(Some)
            .map_err(|e| RegistryError::Other(format!("cannot decode a resident: {e}")))
    }

    fn writer(&self) -> Option<&dyn RegistryWriter> {
        Some(self)
    }
}

#[async_trait]
impl RegistryWriter for DynamoDbRegistry {
    async fn upsert(&self, residents: &[Resident]) -> Result<(), RegistryError> {
        // A file may name one person twice (a correction appended): one batch may not hold two
        // puts of one key, so the last row of each person wins, as on SQLite.
        let mut latest: Vec<&Resident> = Vec::with_capacity(residents.len());
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for r in residents {
            match seen.get(r.codice_fiscale.as_str()) {
                Some(&i) => latest[i] = r,
                None => {
                    seen.insert(r.codice_fiscale.as_str(), latest.len());
                    latest.push(r);
                }
            }
        }
        for chunk in latest.chunks(BATCH) {
            let mut requests = chunk
                .iter()
                .map(|r| {
                    let record = serde_json::to_string(r)
                        .map_err(|e| RegistryError::Other(format!("cannot encode a resident: {e}")))?;
                    let put = PutRequest::builder()
                        .item(PARTITION_KEY, AttributeValue::S(partition(r.codice_fiscale.as_str())))
                        .item(SORT_KEY, AttributeValue::S(RESIDENT.into()))
                        .item("record", AttributeValue::S(record))
                        .build()
                        .map_err(|e| RegistryError::Other(format!("cannot build a put: {e}")))?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<Result<Vec<_>, RegistryError>>()?;
            let mut round = 0;
            while !requests.is_empty() {
                if round == UNPROCESSED_ROUNDS {
                    return Err(RegistryError::Unavailable(format!(
                        "DynamoDB kept {} puts unprocessed on {}",
                        requests.len(),
                        self.table
                    )));
                }
                if round > 0 {
                    // Unprocessed items mean throttling: back off before sending them again.
                    tokio::time::sleep(Duration::from_millis(50 << round)).await;
                }
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(|e| from_store(sdk_error("BatchWriteItem", &self.table, e)))?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut left| left.remove(&self.table))
                    .unwrap_or_default();
                round += 1;
            }
        }
        Ok(())
    }
}
