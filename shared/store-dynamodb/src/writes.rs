//! Writes: a batch of them in one transaction (or one request when it can), and counters
//! counted one `UpdateItem` each.

use super::*;

impl DynamoStore {
    pub(crate) async fn write_batch(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        if writes.len() > MAX_WRITES {
            return Err(StoreError::Backend(format!(
                "{} writes in one batch; at most {MAX_WRITES}",
                writes.len()
            )));
        }
        let _trip = self.call_made();
        for write in &writes {
            let action = match write {
                Write::Put { .. } => "PutItem",
                Write::Delete { .. } => "DeleteItem",
                Write::Discount { .. } => "UpdateItem",
            };
            self.used(action, "table");
        }
        if let [write] = writes.as_slice() {
            return self.write_one(write).await;
        }
        let mut items = Vec::with_capacity(writes.len());
        for write in &writes {
            items.push(match write {
                Write::Put { item, condition } => {
                    let (expression, values) = condition_expression(*condition).unzip();
                    TransactWriteItem::builder()
                        .put(
                            Put::builder()
                                .table_name(&self.table)
                                .set_item(Some(to_attrs(item)))
                                .set_condition_expression(expression)
                                .set_expression_attribute_values(values.flatten())
                                .build()
                                .map_err(backend)?,
                        )
                        .build()
                }
                Write::Delete { key, condition } => {
                    let (expression, values) = condition_expression(*condition).unzip();
                    TransactWriteItem::builder()
                        .delete(
                            Delete::builder()
                                .table_name(&self.table)
                                .set_key(Some(key_attrs(key)))
                                .set_condition_expression(expression)
                                .set_expression_attribute_values(values.flatten())
                                .build()
                                .map_err(backend)?,
                        )
                        .build()
                }
                // `write` sends these beside the transaction, never in it.
                Write::Discount { .. } => {
                    return Err(StoreError::Backend(
                        "an attempt taken back inside a transaction".into(),
                    ))
                }
            });
        }
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e))
                if matches!(
                    e.err(),
                    TransactWriteItemsError::TransactionCanceledException(_)
                ) =>
            {
                let TransactWriteItemsError::TransactionCanceledException(cancelled) = e.err()
                else {
                    unreachable!()
                };
                let reasons = cancelled.cancellation_reasons();
                let index = reasons
                    .iter()
                    .position(|r| r.code() == Some("ConditionalCheckFailed"));
                let conflict = reasons
                    .iter()
                    .any(|r| matches!(r.code(), Some("TransactionConflict")));
                if index.is_some() || conflict {
                    Err(StoreError::ConditionFailed { index })
                } else {
                    let codes: Vec<&str> = reasons.iter().filter_map(|r| r.code()).collect();
                    Err(StoreError::Backend(format!(
                        "transaction cancelled: {codes:?}"
                    )))
                }
            }
            Err(e) => Err(failure(e)),
        }
    }
}

impl DynamoStore {
    /// One `UpdateItem`: DynamoDB applies updates of one item one at a time, so the
    /// condition and the increment cannot interleave with another's. `None` at the ceiling.
    pub(crate) async fn count_one(&self, counter: &Counter) -> Result<Option<u64>, StoreError> {
        let _trip = self.call_made();
        self.used("UpdateItem", "table");
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(&counter.key)))
            .update_expression(
                "SET doc = if_not_exists(doc, :empty), #ttl = if_not_exists(#ttl, :ttl) ADD v :one",
            )
            .condition_expression("attribute_not_exists(v) OR v < :ceiling")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":empty", AttributeValue::S("{}".into()))
            .expression_attribute_values(":ttl", AttributeValue::N(counter.expires_at.to_string()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":ceiling", AttributeValue::N(counter.ceiling.to_string()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let count = out
                    .attributes()
                    .and_then(|a| a.get("v"))
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse::<u64>().ok())
                    .ok_or_else(|| StoreError::Corrupt("a counter without its count".into()))?;
                Ok(Some(count))
            }
            Err(e) => match failure(e) {
                StoreError::ConditionFailed { index: Some(_) } => Ok(None),
                // A transaction was taking an attempt back from the counter at that moment:
                // not counted, so the caller must not check (busy, not "at the ceiling").
                StoreError::ConditionFailed { index: None } => Err(StoreError::Busy(
                    "a counter was being written by a transaction".into(),
                )),
                other => Err(other),
            },
        }
    }

    pub(crate) async fn write_one(&self, write: &Write) -> Result<(), StoreError> {
        match write {
            Write::Put { item, condition } => {
                let (expression, values) = condition_expression(*condition).unzip();
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(to_attrs(item)))
                    .set_condition_expression(expression)
                    .set_expression_attribute_values(values.flatten())
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(failure)
            }
            // One attempt back, unconditionally (the counter was just counted); the document
            // is kept readable should the counter somehow be gone.
            Write::Discount { key } => self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key_attrs(key)))
                .update_expression("SET doc = if_not_exists(doc, :empty) ADD v :minus_one")
                .expression_attribute_values(":empty", AttributeValue::S("{}".into()))
                .expression_attribute_values(":minus_one", AttributeValue::N("-1".into()))
                .send()
                .await
                .map(|_| ())
                .map_err(failure),
            Write::Delete { key, condition } => {
                let (expression, values) = condition_expression(*condition).unzip();
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(key_attrs(key)))
                    .set_condition_expression(expression)
                    .set_expression_attribute_values(values.flatten())
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(failure)
            }
        }
    }
}
