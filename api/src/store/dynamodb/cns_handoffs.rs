//! CNS handoffs in DynamoDB: citizens' session items whose `method` is the handoff's, taken with
//! one `DeleteItem` conditioned on that method and on the expiry, returning the item it removed.

use super::sessions::{citizen_from, citizen_item};
use super::*;

#[async_trait]
impl CnsHandoffs for DynamoDbStore {
    async fn put_handoff(&self, handoff: &SessionRecord) -> Result<(), StoreError> {
        self.put_new_session(citizen_item(handoff)?).await
    }

    async fn take_handoff(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>, StoreError> {
        // Of two redemptions, one deletes the item; the other's condition fails (no item), as
        // does an unknown token's, a plain session's or an expired handoff's (left to TTL).
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("SESSION#{token_hash}"), SESSION)))
            .condition_expression("#method = :handoff AND #expires_at > :now AND #absolute > :now")
            .expression_attribute_names("#method", "method")
            .expression_attribute_names("#expires_at", "expires_at")
            .expression_attribute_names("#absolute", "absolute_expires_at")
            .expression_attribute_values(":handoff", string(CNS_HANDOFF_METHOD))
            .expression_attribute_values(":now", number(ms(now)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => out.attributes.map(|item| citizen_from(token_hash, &item)).transpose(),
            Err(e) => match e.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(_)) => Ok(None),
                _ => Err(sdk_error("DeleteItem", &self.table, e)),
            },
        }
    }
}
