//! The append-only audit log in DynamoDB.

use super::*;

#[async_trait]
impl AuditLog for DynamoDbStore {
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
}
