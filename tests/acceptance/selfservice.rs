//! N7, C5, W10: a logged-in person changes their mobile or login email (each confirmed by a
//! code sent to the new one), or deletes their account.

use serde_json::json;
use varco_domain::base::clock::MINUTE;
use varco_domain::limits::outbox::Channel;
use varco_functions::demo::{ACME_CARD, GIULIA, MARIO};
use varco_tests::{code_in, on_both_stores, TestApp};

async fn token(app: &TestApp) -> String {
    app.session(MARIO.email, MARIO.password)
        .await
        .text("access_token")
}

async fn n7_the_mobile_changes_after_a_code_sent_to_the_new_number(app: TestApp) {
    let token = token(&app).await;
    let body = json!({ "password": MARIO.password, "phone": "+39 349 777 8899" });
    let started = app.post_as(&token, "/me/mobile", body).await;
    assert_eq!(
        (started.status, started.text("sent_to").as_str()),
        (202, "+39 349****99"),
        "{}",
        started.body
    );
    let sms = app.the_sms().await;
    assert_eq!(sms.to, "+393497778899", "the code goes to the new number");
    let wrong = if code_in(&sms) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let miss = app
        .post_as(&token, "/me/mobile/code", json!({ "code": wrong }))
        .await;
    assert_eq!((miss.status, miss.code()), (422, "code_not_correct"));
    let done = app
        .post_as(&token, "/me/mobile/code", json!({ "code": code_in(&sms) }))
        .await;
    assert_eq!(done.status, 204, "{}", done.body);
    assert_eq!(app.me(&token).await.body["mobile"], "+39 349****99");
    let again = app
        .post_as(&token, "/me/mobile/code", json!({ "code": code_in(&sms) }))
        .await;
    assert_eq!((again.status, again.code()), (409, "no_pending_change"));
}

async fn n7_a_change_needs_the_password_and_a_code_in_time(app: TestApp) {
    let token = token(&app).await;
    let wrong = app
        .post_as(
            &token,
            "/me/mobile",
            json!({ "password": "not-his", "phone": "+39 349 777 8899" }),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (403, "current_password_wrong")
    );
    let anonymous = app
        .post(
            "/me/mobile",
            json!({ "password": MARIO.password, "phone": "+39 349 777 8899" }),
        )
        .await;
    assert_eq!(anonymous.status, 401);
    let started = app
        .post_as(
            &token,
            "/me/mobile",
            json!({ "password": MARIO.password, "phone": "+39 349 777 8899" }),
        )
        .await;
    assert_eq!(started.status, 202);
    let code = code_in(&app.the_sms().await);
    app.clock.advance(10 * MINUTE);
    let late = app
        .post_as(&token, "/me/mobile/code", json!({ "code": code }))
        .await;
    assert_eq!((late.status, late.code()), (410, "code_expired"));
    assert!(app.me(&token).await.body.get("mobile").is_none());
}

async fn c5_the_login_email_changes_after_a_code_sent_to_the_new_address(app: TestApp) {
    let token = token(&app).await;
    let taken = app
        .post_as(
            &token,
            "/me/email",
            json!({ "password": MARIO.password, "email": GIULIA.email.to_uppercase() }),
        )
        .await;
    assert_eq!((taken.status, taken.code()), (409, "email_taken"));
    let started = app
        .post_as(
            &token,
            "/me/email",
            json!({ "password": MARIO.password, "email": "mario@nuovo.example" }),
        )
        .await;
    assert_eq!(
        (started.status, started.text("sent_to").as_str()),
        (202, "m****o@nuovo.example")
    );
    let email = app.the_sms().await;
    assert_eq!(
        (email.channel, email.to.as_str()),
        (Channel::Email, "mario@nuovo.example"),
        "the code goes by email to the new address"
    );
    let done = app
        .post_as(&token, "/me/email/code", json!({ "code": code_in(&email) }))
        .await;
    assert_eq!(done.status, 204, "{}", done.body);
    assert_eq!(app.me(&token).await.body["email"], "mario@nuovo.example");
    assert_eq!(
        app.login("mario@nuovo.example", MARIO.password)
            .await
            .status,
        201
    );
    let old = app.login(MARIO.email, MARIO.password).await;
    assert_eq!((old.status, old.code()), (401, "invalid_credentials"));

    // The old address is free: someone may register with it.
    let started = app
        .start_registration(&ACME_CARD, ACME_CARD.registration_code, "+39 347 555 0101")
        .await;
    let flow = started.text("flow_id");
    let code = code_in(&app.the_sms().await);
    assert_eq!(app.registration_code(&flow, &code).await.status, 200);
    let registered = app
        .registration_credentials(&flow, MARIO.email, "Girasole-Viola-31")
        .await;
    assert_eq!(registered.status, 201, "{}", registered.body);
}

async fn w10_an_account_deleted_by_its_owner_can_register_again(app: TestApp) {
    let register = |phone: &'static str| {
        let app = &app;
        async move {
            let started = app
                .start_registration(&ACME_CARD, ACME_CARD.registration_code, phone)
                .await;
            let flow = started.text("flow_id");
            let code = code_in(&app.the_sms().await);
            assert_eq!(app.registration_code(&flow, &code).await.status, 200);
            app.registration_credentials(&flow, "sara.conti@acme.example", "Girasole-Viola-31")
                .await
        }
    };
    let session = register("+39 347 555 0101").await;
    assert_eq!(session.status, 201);
    let token = session.text("access_token");
    let wrong = app
        .post_as(&token, "/me/deletion", json!({ "password": "not-hers" }))
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (403, "current_password_wrong")
    );
    let deleted = app
        .post_as(
            &token,
            "/me/deletion",
            json!({ "password": "Girasole-Viola-31" }),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(app.me(&token).await.status, 401);
    assert_eq!(
        app.refresh(&session.text("refresh_token")).await.status,
        401
    );
    assert_eq!(
        app.login("sara.conti@acme.example", "Girasole-Viola-31")
            .await
            .code(),
        "invalid_credentials"
    );
    // The company card and its company are untouched: a new registration works.
    let again = register("+39 347 555 0102").await;
    assert_eq!(again.status, 201, "{}", again.body);
}

async fn r8_a_cardholder_views_the_key6_of_their_card_after_the_password(app: TestApp) {
    let view = |token: String, card: &'static str, password: &'static str| {
        let app = &app;
        async move {
            let body = json!({ "card_number": card, "password": password });
            app.post_as(&token, "/me/cards/key6", body).await
        }
    };
    let mario = token(&app).await;
    let shown = view(mario.clone(), "4111 1111 1111 1111", MARIO.password).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(shown.body, json!({ "last4": "1111", "key6": "482913" }));
    let wrong = view(mario.clone(), "4111111111111111", "not-his").await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (403, "current_password_wrong")
    );
    // Another person's card answers like a wrong number.
    let other = view(mario.clone(), "5555 5555 5555 4444", MARIO.password).await;
    assert_eq!((other.status, other.code()), (422, "data_not_correct"));
    let anonymous = app
        .post(
            "/me/cards/key6",
            json!({ "card_number": "4111111111111111", "password": MARIO.password }),
        )
        .await;
    assert_eq!(anonymous.status, 401);
    // A card the issuer has no Key6 for.
    let giulia = app
        .session(GIULIA.email, GIULIA.password)
        .await
        .text("access_token");
    let none = view(giulia, "4012 8888 8888 1881", GIULIA.password).await;
    assert_eq!((none.status, none.code()), (422, "key6_unavailable"));
    let logs = varco_tests::captured_logs();
    let hits: Vec<&str> = logs
        .lines()
        .filter(|l| crate::logs::holds_token(l, "482913"))
        .collect();
    assert!(hits.is_empty(), "a Key6 shown is never logged: {hits:?}");
}

/// C6: login emails compare canonically (case, and Gmail's dots and `googlemail.com`), so a
/// person is never locked out by how they type their address.
async fn c6_the_login_email_compares_canonically(app: TestApp) {
    let upper = app.login(&MARIO.email.to_uppercase(), MARIO.password).await;
    assert_eq!(upper.status, 201, "{}", upper.body);
    let token = token(&app).await;
    let body = json!({ "password": MARIO.password, "email": "Mario.Rossi@gmail.com" });
    assert_eq!(app.post_as(&token, "/me/email", body).await.status, 202);
    let code = code_in(&app.the_email().await);
    let done = app
        .post_as(&token, "/me/email/code", json!({ "code": code }))
        .await;
    assert_eq!(done.status, 204, "{}", done.body);
    for typed in [
        "Mario.Rossi@gmail.com",
        "mariorossi@gmail.com",
        "mario.rossi@googlemail.com",
        "MARIO.ROSSI@GMAIL.COM",
    ] {
        let login = app.login(typed, MARIO.password).await;
        assert_eq!(login.status, 201, "{typed}: {}", login.body);
    }
    // And another account cannot take the same address in another spelling.
    let giulia = app
        .session(GIULIA.email, GIULIA.password)
        .await
        .text("access_token");
    let body = json!({ "password": GIULIA.password, "email": "mariorossi@googlemail.com" });
    let taken = app.post_as(&giulia, "/me/email", body).await;
    assert_eq!((taken.status, taken.code()), (409, "email_taken"));
}

/// W11 belongs to the telco portals: here a logged-in person is told it is not offered, and
/// anyone without a token is asked to log in first.
async fn w11_sims_are_not_associated_on_a_card_portal(app: TestApp) {
    let body = json!({ "line": "+393475550212", "password": MARIO.password });
    let anonymous = app.post("/me/lines", body.clone()).await;
    assert_eq!(
        (anonymous.status, anonymous.code()),
        (401, "unauthenticated")
    );
    let token = token(&app).await;
    let answer = app.post_as(&token, "/me/lines", body).await;
    assert_eq!((answer.status, answer.code()), (404, "not_offered"));
}

on_both_stores!(
    c6_the_login_email_compares_canonically,
    r8_a_cardholder_views_the_key6_of_their_card_after_the_password,
    w11_sims_are_not_associated_on_a_card_portal,
    n7_the_mobile_changes_after_a_code_sent_to_the_new_number,
    n7_a_change_needs_the_password_and_a_code_in_time,
    c5_the_login_email_changes_after_a_code_sent_to_the_new_address,
    w10_an_account_deleted_by_its_owner_can_register_again,
);
