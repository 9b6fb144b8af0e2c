//! X8 beyond a company's own changes: logins (ok and failed), each recovery step and the SMS
//! that ends it, and imports are recorded too: a login in the trail of the person's
//! companies, everything in the operator's trail of the day. Events hold ids and outcome
//! codes, never what was typed.

use serde_json::{json, Value};
use varco_domain::base::clock::DAY;
use varco_functions::demo::{ACME_CARD, MARIO};
use varco_tests::{on_both_stores, test_operator_key, TestApp};

const SARA_EMAIL: &str = "sara.conti@acme.example";
const SARA_PASSWORD: &str = "Scrivania-Ordinata-7";

/// The operator's trail of every event (`query`: `?day=...`, `?limit=...`).
async fn operator_log(app: &TestApp, query: &str) -> varco_tests::Answer {
    let key = test_operator_key();
    app.request(
        reqwest::Method::GET,
        &format!("/operator/audit-events{query}"),
        None,
        &[("x-varco-operator-key", &key)],
    )
    .await
}

/// (action, outcome, subject) of each event, newest first.
fn summary(page: &Value) -> Vec<(String, String, Option<String>)> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
                e["subject"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn event(action: &str, outcome: &str, subject: Option<&str>) -> (String, String, Option<String>) {
    (
        action.to_string(),
        outcome.to_string(),
        subject.map(str::to_string),
    )
}

async fn x8_logins_ok_and_failed_are_in_the_company_s_trail_and_the_operator_s(app: TestApp) {
    let sara = app
        .register_administrator(&ACME_CARD, "+39 347 555 0101", SARA_EMAIL, SARA_PASSWORD)
        .await;
    let sara_id = app.me(&sara).await.text("id");
    app.clock.advance(1);
    assert_eq!(
        app.login(SARA_EMAIL, "Sbagliata-Davvero-1").await.status,
        401
    );
    // A trail orders events by the second they happened in (those of one second, as they
    // come): the clock moves a second between attempts.
    app.clock.advance(1);
    assert_eq!(app.login(SARA_EMAIL, SARA_PASSWORD).await.status, 201);
    app.clock.advance(1);
    assert_eq!(
        app.login("nessuno@example.it", "Qualunque-Cosa-12")
            .await
            .status,
        401
    );

    let company = app
        .as_user(
            reqwest::Method::GET,
            &sara,
            "/companies/acme/audit-events?limit=2",
        )
        .await;
    assert_eq!(company.status, 200, "{}", company.body);
    assert_eq!(
        summary(&company.body),
        [
            event("login", "ok", Some(&sara_id)),
            event("login_failed", "invalid_credentials", Some(&sara_id)),
        ],
        "the company sees its people's logins, not strangers'"
    );

    let log = operator_log(&app, "?limit=3").await;
    assert_eq!(log.status, 200, "{}", log.body);
    assert_eq!(
        summary(&log.body),
        [
            event("login_failed", "invalid_credentials", None),
            event("login", "ok", Some(&sara_id)),
            event("login_failed", "invalid_credentials", Some(&sara_id)),
        ],
        "the operator sees every login, of nobody too"
    );
    let text = log.body.to_string();
    for typed in ["Sbagliata-Davvero-1", SARA_PASSWORD, "nessuno@example.it"] {
        assert!(!text.contains(typed), "{typed} is not recorded: {text}");
    }

    // A refused attempt, which anyone can make at the API's rate, is kept 30 days; a
    // login, 400. Both trails, the company's and the operator's.
    let day = varco_domain::base::clock::Clock::now(&app.clock)
        .0
        .div_euclid(DAY);
    let mut kept: Vec<(String, i64)> = Vec::new();
    for pk in [format!("AUDITLOG#{day}"), "AUDIT#acme".to_string()] {
        for item in app.deps.store.query(&pk, "", 100).await.unwrap() {
            let action = item.doc["action"].as_str().unwrap().to_string();
            if action.starts_with("login") {
                let at = item.doc["at"].as_i64().unwrap();
                kept.push((action, (item.expires_at.unwrap() - at) / DAY));
            }
        }
    }
    kept.sort();
    assert_eq!(
        kept,
        [
            ("login".to_string(), 400),
            ("login".to_string(), 400),
            ("login_failed".to_string(), 30),
            ("login_failed".to_string(), 30),
            ("login_failed".to_string(), 30),
        ],
        "the operator's three and the company's two"
    );
}

async fn x8_each_recovery_step_and_its_sms_are_in_the_operator_s_trail(app: TestApp) {
    let flow = app.flow("password", &MARIO).await;
    app.clock.advance(1);
    let wrong = app.key6(&flow, "4111 1111 1111 1111", "000000").await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    app.clock.advance(1);
    let right = app.key6(&flow, "4111 1111 1111 1111", "482913").await;
    assert_eq!(right.status, 200, "{}", right.body);
    app.clock.advance(1);
    let sms = app.phone(&flow, "+39 340 123 4544").await;
    assert_eq!(sms.status, 202, "{}", sms.body);

    let log = operator_log(&app, "").await;
    assert_eq!(log.status, 200, "{}", log.body);
    let events = summary(&log.body);
    let mario = events[0].2.clone();
    assert!(
        mario.is_some(),
        "the steps name Mario's account: {events:?}"
    );
    let mario = mario.as_deref();
    assert_eq!(
        events,
        [
            event("recovery_completed", "ok", mario),
            event("recovery_key6", "ok", mario),
            event("recovery_key6", wrong.code(), mario),
            event("recovery_started", "ok", mario),
        ]
    );
    assert!(
        !log.body.to_string().contains("482913"),
        "no Key6 in the trail"
    );
    // The SMS, once sent, with what it was and the masked number only.
    app.clock.advance(1);
    let sms = app.the_sms().await;
    let log = operator_log(&app, "?limit=1").await;
    assert_eq!(
        summary(&log.body),
        [event(
            "sms_sent",
            "ok",
            Some("temporary_password to +39 340****44")
        )]
    );
    assert!(!log.body.to_string().contains(&sms.body));

    // A day at a time: yesterday had nothing; a day that is no date is refused.
    let now = varco_domain::base::clock::Clock::now(&app.clock).0;
    let yesterday = time_day(now - DAY);
    let before = operator_log(&app, &format!("?day={yesterday}")).await;
    assert_eq!(before.body["events"], json!([]), "{}", before.body);
    let bad = operator_log(&app, "?day=ieri").await;
    assert_eq!((bad.status, bad.code()), (400, "invalid_field"));
    let anonymous = app
        .request(reqwest::Method::GET, "/operator/audit-events", None, &[])
        .await;
    assert_eq!((anonymous.status, anonymous.code()), (401, "operator_only"));
}

/// `YYYY-MM-DD` of the UTC day of `at` (Unix seconds).
fn time_day(at: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = at.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

async fn x8_an_import_is_in_the_operator_s_trail_with_its_counts(app: TestApp) {
    let rows = [
        json!({ "type": "company", "id": "olmo", "name": "Olmo Servizi Srl" }),
        json!({ "type": "company", "id": "no spaces allowed", "name": "Sbagliata" }),
    ];
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    varco_tests::invoke_import(&app.deps, json!({ "jsonl": text }))
        .await
        .unwrap();
    let log = operator_log(&app, "?limit=1").await;
    let imported = &log.body["events"][0];
    assert_eq!(
        (
            &imported["action"],
            &imported["source"],
            &imported["outcome"],
            &imported["subject"]
        ),
        (
            &json!("import"),
            &json!("import"),
            &json!("rows_failed"),
            &json!("created=1 updated=0 unchanged=0 failed=1")
        ),
        "{}",
        log.body
    );
}

async fn x8_a_deleted_account_is_in_the_operator_s_trail(app: TestApp) {
    let mario = app.session(MARIO.email, MARIO.password).await;
    let id = app.me(&mario.text("access_token")).await.text("id");
    app.clock.advance(1);
    let deleted = app
        .post_as(
            &mario.text("access_token"),
            "/me/deletion",
            json!({ "password": MARIO.password }),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let log = operator_log(&app, "?limit=2").await;
    assert_eq!(
        summary(&log.body),
        [
            event("account_deleted", "ok", Some(&id)),
            event("login", "ok", Some(&id)),
        ]
    );
}

on_both_stores!(
    x8_a_deleted_account_is_in_the_operator_s_trail,
    x8_logins_ok_and_failed_are_in_the_company_s_trail_and_the_operator_s,
    x8_each_recovery_step_and_its_sms_are_in_the_operator_s_trail,
    x8_an_import_is_in_the_operator_s_trail_with_its_counts,
);
