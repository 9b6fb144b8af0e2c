//! The steps of the telco, legal representative and property profiles: what each costs on
//! DynamoDB, and what it may do there.

use super::*;

/// The steps of the `telco-sme` profile, counted by the test below.
pub(super) const TELCO_STEPS: &[&str] = &[
    "activate-vat-registration",
    "autologin",
    "complete-line-registration",
    "complete-password-reset",
    "confirm-line-association",
    "resend-line-code",
    "send-reset-code",
    "start-line-association",
    "start-line-registration",
    "start-password-reset",
    "start-vat-registration",
    "verify-line-puk",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telco_steps_make_at_most_two_dynamodb_round_trips_with_the_actions_they_are_granted() {
    let app = TestApp::spawn_profile(varco_tests::Backend::DynamoDb, "telco-sme").await;
    let mut counted: Vec<(&str, u64)> = Vec::new();
    let mut used: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    macro_rules! count {
        ($step:expr, $call:expr) => {
            counting!(app, counted, used, $step, $call)
        };
    }
    // W2: the captcha is asked first, outside the count.
    let nord = &varco_functions::demo::NORD;
    let started = {
        let captcha = app.captcha().await;
        let body = json!({
            "vat_number": nord.vat_number, "name": nord.name, "surname": nord.surname,
            "birth_date": nord.birth_date, "fiscal_code": nord.fiscal_code,
            "email": nord.email, "mobile": nord.mobile, "captcha": captcha
        });
        count!(
            "start-vat-registration",
            app.post("/user-admin-registrations", body).await
        )
    };
    assert_eq!(started.status, 201, "{}", started.body);
    let (flow, token) = varco_tests::link_in(&app.the_email().await);
    let activated = count!(
        "activate-vat-registration",
        app.activate(&flow, &token, "MarcoB", "Scogliera-Blu-44")
            .await
    );
    assert_eq!(activated.status, 201, "{}", activated.body);

    // W7: a voice line (code by SMS, sent again), and a data-only SIM's PUK.
    let luca = varco_functions::demo::LINE_LUCA.number;
    let captcha = app.captcha().await;
    let body = json!({ "line": luca, "email": "luca@officinenord.example", "captcha": captcha });
    let started = count!(
        "start-line-registration",
        app.post("/line-registrations", body).await
    );
    assert_eq!(started.status, 201, "{}", started.body);
    app.the_sms().await;
    let flow = started.text("flow_id");
    let resent = count!(
        "resend-line-code",
        app.line_step(&flow, "code/resend", json!({ "phone": luca }))
            .await
    );
    assert_eq!(resent.status, 202, "{}", resent.body);
    let code = varco_tests::code_in(&app.the_sms().await);
    let body = json!({ "code": code, "new_password": "Onda-Lunga-2024" });
    let registered = count!(
        "complete-line-registration",
        app.line_step(&flow, "code", body).await
    );
    assert_eq!(registered.status, 201, "{}", registered.body);
    // W9: the same line, from the operator's network; ten times, so that the last ends
    // the account's oldest session (`sessions::SESSIONS_PER_ACCOUNT`).
    let mut token = String::new();
    for _ in 0..varco_domain::sign_in::sessions::SESSIONS_PER_ACCOUNT {
        app.clock.advance(1);
        let now = app.deps.clock.now().0;
        let (time, proof) = (now.to_string(), varco_tests::gateway_proof(luca, now));
        let headers = [
            ("x-msisdn", luca),
            ("x-varco-gateway-time", time.as_str()),
            ("x-varco-gateway-proof", proof.as_str()),
        ];
        let autologin = count!(
            "autologin",
            app.request(reqwest::Method::POST, "/sessions/autologin", None, &headers)
                .await
        );
        assert_eq!(autologin.status, 201, "{}", autologin.body);
        token = autologin.text("access_token");
    }
    // W11: a second SIM for Luca, by a code sent to it (the registration's session ended
    // with the tenth autologin).
    let body =
        json!({ "line": varco_functions::demo::LINE_SPARE.number, "password": "Onda-Lunga-2024" });
    let started = count!(
        "start-line-association",
        app.post_as(&token, "/me/lines", body).await
    );
    assert_eq!(started.status, 202, "{}", started.body);
    let code = varco_tests::code_in(&app.the_sms().await);
    let done = count!(
        "confirm-line-association",
        app.post_as(&token, "/me/lines/code", json!({ "code": code }))
            .await
    );
    assert_eq!(done.status, 204, "{}", done.body);
    let data = &varco_functions::demo::LINE_DATA;
    let started = app
        .start_line_registration(data.number, "tablet@officinenord.example")
        .await;
    let flow = started.text("flow_id");
    let puk = count!(
        "verify-line-puk",
        app.line_step(&flow, "puk", json!({ "puk": data.puk }))
            .await
    );
    assert_eq!(puk.status, 200, "{}", puk.body);
    app.the_email().await;
    // W11: Marco associates the data-only SIM with his account: a wrong PUK, then the right.
    let token = activated.text("access_token");
    for (puk, status) in [("99999999", 422), (data.puk, 201)] {
        let body = json!({ "line": data.number, "password": "Scogliera-Blu-44", "puk": puk });
        let answer = count!(
            "start-line-association",
            app.post_as(&token, "/me/lines", body).await
        );
        assert_eq!(answer.status, status, "{}", answer.body);
    }

    // W5: Marco's password reset, by username and a code by SMS.
    let captcha = app.captcha().await;
    let body = json!({ "username": "MarcoB", "captcha": captcha });
    let started = count!(
        "start-password-reset",
        app.post("/password-resets", body).await
    );
    assert_eq!(started.status, 201, "{}", started.body);
    let path = format!("/password-resets/{}", started.text("flow_id"));
    let body = json!({ "channel": "sms", "phone": nord.mobile });
    let sent = count!(
        "send-reset-code",
        app.post(&format!("{path}/code"), body).await
    );
    assert_eq!(sent.status, 202, "{}", sent.body);
    let code = varco_tests::code_in(&app.the_sms().await);
    let body = json!({ "code": code, "new_password": "Marea-Alta-2025" });
    let reset = count!(
        "complete-password-reset",
        app.post(&format!("{path}/password"), body).await
    );
    assert_eq!(reset.status, 204, "{}", reset.body);

    assert_eq!(
        used.keys().map(String::as_str).collect::<Vec<_>>(),
        TELCO_STEPS,
        "every telco step was exercised"
    );
    within_budget_and_grants(&counted, &used);
}

/// No step over two round trips, and each uses exactly the actions it is granted.
/// The steps of the `telco-legal-rep` profile, counted by the test below.
pub(super) const LEGAL_REP_STEPS: &[&str] = &[
    "complete-first-access",
    "list-company-lines",
    "resend-username",
    "send-first-access-code",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legal_rep_steps_make_at_most_two_dynamodb_round_trips_with_the_actions_they_are_granted() {
    let app = TestApp::spawn_profile(varco_tests::Backend::DynamoDb, "telco-legal-rep").await;
    let mut counted: Vec<(&str, u64)> = Vec::new();
    let mut used: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    app.deliver_messages().await;
    macro_rules! count {
        ($step:expr, $call:expr) => {
            counting!(app, counted, used, $step, $call)
        };
    }
    // T1: the username email again (the captcha is asked first, outside the count).
    let nord = &varco_functions::demo::NORD;
    let captcha = app.captcha().await;
    let body = json!({ "email": nord.email, "captcha": captcha });
    let asked = count!(
        "resend-username",
        app.post("/username-reminders", body).await
    );
    assert_eq!(asked.status, 202, "{}", asked.body);
    let (flow, token) = varco_tests::link_in(&app.the_email().await);
    // T2: the code by SMS, then the password.
    let path = format!("/first-accesses/{flow}");
    let sent = count!(
        "send-first-access-code",
        app.post(&format!("{path}/code"), json!({ "token": token }))
            .await
    );
    assert_eq!(sent.status, 202, "{}", sent.body);
    let code = varco_tests::code_in(&app.the_sms().await);
    let body = json!({ "code": code, "new_password": "Sorgente-Chiara-31" });
    let done = count!(
        "complete-first-access",
        app.post(&format!("{path}/password"), body).await
    );
    assert_eq!(done.status, 201, "{}", done.body);
    // T4: the company's lines, with the state of each.
    let marco = done.text("access_token");
    let lines = count!(
        "list-company-lines",
        app.as_user(reqwest::Method::GET, &marco, "/companies/nord/lines")
            .await
    );
    assert_eq!(
        lines.body["lines"].as_array().map(Vec::len),
        Some(3),
        "{}",
        lines.body
    );
    assert_eq!(
        used.keys().map(String::as_str).collect::<Vec<_>>(),
        LEGAL_REP_STEPS,
        "every legal-rep step was exercised"
    );
    within_budget_and_grants(&counted, &used);
}

/// The steps only the `property-management` profile offers.
pub(super) const PROPERTY_ONLY_STEPS: &[&str] = &["list-my-units"];

/// The steps of the `property-management` profile, counted by the test below.
const PROPERTY_STEPS: &[&str] = &[
    "accept-invitation",
    "create-invitation",
    "join-company",
    "list-my-units",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn property_steps_make_at_most_two_dynamodb_round_trips_with_the_actions_they_are_granted() {
    use varco_functions::demo::{OWNER_A1, TENANT_A2, VILLA_ROSA};
    let app = TestApp::spawn_profile(varco_tests::Backend::DynamoDb, "property-management").await;
    let mut counted: Vec<(&str, u64)> = Vec::new();
    let mut used: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    macro_rules! count {
        ($step:expr, $call:expr) => {
            counting!(app, counted, used, $step, $call)
        };
    }
    // The administrator's first access (counted by the legal-rep test).
    let welcome = app.deliver_messages().await;
    let welcome = welcome.iter().find(|m| m.to == VILLA_ROSA.email).unwrap();
    let (flow, token) = varco_tests::link_in(welcome);
    let path = format!("/first-accesses/{flow}");
    app.post(&format!("{path}/code"), json!({ "token": token }))
        .await;
    let code = varco_tests::code_in(&app.the_sms().await);
    let body = json!({ "code": code, "new_password": "Registro-Condominio-27" });
    let elena = app.post(&format!("{path}/password"), body).await;
    let elena = elena.text("access_token");

    let invite = |contract: &varco_functions::demo::DemoUnitContract| json!({ "email": contract.contact_email, "display_name": contract.contact_name, "role": contract.role, "unit_contract": contract.contract_id });
    let invited = count!(
        "create-invitation",
        app.post_as(
            &elena,
            "/companies/villa-rosa/invitations",
            invite(&OWNER_A1)
        )
        .await
    );
    assert_eq!(invited.status, 201, "{}", invited.body);
    let code = varco_tests::invitation_code_in(&app.the_email().await);
    let body =
        json!({ "code": code, "email": OWNER_A1.contact_email, "password": "Glicine-Fiorito-48" });
    let roberto = count!(
        "accept-invitation",
        app.post("/invitations/accept", body).await
    );
    assert_eq!(roberto.status, 201, "{}", roberto.body);
    let roberto = roberto.text("access_token");
    // A second unit's contract for the same person joins the access they have.
    let second = json!({ "email": OWNER_A1.contact_email, "display_name": "Roberto Sala", "role": TENANT_A2.role, "unit_contract": TENANT_A2.contract_id });
    app.post_as(&elena, "/companies/villa-rosa/invitations", second)
        .await;
    let code = varco_tests::invitation_code_in(&app.the_email().await);
    let joined = count!(
        "join-company",
        app.post_as(&roberto, "/me/invitations", json!({ "code": code }))
            .await
    );
    assert_eq!(joined.status, 200, "{}", joined.body);
    let units = count!(
        "list-my-units",
        app.as_user(reqwest::Method::GET, &roberto, "/me/units")
            .await
    );
    assert_eq!(
        (
            units.body["units"].as_array().unwrap().len(),
            units.body["upcoming"].as_array().unwrap().len()
        ),
        (1, 1),
        "{}",
        units.body
    );
    assert_eq!(
        used.keys().map(String::as_str).collect::<Vec<_>>(),
        PROPERTY_STEPS,
        "every property step was exercised"
    );
    within_budget_and_grants(&counted, &used);
}
