//! The `telco-legal-rep` profile: importing a company's first contract registers its legal
//! representative and emails the username with a link (T1); the link opens a code by SMS, or
//! by a second email when no mobile is on file, and then the password is chosen (T2). The
//! legal representative adds employees, now or later (T3), and sends a lost email again (T5).

use serde_json::json;
use varco_domain::base::clock::{HOUR, MINUTE};
use varco_domain::limits::outbox::{Channel, Outgoing};
use varco_functions::demo::{LAGO, LINE_LAGO, LINE_LUCA, LINE_SARA, LUCA_EMAIL, NORD};
use varco_tests::{code_in, link_in, on_both_stores, Answer, TestApp};

const PASSWORD: &str = "Sorgente-Chiara-31";

/// The username email the import sent to `to`.
async fn welcome(app: &TestApp, to: &str) -> Outgoing {
    let sent = app.deliver_messages().await;
    assert_eq!(
        sent.len(),
        2,
        "one email per legal representative: {sent:?}"
    );
    sent.into_iter()
        .find(|m| m.to == to)
        .unwrap_or_else(|| panic!("no email to {to}"))
}

async fn code_step(app: &TestApp, flow: &str, token: &str) -> Answer {
    let path = format!("/first-accesses/{flow}/code");
    app.post(&path, json!({ "token": token })).await
}

async fn password_step(app: &TestApp, flow: &str, code: &str) -> Answer {
    let path = format!("/first-accesses/{flow}/password");
    app.post(&path, json!({ "code": code, "new_password": PASSWORD }))
        .await
}

async fn remind(app: &TestApp, email: &str) -> Answer {
    let captcha = app.captcha().await;
    app.post(
        "/username-reminders",
        json!({ "email": email, "captcha": captcha }),
    )
    .await
}

async fn t1_importing_the_first_contract_registers_the_legal_representative(app: TestApp) {
    let email = welcome(&app, NORD.email).await;
    assert_eq!(email.channel, Channel::Email);
    assert!(
        email
            .body
            .contains("la tua username è marco.bianchi@officinenord.example"),
        "{}",
        email.body
    );
    link_in(&email);
    // Until the first access sets a password, nothing logs in with the username.
    let login = app.login_as(NORD.email, "").await;
    assert_eq!(login.status, 400, "an empty password is refused as such");
    let login = app.login_as(NORD.email, PASSWORD).await;
    assert_eq!((login.status, login.code()), (401, "invalid_credentials"));

    // The same file again registers nobody again; neither does another contract of the
    // same representative.
    let again = varco_domain::operator::import::import(
        &app.deps,
        &varco_functions::demo::legal_rep_jsonl(),
    )
    .await;
    assert_eq!(
        (again.created, again.unchanged, again.failed),
        (0, 7, 0),
        "two companies, two contracts, three lines"
    );
    let second = json!({ "type": "contract", "company_id": NORD.company_id, "contract_id": "C-101", "legal_representative": { "name": NORD.name, "surname": NORD.surname, "birth_date": NORD.birth_date, "fiscal_code": NORD.fiscal_code, "email": NORD.email, "mobile": NORD.mobile } });
    let report = varco_domain::operator::import::import(&app.deps, &second.to_string()).await;
    assert_eq!((report.created, report.failed), (1, 0), "{:?}", report.rows);
    assert!(app.deliver_messages().await.is_empty());
}

async fn t1_the_username_email_is_sent_again_on_request(app: TestApp) {
    let (first_flow, _) = link_in(&welcome(&app, NORD.email).await);
    let asked = remind(&app, "Marco.Bianchi@OfficineNord.example").await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    assert_eq!(asked.body, json!({ "next": "check_email" }));
    let email = app.the_email().await;
    assert_eq!(email.to, NORD.email);
    let (flow, token) = link_in(&email);
    assert_ne!(flow, first_flow, "a new link");
    assert_eq!(code_step(&app, &flow, &token).await.status, 202);
    let code = code_in(&app.the_sms().await);
    assert_eq!(password_step(&app, &flow, &code).await.status, 201);

    // After the first access the username alone comes again, without a link.
    assert_eq!(remind(&app, NORD.email).await.status, 202);
    let reminder = app.the_email().await;
    assert!(reminder.body.contains("marco.bianchi@officinenord.example"));
    assert!(!reminder.body.contains("?flow="), "{}", reminder.body);

    // X6: an address nobody has gets the same answer, and nothing is sent.
    let unknown = remind(&app, "nessuno@example.it").await;
    assert_eq!(
        (unknown.status, unknown.body),
        (202, json!({ "next": "check_email" }))
    );
    assert!(app.deliver_messages().await.is_empty());
}

async fn t2_the_link_sends_a_code_by_sms_then_the_password_is_chosen(app: TestApp) {
    let (flow, token) = link_in(&welcome(&app, NORD.email).await);
    let forged = code_step(&app, &flow, "AAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!((forged.status, forged.code()), (404, "flow_not_found"));
    let sent = code_step(&app, &flow, &token).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    assert_eq!(
        (sent.body["channel"].as_str(), sent.body["next"].as_str()),
        (Some("sms"), Some("password"))
    );
    let sms = app.the_sms().await;
    assert_eq!((sms.channel, sms.to.as_str()), (Channel::Sms, NORD.mobile));
    let wrong = password_step(&app, &flow, "000000").await;
    assert_eq!((wrong.status, wrong.code()), (422, "code_not_correct"));
    let session = password_step(&app, &flow, &code_in(&sms)).await;
    assert_eq!(session.status, 201, "{}", session.body);
    let me = app.me(&session.text("access_token")).await;
    assert_eq!(me.text("display_name"), "Marco Bianchi");
    assert_eq!(me.body["memberships"][0]["role"], "legal_representative");
    assert_eq!(app.login_as(NORD.email, PASSWORD).await.status, 201);
    // The link is used up.
    let again = code_step(&app, &flow, &token).await;
    assert_eq!((again.status, again.code()), (409, "wrong_step"));
}

async fn t2_without_a_mobile_the_code_comes_by_a_second_email(app: TestApp) {
    let (flow, token) = link_in(&welcome(&app, LAGO.email).await);
    let sent = code_step(&app, &flow, &token).await;
    assert_eq!(sent.body["channel"], "email", "{}", sent.body);
    let email = app.the_email().await;
    assert_eq!(email.to, LAGO.email);
    let session = password_step(&app, &flow, &code_in(&email)).await;
    assert_eq!(session.status, 201, "{}", session.body);
    assert_eq!(app.login_as(LAGO.email, PASSWORD).await.status, 201);
}

async fn t2_the_link_expires_and_sends_a_bounded_number_of_codes(app: TestApp) {
    let (flow, token) = link_in(&welcome(&app, NORD.email).await);
    for _ in 0..4 {
        assert_eq!(code_step(&app, &flow, &token).await.status, 202);
        app.the_sms().await;
        // Three SMS to one number in 10 minutes at most (`[sms]`): opened again later.
        app.clock.advance(10 * MINUTE);
    }
    let fifth = code_step(&app, &flow, &token).await;
    assert_eq!((fifth.status, fifth.code()), (429, "too_many_attempts"));
    let (other, other_token) = link_in(&welcome_again(&app).await);
    app.clock.advance(72 * HOUR);
    let late = code_step(&app, &other, &other_token).await;
    assert_eq!((late.status, late.code()), (410, "flow_expired"));
}

/// A new link for Marco, asked for again.
async fn welcome_again(app: &TestApp) -> Outgoing {
    assert_eq!(remind(app, NORD.email).await.status, 202);
    app.the_email().await
}

async fn t2_a_second_first_access_is_refused_once_the_password_is_set(app: TestApp) {
    let (first, first_token) = link_in(&welcome(&app, NORD.email).await);
    let (second, second_token) = link_in(&welcome_again(&app).await);
    let mut codes = Vec::new();
    for (flow, token) in [(&first, &first_token), (&second, &second_token)] {
        assert_eq!(code_step(&app, flow, token).await.status, 202);
        codes.push(code_in(&app.the_sms().await));
    }
    assert_eq!(password_step(&app, &first, &codes[0]).await.status, 201);
    let late = password_step(&app, &second, &codes[1]).await;
    assert_eq!((late.status, late.code()), (410, "flow_ended"));
    assert_eq!(app.login_as(NORD.email, PASSWORD).await.status, 201);
}

/// The first access raced: two links of the same person, each with its right code, and the
/// same link's code sent twice at once; one first access sets the password.
async fn t2_concurrent_first_accesses_set_one_password(app: TestApp) {
    let (first, first_token) = link_in(&welcome(&app, NORD.email).await);
    let (second, second_token) = link_in(&welcome_again(&app).await);
    let mut attempts = Vec::new();
    for (flow, token) in [(&first, &first_token), (&second, &second_token)] {
        assert_eq!(code_step(&app, flow, token).await.status, 202);
        let code = code_in(&app.the_sms().await);
        attempts.push((flow.clone(), code.clone()));
        attempts.push((flow.clone(), code));
    }
    let app = std::sync::Arc::new(app);
    let mut racers = tokio::task::JoinSet::new();
    for (flow, code) in attempts {
        let app = app.clone();
        racers.spawn(async move { password_step(&app, &flow, &code).await });
    }
    let answers: Vec<Answer> = racers.join_all().await;
    let won = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(won, 1, "{answers:?}");
    assert!(
        answers.iter().filter(|a| a.status != 201).all(|a| [
            "conflict",
            "flow_ended",
            "wrong_step"
        ]
        .contains(&a.code())),
        "{answers:?}"
    );
    assert_eq!(app.login_as(NORD.email, PASSWORD).await.status, 201);
}

/// Marco Bianchi, Officine Nord's legal representative, after his first access: his token.
pub(crate) async fn marco(app: &TestApp) -> String {
    let (flow, token) = link_in(&welcome(app, NORD.email).await);
    assert_eq!(code_step(app, &flow, &token).await.status, 202);
    let code = code_in(&app.the_sms().await);
    let session = password_step(app, &flow, &code).await;
    assert_eq!(session.status, 201, "{}", session.body);
    session.text("access_token")
}

pub(crate) fn employee(email: &str, role: &str, send: bool) -> serde_json::Value {
    json!({ "email": email, "display_name": "Piero Gatti", "role": role, "mobile": "+39 347 555 0909", "send": send })
}

async fn t3_the_legal_representative_adds_employees_now_or_later(app: TestApp) {
    let marco = marco(&app).await;
    let invitations = "/companies/nord/invitations";
    let later = app
        .post_as(
            &marco,
            invitations,
            employee("giulia.verdi@officinenord.example", "user", false),
        )
        .await;
    assert_eq!(
        (later.status, later.text("state").as_str()),
        (201, "added"),
        "{}",
        later.body
    );
    assert!(
        app.deliver_messages().await.is_empty(),
        "\"add\" sends nothing"
    );
    let now = app
        .post_as(
            &marco,
            invitations,
            employee(
                "Piero.Gatti@OfficineNord.example",
                "administrator_light",
                true,
            ),
        )
        .await;
    assert_eq!((now.status, now.text("state").as_str()), (201, "sent"));
    let email = app.the_email().await;
    assert_eq!(email.to, "Piero.Gatti@officinenord.example");
    assert!(
        email
            .body
            .contains("username sarà piero.gatti@officinenord.example"),
        "the username suggested is the email: {}",
        email.body
    );
    let code = varco_tests::invitation_code_in(&email);
    let accepted = app
        .post(
            "/invitations/accept",
            json!({ "code": code, "email": "piero.gatti@officinenord.example", "password": "Colline-Verdi-62" }),
        )
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    assert_eq!(
        app.login_as("piero.gatti@officinenord.example", "Colline-Verdi-62")
            .await
            .status,
        201
    );

    let users = app
        .as_user(reqwest::Method::GET, &marco, "/companies/nord/users")
        .await;
    let roles: Vec<(&str, &str)> = users.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["display_name"].as_str().unwrap(),
                m["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        roles.contains(&("Piero Gatti", "administrator_light")),
        "{}",
        users.body
    );
    assert_eq!(
        users.body["invitations"][0]["state"], "added",
        "{}",
        users.body
    );

    let piero = accepted.text("access_token");
    let by_light = app
        .post_as(
            &piero,
            invitations,
            employee("altro@officinenord.example", "user", true),
        )
        .await;
    assert_eq!(
        (by_light.status, by_light.code()),
        (403, "not_company_admin")
    );
    let rep = app
        .post_as(
            &marco,
            invitations,
            employee("altro@officinenord.example", "legal_representative", true),
        )
        .await;
    assert_eq!((rep.status, rep.code()), (403, "role_not_grantable"));
    // The employee added earlier is registered now.
    let path = format!("{invitations}/{}/send", later.text("invitation_id"));
    let sent = app.post_as(&marco, &path, json!({})).await;
    assert_eq!((sent.status, sent.text("state").as_str()), (200, "sent"));
    assert_eq!(
        app.the_email().await.to,
        "giulia.verdi@officinenord.example"
    );
}

async fn t5_the_legal_representative_sends_a_lost_username_email_again(app: TestApp) {
    let marco = marco(&app).await;
    let invitations = "/companies/nord/invitations";
    let sent = app
        .post_as(
            &marco,
            invitations,
            employee("giulia.verdi@officinenord.example", "user", true),
        )
        .await;
    let lost = varco_tests::invitation_code_in(&app.the_email().await);
    let path = format!("{invitations}/{}/send", sent.text("invitation_id"));
    let again = app.post_as(&marco, &path, json!({})).await;
    assert_eq!(again.status, 200, "{}", again.body);
    let email = app.the_email().await;
    assert!(
        email.body.contains("giulia.verdi@officinenord.example"),
        "{}",
        email.body
    );
    let code = varco_tests::invitation_code_in(&email);
    let accept = |code: String| {
        let app = &app;
        async move {
            app.post(
                "/invitations/accept",
                json!({ "code": code, "email": "giulia.verdi@officinenord.example", "password": "Colline-Verdi-62" }),
            )
            .await
        }
    };
    assert_eq!(
        accept(lost).await.status,
        404,
        "the lost email's code no longer works"
    );
    assert_eq!(accept(code).await.status, 201);
}

/// The state of each of Officine Nord's lines, by number.
async fn line_states(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let listed = app
        .as_user(reqwest::Method::GET, token, "/companies/nord/lines")
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    listed.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["number"].as_str().unwrap().to_string(),
                l["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn state_of(states: &[(String, String)], number: &str) -> String {
    states
        .iter()
        .find(|(n, _)| n == number)
        .map(|(_, s)| s.clone())
        .unwrap_or_else(|| panic!("no line {number} in {states:?}"))
}

async fn t4_the_company_s_lines_are_associated_with_employees_then_registered(app: TestApp) {
    let marco = marco(&app).await;
    let listed = app
        .as_user(reqwest::Method::GET, &marco, "/companies/nord/lines")
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let lines = listed.body["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3, "{}", listed.body);
    // Pages: one line at a time, to the end; a cursor the API never handed out is the
    // client's mistake on every store (DynamoDB once answered 500 to it).
    let first = app
        .as_user(
            reqwest::Method::GET,
            &marco,
            "/companies/nord/lines?limit=1",
        )
        .await;
    let next = first.text("next");
    let second = app
        .as_user(
            reqwest::Method::GET,
            &marco,
            &format!("/companies/nord/lines?limit=1&cursor={next}"),
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_ne!(second.body["lines"][0], first.body["lines"][0]);
    for cursor in ["000", "Lq", "USER.x", ""] {
        let path = format!("/companies/nord/lines?cursor={cursor}&limit=1");
        let refused = app.as_user(reqwest::Method::GET, &marco, &path).await;
        assert_eq!(
            (
                refused.status,
                refused.code(),
                refused.body["field"].as_str()
            ),
            (400, "invalid_field", Some("cursor")),
            "{cursor:?}: {}",
            refused.body
        );
    }
    assert!(
        lines.iter().all(|l| l["state"] == "to_register"),
        "{}",
        listed.body
    );
    let luca = lines
        .iter()
        .find(|l| l["number"] == LINE_LUCA.number)
        .unwrap();
    assert_eq!(
        luca["referent"],
        json!({ "name": "Luca Neri", "email": LUCA_EMAIL, "role": "user" }),
        "the contract's referent prefills the association"
    );

    // "Aggiorna": the line is associated with Luca, saved without sending.
    let invitations = "/companies/nord/invitations";
    let body = json!({ "email": LUCA_EMAIL, "display_name": "Luca Neri", "role": "user", "line": LINE_LUCA.number, "send": false });
    let associated = app.post_as(&marco, invitations, body).await;
    assert_eq!(
        (associated.status, associated.text("state").as_str()),
        (201, "added"),
        "{}",
        associated.body
    );
    assert!(app.deliver_messages().await.is_empty(), "nothing sent yet");
    let states = line_states(&app, &marco).await;
    assert_eq!(state_of(&states, LINE_LUCA.number), "associated");
    assert_eq!(state_of(&states, LINE_SARA.number), "to_register");
    let again = json!({ "email": "altro@officinenord.example", "display_name": "Altro Nome", "role": "user", "line": LINE_LUCA.number });
    let taken = app.post_as(&marco, invitations, again).await;
    assert_eq!((taken.status, taken.code()), (409, "line_taken"));
    let elsewhere = json!({ "email": "altro@officinenord.example", "display_name": "Altro Nome", "role": "user", "line": LINE_LAGO.number });
    let not_ours = app.post_as(&marco, invitations, elsewhere).await;
    assert_eq!(
        (not_ours.status, not_ours.code()),
        (422, "line_not_eligible")
    );

    // "Registra": the email with the username goes; the employee accepts.
    let path = format!("{invitations}/{}/send", associated.text("invitation_id"));
    assert_eq!(app.post_as(&marco, &path, json!({})).await.status, 200);
    assert_eq!(
        state_of(&line_states(&app, &marco).await, LINE_LUCA.number),
        "invited"
    );
    let code = varco_tests::invitation_code_in(&app.the_email().await);
    let session = app
        .post(
            "/invitations/accept",
            json!({ "code": code, "email": LUCA_EMAIL, "password": "Onda-Lunga-2024" }),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
    assert_eq!(
        state_of(&line_states(&app, &marco).await, LINE_LUCA.number),
        "registered"
    );

    // Removing Luca's access frees the line for someone else.
    let luca_id = app.me(&session.text("access_token")).await.text("id");
    let path = format!("/companies/nord/users/{luca_id}");
    let removed = app.as_user(reqwest::Method::DELETE, &marco, &path).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(
        state_of(&line_states(&app, &marco).await, LINE_LUCA.number),
        "to_register"
    );

    // Associated and registered at once with someone else, whose account deletion (W10)
    // frees it too.
    let body = json!({ "email": "piero.gatti@officinenord.example", "display_name": "Piero Gatti", "role": "user", "line": LINE_LUCA.number });
    assert_eq!(app.post_as(&marco, invitations, body).await.status, 201);
    let code = varco_tests::invitation_code_in(&app.the_email().await);
    let piero = app
        .post(
            "/invitations/accept",
            json!({ "code": code, "email": "piero.gatti@officinenord.example", "password": "Onda-Lunga-2024" }),
        )
        .await;
    assert_eq!(piero.status, 201, "{}", piero.body);
    assert_eq!(
        state_of(&line_states(&app, &marco).await, LINE_LUCA.number),
        "registered"
    );
    let deleted = app
        .post_as(
            &piero.text("access_token"),
            "/me/deletion",
            json!({ "password": "Onda-Lunga-2024" }),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(
        state_of(&line_states(&app, &marco).await, LINE_LUCA.number),
        "to_register"
    );
}

on_both_stores!(
    profile = "telco-legal-rep";
    t4_the_company_s_lines_are_associated_with_employees_then_registered,
    t3_the_legal_representative_adds_employees_now_or_later,
    t5_the_legal_representative_sends_a_lost_username_email_again,
    t2_concurrent_first_accesses_set_one_password,
    t1_importing_the_first_contract_registers_the_legal_representative,
    t1_the_username_email_is_sent_again_on_request,
    t2_the_link_sends_a_code_by_sms_then_the_password_is_chosen,
    t2_without_a_mobile_the_code_comes_by_a_second_email,
    t2_the_link_expires_and_sends_a_bounded_number_of_codes,
    t2_a_second_first_access_is_refused_once_the_password_is_set,
);
