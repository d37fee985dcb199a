//! Contact Center operators in DynamoDB.

use super::*;

#[async_trait]
impl Operators for DynamoDbStore {
    async fn insert_operator(&self, operator: &OperatorRecord) -> Result<bool, StoreError> {
        let mut item = key(operator_key(&operator.username), OPERATOR);
        item.insert("record".into(), string(to_json(operator)?));
        self.put_if_absent(item).await
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
}
