//! What each step costs on DynamoDB, and what it may do there: every step runs through the
//! local gateway on DynamoDB Local, its round trips counted (at most two; more where a typed
//! secret is counted before it is checked, or a message or a client address before it is
//! sent) and its
//! actions compared with the grants of its function in the template.

use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use varco_domain::limits::outbox::Channel;
use varco_functions::demo::{ANNA, LUCA, MARIO};
use varco_tests::{temporary_password_in, TestApp};

const MARIO_CARD: &str = "4111 1111 1111 1111";
const MARIO_KEY6: &str = "482913";
const MARIO_PHONE: &str = "+39 340 123 4544";

/// Runs `$call`, counting the DynamoDB round trips `$app` makes under `$step` in `$counted` and
/// the actions it uses (only those) in `$used`; answers what `$call` answers.
macro_rules! counting {
    ($app:ident, $counted:ident, $used:ident, $step:expr, $call:expr) => {{
        $app.take_dynamodb_operations();
        let before = $app.dynamodb_round_trips().unwrap();
        let answer = $call;
        $counted.push(($step, $app.dynamodb_round_trips().unwrap() - before));
        $used
            .entry($step.to_string())
            .or_default()
            .extend($app.take_dynamodb_operations());
        answer
    }};
}

mod allowed;
mod profiles;
use allowed::{within_budget_and_grants, LOGIN_WITH_CAPTCHA};
use profiles::{LEGAL_REP_STEPS, PROPERTY_ONLY_STEPS, TELCO_STEPS};

/// Each step makes at most two DynamoDB round trips (one read, one atomic write), and uses
/// exactly the DynamoDB actions its function is granted in the template (X1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_step_makes_at_most_two_dynamodb_round_trips_with_the_actions_it_is_granted() {
    let app = TestApp::spawn(varco_tests::Backend::DynamoDb).await;
    let mut counted: Vec<(&str, u64)> = Vec::new();
    let mut used: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    // The purge job runs from the start, as from a deployment: its cursor starts now.
    app.run_job_until_finished(varco_functions::catalog::Job::PurgeFlows)
        .await;
    app.take_dynamodb_operations();
    macro_rules! count {
        ($step:expr, $call:expr) => {
            counting!(app, counted, used, $step, $call)
        };
    }
    let captcha = count!("issue-captcha", app.captcha().await);
    for (step, path) in [
        (
            "get-openid-configuration",
            "/.well-known/openid-configuration",
        ),
        ("get-jwks", "/.well-known/jwks.json"),
    ] {
        let answer = count!(
            step,
            app.request(reqwest::Method::GET, path, None, &[]).await
        );
        assert_eq!(answer.status, 200, "{step}");
    }
    let body = json!({ "kind": "password", "fiscal_code": MARIO.fiscal_code(), "birth_date": MARIO.birth_date, "captcha": captcha });
    let flow = count!("start-recovery", app.post("/recoveries", body).await).text("flow_id");
    assert_eq!(
        count!("verify-key6", app.key6(&flow, MARIO_CARD, MARIO_KEY6).await).status,
        200
    );
    assert_eq!(
        count!("verify-recovery-phone", app.phone(&flow, MARIO_PHONE).await).status,
        202
    );
    // The outbox sender, as the stream calls it (with the new image) and as the schedule does.
    let pending = app.pending_messages().await;
    app.take_dynamodb_operations();
    let record = varco_tests::stream_insert(&pending[0]);
    count!(
        "deliver-messages",
        varco_tests::invoke_outbox(&app.deps, &app.sent, &record)
            .await
            .unwrap()
    );
    count!("deliver-messages", app.deliver_messages().await);
    let temporary = temporary_password_in(&app.sent_messages()[0]);
    let token = count!("login", app.login(MARIO.email, &temporary).await).text("access_token");
    let change = json!({ "new_password": "Nuova-Password-Sicura-1" });
    assert_eq!(
        count!("change-password", app.change_password(&token, change).await).status,
        204
    );
    // A failed login is counted; the next good one forgets it in the session's write.
    assert_eq!(
        count!("login", app.login(MARIO.email, "Sbagliata-123").await).status,
        401
    );
    let token = count!(
        "login",
        app.login(MARIO.email, "Nuova-Password-Sicura-1").await
    )
    .text("access_token");
    // A login sent with a solved captcha (asked for past a window, X9) spends it first.
    let solved = app.captcha().await;
    let body =
        json!({ "email": MARIO.email, "password": "Nuova-Password-Sicura-1", "captcha": solved });
    let answer = counting!(
        app,
        counted,
        used,
        LOGIN_WITH_CAPTCHA,
        app.post("/sessions", body).await
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    let spent = used.remove(LOGIN_WITH_CAPTCHA).unwrap();
    used.entry("login".to_string()).or_default().extend(spent);
    assert_eq!(count!("get-account", app.me(&token).await).status, 200);
    let sessions = count!(
        "list-my-sessions",
        app.as_user(reqwest::Method::GET, &token, "/me/sessions")
            .await
    );
    assert_eq!(sessions.status, 200, "{}", sessions.body);
    // Second factors: an authenticator set up, a login in two steps (each way), removed.
    // Mario holds as many sessions as an account may first: each second step ends the oldest.
    let mut token = token;
    for _ in 0..varco_domain::sign_in::sessions::SESSIONS_PER_ACCOUNT {
        // A second apart: the oldest sessions, which the second steps end, are the first.
        app.clock.advance(1);
        token = app
            .login(MARIO.email, "Nuova-Password-Sicura-1")
            .await
            .text("access_token");
    }
    let password = json!({ "password": "Nuova-Password-Sicura-1" });
    let setup = count!(
        "start-authenticator-setup",
        app.post_as(&token, "/me/authenticator", password.clone())
            .await
    );
    let secret = setup.text("secret");
    let code = json!({ "code": crate::factors::app_code(&app, &secret) });
    let confirmed = count!(
        "confirm-authenticator",
        app.post_as(&token, "/me/authenticator/code", code).await
    );
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let renewed = count!(
        "renew-recovery-codes",
        app.post_as(&token, "/me/recovery-codes", password.clone())
            .await
    );
    app.clock.advance(varco_domain::base::crypto::totp::PERIOD);
    let first = count!(
        "login",
        app.login(MARIO.email, "Nuova-Password-Sicura-1").await
    );
    assert_eq!(first.status, 202, "{}", first.body);
    let code = json!({ "code": crate::factors::app_code(&app, &secret) });
    let path = format!("/logins/{}/totp", first.text("flow_id"));
    assert_eq!(
        count!("verify-login-totp", app.post(&path, code).await).status,
        201
    );
    let first = app.login(MARIO.email, "Nuova-Password-Sicura-1").await;
    let code = json!({ "code": renewed.body["recovery_codes"][0] });
    let path = format!("/logins/{}/recovery-code", first.text("flow_id"));
    let by_code = count!("use-login-recovery-code", app.post(&path, code).await);
    assert_eq!(by_code.status, 201, "{}", by_code.body);
    // M3: a passkey added beside the app, asked after the password, alone, and removed
    // (the account's sessions full: a new one ends the oldest).
    let phone = varco_tests::passkey::Authenticator::default();
    let started = count!(
        "start-passkey-registration",
        app.post_as(&token, "/me/passkeys/registration", password.clone())
            .await
    );
    let credential = phone.register(&started.body["options"], varco_tests::passkey::ORIGIN);
    let body =
        json!({ "flow_id": started.text("flow_id"), "name": "Telefono", "credential": credential });
    let added = count!(
        "add-passkey",
        app.post_as(&token, "/me/passkeys", body).await
    );
    assert_eq!(added.status, 201, "{}", added.body);
    let first = app.login(MARIO.email, "Nuova-Password-Sicura-1").await;
    let answer = phone.last().assert(
        &first.body["passkey_options"],
        varco_tests::passkey::ORIGIN,
        true,
    );
    let path = format!("/logins/{}/passkey", first.text("flow_id"));
    let body = json!({ "credential": answer });
    let second = count!("verify-login-passkey", app.post(&path, body).await);
    assert_eq!(second.status, 201, "{}", second.body);
    let begun = count!(
        "start-passkey-login",
        app.post("/passkey-logins", json!({})).await
    );
    let answer = phone
        .last()
        .assert(&begun.body["options"], varco_tests::passkey::ORIGIN, true);
    let path = format!("/passkey-logins/{}", begun.text("flow_id"));
    let alone = count!(
        "log-in-with-passkey",
        app.post(&path, json!({ "credential": answer })).await
    );
    assert_eq!(alone.status, 201, "{}", alone.body);
    let path = format!(
        "/me/passkeys/{}/removal",
        added.body["passkey"]["id"].as_str().unwrap()
    );
    assert_eq!(
        count!(
            "remove-passkey",
            app.post_as(&token, &path, password.clone()).await
        )
        .status,
        204
    );
    let sid = varco_tests::claims_of(&by_code.text("access_token"))["sid"].clone();
    let one = format!("/me/sessions/{}", sid.as_str().unwrap());
    assert_eq!(
        count!(
            "end-my-session",
            app.as_user(reqwest::Method::DELETE, &token, &one).await
        )
        .status,
        204
    );
    assert_eq!(
        count!(
            "end-my-other-sessions",
            app.as_user(reqwest::Method::DELETE, &token, "/me/sessions")
                .await
        )
        .status,
        204
    );
    assert_eq!(
        count!(
            "remove-authenticator",
            app.post_as(&token, "/me/authenticator/removal", password)
                .await
        )
        .status,
        204
    );
    let body = json!({ "card_number": MARIO_CARD, "password": "Nuova-Password-Sicura-1" });
    let key6 = count!(
        "view-key6",
        app.post_as(&token, "/me/cards/key6", body).await
    );
    assert_eq!(key6.status, 200, "{}", key6.body);
    let session = app.session(MARIO.email, "Nuova-Password-Sicura-1").await;
    app.take_dynamodb_operations();
    let renewed = count!(
        "refresh-session",
        app.refresh(&session.text("refresh_token")).await
    );
    assert_eq!(renewed.status, 201);
    assert_eq!(
        count!(
            "refresh-session",
            app.refresh(&session.text("refresh_token")).await
        )
        .status,
        401,
        "a reused token ends the session"
    );
    let session = app.session(MARIO.email, "Nuova-Password-Sicura-1").await;
    app.take_dynamodb_operations();
    assert_eq!(
        count!("logout", app.logout(&session.text("access_token")).await).status,
        204
    );
    let flow = app.flow("email", &LUCA).await;
    app.take_dynamodb_operations();
    assert_eq!(
        count!(
            "verify-security-answer",
            app.security_answer(&flow, "Bergamo").await
        )
        .status,
        200
    );
    let flow = app.flow("email", &ANNA).await;
    app.take_dynamodb_operations();
    assert_eq!(
        count!(
            "verify-recovery-password",
            app.recovery_password(&flow, ANNA.password).await
        )
        .status,
        200
    );
    // The password typed again (X5: counted first) to change it.
    let anna = app.session(ANNA.email, ANNA.password).await;
    app.take_dynamodb_operations();
    let change =
        json!({ "current_password": ANNA.password, "new_password": "Nuova-Password-Sicura-3" });
    assert_eq!(
        count!(
            "change-password",
            app.change_password(&anna.text("access_token"), change)
                .await
        )
        .status,
        204
    );

    // N4: registration with a company card.
    let card = &varco_functions::demo::ACME_CARD;
    let captcha = app.captcha().await;
    app.take_dynamodb_operations();
    let body = json!({ "card_number": card.number, "registration_code": card.registration_code, "phone": "+393475550101", "captcha": captcha });
    let started = count!("start-registration", app.post("/registrations", body).await);
    assert_eq!(started.status, 201, "{}", started.body);
    let flow = started.text("flow_id");
    app.deliver_messages().await;
    app.take_dynamodb_operations();
    let resent = count!(
        "resend-registration-code",
        app.resend_registration_code(&flow, "+393475550101").await
    );
    assert_eq!(resent.status, 202);
    let code = varco_tests::code_in(&app.the_sms().await);
    app.take_dynamodb_operations();
    assert_eq!(
        count!(
            "confirm-registration-code",
            app.registration_code(&flow, &code).await
        )
        .status,
        200
    );
    assert_eq!(
        count!(
            "complete-registration",
            app.registration_credentials(&flow, "sara.conti@acme.example", "Girasole-Viola-31")
                .await
        )
        .status,
        201
    );

    // N2: migration from the old portal.
    let user = &varco_functions::demo::FRANCA;
    let captcha = app.captcha().await;
    app.take_dynamodb_operations();
    let body = json!({ "username": user.username, "password": user.password, "phone": "+393480001111", "email": "franca@fiume.example", "captcha": captcha });
    let started = count!("start-migration", app.post("/migrations", body).await);
    assert_eq!(started.status, 201, "{}", started.body);
    let flow = started.text("flow_id");
    app.deliver_messages().await;
    app.take_dynamodb_operations();
    let resent = count!(
        "resend-migration-code",
        app.resend_migration_code(&flow, "+393480001111").await
    );
    assert_eq!(resent.status, 202);
    let code = varco_tests::code_in(&app.the_sms().await);
    app.take_dynamodb_operations();
    let migrated = count!(
        "complete-migration",
        app.migration_code(&flow, &code, "Nuova-Frase-Sicura-9")
            .await
    );
    assert_eq!(migrated.status, 201, "{}", migrated.body);

    // N5, C2, X2: invitations, on Sara's company.
    let sara = app
        .session("sara.conti@acme.example", "Girasole-Viola-31")
        .await
        .text("access_token");
    app.deliver_messages().await;
    app.take_dynamodb_operations();
    let body = json!({ "email": "paolo.neri@acme.example", "display_name": "Paolo Neri", "role": "supervisor", "mobile": "+393475550202", "send": false });
    let added = count!(
        "create-invitation",
        app.post_as(&sara, "/companies/acme/invitations", body)
            .await
    );
    assert_eq!(added.status, 201, "{}", added.body);
    let path = format!(
        "/companies/acme/invitations/{}",
        added.text("invitation_id")
    );
    let sent = count!(
        "send-invitation",
        app.post_as(&sara, &format!("{path}/send"), json!({})).await
    );
    assert_eq!(sent.status, 200, "{}", sent.body);
    let messages = app.deliver_messages().await;
    let by = |channel| messages.iter().find(|m| m.channel == channel).unwrap();
    let code = varco_tests::invitation_code_in(by(Channel::Email));
    let temporary = temporary_password_in(by(Channel::Sms));
    app.take_dynamodb_operations();
    let body = json!({ "code": code, "email": "paolo.neri@acme.example", "temporary_password": temporary, "password": "Ponte-Levatoio-88" });
    let accepted = count!(
        "accept-invitation",
        app.post("/invitations/accept", body).await
    );
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    let paolo = app.me(&accepted.text("access_token")).await.text("id");
    app.take_dynamodb_operations();
    let changed = count!(
        "change-role",
        app.request(
            reqwest::Method::PUT,
            &format!("/companies/acme/users/{paolo}/role"),
            Some(json!({ "role": "monitoring" })),
            &[("authorization", &format!("Bearer {sara}"))]
        )
        .await
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    // Paolo lost his authenticator app: Sara ends his sessions and removes it.
    crate::factors::set_up(&app, &accepted.text("access_token"), "Ponte-Levatoio-88").await;
    for (step, what) in [
        ("remove-member-second-factor", "second-factor"),
        ("end-member-sessions", "sessions"),
    ] {
        // A session of Paolo's for each step to end: the invitation's, then a new one.
        if step == "end-member-sessions" {
            app.session("paolo.neri@acme.example", "Ponte-Levatoio-88")
                .await;
        }
        app.take_dynamodb_operations();
        let path = format!("/companies/acme/users/{paolo}/{what}");
        let answer = count!(
            step,
            app.as_user(reqwest::Method::DELETE, &sara, &path).await
        );
        assert_eq!(answer.status, 204, "{step}: {}", answer.body);
    }
    // The notice to Paolo, out of the way of the invitations' emails below.
    app.deliver_messages().await;
    let policy = count!(
        "set-second-factor-policy",
        app.request(
            reqwest::Method::PUT,
            "/companies/acme/second-factor-policy",
            Some(json!({ "required": "optional" })),
            &[("authorization", &format!("Bearer {sara}"))]
        )
        .await
    );
    assert_eq!(policy.status, 204, "{}", policy.body);
    let removed = count!(
        "remove-access",
        app.as_user(
            reqwest::Method::DELETE,
            &sara,
            &format!("/companies/acme/users/{paolo}")
        )
        .await
    );
    assert_eq!(removed.status, 204, "{}", removed.body);
    let trail = count!(
        "read-audit-trail",
        app.as_user(
            reqwest::Method::GET,
            &sara,
            "/companies/acme/audit-events?limit=3"
        )
        .await
    );
    assert_eq!(
        trail.body["events"].as_array().unwrap().len(),
        3,
        "{}",
        trail.body
    );
    let body = json!({ "email": MARIO.email, "display_name": "Mario Rossi", "role": "monitoring", "mobile": "+393401234544" });
    let for_mario = count!(
        "create-invitation",
        app.post_as(&sara, "/companies/acme/invitations", body)
            .await
    );
    assert_eq!(for_mario.status, 201, "{}", for_mario.body);
    let messages = app.deliver_messages().await;
    let email = messages.iter().find(|m| m.channel == Channel::Email);
    let code = varco_tests::invitation_code_in(email.unwrap());
    let sms = messages.iter().find(|m| m.channel == Channel::Sms);
    let temporary = temporary_password_in(sms.unwrap());
    let mario = app
        .session(MARIO.email, "Nuova-Password-Sicura-1")
        .await
        .text("access_token");
    app.take_dynamodb_operations();
    let joined = count!(
        "join-company",
        app.post_as(
            &mario,
            "/me/invitations",
            json!({ "code": code, "temporary_password": temporary })
        )
        .await
    );
    assert_eq!(joined.status, 200, "{}", joined.body);
    let body = json!({ "email": "ivo@acme.example", "display_name": "Ivo Gallo", "role": "monitoring", "mobile": "+393475550404" });
    let for_ivo = count!(
        "create-invitation",
        app.post_as(&sara, "/companies/acme/invitations", body)
            .await
    );
    let path = format!(
        "/companies/acme/invitations/{}",
        for_ivo.text("invitation_id")
    );
    let listed = count!(
        "list-company-users",
        app.as_user(reqwest::Method::GET, &sara, "/companies/acme/users")
            .await
    );
    assert_eq!(
        listed.body["members"].as_array().unwrap().len(),
        2,
        "{}",
        listed.body
    );
    let revoked = count!(
        "revoke-invitation",
        app.as_user(reqwest::Method::DELETE, &sara, &path).await
    );
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    // The expiry job is paginated: its actions are checked, not its round trips.
    let body = json!({ "email": "ugo@acme.example", "display_name": "Ugo", "role": "monitoring", "mobile": "+393475550505" });
    app.post_as(&sara, "/companies/acme/invitations", body)
        .await;
    app.clock.advance(8 * 24 * 3600);
    app.take_dynamodb_operations();
    let report =
        varco_tests::invoke_job(&app.deps, varco_functions::catalog::Job::ExpireInvitations)
            .await
            .unwrap();
    assert_eq!(report["changed"], 1, "{report}");
    used.entry("expire-invitations".to_string())
        .or_default()
        .extend(app.take_dynamodb_operations());
    app.deliver_messages().await;
    // So is the purge of the flows finished with (a day past their end): every flow so far.
    let purged = app
        .run_job_until_finished(varco_functions::catalog::Job::PurgeFlows)
        .await;
    assert!(purged > 0, "the flows of the steps above are purged");
    used.entry("purge-flows".to_string())
        .or_default()
        .extend(app.take_dynamodb_operations());

    // N6: the back office reads the trail and revokes Sara's registration.
    let key = varco_tests::test_operator_key();
    let operator = [("x-varco-operator-key", key.as_str())];
    app.take_dynamodb_operations();
    let trail = count!(
        "read-company-audit-trail",
        app.request(
            reqwest::Method::GET,
            "/operator/companies/acme/audit-events",
            None,
            &operator
        )
        .await
    );
    assert_eq!(trail.status, 200, "{}", trail.body);
    let log = count!(
        "read-audit-log",
        app.request(
            reqwest::Method::GET,
            "/operator/audit-events?limit=5",
            None,
            &operator
        )
        .await
    );
    assert_eq!(log.status, 200, "{}", log.body);
    let revoked = count!(
        "revoke-company-registration",
        app.request(
            reqwest::Method::DELETE,
            "/operator/companies/acme/administrator",
            None,
            &operator
        )
        .await
    );
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    // M6: the operator's support removes the factors Luca lost.
    let luca = app
        .session(LUCA.email, LUCA.password)
        .await
        .text("access_token");
    let phone = varco_tests::passkey::Authenticator::default();
    let added =
        crate::factors::passkeys::add_passkey(&app, &luca, LUCA.password, &phone, "Telefono").await;
    assert_eq!(added.status, 201, "{}", added.body);
    app.take_dynamodb_operations();
    let removed = count!(
        "remove-second-factors",
        app.request(
            reqwest::Method::POST,
            "/operator/second-factor-removals",
            Some(json!({ "email": LUCA.email })),
            &operator
        )
        .await
    );
    assert_eq!(removed.status, 204, "{}", removed.body);
    // Luca's emails (the passkey added, then removed) are delivered, out of the way.
    app.deliver_messages().await;

    // N7, C5, W10: self-service, on Sara's new account.
    let session = app
        .session("sara.conti@acme.example", "Girasole-Viola-31")
        .await;
    let token = session.text("access_token");
    app.take_dynamodb_operations();
    let body = json!({ "password": "Girasole-Viola-31", "phone": "+393497778899" });
    assert_eq!(
        count!(
            "start-mobile-change",
            app.post_as(&token, "/me/mobile", body).await
        )
        .status,
        202
    );
    let code = varco_tests::code_in(&app.the_sms().await);
    app.take_dynamodb_operations();
    let confirm = json!({ "code": code });
    assert_eq!(
        count!(
            "confirm-mobile-change",
            app.post_as(&token, "/me/mobile/code", confirm).await
        )
        .status,
        204
    );
    let body = json!({ "password": "Girasole-Viola-31", "email": "sara@nuovo.example" });
    assert_eq!(
        count!(
            "start-email-change",
            app.post_as(&token, "/me/email", body).await
        )
        .status,
        202
    );
    let code = varco_tests::code_in(&app.the_sms().await);
    app.take_dynamodb_operations();
    let confirm = json!({ "code": code });
    assert_eq!(
        count!(
            "confirm-email-change",
            app.post_as(&token, "/me/email/code", confirm).await
        )
        .status,
        204
    );
    let body = json!({ "password": "Girasole-Viola-31" });
    assert_eq!(
        count!(
            "delete-account",
            app.post_as(&token, "/me/deletion", body).await
        )
        .status,
        204
    );

    // The import is a batch job, not a step: its actions are checked, not its round trips.
    app.take_dynamodb_operations();
    let rows = [
        r#"{"type":"company","id":"olmo","name":"Olmo Servizi Srl"}"#,
        r#"{"type":"company_card","company_id":"olmo","number":"4242424242424242","holder_name":"Olga Neri","valid_until":"2030-06-30","blocked_on":null,"registration_code":"OLMO-1234"}"#,
        r#"{"type":"company_card","company_id":"acme","number":"4000056655665556","holder_name":"Sara Conti","valid_until":"2030-06-30","blocked_on":"2026-11-01","registration_code":"ACME-7K2Q-9XPL"}"#,
    ]
    .join("\n");
    let report = varco_tests::invoke_import(&app.deps, json!({ "jsonl": rows }))
        .await
        .unwrap();
    assert_eq!(report["failed"], 0, "{report}");
    used.entry("import-data".to_string())
        .or_default()
        .extend(app.take_dynamodb_operations());

    // N3's daily job, on an Administrator whose card was blocked over 90 days ago. A batch
    // job too: its actions are checked.
    app.deliver_messages().await;
    let duna = &varco_functions::demo::DUNA_CARD;
    app.register_administrator(
        duna,
        "+393475550188",
        "marco.villa@duna.example",
        "Duna-Energia-Viva-4",
    )
    .await;
    let row = json!({ "type": "company_card", "company_id": "duna", "number": duna.number, "holder_name": duna.holder_name, "valid_until": "2029-12-31", "blocked_on": "2026-11-01", "registration_code": duna.registration_code });
    varco_tests::invoke_import(&app.deps, json!({ "jsonl": row.to_string() }))
        .await
        .unwrap();
    let lapsed = 1_793_491_200 + 91 * 24 * 3600;
    app.clock.advance(lapsed - app.deps.clock.now().0);
    app.take_dynamodb_operations();
    let revoked = app
        .run_job_until_finished(varco_functions::catalog::Job::RevokeLapsedAdministrators)
        .await;
    assert_eq!(revoked, 1);
    used.entry("revoke-lapsed-administrators".to_string())
        .or_default()
        .extend(app.take_dynamodb_operations());

    let granted = crate::infra::dynamodb_grants();
    let expected: Vec<_> = granted
        .keys()
        .filter(|function| {
            ![TELCO_STEPS, LEGAL_REP_STEPS, PROPERTY_ONLY_STEPS]
                .concat()
                .contains(&function.as_str())
                // Secrets Manager only: its walk is in functions/tests/lambda_binaries.rs.
                && function.as_str() != "rotate-signing-keys"
        })
        .collect();
    let walked: Vec<_> = used.keys().collect();
    let not_walked: Vec<_> = expected.iter().filter(|f| !walked.contains(f)).collect();
    assert!(
        not_walked.is_empty(),
        "functions of the card-issuer profile this walk does not exercise: {not_walked:?}; \
         add a `count!(\"<name>\", ...)` call for each (those of another profile only: \
         budget/profiles.rs)"
    );
    assert_eq!(
        expected, walked,
        "every function the walk exercised is in the template"
    );
    within_budget_and_grants(&counted, &used);
}
