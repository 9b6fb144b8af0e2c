//! The audit trail (X8): security events, each written in the same atomic write as the
//! change it records, so that no change goes unrecorded and no event records a change that
//! did not happen. Events hold ids and outcome codes, never secrets or what was typed.
//!
//! An event is stored once in the trail of each company it concerns (read by the company's
//! administrators) and once in the operator's trail of its day (every event, read by the
//! back office a day at a time): each trail is one partition, newest last in sort order,
//! read newest first a page at a time.

use crate::base::clock::{Timestamp, DAY};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::random::new_id;
use crate::base::store::{Item, Write};
use crate::records::accounts::Account;
use serde::{Deserialize, Serialize};

/// What happened is kept this long (13 months), then the store's TTL removes it.
pub const KEEP_SECONDS: i64 = 400 * DAY;

/// A refused attempt (an outcome other than `ok`: a failed login, a wrong Key6) is kept
/// this long: anyone can make them, at the API's rate, and what they tell (who is being
/// tried, from where) is needed while it goes on. The logs keep their lines for their own
/// retention.
pub const REFUSED_KEEP_SECONDS: i64 = 30 * DAY;

/// Who or what caused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A request to the API.
    Api,
    /// A scheduled job.
    Job,
    /// The import of the operator's data (X7).
    Import,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: String,
    pub at: i64,
    /// What happened: `invitation_sent`, `login`, `login_failed`, `recovery_step`, ...
    pub action: String,
    /// The account that acted; none for a job or an anonymous request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// What it was done to: an account id, an invitation id, an import's counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The company whose trail holds it; in the operator's trail, the company it concerns
    /// when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    pub source: Source,
    /// `ok`, or the error code the attempt was refused with.
    pub outcome: String,
}

/// What an event says, before it gets its time and id.
pub struct Event<'a> {
    pub action: &'a str,
    pub actor: Option<&'a str>,
    pub subject: Option<&'a str>,
    /// The companies whose trails show it (the operator's trail shows every event).
    pub companies: Vec<&'a str>,
    pub source: Source,
    pub outcome: &'a str,
}

impl<'a> Event<'a> {
    /// What a person did through the API to `subject` in `company_id`.
    pub fn api(
        action: &'a str,
        actor: &'a str,
        subject: &'a str,
        company_id: &'a str,
    ) -> Event<'a> {
        Event {
            action,
            actor: Some(actor),
            subject: Some(subject),
            companies: vec![company_id],
            source: Source::Api,
            outcome: "ok",
        }
    }

    /// What a scheduled job did to `subject` in `company_id`.
    pub fn job(action: &'a str, subject: &'a str, company_id: &'a str) -> Event<'a> {
        Event {
            action,
            actor: None,
            subject: Some(subject),
            companies: vec![company_id],
            source: Source::Job,
            outcome: "ok",
        }
    }

    /// What happened to the account `account_id` through the API (a recovery step), for
    /// the operator's trail; `None` when the data typed matched nobody.
    pub fn person(action: &'a str, account_id: Option<&'a str>, outcome: &'a str) -> Event<'a> {
        Event {
            action,
            actor: account_id,
            subject: account_id,
            companies: Vec::new(),
            source: Source::Api,
            outcome,
        }
    }

    /// What happened to `account` through the API (a login), shown in the trails of the
    /// account's companies too.
    pub fn personal(action: &'a str, account: Option<&'a Account>, outcome: &'a str) -> Event<'a> {
        Event {
            companies: account
                .map(|a| {
                    a.memberships
                        .iter()
                        .map(|m| m.company_id.as_str())
                        .collect()
                })
                .unwrap_or_default(),
            ..Event::person(action, account.map(|a| a.id.as_str()), outcome)
        }
    }
}

/// The outcome an event records for an attempt `result` answers: `ok`, or the stable code of
/// the error that refused it.
pub fn outcome<T>(result: &Result<T, Error>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.describe().code,
    }
}

/// The trail of refusals that concern no company, which no company reads (`record_alike`);
/// no company id begins with `~`.
pub const NOBODY: &str = "~nobody";

/// `record`, with the same items whoever the event is about: an event that concerns no
/// company (a name nobody has, a person in no company) is also written to the trail of
/// `NOBODY`, as a company member's is to their company's. For refusals anyone can cause (a
/// failed login), so that what they write, and how long that takes, does not tell whether
/// the name is a company member's. (A member of several companies is written to each.)
pub fn record_alike(deps: &Deps, mut event: Event<'_>, now: Timestamp) -> Vec<Write> {
    if event.companies.is_empty() {
        event.companies.push(NOBODY);
    }
    record(deps, event, now)
}

/// The writes that record `event` at `now`: one in the trail of each company it concerns,
/// one in the operator's trail of the day.
pub fn record(deps: &Deps, event: Event<'_>, now: Timestamp) -> Vec<Write> {
    record_as(&new_id(deps.random.as_ref()), event, now)
}

/// `record`, with the event's id given (unique: a message's id for its delivery).
pub fn record_as(id: &str, event: Event<'_>, now: Timestamp) -> Vec<Write> {
    let id = id.to_string();
    let stored = |company_id: Option<&str>| AuditEvent {
        id: id.clone(),
        at: now.0,
        action: event.action.to_string(),
        actor: event.actor.map(str::to_string),
        subject: event.subject.map(str::to_string),
        company_id: company_id.map(str::to_string),
        source: event.source,
        outcome: event.outcome.to_string(),
    };
    let keep = if event.outcome == "ok" {
        KEEP_SECONDS
    } else {
        REFUSED_KEEP_SECONDS
    };
    let write =
        |key, event: AuditEvent| Write::create(Item::new(key, &event).expiring_at(now.0 + keep));
    let mut writes: Vec<Write> = event
        .companies
        .iter()
        .map(|company| {
            write(
                keys::audit_event(company, now.0, &id),
                stored(Some(company)),
            )
        })
        .collect();
    let concerned = match event.companies.as_slice() {
        [one] if *one != NOBODY => Some(*one),
        _ => None,
    };
    writes.push(write(
        keys::audit_log_event(now.0.div_euclid(DAY), now.0, &id),
        stored(concerned),
    ));
    writes
}
