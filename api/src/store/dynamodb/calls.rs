//! Contact Center calls in DynamoDB.

use super::*;

#[async_trait]
impl Calls for DynamoDbStore {
    async fn put_call(&self, call: &CallRecord) -> Result<(), StoreError> {
        let mut item = key(call_key(&call.id), CALL);
        item.insert("record".into(), string(to_json(call)?));
        item.insert(
            TTL_ATTRIBUTE.into(),
            number(epoch_seconds(call.opened_at + CALL_RETENTION)),
        );
        if self.put_if_absent(item).await? {
            Ok(())
        } else {
            Err(StoreError::Other("a call with this id already exists".into()))
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
}
