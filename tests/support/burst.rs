//! Parallel requests, as an attacker's guesses arrive.

use crate::{Answer, TestApp};
use std::sync::Arc;

/// How many answers of a burst got each (status, code).
pub type Seen = std::collections::BTreeMap<(u16, String), usize>;

/// Fires `times` requests at once (each built by `request` from its number), as an attacker's
/// parallel guesses would arrive, and answers how many got each (status, code).
pub async fn burst<F, Fut>(app: &Arc<TestApp>, times: usize, request: F) -> Seen
where
    F: Fn(Arc<TestApp>, usize) -> Fut,
    Fut: std::future::Future<Output = Answer> + Send + 'static,
{
    let mut racers = tokio::task::JoinSet::new();
    for n in 0..times {
        racers.spawn(request(app.clone(), n));
    }
    let mut seen = Seen::new();
    for answer in racers.join_all().await {
        *seen
            .entry((answer.status, answer.code().to_string()))
            .or_insert(0) += 1;
    }
    seen
}

/// How many answers of a burst were (`status`, `code`).
pub fn seen_count(seen: &Seen, status: u16, code: &str) -> usize {
    seen.get(&(status, code.to_string())).copied().unwrap_or(0)
}
