//! Scheduled jobs (X2), each run by a schedule in AWS and by a timer in the local gateway.
//!
//! A job works through items that fall due, found in the login index (gsi1) under one
//! partition per hour (`bucket`): it handles the hours from where its cursor says to the last
//! full one, a page at a time, each item in its own atomic write that also takes it out of
//! the index. So a job run twice changes nothing the second time, and a job stopped halfway
//! (a page limit, a timeout) is finished by the next run.

use crate::clock::{Timestamp, HOUR};
use crate::deps::Deps;
use crate::error::Error;
use crate::keys;
use crate::store::{Index, Item, StoreError, Write};
use serde::{Deserialize, Serialize};

/// What one run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JobReport {
    /// Items changed.
    pub changed: usize,
    /// Whether every due item was handled (else: run again).
    pub finished: bool,
}

/// The hour bucket a time falls in.
pub fn bucket(at: i64) -> i64 {
    at.div_euclid(HOUR)
}

/// How far a job got: every bucket before this one is done.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cursor {
    next_bucket: i64,
}

/// A job's first run looks back this many hours.
const FIRST_RUN_LOOKBACK_HOURS: i64 = 24;

/// Most buckets one run looks at (60 days of hours): a job far behind catches up over
/// several runs.
const MAX_BUCKETS_PER_RUN: i64 = 60 * 24;

/// Runs `job` over the due buckets: for each item of each bucket's index partition
/// (`partition`), `change` gives the writes that handle it (none: nothing to do). At most
/// `max_pages` queries of `page_size` items.
pub async fn by_bucket(
    deps: &Deps,
    job: &str,
    page_size: usize,
    max_pages: usize,
    partition: impl Fn(i64) -> String,
    change: impl Fn(&Deps, &Item, Timestamp) -> Result<Option<Vec<Write>>, Error>,
) -> Result<JobReport, Error> {
    let now = deps.clock.now();
    // Only full hours: every item of an earlier bucket is due.
    let current = bucket(now.0);
    let cursor_key = keys::job_cursor(job);
    let cursor_item = deps.store.get(&cursor_key).await?;
    let start = match &cursor_item {
        Some(item) => item.parse::<Cursor>()?.next_bucket,
        None => current - FIRST_RUN_LOOKBACK_HOURS,
    };
    let mut report = JobReport {
        changed: 0,
        finished: false,
    };
    let mut pages = 0;
    let mut next = start;
    let end = current.min(start + MAX_BUCKETS_PER_RUN);
    'buckets: while next < end {
        loop {
            if pages == max_pages {
                break 'buckets;
            }
            let items = deps
                .store
                .query_index(Index::Gsi1, &partition(next), page_size)
                .await?;
            if !items.is_empty() {
                pages += 1;
            }
            let mut progressed = false;
            for item in &items {
                let Some(writes) = change(deps, item, now)? else {
                    continue;
                };
                match deps.store.write(writes).await {
                    Ok(()) => {
                        report.changed += 1;
                        progressed = true;
                    }
                    // Changed since the index was read (or a stale index entry): not ours.
                    Err(StoreError::ConditionFailed { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            if items.len() < page_size || !progressed {
                break;
            }
        }
        next += 1;
    }
    report.finished = next >= current;
    if next != start {
        let write = Write::upsert(
            cursor_item.as_ref(),
            Item::new(cursor_key, &Cursor { next_bucket: next }),
        );
        // Another run moved the cursor meanwhile: its value is as good as ours.
        if let Err(e) = deps.store.write(vec![write]).await {
            tracing::warn!(event = "job_cursor_not_saved", job, error = %e, "cursor not saved");
        }
    }
    Ok(report)
}
