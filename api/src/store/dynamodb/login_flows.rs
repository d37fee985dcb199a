//! Finished login flows in DynamoDB: one item `FLOW#<flow hash>` / `FLOW` per flow, put only if
//! absent; the put that lands is the finish that counts. TTL removes it after the flow's expiry.

use super::*;

/// The sort key of a finished flow's item (and its partition key's prefix).
const FLOW: &str = "FLOW";

#[async_trait]
impl LoginFlows for DynamoDbStore {
    async fn finish_flow(
        &self,
        flow_hash: &str,
        expires_at: DateTime<Utc>,
        _now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut item = key(format!("{FLOW}#{flow_hash}"), FLOW);
        item.insert(TTL_ATTRIBUTE.into(), number(epoch_seconds(expires_at)));
        // One conditional PutItem: DynamoDB serialises writes to an item, so of two finishes one
        // puts it and the other's condition fails (`false`). An item past its expiry that TTL has
        // not deleted yet (it may take days) still refuses its flow, unlike SQLite's clean-up;
        // harmless, because a flow hash is the hash of 256 random bits: no later flow has it, and
        // the expired flow's own cookie is refused before it gets here.
        self.put_if_absent(item).await
    }
}
