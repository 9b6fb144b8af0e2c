//! The store port: items with conditions, not repositories per backend. The single-table
//! key design lives in `keys`; backends only store, fetch and conditionally write items.

use async_trait::async_trait;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;

/// Where an item lives: partition key and sort key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Key {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// The secondary indexes. Each is a partition on one string attribute; the key design
/// (`keys`) decides what goes in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    /// Login names and the outbox's pending queue.
    Gsi1,
    /// Look-ups by keyed hash of a person's data (fiscal code).
    Gsi2,
}

impl Index {
    pub const ALL: [Index; 2] = [Index::Gsi1, Index::Gsi2];

    pub fn name(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1",
            Index::Gsi2 => "gsi2",
        }
    }
}

/// One stored item: a JSON document with its key, a version that grows by one at every
/// write, up to two index values, and an optional expiry after which the backend may delete
/// it (code must still check expiry itself: TTL deletion lags by days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub key: Key,
    pub version: u64,
    pub doc: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

impl Item {
    /// A new item at version 1, with the document serialised from `doc`.
    pub fn new<T: Serialize>(key: Key, doc: &T) -> Item {
        Item {
            key,
            version: 1,
            doc: serde_json::to_value(doc).expect("domain documents always serialise"),
            gsi1: None,
            gsi2: None,
            expires_at: None,
        }
    }

    pub fn with_gsi1(mut self, value: impl Into<String>) -> Item {
        self.gsi1 = Some(value.into());
        self
    }

    pub fn with_gsi2(mut self, value: impl Into<String>) -> Item {
        self.gsi2 = Some(value.into());
        self
    }

    pub fn expiring_at(mut self, at: i64) -> Item {
        self.expires_at = Some(at);
        self
    }

    pub fn index_value(&self, index: Index) -> Option<&str> {
        match index {
            Index::Gsi1 => self.gsi1.as_deref(),
            Index::Gsi2 => self.gsi2.as_deref(),
        }
    }

    /// The document as a domain type. A document that does not fit is a stored-data fault.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        serde_json::from_value(self.doc.clone())
            .map_err(|e| StoreError::Corrupt(format!("{}/{}: {e}", self.key.pk, self.key.sk)))
    }

    /// This item with a new document, as the next version (for `Write::replace`).
    pub fn next<T: Serialize>(&self, doc: &T) -> Item {
        Item {
            version: self.version + 1,
            doc: serde_json::to_value(doc).expect("domain documents always serialise"),
            ..self.clone()
        }
    }
}

/// What must hold for a write to happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Always write.
    None,
    /// No item with this key exists.
    Absent,
    /// The stored item exists and has this version.
    Version(u64),
}

/// One write of an atomic batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        condition: Condition,
    },
    Delete {
        key: Key,
        condition: Condition,
    },
    /// Takes one attempt back from the counter at `key` (`Store::count`), which this request
    /// counted (so it exists and is above 0): an attempt whose secret was right, or that a
    /// limit refused. It has no condition and never fails its batch; a backend may apply it
    /// apart from the batch's other writes, whether they commit or not.
    Discount {
        key: Key,
    },
}

impl Write {
    /// Creates `item`, which must not exist yet.
    pub fn create(item: Item) -> Write {
        Write::Put {
            condition: Condition::Absent,
            item,
        }
    }

    /// Replaces `previous` (as it was read) with `doc`; fails if anyone wrote it since.
    pub fn replace<T: Serialize>(previous: &Item, doc: &T) -> Write {
        Write::Put {
            item: previous.next(doc),
            condition: Condition::Version(previous.version),
        }
    }

    /// Writes `item` in place of `previous` (as it was read; fails if anyone wrote it since),
    /// or creates it when nothing was read (fails if anyone created it since).
    pub fn upsert(previous: Option<&Item>, item: Item) -> Write {
        match previous {
            Some(previous) => Write::Put {
                item: Item {
                    version: previous.version + 1,
                    ..item
                },
                condition: Condition::Version(previous.version),
            },
            None => Write::create(item),
        }
    }

    /// Writes `item` whatever is stored.
    pub fn put(item: Item) -> Write {
        Write::Put {
            item,
            condition: Condition::None,
        }
    }

    pub fn delete(key: Key, condition: Condition) -> Write {
        Write::Delete { key, condition }
    }

    pub fn discount(key: Key) -> Write {
        Write::Discount { key }
    }

    pub fn key(&self) -> &Key {
        match self {
            Write::Put { item, .. } => &item.key,
            Write::Delete { key, .. } | Write::Discount { key } => key,
        }
    }

    /// What must hold for it to happen.
    pub fn condition(&self) -> Condition {
        match self {
            Write::Put { condition, .. } | Write::Delete { condition, .. } => *condition,
            Write::Discount { .. } => Condition::None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition of an atomic write did not hold (or another writer got there first);
    /// nothing was written. `index` names the first failing write when the backend knows it.
    #[error("a write condition did not hold (write {index:?})")]
    ConditionFailed { index: Option<usize> },
    /// The backend refused the request because of its own limits (throughput, size).
    #[error("the store is busy: {0}")]
    Busy(String),
    /// The backend did not answer in time, could not be reached, or failed on its side
    /// (a 5xx): the request may or may not have been applied, never in part.
    #[error("the store is unreachable: {0}")]
    Unreachable(String),
    /// A stored document does not fit its type.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The backend failed (I/O, network, service error).
    #[error("the store failed: {0}")]
    Backend(String),
}

/// An attempt counter (`Store::count`): an item whose version is its count, which never
/// grows past `ceiling`. Its expiry is set when it is created and kept: a counter's window
/// (a flow, a day) belongs in its key, so that a counter the backend has not removed yet
/// still counts only its own window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub key: Key,
    pub ceiling: u64,
    pub expires_at: i64,
}

/// What `Store::count` did, for each counter in order: its count after this attempt, or
/// `None` where it was at its ceiling already (and was not counted).
pub type Count = Vec<Option<u64>>;

/// Most items in one atomic write (DynamoDB's transaction limit).
pub const MAX_WRITES: usize = 100;

/// Which page of a partition `Store::query_page` reads.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    pub sk_prefix: &'a str,
    /// The sort key the previous page ended with.
    pub after: Option<&'a str>,
    /// Highest sort key first (newest first, for time-ordered keys).
    pub descending: bool,
    pub limit: usize,
}

impl Page<'_> {
    /// Whether a sort key of the partition belongs to the page (before the limit).
    pub fn admits(&self, sk: &str) -> bool {
        sk.starts_with(self.sk_prefix)
            && self.after.is_none_or(|after| {
                if self.descending {
                    sk < after
                } else {
                    sk > after
                }
            })
    }
}

#[async_trait]
pub trait Store: Send + Sync {
    /// The item at `key`, read strongly consistently; `None` when there is none.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// The items at `keys`, in the same order, each `None` where absent; one round trip
    /// where the backend allows (at most 100 keys).
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError>;

    /// Items of partition `pk` whose sort key starts with `sk_prefix`, in sort-key order,
    /// at most `limit`.
    async fn query(
        &self,
        pk: &str,
        sk_prefix: &str,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        self.query_page(
            pk,
            &Page {
                sk_prefix,
                after: None,
                descending: false,
                limit,
            },
        )
        .await
    }

    /// One page of a partition's items whose sort key starts with `page.sk_prefix`: in
    /// sort-key order (or the reverse), those after the sort key `page.after` in that order,
    /// at most `page.limit`. The last item's sort key is where the next page starts.
    async fn query_page(&self, pk: &str, page: &Page<'_>) -> Result<Vec<Item>, StoreError>;

    /// Items whose value in `index` is `value`, at most `limit`, in no set order. Indexes
    /// may lag behind writes on some backends (DynamoDB's are eventually consistent).
    async fn query_index(
        &self,
        index: Index,
        value: &str,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError>;

    /// Applies all `writes` or none (at most `MAX_WRITES`, each key once). When a condition
    /// fails, or a concurrent write conflicts, returns `ConditionFailed` and writes nothing.
    async fn write(&self, writes: Vec<Write>) -> Result<(), StoreError>;

    /// Counts one attempt on each of `counters`, each with one atomic increment that holds
    /// whatever else runs at the same time: of any number of concurrent calls, exactly
    /// `ceiling` minus the count before find a counter below its ceiling, and none is lost
    /// or counted twice. A counter that does not exist starts at 0 (an item with an empty
    /// document, `Item::version` being the count, expiring at `Counter::expires_at`). The
    /// counters are independent (a backend may send them at once): one at its ceiling does
    /// not stop the others from counting; the caller takes back what it does not want
    /// counted (`Write::Discount`). Never answers `ConditionFailed`.
    async fn count(&self, counters: &[Counter]) -> Result<Count, StoreError>;
}

/// Parses an optional item's document.
pub fn parse_opt<T: DeserializeOwned>(item: &Option<Item>) -> Result<Option<T>, StoreError> {
    item.as_ref().map(Item::parse).transpose()
}
