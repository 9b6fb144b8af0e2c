//! M3: passkeys. A person adds one (the password again, then the authenticator's answer),
//! names it, sees it, removes it; a login with the password asks for it as the second
//! step; a passkey alone logs in with two factors. Each ceremony's state is good for one
//! answer and 5 minutes.

use super::{amr, first_factor};
use serde_json::{json, Value};
use std::sync::Arc;
use varco_domain::base::clock::MINUTE;
use varco_functions::demo::{LUCA, MARIO};
use varco_tests::passkey::{Authenticator, Passkey, ORIGIN};
use varco_tests::{burst, claims_of, seen_count, Answer, TestApp};

/// Adds a passkey named `name` for the person logged in with `token`, made by
/// `authenticator`: the answer of `POST /me/passkeys`.
pub(crate) async fn add_passkey(
    app: &TestApp,
    token: &str,
    password: &str,
    authenticator: &Authenticator,
    name: &str,
) -> Answer {
    let started = app
        .post_as(
            token,
            "/me/passkeys/registration",
            json!({ "password": password }),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let credential = authenticator.register(&started.body["options"], ORIGIN);
    app.post_as(
        token,
        "/me/passkeys",
        json!({ "flow_id": started.text("flow_id"), "name": name, "credential": credential }),
    )
    .await
}

/// A login by passkey begun: the flow and the options for the authenticator.
async fn passkey_login_started(app: &TestApp) -> (String, Value) {
    let started = app.post("/passkey-logins", json!({})).await;
    assert_eq!(started.status, 201, "{}", started.body);
    (started.text("flow_id"), started.body["options"].clone())
}

/// A login by `passkey` alone, its answer signed for `origin` (`verified`: unlocked by its
/// person): the answer of `POST /passkey-logins/{flow_id}`.
pub(crate) async fn log_in_with(
    app: &TestApp,
    passkey: &Passkey,
    origin: &str,
    verified: bool,
) -> Answer {
    let (flow, options) = passkey_login_started(app).await;
    let answer = passkey.assert(&options, origin, verified);
    app.post(
        &format!("/passkey-logins/{flow}"),
        json!({ "credential": answer }),
    )
    .await
}

/// Mario, logged in, with a passkey on `phone`: his token.
async fn mario_with_a_passkey(app: &TestApp, phone: &Authenticator) -> String {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let added = add_passkey(app, &token, MARIO.password, phone, "Telefono").await;
    assert_eq!(added.status, 201, "{}", added.body);
    token
}

async fn m3_a_passkey_is_added_named_and_listed_then_asked_at_login_and_logs_in_alone(
    app: TestApp,
) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let wrong = app
        .post_as(
            &token,
            "/me/passkeys/registration",
            json!({ "password": "not-it" }),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (403, "current_password_wrong")
    );

    let phone = Authenticator::default();
    let added = add_passkey(&app, &token, MARIO.password, &phone, "  Telefono di Mario ").await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.body["passkey"]["name"], "Telefono di Mario");
    let codes = added.body["recovery_codes"]
        .as_array()
        .expect("the first factor's codes");
    assert_eq!(codes.len(), 10);
    let factors = app.me(&token).await.body["second_factors"].clone();
    assert_eq!(factors["passkeys"][0]["name"], "Telefono di Mario");
    assert_eq!(factors["recovery_codes_left"], 10);
    let told = app.deliver_messages().await;
    assert!(
        told.iter()
            .any(|m| m.to == MARIO.email && m.body.contains("nuova passkey")),
        "the person is told: {told:?}"
    );

    // A second passkey: no new recovery codes (the set is the account's, not the passkey's).
    let key = Authenticator::default();
    let second = add_passkey(&app, &token, MARIO.password, &key, "YubiKey").await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert!(
        second.body.get("recovery_codes").is_none(),
        "{}",
        second.body
    );

    // The password is now the first of two steps, and the passkey is on offer.
    let login = app.login(MARIO.email, MARIO.password).await;
    assert_eq!(login.status, 202, "{}", login.body);
    assert!(login.body["factors"]
        .as_array()
        .unwrap()
        .contains(&json!("passkey")));
    let answer = key
        .last()
        .assert(&login.body["passkey_options"], ORIGIN, true);
    let flow = login.text("flow_id");
    let session = app
        .post(
            &format!("/logins/{flow}/passkey"),
            json!({ "credential": answer }),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
    assert_eq!(amr(&session), json!(["pwd", "hwk", "mfa"]));

    // A passkey alone: two factors, by the passkey's user verification.
    let alone = log_in_with(&app, &phone.last(), ORIGIN, true).await;
    assert_eq!(alone.status, 201, "{}", alone.body);
    let claims = claims_of(&alone.text("access_token"));
    assert_eq!(claims["amr"], json!(["hwk", "mfa"]));
    assert_eq!(claims["acr"], "aal2");
    assert_eq!(claims["sub"], app.me(&token).await.body["id"]);
    let listed = app.me(&token).await.body["second_factors"]["passkeys"].clone();
    assert!(
        listed[0]["last_used_at"].is_i64(),
        "when it was last used: {listed}"
    );
}

async fn m3_a_ceremony_is_good_for_one_answer_and_five_minutes(app: TestApp) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let phone = Authenticator::default();
    let started = app
        .post_as(
            &token,
            "/me/passkeys/registration",
            json!({ "password": MARIO.password }),
        )
        .await;
    let credential = phone.register(&started.body["options"], ORIGIN);
    let body =
        json!({ "flow_id": started.text("flow_id"), "name": "Telefono", "credential": credential });
    assert_eq!(
        app.post_as(&token, "/me/passkeys", body.clone())
            .await
            .status,
        201
    );
    let again = app.post_as(&token, "/me/passkeys", body).await;
    assert_eq!(
        (again.status, again.code()),
        (410, "flow_ended"),
        "{}",
        again.body
    );
    // The same credential registered again, to a new ceremony: refused (the account's
    // passkeys are the ceremony's exclusions).
    let started = app
        .post_as(
            &token,
            "/me/passkeys/registration",
            json!({ "password": MARIO.password }),
        )
        .await;
    let credential = phone.register_again(&started.body["options"], ORIGIN, &phone.last());
    let body =
        json!({ "flow_id": started.text("flow_id"), "name": "Copia", "credential": credential });
    let twice = app.post_as(&token, "/me/passkeys", body).await;
    assert_eq!(
        (twice.status, twice.code()),
        (400, "passkey_not_verified"),
        "{}",
        twice.body
    );

    // One answer to one login ceremony, sent ten times at once: one session.
    let (flow, options) = passkey_login_started(&app).await;
    let answer = phone.last().assert(&options, ORIGIN, true);
    let app = Arc::new(app);
    let path = format!("/passkey-logins/{flow}");
    let seen = burst(&app, 10, |app, _| {
        let (path, answer) = (path.clone(), answer.clone());
        async move { app.post(&path, json!({ "credential": answer })).await }
    })
    .await;
    assert_eq!(seen_count(&seen, 201, ""), 1, "{seen:?}");

    // An answer after 5 minutes: the ceremony is over.
    let (flow, options) = passkey_login_started(&app).await;
    app.clock.advance(5 * MINUTE);
    let late = app
        .post(
            &format!("/passkey-logins/{flow}"),
            json!({ "credential": phone.last().assert(&options, ORIGIN, true) }),
        )
        .await;
    assert_eq!(
        (late.status, late.code()),
        (410, "flow_expired"),
        "{}",
        late.body
    );
}

async fn m3_a_wrong_answer_ends_the_ceremony_and_never_locks_out_the_owner(app: TestApp) {
    let phone = Authenticator::default();
    mario_with_a_passkey(&app, &phone).await;
    let mario = phone.last();

    // Not unlocked by its person (no user verification): refused, and that ceremony is spent.
    let (flow, options) = passkey_login_started(&app).await;
    let path = format!("/passkey-logins/{flow}");
    let unverified = app
        .post(
            &path,
            json!({ "credential": mario.assert(&options, ORIGIN, false) }),
        )
        .await;
    assert_eq!(
        (unverified.status, unverified.code()),
        (400, "passkey_not_verified")
    );
    let after = app
        .post(
            &path,
            json!({ "credential": mario.assert(&options, ORIGIN, true) }),
        )
        .await;
    assert_eq!((after.status, after.code()), (410, "flow_ended"));

    // Another site's page: refused.
    let phished = log_in_with(&app, &mario, "https://varco-login.example", true).await;
    assert_eq!(
        (phished.status, phished.code()),
        (400, "passkey_not_verified")
    );

    // A stranger's key that claims to be Mario's, thirty times at once: every answer is
    // refused, and Mario's own passkey logs in right after.
    let forged = Arc::new(Passkey::forged(&mario.user_handle));
    let app = Arc::new(app);
    let seen = burst(&app, 30, |app, _| {
        let forged = forged.clone();
        async move { log_in_with(&app, &forged, ORIGIN, true).await }
    })
    .await;
    assert_eq!(
        seen_count(&seen, 400, "passkey_not_verified"),
        30,
        "{seen:?}"
    );
    let owner = log_in_with(&app, &mario, ORIGIN, true).await;
    assert_eq!(owner.status, 201, "{}", owner.body);
    // And the password with the passkey still logs in: nothing was counted against Mario.
    let login = app.login(MARIO.email, MARIO.password).await;
    assert_eq!(login.status, 202, "{}", login.body);
}

async fn m3_removing_the_last_passkey_takes_the_second_step_away_and_the_passkey_logs_in_no_more(
    app: TestApp,
) {
    let token = app
        .session(LUCA.email, LUCA.password)
        .await
        .text("access_token");
    let phone = Authenticator::default();
    let added = add_passkey(&app, &token, LUCA.password, &phone, "Telefono").await;
    assert_eq!(added.status, 201, "{}", added.body);
    let id = added.body["passkey"]["id"].as_str().unwrap().to_string();
    let flow = first_factor(&app, LUCA.email, LUCA.password).await;
    assert!(!flow.is_empty());

    let path = format!("/me/passkeys/{id}/removal");
    let wrong = app
        .post_as(&token, &path, json!({ "password": "not-it" }))
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (403, "current_password_wrong")
    );
    let removed = app
        .post_as(&token, &path, json!({ "password": LUCA.password }))
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    let again = app
        .post_as(&token, &path, json!({ "password": LUCA.password }))
        .await;
    assert_eq!((again.status, again.code()), (404, "passkey_not_found"));
    let factors = app.me(&token).await.body["second_factors"].clone();
    assert_eq!(factors["passkeys"], json!([]));
    assert_eq!(
        factors["recovery_codes_left"], 0,
        "the codes go with the last factor"
    );
    assert_eq!(app.login(LUCA.email, LUCA.password).await.status, 201);

    let gone = log_in_with(&app, &phone.last(), ORIGIN, true).await;
    assert_eq!((gone.status, gone.code()), (400, "passkey_not_verified"));
}

/// Logins by passkey begun from one address, thirty at once against a budget of 5: five
/// ceremonies, the rest `source_limit`; the owner, from their own address, logs in with
/// their passkey, and the address's password logins are not touched.
async fn m3_logins_by_passkey_from_one_address_are_bounded_and_the_owner_still_gets_in(
    backend: varco_tests::Backend,
) {
    let app = TestApp::spawn_tuned(backend, "card-issuer", |deps| {
        std::sync::Arc::make_mut(&mut deps.profile)
            .attempts
            .logins_per_source_per_day = 5;
    })
    .await;
    let phone = Authenticator::default();
    mario_with_a_passkey(&app, &phone).await;
    let app = Arc::new(app);
    let seen = burst(&app, 30, |app, _| async move {
        app.post_from("127.0.0.7", "/passkey-logins", json!({}))
            .await
    })
    .await;
    assert_eq!(seen_count(&seen, 201, ""), 5, "{seen:?}");
    assert_eq!(seen_count(&seen, 429, "source_limit"), 25, "{seen:?}");
    let started = app
        .post_from("127.0.0.20", "/passkey-logins", json!({}))
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let answer = phone.last().assert(&started.body["options"], ORIGIN, true);
    let session = app
        .post_from(
            "127.0.0.20",
            &format!("/passkey-logins/{}", started.text("flow_id")),
            json!({ "credential": answer }),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
    let password = app
        .login_from("127.0.0.7", MARIO.email, MARIO.password, None)
        .await;
    assert_eq!(password.status, 202, "{}", password.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn m3_logins_by_passkey_from_one_address_are_bounded_on_the_embedded_store() {
    m3_logins_by_passkey_from_one_address_are_bounded_and_the_owner_still_gets_in(
        varco_tests::Backend::Embedded,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn m3_logins_by_passkey_from_one_address_are_bounded_on_dynamodb() {
    m3_logins_by_passkey_from_one_address_are_bounded_and_the_owner_still_gets_in(
        varco_tests::Backend::DynamoDb,
    )
    .await
}

/// Anyone may begin a login by passkey: its flow id sent to the steps of other flows names
/// no flow of theirs (404), never an error of the server.
async fn m3_a_ceremonys_id_sent_to_another_flows_step_is_not_found(app: TestApp) {
    let (flow, _) = passkey_login_started(&app).await;
    let steps = [
        (
            format!("/recoveries/{flow}/key6"),
            json!({ "card_number": "4111111111111111", "key6": "123456" }),
        ),
        (
            format!("/recoveries/{flow}/password"),
            json!({ "password": "not-it" }),
        ),
        (
            format!("/registrations/{flow}/code"),
            json!({ "code": "123456" }),
        ),
        (format!("/logins/{flow}/totp"), json!({ "code": "123456" })),
    ];
    for (path, body) in steps {
        let answer = app.post(&path, body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (404, "flow_not_found"),
            "{path}: {}",
            answer.body
        );
    }
}

varco_tests::on_both_stores!(
    through_lambda_too;
    m3_a_ceremonys_id_sent_to_another_flows_step_is_not_found,
    m3_a_passkey_is_added_named_and_listed_then_asked_at_login_and_logs_in_alone,
    m3_a_ceremony_is_good_for_one_answer_and_five_minutes,
    m3_a_wrong_answer_ends_the_ceremony_and_never_locks_out_the_owner,
    m3_removing_the_last_passkey_takes_the_second_step_away_and_the_passkey_logs_in_no_more,
);
