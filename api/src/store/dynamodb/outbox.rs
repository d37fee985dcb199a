//! The durable outbox and the dev sink in DynamoDB.

use super::*;

#[async_trait]
impl Outbox for DynamoDbStore {
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
}
