//! Scheduled jobs (X2), each run by a schedule in AWS and by a timer in the local gateway.
//!
//! A job works through items that fall due, found in the login index (gsi1) under one
//! partition per hour (`bucket`): it handles the hours from where its cursor says to the last
//! full one, a page at a time, each item in its own atomic write that also takes it out of
//! the index. So a job run twice changes nothing the second time, and a job stopped halfway
//! (a page limit, a timeout) is finished by the next run.

use crate::base::clock::Timestamp;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, Buckets};
use crate::base::store::{Index, Item, StoreError, Write};
use crate::limits::audit::{self, Event};
use crate::records::invitation::{Invitation, State};
use serde::{Deserialize, Serialize};

/// What one run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JobReport {
    /// Items changed.
    pub changed: usize,
    /// Whether every due item was handled (else: run again).
    pub finished: bool,
}

/// What a job does to one item: the writes that handle it (none: nothing to do), found
/// perhaps with reads of its own.
pub type Change<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Option<Vec<Write>>, Error>> + Send + 'a>,
>;

/// How far a job got: every bucket before this one is done.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cursor {
    next_bucket: i64,
}

/// A job's first run looks back this many buckets.
const FIRST_RUN_LOOKBACK: i64 = 24;

/// Most buckets one run looks at (60 days of hours): a job far behind catches up over
/// several runs.
const MAX_BUCKETS_PER_RUN: i64 = 60 * 24;

/// Runs `job` over the due buckets: for each item of each bucket's index partition
/// (`partition`), `change` gives the writes that handle it (none: nothing to do). At most
/// `max_pages` queries of `page_size` items.
pub async fn by_bucket(
    deps: &Deps,
    job: &str,
    buckets: Buckets,
    page_size: usize,
    max_pages: usize,
    partition: impl Fn(i64) -> String,
    change: impl for<'a> Fn(&'a Deps, &'a Item, Timestamp) -> Change<'a>,
) -> Result<JobReport, Error> {
    let now = deps.clock.now();
    // Only full hours: every item of an earlier bucket is due.
    let current = buckets.of(now.0);
    let cursor_key = keys::job_cursor(job);
    let cursor_item = deps.store.get(&cursor_key).await?;
    let start = match &cursor_item {
        Some(item) => item.parse::<Cursor>()?.next_bucket,
        None => current - FIRST_RUN_LOOKBACK,
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
                let Some(writes) = change(deps, item, now).await? else {
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

/// X2: marks sent invitations past their expiry as expired, a page at a time, from the
/// hour the last run finished to the last full hour. Safe to run twice (the second finds nothing) and to
/// interrupt (the next run starts where the cursor says, and expired invitations have left
/// the index). Returns what it changed and whether it finished.
pub async fn expire_invitations(
    deps: &Deps,
    page_size: usize,
    max_pages: usize,
) -> Result<JobReport, Error> {
    by_bucket(
        deps,
        "expire-invitations",
        Buckets::Hours,
        page_size,
        max_pages,
        keys::invitations_due,
        |deps, item, now| {
            Box::pin(async move {
                let invitation: Invitation = item.parse()?;
                if invitation.state_at(now) != State::Expired || invitation.state != State::Sent {
                    return Ok(None);
                }
                // Its code stays known, so that whoever holds it is told "expired, ask for
                // a reactivation" (which replaces it), and so does N5's mobile.
                let mut expired = invitation.clone();
                expired.state = State::Expired;
                let mut writes = vec![expired.item(Some(item), now)];
                writes.extend(audit::record(
                    deps,
                    Event::job("invitation_expired", &invitation.id, &invitation.company_id),
                    now,
                ));
                Ok(Some(writes))
            })
        },
    )
    .await
}

/// N3: revokes the Administrators whose company card's grace period has ended, a day's
/// buckets at a time: their company's Administrator seat is freed (a new Administrator can
/// register), the company's list no longer shows them, and they are told by email. The
/// membership stays on the account with its lapsed card, so login keeps answering
/// `valid_card_required`.
pub async fn revoke_lapsed_administrators(
    deps: &Deps,
    page_size: usize,
    max_pages: usize,
) -> Result<JobReport, Error> {
    by_bucket(
        deps,
        "revoke-lapsed-administrators",
        Buckets::Days,
        page_size,
        max_pages,
        keys::card_roles_due,
        |deps, item, now| Box::pin(revoke_lapsed(deps, item, now)),
    )
    .await
}

async fn revoke_lapsed(
    deps: &Deps,
    link_item: &Item,
    now: Timestamp,
) -> Result<Option<Vec<Write>>, Error> {
    use crate::base::store::Condition;
    use crate::records::accounts::Account;
    use crate::records::cards::CardRole;
    let link: CardRole = link_item.parse()?;
    let unlink = Write::delete(link_item.key.clone(), Condition::Version(link_item.version));
    let seat_key = keys::company_administrator(&link.company_id);
    let items = deps
        .store
        .get_many(&[keys::account(&link.account_id), seat_key.clone()])
        .await?;
    let Some(account_item) = &items[0] else {
        return Ok(Some(vec![unlink]));
    };
    let mut account: Account = account_item.parse()?;
    let Some(membership) = account
        .memberships
        .iter_mut()
        .find(|m| m.company_id == link.company_id)
    else {
        return Ok(Some(vec![unlink]));
    };
    let needs_card = deps
        .profile
        .role(&membership.role)
        .is_some_and(|r| r.needs_valid_card);
    if !needs_card || membership.usable(&deps.profile, now.0) {
        // Not due: filed again where it belongs (nowhere, for a role without a card), so
        // that it does not hide the due ones behind it in this bucket.
        let refiled = Item {
            gsi1: crate::records::cards::card_role_due(
                deps,
                membership.card.filter(|_| needs_card),
            ),
            ..link_item.clone()
        };
        return Ok(Some(vec![Write::upsert(Some(link_item), refiled)]));
    }
    let company = membership.company_name.clone();
    let mut writes = vec![
        unlink,
        Write::delete(keys::member(&link.company_id, &account.id), Condition::None),
    ];
    // The seat, if this account holds it: freed, and no longer the account's to free.
    if membership.seat.take().is_some() {
        if let Some(seat) = &items[1] {
            let holder: crate::records::companies::CompanyAdministrator = seat.parse()?;
            if holder.account_id == account.id {
                writes.push(Write::delete(seat_key, Condition::Version(seat.version)));
            }
        }
    }
    writes.push(Write::replace(account_item, &account));
    writes.extend(crate::limits::audit::record(
        deps,
        crate::limits::audit::Event::job("administrator_revoked", &account.id, &link.company_id),
        now,
    ));
    let email = crate::base::types::Email::parse(&account.email)
        .map_err(|e| Error::Internal(Box::new(e)))?;
    let content = crate::base::messages::Template::AdministratorRevoked {
        company,
        grace_days: deps.profile.card_grace_seconds() / crate::base::clock::DAY,
    };
    let about = crate::limits::sending::About::account(&account.id);
    match crate::limits::sending::email(
        deps,
        &email,
        about,
        content,
        crate::base::messages::Lang::It,
    )
    .await
    {
        Ok(message) => writes.push(message),
        // The revocation stands without its notice when the gate refuses the email.
        Err(refused) if refused.describe().status < 500 || refused.retry_after().is_some() => {
            tracing::warn!(event = "notice_not_sent", code = refused.describe().code);
        }
        Err(error) => return Err(error),
    }
    Ok(Some(writes))
}

/// X2: deletes the flows finished with (a day past their end), a page at a time, from the
/// hour the last run reached to the last full hour. Safe to run twice and to interrupt.
pub async fn purge_finished(
    deps: &Deps,
    page_size: usize,
    max_pages: usize,
) -> Result<JobReport, Error> {
    by_bucket(
        deps,
        "purge-flows",
        Buckets::Hours,
        page_size,
        max_pages,
        keys::flows_due,
        |_, item, now| {
            Box::pin(async move {
                // A flow is never extended; should one be, it stays until the TTL.
                let finished = item.expires_at.is_some_and(|at| at <= now.0);
                Ok(finished.then(|| {
                    vec![Write::delete(
                        item.key.clone(),
                        crate::base::store::Condition::Version(item.version),
                    )]
                }))
            })
        },
    )
    .await
}
