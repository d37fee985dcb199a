//! Attempt counters in DynamoDB: one item per [`ThrottleKey`] (`THROTTLE#<key>` / `THROTTLE`) with
//! `attempts`, `window_ends`, `blocked_until` (ms) and TTL once both the window and the wait are
//! over. What a counter becomes is `domain::throttle`'s to say; each change here is optimistic:
//! read the counter, compute, and write only if the item is still exactly what was read (or
//! still absent), trying again from a fresh read when another writer got there first. No
//! condition expression restates the arithmetic.

use super::*;

#[async_trait]
impl Throttles for DynamoDbStore {
    async fn reserve_attempt(&self, claims: &[AttemptClaim], now: DateTime<Utc>) -> Result<Reservation, StoreError> {
        for round in 0..THROTTLE_ROUNDS {
            if let Some(reservation) = self.reserve_round(claims, now).await? {
                return Ok(reservation);
            }
            backoff(round).await;
        }
        Err(contended())
    }

    async fn release_attempt(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        self.update_counter(key, |current| current.map(ThrottleState::after_release))
            .await
            .map(|_| ())
    }

    async fn forget_attempts(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        self.delete(throttle_key(key), THROTTLE).await
    }

    async fn count_attempt(
        &self,
        key: &ThrottleKey,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let next = self
            .update_counter(key, |current| Some(ThrottleState::after_count(current, now, window)))
            .await?;
        Ok(next.map_or(0, |state| state.attempts))
    }

    async fn throttle(&self, key: &ThrottleKey) -> Result<Option<ThrottleState>, StoreError> {
        self.get(throttle_key(key), THROTTLE)
            .await?
            .map(|item| throttle_from(&item))
            .transpose()
    }
}

impl DynamoDbStore {
    /// One round of a reservation: reads the counters, and writes what follows each of them in
    /// one transaction conditioned on what was read. `None`: another writer changed one first.
    async fn reserve_round(
        &self,
        claims: &[AttemptClaim],
        now: DateTime<Utc>,
    ) -> Result<Option<Reservation>, StoreError> {
        let mut writes = Vec::with_capacity(claims.len());
        let mut longest_wait = None;
        for claim in claims {
            let current = self.throttle(&claim.key).await?;
            match ThrottleState::after_attempt(current, now, claim.policy) {
                Ok(next) => writes.push((claim, current, next)),
                Err(MustWait(wait)) => longest_wait = longest_wait.max(Some(wait)),
            }
        }
        // All or nothing: a counter that makes the attempt wait leaves the others as they were.
        if let Some(wait) = longest_wait {
            return Ok(Some(Reservation::Delayed(wait)));
        }
        let mut transaction = self.client.transact_write_items();
        for (claim, current, next) in writes {
            let guard = Unchanged::from(current);
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(counter_item(&claim.key, &next)))
                .condition_expression(guard.expression)
                .set_expression_attribute_names(Some(guard.names))
                .set_expression_attribute_values(guard.values)
                .build()
                .map_err(build_error)?;
            transaction = transaction.transact_items(TransactWriteItem::builder().put(put).build());
        }
        match transaction.send().await {
            Ok(_) => Ok(Some(Reservation::Granted)),
            Err(e) => {
                // A counter changed under us, or DynamoDB was busy: the caller's next round reads
                // the counters again (and gives up as contended, 503, after its rounds).
                let lost = matches!(
                    Cancellation::of(&e),
                    Some(Cancellation::Refused { .. } | Cancellation::Retry(_))
                );
                if lost {
                    Ok(None)
                } else {
                    Err(sdk_error("TransactWriteItems", &self.table, e))
                }
            }
        }
    }

    /// Replaces one counter by what `next` makes of it (`None`: leave it as it is), written only
    /// over the state `next` was given; the state it wrote (or found, when nothing was written).
    async fn update_counter(
        &self,
        key: &ThrottleKey,
        next: impl Fn(Option<ThrottleState>) -> Option<ThrottleState>,
    ) -> Result<Option<ThrottleState>, StoreError> {
        for round in 0..THROTTLE_ROUNDS {
            let current = self.throttle(key).await?;
            let Some(state) = next(current) else {
                return Ok(current);
            };
            let guard = Unchanged::from(current);
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(counter_item(key, &state)))
                .condition_expression(guard.expression)
                .set_expression_attribute_names(Some(guard.names))
                .set_expression_attribute_values(guard.values)
                .send()
                .await;
            if applied(result, "PutItem", &self.table)? {
                return Ok(Some(state));
            }
            backoff(round).await;
        }
        Err(contended())
    }
}

/// The item of counter `key` in `state`.
fn counter_item(key: &ThrottleKey, state: &ThrottleState) -> Item {
    let mut item = self::key(throttle_key(key), THROTTLE);
    item.insert("attempts".into(), number(i64::from(state.attempts)));
    item.insert("window_ends".into(), number(ms(state.window_ends)));
    if let Some(until) = state.blocked_until {
        item.insert("blocked_until".into(), number(ms(until)));
    }
    item.insert(TTL_ATTRIBUTE.into(), number(epoch_seconds(state.forget_after())));
    item
}

/// The condition that a counter is still as it was read: absent, or with every field equal. Equal
/// fields are enough even if the item changed and changed back meanwhile, since what is written
/// is a function of those fields alone.
struct Unchanged {
    expression: String,
    names: HashMap<String, String>,
    values: Option<HashMap<String, AttributeValue>>,
}

impl From<Option<ThrottleState>> for Unchanged {
    fn from(seen: Option<ThrottleState>) -> Unchanged {
        let Some(seen) = seen else {
            return Unchanged {
                expression: "attribute_not_exists(#pk)".into(),
                names: HashMap::from([("#pk".into(), PARTITION_KEY.into())]),
                values: None,
            };
        };
        let names = HashMap::from([
            ("#attempts".to_owned(), "attempts".to_owned()),
            ("#window_ends".to_owned(), "window_ends".to_owned()),
            ("#blocked".to_owned(), "blocked_until".to_owned()),
        ]);
        let mut values = HashMap::from([
            (":attempts".to_owned(), number(i64::from(seen.attempts))),
            (":window_ends".to_owned(), number(ms(seen.window_ends))),
        ]);
        let blocked = match seen.blocked_until {
            Some(until) => {
                values.insert(":blocked".into(), number(ms(until)));
                "#blocked = :blocked"
            }
            None => "attribute_not_exists(#blocked)",
        };
        Unchanged {
            expression: format!("#attempts = :attempts AND #window_ends = :window_ends AND {blocked}"),
            names,
            values: Some(values),
        }
    }
}

/// Waits a little longer after each lost round, so that the contenders do not meet again at once.
async fn backoff(round: usize) {
    tokio::time::sleep(StdDuration::from_millis(2 + 3 * round as u64)).await;
}

fn contended() -> StoreError {
    StoreError::Unavailable(format!(
        "attempt counters still contended after {THROTTLE_ROUNDS} rounds"
    ))
}
