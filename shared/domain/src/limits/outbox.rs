//! The transactional outbox. A state change and the SMS or email it causes are written in
//! the same atomic write (`enqueue`); a dispatcher delivers each message with retries and
//! backoff, idempotently by message id. Nothing is sent for a change that did not commit,
//! and nothing is lost while SNS or SES is down.

use crate::base::clock::{Clock, Timestamp, DAY, MINUTE};
use crate::base::crypto::Sealer;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::messages::{Lang, Template};
use crate::base::random::Random;
use crate::base::store::{Condition, Index, Item, Store, Write};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Email,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    Pending,
    Sent,
    /// Given up after `MAX_ATTEMPTS`: an operator alarm, never retried by itself.
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub channel: Channel,
    /// The recipient and the content (`Sealed`), sealed for the sender under the message
    /// key: the table, its stream and its backups never hold a number, an address, a code or
    /// a temporary password in clear. Dropped once delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
    /// The recipient and the content in clear, as messages queued before they were sealed
    /// hold them; never written now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub to_hint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Template>,
    pub lang: Lang,
    pub state: MessageState,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub created_at: i64,
    #[serde(default)]
    pub sent_at: Option<i64>,
}

/// What a message's `sealed` holds.
#[derive(Serialize, Deserialize)]
struct Sealed {
    to: String,
    content: Template,
}

impl Message {
    /// The recipient and the content: opened, or as an older message holds them in clear;
    /// `None` when there is none (delivered) or it does not open (another key).
    pub fn recipient_and_content(&self, sealer: &Sealer) -> Option<Result<(String, Template), ()>> {
        match (&self.sealed, &self.to, &self.content) {
            (Some(sealed), _, _) => Some(
                sealer
                    .open(&self.id, sealed)
                    .and_then(|plain| serde_json::from_slice::<Sealed>(&plain).ok())
                    .map(|s| (s.to, s.content))
                    .ok_or(()),
            ),
            (None, Some(to), Some(content)) => Some(Ok((to.clone(), content.clone()))),
            _ => None,
        }
    }
}

/// What a sender receives: rendered, ready to go.
#[derive(Clone)]
pub struct Outgoing {
    pub id: String,
    pub channel: Channel,
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Outgoing({} {:?})", self.id, self.channel)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("sending failed: {0}")]
pub struct SendError(pub String);

/// Delivers rendered messages (SNS for SMS, SES for email, the console locally).
#[async_trait]
pub trait Sender: Send + Sync {
    /// Sends once. An error means it may be retried; the dispatcher decides.
    async fn send(&self, message: &Outgoing) -> Result<(), SendError>;
}

pub const MAX_ATTEMPTS: u32 = 8;
/// How long a dispatcher owns a message it claimed before another may retry it: longer
/// than the sending function may run (`Timeout` of `deliver-messages`, 60 s), so a claim
/// lapses only once the dispatcher that holds it has finished or been stopped.
pub const CLAIM_SECONDS: i64 = 3 * MINUTE;

/// The write that puts a new message in the outbox, its recipient and content sealed: only
/// for the gate (`sending`), which every message passes first.
#[allow(clippy::too_many_arguments)]
pub(crate) fn enqueue(
    id: String,
    channel: Channel,
    to: String,
    to_hint: String,
    content: Template,
    lang: Lang,
    now: Timestamp,
    (sealer, random): (&Sealer, &dyn Random),
) -> Write {
    let plain = serde_json::to_vec(&Sealed { to, content }).expect("a message serialises");
    let message = Message {
        sealed: Some(sealer.seal(&id, &plain, random)),
        id: id.clone(),
        channel,
        to: None,
        to_hint,
        content: None,
        lang,
        state: MessageState::Pending,
        attempts: 0,
        next_attempt_at: now.0,
        created_at: now.0,
        sent_at: None,
    };
    Write::create(Item::new(keys::message(&id), &message).with_gsi1(keys::OUTBOX_PENDING))
}

/// Wait after the `attempts`-th failed attempt: 30 s, then 1, 2, 4 ... minutes, at most an hour.
fn backoff_seconds(attempts: u32) -> i64 {
    (30i64 << attempts.saturating_sub(1).min(7)).min(3600)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Already delivered, given up, not yet due, or claimed by another dispatcher.
    Skipped,
    WillRetry,
    GaveUp,
}

/// Delivers every due pending message, at most `limit`; returns how each went.
pub async fn deliver_due(
    store: &dyn Store,
    (sender, sealer): (&dyn Sender, &Sealer),
    clock: &dyn Clock,
    portal: &str,
    limit: usize,
) -> Result<Vec<Delivery>, Error> {
    let pending = store
        .query_index(Index::Gsi1, keys::OUTBOX_PENDING, limit)
        .await?;
    let mut outcomes = Vec::with_capacity(pending.len());
    for item in pending {
        outcomes.push(deliver_item(store, (sender, sealer), clock, portal, item).await?);
    }
    Ok(outcomes)
}

/// Delivers one message as read (`item`), e.g. from a stream record's new image, if it is
/// pending and due. Safe to call for the same message many times and from many places at
/// once: the message is claimed by a write conditioned on the version read, so only one
/// dispatcher sends it, and a stale image only makes the claim fail (`Skipped`). (A crash
/// between sending and recording the send repeats that one message after the claim lapses:
/// delivery is at least once.)
pub async fn deliver_item(
    store: &dyn Store,
    (sender, sealer): (&dyn Sender, &Sealer),
    clock: &dyn Clock,
    portal: &str,
    item: Item,
) -> Result<Delivery, Error> {
    let now = clock.now();
    let mut message: Message = item.parse()?;
    if message.state != MessageState::Pending || message.next_attempt_at > now.0 {
        return Ok(Delivery::Skipped);
    }
    let (to, content) = match message.recipient_and_content(sealer) {
        Some(Ok(opened)) => opened,
        None => return Ok(Delivery::Skipped),
        Some(Err(())) => {
            // Sealed under another key (the message key replaced while it waited): it can
            // never be sent; given up, for the operator's alarm, rather than left pending.
            message.state = MessageState::Failed;
            let mut failed = item.next(&message);
            failed.gsi1 = None;
            tracing::error!(message_id = %message.id, "message given up: it does not open under the message key");
            store
                .write(vec![Write::Put {
                    item: failed,
                    condition: Condition::Version(item.version),
                }])
                .await?;
            return Ok(Delivery::GaveUp);
        }
    };
    // Claim: only the dispatcher whose versioned write lands goes on to send.
    message.attempts += 1;
    message.next_attempt_at = now.0 + CLAIM_SECONDS;
    let claimed = item.next(&message);
    if store
        .write(vec![Write::Put {
            item: claimed.clone(),
            condition: Condition::Version(item.version),
        }])
        .await
        .is_err()
    {
        return Ok(Delivery::Skipped);
    }
    let (subject, body) = content.render(portal, message.lang);
    let outgoing = Outgoing {
        id: message.id.clone(),
        channel: message.channel,
        to,
        subject,
        body,
    };
    let (outcome, next) = match sender.send(&outgoing).await {
        Ok(()) => {
            message.state = MessageState::Sent;
            message.sent_at = Some(now.0);
            message.to = None;
            message.content = None;
            message.sealed = None;
            let mut done = claimed.next(&message);
            done.gsi1 = None;
            done.expires_at = Some(now.0 + 30 * DAY);
            tracing::info!(message_id = %message.id, channel = ?message.channel, to = %message.to_hint, template = content.name(), "message sent");
            (Delivery::Sent, done)
        }
        Err(e) if message.attempts >= MAX_ATTEMPTS => {
            message.state = MessageState::Failed;
            let mut failed = claimed.next(&message);
            failed.gsi1 = None;
            tracing::error!(message_id = %message.id, attempts = message.attempts, error = %e, "message given up");
            (Delivery::GaveUp, failed)
        }
        Err(e) => {
            message.next_attempt_at = now.0 + backoff_seconds(message.attempts);
            tracing::warn!(message_id = %message.id, attempts = message.attempts, error = %e, "message will be retried");
            (Delivery::WillRetry, claimed.next(&message))
        }
    };
    let mut writes = vec![Write::Put {
        item: next,
        condition: Condition::Version(claimed.version),
    }];
    // X8: a code, temporary password or invitation sent (or given up), to a masked address.
    let what = format!("{} to {}", content.name(), message.to_hint);
    let event = |outcome| crate::limits::audit::Event {
        action: match message.channel {
            Channel::Sms => "sms_sent",
            Channel::Email => "email_sent",
        },
        actor: None,
        subject: Some(&what),
        companies: Vec::new(),
        source: crate::limits::audit::Source::Job,
        outcome,
    };
    match outcome {
        Delivery::Sent => writes.extend(crate::limits::audit::record_as(
            &message.id,
            event("ok"),
            now,
        )),
        Delivery::GaveUp => writes.extend(crate::limits::audit::record_as(
            &message.id,
            event("gave_up"),
            now,
        )),
        _ => {}
    }
    store.write(writes).await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::clock::{ManualClock, HOUR};
    use crate::base::memory::MemoryStore;

    struct Down;

    #[async_trait]
    impl Sender for Down {
        async fn send(&self, _: &Outgoing) -> Result<(), SendError> {
            Err(SendError("down".into()))
        }
    }

    #[tokio::test]
    async fn a_message_is_given_up_after_max_attempts_and_never_sent_after() {
        let store = MemoryStore::new();
        let clock = ManualClock::at(Timestamp(1_000_000));
        let content = Template::LoginEmail {
            email: "a@example.com".into(),
        };
        store
            .write(vec![enqueue(
                "m1".into(),
                Channel::Sms,
                "+393401234544".into(),
                "+39 340****44".into(),
                content,
                Lang::It,
                clock.now(),
                (&Sealer::new(&[1; 32]), &crate::base::random::OsRandom),
            )])
            .await
            .unwrap();
        for attempt in 1..MAX_ATTEMPTS {
            assert_eq!(
                deliver_due(&store, (&Down, &Sealer::new(&[1; 32])), &clock, "P", 10)
                    .await
                    .unwrap(),
                vec![Delivery::WillRetry],
                "attempt {attempt}"
            );
            clock.advance(HOUR);
        }
        assert_eq!(
            deliver_due(&store, (&Down, &Sealer::new(&[1; 32])), &clock, "P", 10)
                .await
                .unwrap(),
            vec![Delivery::GaveUp]
        );
        clock.advance(HOUR);
        assert!(
            deliver_due(&store, (&Down, &Sealer::new(&[1; 32])), &clock, "P", 10)
                .await
                .unwrap()
                .is_empty(),
            "no longer pending"
        );
    }

    #[test]
    fn backoff_starts_at_thirty_seconds_and_stops_growing_at_an_hour() {
        let waits: Vec<i64> = (1..=9).map(backoff_seconds).collect();
        assert_eq!(waits, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}
