//! Login sessions: a short-lived access token and a single-use refresh token; logout; the
//! end of every session when the password changes or the session's time is up.

use serde_json::json;
use varco_domain::clock::{DAY, MINUTE};
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

/// Moves the clock to the start of the next login window (`[attempts]`: 15 minutes).
fn to_next_window(app: &TestApp, window: i64) {
    let now = varco_domain::clock::Clock::now(&app.clock).0;
    app.clock.advance(window - now.rem_euclid(window));
}

const WINDOW: i64 = 15 * 60;

/// `times` wrong passwords, each told as such.
async fn fail(app: &TestApp, email: &str, times: usize) {
    for attempt in 1..=times {
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

async fn sessions_ten_failed_logins_in_a_window_delay_the_name_until_it_ends(app: TestApp) {
    to_next_window(&app, WINDOW);
    fail(&app, MARIO.email, 10).await;
    // Even the right password waits: the delay is on the name, not on a guess.
    assert_eq!(
        delayed(&app.login(MARIO.email, MARIO.password).await),
        WINDOW
    );
    app.clock.advance(WINDOW - 1);
    assert_eq!(delayed(&app.login(MARIO.email, "Sbagliata-123").await), 1);
    // Refused attempts did not make the wait longer: the next window starts afresh.
    app.clock.advance(1);
    assert_eq!(app.login(MARIO.email, MARIO.password).await.status, 201);
}

async fn sessions_the_owners_own_logins_spend_nothing(app: TestApp) {
    to_next_window(&app, WINDOW);
    fail(&app, MARIO.email, 9).await;
    for _ in 0..5 {
        assert_eq!(app.login(MARIO.email, MARIO.password).await.status, 201);
    }
    fail(&app, MARIO.email, 1).await;
    delayed(&app.login(MARIO.email, MARIO.password).await);
}

async fn sessions_a_hundred_failures_in_a_day_close_the_name_until_the_day_ends(app: TestApp) {
    to_next_window(&app, 24 * 3600);
    for _ in 0..10 {
        fail(&app, MARIO.email, 10).await;
        app.clock.advance(WINDOW);
    }
    let wait = delayed(&app.login(MARIO.email, MARIO.password).await);
    assert_eq!(wait, 24 * 3600 - 10 * WINDOW, "until the day ends (UTC)");
    app.clock.advance(wait);
    assert_eq!(app.login(MARIO.email, MARIO.password).await.status, 201);
}

async fn sessions_a_delay_on_one_name_leaves_other_names_alone(app: TestApp) {
    to_next_window(&app, WINDOW);
    fail(&app, MARIO.email, 10).await;
    delayed(&app.login(MARIO.email, MARIO.password).await);
    assert_eq!(app.login(GIULIA.email, GIULIA.password).await.status, 201);
}

async fn x6_unknown_login_names_are_delayed_like_known_ones(app: TestApp) {
    let unknown = "nessuno.qui@example.it";
    let mut answers = Vec::new();
    for email in [MARIO.email, unknown] {
        to_next_window(&app, WINDOW);
        fail(&app, email, 10).await;
        let first = app.login(email, "Sbagliata-123").await;
        app.clock.advance(WINDOW - 60);
        let again = app.login(email, "Sbagliata-123").await;
        answers.push([first, again].map(|a| {
            (
                a.status,
                a.body["code"].clone(),
                a.body["retry_after"].clone(),
            )
        }));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][1].2, 60);
}

on_both_stores!(
    sessions_ten_failed_logins_in_a_window_delay_the_name_until_it_ends,
    sessions_the_owners_own_logins_spend_nothing,
    sessions_a_hundred_failures_in_a_day_close_the_name_until_the_day_ends,
    sessions_a_delay_on_one_name_leaves_other_names_alone,
    x6_unknown_login_names_are_delayed_like_known_ones,
    sessions_a_refresh_token_renews_the_session_once,
    sessions_garbage_refresh_tokens_are_401_not_errors,
    sessions_logout_ends_the_access_and_the_refresh_token,
    sessions_all_end_when_the_password_changes,
    sessions_end_thirty_days_after_login_whatever_the_refreshes,
    sessions_a_refresh_without_its_token_is_a_clear_400,
);
