//! Login sessions: a short-lived access token and a single-use refresh token; logout; the
//! end of every session when the password changes or the session's time is up.

use serde_json::json;
use varco_domain::clock::{DAY, HOUR, MINUTE};
use varco_functions::demo::{GIULIA, MARIO};
use varco_tests::{on_both_stores, TestApp};

async fn sessions_a_refresh_token_renews_the_session_once(app: TestApp) {
    let session = app.session(MARIO.email, MARIO.password).await;
    assert_eq!(session.body["scope"], "account");
    let first = session.text("refresh_token");

    // The access token lasts fifteen minutes; the refresh token outlives it.
    app.clock.advance(15 * MINUTE);
    assert_eq!(
        app.me(&session.text("access_token")).await.code(),
        "unauthenticated"
    );
    let renewed = app.refresh(&first).await;
    assert_eq!(renewed.status, 201, "{}", renewed.body);
    assert_ne!(renewed.text("refresh_token"), first);
    assert_eq!(
        renewed.body["refresh_expires_at"], session.body["refresh_expires_at"],
        "a refresh rotates the token, not the session's end"
    );
    let me = app.me(&renewed.text("access_token")).await;
    assert_eq!(
        (me.status, me.text("email")),
        (200, MARIO.email.to_string())
    );

    // The used token presented again: someone else has it. The session ends for both.
    let replayed = app.refresh(&first).await;
    assert_eq!((replayed.status, replayed.code()), (401, "unauthenticated"));
    let after = app.refresh(&renewed.text("refresh_token")).await;
    assert_eq!((after.status, after.code()), (401, "unauthenticated"));
    assert_eq!(app.me(&renewed.text("access_token")).await.status, 401);

    // Another login is another session, untouched.
    let other = app.session(MARIO.email, MARIO.password).await;
    assert_eq!(app.refresh(&other.text("refresh_token")).await.status, 201);
}

async fn sessions_garbage_refresh_tokens_are_401_not_errors(app: TestApp) {
    for token in [
        "",
        "x",
        "a.b.c",
        "a.b.c.d",
        "../../etc.passwd.x",
        &"a".repeat(300),
    ] {
        let answer = app.refresh(token).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "unauthenticated"),
            "{token:?}"
        );
    }
    let session = app.session(GIULIA.email, GIULIA.password).await;
    let token = session.text("refresh_token");
    let (head, _) = token.rsplit_once('.').unwrap();
    let forged = app
        .refresh(&format!("{head}.AAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .await;
    assert_eq!(forged.status, 401);
}

async fn sessions_logout_ends_the_access_and_the_refresh_token(app: TestApp) {
    let session = app.session(MARIO.email, MARIO.password).await;
    let other = app.session(MARIO.email, MARIO.password).await;
    let token = session.text("access_token");
    assert_eq!(app.logout(&token).await.status, 204);
    assert_eq!(app.me(&token).await.code(), "unauthenticated");
    assert_eq!(
        app.refresh(&session.text("refresh_token")).await.status,
        401
    );
    assert_eq!(
        app.logout(&token).await.status,
        401,
        "the token ended with its session"
    );
    assert_eq!(
        app.me(&other.text("access_token")).await.status,
        200,
        "logging out ends this session only"
    );
    assert_eq!(app.logout("").await.status, 401);
}

async fn sessions_all_end_when_the_password_changes(app: TestApp) {
    let phone = app.session(MARIO.email, MARIO.password).await;
    let laptop = app.session(MARIO.email, MARIO.password).await;
    let change =
        json!({ "current_password": MARIO.password, "new_password": "Nuova-Password-Sicura-1" });
    assert_eq!(
        app.change_password(&laptop.text("access_token"), change)
            .await
            .status,
        204
    );
    for session in [&phone, &laptop] {
        assert_eq!(app.me(&session.text("access_token")).await.status, 401);
        assert_eq!(
            app.refresh(&session.text("refresh_token")).await.status,
            401
        );
    }
    app.session(MARIO.email, "Nuova-Password-Sicura-1").await;
}

async fn sessions_end_thirty_days_after_login_whatever_the_refreshes(app: TestApp) {
    let session = app.session(MARIO.email, MARIO.password).await;
    let mut token = session.text("refresh_token");
    for _ in 0..3 {
        app.clock.advance(9 * DAY);
        let renewed = app.refresh(&token).await;
        assert_eq!(renewed.status, 201, "{}", renewed.body);
        token = renewed.text("refresh_token");
    }
    app.clock.advance(3 * DAY);
    assert_eq!(app.refresh(&token).await.status, 401);
}

async fn sessions_a_refresh_without_its_token_is_a_clear_400(app: TestApp) {
    let answer = app.post("/sessions/refresh", json!({ "token": "x" })).await;
    assert_eq!((answer.status, answer.code()), (400, "malformed_body"));
}

/// Five wrong passwords, then the next attempt (even with the right password) waits.
async fn fail_five_times(app: &TestApp, email: &str) {
    for attempt in 1..=5 {
        let answer = app.login(email, "Sbagliata-123").await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "invalid_credentials"),
            "attempt {attempt}"
        );
    }
}

fn delayed(answer: &varco_tests::Answer) -> i64 {
    assert_eq!(
        (answer.status, answer.code()),
        (429, "login_delayed"),
        "{}",
        answer.body
    );
    let seconds = answer.body["retry_after"].as_i64().unwrap();
    assert_eq!(
        answer.retry_after.as_deref(),
        Some(seconds.to_string().as_str())
    );
    seconds
}

async fn sessions_failed_logins_delay_the_next_attempt_more_each_time_up_to_a_cap(app: TestApp) {
    fail_five_times(&app, MARIO.email).await;
    // Even the right password waits: the delay is on the name, not on a guess.
    assert_eq!(delayed(&app.login(MARIO.email, MARIO.password).await), 30);
    app.clock.advance(29);
    assert_eq!(delayed(&app.login(MARIO.email, MARIO.password).await), 1);
    app.clock.advance(1);
    // Each further failure doubles the wait, up to fifteen minutes; refused attempts during
    // the wait do not make it longer.
    let mut waits = Vec::new();
    for _ in 0..7 {
        assert_eq!(
            app.login(MARIO.email, "Sbagliata-123").await.code(),
            "invalid_credentials"
        );
        let wait = delayed(&app.login(MARIO.email, "Sbagliata-123").await);
        waits.push(wait);
        app.clock.advance(wait);
    }
    assert_eq!(waits, [60, 120, 240, 480, 900, 900, 900]);
    // Never a lockout: after the wait, the right password opens a session and the count
    // starts again.
    let session = app.login(MARIO.email, MARIO.password).await;
    assert_eq!(session.status, 201, "{}", session.body);
    assert_eq!(
        app.login(MARIO.email, "Sbagliata-123").await.code(),
        "invalid_credentials"
    );
    assert_eq!(app.login(MARIO.email, MARIO.password).await.status, 201);
}

async fn sessions_failed_logins_are_forgotten_after_an_hour_without_one(app: TestApp) {
    for _ in 0..4 {
        assert_eq!(app.login(MARIO.email, "Sbagliata-123").await.status, 401);
    }
    app.clock.advance(HOUR);
    for _ in 0..4 {
        assert_eq!(app.login(MARIO.email, "Sbagliata-123").await.status, 401);
    }
    assert_eq!(app.login(MARIO.email, MARIO.password).await.status, 201);
}

async fn sessions_a_delay_on_one_name_leaves_other_names_alone(app: TestApp) {
    fail_five_times(&app, MARIO.email).await;
    delayed(&app.login(MARIO.email, MARIO.password).await);
    assert_eq!(app.login(GIULIA.email, GIULIA.password).await.status, 201);
}

async fn x6_unknown_login_names_are_delayed_like_known_ones(app: TestApp) {
    let unknown = "nessuno.qui@example.it";
    let mut answers = Vec::new();
    for email in [MARIO.email, unknown] {
        fail_five_times(&app, email).await;
        let first = app.login(email, "Sbagliata-123").await;
        app.clock.advance(30);
        let after = app.login(email, "Sbagliata-123").await;
        let again = app.login(email, "Sbagliata-123").await;
        answers.push([first, after, again].map(|a| {
            (
                a.status,
                a.body["code"].clone(),
                a.body["retry_after"].clone(),
            )
        }));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][2].2, 60);
}

on_both_stores!(
    sessions_failed_logins_delay_the_next_attempt_more_each_time_up_to_a_cap,
    sessions_failed_logins_are_forgotten_after_an_hour_without_one,
    sessions_a_delay_on_one_name_leaves_other_names_alone,
    x6_unknown_login_names_are_delayed_like_known_ones,
    sessions_a_refresh_token_renews_the_session_once,
    sessions_garbage_refresh_tokens_are_401_not_errors,
    sessions_logout_ends_the_access_and_the_refresh_token,
    sessions_all_end_when_the_password_changes,
    sessions_end_thirty_days_after_login_whatever_the_refreshes,
    sessions_a_refresh_without_its_token_is_a_clear_400,
);
