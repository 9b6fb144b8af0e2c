//! Varco's store port on one DynamoDB table.
//!
//! Attributes: `pk`, `sk` (keys), `v` (version), `doc` (the JSON document as a string),
//! `gsi1pk` / `gsi2pk` (index values, absent when unset), `ttl` (expiry, epoch seconds).
//! One atomic write is one `PutItem`/`DeleteItem` (a single write) or one
//! `TransactWriteItems`; `get_many` is one strongly consistent `BatchGetItem`.
//! Every request to DynamoDB is counted (`calls`), and so is every round trip (`round_trips`:
//! requests sent together, as `count`'s, count once, and so does a batch read and its re-asks
//! for keys DynamoDB left), so tests can hold steps to their budget.

use async_trait::async_trait;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::ReturnValue;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, KeysAndAttributes, Projection, ProjectionType, Put,
    ScalarAttributeType, TimeToLiveSpecification, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use varco_domain::base::store::{
    Condition, Count, Counter, Index, Item, Key, Page, Store, StoreError, Write, MAX_WRITES,
};

mod attrs;
mod client;
mod writes;
pub use attrs::{from_attrs, from_stream_image, to_stream_batch, to_stream_image};
use attrs::{index_attribute, key_attrs, to_attrs};
pub use client::{local_client, test_endpoint, Patience};

pub const TTL_ATTRIBUTE: &str = "ttl";

pub struct DynamoStore {
    client: Client,
    table: String,
    calls: AtomicU64,
    round_trips: AtomicU64,
    in_flight: std::sync::Arc<AtomicU64>,
    /// The IAM actions used so far, with what they act on (`table` or `index/gsi1`).
    operations: Mutex<BTreeSet<(String, String)>>,
}

type Attrs = HashMap<String, AttributeValue>;

/// A request in flight (`DynamoStore::round_trips`).
struct InFlight(std::sync::Arc<AtomicU64>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A condition as a DynamoDB expression and its values.
fn condition_expression(condition: Condition) -> Option<(String, Option<Attrs>)> {
    match condition {
        Condition::None => None,
        Condition::Absent => Some(("attribute_not_exists(pk)".into(), None)),
        Condition::Version(v) => Some((
            "v = :v".into(),
            Some(HashMap::from([(
                ":v".to_string(),
                AttributeValue::N(v.to_string()),
            )])),
        )),
    }
}

fn failure<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
    e: SdkError<E>,
) -> StoreError {
    let why = || DisplayErrorContext(&e).to_string();
    if matches!(
        e,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
    ) {
        return StoreError::Unreachable(why());
    }
    match e.code() {
        Some("ConditionalCheckFailedException") => StoreError::ConditionFailed { index: Some(0) },
        Some("TransactionConflictException") => StoreError::ConditionFailed { index: None },
        Some(
            "ProvisionedThroughputExceededException"
            | "ThrottlingException"
            | "RequestLimitExceeded",
        ) => StoreError::Busy(why()),
        Some("InternalServerError" | "ServiceUnavailable") => StoreError::Unreachable(why()),
        _ if e
            .raw_response()
            .is_some_and(|r| r.status().is_server_error()) =>
        {
            StoreError::Unreachable(why())
        }
        _ => StoreError::Backend(why()),
    }
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
            calls: AtomicU64::new(0),
            round_trips: AtomicU64::new(0),
            in_flight: Default::default(),
            operations: Mutex::new(BTreeSet::new()),
        }
    }

    /// The table's name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// Requests made to DynamoDB so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// Round trips to DynamoDB so far: the times a request started while none was in
    /// flight (requests sent together count once).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::SeqCst)
    }

    /// One request: counted, and in flight until the guard is dropped.
    fn call_made(&self) -> InFlight {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.sent_together()
    }

    /// Requests this store sends at once (a count's counters, a write and its discounts):
    /// one round trip, in flight until the guard is dropped, whatever order a loaded
    /// machine lets them start and end in. Each request is still counted (`call_made`).
    fn sent_together(&self) -> InFlight {
        if self.in_flight.fetch_add(1, Ordering::SeqCst) == 0 {
            self.round_trips.fetch_add(1, Ordering::SeqCst);
        }
        InFlight(self.in_flight.clone())
    }

    fn used(&self, action: &str, on: &str) {
        self.operations
            .lock()
            .expect("poisoned")
            .insert((format!("dynamodb:{action}"), on.to_string()));
    }

    /// The IAM actions used since the last call, each with what it acted on (`table` or
    /// `index/gsi1`): what a step's policy must grant, and all it should.
    pub fn take_operations(&self) -> BTreeSet<(String, String)> {
        std::mem::take(&mut *self.operations.lock().expect("poisoned"))
    }

    /// Opens the connection (TLS handshake included) during cold start, so the first
    /// request of a step does not pay for it. A missing item is the cheapest read there is.
    pub async fn warm_up(&self) {
        let _ = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(&Key::new("WARMUP", "WARMUP"))))
            .send()
            .await;
    }

    /// Creates the table as the infrastructure template does (keys, indexes, TTL), for
    /// DynamoDB Local and tests, without its stream: only the outbox sender reads the stream,
    /// on AWS, and nothing reads one locally (tests hand the sender the stream's records,
    /// `to_stream_batch`); with a stream on, DynamoDB Local takes about ten times longer over
    /// every write (40 ms a put, 100 ms a transaction of three, against 4 and 8).
    pub async fn create_table(client: &Client, table: &str) -> Result<(), StoreError> {
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(backend)
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(backend)
        };
        let mut request = client
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?)
            .attribute_definitions(attr("pk")?)
            .attribute_definitions(attr("sk")?);
        for index in Index::ALL {
            request = request
                .attribute_definitions(attr(index_attribute(index))?)
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(index.name())
                        .key_schema(key(index_attribute(index), KeyType::Hash)?)
                        .projection(
                            Projection::builder()
                                .projection_type(ProjectionType::All)
                                .build(),
                        )
                        .build()
                        .map_err(backend)?,
                );
        }
        request.send().await.map_err(failure)?;
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(TTL_ATTRIBUTE)
                    .build()
                    .map_err(backend)?,
            )
            .send()
            .await
            .map_err(failure)?;
        Ok(())
    }

    async fn query_pages(
        &self,
        build: impl Fn() -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        on: &str,
        mut start: Option<Attrs>,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        self.used("Query", on);
        let mut out = Vec::new();
        loop {
            let _trip = self.call_made();
            let page = build()
                .limit(i32::try_from(limit - out.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(failure)?;
            for attrs in page.items() {
                out.push(from_attrs(attrs)?);
            }
            match page.last_evaluated_key() {
                Some(key) if out.len() < limit => start = Some(key.clone()),
                _ => return Ok(out),
            }
        }
    }
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let _trip = self.call_made();
        self.used("GetItem", "table");
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(failure)?;
        out.item().map(from_attrs).transpose()
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        let mut unique: Vec<&Key> = keys.iter().collect();
        unique.sort();
        unique.dedup();
        let mut found: HashMap<Key, Item> = HashMap::new();
        // BatchGetItem takes at most 100 keys a request (and no keys, no request).
        for chunk in unique.chunks(100) {
            self.used("BatchGetItem", "table");
            let mut pending: Vec<Attrs> = chunk.iter().map(|k| key_attrs(k)).collect();
            // One round trip, whatever DynamoDB leaves for a second ask: like the SDK's own
            // retries, a re-ask is the table's capacity at work, not the step's design.
            let _trip = self.call_made();
            let mut asks = 0;
            while !pending.is_empty() {
                if asks > 0 {
                    self.calls.fetch_add(1, Ordering::SeqCst);
                }
                asks += 1;
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(pending))
                    .consistent_read(true)
                    .build()
                    .map_err(backend)?;
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(failure)?;
                for attrs in out
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    let item = from_attrs(attrs)?;
                    found.insert(item.key.clone(), item);
                }
                // Keys DynamoDB did not get to (throughput): asked again, as its docs require.
                pending = out
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .map(|k| k.keys().to_vec())
                    .unwrap_or_default();
            }
        }
        Ok(keys.iter().map(|k| found.get(k).cloned()).collect())
    }

    async fn query_page(&self, pk: &str, page: &Page<'_>) -> Result<Vec<Item>, StoreError> {
        let build = || {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .scan_index_forward(!page.descending)
                .expression_attribute_values(":pk", AttributeValue::S(pk.to_string()));
            if page.sk_prefix.is_empty() {
                query.key_condition_expression("pk = :pk")
            } else {
                query
                    .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                    .expression_attribute_values(
                        ":prefix",
                        AttributeValue::S(page.sk_prefix.to_string()),
                    )
            }
        };
        // DynamoDB starts after any key of the partition, stored or not.
        let start = page.after.map(|after| key_attrs(&Key::new(pk, after)));
        self.query_pages(build, "table", start, page.limit).await
    }

    async fn query_index(
        &self,
        index: Index,
        value: &str,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let build = || {
            self.client
                .query()
                .table_name(&self.table)
                .index_name(index.name())
                .key_condition_expression("#k = :v")
                .expression_attribute_names("#k", index_attribute(index))
                .expression_attribute_values(":v", AttributeValue::S(value.to_string()))
        };
        self.query_pages(build, &format!("index/{}", index.name()), None, limit)
            .await
    }

    /// A batch's attempts taken back (`Write::Discount`) are sent beside it, each its own
    /// `UpdateItem`, at the same time (one round trip): inside a transaction they would make
    /// any attempt counted at that moment on the same counter fail (`TransactionConflict`).
    /// They apply whether the batch commits or not: each takes back an attempt whose secret
    /// was right. One that fails only leaves its attempt counted.
    async fn write(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let (discounts, batch): (Vec<Write>, Vec<Write>) = writes
            .into_iter()
            .partition(|w| matches!(w, Write::Discount { .. }));
        let _together = self.sent_together();
        let discounted = futures_util::future::join_all(discounts.iter().map(|discount| async {
            let _trip = self.call_made();
            self.used("UpdateItem", "table");
            // Only leaves the attempt counted (too often, never too rarely).
            let _ = self.write_one(discount).await;
        }));
        let (written, _) = futures_util::future::join(self.write_batch(batch), discounted).await;
        written
    }

    /// One `UpdateItem` per counter, all sent at once: one round trip. (A transaction of
    /// them would return no counts, and any concurrent one touching the same counter could
    /// cancel it.)
    async fn count(&self, counters: &[Counter]) -> Result<Count, StoreError> {
        let _together = self.sent_together();
        let answers =
            futures_util::future::join_all(counters.iter().map(|c| self.count_one(c))).await;
        answers.into_iter().collect()
    }
}

#[cfg(test)]
mod conformance {
    use super::*;

    async fn fresh_table() -> DynamoStore {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let client = local_client(&test_endpoint(), Patience::UNHURRIED);
        let table = format!(
            "conformance-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        DynamoStore::create_table(&client, &table).await.unwrap();
        DynamoStore::new(client, table)
    }

    varco_domain::store_conformance_tests!(fresh_table());

    #[tokio::test]
    async fn a_batch_of_writes_is_one_round_trip_and_so_is_get_many() {
        let store = fresh_table().await;
        let writes = (0..5)
            .map(|n| {
                Write::create(Item::new(
                    Key::new("P", format!("S{n}")),
                    &serde_json::json!({ "n": n }),
                ))
            })
            .collect();
        let before = store.calls();
        store.write(writes).await.unwrap();
        let keys: Vec<Key> = (0..5).map(|n| Key::new("P", format!("S{n}"))).collect();
        let got = store.get_many(&keys).await.unwrap();
        assert!(got.iter().all(Option::is_some));
        assert_eq!(store.calls() - before, 2);
    }
}
