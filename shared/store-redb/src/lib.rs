//! The embedded store: Varco's store port on a redb file, for the local gateway and tests.
//!
//! Items live in one table keyed by `pk NUL sk` (NUL sorts first, so key order is
//! (pk, sk) order); each secondary index is a table of `index NUL value NUL pk NUL sk`.
//! An atomic write is one redb write transaction: conditions are checked inside it, and it
//! is dropped (rolled back) when one fails. redb commits are durable.

use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;
use varco_domain::base::memory::{condition_holds, counted};
use varco_domain::base::store::{
    Condition, Count, Counter, Index, Item, Key, Page, Store, StoreError, Write,
};

const ITEMS: TableDefinition<&str, &[u8]> = TableDefinition::new("items");
const INDEXES: TableDefinition<&str, &str> = TableDefinition::new("indexes");
const SEP: char = '\0';

pub struct RedbStore {
    db: Database,
    /// The directory of a temporary store, removed when the store is dropped.
    _temporary: Option<tempfile::TempDir>,
}

/// Runs `work`, which holds its thread a while, after handing this worker's other tasks to
/// another thread (`block_in_place`) in a multi-threaded tokio runtime, as the local gateway
/// and the Lambda functions run; elsewhere as it is. The functions' argon2 goes through it too
/// (`varco_functions::app::hash_offload`).
pub fn off_the_workers<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|handle| handle.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn item_key(key: &Key) -> String {
    format!("{}{SEP}{}", key.pk, key.sk)
}

fn index_prefix(index: Index, value: &str) -> String {
    format!("{}{SEP}{value}{SEP}", index.name())
}

fn index_entries(item: &Item) -> Vec<String> {
    Index::ALL
        .iter()
        .filter_map(|&index| {
            item.index_value(index)
                .map(|v| format!("{}{}", index_prefix(index, v), item_key(&item.key)))
        })
        .collect()
}

fn decode(bytes: &[u8]) -> Result<Item, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl RedbStore {
    /// Opens the store file at `path`, creating it (and its tables) if needed.
    pub fn open(path: &Path) -> Result<RedbStore, StoreError> {
        let db = Database::create(path).map_err(backend)?;
        let tx = db.begin_write().map_err(backend)?;
        tx.open_table(ITEMS).map_err(backend)?;
        tx.open_table(INDEXES).map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(RedbStore {
            db,
            _temporary: None,
        })
    }

    /// A store in a new temporary directory, deleted with the store: for tests.
    pub fn temporary() -> Result<RedbStore, StoreError> {
        let dir = tempfile::tempdir().map_err(backend)?;
        let mut store = RedbStore::open(&dir.path().join("store.redb"))?;
        store._temporary = Some(dir);
        Ok(store)
    }

    /// What DynamoDB's TTL does on AWS: deletes up to `limit` items whose expiry (`ttl`) is
    /// before `now`, and answers how many. An item rewritten meanwhile stays.
    pub async fn purge_expired(&self, now: i64, limit: usize) -> Result<usize, StoreError> {
        let expired: Vec<Write> = {
            let tx = self.db.begin_read().map_err(backend)?;
            let table = tx.open_table(ITEMS).map_err(backend)?;
            let mut expired = Vec::new();
            for entry in table.iter().map_err(backend)? {
                if expired.len() >= limit {
                    break;
                }
                let (_, value) = entry.map_err(backend)?;
                let item = decode(value.value())?;
                if item.expires_at.is_some_and(|at| at < now) {
                    expired.push(Write::delete(item.key, Condition::Version(item.version)));
                }
            }
            expired
        };
        let count = expired.len();
        for delete in expired {
            match self.write(vec![delete]).await {
                Ok(()) | Err(StoreError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(count)
    }

    fn read_items(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        let tx = self.db.begin_read().map_err(backend)?;
        let table = tx.open_table(ITEMS).map_err(backend)?;
        keys.iter()
            .map(
                |k| match table.get(item_key(k).as_str()).map_err(backend)? {
                    Some(bytes) => decode(bytes.value()).map(Some),
                    None => Ok(None),
                },
            )
            .collect()
    }
}

#[async_trait]
impl Store for RedbStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        Ok(self.read_items(std::slice::from_ref(key))?.pop().flatten())
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.read_items(keys)
    }

    async fn query_page(&self, pk: &str, page: &Page<'_>) -> Result<Vec<Item>, StoreError> {
        let tx = self.db.begin_read().map_err(backend)?;
        let table = tx.open_table(ITEMS).map_err(backend)?;
        let partition = format!("{pk}{SEP}");
        let start = format!("{partition}{}", page.sk_prefix);
        // Past every key with the prefix: no sort key holds this character.
        let end = format!("{start}{}", char::MAX);
        // Narrowed to what comes after `page.after` in the page's order.
        let after = page.after.map(|a| format!("{partition}{a}"));
        let (low, high) = match (&after, page.descending) {
            (Some(a), false) => (a.clone().max(start.clone()), end.clone()),
            (Some(a), true) => (start.clone(), a.clone().min(end.clone())),
            (None, _) => (start.clone(), end.clone()),
        };
        if low >= high {
            return Ok(Vec::new());
        }
        let range = table.range(low.as_str()..high.as_str()).map_err(backend)?;
        let entries: Box<dyn Iterator<Item = _>> = if page.descending {
            Box::new(range.rev())
        } else {
            Box::new(range)
        };
        let mut out = Vec::new();
        for entry in entries {
            if out.len() >= page.limit {
                break;
            }
            let (key, value) = entry.map_err(backend)?;
            let sk = &key.value()[partition.len()..];
            if page.admits(sk) {
                out.push(decode(value.value())?);
            }
        }
        Ok(out)
    }

    async fn query_index(
        &self,
        index: Index,
        value: &str,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let tx = self.db.begin_read().map_err(backend)?;
        let indexes = tx.open_table(INDEXES).map_err(backend)?;
        let items = tx.open_table(ITEMS).map_err(backend)?;
        let prefix = index_prefix(index, value);
        let mut out = Vec::new();
        for entry in indexes.range(prefix.as_str()..).map_err(backend)? {
            let (key, target) = entry.map_err(backend)?;
            if !key.value().starts_with(&prefix) || out.len() >= limit {
                break;
            }
            if let Some(bytes) = items.get(target.value()).map_err(backend)? {
                out.push(decode(bytes.value())?);
            }
        }
        Ok(out)
    }

    /// A write transaction waits for the one before it and for the disk: off the async
    /// workers, so reads go on meanwhile.
    async fn write(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        off_the_workers(|| self.write_now(writes))
    }

    async fn count(&self, counters: &[Counter]) -> Result<Count, StoreError> {
        off_the_workers(|| self.count_now(counters))
    }
}

impl RedbStore {
    fn write_now(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        // Dropping `tx` without commit rolls everything back.
        let tx = self.db.begin_write().map_err(backend)?;
        {
            let mut items = tx.open_table(ITEMS).map_err(backend)?;
            let mut indexes = tx.open_table(INDEXES).map_err(backend)?;
            for (n, write) in writes.into_iter().enumerate() {
                let key = item_key(write.key());
                let current = match items.get(key.as_str()).map_err(backend)? {
                    Some(bytes) => Some(decode(bytes.value())?),
                    None => None,
                };
                if !condition_holds(write.condition(), current.as_ref()) {
                    return Err(StoreError::ConditionFailed { index: Some(n) });
                }
                for old in current.iter().flat_map(index_entries) {
                    indexes.remove(old.as_str()).map_err(backend)?;
                }
                match write {
                    Write::Put { item, .. } => {
                        let bytes = serde_json::to_vec(&item).map_err(backend)?;
                        items
                            .insert(key.as_str(), bytes.as_slice())
                            .map_err(backend)?;
                        for entry in index_entries(&item) {
                            indexes
                                .insert(entry.as_str(), key.as_str())
                                .map_err(backend)?;
                        }
                    }
                    Write::Delete { .. } => {
                        items.remove(key.as_str()).map_err(backend)?;
                    }
                    // A counter has no index entries: its item only changes its count.
                    Write::Discount { .. } => {
                        if let Some(mut counter) = current {
                            counter.version = counter.version.saturating_sub(1);
                            let bytes = serde_json::to_vec(&counter).map_err(backend)?;
                            items
                                .insert(key.as_str(), bytes.as_slice())
                                .map_err(backend)?;
                        }
                    }
                }
            }
        }
        tx.commit().map_err(backend)
    }

    /// One write transaction: redb runs one at a time, so the increments cannot interleave.
    fn count_now(&self, counters: &[Counter]) -> Result<Count, StoreError> {
        let tx = self.db.begin_write().map_err(backend)?;
        let mut counts = Vec::with_capacity(counters.len());
        {
            let mut items = tx.open_table(ITEMS).map_err(backend)?;
            for counter in counters {
                let key = item_key(&counter.key);
                let current = match items.get(key.as_str()).map_err(backend)? {
                    Some(bytes) => Some(decode(bytes.value())?),
                    None => None,
                };
                let Some(next) = counted(counter, current.as_ref()) else {
                    counts.push(None);
                    continue;
                };
                let bytes = serde_json::to_vec(&next).map_err(backend)?;
                items
                    .insert(key.as_str(), bytes.as_slice())
                    .map_err(backend)?;
                counts.push(Some(next.version));
            }
        }
        tx.commit().map_err(backend)?;
        Ok(counts)
    }
}

#[cfg(test)]
mod conformance {
    varco_domain::store_conformance_tests!(async { super::RedbStore::temporary().unwrap() });
}

#[cfg(test)]
mod purge {
    use super::*;

    fn item(sk: &str, expires_at: Option<i64>) -> Item {
        let mut item =
            Item::new(Key::new("P", sk), &serde_json::json!({ "sk": sk })).with_gsi1("G");
        item.expires_at = expires_at;
        item
    }

    #[tokio::test]
    async fn expired_items_are_purged_a_batch_at_a_time_with_their_index_entries() {
        let store = RedbStore::temporary().unwrap();
        let writes = [
            item("a", Some(100)),
            item("b", None),
            item("c", Some(150)),
            item("d", Some(300)),
        ]
        .into_iter()
        .map(Write::create)
        .collect();
        store.write(writes).await.unwrap();
        assert_eq!(store.purge_expired(200, 1).await.unwrap(), 1);
        assert_eq!(store.purge_expired(200, 10).await.unwrap(), 1);
        assert_eq!(
            store.purge_expired(200, 10).await.unwrap(),
            0,
            "nothing left"
        );
        let left: Vec<String> = store
            .query_index(Index::Gsi1, "G", 10)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.key.sk)
            .collect();
        assert_eq!(left, ["b", "d"]);
        let keys = [Key::new("P", "a"), Key::new("P", "d")];
        let read = store.get_many(&keys).await.unwrap();
        assert_eq!((read[0].is_none(), read[1].is_some()), (true, true));
    }
}
