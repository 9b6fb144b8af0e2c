//! Second factors (issue 24): the token says how the person logged in; an authenticator app
//! set up by its first code and asked at every login after; recovery codes; a recovery that
//! gives the password back leaves the second factor in place.

use serde_json::{json, Value};
use std::sync::Arc;
use varco_domain::base::clock::{Clock, MINUTE};
use varco_domain::base::crypto::totp;
use varco_domain::base::keys;
use varco_functions::demo::{LUCA, MARIO};
use varco_tests::{burst, claims_of, seen_count, temporary_password_in, Answer, TestApp};

pub(crate) mod passkeys;
mod policy;

/// RFC 4648 base32, decoded here apart from the code that encodes it.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits: u64 = 0;
    let mut held = 0;
    let mut out = Vec::new();
    for c in text.chars() {
        bits = bits << 5 | ALPHABET.find(c).expect("a base32 letter") as u64;
        held += 5;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
        }
    }
    out
}

/// What an authenticator app shows now for the seed the page showed.
pub(crate) fn app_code(app: &TestApp, secret: &str) -> String {
    totp::code(&base32_decode(secret), totp::step(app.clock.now()))
}

/// Sets up an authenticator app for the person logged in with `token`: its secret and the
/// recovery codes. The email that tells them is delivered (out of the way of the test's own).
pub(crate) async fn set_up(app: &TestApp, token: &str, password: &str) -> (String, Vec<String>) {
    let set = set_up_told(app, token, password).await;
    app.deliver_messages().await;
    set
}

/// `set_up`, leaving the email that tells of it in the outbox.
async fn set_up_told(app: &TestApp, token: &str, password: &str) -> (String, Vec<String>) {
    let setup = app
        .post_as(token, "/me/authenticator", json!({ "password": password }))
        .await;
    assert_eq!(setup.status, 201, "{}", setup.body);
    let secret = setup.text("secret");
    let confirmed = app
        .post_as(
            token,
            "/me/authenticator/code",
            json!({ "code": app_code(app, &secret) }),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let codes = confirmed.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    // The code just used is the app's first: the next login waits for the next one.
    app.clock.advance(totp::PERIOD);
    (secret, codes)
}

/// The first factor of a login that has a second: the flow's id.
pub(crate) async fn first_factor(app: &TestApp, email: &str, password: &str) -> String {
    let answer = app.login(email, password).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert!(answer.body.get("access_token").is_none(), "no session yet");
    answer.text("flow_id")
}

pub(crate) async fn totp_step(app: &TestApp, flow: &str, code: &str) -> Answer {
    app.post(&format!("/logins/{flow}/totp"), json!({ "code": code }))
        .await
}

pub(crate) fn amr(session: &Answer) -> Value {
    claims_of(&session.text("access_token"))["amr"].clone()
}

async fn m1_a_password_login_says_so_in_its_token_and_a_refresh_keeps_it(app: TestApp) {
    let logged_in_at = app.clock.now().0;
    let session = app.session(MARIO.email, MARIO.password).await;
    let claims = claims_of(&session.text("access_token"));
    assert_eq!(claims["amr"], json!(["pwd"]));
    assert_eq!(claims["acr"], "aal1");
    assert_eq!(claims["auth_time"], logged_in_at);

    app.clock.advance(20 * MINUTE);
    let renewed = app.refresh(&session.text("refresh_token")).await;
    assert_eq!(renewed.status, 201, "{}", renewed.body);
    let claims = claims_of(&renewed.text("access_token"));
    assert_eq!(
        (&claims["amr"], &claims["acr"], &claims["auth_time"]),
        (&json!(["pwd"]), &json!("aal1"), &json!(logged_in_at)),
        "a refresh is not a login"
    );
}

async fn m2_an_authenticator_app_is_set_up_by_its_first_code_then_asked_at_every_login(
    app: TestApp,
) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let wrong = app
        .post_as(&token, "/me/authenticator", json!({ "password": "not-it" }))
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (403, "current_password_wrong")
    );
    let setup = app
        .post_as(
            &token,
            "/me/authenticator",
            json!({ "password": MARIO.password }),
        )
        .await;
    assert_eq!(setup.status, 201, "{}", setup.body);
    let secret = setup.text("secret");
    assert!(setup.text("otpauth_uri").starts_with("otpauth://totp/"));
    assert!(setup
        .text("otpauth_uri")
        .contains(&format!("secret={secret}")));
    // Not set up until its first code: a login still asks for the password alone.
    assert_eq!(
        app.me(&token).await.body["second_factors"]["authenticator"],
        false
    );
    assert_eq!(app.login(MARIO.email, MARIO.password).await.status, 201);

    let mistyped = app
        .post_as(
            &token,
            "/me/authenticator/code",
            json!({ "code": "000000" }),
        )
        .await;
    assert_eq!(
        (mistyped.status, mistyped.code()),
        (422, "code_not_correct")
    );
    let code = app_code(&app, &secret);
    let confirmed = app
        .post_as(&token, "/me/authenticator/code", json!({ "code": code }))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(
        confirmed.body["recovery_codes"].as_array().unwrap().len(),
        10
    );
    let me = app.me(&token).await;
    assert_eq!(
        me.body["second_factors"],
        json!({ "authenticator": true, "recovery_codes_left": 10, "passkeys": [] })
    );

    // The password alone no longer opens a session: the answer is the second step's flow.
    let answer = app.login(MARIO.email, MARIO.password).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.body["next"], "second_factor");
    assert_eq!(answer.body["factors"], json!(["totp", "recovery_code"]));
    let flow = answer.text("flow_id");
    // The code that set the app up was used: it does not log in.
    let replayed = totp_step(&app, &flow, &code).await;
    assert_eq!(
        (replayed.status, replayed.code()),
        (422, "code_not_correct")
    );
    app.clock.advance(totp::PERIOD);
    let code = app_code(&app, &secret);
    let session = totp_step(&app, &flow, &code).await;
    assert_eq!(session.status, 201, "{}", session.body);
    assert_eq!(amr(&session), json!(["pwd", "otp", "mfa"]));
    assert_eq!(claims_of(&session.text("access_token"))["acr"], "aal2");
    assert_eq!(app.me(&session.text("access_token")).await.status, 200);
    // Refreshed, the session is still a two-factor one.
    let renewed = app.refresh(&session.text("refresh_token")).await;
    assert_eq!(amr(&renewed), json!(["pwd", "otp", "mfa"]));

    // The same code again, in another login: refused, it was used.
    let again = first_factor(&app, MARIO.email, MARIO.password).await;
    let reused = totp_step(&app, &again, &code).await;
    assert_eq!((reused.status, reused.code()), (422, "code_not_correct"));
    // The flow is done once completed.
    let done = totp_step(&app, &flow, &code).await;
    assert_eq!(done.status, 409, "{}", done.body);
}

async fn m2_a_wrong_password_never_reaches_the_second_step(app: TestApp) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    set_up(&app, &token, MARIO.password).await;
    let answer = app.login(MARIO.email, "Not-The-Password-1").await;
    assert_eq!((answer.status, answer.code()), (401, "invalid_credentials"));
    let unknown = totp_step(&app, "nothing.nobody", "123456").await;
    assert_eq!((unknown.status, unknown.code()), (404, "flow_not_found"));
}

/// Someone who knows the password has a login flow open; the owner changes the password:
/// that flow ends, even with the right code.
async fn m6_a_password_changed_after_the_first_step_ends_the_login(app: TestApp) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let (secret, _) = set_up(&app, &token, MARIO.password).await;
    let strangers = first_factor(&app, MARIO.email, MARIO.password).await;
    let change =
        json!({ "current_password": MARIO.password, "new_password": "Un-Altra-Password-9" });
    assert_eq!(app.change_password(&token, change).await.status, 204);
    let late = totp_step(&app, &strangers, &app_code(&app, &secret)).await;
    assert_eq!((late.status, late.code()), (410, "flow_ended"));
}

/// 30 wrong codes at once at one login check at most its 5 tries, and the flow ends; a
/// stranger's burst leaves the owner's own next login untouched.
async fn m2_thirty_parallel_wrong_codes_check_at_most_the_limit(app: TestApp) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let (secret, _) = set_up(&app, &token, MARIO.password).await;
    let flow = first_factor(&app, MARIO.email, MARIO.password).await;
    let right = app_code(&app, &secret);
    let app = Arc::new(app);
    let seen = burst(&app, 30, |app, n| {
        let (flow, right) = (flow.clone(), right.clone());
        async move {
            // Wrong codes, never the right one.
            let wrong = format!(
                "{:06}",
                (right.parse::<u32>().unwrap() + 1 + n as u32) % 1_000_000
            );
            totp_step(&app, &flow, &wrong).await
        }
    })
    .await;
    // The flow allows 5 tries: at most 4 misses are told as such (the fifth ends the flow),
    // every other guess is refused before its code is looked at.
    for (status, code) in seen.keys() {
        assert!(
            [
                (422, "code_not_correct"),
                (429, "too_many_attempts"),
                (410, "flow_ended")
            ]
            .contains(&(*status, code.as_str())),
            "unexpected answer in {seen:?}"
        );
    }
    assert!(seen_count(&seen, 422, "code_not_correct") <= 4, "{seen:?}");
    assert_eq!(
        seen.values().sum::<usize>(),
        30,
        "every guess answered: {seen:?}"
    );
    // The flow is spent: even the right code does not complete it.
    let after = totp_step(&app, &flow, &right).await;
    assert!(
        [(410, "flow_ended"), (429, "too_many_attempts")].contains(&(after.status, after.code())),
        "{}",
        after.body
    );

    // The owner logs in again and gets in.
    let own = first_factor(&app, MARIO.email, MARIO.password).await;
    let session = totp_step(&app, &own, &app_code(&app, &secret)).await;
    assert_eq!(session.status, 201, "{}", session.body);
}

/// The right code sent twice at once completes one login only.
async fn m2_one_code_sent_twice_at_once_logs_in_once(app: TestApp) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let (secret, _) = set_up(&app, &token, MARIO.password).await;
    let flows = [
        first_factor(&app, MARIO.email, MARIO.password).await,
        first_factor(&app, MARIO.email, MARIO.password).await,
    ];
    let code = app_code(&app, &secret);
    let app = Arc::new(app);
    let seen = burst(&app, 2, |app, n| {
        let (flow, code) = (flows[n].clone(), code.clone());
        async move { totp_step(&app, &flow, &code).await }
    })
    .await;
    assert_eq!(seen_count(&seen, 201, ""), 1, "{seen:?}");
}

/// The seed is in the account's item only sealed: the table holds no copy anyone reading
/// it (or its stream, or a backup) could put in an app.
async fn m2_the_table_holds_no_seed_in_clear(app: TestApp) {
    let session = app.session(MARIO.email, MARIO.password).await;
    let account_id = claims_of(&session.text("access_token"))["sub"]
        .as_str()
        .unwrap()
        .to_string();
    let (secret, codes) = set_up(&app, &session.text("access_token"), MARIO.password).await;
    let item = app
        .deps
        .store
        .get(&keys::account(&account_id))
        .await
        .unwrap()
        .expect("the account");
    let stored = item.doc.to_string();
    let seed = base32_decode(&secret);
    use base64::Engine;
    for form in [
        secret.clone(),
        secret.to_lowercase(),
        hex::encode(&seed),
        base64::engine::general_purpose::STANDARD.encode(&seed),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&seed),
    ] {
        assert!(!stored.contains(&form), "the seed is stored as {form}");
    }
    for code in codes {
        assert!(!stored.contains(&code), "a recovery code is stored");
    }
    assert!(stored.contains("authenticator"), "{stored}");
}

async fn m4_a_recovery_code_logs_in_once_and_a_new_set_voids_the_old(app: TestApp) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let (_, codes) = set_up(&app, &token, MARIO.password).await;
    assert!(codes
        .iter()
        .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
    let flow = first_factor(&app, MARIO.email, MARIO.password).await;
    let typed = codes[3].to_uppercase().replace('-', " ");
    let session = app
        .post(
            &format!("/logins/{flow}/recovery-code"),
            json!({ "code": typed }),
        )
        .await;
    assert_eq!(
        session.status, 201,
        "case and dashes do not matter: {}",
        session.body
    );
    assert_eq!(amr(&session), json!(["pwd", "otp", "mfa"]));
    assert_eq!(
        app.me(&token).await.body["second_factors"]["recovery_codes_left"],
        9
    );
    let again = first_factor(&app, MARIO.email, MARIO.password).await;
    let used = app
        .post(
            &format!("/logins/{again}/recovery-code"),
            json!({ "code": codes[3] }),
        )
        .await;
    assert_eq!((used.status, used.code()), (422, "code_not_correct"));

    let renewed = app
        .post_as(
            &token,
            "/me/recovery-codes",
            json!({ "password": MARIO.password }),
        )
        .await;
    assert_eq!(renewed.status, 201, "{}", renewed.body);
    let old = app
        .post(
            &format!("/logins/{again}/recovery-code"),
            json!({ "code": codes[4] }),
        )
        .await;
    assert_eq!((old.status, old.code()), (422, "code_not_correct"));
    let new = renewed.body["recovery_codes"][0].as_str().unwrap();
    let session = app
        .post(
            &format!("/logins/{again}/recovery-code"),
            json!({ "code": new }),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
}

/// M9: each change to how the person logs in, and each recovery code used, is told to
/// them by email, so that one they did not make is noticed.
async fn m9_the_person_is_told_by_email_of_each_change_to_their_factors(app: TestApp) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let (_, codes) = set_up_told(&app, &token, MARIO.password).await;
    let told = |sent: Vec<varco_domain::limits::outbox::Outgoing>, what: &str| {
        let mine: Vec<_> = sent.iter().filter(|m| m.to == MARIO.email).collect();
        assert_eq!(mine.len(), 1, "one email: {sent:?}");
        assert!(
            mine[0].subject.contains("avviso di sicurezza"),
            "{}",
            mine[0].subject
        );
        assert!(mine[0].body.contains(what), "{}", mine[0].body);
    };
    told(app.deliver_messages().await, "è stata attivata");
    let flow = first_factor(&app, MARIO.email, MARIO.password).await;
    let path = format!("/logins/{flow}/recovery-code");
    assert_eq!(
        app.post(&path, json!({ "code": codes[0] })).await.status,
        201
    );
    told(app.deliver_messages().await, "ne restano 9");
    let body = json!({ "password": MARIO.password });
    assert_eq!(
        app.post_as(&token, "/me/recovery-codes", body.clone())
            .await
            .status,
        201
    );
    told(app.deliver_messages().await, "nuovi codici di recupero");
    assert_eq!(
        app.post_as(&token, "/me/authenticator/removal", body)
            .await
            .status,
        204
    );
    told(app.deliver_messages().await, "è stata disattivata");
}

async fn m4_removing_the_app_asks_the_password_and_logins_ask_it_alone_after(app: TestApp) {
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    set_up(&app, &token, MARIO.password).await;
    let wrong = app
        .post_as(
            &token,
            "/me/authenticator/removal",
            json!({ "password": "not-it" }),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (403, "current_password_wrong")
    );
    let removed = app
        .post_as(
            &token,
            "/me/authenticator/removal",
            json!({ "password": MARIO.password }),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(app.login(MARIO.email, MARIO.password).await.status, 201);
    let again = app
        .post_as(
            &token,
            "/me/authenticator/removal",
            json!({ "password": MARIO.password }),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "no_second_factor"));
}

/// A recovery gives the password back, not the second factor: the temporary password leads
/// to the second step, and its session can only change the password.
async fn m6_a_recovery_leaves_the_second_factor_in_place(app: TestApp) {
    let token = app
        .session(LUCA.email, LUCA.password)
        .await
        .text("access_token");
    let (secret, _) = set_up(&app, &token, LUCA.password).await;
    let started = app.start_recovery("password", &LUCA).await;
    let flow = started.text("flow_id");
    assert_eq!(app.security_answer(&flow, "Bergamo").await.status, 200);
    assert_eq!(app.phone(&flow, "+393209876543").await.status, 202);
    let temporary = temporary_password_in(&app.the_sms().await);
    let login = first_factor(&app, LUCA.email, &temporary).await;
    let session = totp_step(&app, &login, &app_code(&app, &secret)).await;
    assert_eq!(session.status, 201, "{}", session.body);
    assert_eq!(session.body["scope"], "password_change");
    assert_eq!(amr(&session), json!(["pwd", "otp", "mfa"]));
}

/// M6: Luca, a cardholder in no company, lost his phone with the app and his passkey. The
/// operator's support, with its key, removes his second factors: his sessions end, he is told
/// by email, and the password alone logs him in again.
async fn m6_the_operators_support_removes_the_factors_a_cardholder_lost(app: TestApp) {
    let token = app
        .session(LUCA.email, LUCA.password)
        .await
        .text("access_token");
    set_up(&app, &token, LUCA.password).await;
    let phone = varco_tests::passkey::Authenticator::default();
    let added = passkeys::add_passkey(&app, &token, LUCA.password, &phone, "Telefono").await;
    assert_eq!(added.status, 201, "{}", added.body);
    app.deliver_messages().await;
    let support = |key: String, body: Value| {
        let app = &app;
        async move {
            app.request(
                reqwest::Method::POST,
                "/operator/second-factor-removals",
                Some(body),
                &[("x-varco-operator-key", &key)],
            )
            .await
        }
    };
    let key = varco_tests::test_operator_key();
    let luca = json!({ "email": LUCA.email });
    let refused = support("c29tZXRoaW5nLWVsc2U=".into(), luca.clone()).await;
    assert_eq!((refused.status, refused.code()), (401, "operator_only"));
    let nobody = support(key.clone(), json!({ "email": "nessuno@example.com" })).await;
    assert_eq!((nobody.status, nobody.code()), (404, "account_not_found"));

    let removed = support(key.clone(), luca.clone()).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(app.me(&token).await.status, 401, "his sessions ended");
    let told = app.deliver_messages().await;
    assert!(
        told.iter()
            .any(|m| m.to == LUCA.email && m.body.contains("l'assistenza ha rimosso")),
        "{told:?}"
    );
    let session = app.session(LUCA.email, LUCA.password).await;
    let factors = app.me(&session.text("access_token")).await.body["second_factors"].clone();
    assert_eq!(
        factors,
        json!({ "authenticator": false, "recovery_codes_left": 0, "passkeys": [] })
    );
    let again = support(key, luca).await;
    assert_eq!((again.status, again.code()), (409, "no_second_factor"));
}

/// M7: Acme's Administrator, her login older than ten minutes (her session refreshed, not a
/// new login), may still invite a Supervisor, but not an interim Administrator, nor change a
/// member's role, until she logs in again: the answer says so, and how recent it must be.
async fn m7_a_role_changed_or_an_administrator_invited_needs_a_recent_login(app: TestApp) {
    use crate::invitations::{invite, paolo_joins, sara};
    let sara_token = sara(&app).await;
    let paolo = paolo_joins(&app, &sara_token, "supervisor").await;
    let paolo_id = app.me(&paolo).await.text("id");
    let login = app
        .session("sara.conti@acme.example", "Girasole-Viola-31")
        .await;
    app.clock.advance(16 * MINUTE);
    let refreshed = app.refresh(&login.text("refresh_token")).await;
    assert_eq!(refreshed.status, 201, "{}", refreshed.body);
    let stale = refreshed.text("access_token");
    let role = format!("/companies/acme/users/{paolo_id}/role");
    let put = |token: String| {
        let (app, role) = (&app, role.clone());
        async move {
            let bearer = format!("Bearer {token}");
            app.request(
                reqwest::Method::PUT,
                &role,
                Some(json!({ "role": "monitoring" })),
                &[("authorization", &bearer)],
            )
            .await
        }
    };
    let changed = put(stale.clone()).await;
    assert_eq!(
        (changed.status, changed.code(), &changed.body["max_age"]),
        (403, "reauthentication_required", &json!(600)),
        "{}",
        changed.body
    );
    let anna = |role: &str| json!({ "email": "anna.bruni@acme.example", "display_name": "Anna Bruni", "role": role, "mobile": "+393475550123", "send": false });
    let admin = invite(&app, &stale, "acme", anna("interim_administrator")).await;
    assert_eq!(
        (admin.status, admin.code()),
        (403, "reauthentication_required")
    );
    let supervisor = invite(&app, &stale, "acme", anna("supervisor")).await;
    assert_eq!(supervisor.status, 201, "{}", supervisor.body);

    let fresh = app
        .session("sara.conti@acme.example", "Girasole-Viola-31")
        .await
        .text("access_token");
    let changed = put(fresh).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
}

/// M6, M8: Acme's Administrator ends a member's sessions and removes the second factor the
/// member lost, both only after a recent login of her own.
async fn m6_m8_an_administrator_removes_a_lost_factor_and_ends_a_members_sessions(app: TestApp) {
    use crate::invitations::{paolo_joins, sara, PAOLO_PASSWORD};
    let sara = sara(&app).await;
    let paolo = paolo_joins(&app, &sara, "supervisor").await;
    let paolo_id = app.me(&paolo).await.text("id");
    let email = app.me(&paolo).await.text("email");
    set_up(&app, &paolo, PAOLO_PASSWORD).await;
    let member = |what: &str| format!("/companies/acme/users/{paolo_id}/{what}");

    // Sara's login is older than ten minutes: she logs in again first.
    app.clock.advance(11 * MINUTE);
    let stale = app
        .as_user(reqwest::Method::DELETE, &sara, &member("second-factor"))
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (403, "reauthentication_required")
    );
    assert_eq!(stale.body["max_age"], 600);
    let sara = app
        .session("sara.conti@acme.example", "Girasole-Viola-31")
        .await
        .text("access_token");
    let asks = app.login(&email, PAOLO_PASSWORD).await;
    assert_eq!(asks.status, 202, "Paolo's login asks for his app");
    let ended = app
        .as_user(reqwest::Method::DELETE, &sara, &member("sessions"))
        .await;
    assert_eq!(ended.status, 204, "{}", ended.body);
    assert_eq!(app.me(&paolo).await.status, 401, "his sessions ended");

    let removed = app
        .as_user(reqwest::Method::DELETE, &sara, &member("second-factor"))
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    let back_in = app.session(&email, PAOLO_PASSWORD).await;
    assert_eq!(back_in.status, 201, "the password alone: {}", back_in.body);
    let again = app
        .as_user(reqwest::Method::DELETE, &sara, &member("second-factor"))
        .await;
    assert_eq!((again.status, again.code()), (409, "no_second_factor"));
    // Not on herself, and not by a member who manages nobody.
    let own = app
        .as_user(
            reqwest::Method::DELETE,
            &back_in.text("access_token"),
            &format!("/companies/acme/users/{paolo_id}/sessions"),
        )
        .await;
    assert_eq!(own.status, 403, "{}", own.body);
}

varco_tests::on_both_stores!(
    through_lambda_too;
    m6_m8_an_administrator_removes_a_lost_factor_and_ends_a_members_sessions,
    m1_a_password_login_says_so_in_its_token_and_a_refresh_keeps_it,
    m2_an_authenticator_app_is_set_up_by_its_first_code_then_asked_at_every_login,
    m2_a_wrong_password_never_reaches_the_second_step,
    m6_a_password_changed_after_the_first_step_ends_the_login,
    m2_thirty_parallel_wrong_codes_check_at_most_the_limit,
    m2_one_code_sent_twice_at_once_logs_in_once,
    m2_the_table_holds_no_seed_in_clear,
    m4_a_recovery_code_logs_in_once_and_a_new_set_voids_the_old,
    m4_removing_the_app_asks_the_password_and_logins_ask_it_alone_after,
    m9_the_person_is_told_by_email_of_each_change_to_their_factors,
    m6_a_recovery_leaves_the_second_factor_in_place,
    m6_the_operators_support_removes_the_factors_a_cardholder_lost,
    m7_a_role_changed_or_an_administrator_invited_needs_a_recent_login,
);
