//! N4: an Administrator registers with the company card, its registration code and a mobile
//! confirmed by an SMS code, then chooses the login email and password.

use serde_json::json;
use varco_domain::base::clock::{DAY, HOUR, MINUTE};
use varco_functions::demo::{DemoCompanyCard, ACME_CARD, BORGO_CARD, CIELO_CARD, DUNA_CARD, MARIO};
use varco_tests::{code_in, on_both_stores, TestApp};

const SARA_PHONE: &str = "+39 347 555 0101";
const SARA_EMAIL: &str = "sara.conti@acme.example";
const SARA_PASSWORD: &str = "Girasole-Viola-31";

/// Starts a registration that must start; returns the flow id and the code sent.
async fn code_sent(app: &TestApp, card: &DemoCompanyCard, phone: &str) -> (String, String) {
    let started = app
        .start_registration(card, card.registration_code, phone)
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let sms = app.the_sms().await;
    (started.text("flow_id"), code_in(&sms))
}

/// A registration up to the credentials step.
async fn confirmed(app: &TestApp, card: &DemoCompanyCard, phone: &str) -> String {
    let (flow, code) = code_sent(app, card, phone).await;
    let answer = app.registration_code(&flow, &code).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    flow
}

async fn n4_administrator_registers_with_card_registration_code_and_mobile(app: TestApp) {
    let started = app
        .start_registration(&ACME_CARD, "acme 7k2q 9xpl", SARA_PHONE)
        .await;
    assert_eq!(
        (
            started.status,
            started.text("sent_to").as_str(),
            started.text("next").as_str()
        ),
        (201, "+39 347****01", "code"),
        "the registration code is typed in any case, with spaces: {}",
        started.body
    );
    let sms = app.the_sms().await;
    assert_eq!(sms.to, "+393475550101", "the code goes to the mobile typed");
    assert!(sms.body.contains("codice di verifica"), "{}", sms.body);
    let flow = started.text("flow_id");

    let confirmed = app.registration_code(&flow, &code_in(&sms)).await;
    assert_eq!(
        (
            confirmed.status,
            confirmed.text("next").as_str(),
            confirmed.text("company_name").as_str()
        ),
        (200, "credentials", "Acme Forniture Srl")
    );
    let weak = app
        .registration_credentials(&flow, SARA_EMAIL, "password")
        .await;
    assert_eq!((weak.status, weak.code()), (422, "weak_password"));
    let own = app
        .registration_credentials(&flow, SARA_EMAIL, "Sara.Conti-2024")
        .await;
    assert_eq!(
        (own.status, own.body["reason"].as_str()),
        (422, Some("context")),
        "her own name and address: {}",
        own.body
    );
    let session = app
        .registration_credentials(&flow, SARA_EMAIL, SARA_PASSWORD)
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
    assert_eq!(session.body["scope"], "account");
    assert!(session.body["refresh_token"].is_string());

    let me = app.me(&session.text("access_token")).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["display_name"], "Sara Conti");
    assert_eq!(
        me.body["memberships"],
        json!([{ "company_id": "acme", "company_name": "Acme Forniture Srl", "role": "administrator",
                 "access_until": ACME_CARD.valid_until + 90 * DAY }]),
        "an Administrator keeps access 90 days past the card's end"
    );
    let login = app.login("Sara.Conti@ACME.example", SARA_PASSWORD).await;
    assert_eq!(
        login.status, 201,
        "the new credentials log in: {}",
        login.body
    );

    let again = app
        .registration_credentials(&flow, "altra@acme.example", SARA_PASSWORD)
        .await;
    assert_eq!(
        (again.status, again.code()),
        (409, "wrong_step"),
        "a completed flow registers no one else"
    );
}

async fn n4_a_wrong_registration_code_or_unknown_card_is_data_not_correct(app: TestApp) {
    let wrong = app
        .start_registration(&ACME_CARD, "ACME-0000-0000", SARA_PHONE)
        .await;
    assert_eq!((wrong.status, wrong.code()), (422, "data_not_correct"));
    let unknown = DemoCompanyCard {
        number: "4242424242424242",
        ..ACME_CARD
    };
    let nobody = app
        .start_registration(&unknown, ACME_CARD.registration_code, SARA_PHONE)
        .await;
    assert_eq!(
        (nobody.status, nobody.code()),
        (422, "data_not_correct"),
        "an unknown card answers as a wrong code"
    );
    let another_companys = app
        .start_registration(&ACME_CARD, DUNA_CARD.registration_code, SARA_PHONE)
        .await;
    assert_eq!(another_companys.code(), "data_not_correct");
    assert!(
        app.deliver_messages().await.is_empty(),
        "no SMS for wrong data"
    );
}

async fn n4_five_wrong_registration_codes_lock_the_card_for_a_day(app: TestApp) {
    for _ in 0..5 {
        let wrong = app
            .start_registration(&ACME_CARD, "ACME-0000-0000", SARA_PHONE)
            .await;
        assert_eq!(wrong.code(), "data_not_correct");
    }
    let locked = app
        .start_registration(&ACME_CARD, ACME_CARD.registration_code, SARA_PHONE)
        .await;
    assert_eq!(
        (locked.status, locked.code()),
        (429, "registration_code_locked"),
        "even the right code, while locked"
    );
    app.clock.advance(24 * HOUR);
    let later = app
        .start_registration(&ACME_CARD, ACME_CARD.registration_code, SARA_PHONE)
        .await;
    assert_eq!(later.status, 201, "{}", later.body);
}

async fn n4_an_expired_or_blocked_card_asks_for_a_valid_card(app: TestApp) {
    for card in [&BORGO_CARD, &CIELO_CARD] {
        let answer = app
            .start_registration(card, card.registration_code, SARA_PHONE)
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (422, "valid_card_required"),
            "{}",
            card.company_name
        );
    }
    let english = {
        let captcha = app.captcha().await;
        app.request(
            reqwest::Method::POST,
            "/registrations",
            Some(json!({ "card_number": BORGO_CARD.number, "registration_code": BORGO_CARD.registration_code, "phone": SARA_PHONE, "captcha": captcha })),
            &[("accept-language", "en")],
        )
        .await
    };
    assert!(english.text("title").contains("valid company card"));
}

async fn n4_the_sms_code_is_single_use_and_lasts_ten_minutes(app: TestApp) {
    let (flow, code) = code_sent(&app, &ACME_CARD, SARA_PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let answer = app.registration_code(&flow, wrong).await;
    assert_eq!((answer.status, answer.code()), (422, "code_not_correct"));
    app.clock.advance(10 * MINUTE);
    let late = app.registration_code(&flow, &code).await;
    assert_eq!((late.status, late.code()), (410, "code_expired"));

    let resent = app.resend_registration_code(&flow, SARA_PHONE).await;
    assert_eq!(resent.status, 202, "{}", resent.body);
    let new_code = code_in(&app.the_sms().await);
    if new_code != code {
        let old = app.registration_code(&flow, &code).await;
        assert_eq!(old.code(), "code_not_correct", "a resend replaces the code");
    }
    assert_eq!(app.registration_code(&flow, &new_code).await.status, 200);
    let reused = app.registration_code(&flow, &new_code).await;
    assert_eq!((reused.status, reused.code()), (409, "wrong_step"));
}

async fn n4_five_wrong_codes_end_the_flow(app: TestApp) {
    let (flow, code) = code_sent(&app, &ACME_CARD, SARA_PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        assert_eq!(
            app.registration_code(&flow, wrong).await.code(),
            "code_not_correct"
        );
    }
    let last = app.registration_code(&flow, wrong).await;
    assert_eq!((last.status, last.code()), (429, "too_many_attempts"));
    let after = app.registration_code(&flow, &code).await;
    assert_eq!((after.status, after.code()), (410, "flow_ended"));
}

async fn n4_codes_to_one_number_are_limited_to_three_in_ten_minutes(app: TestApp) {
    let (flow, _) = code_sent(&app, &ACME_CARD, SARA_PHONE).await;
    for _ in 0..2 {
        assert_eq!(
            app.resend_registration_code(&flow, SARA_PHONE).await.status,
            202
        );
    }
    let fourth = app.resend_registration_code(&flow, SARA_PHONE).await;
    assert_eq!((fourth.status, fourth.code()), (429, "sms_limit"));
    let other_flow = app
        .start_registration(&ACME_CARD, ACME_CARD.registration_code, SARA_PHONE)
        .await;
    assert_eq!(
        other_flow.code(),
        "sms_limit",
        "the limit is the number's, across flows"
    );
    let other_number = app
        .resend_registration_code(&flow, "+39 347 555 0199")
        .await;
    assert_eq!(
        (other_number.status, other_number.code()),
        (422, "phone_not_matching")
    );
    assert_eq!(
        app.deliver_messages().await.len(),
        2,
        "the two resends (the first code was delivered above), nothing refused"
    );
    app.clock.advance(10 * MINUTE);
    assert_eq!(
        app.resend_registration_code(&flow, SARA_PHONE).await.status,
        202
    );
}

async fn n4_a_company_gets_one_administrator(app: TestApp) {
    let first = confirmed(&app, &ACME_CARD, SARA_PHONE).await;
    let second = confirmed(&app, &ACME_CARD, "+39 347 555 0102").await;
    assert_eq!(
        app.registration_credentials(&first, SARA_EMAIL, SARA_PASSWORD)
            .await
            .status,
        201
    );
    let refused = app
        .registration_credentials(&second, "altro@acme.example", SARA_PASSWORD)
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (409, "company_already_registered")
    );
    assert!(refused.text("title").contains("Servizio Clienti"));
    let nobody = app.login("altro@acme.example", SARA_PASSWORD).await;
    assert_eq!(
        nobody.status, 401,
        "the refused registration left no account"
    );
}

async fn n4_concurrent_registrations_of_one_company_succeed_once(app: TestApp) {
    let mut flows = Vec::new();
    for i in 0..6 {
        flows.push(confirmed(&app, &ACME_CARD, &format!("+39 347 555 01{i:02}")).await);
    }
    let app = std::sync::Arc::new(app);
    let mut racers = tokio::task::JoinSet::new();
    for (i, flow) in flows.into_iter().enumerate() {
        let app = app.clone();
        racers.spawn(async move {
            app.registration_credentials(&flow, &format!("admin{i}@acme.example"), SARA_PASSWORD)
                .await
        });
    }
    let answers: Vec<_> = racers.join_all().await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(
        created,
        1,
        "{:?}",
        answers.iter().map(|a| a.body.clone()).collect::<Vec<_>>()
    );
    for refused in answers.iter().filter(|a| a.status != 201) {
        assert!(
            ["company_already_registered", "conflict"].contains(&refused.code()),
            "{}",
            refused.body
        );
    }
}

async fn n4_one_account_per_login_email_compared_canonically(app: TestApp) {
    let acme = confirmed(&app, &ACME_CARD, SARA_PHONE).await;
    let taken = app
        .registration_credentials(&acme, "Mario.Rossi@EXAMPLE.com", SARA_PASSWORD)
        .await;
    assert_eq!((taken.status, taken.code()), (409, "email_taken"));
    let duna = confirmed(&app, &DUNA_CARD, "+39 347 555 0202").await;
    let (a, b) = tokio::join!(
        app.registration_credentials(&acme, "shared.admin@gmail.com", SARA_PASSWORD),
        app.registration_credentials(&duna, "Shared.Admin@googlemail.com", SARA_PASSWORD),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} {}", a.body, b.body);
    assert_eq!(app.login(MARIO.email, MARIO.password).await.status, 201);
}

async fn n4_bad_input_is_a_clear_400(app: TestApp) {
    let captcha = app.captcha().await;
    let cases = [
        (
            json!({ "card_number": "4000 0566 5566 5557", "registration_code": "ACME7K2Q9XPL", "phone": SARA_PHONE, "captcha": captcha }),
            "card_number",
        ),
        (
            json!({ "card_number": ACME_CARD.number, "registration_code": "AB", "phone": SARA_PHONE, "captcha": captcha }),
            "registration_code",
        ),
        (
            json!({ "card_number": ACME_CARD.number, "registration_code": "ACME7K2Q9XPL", "phone": "12", "captcha": captcha }),
            "phone",
        ),
    ];
    for (body, field) in cases {
        let answer = app.post("/registrations", body).await;
        assert_eq!(
            (answer.status, answer.code(), answer.text("field").as_str()),
            (400, "invalid_field", field)
        );
    }
    let (flow, _) = code_sent(&app, &ACME_CARD, SARA_PHONE).await;
    let not_digits = app.registration_code(&flow, "12a456").await;
    assert_eq!(
        (not_digits.status, not_digits.text("field").as_str()),
        (400, "code")
    );
    let early = app
        .registration_credentials(&flow, SARA_EMAIL, SARA_PASSWORD)
        .await;
    assert_eq!(
        (early.status, early.code()),
        (409, "wrong_step"),
        "the code comes first"
    );
    let huge = app
        .post(
            "/registrations",
            json!({ "card_number": ACME_CARD.number, "registration_code": "A".repeat(200_000), "phone": SARA_PHONE, "captcha": "x" }),
        )
        .await;
    assert_eq!((huge.status, huge.code()), (413, "payload_too_large"));
    let unknown = app.registration_code("no-such-flow", "123456").await;
    assert_eq!((unknown.status, unknown.code()), (404, "flow_not_found"));
}

async fn n3_a_registered_administrator_keeps_access_ninety_days_past_the_card(app: TestApp) {
    let flow = confirmed(&app, &ACME_CARD, SARA_PHONE).await;
    let session = app
        .registration_credentials(&flow, SARA_EMAIL, SARA_PASSWORD)
        .await;
    assert_eq!(session.status, 201);
    let now = app.deps.clock.now().0;
    app.clock
        .advance(ACME_CARD.valid_until + 90 * DAY - 1 - now);
    assert_eq!(
        app.login(SARA_EMAIL, SARA_PASSWORD).await.status,
        201,
        "expired, within the grace period"
    );
    app.clock.advance(1);
    let refused = app.login(SARA_EMAIL, SARA_PASSWORD).await;
    assert_eq!(
        (refused.status, refused.code()),
        (422, "valid_card_required")
    );
    assert!(refused.text("title").contains("carta aziendale valida"));
    let wrong_password = app.login(SARA_EMAIL, "not-her-password").await;
    assert_eq!(
        wrong_password.code(),
        "invalid_credentials",
        "the card is mentioned only to who knows the password"
    );
}

/// The operator's data for Acme's card: blocked on 2026-11-01, or not.
async fn import_acme_card(app: &TestApp, blocked_on: Option<&str>) {
    let row = json!({ "type": "company_card", "company_id": "acme", "number": ACME_CARD.number, "holder_name": "Sara Conti", "valid_until": "2029-12-31", "blocked_on": blocked_on, "registration_code": ACME_CARD.registration_code });
    let report = varco_tests::invoke_import(&app.deps, json!({ "jsonl": row.to_string() }))
        .await
        .unwrap();
    assert_eq!(report["failed"], 0, "{report}");
}

async fn n3_the_daily_job_revokes_an_administrator_past_the_grace_period_and_frees_the_seat(
    app: TestApp,
) {
    use varco_functions::catalog::Job;
    let flow = confirmed(&app, &ACME_CARD, SARA_PHONE).await;
    let session = app
        .registration_credentials(&flow, SARA_EMAIL, SARA_PASSWORD)
        .await;
    assert_eq!(session.status, 201);
    import_acme_card(&app, Some("2026-11-01")).await;
    // Runs the job as its daily schedule would over the days the clock moved: until done.
    let revoke = || app.run_job_until_finished(Job::RevokeLapsedAdministrators);
    assert_eq!(revoke().await, 0, "within the grace period");

    // 2026-11-01 + 90 days, and the day the daily job waits for (it handles full days).
    let grace_ends = 1_793_491_200 + 90 * DAY;
    app.clock.advance(grace_ends + DAY - app.deps.clock.now().0);
    assert_eq!(revoke().await, 1);
    assert_eq!(revoke().await, 0, "once");
    let told = app.the_email().await;
    assert_eq!(told.to, SARA_EMAIL);
    assert!(told.body.contains("Acme Forniture Srl"), "{}", told.body);
    let login = app.login(SARA_EMAIL, SARA_PASSWORD).await;
    assert_eq!((login.status, login.code()), (422, "valid_card_required"));

    // A renewed card: a new Administrator registers (the seat is free); Sara stays revoked.
    import_acme_card(&app, None).await;
    let flow = confirmed(&app, &ACME_CARD, "+39 347 555 0999").await;
    let renewed = app
        .registration_credentials(
            &flow,
            "nuova.amministratrice@acme.example",
            "Nuvola-Bianca-27",
        )
        .await;
    assert_eq!(renewed.status, 201, "{}", renewed.body);
    let login = app.login(SARA_EMAIL, SARA_PASSWORD).await;
    assert_eq!(login.code(), "valid_card_required", "the revocation stands");
}

async fn n6_the_back_office_revokes_a_registration_so_that_a_new_administrator_registers(
    app: TestApp,
) {
    let sara = app
        .register_administrator(&ACME_CARD, SARA_PHONE, SARA_EMAIL, SARA_PASSWORD)
        .await;
    let path = "/operator/companies/acme/administrator";
    let key = varco_tests::test_operator_key();
    let revoke = |headers: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.request(reqwest::Method::DELETE, path, None, &headers)
                .await
        }
    };
    for headers in [
        vec![],
        vec![("x-varco-operator-key", "c29tZXRoaW5nLWVsc2U=".to_string())],
        vec![("authorization", format!("Bearer {sara}"))],
    ] {
        let refused = revoke(headers).await;
        assert_eq!((refused.status, refused.code()), (401, "operator_only"));
    }
    let revoked = revoke(vec![("x-varco-operator-key", key.clone())]).await;
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    let again = revoke(vec![("x-varco-operator-key", key.clone())]).await;
    assert_eq!((again.status, again.code()), (404, "no_administrator"));

    let flow = confirmed(&app, &ACME_CARD, "+39 347 555 0999").await;
    let new_admin = app
        .registration_credentials(
            &flow,
            "nuova.amministratrice@acme.example",
            "Nuvola-Bianca-27",
        )
        .await;
    assert_eq!(
        new_admin.status, 201,
        "a new Administrator registers: {}",
        new_admin.body
    );
    let sara = app
        .session(SARA_EMAIL, SARA_PASSWORD)
        .await
        .text("access_token");
    assert_eq!(
        app.me(&sara).await.body["memberships"],
        json!([]),
        "Sara's account and password stay, without the company"
    );
    let trail = app
        .request(
            reqwest::Method::GET,
            "/operator/companies/acme/audit-events",
            None,
            &[("x-varco-operator-key", &key)],
        )
        .await;
    assert_eq!(trail.status, 200, "{}", trail.body);
    assert_eq!(trail.body["events"][0]["action"], "registration_revoked");
}

on_both_stores!(
    n6_the_back_office_revokes_a_registration_so_that_a_new_administrator_registers,
    n3_the_daily_job_revokes_an_administrator_past_the_grace_period_and_frees_the_seat,
    n3_a_registered_administrator_keeps_access_ninety_days_past_the_card,
    n4_administrator_registers_with_card_registration_code_and_mobile,
    n4_a_wrong_registration_code_or_unknown_card_is_data_not_correct,
    n4_five_wrong_registration_codes_lock_the_card_for_a_day,
    n4_an_expired_or_blocked_card_asks_for_a_valid_card,
    n4_the_sms_code_is_single_use_and_lasts_ten_minutes,
    n4_five_wrong_codes_end_the_flow,
    n4_codes_to_one_number_are_limited_to_three_in_ten_minutes,
    n4_a_company_gets_one_administrator,
    n4_concurrent_registrations_of_one_company_succeed_once,
    n4_one_account_per_login_email_compared_canonically,
    n4_bad_input_is_a_clear_400,
);
