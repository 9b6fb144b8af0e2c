//! X3 and X4: what is stored, and that stored messages survive a sender that is down.

use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};
use varco_domain::base::keys::{self, purpose};
use varco_domain::base::store::Index;
use varco_domain::limits::outbox::{Delivery, Outgoing, SendError, Sender};
use varco_functions::demo::{MARIO, PEOPLE};
use varco_tests::{on_both_stores, temporary_password_in, TestApp};

/// SNS as it is during an outage.
#[derive(Default)]
struct Down(AtomicUsize);

#[async_trait]
impl Sender for Down {
    async fn send(&self, _: &Outgoing) -> Result<(), SendError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(SendError("SNS: ServiceUnavailable".into()))
    }
}

/// SNS taking its time: each send waits, once it has begun, until the test lets it end.
#[derive(Default)]
struct Slow {
    sent: AtomicUsize,
    begun: tokio::sync::Notify,
    may_end: tokio::sync::Notify,
}

#[async_trait]
impl Sender for Slow {
    async fn send(&self, _: &Outgoing) -> Result<(), SendError> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.begun.notify_one();
        self.may_end.notified().await;
        Ok(())
    }
}

async fn recover_mario(app: &TestApp) -> String {
    let flow = app.flow("password", &MARIO).await;
    assert_eq!(
        app.key6(&flow, "4111111111111111", "482913").await.status,
        200
    );
    assert_eq!(app.phone(&flow, "+393401234544").await.status, 202);
    flow
}

async fn x3_nothing_is_lost_while_the_sms_service_is_down(app: TestApp) {
    recover_mario(&app).await;
    let down = Down::default();
    assert_eq!(
        app.deliver_messages_with(&down).await,
        vec![Delivery::WillRetry]
    );
    assert_eq!(
        app.deliver_messages_with(&down).await,
        vec![Delivery::Skipped],
        "not again before its backoff"
    );
    app.clock.advance(30);
    assert_eq!(
        app.deliver_messages_with(&down).await,
        vec![Delivery::WillRetry]
    );
    assert_eq!(down.0.load(Ordering::SeqCst), 2);
    app.clock.advance(60);
    let sms = app.the_sms().await;
    assert_eq!(sms.to, "+393401234544");
    let session = app.login(MARIO.email, &temporary_password_in(&sms)).await;
    assert_eq!(
        session.status, 201,
        "the message that waited out the outage still works"
    );
    assert!(
        app.deliver_messages().await.is_empty(),
        "and it is sent once"
    );
}

async fn x4_secrets_are_stored_only_as_argon2id_or_keyed_hashes(app: TestApp) {
    let flow = recover_mario(&app).await;
    let pending = app.pending_messages().await;
    let temporary = temporary_password_in(&app.the_sms().await);

    let pepper = &app.deps.pepper;
    let login = app
        .deps
        .store
        .query_index(Index::Gsi1, &keys::login_index(MARIO.email), 10)
        .await
        .unwrap();
    let card = app
        .deps
        .store
        .get(&keys::card(
            &pepper.lookup(purpose::CARD, "4111111111111111"),
        ))
        .await
        .unwrap()
        .unwrap();
    let flow = app
        .deps
        .store
        .get(&keys::flow(&flow))
        .await
        .unwrap()
        .unwrap();
    let message = app.deps.store.get(&pending[0].key).await.unwrap().unwrap();
    assert_eq!(login.len(), 2, "the account and its temporary password");
    // The message as it waited in the outbox (so in the table's stream and its backups):
    // its number and its temporary password sealed for the sender.
    let queued = &pending[0];
    assert!(queued.doc["sealed"].is_string(), "{}", queued.doc);
    let stored: String = login
        .iter()
        .chain([&card, &flow, &message, queued])
        .map(|i| i.doc.to_string())
        .collect();

    let phc = "$argon2id$v=19$m=19456,t=2,p=1$";
    assert!(
        login.iter().all(|i| i.doc.to_string().contains(phc)),
        "password and temporary password as argon2id"
    );
    assert!(login
        .iter()
        .any(|i| i.doc["security_question"]["answer_hash"]
            .as_str()
            .is_some_and(|h| h.starts_with(phc))));
    assert!(card.doc["key6_hash"]
        .as_str()
        .is_some_and(|h| h.starts_with(phc)));
    assert!(
        message.doc["content"].is_null() && message.doc["to"].is_null(),
        "a delivered message keeps neither text nor number"
    );
    let mut plain = vec![
        temporary,
        MARIO.password.to_string(),
        "482913".into(),
        "Fido".into(),
        "fido".into(),
        "3401234544".into(),
    ];
    for person in PEOPLE {
        plain.push(person.fiscal_code());
        plain.extend(person.cards.iter().map(|c| c.number.to_string()));
    }
    for secret in plain {
        assert!(
            !stored.contains(&secret),
            "stored in plaintext ({} characters)",
            secret.len()
        );
    }
}

/// A message claimed by a delivery is not sent again by another while the first is still
/// sending it: the second, run meanwhile (a retry schedule, a second stream record), skips it
/// until the claim's time is up, and the claim outlasts the sending function's timeout
/// (`infra::the_claim_outlasts_the_sending_functions_timeout`).
async fn x3_a_claimed_message_is_not_sent_twice_by_a_slow_delivery(app: TestApp) {
    recover_mario(&app).await;
    let slow = Slow::default();
    let fast = Slow::default();
    let (first, second) = tokio::join!(app.deliver_messages_with(&slow), async {
        slow.begun.notified().await;
        // The first delivery is sending; the second comes within the claim.
        app.clock
            .advance(varco_domain::limits::outbox::CLAIM_SECONDS - 1);
        fast.may_end.notify_one();
        let second = app.deliver_messages_with(&fast).await;
        slow.may_end.notify_one();
        second
    });
    assert_eq!(first, vec![Delivery::Sent]);
    assert_eq!(second, vec![Delivery::Skipped], "claimed by the first");
    assert_eq!(
        (
            slow.sent.load(Ordering::SeqCst),
            fast.sent.load(Ordering::SeqCst)
        ),
        (1, 0)
    );
    app.clock
        .advance(varco_domain::limits::outbox::CLAIM_SECONDS);
    assert!(app.deliver_messages().await.is_empty(), "sent, once");
}

on_both_stores!(
    x3_a_claimed_message_is_not_sent_twice_by_a_slow_delivery,
    x3_nothing_is_lost_while_the_sms_service_is_down,
    x4_secrets_are_stored_only_as_argon2id_or_keyed_hashes
);
