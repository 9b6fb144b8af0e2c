//! X5: wrong codes and answers are limited per flow and per subject. Tried as an attacker
//! would: bursts of parallel guesses at each kind of secret, the right secret after the
//! limit, and new flows for the same subject. Every guess is counted before it is checked,
//! so a burst checks at most the limit's worth and a conflict never lets one through.

use serde_json::json;
use std::sync::Arc;
use varco_functions::demo::{ACME_CARD, FRANCA, LUCA, MARIO};
use varco_tests::{on_both_stores, seen_count as count, Answer, Seen, TestApp};

const BURST: usize = 50;
const MARIO_CARD: &str = "4111 1111 1111 1111";
const MARIO_KEY6: &str = "482913";

/// `BURST` guesses at once (`varco_tests::burst`).
async fn burst<F, Fut>(app: &Arc<TestApp>, request: F) -> Seen
where
    F: Fn(Arc<TestApp>, usize) -> Fut,
    Fut: std::future::Future<Output = Answer> + Send + 'static,
{
    varco_tests::burst(app, BURST, request).await
}

/// After a burst, wrong guesses one at a time until one is not told `wrong` (at most
/// `limit`): how many were. A burst may check fewer than the limit (an attempt refused while
/// others were in flight gives back what it counted), never more: with these, exactly the
/// limit's worth of wrong guesses are checked in all.
async fn wrong_until_refused<F, Fut>(wrong: &str, limit: usize, guess: F) -> (usize, Answer)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    for told in 0..=limit {
        let answer = guess().await;
        if answer.code() != wrong {
            return (told, answer);
        }
    }
    panic!("more than {limit} wrong guesses told as such");
}

/// Every answer of a burst is one of `allowed` (never a conflict, never a 5xx).
fn only(seen: &Seen, allowed: &[(u16, &str)]) {
    for (status, code) in seen.keys() {
        assert!(
            allowed.contains(&(*status, code.as_str())),
            "unexpected answer {status} {code} in {seen:?}"
        );
    }
}

async fn x5_a_burst_of_wrong_key6_codes_checks_at_most_the_flow_limit(app: TestApp) {
    let app = Arc::new(app);
    let flow = app.flow("password", &MARIO).await;
    let seen = burst(&app, |app, n| {
        let flow = flow.clone();
        async move {
            app.key6(&flow, MARIO_CARD, &format!("{:06}", 100_000 + n))
                .await
        }
    })
    .await;
    // The flow allows three tries and the card five a day: at most three are checked (two
    // misses told as such, the last ends the flow, unless the card's lock refused it).
    only(
        &seen,
        &[
            (422, "data_not_correct"),
            (429, "too_many_attempts"),
            (429, "key6_locked"),
            (410, "flow_ended"),
        ],
    );
    let in_burst = count(&seen, 422, "data_not_correct");
    assert!(in_burst <= 2, "{seen:?}");
    let (after, _) = wrong_until_refused("data_not_correct", 2, || {
        app.key6(&flow, MARIO_CARD, "000000")
    })
    .await;
    assert!(in_burst + after <= 2, "{in_burst} + {after}");
    let right = app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
    assert!(
        [
            (410, "flow_ended"),
            (429, "too_many_attempts"),
            (429, "key6_locked")
        ]
        .contains(&(right.status, right.code())),
        "the right Key6 after the limit is refused like a wrong one: {:?}",
        right.body
    );
}

async fn x5_a_burst_of_wrong_security_answers_checks_at_most_the_flow_limit(app: TestApp) {
    let app = Arc::new(app);
    let flow = app.flow("email", &LUCA).await;
    let seen = burst(&app, |app, n| {
        let flow = flow.clone();
        async move { app.security_answer(&flow, &format!("Citta {n}")).await }
    })
    .await;
    only(
        &seen,
        &[
            (422, "data_not_correct"),
            (429, "too_many_attempts"),
            (410, "flow_ended"),
        ],
    );
    let in_burst = count(&seen, 422, "data_not_correct");
    let (after, _) =
        wrong_until_refused("data_not_correct", 2, || app.security_answer(&flow, "Roma")).await;
    assert!(in_burst + after <= 2, "{in_burst} + {after}: {seen:?}");
    let right = app.security_answer(&flow, "Bergamo").await;
    assert!(
        [(410, "flow_ended"), (429, "too_many_attempts")].contains(&(right.status, right.code())),
        "{}",
        right.body
    );
}

async fn x5_a_burst_of_wrong_sms_codes_checks_at_most_five(app: TestApp) {
    let started = app
        .start_registration(&ACME_CARD, ACME_CARD.registration_code, "+39 347 000 0001")
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let flow = started.text("flow_id");
    let code = varco_tests::code_in(&app.the_sms().await);
    let app = Arc::new(app);
    let seen = burst(&app, |app, n| {
        let flow = flow.clone();
        async move { app.registration_code(&flow, &format!("{:06}", n)).await }
    })
    .await;
    // Five tries for the code, and the card's ten a day: each counts on its own.
    only(
        &seen,
        &[
            (422, "code_not_correct"),
            (429, "too_many_attempts"),
            (429, "attempts_exhausted"),
            (410, "flow_ended"),
        ],
    );
    let in_burst = count(&seen, 422, "code_not_correct");
    let (after, _) = wrong_until_refused("code_not_correct", 4, || {
        app.registration_code(&flow, "999999")
    })
    .await;
    assert!(in_burst + after <= 4, "{in_burst} + {after}: {seen:?}");
    let right = app.registration_code(&flow, &code).await;
    let refusals = [
        (410, "flow_ended"),
        (429, "too_many_attempts"),
        (429, "attempts_exhausted"),
    ];
    assert!(
        refusals.contains(&(right.status, right.code())),
        "the right code after the burst is refused: {}",
        right.body
    );
}

async fn x5_key6_codes_are_limited_per_card_across_new_flows(app: TestApp) {
    // Five attempts a day per card (the profile's `key6_misses_per_card`), whatever the flow.
    let mut answers = Vec::new();
    for _ in 0..3 {
        let flow = app.flow("password", &MARIO).await;
        for _ in 0..2 {
            answers.push(
                app.key6(&flow, MARIO_CARD, "000000")
                    .await
                    .code()
                    .to_string(),
            );
        }
    }
    assert_eq!(answers[..5], ["data_not_correct"; 5], "{answers:?}");
    assert_eq!(answers[5], "key6_locked", "{answers:?}");
    let flow = app.flow("password", &MARIO).await;
    let right = app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
    assert_eq!((right.status, right.code()), (429, "key6_locked"));
    app.clock.advance(24 * 3600);
    let flow = app.flow("password", &MARIO).await;
    assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);
}

async fn x5_security_answers_are_limited_per_person_across_new_flows(app: TestApp) {
    // Ten a day per person: three flows of three wrong answers, and one more.
    let mut answers = Vec::new();
    for _ in 0..3 {
        let flow = app.flow("email", &LUCA).await;
        for _ in 0..3 {
            answers.push(
                app.security_answer(&flow, "Milano")
                    .await
                    .code()
                    .to_string(),
            );
        }
    }
    let flow = app.flow("email", &LUCA).await;
    answers.push(
        app.security_answer(&flow, "Milano")
            .await
            .code()
            .to_string(),
    );
    let per_flow = ["data_not_correct", "data_not_correct", "too_many_attempts"];
    assert_eq!(answers[..9], per_flow.repeat(3), "{answers:?}");
    assert_eq!(answers[9], "data_not_correct");
    let right = app.security_answer(&flow, "Bergamo").await;
    assert_eq!(
        (right.status, right.code()),
        (429, "attempts_exhausted"),
        "the budget is spent: the right answer is refused, and customer service is named"
    );
    let trail = app
        .deps
        .store
        .query_page(
            &varco_domain::base::keys::audit_log_event(
                varco_domain::base::clock::Clock::now(&app.clock)
                    .0
                    .div_euclid(86_400),
                0,
                "",
            )
            .pk,
            &varco_domain::base::store::Page {
                sk_prefix: "",
                after: None,
                descending: false,
                limit: 500,
            },
        )
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.doc["action"] == "attempts_budget_spent"),
        "the operator's trail records the spent budget"
    );
    app.clock.advance(24 * 3600);
    let flow = app.flow("email", &LUCA).await;
    assert_eq!(app.security_answer(&flow, "Bergamo").await.status, 200);
}

async fn x5_a_burst_of_wrong_registration_codes_locks_the_card(app: TestApp) {
    let app = Arc::new(app);
    let seen = burst(&app, |app, n| async move {
        app.start_registration(
            &ACME_CARD,
            &format!("ACME-7K2Q-{:04}", n),
            "+39 347 000 0001",
        )
        .await
    })
    .await;
    // Five a day per card number, and ten a day per card in all: at most five checked, the
    // others refused by one limit or the other (each counts on its own).
    only(
        &seen,
        &[
            (422, "data_not_correct"),
            (429, "registration_code_locked"),
            (429, "attempts_exhausted"),
        ],
    );
    let in_burst = count(&seen, 422, "data_not_correct");
    let (after, refused) = wrong_until_refused("data_not_correct", 5, || {
        app.start_registration(&ACME_CARD, "ACME-7K2Q-ZZZZ", "+39 347 000 0001")
    })
    .await;
    assert_eq!(
        in_burst + after,
        5,
        "five wrong codes checked in all: {seen:?}"
    );
    assert_eq!(refused.code(), "registration_code_locked");
    let right = app
        .start_registration(&ACME_CARD, ACME_CARD.registration_code, "+39 347 000 0001")
        .await;
    assert_eq!(
        (right.status, right.code()),
        (429, "registration_code_locked")
    );
}

async fn x5_a_trickle_of_failed_logins_never_keeps_the_owner_out(app: TestApp) {
    // One failure from elsewhere every fifteen minutes for a whole day, and the owner
    // logging in every hour: never delayed.
    for quarter in 0..(24 * 4) {
        assert_eq!(app.login(MARIO.email, "Sbagliata-1").await.status, 401);
        app.clock.advance(15 * 60);
        if quarter % 4 == 0 {
            let owner = app.login(MARIO.email, MARIO.password).await;
            assert_eq!(owner.status, 201, "at quarter {quarter}: {}", owner.body);
        }
    }
}

async fn x5_old_passwords_are_limited_per_old_username(app: TestApp) {
    let app = Arc::new(app);
    let seen = burst(&app, |app, n| async move {
        app.start_migration(
            FRANCA.username,
            &format!("Sbagliata-{n}"),
            "+39 347 000 0002",
            "franca.ricci@example.com",
        )
        .await
    })
    .await;
    only(
        &seen,
        &[(422, "data_not_correct"), (429, "attempts_exhausted")],
    );
    assert_eq!(count(&seen, 422, "data_not_correct"), 10, "{seen:?}");
    let right = app
        .start_migration(
            FRANCA.username,
            FRANCA.password,
            "+39 347 000 0002",
            "franca.ricci@example.com",
        )
        .await;
    assert_eq!((right.status, right.code()), (429, "attempts_exhausted"));
}

async fn x5_a_burst_of_wrong_passwords_typed_again_spends_the_account_budget(app: TestApp) {
    let app = Arc::new(app);
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let seen = burst(&app, |app, n| {
        let token = token.clone();
        async move {
            let body = json!({ "current_password": format!("Sbagliata-{n}"), "new_password": "Nuova-Password-Sicura-1" });
            app.change_password(&token, body).await
        }
    })
    .await;
    only(
        &seen,
        &[(403, "current_password_wrong"), (429, "attempts_exhausted")],
    );
    assert_eq!(count(&seen, 403, "current_password_wrong"), 30, "{seen:?}");
    let body =
        json!({ "current_password": MARIO.password, "new_password": "Nuova-Password-Sicura-1" });
    let right = app.change_password(&token, body).await;
    assert_eq!((right.status, right.code()), (429, "attempts_exhausted"));
}

async fn x5_a_refresh_token_raced_or_replayed_ends_the_session(app: TestApp) {
    let app = Arc::new(app);
    let session = app.session(MARIO.email, MARIO.password).await;
    let token = session.text("refresh_token");
    let (a, b) = tokio::join!(app.refresh(&token), app.refresh(&token));
    let won: Vec<&Answer> = [&a, &b].into_iter().filter(|r| r.status == 201).collect();
    assert!(won.len() <= 1, "{a:?} {b:?}");
    assert!(
        [&a, &b].iter().any(|r| r.status == 401),
        "one of two refreshes with one token loses: {a:?} {b:?}"
    );
    // Whoever won, if anyone did, the session is over: its first access token too.
    assert_eq!(
        app.me(&session.text("access_token")).await.status,
        401,
        "the race ended the session"
    );
    for winner in won {
        assert_eq!(
            app.refresh(&winner.text("refresh_token")).await.status,
            401,
            "the race ended the session: the winner's new token too"
        );
        assert_eq!(app.me(&winner.text("access_token")).await.status, 401);
    }
    // Replayed alone, later: the session ends too.
    let session = app.session(MARIO.email, MARIO.password).await;
    let first = session.text("refresh_token");
    let renewed = app.refresh(&first).await;
    assert_eq!(renewed.status, 201);
    assert_eq!(app.refresh(&first).await.status, 401);
    assert_eq!(
        app.refresh(&renewed.text("refresh_token")).await.status,
        401
    );
    assert_eq!(app.me(&renewed.text("access_token")).await.status, 401);
}

on_both_stores!(
    x5_a_burst_of_wrong_key6_codes_checks_at_most_the_flow_limit,
    x5_a_burst_of_wrong_security_answers_checks_at_most_the_flow_limit,
    x5_a_burst_of_wrong_sms_codes_checks_at_most_five,
    x5_key6_codes_are_limited_per_card_across_new_flows,
    x5_security_answers_are_limited_per_person_across_new_flows,
    x5_a_burst_of_wrong_registration_codes_locks_the_card,
    x5_a_trickle_of_failed_logins_never_keeps_the_owner_out,
    x5_old_passwords_are_limited_per_old_username,
    x5_a_burst_of_wrong_passwords_typed_again_spends_the_account_budget,
    x5_a_refresh_token_raced_or_replayed_ends_the_session,
);
