//! Drafts, applications and the protocol register in DynamoDB.

use super::*;

#[async_trait]
impl Applications for DynamoDbStore {
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
        guard: SubmissionGuard,
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
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .build()
                .map_err(build_error)
        };
        let mut by_protocol = key(format!("{PROTOCOL}#{protocol}"), PROTOCOL);
        by_protocol.insert("codice_fiscale".into(), string(&cf));
        // All or nothing, and no read before: the application (absent for this citizen, else
        // the one there comes back), its protocol entry (absent: numbers are unique), the removal
        // of the draft it came from (unless a stronger credential saved it, which comes back),
        // the guard's PIN request, and the receipt. A draft stored before strengths were recorded
        // is the weakest. The application comes first: when it is there, that is the answer.
        let mut items = vec![
            (
                Rule::OnePerCitizen,
                TransactWriteItem::builder()
                    .put(put_if_absent(application_item(record)?)?)
                    .build(),
            ),
            (
                Rule::UniqueProtocol,
                TransactWriteItem::builder().put(put_if_absent(by_protocol)?).build(),
            ),
            (
                Rule::NoStrongerDraft,
                TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name(&self.table)
                            .set_key(Some(key(citizen(&cf), DRAFT)))
                            .condition_expression(
                                "attribute_not_exists(#pk) OR attribute_not_exists(#strength) OR #strength <= :mine",
                            )
                            .expression_attribute_names("#pk", PARTITION_KEY)
                            .expression_attribute_names("#strength", "strength")
                            .expression_attribute_values(":mine", number(strength_rank(record.credential)))
                            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            ),
        ];
        if let Some(started_at) = guard.pin_session_started_at {
            items.push((
                Rule::PinHolds,
                TransactWriteItem::builder()
                    .condition_check(
                        ConditionCheck::builder()
                            .table_name(&self.table)
                            .set_key(Some(key(citizen(&cf), PIN_REQUEST)))
                            .condition_expression("attribute_exists(#pk) AND #created_at <= :started")
                            .expression_attribute_names("#pk", PARTITION_KEY)
                            .expression_attribute_names("#created_at", "created_at")
                            .expression_attribute_values(":started", number(ms(started_at)))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            ));
        }
        let (rules, items): (Vec<Rule>, Vec<TransactWriteItem>) = items.into_iter().unzip();
        let (index, item) = match self.write_event(items, messages).await? {
            Written::Done => return Ok(ApplicationInsert::Inserted),
            Written::Refused { index, item } => (index, item),
        };
        match rules[index] {
            Rule::OnePerCitizen => {
                // DynamoDB returns the item that failed the condition; should an emulator not, read it.
                let existing = match item {
                    Some(item) => from_json(get_s(&item, "record")?)?,
                    None => self
                        .application(&cf)
                        .await?
                        .ok_or_else(|| StoreError::Other("insert refused, yet no application is stored".into()))?,
                };
                Ok(ApplicationInsert::Exists(Box::new(existing)))
            }
            Rule::NoStrongerDraft => {
                let draft: DraftRecord = match item {
                    Some(item) => from_json(get_s(&item, "record")?)?,
                    None => self
                        .draft(&cf)
                        .await?
                        .ok_or_else(|| StoreError::Other("draft removal refused, yet no draft is stored".into()))?,
                };
                Ok(ApplicationInsert::StrongerDraft(draft.credential))
            }
            Rule::PinHolds => Ok(ApplicationInsert::PinNoLongerHolds),
            Rule::UniqueProtocol => Err(StoreError::Other(format!(
                "protocol number {protocol} is already registered"
            ))),
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

/// The rules a submission's transaction holds, one per item, for reading which one refused it.
#[derive(Debug, Clone, Copy)]
enum Rule {
    OnePerCitizen,
    UniqueProtocol,
    NoStrongerDraft,
    PinHolds,
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

/// An application's item: the record as JSON, with the history's length beside it for the
/// optimistic check of status changes. No TTL: applications are kept.
fn application_item(record: &ApplicationRecord) -> Result<Item, StoreError> {
    let mut item = key(citizen(record.codice_fiscale()), APPLICATION);
    item.insert("record".into(), string(to_json(record)?));
    item.insert("protocol".into(), string(record.application.protocol.to_string()));
    item.insert("history_len".into(), number(record.application.history().len() as i64));
    Ok(item)
}

/// A set-aside application's sort key under its citizen.
fn set_aside_sort_key(protocol: &str) -> String {
    format!("{REPORTED}APPLICATION#{protocol}")
}
