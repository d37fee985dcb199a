//! Citizens' PIN requests in DynamoDB.

use super::*;

#[async_trait]
impl PinRequests for DynamoDbStore {
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
            Written::Refused { item, .. } => item,
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
}

/// A revoked PIN request's sort key under its citizen: its creation time, zero-padded.
fn revoked_pin_sort_key(created_at: DateTime<Utc>) -> String {
    format!("{REVOKED_PIN}{:013}", ms(created_at).max(0))
}
