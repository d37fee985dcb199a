//! What citizens reported as not theirs in DynamoDB.

use super::*;

#[async_trait]
impl Reports for DynamoDbStore {
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
}
