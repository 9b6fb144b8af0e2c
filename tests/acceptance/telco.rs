//! Profile `telco-sme` (seed 003): the User Admin registers with the VAT number and the
//! legal representative's data (W2) and logs in with a case-sensitive username (W4).

use serde_json::json;
use varco_domain::clock::HOUR;
use varco_functions::demo::{LAGO, NORD};
use varco_tests::{link_in, on_both_stores, TestApp};

const MARCO_PASSWORD: &str = "Scogliera-Blu-44";

/// A User Admin registration up to the email: the flow id and token of its link.
async fn activation_link(app: &TestApp) -> (String, String) {
    let started = app.start_vat_registration(&NORD, None).await;
    assert_eq!(started.status, 201, "{}", started.body);
    link_in(&app.the_email().await)
}

/// Marco, registered as Officine Nord's User Admin with username `MarcoB`: his session.
pub(crate) async fn registered_marco(app: &TestApp) -> varco_tests::Answer {
    let (flow, token) = activation_link(app).await;
    let session = app.activate(&flow, &token, "MarcoB", MARCO_PASSWORD).await;
    assert_eq!(session.status, 201, "{}", session.body);
    session
}

async fn w2_user_admin_registers_with_vat_and_legal_representative_data(app: TestApp) {
    let started = app
        .start_vat_registration(&NORD, Some(("name", "  MARCO ")))
        .await;
    assert_eq!(
        (
            started.status,
            started.text("next").as_str(),
            started.text("sent_to").as_str()
        ),
        (201, "activation", "m****i@officinenord.example"),
        "names compare without case or spaces: {}",
        started.body
    );
    let email = app.the_email().await;
    assert_eq!(
        email.to, NORD.email,
        "the activation email goes to the address typed"
    );
    assert!(
        email
            .body
            .contains("https://selfcare.example.it/attivazione?flow="),
        "{}",
        email.body
    );
    let (flow, token) = link_in(&email);
    assert_eq!(flow, started.text("flow_id"));

    let wrong_token = app
        .activate(&flow, "not-the-token", "MarcoB", MARCO_PASSWORD)
        .await;
    assert_eq!(
        (wrong_token.status, wrong_token.code()),
        (404, "flow_not_found")
    );
    let weak = app.activate(&flow, &token, "MarcoB", "password").await;
    assert_eq!((weak.status, weak.code()), (422, "weak_password"));
    let session = app.activate(&flow, &token, "MarcoB", MARCO_PASSWORD).await;
    assert_eq!(
        session.status, 201,
        "the first access sets the password: {}",
        session.body
    );
    let me = app.me(&session.text("access_token")).await;
    assert_eq!(me.body["display_name"], "Marco Bianchi");
    assert_eq!(
        me.body["memberships"],
        json!([{ "company_id": "nord", "company_name": "Officine Nord Srl", "role": "user_admin" }])
    );
    assert_eq!(me.body["mobile"], "+39 347****01");
    let again = app.activate(&flow, &token, "MarcoB2", MARCO_PASSWORD).await;
    assert_eq!(
        (again.status, again.code()),
        (410, "flow_ended"),
        "the link works once"
    );
    let login = app.login_as("MarcoB", MARCO_PASSWORD).await;
    assert_eq!(login.status, 201, "{}", login.body);
}

async fn w2_names_that_hide_characters_and_births_to_come_are_refused(app: TestApp) {
    for (field, value, reason) in [
        ("name", "Mar\u{0}co", "characters"),
        ("surname", "\u{202E}droN", "characters"),
        ("name", "Marco\u{200B}", "characters"),
        ("surname", "\u{3164}\u{200D}", "empty"),
        ("name", "   ", "empty"),
        ("birth_date", "2090-05-01", "future"),
    ] {
        let answer = app
            .start_vat_registration(&NORD, Some((field, value)))
            .await;
        assert_eq!(
            (
                answer.status,
                answer.code(),
                answer.text("field").as_str(),
                answer.text("reason").as_str()
            ),
            (400, "invalid_field", field, reason),
            "{value:?}: {}",
            answer.body
        );
    }
    assert!(app.sent_messages().is_empty());
}

async fn w2_data_not_matching_the_contract_is_refused(app: TestApp) {
    for (field, value) in [
        ("vat_number", LAGO.vat_number),
        ("surname", "Bianco"),
        ("birth_date", "1975-03-15"),
        ("email", "marco@officinenord.example"),
        ("mobile", "+393475550299"),
    ] {
        let answer = app
            .start_vat_registration(&NORD, Some((field, value)))
            .await;
        let expected = if field == "birth_date" {
            (422, "birth_date_mismatch")
        } else {
            (422, "data_not_correct")
        };
        assert_eq!(
            (answer.status, answer.code()),
            expected,
            "{field}: {}",
            answer.body
        );
    }
    let unknown_vat = app
        .start_vat_registration(&NORD, Some(("vat_number", "00743110157")))
        .await;
    assert_eq!(
        (unknown_vat.status, unknown_vat.code()),
        (422, "data_not_correct")
    );
    let bad_vat = app
        .start_vat_registration(&NORD, Some(("vat_number", "04812230152")))
        .await;
    assert_eq!(
        (
            bad_vat.status,
            bad_vat.code(),
            bad_vat.body["field"].as_str()
        ),
        (400, "invalid_field", Some("vat_number"))
    );
    assert!(
        app.deliver_messages().await.is_empty(),
        "nothing is sent for wrong data"
    );
}

async fn w2_a_second_user_admin_for_the_vat_is_refused(app: TestApp) {
    let (flow, token) = activation_link(&app).await;
    let (other_flow, other_token) = activation_link(&app).await;
    let first = app.activate(&flow, &token, "MarcoB", MARCO_PASSWORD).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let second = app
        .activate(&other_flow, &other_token, "MarcoBis", MARCO_PASSWORD)
        .await;
    assert_eq!((second.status, second.code()), (409, "user_admin_exists"));
    let third = app.start_vat_registration(&NORD, None).await;
    assert_eq!(
        (third.status, third.code()),
        (409, "user_admin_exists"),
        "a new registration is refused at once"
    );
    let message = third.body["title"].as_str().unwrap_or_default();
    assert!(message.contains("Servizio Clienti"), "{message}");
    let other_company = app.start_vat_registration(&LAGO, None).await;
    assert_eq!(
        other_company.status, 201,
        "another VAT registers: {}",
        other_company.body
    );
}

async fn w2_concurrent_activations_make_one_user_admin(app: TestApp) {
    let mut links = Vec::new();
    for _ in 0..6 {
        links.push(activation_link(&app).await);
    }
    let app = std::sync::Arc::new(app);
    let mut racers = tokio::task::JoinSet::new();
    for (i, (flow, token)) in links.into_iter().enumerate() {
        let app = app.clone();
        racers.spawn(async move {
            app.activate(&flow, &token, &format!("Marco{i}"), MARCO_PASSWORD)
                .await
        });
    }
    let answers: Vec<_> = racers.join_all().await;
    let won = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(won, 1, "{answers:?}");
    assert!(answers
        .iter()
        .filter(|a| a.status != 201)
        .all(|a| a.code() == "user_admin_exists" || a.code() == "conflict"));
}

async fn w2_the_activation_link_expires(app: TestApp) {
    let (flow, token) = activation_link(&app).await;
    app.clock.advance(48 * HOUR);
    let late = app.activate(&flow, &token, "MarcoB", MARCO_PASSWORD).await;
    assert_eq!((late.status, late.code()), (410, "flow_expired"));
}

/// W1: the portal's roles as the profile names them: the VAT's User Admin (one per VAT, W2)
/// and the employees of its lines (W7), in the same company. (Telco Managers are created by
/// the User Admin: W3.)
async fn w1_user_admin_and_employees_hold_the_profile_roles(app: TestApp) {
    let admin = registered_marco(&app).await;
    let me = app.me(&admin.text("access_token")).await;
    assert_eq!(
        me.body["memberships"],
        json!([{ "company_id": "nord", "company_name": "Officine Nord Srl", "role": "user_admin" }])
    );
    let employee = app
        .register_line(
            varco_functions::demo::LINE_LUCA.number,
            "luca@officinenord.example",
            "Onda-Lunga-2024",
        )
        .await;
    let me = app.me(&employee.text("access_token")).await;
    assert_eq!(me.body["memberships"][0]["role"], "employee");
    assert_eq!(me.body["memberships"][0]["company_id"], "nord");
    let roles: Vec<&str> = app
        .deps
        .profile
        .roles
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(roles, ["user_admin", "telco_manager", "employee"]);
}

async fn w4_usernames_and_passwords_are_case_sensitive(app: TestApp) {
    registered_marco(&app).await;
    assert_eq!(app.login_as("MarcoB", MARCO_PASSWORD).await.status, 201);
    for (username, password) in [
        ("marcob", MARCO_PASSWORD),
        ("MARCOB", MARCO_PASSWORD),
        ("MarcoB", &MARCO_PASSWORD.to_lowercase()),
        ("MarcoB", &MARCO_PASSWORD.to_uppercase()),
    ] {
        let answer = app.login_as(username, password).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "invalid_credentials"),
            "{username} / {password}"
        );
    }
    // Another registration may take the same name in another case: they are two usernames.
    let (other_flow, other_token) = {
        let started = app.start_vat_registration(&LAGO, None).await;
        assert_eq!(started.status, 201);
        link_in(&app.the_email().await)
    };
    let taken = app
        .activate(&other_flow, &other_token, "MarcoB", MARCO_PASSWORD)
        .await;
    assert_eq!((taken.status, taken.code()), (409, "username_taken"));
    let other_case = app
        .activate(&other_flow, &other_token, "marcob", "Lago-Quieto-77")
        .await;
    assert_eq!(other_case.status, 201, "{}", other_case.body);
    assert_eq!(app.login_as("marcob", "Lago-Quieto-77").await.status, 201);
}

async fn x6_login_by_username_answers_alike_for_unknown_names(app: TestApp) {
    registered_marco(&app).await;
    let wrong_password = app.login_as("MarcoB", "Sbagliata-123").await;
    let unknown = app.login_as("Nessuno", "Sbagliata-123").await;
    assert_eq!(
        (wrong_password.status, wrong_password.body["title"].clone()),
        (unknown.status, unknown.body["title"].clone())
    );
}

async fn card_issuer_flows_are_not_offered_here(app: TestApp) {
    let captcha = app.captcha().await;
    let recovery = app
        .post("/recoveries", json!({ "kind": "password", "fiscal_code": NORD.fiscal_code, "birth_date": NORD.birth_date, "captcha": captcha }))
        .await;
    assert_eq!((recovery.status, recovery.code()), (404, "not_offered"));
    let registration = app.post("/registrations", json!({})).await;
    assert_eq!(
        (registration.status, registration.code()),
        (404, "not_offered")
    );
}

on_both_stores!(
    profile = "telco-sme";
    w1_user_admin_and_employees_hold_the_profile_roles,
    w2_user_admin_registers_with_vat_and_legal_representative_data,
    w2_data_not_matching_the_contract_is_refused,
    w2_names_that_hide_characters_and_births_to_come_are_refused,
    w2_a_second_user_admin_for_the_vat_is_refused,
    w2_concurrent_activations_make_one_user_admin,
    w2_the_activation_link_expires,
    w4_usernames_and_passwords_are_case_sensitive,
    x6_login_by_username_answers_alike_for_unknown_names,
    card_issuer_flows_are_not_offered_here,
);

pub(crate) mod lines {
    //! W7: employees register their line; W8: they log in with it.

    use serde_json::json;
    use varco_domain::clock::DAY;
    use varco_domain::outbox::Channel;
    use varco_functions::demo::{LINE_DATA, LINE_LAGO, LINE_LUCA, LINE_SARA, LINE_SPARE};
    use varco_tests::{captured_logs, code_in, gateway_proof, on_both_stores, Answer, TestApp};

    const PASSWORD: &str = "Onda-Lunga-2024";

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
                |(_, c)| ["puk_not_correct", "too_many_attempts", "flow_ended"]
                    .contains(&c.as_str())
            ),
            "{seen:?}"
        );
        let right = app
            .line_step(&flow, "puk", json!({ "puk": LINE_DATA.puk }))
            .await;
        assert!(
            [(410, "flow_ended"), (429, "too_many_attempts")]
                .contains(&(right.status, right.code())),
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
    async fn registered_luca(app: &TestApp) {
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

    async fn w9_a_line_header_without_the_gateways_proof_is_ignored_and_logged(app: TestApp) {
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

    async fn associate(app: &TestApp, token: &str, body: serde_json::Value) -> Answer {
        app.post_as(token, "/me/lines", body).await
    }

    async fn w11_an_employee_associates_a_second_sim_and_a_third_is_refused(app: TestApp) {
        let token = luca_token(&app).await;
        let wrong = associate(
            &app,
            &token,
            json!({ "line": LINE_SARA.number, "password": "Onda-Corta-2024" }),
        )
        .await;
        assert_eq!(
            (wrong.status, wrong.code()),
            (403, "current_password_wrong")
        );
        let started = associate(
            &app,
            &token,
            json!({ "line": LINE_SARA.number, "password": PASSWORD }),
        )
        .await;
        assert_eq!(started.status, 202, "{}", started.body);
        assert_eq!(started.body["next"], "code");
        let sms = app.the_sms().await;
        assert_eq!(sms.to, LINE_SARA.number, "the code goes to the SIM itself");
        let bad = app
            .post_as(&token, "/me/lines/code", json!({ "code": "000000" }))
            .await;
        assert_eq!((bad.status, bad.code()), (422, "code_not_correct"));
        let done = app
            .post_as(&token, "/me/lines/code", json!({ "code": code_in(&sms) }))
            .await;
        assert_eq!(done.status, 204, "{}", done.body);
        let me = app.me(&token).await;
        assert_eq!(me.body["lines"], json!(["+39 347****11", "+39 347****12"]));

        // Two is the most: a third is refused before anything is sent.
        let third = associate(
            &app,
            &token,
            json!({ "line": LINE_SPARE.number, "password": PASSWORD }),
        )
        .await;
        assert_eq!((third.status, third.code()), (409, "too_many_lines"));
        // The associated SIM is nobody else's to register.
        let other = app
            .start_line_registration(LINE_SARA.number, "sara@officinenord.example")
            .await;
        assert_eq!((other.status, other.code()), (409, "line_taken"));

        // W10: when Luca deletes his account, both SIMs are free again.
        let deleted = app
            .post_as(&token, "/me/deletion", json!({ "password": PASSWORD }))
            .await;
        assert_eq!(deleted.status, 204, "{}", deleted.body);
        for line in [LINE_LUCA.number, LINE_SARA.number] {
            let again = app
                .start_line_registration(line, "nuovo@officinenord.example")
                .await;
            assert_eq!(again.status, 201, "{line}: {}", again.body);
            app.the_sms().await;
        }
    }

    async fn w11_a_data_only_sim_is_associated_by_its_puk(app: TestApp) {
        let token = luca_token(&app).await;
        let body = |puk: Option<&str>| json!({ "line": LINE_DATA.number, "password": PASSWORD, "puk": puk });
        let without = associate(&app, &token, body(None)).await;
        assert_eq!((without.status, without.code()), (422, "puk_required"));
        for _ in 0..3 {
            let wrong = associate(&app, &token, body(Some("99999999"))).await;
            assert_eq!((wrong.status, wrong.code()), (422, "puk_not_correct"));
        }
        // Three wrong PUKs for the SIM stop its association for a day, the right one too.
        let locked = associate(&app, &token, body(Some(LINE_DATA.puk))).await;
        assert_eq!((locked.status, locked.code()), (429, "too_many_attempts"));
        app.clock.advance(DAY);
        let token = app
            .login_as(LINE_LUCA.number, PASSWORD)
            .await
            .text("access_token");
        let associated = associate(&app, &token, body(Some(LINE_DATA.puk))).await;
        assert_eq!(associated.status, 201, "{}", associated.body);
        assert_eq!(
            associated.body["lines"],
            json!(["+39 347****11", "+39 347****13"])
        );
        assert!(
            app.deliver_messages().await.is_empty(),
            "a data-only SIM gets no SMS"
        );
    }

    async fn w11_only_free_sims_of_the_company_are_associated(app: TestApp) {
        let token = luca_token(&app).await;
        for (line, code) in [
            (LINE_LAGO.number, "line_not_eligible"),
            ("+393470000000", "line_not_eligible"),
            (LINE_LUCA.number, "line_taken"),
        ] {
            let answer =
                associate(&app, &token, json!({ "line": line, "password": PASSWORD })).await;
            assert_eq!(answer.code(), code, "{line}: {}", answer.body);
        }
        // Sara registers her own line first: it is hers.
        let sara = app
            .register_line(
                LINE_SARA.number,
                "sara@officinenord.example",
                "Sara-Password-2024",
            )
            .await;
        assert_eq!(sara.status, 201);
        let taken = associate(
            &app,
            &token,
            json!({ "line": LINE_SARA.number, "password": PASSWORD }),
        )
        .await;
        assert_eq!((taken.status, taken.code()), (409, "line_taken"));
    }

    /// Two employees race to associate the same SIM, each with the code sent to it: one
    /// account gets it.
    async fn w11_concurrent_associations_of_one_sim_give_it_to_one_account(app: TestApp) {
        let luca = luca_token(&app).await;
        let sara = app
            .register_line(LINE_SARA.number, "sara@officinenord.example", PASSWORD)
            .await
            .text("access_token");
        let mut confirmations = Vec::new();
        for token in [luca, sara] {
            let body = json!({ "line": LINE_SPARE.number, "password": PASSWORD });
            assert_eq!(associate(&app, &token, body).await.status, 202);
            let code = code_in(&app.the_sms().await);
            confirmations.push((token, code));
        }
        let app = std::sync::Arc::new(app);
        let mut racers = tokio::task::JoinSet::new();
        for (token, code) in confirmations {
            let app = app.clone();
            racers.spawn(async move {
                app.post_as(&token, "/me/lines/code", json!({ "code": code }))
                    .await
            });
        }
        let answers: Vec<Answer> = racers.join_all().await;
        assert_eq!(
            answers.iter().filter(|a| a.status == 204).count(),
            1,
            "{answers:?}"
        );
        assert!(
            answers
                .iter()
                .filter(|a| a.status != 204)
                .all(|a| a.code() == "line_taken" || a.code() == "conflict"),
            "{answers:?}"
        );
    }

    on_both_stores!(
        profile = "telco-sme";
        w11_concurrent_associations_of_one_sim_give_it_to_one_account,
        w11_an_employee_associates_a_second_sim_and_a_third_is_refused,
        w11_a_data_only_sim_is_associated_by_its_puk,
        w11_only_free_sims_of_the_company_are_associated,
        w9_an_employee_on_the_operator_network_is_logged_in_by_the_line,
        w9_a_line_header_without_the_gateways_proof_is_ignored_and_logged,
        w7_employee_registers_a_line_with_a_code_by_sms,
        w7_a_data_only_sim_proves_its_puk_and_gets_the_code_by_email,
        w7_three_wrong_puks_end_the_flow,
        x5_a_burst_of_wrong_puks_checks_at_most_the_flow_limit,
        w7_only_the_company_lines_register_and_codes_are_resent_within_limits,
        w7_concurrent_registrations_of_one_line_make_one_account,
        w8_employee_logs_in_with_the_line_number,
    );
}

mod resets {
    //! W5, W8: a forgotten password by username or line, with a code by SMS or email; W6: a
    //! Telco Manager may not reset their own; X6: unknown names answer alike.

    use serde_json::{json, Value};
    use varco_domain::accounts::{Account, Login, Membership};
    use varco_domain::outbox::Channel;
    use varco_domain::types::Password;
    use varco_functions::demo::{LINE_LUCA, NORD};
    use varco_tests::{code_in, on_both_stores, Answer, TestApp};

    const OLD: &str = super::MARCO_PASSWORD;
    const NEW: &str = "Marea-Alta-2025";

    async fn start(app: &TestApp, username: &str) -> String {
        let captcha = app.captcha().await;
        let started = app
            .post(
                "/password-resets",
                json!({ "username": username, "captcha": captcha }),
            )
            .await;
        assert_eq!(
            (started.status, started.text("next").as_str()),
            (201, "channel"),
            "{}",
            started.body
        );
        started.text("flow_id")
    }

    async fn step(app: &TestApp, flow: &str, segment: &str, body: Value) -> Answer {
        app.post(&format!("/password-resets/{flow}/{segment}"), body)
            .await
    }

    async fn w5_user_admin_resets_the_password_with_a_code_by_sms(app: TestApp) {
        let session = super::registered_marco(&app).await;
        let flow = start(&app, "MarcoB").await;
        // Typed as the page shows it, under the prefix of the number on file (X5).
        let sent = step(
            &app,
            &flow,
            "code",
            json!({ "channel": "sms", "phone": "347 555 0201" }),
        )
        .await;
        assert_eq!(
            (
                sent.status,
                sent.text("sent_to").as_str(),
                sent.text("next").as_str()
            ),
            (202, "+39 347****01", "password"),
            "{}",
            sent.body
        );
        let sms = app.the_sms().await;
        assert_eq!((sms.channel, sms.to.as_str()), (Channel::Sms, NORD.mobile));
        let done = step(
            &app,
            &flow,
            "password",
            json!({ "code": code_in(&sms), "new_password": NEW }),
        )
        .await;
        assert_eq!(done.status, 204, "{}", done.body);
        assert_eq!(
            app.login_as("MarcoB", OLD).await.status,
            401,
            "the new password replaces the old"
        );
        assert_eq!(app.login_as("MarcoB", NEW).await.status, 201);
        let refreshed = app.refresh(&session.text("refresh_token")).await;
        assert_eq!(refreshed.status, 401, "earlier sessions end");
        let again = step(
            &app,
            &flow,
            "password",
            json!({ "code": code_in(&sms), "new_password": OLD }),
        )
        .await;
        assert_eq!(again.status, 409, "the flow is used up: {}", again.body);
    }

    async fn w5_the_code_can_go_by_email(app: TestApp) {
        super::registered_marco(&app).await;
        let flow = start(&app, "MarcoB").await;
        let sent = step(&app, &flow, "code", json!({ "channel": "email" })).await;
        assert_eq!(sent.status, 202, "{}", sent.body);
        assert!(
            sent.body.get("sent_to").is_none(),
            "an address is not shown: {}",
            sent.body
        );
        let email = app.the_email().await;
        assert_eq!(email.to, NORD.email);
        let wrong = step(
            &app,
            &flow,
            "password",
            json!({ "code": "000000", "new_password": NEW }),
        )
        .await;
        assert_eq!((wrong.status, wrong.code()), (422, "code_not_correct"));
        let done = step(
            &app,
            &flow,
            "password",
            json!({ "code": code_in(&email), "new_password": NEW }),
        )
        .await;
        assert_eq!(done.status, 204, "{}", done.body);
        assert_eq!(app.login_as("MarcoB", NEW).await.status, 201);
    }

    async fn w8_employee_resets_the_password_by_line_number(app: TestApp) {
        let luca = app
            .register_line(LINE_LUCA.number, "luca.neri@officinenord.example", OLD)
            .await;
        assert_eq!(luca.status, 201);

        let flow = start(&app, "347 555 0211").await;
        let sent = step(
            &app,
            &flow,
            "code",
            json!({ "channel": "sms", "phone": LINE_LUCA.number }),
        )
        .await;
        assert_eq!(sent.status, 202, "{}", sent.body);
        let sms = app.the_sms().await;
        assert_eq!(sms.to, LINE_LUCA.number);
        let done = step(
            &app,
            &flow,
            "password",
            json!({ "code": code_in(&sms), "new_password": NEW }),
        )
        .await;
        assert_eq!(done.status, 204, "{}", done.body);
        assert_eq!(app.login_as("3475550211", NEW).await.status, 201);
    }

    async fn w6_a_telco_manager_cannot_reset_their_own_password(app: TestApp) {
        // A Telco Manager as the User Admin creates one (W3, issue 4): stored directly.
        let manager = Account::for_portal(
            &app.deps,
            "elena@officinenord.example".into(),
            "Elena Riva".into(),
            &Password::parse(OLD).unwrap(),
            None,
            Membership {
                company_id: "nord".into(),
                company_name: "Officine Nord Srl".into(),
                role: "telco_manager".into(),
                card: None,
                seat: None,
                contracts: Vec::new(),
                line_invitation: None,
            },
            Login::Username {
                username: "ElenaR".into(),
            },
        )
        .unwrap();
        app.deps
            .store
            .write(manager.create(app.deps.clock.now()).unwrap())
            .await
            .unwrap();
        assert_eq!(app.login_as("ElenaR", OLD).await.status, 201);

        let flow = start(&app, "ElenaR").await;
        let sent = step(&app, &flow, "code", json!({ "channel": "email" })).await;
        assert_eq!(sent.status, 202, "{}", sent.body);
        let email = app.the_email().await;
        let refused = step(
            &app,
            &flow,
            "password",
            json!({ "code": code_in(&email), "new_password": NEW }),
        )
        .await;
        assert_eq!(
            (refused.status, refused.code()),
            (403, "password_reset_not_allowed"),
            "{}",
            refused.body
        );
        assert!(refused.body["title"]
            .as_str()
            .unwrap_or_default()
            .contains("ricreare"));
        assert_eq!(
            app.login_as("ElenaR", OLD).await.status,
            201,
            "the password is unchanged"
        );
        assert_eq!(app.login_as("ElenaR", NEW).await.status, 401);
    }

    async fn x6_a_password_reset_answers_alike_for_unknown_names(app: TestApp) {
        super::registered_marco(&app).await;
        let known = start(&app, "MarcoB").await;
        let unknown = start(&app, "Nessuno").await;
        for flow in [&known, &unknown] {
            let wrong_phone = step(
                &app,
                flow,
                "code",
                json!({ "channel": "sms", "phone": "+393475550999" }),
            )
            .await;
            assert_eq!(
                (wrong_phone.status, wrong_phone.code()),
                (422, "phone_not_matching")
            );
        }
        let known_sent = step(&app, &known, "code", json!({ "channel": "email" })).await;
        let unknown_sent = step(&app, &unknown, "code", json!({ "channel": "email" })).await;
        assert_eq!(known_sent.status, unknown_sent.status);
        assert_eq!(
            known_sent
                .body
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            unknown_sent
                .body
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>()
        );
        assert_eq!(
            app.deliver_messages().await.len(),
            1,
            "only the real account gets an email"
        );
        // Guessing the mobile ends a flow at the fifth wrong number, known name or not.
        for username in ["MarcoB", "Nessuno"] {
            let flow = start(&app, username).await;
            let mut answers = Vec::new();
            for i in 0..5 {
                let body = json!({ "channel": "sms", "phone": format!("+39347555098{i}") });
                answers.push(step(&app, &flow, "code", body).await.code().to_string());
            }
            assert_eq!(answers[..4], ["phone_not_matching"; 4], "{username}");
            assert_eq!(answers[4], "too_many_attempts", "{username}");
            let ended = step(&app, &flow, "code", json!({ "channel": "email" })).await;
            assert_eq!((ended.status, ended.code()), (410, "flow_ended"));
        }
        let mut answers = Vec::new();
        for _ in 0..5 {
            let answer = step(
                &app,
                &unknown,
                "password",
                json!({ "code": "123456", "new_password": NEW }),
            )
            .await;
            answers.push(answer.code().to_string());
        }
        assert_eq!(
            answers,
            [
                "code_not_correct",
                "code_not_correct",
                "code_not_correct",
                "code_not_correct",
                "too_many_attempts"
            ]
        );
    }

    /// X5: new flows for one username do not start the count again. Each flow allows five
    /// codes typed, but the name's day allows twenty codes sent or typed wrong, across
    /// flows, known name or not; then `attempts_exhausted`, even for the right code.
    async fn x5_password_reset_guesses_are_limited_per_name_across_new_flows(app: TestApp) {
        super::registered_marco(&app).await;
        app.deliver_messages().await;
        let mut seen = Vec::new();
        for username in ["MarcoB", "Nessuno"] {
            let mut answers: Vec<String> = Vec::new();
            for _ in 0..5 {
                let flow = start(&app, username).await;
                let sent = step(&app, &flow, "code", json!({ "channel": "email" })).await;
                answers.push(sent.code().to_string());
                if sent.status != 202 {
                    break;
                }
                for _ in 0..5 {
                    let body = json!({ "code": "000000", "new_password": NEW });
                    answers.push(step(&app, &flow, "password", body).await.code().to_string());
                }
            }
            seen.push(answers);
        }
        assert_eq!(seen[0], seen[1], "an unknown name answers alike");
        let answers = &seen[0];
        let wrong = answers.iter().filter(|a| *a == "code_not_correct").count()
            + answers.iter().filter(|a| *a == "too_many_attempts").count();
        let sent = answers.iter().filter(|a| a.is_empty()).count();
        assert_eq!(sent + wrong, 20, "{answers:?}");
        assert!(
            answers.ends_with(&["attempts_exhausted".to_string()]),
            "{answers:?}"
        );
        assert_eq!(
            app.deliver_messages().await.len(),
            sent,
            "emails to the victim stop with the budget"
        );
        // A new flow for the name cannot even send a code today; tomorrow it can.
        let flow = start(&app, "MarcoB").await;
        let refused = step(&app, &flow, "code", json!({ "channel": "email" })).await;
        assert_eq!(
            (refused.status, refused.code()),
            (429, "attempts_exhausted")
        );
        app.clock.advance(24 * 3600);
        let flow = start(&app, "MarcoB").await;
        let sent = step(&app, &flow, "code", json!({ "channel": "email" })).await;
        assert_eq!(sent.status, 202, "{}", sent.body);
        let code = code_in(&app.the_email().await);
        let done = step(
            &app,
            &flow,
            "password",
            json!({ "code": code, "new_password": NEW }),
        )
        .await;
        assert_eq!(done.status, 204, "{}", done.body);
    }

    on_both_stores!(
        profile = "telco-sme";
        x5_password_reset_guesses_are_limited_per_name_across_new_flows,
        w5_user_admin_resets_the_password_with_a_code_by_sms,
        w5_the_code_can_go_by_email,
        w8_employee_resets_the_password_by_line_number,
        w6_a_telco_manager_cannot_reset_their_own_password,
        x6_a_password_reset_answers_alike_for_unknown_names,
    );
}

/// W3, W6: the User Admin invites Telco Managers, who do everything else the User Admin does
/// but create or delete Telco Managers; a Telco Manager's account is deleted and recreated.
pub(crate) mod company {
    use reqwest::Method;
    use serde_json::json;
    use varco_tests::{invitation_code_in, on_both_stores, Answer, TestApp};

    const TINA: &str = "tina.ferri@officinenord.example";
    const TINA_PASSWORD: &str = "Mongolfiera-Gialla-7";

    async fn invite(app: &TestApp, token: &str, email: &str, role: &str) -> Answer {
        app.post_as(
            token,
            "/companies/nord/invitations",
            json!({ "email": email, "display_name": "Tina Ferri", "role": role }),
        )
        .await
    }

    /// Tina accepts the invitation just emailed, with `password`: her session.
    async fn accepts(app: &TestApp, password: &str) -> Answer {
        let code = invitation_code_in(&app.the_email().await);
        app.post(
            "/invitations/accept",
            json!({ "code": code, "email": TINA, "password": password }),
        )
        .await
    }

    /// Marco (User Admin) and Tina (Telco Manager, invited by him): their access tokens,
    /// and Tina's account id.
    pub(crate) async fn marco_and_tina(app: &TestApp) -> (String, String, String) {
        let marco = super::registered_marco(app).await.text("access_token");
        app.deliver_messages().await;
        let invited = invite(app, &marco, TINA, "telco_manager").await;
        assert_eq!(invited.status, 201, "{}", invited.body);
        let tina = accepts(app, TINA_PASSWORD).await;
        assert_eq!(tina.status, 201, "{}", tina.body);
        let tina = tina.text("access_token");
        let id = app.me(&tina).await.text("id");
        (marco, tina, id)
    }

    async fn w3_only_the_user_admin_creates_and_deletes_telco_managers(app: TestApp) {
        let (marco, tina, tina_id) = marco_and_tina(&app).await;
        let login = app.login_as(TINA, TINA_PASSWORD).await;
        assert_eq!(
            login.status, 201,
            "the username is the invited email: {}",
            login.body
        );

        let manager = invite(&app, &tina, "gino@officinenord.example", "telco_manager").await;
        assert_eq!(
            (manager.status, manager.code()),
            (403, "role_not_grantable"),
            "a Telco Manager creates no Telco Manager"
        );
        let employee = invite(&app, &tina, "gino@officinenord.example", "employee").await;
        assert_eq!(
            employee.status, 201,
            "but invites employees: {}",
            employee.body
        );
        let users = app
            .as_user(Method::GET, &tina, "/companies/nord/users")
            .await;
        assert_eq!(users.status, 200, "and lists the users: {}", users.body);
        let marco_id = app.me(&marco).await.text("id");
        let remove_marco = app
            .as_user(
                Method::DELETE,
                &tina,
                &format!("/companies/nord/users/{marco_id}"),
            )
            .await;
        assert_eq!(
            (remove_marco.status, remove_marco.code()),
            (403, "role_not_grantable")
        );
        let other = app
            .as_user(Method::GET, &tina, "/companies/lago/users")
            .await;
        assert_eq!((other.status, other.code()), (403, "not_company_admin"));

        // The User Admin changes roles within the rules.
        let path = format!("/companies/nord/users/{tina_id}/role");
        let to_admin = app
            .request(
                Method::PUT,
                &path,
                Some(json!({ "role": "user_admin" })),
                &[("authorization", &format!("Bearer {marco}"))],
            )
            .await;
        assert_eq!(
            (to_admin.status, to_admin.code()),
            (403, "role_not_grantable")
        );
        let own = app
            .request(
                Method::PUT,
                &format!("/companies/nord/users/{marco_id}/role"),
                Some(json!({ "role": "employee" })),
                &[("authorization", &format!("Bearer {marco}"))],
            )
            .await;
        assert_eq!((own.status, own.code()), (403, "not_on_yourself"));
        let to_employee = app
            .request(
                Method::PUT,
                &path,
                Some(json!({ "role": "employee" })),
                &[("authorization", &format!("Bearer {marco}"))],
            )
            .await;
        assert_eq!(to_employee.status, 200, "{}", to_employee.body);
        let me = app.me(&tina).await;
        assert_eq!(me.body["memberships"][0]["role"], "employee", "{}", me.body);
    }

    async fn w6_the_user_admin_deletes_and_recreates_a_telco_manager(app: TestApp) {
        let (marco, _, tina_id) = marco_and_tina(&app).await;
        let removed = app
            .as_user(
                Method::DELETE,
                &marco,
                &format!("/companies/nord/users/{tina_id}"),
            )
            .await;
        assert_eq!(removed.status, 204, "{}", removed.body);
        assert_eq!(
            app.login_as(TINA, TINA_PASSWORD).await.status,
            401,
            "the Telco Manager's account is gone"
        );
        let users = app
            .as_user(Method::GET, &marco, "/companies/nord/users")
            .await;
        assert_eq!(
            users.body["members"].as_array().unwrap().len(),
            1,
            "{}",
            users.body
        );

        assert_eq!(
            invite(&app, &marco, TINA, "telco_manager").await.status,
            201
        );
        let again = accepts(&app, "Nuovo-Inizio-Sereno-5").await;
        assert_eq!(again.status, 201, "recreated: {}", again.body);
        assert_eq!(
            app.login_as(TINA, "Nuovo-Inizio-Sereno-5").await.status,
            201
        );
    }

    on_both_stores!(
        profile = "telco-sme";
        w3_only_the_user_admin_creates_and_deletes_telco_managers,
        w6_the_user_admin_deletes_and_recreates_a_telco_manager,
    );
}
