//! Profile `telco-sme` (seed 003): the User Admin registers with the VAT number and the
//! legal representative's data (W2) and logs in with a case-sensitive username (W4).

use serde_json::json;
use varco_domain::base::clock::HOUR;
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

/// X9: W2 compares a legal representative's data with the VAT's contracts: guessed a field
/// at a time (the mobile, say), it answers `data_not_correct` for anything wrong, and after
/// the VAT's ten comparisons of the day, `attempts_exhausted`, the right data too; the next
/// day it registers.
async fn w2_x9_the_data_cannot_be_guessed_a_field_at_a_time(app: TestApp) {
    for n in 0..10 {
        let mobile = format!("+39 347 555 {:04}", 1000 + n);
        let wrong = app
            .start_vat_registration(&NORD, Some(("mobile", &mobile)))
            .await;
        assert_eq!(
            (wrong.status, wrong.code()),
            (422, "data_not_correct"),
            "guess {n}: {}",
            wrong.body
        );
    }
    let right = app.start_vat_registration(&NORD, None).await;
    assert_eq!(
        (right.status, right.code()),
        (429, "attempts_exhausted"),
        "{}",
        right.body
    );
    app.clock.advance(24 * HOUR);
    let next_day = app.start_vat_registration(&NORD, None).await;
    assert_eq!(next_day.status, 201, "{}", next_day.body);
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

pub(crate) mod lines;

mod resets;

pub(crate) mod company;

/// X9 again through the Lambda entrypoint (API Gateway's events), on both stores.
mod x9 {
    use super::*;
    varco_tests::on_both_stores!(
        through_lambda_too;
        profile = "telco-sme";
        w2_x9_the_data_cannot_be_guessed_a_field_at_a_time,
    );
}
