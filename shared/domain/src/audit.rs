//! The audit trail (X8): security events of a company, each written in the same atomic
//! write as the change it records, so that no change goes unrecorded and no event records a
//! change that did not happen. Events hold ids and masked hints, never secrets.

use crate::clock::{Timestamp, DAY};
use crate::deps::Deps;
use crate::keys;
use crate::random::new_id;
use crate::store::{Item, Write};
use serde::{Deserialize, Serialize};

/// Events are kept this long (13 months), then the store's TTL removes them.
const KEEP_SECONDS: i64 = 400 * DAY;

/// Who or what caused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A request to the API.
    Api,
    /// A scheduled job.
    Job,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: String,
    pub at: i64,
    /// What happened: `invitation_sent`, `invitation_accepted`, ...
    pub action: String,
    /// The account that acted; none for a job or an anonymous request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// What it was done to: an account id, or an invitation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub company_id: String,
    pub source: Source,
    /// `ok`, or the error code the attempt was refused with.
    pub outcome: String,
}

/// What an event says, before it gets its time and id.
pub struct Event<'a> {
    pub action: &'a str,
    pub actor: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub company_id: &'a str,
    pub source: Source,
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
            company_id,
            source: Source::Api,
        }
    }
}

/// The write that records a successful `event` at `now`.
pub fn record(deps: &Deps, event: Event<'_>, now: Timestamp) -> Write {
    let id = new_id(deps.random.as_ref());
    let stored = AuditEvent {
        id: id.clone(),
        at: now.0,
        action: event.action.to_string(),
        actor: event.actor.map(str::to_string),
        subject: event.subject.map(str::to_string),
        company_id: event.company_id.to_string(),
        source: event.source,
        outcome: "ok".to_string(),
    };
    Write::create(
        Item::new(keys::audit_event(event.company_id, now.0, &id), &stored)
            .expiring_at(now.0 + KEEP_SECONDS),
    )
}
