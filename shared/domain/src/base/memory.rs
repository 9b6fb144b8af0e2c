//! An in-memory store for the domain's own unit tests. It passes the same conformance suite
//! as the real backends, but it proves nothing about them.

use crate::base::store::{
    Condition, Count, Counter, Index, Item, Key, Page, Store, StoreError, Write,
};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<BTreeMap<Key, Item>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

/// One attempt more on `current` (a counter item, or nothing yet), unless it is at the
/// counter's ceiling: shared by the backends that count in code.
pub fn counted(counter: &Counter, current: Option<&Item>) -> Option<Item> {
    let count = current.map_or(0, |item| item.version);
    (count < counter.ceiling).then(|| match current {
        Some(item) => Item {
            version: count + 1,
            ..item.clone()
        },
        None => {
            Item::new(counter.key.clone(), &serde_json::json!({})).expiring_at(counter.expires_at)
        }
    })
}

/// Whether `condition` holds for `current`: shared by the backends that check in code.
pub fn condition_holds(condition: Condition, current: Option<&Item>) -> bool {
    match condition {
        Condition::None => true,
        Condition::Absent => current.is_none(),
        Condition::Version(v) => current.is_some_and(|i| i.version == v),
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        Ok(self.items.lock().expect("poisoned").get(key).cloned())
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        let items = self.items.lock().expect("poisoned");
        Ok(keys.iter().map(|k| items.get(k).cloned()).collect())
    }

    async fn query_page(&self, pk: &str, page: &Page<'_>) -> Result<Vec<Item>, StoreError> {
        let items = self.items.lock().expect("poisoned");
        let partition = items
            .range(Key::new(pk, page.sk_prefix)..)
            .take_while(|(k, _)| k.pk == pk && k.sk.starts_with(page.sk_prefix))
            .map(|(_, i)| i);
        let mut ordered: Vec<&Item> = partition.collect();
        if page.descending {
            ordered.reverse();
        }
        Ok(ordered
            .into_iter()
            .filter(|i| page.admits(&i.key.sk))
            .take(page.limit)
            .cloned()
            .collect())
    }

    async fn query_index(
        &self,
        index: Index,
        value: &str,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let items = self.items.lock().expect("poisoned");
        Ok(items
            .values()
            .filter(|i| i.index_value(index) == Some(value))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn write(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let mut items = self.items.lock().expect("poisoned");
        for (index, write) in writes.iter().enumerate() {
            if !condition_holds(write.condition(), items.get(write.key())) {
                return Err(StoreError::ConditionFailed { index: Some(index) });
            }
        }
        for write in writes {
            match write {
                Write::Put { item, .. } => {
                    items.insert(item.key.clone(), item);
                }
                Write::Delete { key, .. } => {
                    items.remove(&key);
                }
                Write::Discount { key } => {
                    if let Some(item) = items.get_mut(&key) {
                        item.version = item.version.saturating_sub(1);
                    }
                }
            }
        }
        Ok(())
    }

    async fn count(&self, counters: &[Counter]) -> Result<Count, StoreError> {
        let mut items = self.items.lock().expect("poisoned");
        let mut counts = Vec::with_capacity(counters.len());
        for counter in counters {
            let next = counted(counter, items.get(&counter.key));
            counts.push(next.as_ref().map(|n| n.version));
            if let Some(next) = next {
                items.insert(next.key.clone(), next);
            }
        }
        Ok(counts)
    }
}
