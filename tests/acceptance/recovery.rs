//! Credential recovery, R1-R7, and the rules the flow keeps.

use serde_json::json;
use std::collections::BTreeSet;
use varco_domain::base::clock::{DAY, HOUR, MINUTE};
use varco_functions::demo::{ANNA, GIULIA, LUCA, MARIO, PAOLO};
use varco_tests::{on_both_stores, temporary_password_in, TestApp};

mod phone;

const MARIO_CARD: &str = "4111 1111 1111 1111";
const MARIO_KEY6: &str = "482913";
const MARIO_PHONE: &str = "+39 340 123 4544";

fn methods(answer: &varco_tests::Answer) -> Vec<String> {
    answer.body["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap().to_string())
        .collect()
}

async fn r1_recovery_starts_with_fiscal_code_birth_date_and_captcha(app: TestApp) {
    let started = app.start_recovery("password", &MARIO).await;
    assert_eq!(started.status, 201, "{}", started.body);
    // >= 128 random bits: 27 characters of URL-safe base64 hold 160.
    assert_eq!(started.text("flow_id").len(), 27);
    assert_eq!(started.body["kind"], "password");

    let fc = MARIO.fiscal_code();
    let no_captcha = app.post("/recoveries", json!({ "kind": "password", "fiscal_code": fc, "birth_date": MARIO.birth_date, "captcha": "" })).await;
    assert_eq!(
        (no_captcha.status, no_captcha.code()),
        (400, "captcha_invalid")
    );

    let captcha = app.captcha().await;
    let body = json!({ "kind": "password", "fiscal_code": fc, "birth_date": MARIO.birth_date, "captcha": captcha });
    assert_eq!(app.post("/recoveries", body.clone()).await.status, 201);
    let replayed = app.post("/recoveries", body).await;
    assert_eq!(
        (replayed.status, replayed.code()),
        (400, "captcha_invalid"),
        "a captcha solution works once"
    );

    let bad_check = app
        .start_recovery_with("password", "RSSMRA80A01H501A", MARIO.birth_date)
        .await;
    assert_eq!(
        (
            bad_check.status,
            bad_check.code(),
            bad_check.text("field").as_str()
        ),
        (400, "invalid_field", "fiscal_code")
    );
    let other_date = app.start_recovery_with("password", &fc, "1980-01-02").await;
    assert_eq!(
        (other_date.status, other_date.code()),
        (422, "birth_date_mismatch")
    );
    let bad_kind = app.post("/recoveries", json!({ "kind": "pin", "fiscal_code": fc, "birth_date": MARIO.birth_date, "captcha": "x" })).await;
    assert_eq!((bad_kind.status, bad_kind.code()), (400, "malformed_body"));
}

async fn r1_the_fiscal_code_as_people_write_it_and_no_birth_date_in_the_future(app: TestApp) {
    let fc = MARIO.fiscal_code();
    let grouped = format!("{} {} {} {}", &fc[..3], &fc[3..6], &fc[6..11], &fc[11..]);
    let started = app
        .start_recovery_with("password", &grouped.to_lowercase(), MARIO.birth_date)
        .await;
    assert_eq!(started.status, 201, "{grouped}: {}", started.body);

    let future = app.start_recovery_with("password", &fc, "2080-01-01").await;
    assert_eq!(
        (
            future.status,
            future.code(),
            future.text("field").as_str(),
            future.text("reason").as_str()
        ),
        (400, "invalid_field", "birth_date", "future")
    );
}

async fn r1_a_flow_expires_after_fifteen_minutes(app: TestApp) {
    let flow = app.flow("password", &MARIO).await;
    app.clock.advance(15 * MINUTE);
    let late = app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
    assert_eq!((late.status, late.code()), (410, "flow_expired"));
    let unknown = app.key6("no-such-flow", MARIO_CARD, MARIO_KEY6).await;
    assert_eq!((unknown.status, unknown.code()), (404, "flow_not_found"));
}

async fn x2_the_hourly_job_purges_flows_a_day_past_their_end(app: TestApp) {
    let flow = app.flow("password", &MARIO).await;
    let purge = || app.run_job_until_finished(varco_functions::catalog::Job::PurgeFlows);
    // Expired, it still answers so for a day.
    app.clock.advance(15 * MINUTE + 23 * 60 * MINUTE);
    assert_eq!(purge().await, 0);
    let late = app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
    assert_eq!(late.code(), "flow_expired");
    // Then the job deletes it, once.
    app.clock.advance(2 * 60 * MINUTE);
    assert_eq!(purge().await, 1);
    assert_eq!(purge().await, 0, "a second run finds nothing");
    let gone = app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
    assert_eq!((gone.status, gone.code()), (404, "flow_not_found"));
}

async fn r2_methods_offered_are_those_the_person_enabled(app: TestApp) {
    let mario = app.start_recovery("password", &MARIO).await;
    assert_eq!(methods(&mario), ["key6", "security_question"]);
    assert_eq!(
        mario.body["methods"][1]["question"],
        "Come si chiamava il tuo primo cane?"
    );
    assert_eq!(
        methods(&app.start_recovery("email", &MARIO).await),
        ["key6", "security_question", "password"]
    );
    assert_eq!(
        methods(&app.start_recovery("password", &GIULIA).await),
        ["key6"]
    );
    assert_eq!(
        methods(&app.start_recovery("password", &LUCA).await),
        ["security_question"]
    );
    assert_eq!(
        methods(&app.start_recovery("email", &ANNA).await),
        ["password"],
        "password is the only method without Key6 or question"
    );
    let none = app.start_recovery("password", &ANNA).await;
    assert_eq!((none.status, none.code()), (422, "no_recovery_method"));

    let captcha = app.captcha().await;
    let body = json!({ "kind": "password", "fiscal_code": LUCA.fiscal_code(), "birth_date": LUCA.birth_date, "captcha": captcha });
    let english = app
        .request(
            reqwest::Method::POST,
            "/recoveries",
            Some(body),
            &[("accept-language", "en-GB,en;q=0.9")],
        )
        .await;
    assert_eq!(
        english.body["methods"][0]["question"],
        "In which town were you born?"
    );
}

/// The whole R3 path, and R6's ending for password recovery: the temporary password opens a
/// session that can only set a new password; then only the new password works.
async fn r3_password_recovered_with_card_and_key6_then_phone(app: TestApp) {
    let flow = app.flow("password", &MARIO).await;
    let prompt = app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
    assert_eq!(prompt.status, 200, "{}", prompt.body);
    assert_eq!(
        prompt.body,
        json!({ "next": "phone", "numbers_on_file": 1, "hint": "+39 340****44" })
    );
    let sent = app.phone(&flow, MARIO_PHONE).await;
    assert_eq!(
        (sent.status, sent.text("sent_to").as_str()),
        (202, "+39 340****44")
    );
    let sms = app.the_sms().await;
    assert_eq!(sms.to, "+393401234544");
    let temporary = temporary_password_in(&sms);

    let session = app.login(MARIO.email, &temporary).await;
    assert_eq!(
        (session.status, session.text("scope").as_str()),
        (201, "password_change"),
        "{}",
        session.body
    );
    assert!(
        session.body.get("refresh_token").is_none(),
        "a temporary password opens no lasting session"
    );
    let token = session.text("access_token");
    let blocked = app.me(&token).await;
    assert_eq!(
        (blocked.status, blocked.code()),
        (403, "password_change_required")
    );
    // ASVS 5.0 6.2: among the most common (or as easily guessed), or made of his own name
    // and address, a new password is refused with the reason.
    for (weak, reason) in [
        ("password123", "common_password"),
        ("Qwerty123!", "common_password"),
        ("Mario.Rossi-1980", "context"),
        ("rossi.mario@example", "context"),
    ] {
        let refused = app
            .change_password(&token, json!({ "new_password": weak }))
            .await;
        assert_eq!(
            (
                refused.status,
                refused.code(),
                refused.body["reason"].as_str()
            ),
            (422, "weak_password", Some(reason)),
            "{weak}"
        );
    }
    assert_eq!(
        app.change_password(&token, json!({ "new_password": "Nuova-Password-Sicura-1" }))
            .await
            .status,
        204
    );

    assert_eq!(
        app.login(MARIO.email, MARIO.password).await.status,
        401,
        "the old password must stop working"
    );
    assert_eq!(
        app.login(MARIO.email, &temporary).await.status,
        401,
        "the temporary password is single use"
    );
    assert_eq!(
        app.me(&token).await.status,
        401,
        "tokens from before the change are revoked"
    );
    let fresh = app
        .login("MARIO.ROSSI@example.com", "Nuova-Password-Sicura-1")
        .await;
    assert_eq!(
        (fresh.status, fresh.text("scope").as_str()),
        (201, "account")
    );
    let me = app.me(&fresh.text("access_token")).await;
    assert_eq!(
        (me.status, me.text("display_name").as_str()),
        (200, "Mario Rossi")
    );
}

async fn r3_a_card_that_is_not_the_persons_is_data_not_correct(app: TestApp) {
    let flow = app.flow("password", &MARIO).await;
    let giulias_card = app.key6(&flow, "5555 5555 5555 4444", "130572").await;
    assert_eq!(
        (giulias_card.status, giulias_card.code()),
        (422, "data_not_correct")
    );
    let not_a_card = app.key6(&flow, "4111 1111 1111 1112", MARIO_KEY6).await;
    assert_eq!(
        (
            not_a_card.status,
            not_a_card.code(),
            not_a_card.text("reason").as_str()
        ),
        (400, "invalid_field", "checksum")
    );
}

async fn r3_five_wrong_key6_lock_key6_recovery_for_the_card_for_a_day(app: TestApp) {
    for _ in 0..5 {
        let flow = app.flow("password", &MARIO).await;
        assert_eq!(
            app.key6(&flow, MARIO_CARD, "000000").await.code(),
            "data_not_correct"
        );
    }
    let flow = app.flow("password", &MARIO).await;
    let locked = app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
    assert_eq!((locked.status, locked.code()), (429, "key6_locked"));
    app.clock.advance(DAY);
    let flow = app.flow("password", &MARIO).await;
    assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);
}

async fn r4_password_recovered_with_the_security_answer(app: TestApp) {
    let started = app.start_recovery("password", &LUCA).await;
    assert_eq!(
        started.body["methods"][0]["question"],
        "In quale città sei nato?"
    );
    let flow = started.text("flow_id");
    let prompt = app.security_answer(&flow, "  BÈRGAMO ").await;
    assert_eq!(
        prompt.status, 200,
        "case, accents and spaces do not matter: {}",
        prompt.body
    );
    assert_eq!(app.phone(&flow, "+393209876543").await.status, 202);
    let sms = app.the_sms().await;
    let session = app
        .login("luca.verdi@gmail.com", &temporary_password_in(&sms))
        .await;
    assert_eq!(
        session.status, 201,
        "googlemail.com registered, gmail.com typed: {}",
        session.body
    );
}

async fn r4_three_wrong_answers_end_the_flow(app: TestApp) {
    let flow = app.flow("password", &LUCA).await;
    assert_eq!(
        app.security_answer(&flow, "Milano").await.code(),
        "data_not_correct"
    );
    assert_eq!(
        app.security_answer(&flow, "Roma").await.code(),
        "data_not_correct"
    );
    let third = app.security_answer(&flow, "Torino").await;
    assert_eq!((third.status, third.code()), (429, "too_many_attempts"));
    let after = app.security_answer(&flow, "Bergamo").await;
    assert_eq!((after.status, after.code()), (410, "flow_ended"));
}

async fn r4_a_step_raced_twenty_times_succeeds_once(app: TestApp) {
    let flow = app.flow("password", &LUCA).await;
    let app = std::sync::Arc::new(app);
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, flow) = (app.clone(), flow.clone());
        racers.spawn(async move { app.security_answer(&flow, "Bergamo").await });
    }
    let answers: Vec<_> = racers.join_all().await;
    let won = answers.iter().filter(|a| a.status == 200).count();
    let lost: BTreeSet<&str> = answers
        .iter()
        .filter(|a| a.status != 200)
        .map(|a| a.code())
        .collect();
    assert_eq!(won, 1, "{answers:?}");
    // The others lost the race, or were refused before their answer was checked: the flow
    // allows three attempts (X5).
    assert!(
        lost.iter()
            .all(|c| ["conflict", "wrong_step", "too_many_attempts"].contains(c)),
        "{lost:?}"
    );
}

async fn r5_login_email_recovered_with_the_password(app: TestApp) {
    let flow = app.flow("email", &ANNA).await;
    let wrong = app.recovery_password(&flow, "not-her-password").await;
    assert_eq!((wrong.status, wrong.code()), (422, "data_not_correct"));
    assert_eq!(
        app.recovery_password(&flow, ANNA.password).await.status,
        200
    );
    assert_eq!(app.phone(&flow, "+393331234567").await.status, 202);
    let sms = app.the_sms().await;
    assert!(sms.body.contains("anna.neri@example.com"), "{}", sms.body);
}

async fn r5_login_email_recovered_with_key6_or_the_security_answer(app: TestApp) {
    let flow = app.flow("email", &MARIO).await;
    assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);
    assert_eq!(app.phone(&flow, MARIO_PHONE).await.status, 202);
    assert!(app.the_sms().await.body.contains(MARIO.email));

    let flow = app.flow("email", &LUCA).await;
    assert_eq!(app.security_answer(&flow, "bergamo").await.status, 200);
    assert_eq!(app.phone(&flow, "+393209876543").await.status, 202);
    assert!(app.the_sms().await.body.contains(LUCA.email));
}

async fn r5_the_password_method_is_for_email_recovery_only(app: TestApp) {
    let flow = app.flow("password", &MARIO).await;
    let refused = app.recovery_password(&flow, MARIO.password).await;
    assert_eq!(
        (refused.status, refused.code()),
        (409, "method_not_offered")
    );
}

async fn r7_data_that_matches_nobody_answers_data_not_correct(app: TestApp) {
    let nobody = "ZZZPPP80A01H501";
    let nobody = format!(
        "{nobody}{}",
        varco_domain::base::types::check_character(nobody)
    );
    let started = app
        .start_recovery_with("password", &nobody, "1980-01-01")
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let flow = started.text("flow_id");
    let answer = if methods(&started).contains(&"key6".to_string()) {
        app.key6(&flow, MARIO_CARD, MARIO_KEY6).await
    } else {
        app.security_answer(&flow, "Fido").await
    };
    assert_eq!((answer.status, answer.code()), (422, "data_not_correct"));
    assert_eq!(answer.text("title"), "Dati non corretti.");
}

/// X6 for recovery and login: until the method step, an unknown person gets the same
/// answers as a known one, and every answer costs the same argon2 work.
async fn x6_unknown_people_get_the_same_answers_and_cost_the_same(app: TestApp) {
    let nobody = "ZZZPPP80A01H501";
    let nobody = format!(
        "{nobody}{}",
        varco_domain::base::types::check_character(nobody)
    );
    let known = app.start_recovery("email", &MARIO).await;
    let unknown = app
        .start_recovery_with("email", &nobody, "1980-01-01")
        .await;
    assert_eq!(known.status, unknown.status);
    let keys = |a: &varco_tests::Answer| {
        a.body
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&known), keys(&unknown));
    assert_eq!(known.text("flow_id").len(), unknown.text("flow_id").len());
    assert_eq!(
        methods(
            &app.start_recovery_with("email", &nobody, "1980-01-01")
                .await
        ),
        methods(&unknown),
        "the same every time"
    );

    let work = || app.deps.hasher.verification_count();
    let before = work();
    let wrong_known = app
        .recovery_password(&known.text("flow_id"), "wrong password")
        .await;
    let known_cost = work() - before;
    let before = work();
    let wrong_unknown = app
        .recovery_password(&unknown.text("flow_id"), "wrong password")
        .await;
    assert_eq!(
        (work() - before, wrong_known.body["code"].clone()),
        (known_cost, wrong_unknown.body["code"].clone())
    );

    let before = work();
    let login_known = app.login(MARIO.email, "wrong password").await;
    let known_cost = work() - before;
    let before = work();
    let login_unknown = app.login("nobody@example.com", "wrong password").await;
    assert_eq!(work() - before, known_cost);
    assert_eq!(
        (login_known.status, login_known.code()),
        (login_unknown.status, login_unknown.code())
    );
}

on_both_stores!(
    x2_the_hourly_job_purges_flows_a_day_past_their_end,
    r1_recovery_starts_with_fiscal_code_birth_date_and_captcha,
    r1_a_flow_expires_after_fifteen_minutes,
    r1_the_fiscal_code_as_people_write_it_and_no_birth_date_in_the_future,
    r2_methods_offered_are_those_the_person_enabled,
    r3_password_recovered_with_card_and_key6_then_phone,
    r3_a_card_that_is_not_the_persons_is_data_not_correct,
    r3_five_wrong_key6_lock_key6_recovery_for_the_card_for_a_day,
    r4_password_recovered_with_the_security_answer,
    r4_three_wrong_answers_end_the_flow,
    r4_a_step_raced_twenty_times_succeeds_once,
    r5_login_email_recovered_with_the_password,
    r5_login_email_recovered_with_key6_or_the_security_answer,
    r5_the_password_method_is_for_email_recovery_only,
    r7_data_that_matches_nobody_answers_data_not_correct,
    x6_unknown_people_get_the_same_answers_and_cost_the_same,
);

/// X9, X6: wrong security answers across new flows, for a known person and for a fiscal
/// code nobody has (one whose decoy offers a question): the same answers in the same order,
/// the person's daily budget included (a decoy runs out as a real person does).
async fn x9_x6_a_decoy_recovery_runs_out_of_tries_as_a_real_one_does(app: TestApp) {
    let mut nobody = None;
    for n in 0..20 {
        let base = format!("ZZZPPP80A01H5{n:02}");
        let code = format!(
            "{base}{}",
            varco_domain::base::types::check_character(&base)
        );
        let started = app.start_recovery_with("email", &code, "1980-01-01").await;
        if methods(&started).contains(&"security_question".to_string()) {
            nobody = Some(code);
            break;
        }
    }
    let nobody = nobody.expect("some decoy offers a question");
    let mut seen = Vec::new();
    for (fiscal_code, birth_date) in [
        (LUCA.fiscal_code(), LUCA.birth_date.to_string()),
        (nobody.clone(), "1980-01-01".to_string()),
    ] {
        let mut answers = Vec::new();
        for _ in 0..5 {
            let started = app
                .start_recovery_with("email", &fiscal_code, &birth_date)
                .await;
            assert_eq!(started.status, 201, "{}", started.body);
            let flow = started.text("flow_id");
            for _ in 0..3 {
                let answer = app.security_answer(&flow, "Nessuna").await;
                answers.push(answer.code().to_string());
            }
        }
        seen.push(answers);
    }
    assert_eq!(seen[0], seen[1]);
    assert!(
        seen[0].contains(&"attempts_exhausted".to_string()),
        "{:?}",
        seen[0]
    );
}

/// X9 again through the Lambda entrypoint (API Gateway's events), on both stores.
mod x9 {
    use super::*;
    varco_tests::on_both_stores!(
        through_lambda_too;
        x9_x6_a_decoy_recovery_runs_out_of_tries_as_a_real_one_does,
    );
}
