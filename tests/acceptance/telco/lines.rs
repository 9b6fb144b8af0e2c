//! W7: employees register their line; W8: they log in with it.

use serde_json::json;
use varco_domain::base::clock::DAY;
use varco_domain::limits::outbox::Channel;
use varco_functions::demo::{LINE_DATA, LINE_LAGO, LINE_LUCA, LINE_SARA, LINE_SPARE};
use varco_tests::{captured_logs, code_in, gateway_proof, on_both_stores, Answer, TestApp};

mod second_sims;

pub(crate) const PASSWORD: &str = "Onda-Lunga-2024";

async fn w7_employee_registers_a_line_with_a_code_by_sms(app: TestApp) {
    let started = app
        .start_line_registration(LINE_LUCA.number, "luca.neri@officinenord.example")
        .await;
    assert_eq!(
        (
            started.status,
            started.text("next").as_str(),
            started.text("sent_to").as_str()
        ),
        (201, "code", "+39 347****11"),
        "{}",
        started.body
    );
    let sms = app.the_sms().await;
    assert_eq!(
        (sms.channel, sms.to.as_str()),
        (Channel::Sms, LINE_LUCA.number)
    );
    let flow = started.text("flow_id");
    let wrong = app
        .line_step(
            &flow,
            "code",
            json!({ "code": "000000", "new_password": PASSWORD }),
        )
        .await;
    assert_eq!((wrong.status, wrong.code()), (422, "code_not_correct"));
    let session = app
        .line_step(
            &flow,
            "code",
            json!({ "code": code_in(&sms), "new_password": PASSWORD }),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
    let me = app.me(&session.text("access_token")).await;
    assert_eq!(me.body["display_name"], "Luca Neri", "the line's referent");
    assert_eq!(me.body["email"], "luca.neri@officinenord.example");
    assert_eq!(
        me.body["memberships"],
        json!([{ "company_id": "nord", "company_name": "Officine Nord Srl", "role": "employee" }])
    );
    // The same credentials serve web and app: one login, by the line.
    let again = app
        .start_line_registration(LINE_LUCA.number, "altro@officinenord.example")
        .await;
    assert_eq!((again.status, again.code()), (409, "line_taken"));
}

async fn w7_a_data_only_sim_proves_its_puk_and_gets_the_code_by_email(app: TestApp) {
    let started = app
        .start_line_registration(LINE_DATA.number, "tablet@officinenord.example")
        .await;
    assert_eq!(
        (started.status, started.text("next").as_str()),
        (201, "puk"),
        "{}",
        started.body
    );
    assert!(
        app.deliver_messages().await.is_empty(),
        "no SMS to a data-only SIM"
    );
    let flow = started.text("flow_id");
    let early = app
        .line_step(
            &flow,
            "code",
            json!({ "code": "123456", "new_password": PASSWORD }),
        )
        .await;
    assert_eq!(
        (early.status, early.code()),
        (409, "wrong_step"),
        "the PUK comes first"
    );
    let wrong = app
        .line_step(&flow, "puk", json!({ "puk": "99999999" }))
        .await;
    assert_eq!((wrong.status, wrong.code()), (422, "puk_not_correct"));
    let right = app
        .line_step(&flow, "puk", json!({ "puk": LINE_DATA.puk }))
        .await;
    assert_eq!(
        (right.status, right.text("sent_to").as_str()),
        (200, "t****t@officinenord.example"),
        "{}",
        right.body
    );
    let email = app.the_email().await;
    assert_eq!(email.to, "tablet@officinenord.example");
    // "Send again" sends a new email; the first code stops working.
    let resent = app
        .line_step(&flow, "code/resend", json!({ "phone": LINE_DATA.number }))
        .await;
    assert_eq!(resent.status, 202, "{}", resent.body);
    let second = app.the_email().await;
    let stale = app
        .line_step(
            &flow,
            "code",
            json!({ "code": code_in(&email), "new_password": PASSWORD }),
        )
        .await;
    if code_in(&email) != code_in(&second) {
        assert_eq!(stale.code(), "code_not_correct");
    }
    let session = app
        .line_step(
            &flow,
            "code",
            json!({ "code": code_in(&second), "new_password": PASSWORD }),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
    assert_eq!(app.login_as(LINE_DATA.number, PASSWORD).await.status, 201);
}

/// X5: fifty PUKs at once at one flow: three are checked, the rest refused before any
/// check, and the right PUK after them is refused too.
async fn x5_a_burst_of_wrong_puks_checks_at_most_the_flow_limit(app: TestApp) {
    let started = app
        .start_line_registration(LINE_DATA.number, "tablet@officinenord.example")
        .await;
    let flow = started.text("flow_id");
    let app = std::sync::Arc::new(app);
    let seen = varco_tests::burst(&app, 50, |app, n| {
        let flow = flow.clone();
        async move {
            let puk = format!("{:08}", 10_000_000 + n);
            app.line_step(&flow, "puk", json!({ "puk": puk })).await
        }
    })
    .await;
    let checked = varco_tests::seen_count(&seen, 422, "puk_not_correct");
    assert!(checked <= 2, "{seen:?}");
    assert!(
        seen.keys().all(
            |(_, c)| ["puk_not_correct", "too_many_attempts", "flow_ended"].contains(&c.as_str())
        ),
        "{seen:?}"
    );
    let right = app
        .line_step(&flow, "puk", json!({ "puk": LINE_DATA.puk }))
        .await;
    assert!(
        [(410, "flow_ended"), (429, "too_many_attempts")].contains(&(right.status, right.code())),
        "{}",
        right.body
    );
}

async fn w7_three_wrong_puks_end_the_flow(app: TestApp) {
    let started = app
        .start_line_registration(LINE_DATA.number, "tablet@officinenord.example")
        .await;
    let flow = started.text("flow_id");
    let codes: Vec<_> = [0, 1, 2]
        .into_iter()
        .map(|i| format!("9999000{i}"))
        .collect();
    let mut answers = Vec::new();
    for puk in &codes {
        answers.push(
            app.line_step(&flow, "puk", json!({ "puk": puk }))
                .await
                .code()
                .to_string(),
        );
    }
    assert_eq!(
        answers,
        ["puk_not_correct", "puk_not_correct", "too_many_attempts"]
    );
    let right = app
        .line_step(&flow, "puk", json!({ "puk": LINE_DATA.puk }))
        .await;
    assert_eq!((right.status, right.code()), (410, "flow_ended"));
}

async fn w7_only_the_company_lines_register_and_codes_are_resent_within_limits(app: TestApp) {
    let unknown = app
        .start_line_registration("+393475550299", "x@officinenord.example")
        .await;
    assert_eq!((unknown.status, unknown.code()), (422, "line_not_eligible"));
    let started = app
        .start_line_registration(LINE_SARA.number, "sara@officinenord.example")
        .await;
    assert_eq!(started.status, 201);
    app.the_sms().await;
    let flow = started.text("flow_id");
    let other = app
        .line_step(&flow, "code/resend", json!({ "phone": LINE_LUCA.number }))
        .await;
    assert_eq!((other.status, other.code()), (422, "phone_not_matching"));
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            app.line_step(&flow, "code/resend", json!({ "phone": LINE_SARA.number }))
                .await
                .status,
        );
    }
    assert_eq!(statuses, [202, 202, 429], "3 SMS per number in 10 minutes");
}

async fn w7_concurrent_registrations_of_one_line_make_one_account(app: TestApp) {
    let mut flows = Vec::new();
    for i in 0..3 {
        let started = app
            .start_line_registration(LINE_SARA.number, &format!("sara{i}@officinenord.example"))
            .await;
        assert_eq!(started.status, 201, "{}", started.body);
        flows.push((started.text("flow_id"), code_in(&app.the_sms().await)));
    }
    let app = std::sync::Arc::new(app);
    let mut racers = tokio::task::JoinSet::new();
    for (flow, code) in flows {
        let app = app.clone();
        racers.spawn(async move {
            app.line_step(
                &flow,
                "code",
                json!({ "code": code, "new_password": PASSWORD }),
            )
            .await
        });
    }
    let answers: Vec<_> = racers.join_all().await;
    assert_eq!(
        answers.iter().filter(|a| a.status == 201).count(),
        1,
        "{answers:?}"
    );
    assert!(answers
        .iter()
        .filter(|a| a.status != 201)
        .all(|a| a.code() == "line_taken" || a.code() == "conflict"));
}

/// Luca registers his line (W7).
pub(crate) async fn registered_luca(app: &TestApp) {
    let session = app
        .register_line(LINE_LUCA.number, "luca.neri@officinenord.example", PASSWORD)
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
}

async fn w8_employee_logs_in_with_the_line_number(app: TestApp) {
    registered_luca(&app).await;
    for typed in [
        "+393475550211",
        "+39 347 555 0211",
        "3475550211",
        "0039 347 555 0211",
    ] {
        let login = app.login_as(typed, PASSWORD).await;
        assert_eq!(login.status, 201, "{typed}: {}", login.body);
    }
    let wrong = app.login_as("3475550211", "Onda-Corta-2024").await;
    assert_eq!((wrong.status, wrong.code()), (401, "invalid_credentials"));
    let other_line = app.login_as("3475550212", PASSWORD).await;
    assert_eq!(
        (other_line.status, other_line.code()),
        (401, "invalid_credentials")
    );
    let by_email = app.login("luca.neri@officinenord.example", PASSWORD).await;
    assert_eq!(
        (by_email.status, by_email.code()),
        (401, "invalid_credentials"),
        "an employee's login is the line"
    );
}

/// A request through the operator's network gateway: the line header, and the time and
/// proof headers.
async fn autologin(app: &TestApp, line: Option<&str>, proof: Option<(i64, &str)>) -> Answer {
    let time = proof.map(|(time, _)| time.to_string());
    let mut headers = Vec::new();
    headers.extend(line.map(|line| ("x-msisdn", line)));
    headers.extend(time.as_deref().map(|t| ("x-varco-gateway-time", t)));
    headers.extend(proof.map(|(_, proof)| ("x-varco-gateway-proof", proof)));
    app.request(reqwest::Method::POST, "/sessions/autologin", None, &headers)
        .await
}

/// The gateway's request for `line` now.
async fn vouched(app: &TestApp, line: &str) -> Answer {
    let now = app.deps.clock.now().0;
    autologin(app, Some(line), Some((now, &gateway_proof(line, now)))).await
}

async fn w9_an_employee_on_the_operator_network_is_logged_in_by_the_line(app: TestApp) {
    registered_luca(&app).await;
    for sent in ["+393475550211", "393475550211"] {
        let session = vouched(&app, sent).await;
        assert_eq!(session.status, 201, "{sent}: {}", session.body);
        assert_eq!(session.body["scope"], "account");
        let me = app.me(&session.text("access_token")).await;
        assert_eq!(me.text("display_name"), "Luca Neri");
        assert!(
            session.body.get("refresh_token").is_none(),
            "one access token's session: the gateway vouches again next time"
        );
        // X8: in the company's trail, as a login of its own kind.
        let trail = app
            .request(
                reqwest::Method::GET,
                "/operator/companies/nord/audit-events?limit=1",
                None,
                &[("x-varco-operator-key", &varco_tests::test_operator_key())],
            )
            .await;
        assert_eq!(
            (
                &trail.body["events"][0]["action"],
                &trail.body["events"][0]["subject"]
            ),
            (&json!("autologin"), &me.body["id"]),
            "{}",
            trail.body
        );
        app.clock.advance(1);
    }
    // A line of the company that has no account yet, and no line at all: the login form.
    for line in [LINE_SARA.number, "not a number"] {
        let answer = vouched(&app, line).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "autologin_unavailable"),
            "{line:?}"
        );
    }
    let now = app.deps.clock.now().0;
    let none = autologin(&app, None, Some((now, &gateway_proof("", now)))).await;
    assert_eq!(none.code(), "autologin_unavailable");
    // The session ends with its access token.
    let session = vouched(&app, LINE_LUCA.number).await;
    app.clock.advance(15 * 60);
    assert_eq!(app.me(&session.text("access_token")).await.status, 401);
}

async fn w9_x9_a_line_header_without_the_gateways_proof_is_ignored_and_logged(app: TestApp) {
    registered_luca(&app).await;
    let line = LINE_LUCA.number;
    let now = app.deps.clock.now().0;
    let right = gateway_proof(line, now);
    let other_line = gateway_proof("393475550212", now);
    let forged = right.replace('a', "b");
    let refused: [(&str, Option<(i64, &str)>); 6] = [
        ("no proof", None),
        ("an empty proof", Some((now, ""))),
        ("another line's proof", Some((now, &other_line))),
        ("a forged proof", Some((now, &forged))),
        ("a proof with another time", Some((now + 1, &right))),
        (
            "a proof made for later",
            Some((now + 61, &gateway_proof(line, now + 61))),
        ),
    ];
    for (what, proof) in refused {
        let answer = autologin(&app, Some(line), proof).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "autologin_unavailable"),
            "{what}"
        );
    }
    // A proof works once, within a minute; seen elsewhere and replayed, it opens nothing.
    assert_eq!(
        autologin(&app, Some(line), Some((now, &right)))
            .await
            .status,
        201
    );
    app.clock.advance(30);
    let replayed = autologin(&app, Some(line), Some((now, &right))).await;
    assert_eq!(replayed.code(), "autologin_unavailable", "a replay");
    // X9: re-spelled (the same bytes in capitals), it is the same proof, used.
    let respelled = autologin(&app, Some(line), Some((now, &right.to_uppercase()))).await;
    assert_eq!(
        respelled.code(),
        "autologin_unavailable",
        "a re-spelled replay"
    );
    // A proof made for another request (method or path) opens nothing here.
    for (method, path) in [("GET", "/sessions/autologin"), ("POST", "/sessions")] {
        let elsewhere = varco_tests::gateway_proof_for(method, path, line, now);
        let answer = autologin(&app, Some(line), Some((now, &elsewhere))).await;
        assert_eq!(answer.code(), "autologin_unavailable", "{method} {path}");
    }
    app.clock.advance(31);
    let stale = autologin(&app, Some(line), Some((now, &right))).await;
    assert_eq!(stale.code(), "autologin_unavailable", "a stale proof");
    let logs = captured_logs();
    assert!(logs.contains("autologin_header_ignored"), "{logs}");
    assert!(logs.contains("autologin_proof_replayed"), "{logs}");
    assert!(!logs.contains("3475550211"), "the line is never logged");
    // The header means nothing to the password login either.
    let headers = [("x-msisdn", LINE_LUCA.number)];
    let body = json!({ "username": "3475550212", "password": PASSWORD });
    let login = app
        .request(reqwest::Method::POST, "/sessions", Some(body), &headers)
        .await;
    assert_eq!(login.code(), "invalid_credentials");
}

/// Luca's session, after he registered his line.
pub(crate) async fn luca_token(app: &TestApp) -> String {
    registered_luca(app).await;
    let session = app.login_as(LINE_LUCA.number, PASSWORD).await;
    assert_eq!(session.status, 201, "{}", session.body);
    session.text("access_token")
}

on_both_stores!(
    profile = "telco-sme";
    w9_an_employee_on_the_operator_network_is_logged_in_by_the_line,
    w7_employee_registers_a_line_with_a_code_by_sms,
    w7_a_data_only_sim_proves_its_puk_and_gets_the_code_by_email,
    w7_three_wrong_puks_end_the_flow,
    x5_a_burst_of_wrong_puks_checks_at_most_the_flow_limit,
    w7_only_the_company_lines_register_and_codes_are_resent_within_limits,
    w7_concurrent_registrations_of_one_line_make_one_account,
    w8_employee_logs_in_with_the_line_number,
);

/// X9 again through the Lambda entrypoint (API Gateway's events), on both stores.
mod x9 {
    use super::*;
    varco_tests::on_both_stores!(
        through_lambda_too;
        profile = "telco-sme";
        w9_x9_a_line_header_without_the_gateways_proof_is_ignored_and_logged,
    );
}
