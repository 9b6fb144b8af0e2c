//! Guessing limits (X5): every secret a person types (one-time codes, Key6, security answers,
//! registration codes, PUKs, invitation secrets, temporary, old and current passwords) is
//! checked only after its attempt has been counted, with one atomic increment per limit
//! (`Store::count`): a flow's tries first, then the subjects' budgets. Of any number of parallel guesses, at most the limit's worth are ever
//! checked; the others are refused, right or wrong, before any secret is looked at.
//!
//! Two kinds of limit, counted together: **per flow** (a code's tries, a flow's misses) and
//! **per subject across flows** (a card, a person, a login name, an old username, a SIM,
//! an invitation, an account), by window of time (a day, unless the profile says
//! otherwise). A subject is always what was typed (its keyed hash), known or not, so that a
//! spent budget tells nothing about whether the subject exists. Every attempt is counted
//! before the check; a right one is taken back in the step's own write (`forgive`), and a
//! refused one gives back what its other limits counted: budgets bound wrong guesses.

use crate::base::clock::{Timestamp, DAY};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::store::{Counter, Key, Write};
use crate::limits::audit::{self, Event};

/// What a person guesses at, for a subject's budget: the counter's partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// An account, by id: codes to its phone or mailbox, passwords typed again.
    Account(&'a str),
    /// A person, by keyed hash of the fiscal code: security answers and passwords of
    /// card-issuer recovery.
    Person(&'a str),
    /// A card, by keyed hash of its number: Key6 codes.
    Card(&'a str),
    /// A company card, by keyed hash of its number: registration codes (N4).
    CompanyCard(&'a str),
    /// A login name (`LoginName::key`): password resets by that name.
    ResetName(&'a str),
    /// A login name (`LoginName::key`): logins with it (`login_delay`).
    Login(&'a str),
    /// A user of the old portal, by keyed hash of the username (N2).
    OldUsername(&'a str),
    /// A VAT number (a public business identifier, as typed): W2's comparisons of a legal
    /// representative's data with its contracts.
    Vat(&'a str),
    /// A SIM, by keyed hash of its number: PUKs and line codes (W7, W11).
    Sim(&'a str),
    /// An invitation, by company and id: its secret and temporary password.
    Invitation(&'a str),
    /// What messages are sent to (`sending`): a phone number or an email address by keyed
    /// hash, a company by id, a client address (`sending::source_key`), a country calling
    /// code, and the whole deployment (by channel).
    Phone(&'a str),
    Address(&'a str),
    Company(&'a str),
    Source(&'a str),
    Country(&'a str),
    Deployment(&'a str),
}

impl Subject<'_> {
    fn key(&self, window: &str) -> Key {
        let (kind, id) = match self {
            Subject::Account(id) => ("ACCOUNT", id),
            Subject::Person(id) => ("PERSON", id),
            Subject::Card(id) => ("CARD", id),
            Subject::CompanyCard(id) => ("COMPANYCARD", id),
            Subject::ResetName(id) => ("RESET", id),
            Subject::Login(id) => ("LOGIN", id),
            Subject::OldUsername(id) => ("LEGACY", id),
            Subject::Vat(id) => ("VAT", id),
            Subject::Sim(id) => ("SIM", id),
            Subject::Invitation(id) => ("INVITATION", id),
            Subject::Phone(id) => ("PHONE", id),
            Subject::Address(id) => ("ADDRESS", id),
            Subject::Company(id) => ("COMPANY", id),
            Subject::Source(id) => ("SOURCE", id),
            Subject::Country(id) => ("COUNTRY", id),
            Subject::Deployment(id) => ("DEPLOYMENT", id),
        };
        keys::attempts(kind, id, window)
    }
}

/// What a refused attempt answers.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    /// The flow's tries are spent: `too_many_attempts`, start again.
    Flow,
    /// The subject's budget is spent: `attempts_exhausted`, ask customer service.
    Budget,
    /// A refusal of its own (`key6_locked`, `registration_code_locked`).
    Locked(fn() -> Error),
    /// Wait until the window ends: the error, given the seconds left (`login_delayed`,
    /// `source_limit`, `sending_suspended`).
    Until(fn(i64) -> Error),
}

/// One limit on attempts: a counter, its window's end and what a refusal answers.
#[derive(Debug, Clone)]
pub struct Limit {
    counter: Counter,
    window_ends_at: i64,
    refusal: Refusal,
    watched: bool,
}

impl Limit {
    /// At most `ceiling` attempts at one secret of the flow `flow_id` (`round` names it: a
    /// code sent again is a new round), counted until `ends_at`.
    pub fn per_flow(flow_id: &str, round: &str, ceiling: u32, ends_at: i64) -> Limit {
        Limit {
            counter: Counter {
                key: keys::flow_attempts(flow_id, round),
                ceiling: ceiling.into(),
                expires_at: ends_at + DAY,
            },
            window_ends_at: ends_at,
            refusal: Refusal::Flow,
            watched: false,
        }
    }

    /// The profile's daily budget for `subject`: of attempts across its flows for what a
    /// person guesses at, of messages for what is sent to (`[sending]`).
    pub fn per_day(deps: &Deps, subject: Subject, now: Timestamp) -> Limit {
        let budgets = &deps.profile.attempts;
        let sending = &deps.profile.sending;
        let ceiling = match subject {
            Subject::Account(_) => budgets.per_account,
            Subject::Person(_) | Subject::Vat(_) => budgets.per_person,
            Subject::Card(_) | Subject::CompanyCard(_) => budgets.per_card,
            Subject::ResetName(_) => budgets.per_login_name,
            Subject::Login(_) => budgets.logins_per_day,
            Subject::OldUsername(_) => budgets.per_old_username,
            Subject::Sim(_) => budgets.per_sim,
            Subject::Invitation(_) => budgets.per_invitation,
            Subject::Phone(_) => deps.profile.sms.per_number_per_day,
            Subject::Address(_) => sending.per_address,
            Subject::Company(_) => sending.per_company,
            Subject::Source(_) => sending.per_source,
            Subject::Country(_) => sending.sms_per_country,
            Subject::Deployment("SMS") => sending.sms_per_day,
            Subject::Deployment(_) => sending.emails_per_day,
        };
        Limit::per_window(subject, "DAY", ceiling, DAY, now)
    }

    /// At most `ceiling` attempts for `subject` in each window of `window` seconds, counted
    /// apart from the subject's other limits by `label`.
    pub fn per_window(
        subject: Subject,
        label: &str,
        ceiling: u32,
        window: i64,
        now: Timestamp,
    ) -> Limit {
        let window = window.max(1);
        let number = now.0.div_euclid(window);
        let ends_at = (number + 1) * window;
        Limit {
            counter: Counter {
                key: subject.key(&format!("{label}#{window}#{number}")),
                ceiling: ceiling.into(),
                expires_at: ends_at + DAY,
            },
            window_ends_at: ends_at,
            refusal: Refusal::Budget,
            watched: false,
        }
    }

    /// The counter's key (to clear it).
    pub fn key(&self) -> &Key {
        &self.counter.key
    }

    /// How many attempts the limit allows in its window.
    pub fn ceiling(&self) -> u64 {
        self.counter.ceiling
    }

    /// This limit, one whose caller alerts before it is spent (`is_watched`).
    pub fn watched(mut self) -> Limit {
        self.watched = true;
        self
    }

    pub fn is_watched(&self) -> bool {
        self.watched
    }

    /// This limit, answering `refusal` when spent.
    pub fn refused_with(mut self, refusal: Refusal) -> Limit {
        self.refusal = refusal;
        self
    }

    fn refuse(&self, now: Timestamp) -> Error {
        match self.refusal {
            Refusal::Flow => Error::TooManyAttempts,
            Refusal::Budget => Error::AttemptsExhausted,
            Refusal::Locked(error) => error(),
            Refusal::Until(error) => error((self.window_ends_at - now.0).max(1)),
        }
    }
}

/// The attempt's number under each limit, counted.
#[derive(Debug, Clone)]
pub struct Counted(Vec<u64>);

impl Counted {
    /// Whether, under limit `index`, this attempt was the last one allowed: a miss now ends
    /// the flow.
    pub fn last(&self, limits: &[Limit], index: usize) -> bool {
        self.0
            .get(index)
            .zip(limits.get(index))
            .is_some_and(|(&count, limit)| count >= limit.counter.ceiling)
    }

    /// The attempt's number under limit `index` (0 for no such limit).
    pub fn number(&self, index: usize) -> u64 {
        self.0.get(index).copied().unwrap_or(0)
    }
}

/// Counts one attempt under every limit, before anything is checked: first the flow's
/// tries (the limits refused with `Refusal::Flow`), then, for an attempt within them, the
/// subjects' budgets (one round trip each, the limits of a group at once). So a burst at
/// one flow reaches the budgets with at most the flow's tries, and never spends a budget
/// for a moment to refuse the flow's own right guess. A limit already spent refuses the
/// attempt with its answer (the first such in `limits`' order), and the refused attempt
/// takes back what the other limits counted, so that guesses at a spent flow do not drain
/// the subject's budget (while many flows' bursts are in flight, an attempt may meet a
/// budget that others will give back). A spent subject budget is recorded in the audit
/// trail (about `account_id`, when the caller knows it).
pub async fn count(
    deps: &Deps,
    limits: &[Limit],
    account_id: Option<&str>,
) -> Result<Counted, Error> {
    let is_flow = |l: &Limit| matches!(l.refusal, Refusal::Flow);
    let mut counts: Vec<Option<Option<u64>>> = vec![None; limits.len()];
    for group in [true, false] {
        let indexes: Vec<usize> = (0..limits.len())
            .filter(|&i| is_flow(&limits[i]) == group)
            .collect();
        if indexes.is_empty() {
            continue;
        }
        let counters: Vec<Counter> = indexes.iter().map(|&i| limits[i].counter.clone()).collect();
        for (i, count) in indexes.into_iter().zip(deps.store.count(&counters).await?) {
            counts[i] = Some(count);
        }
        if counts.iter().any(|c| matches!(c, Some(None))) {
            break;
        }
    }
    let Some(refused) = counts.iter().position(|c| matches!(c, Some(None))) else {
        return Ok(Counted(counts.into_iter().flatten().flatten().collect()));
    };
    let now = deps.clock.now();
    let limit = &limits[refused];
    let error = limit.refuse(now);
    let mut writes: Vec<Write> = limits
        .iter()
        .zip(&counts)
        .filter(|(_, count)| matches!(count, Some(Some(_))))
        .map(|(l, _)| Write::discount(l.counter.key.clone()))
        .collect();
    if matches!(limit.refusal, Refusal::Budget) {
        tracing::warn!(event = "attempts_budget_spent", counter = %limit.counter.key.sk);
        let event = Event::person("attempts_budget_spent", account_id, error.describe().code);
        writes.extend(audit::record(deps, event, now));
    }
    deps.store.write(writes).await?;
    Err(error)
}

/// The writes that take back the attempt just counted under `limits`, for the step's own
/// write once the secret proved right: budgets bound wrong guesses, not the owner's use.
/// Sent with that write, they cost no round trip; should that write fail, the attempt stays
/// counted (too often, never too rarely).
pub fn forgive(limits: &[Limit]) -> Vec<Write> {
    limits
        .iter()
        .map(|l| Write::discount(l.counter.key.clone()))
        .collect()
}

/// What a counted guess found.
#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    pub right: bool,
    /// The attempt was the last the first limit allows: a wrong one ends the flow.
    pub last: bool,
    /// For a right guess, what takes its attempt back (`forgive`): for the step's write.
    pub forgiven: Vec<Write>,
}

/// Counts the attempt (`count`), then checks `typed` against the argon2 hash `stored`
/// (an absent one costs the same work and never matches).
pub async fn guess(
    deps: &Deps,
    limits: &[Limit],
    account_id: Option<&str>,
    typed: &str,
    stored: Option<&str>,
) -> Result<Guess, Error> {
    let counted = count(deps, limits, account_id).await?;
    let right = deps.hasher.verify(typed, stored);
    Ok(Guess {
        right,
        last: counted.last(limits, 0),
        forgiven: if right { forgive(limits) } else { Vec::new() },
    })
}
