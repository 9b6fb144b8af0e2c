//! One conformance suite for every store backend: each function states one guarantee of
//! the `Store` port's contract. `store_conformance_tests!(future)` turns them into tests of
//! the backend that `future` builds (a fresh, empty store each time).

use crate::base::store::{Condition, Counter, Index, Item, Key, Store, StoreError, Write};
use serde_json::json;

fn item(pk: &str, sk: &str, n: i64) -> Item {
    Item::new(Key::new(pk, sk), &json!({ "n": n, "text": "città €" }))
}

pub async fn a_missing_item_reads_as_none(s: &dyn Store) {
    assert_eq!(s.get(&Key::new("P", "S")).await.unwrap(), None);
}

pub async fn a_created_item_reads_back_whole(s: &dyn Store) {
    let it = item("P#1", "A", 7)
        .with_gsi1("G1")
        .with_gsi2("G2")
        .expiring_at(1_900_000_000);
    s.write(vec![Write::create(it.clone())]).await.unwrap();
    assert_eq!(s.get(&it.key).await.unwrap(), Some(it));
}

pub async fn create_refuses_an_existing_key(s: &dyn Store) {
    s.write(vec![Write::create(item("P", "S", 1))])
        .await
        .unwrap();
    let err = s
        .write(vec![Write::create(item("P", "S", 2))])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ConditionFailed { .. }), "{err:?}");
    assert_eq!(
        s.get(&Key::new("P", "S")).await.unwrap().unwrap().doc["n"],
        1
    );
}

pub async fn replace_needs_the_version_that_was_read(s: &dyn Store) {
    s.write(vec![Write::create(item("P", "S", 1))])
        .await
        .unwrap();
    let v1 = s.get(&Key::new("P", "S")).await.unwrap().unwrap();
    s.write(vec![Write::replace(&v1, &json!({ "n": 2 }))])
        .await
        .unwrap();
    let v2 = s.get(&Key::new("P", "S")).await.unwrap().unwrap();
    assert_eq!((v2.version, v2.doc["n"].as_i64()), (2, Some(2)));
    let stale = s
        .write(vec![Write::replace(&v1, &json!({ "n": 3 }))])
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::ConditionFailed { .. }));
    assert_eq!(
        s.get(&Key::new("P", "S")).await.unwrap().unwrap().doc["n"],
        2
    );
}

pub async fn replace_of_a_missing_item_fails(s: &dyn Store) {
    let ghost = item("P", "S", 1);
    let err = s
        .write(vec![Write::replace(&ghost, &json!({ "n": 2 }))])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ConditionFailed { .. }));
    assert_eq!(s.get(&ghost.key).await.unwrap(), None);
}

pub async fn a_batch_is_all_or_nothing(s: &dyn Store) {
    s.write(vec![Write::create(item("P", "taken", 1))])
        .await
        .unwrap();
    let err = s
        .write(vec![
            Write::create(item("P", "new", 1)),
            Write::create(item("P", "taken", 2)),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ConditionFailed { .. }));
    assert_eq!(
        s.get(&Key::new("P", "new")).await.unwrap(),
        None,
        "the first write of a failed batch stuck"
    );
    s.write(vec![
        Write::create(item("P", "new", 1)),
        Write::put(item("P", "taken", 2)),
    ])
    .await
    .unwrap();
    assert_eq!(
        s.get(&Key::new("P", "taken")).await.unwrap().unwrap().doc["n"],
        2
    );
}

pub async fn delete_honours_its_condition(s: &dyn Store) {
    s.write(vec![Write::create(item("P", "S", 1))])
        .await
        .unwrap();
    let err = s
        .write(vec![Write::delete(
            Key::new("P", "S"),
            Condition::Version(9),
        )])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ConditionFailed { .. }));
    s.write(vec![Write::delete(
        Key::new("P", "S"),
        Condition::Version(1),
    )])
    .await
    .unwrap();
    assert_eq!(s.get(&Key::new("P", "S")).await.unwrap(), None);
    // Deleting what is not there without a condition is not an error.
    s.write(vec![Write::delete(Key::new("P", "S"), Condition::None)])
        .await
        .unwrap();
}

pub async fn get_many_keeps_the_order_of_the_keys(s: &dyn Store) {
    s.write(vec![
        Write::create(item("A", "1", 1)),
        Write::create(item("B", "1", 2)),
    ])
    .await
    .unwrap();
    let got = s
        .get_many(&[Key::new("B", "1"), Key::new("X", "1"), Key::new("A", "1")])
        .await
        .unwrap();
    let ns: Vec<Option<i64>> = got
        .iter()
        .map(|i| i.as_ref().and_then(|i| i.doc["n"].as_i64()))
        .collect();
    assert_eq!(ns, vec![Some(2), None, Some(1)]);
}

/// More keys than one DynamoDB BatchGetItem takes (100): all read, in order.
pub async fn get_many_reads_any_number_of_keys(s: &dyn Store) {
    for chunk in (0..150).collect::<Vec<i64>>().chunks(50) {
        let writes = chunk
            .iter()
            .map(|n| Write::create(item("MANY", &format!("{n:03}"), *n)))
            .collect();
        s.write(writes).await.unwrap();
    }
    let keys: Vec<Key> = (0..160)
        .rev()
        .map(|n| Key::new("MANY", format!("{n:03}")))
        .collect();
    let got = s.get_many(&keys).await.unwrap();
    let ns: Vec<Option<i64>> = got
        .iter()
        .map(|i| i.as_ref().and_then(|i| i.doc["n"].as_i64()))
        .collect();
    let expected: Vec<Option<i64>> = (0..160).rev().map(|n| (n < 150).then_some(n)).collect();
    assert_eq!(ns, expected);
}

pub async fn query_returns_one_partition_by_prefix_in_order(s: &dyn Store) {
    let writes = ["MSG#2", "MSG#1", "OTHER", "MSG#3"]
        .iter()
        .enumerate()
        .map(|(n, sk)| Write::create(item("P", sk, n as i64)));
    s.write(writes.collect()).await.unwrap();
    s.write(vec![
        Write::create(item("P2", "MSG#0", 9)),
        Write::create(item("O", "MSG#0", 9)),
    ])
    .await
    .unwrap();
    let got: Vec<String> = s
        .query("P", "MSG#", 10)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.key.sk)
        .collect();
    assert_eq!(got, vec!["MSG#1", "MSG#2", "MSG#3"]);
    assert_eq!(s.query("P", "MSG#", 2).await.unwrap().len(), 2);
    assert!(s.query("Q", "", 10).await.unwrap().is_empty());
}

pub async fn query_pages_go_either_way_from_where_the_last_ended(s: &dyn Store) {
    let writes = ["EV#1", "EV#2", "EV#3", "EV#4", "EV#5", "OTHER#9"]
        .iter()
        .enumerate()
        .map(|(n, sk)| Write::create(item("P", sk, n as i64)));
    s.write(writes.collect()).await.unwrap();
    s.write(vec![Write::create(item("Q", "EV#0", 9))])
        .await
        .unwrap();
    let page = |after, descending| crate::base::store::Page {
        sk_prefix: "EV#",
        after,
        descending,
        limit: 2,
    };
    let sks = |items: Vec<Item>| items.into_iter().map(|i| i.key.sk).collect::<Vec<_>>();
    let newest = sks(s.query_page("P", &page(None, true)).await.unwrap());
    assert_eq!(newest, ["EV#5", "EV#4"]);
    let next = sks(s.query_page("P", &page(Some("EV#4"), true)).await.unwrap());
    assert_eq!(next, ["EV#3", "EV#2"]);
    let last = sks(s.query_page("P", &page(Some("EV#2"), true)).await.unwrap());
    assert_eq!(last, ["EV#1"]);
    assert!(s
        .query_page("P", &page(Some("EV#1"), true))
        .await
        .unwrap()
        .is_empty());
    let oldest = sks(s.query_page("P", &page(Some("EV#2"), false)).await.unwrap());
    assert_eq!(oldest, ["EV#3", "EV#4"], "ascending, after a key");
    let from_gap = sks(s.query_page("P", &page(Some("EV#35"), true)).await.unwrap());
    assert_eq!(from_gap, ["EV#3", "EV#2"], "after a key nobody stored");
}

pub async fn query_index_finds_items_by_index_value(s: &dyn Store) {
    s.write(vec![
        Write::create(item("A", "1", 1).with_gsi1("LOGIN#x")),
        Write::create(item("A", "2", 2).with_gsi1("LOGIN#x").with_gsi2("FC#1")),
        Write::create(item("B", "1", 3).with_gsi1("LOGIN#y")),
    ])
    .await
    .unwrap();
    let mut got: Vec<i64> = s
        .query_index(Index::Gsi1, "LOGIN#x", 10)
        .await
        .unwrap()
        .iter()
        .map(|i| i.doc["n"].as_i64().unwrap())
        .collect();
    got.sort();
    assert_eq!(got, vec![1, 2]);
    assert_eq!(
        s.query_index(Index::Gsi2, "FC#1", 10).await.unwrap().len(),
        1
    );
    assert!(s
        .query_index(Index::Gsi2, "LOGIN#x", 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn an_index_value_follows_rewrites_and_deletes(s: &dyn Store) {
    s.write(vec![Write::create(item("A", "1", 1).with_gsi1("PENDING"))])
        .await
        .unwrap();
    let v1 = s.get(&Key::new("A", "1")).await.unwrap().unwrap();
    let mut moved = v1.next(&json!({ "n": 1 }));
    moved.gsi1 = None;
    s.write(vec![Write::Put {
        item: moved,
        condition: Condition::Version(1),
    }])
    .await
    .unwrap();
    assert!(s
        .query_index(Index::Gsi1, "PENDING", 10)
        .await
        .unwrap()
        .is_empty());
    s.write(vec![Write::create(item("B", "1", 2).with_gsi1("PENDING"))])
        .await
        .unwrap();
    s.write(vec![Write::delete(Key::new("B", "1"), Condition::None)])
        .await
        .unwrap();
    assert!(s
        .query_index(Index::Gsi1, "PENDING", 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn of_racing_replaces_exactly_one_wins(s: &dyn Store) {
    s.write(vec![Write::create(item("P", "S", 0))])
        .await
        .unwrap();
    let read = s.get(&Key::new("P", "S")).await.unwrap().unwrap();
    let mut wins = 0;
    // Every writer read version 1; each replace is issued in turn, as racing steps would.
    for n in 1..=20 {
        if s.write(vec![Write::replace(&read, &json!({ "n": n }))])
            .await
            .is_ok()
        {
            wins += 1;
        }
    }
    assert_eq!(wins, 1);
}

fn counter(sk: &str, ceiling: u64) -> Counter {
    Counter {
        key: Key::new("COUNTER", sk),
        ceiling,
        expires_at: 1_900_000_000,
    }
}

pub async fn a_counter_counts_up_to_its_ceiling_and_no_further(s: &dyn Store) {
    let c = counter("A", 3);
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(s.count(std::slice::from_ref(&c)).await.unwrap());
    }
    assert_eq!(
        answers,
        [vec![Some(1)], vec![Some(2)], vec![Some(3)], vec![None]]
    );
    let stored = s.get(&c.key).await.unwrap().unwrap();
    assert_eq!((stored.version, stored.expires_at), (3, Some(c.expires_at)));
}

pub async fn a_counter_at_its_ceiling_does_not_stop_the_others(s: &dyn Store) {
    let counters = [counter("A", 5), counter("B", 1), counter("C", 5)];
    assert_eq!(
        s.count(&counters).await.unwrap(),
        [Some(1), Some(1), Some(1)]
    );
    assert_eq!(s.count(&counters).await.unwrap(), [Some(2), None, Some(2)]);
    let keys: Vec<Key> = counters.iter().map(|c| c.key.clone()).collect();
    let versions: Vec<u64> = s
        .get_many(&keys)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.unwrap().version)
        .collect();
    assert_eq!(versions, [2, 1, 2], "counted but the one at its ceiling");
}

/// 50 attempts at once: exactly the ceiling's worth are counted, each with its own count.
pub async fn a_parallel_burst_is_counted_exactly_up_to_the_ceiling(s: &dyn Store) {
    for (sk, ceiling, expected) in [("FIVE", 5, 5u64), ("HUNDRED", 100, 50)] {
        let c = [counter(sk, ceiling)];
        let burst = (0..50).map(|_| s.count(&c));
        let answers = futures_util::future::join_all(burst).await;
        let mut counts: Vec<u64> = answers.into_iter().filter_map(|a| a.unwrap()[0]).collect();
        counts.sort_unstable();
        assert_eq!(counts, (1..=expected).collect::<Vec<_>>(), "{sk}");
        assert_eq!(s.get(&c[0].key).await.unwrap().unwrap().version, expected);
    }
}

pub async fn a_discount_in_a_batch_takes_one_attempt_back(s: &dyn Store) {
    let c = [counter("A", 2)];
    s.count(&c).await.unwrap();
    s.count(&c).await.unwrap();
    assert_eq!(s.count(&c).await.unwrap(), [None]);
    // With another write (one transaction), and alone.
    s.write(vec![
        Write::discount(c[0].key.clone()),
        Write::create(item("P", "S", 1)),
    ])
    .await
    .unwrap();
    assert_eq!(s.count(&c).await.unwrap(), [Some(2)]);
    s.write(vec![Write::discount(c[0].key.clone())])
        .await
        .unwrap();
    let counter = s.get(&c[0].key).await.unwrap().unwrap();
    assert_eq!(
        (counter.version, counter.expires_at),
        (1, Some(c[0].expires_at))
    );
}

/// Generates one `#[tokio::test]` per guarantee for the store that `$make` builds.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:expr) => {
        $crate::store_conformance_tests!(@each $make;
            a_missing_item_reads_as_none,
            a_created_item_reads_back_whole,
            create_refuses_an_existing_key,
            replace_needs_the_version_that_was_read,
            replace_of_a_missing_item_fails,
            a_batch_is_all_or_nothing,
            delete_honours_its_condition,
            get_many_keeps_the_order_of_the_keys,
            get_many_reads_any_number_of_keys,
            query_returns_one_partition_by_prefix_in_order,
            query_pages_go_either_way_from_where_the_last_ended,
            query_index_finds_items_by_index_value,
            an_index_value_follows_rewrites_and_deletes,
            of_racing_replaces_exactly_one_wins,
            a_counter_counts_up_to_its_ceiling_and_no_further,
            a_counter_at_its_ceiling_does_not_stop_the_others,
            a_parallel_burst_is_counted_exactly_up_to_the_ceiling,
            a_discount_in_a_batch_takes_one_attempt_back,
        );
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $make.await;
                $crate::conformance::$name(&store).await;
            }
        )*
    };
}

/// The in-memory store (the domain's unit tests use it) holds to the suite too.
#[cfg(test)]
mod memory_store {
    crate::store_conformance_tests!(async { crate::base::memory::MemoryStore::new() });
}
