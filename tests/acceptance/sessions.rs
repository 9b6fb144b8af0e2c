//! Login sessions: a short-lived access token and a single-use refresh token; logout; the
//! end of every session when the password changes or the session's time is up.

use serde_json::json;
use varco_domain::base::clock::{DAY, MINUTE};
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

/// The session's ids are in every access token (`sub`, `sid`): whoever sees one can name the
/// session, but without its secret ends nothing. A used token of the session, presented
/// again, still ends it.
async fn x9_a_forged_refresh_token_naming_a_live_session_ends_nothing(app: TestApp) {
    let session = app.session(MARIO.email, MARIO.password).await;
    let claims = varco_tests::claims_of(&session.text("access_token"));
    let (sub, sid) = (
        claims["sub"].as_str().unwrap(),
        claims["sid"].as_str().unwrap(),
    );
    for secret in ["AAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", "guess-1"] {
        let forged = app.refresh(&format!("{sub}.{sid}.{secret}")).await;
        assert_eq!((forged.status, forged.code()), (401, "unauthenticated"));
    }
    assert_eq!(app.me(&session.text("access_token")).await.status, 200);
    let renewed = app.refresh(&session.text("refresh_token")).await;
    assert_eq!(renewed.status, 201, "{}", renewed.body);
    // The used one, replayed: a copy exists, the session ends.
    assert_eq!(
        app.refresh(&session.text("refresh_token")).await.status,
        401
    );
    assert_eq!(
        app.refresh(&renewed.text("refresh_token")).await.status,
        401
    );
    assert_eq!(app.me(&renewed.text("access_token")).await.status, 401);
}

/// X9: an account holds at most ten sessions; an eleventh login ends the oldest, so that
/// every login does not add to what deleting the account must delete.
async fn x9_an_account_holds_ten_sessions_and_a_new_one_ends_the_oldest(app: TestApp) {
    let mut sessions = Vec::new();
    for _ in 0..12 {
        sessions.push(app.session(MARIO.email, MARIO.password).await);
        app.clock.advance(1);
    }
    for (n, session) in sessions.iter().enumerate() {
        let refreshed = app.refresh(&session.text("refresh_token")).await;
        let expected = if n < 2 { 401 } else { 201 };
        assert_eq!(
            refreshed.status, expected,
            "session {n}: {}",
            refreshed.body
        );
    }
    // The account goes with its sessions, in one write.
    let last = app.session(MARIO.email, MARIO.password).await;
    let deleted = app
        .post_as(
            &last.text("access_token"),
            "/me/deletion",
            json!({ "password": MARIO.password }),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(
        app.login(MARIO.email, MARIO.password).await.code(),
        "invalid_credentials"
    );
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

async fn sessions_the_owners_own_logins_spend_nothing(app: TestApp) {
    // At the start of a window (`[attempts]`: 15 minutes).
    let now = varco_domain::base::clock::Clock::now(&app.clock).0;
    app.clock.advance(15 * 60 - now.rem_euclid(15 * 60));
    for _ in 0..9 {
        assert_eq!(
            app.login(MARIO.email, "Sbagliata-123").await.code(),
            "invalid_credentials"
        );
    }
    for _ in 0..5 {
        assert_eq!(app.login(MARIO.email, MARIO.password).await.status, 201);
    }
    assert_eq!(
        app.login(MARIO.email, "Sbagliata-123").await.code(),
        "invalid_credentials"
    );
    // The window's ten are failures: the next attempt, the owner's too, needs a captcha.
    let asked = app.login(MARIO.email, MARIO.password).await;
    assert_eq!((asked.status, asked.code()), (403, "captcha_required"));
    assert_eq!(
        app.login(GIULIA.email, GIULIA.password).await.status,
        201,
        "other names are untouched"
    );
}

/// A person sees where they are logged in: their live sessions, newest first, the one they
/// ask from marked; a session logged out is not among them; nobody reads the list without
/// a token.
async fn sessions_a_person_lists_their_sessions_newest_first_the_current_marked(app: TestApp) {
    let phone = app.session(MARIO.email, MARIO.password).await;
    app.clock.advance(MINUTE);
    let laptop = app.session(MARIO.email, MARIO.password).await;
    app.clock.advance(MINUTE);
    let tablet = app.session(MARIO.email, MARIO.password).await;
    let sid = |session: &varco_tests::Answer| {
        varco_tests::claims_of(&session.text("access_token"))["sid"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let list = |token: String| {
        let app = &app;
        async move {
            app.as_user(reqwest::Method::GET, &token, "/me/sessions")
                .await
        }
    };
    let listed = list(laptop.text("access_token")).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let sessions = listed.body["sessions"].as_array().unwrap().clone();
    let ids: Vec<&str> = sessions.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [sid(&tablet), sid(&laptop), sid(&phone)]);
    let current: Vec<bool> = sessions.iter().map(|s| s["current"] == true).collect();
    assert_eq!(current, [false, true, false]);
    assert!(sessions[0]["created_at"].as_i64() > sessions[1]["created_at"].as_i64());
    assert!(sessions[2]["expires_at"].as_i64() > sessions[0]["created_at"].as_i64());

    assert_eq!(app.logout(&tablet.text("access_token")).await.status, 204);
    let after = list(phone.text("access_token")).await;
    let ids: Vec<&str> = after.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [sid(&laptop), sid(&phone)], "logged out, it is gone");

    let nobody = app.as_user(reqwest::Method::GET, "", "/me/sessions").await;
    assert_eq!((nobody.status, nobody.code()), (401, "unauthenticated"));
}

/// M8: from the list, a person ends one of their sessions, then all but the one in use;
/// another person's session id ends nothing.
async fn m8_a_person_ends_one_session_then_all_others(app: TestApp) {
    let phone = app.session(MARIO.email, MARIO.password).await;
    let laptop = app.session(MARIO.email, MARIO.password).await;
    let tablet = app.session(MARIO.email, MARIO.password).await;
    let giulia = app.session(GIULIA.email, GIULIA.password).await;
    let sid = |session: &varco_tests::Answer| {
        varco_tests::claims_of(&session.text("access_token"))["sid"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let token = laptop.text("access_token");
    let listed = app
        .as_user(reqwest::Method::GET, &token, "/me/sessions")
        .await;
    assert_eq!(listed.body["sessions"][0]["amr"], json!(["pwd"]));

    let ended = app
        .as_user(
            reqwest::Method::DELETE,
            &token,
            &format!("/me/sessions/{}", sid(&phone)),
        )
        .await;
    assert_eq!(ended.status, 204, "{}", ended.body);
    assert_eq!(app.me(&phone.text("access_token")).await.status, 401);
    assert_eq!(app.refresh(&phone.text("refresh_token")).await.status, 401);
    assert_eq!(app.me(&token).await.status, 200);
    // Someone else's session, named by its id: nothing ends.
    let other = app
        .as_user(
            reqwest::Method::DELETE,
            &token,
            &format!("/me/sessions/{}", sid(&giulia)),
        )
        .await;
    assert_eq!(other.status, 204);
    assert_eq!(app.me(&giulia.text("access_token")).await.status, 200);

    let all = app
        .as_user(reqwest::Method::DELETE, &token, "/me/sessions")
        .await;
    assert_eq!(all.status, 204, "{}", all.body);
    assert_eq!(app.me(&tablet.text("access_token")).await.status, 401);
    assert_eq!(app.me(&token).await.status, 200, "the one asking stays");
    let left = app
        .as_user(reqwest::Method::GET, &token, "/me/sessions")
        .await;
    assert_eq!(left.body["sessions"].as_array().unwrap().len(), 1);
}

/// M8: each session says where it was opened (the browser and system, the address's
/// network, never the address) and when it was last used, so that a person can tell theirs
/// from someone else's.
async fn m8_each_session_says_where_it_was_opened_and_when_it_was_last_used(app: TestApp) {
    const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    let body = json!({ "email": MARIO.email, "password": MARIO.password });
    let phone = app
        .request(
            reqwest::Method::POST,
            "/sessions",
            Some(body),
            &[("user-agent", ANDROID)],
        )
        .await;
    assert_eq!(phone.status, 201, "{}", phone.body);
    app.session(MARIO.email, MARIO.password).await;
    app.clock.advance(20 * MINUTE);
    let refreshed_at = varco_domain::base::clock::Clock::now(&app.clock).0;
    let refreshed = app.refresh(&phone.text("refresh_token")).await;
    assert_eq!(refreshed.status, 201, "{}", refreshed.body);
    let listed = app
        .as_user(
            reqwest::Method::GET,
            &refreshed.text("access_token"),
            "/me/sessions",
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let sid = varco_tests::claims_of(&phone.text("access_token"))["sid"].clone();
    let sessions = listed.body["sessions"].as_array().unwrap();
    let on_phone = sessions
        .iter()
        .find(|s| s["id"] == sid)
        .expect("the phone's session");
    assert_eq!(on_phone["device"], "Chrome, Android", "{on_phone}");
    assert_eq!(on_phone["network"], "127.0.0.0/24", "{on_phone}");
    assert_eq!(on_phone["last_used_at"], refreshed_at, "{on_phone}");
    assert!(
        !listed.body.to_string().contains("127.0.0.1"),
        "never the address"
    );
}

on_both_stores!(
    sessions_the_owners_own_logins_spend_nothing,
    sessions_a_refresh_token_renews_the_session_once,
    sessions_garbage_refresh_tokens_are_401_not_errors,
    sessions_logout_ends_the_access_and_the_refresh_token,
    sessions_all_end_when_the_password_changes,
    sessions_end_thirty_days_after_login_whatever_the_refreshes,
    sessions_a_refresh_without_its_token_is_a_clear_400,
);

/// X9 again through the Lambda entrypoint (API Gateway's events), on both stores.
mod x9 {
    use super::*;
    varco_tests::on_both_stores!(
        through_lambda_too;
        x9_a_forged_refresh_token_naming_a_live_session_ends_nothing,
        x9_an_account_holds_ten_sessions_and_a_new_one_ends_the_oldest,
    );
}

/// The list of one's sessions through the Lambda entrypoint too, on both stores.
mod listed {
    use super::*;
    varco_tests::on_both_stores!(
        through_lambda_too;
        sessions_a_person_lists_their_sessions_newest_first_the_current_marked,
    );
}

/// M8 through the Lambda entrypoint too, on both stores.
mod m8 {
    use super::*;
    varco_tests::on_both_stores!(
        through_lambda_too;
        m8_a_person_ends_one_session_then_all_others,
        m8_each_session_says_where_it_was_opened_and_when_it_was_last_used,
    );
}
