//! What a request writes, in a form two requests can be compared by: a store that notes the
//! kind of every item each write touches.

use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use varco_domain::base::store::{Count, Counter, Index, Item, Key, Page, Store, StoreError, Write};

/// Wraps a store and notes, for every `write`, each item's kind: what it does (put,
/// delete, discount) and its keys up to the first `#` (`put ACCOUNT SESSION`), sorted.
pub struct WriteShapes {
    inner: Arc<dyn Store>,
    seen: Mutex<Vec<Vec<String>>>,
}

impl WriteShapes {
    pub fn new(inner: Arc<dyn Store>) -> WriteShapes {
        WriteShapes {
            inner,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// The shapes of the writes since the last call, one list per `write`.
    pub fn take(&self) -> Vec<Vec<String>> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn kind(key: &Key) -> String {
    let head = |s: &str| s.split('#').next().unwrap_or("").to_string();
    format!("{} {}", head(&key.pk), head(&key.sk))
}

#[async_trait]
impl Store for WriteShapes {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.inner.get_many(keys).await
    }
    async fn query_page(&self, pk: &str, page: &Page<'_>) -> Result<Vec<Item>, StoreError> {
        self.inner.query_page(pk, page).await
    }
    async fn query_index(
        &self,
        index: Index,
        value: &str,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        self.inner.query_index(index, value, limit).await
    }
    async fn write(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let mut shape: Vec<String> = writes
            .iter()
            .map(|w| {
                let what = match w {
                    Write::Put { .. } => "put",
                    Write::Delete { .. } => "delete",
                    Write::Discount { .. } => "discount",
                };
                format!("{what} {}", kind(w.key()))
            })
            .collect();
        shape.sort();
        self.seen.lock().unwrap().push(shape);
        self.inner.write(writes).await
    }
    async fn count(&self, counters: &[Counter]) -> Result<Count, StoreError> {
        self.inner.count(counters).await
    }
}
