//! X5, SMS pumping: every SMS and email passes one gate (`varco_domain::limits::sending`), whatever
//! the flow. Tried as a pumper would: premium-rate and fixed-line numbers, foreign numbers,
//! one account texting many numbers, one address starting many flows, and the deployment's
//! daily budget, which stops sending rather than only alerting.

use serde_json::json;
use std::sync::Arc;
use varco_domain::base::clock::DAY;
use varco_domain::Deps;
use varco_functions::demo::{
    ACME_CARD, DUNA_CARD, GIORGIO, HANA, LINE_LAGO, LINE_LUCA, LINE_SARA, LINE_SPARE, LUCA, MARIO,
};
use varco_functions::lambda::handle_event;
use varco_functions::Step;
use varco_tests::{api_gateway_event, Answer, Backend, TestApp};

const MARIO_CARD: &str = "4111 1111 1111 1111";
const MARIO_KEY6: &str = "482913";
const MARIO_PHONE: &str = "+39 340 123 4544";

/// The profile's sending budgets, changed by `tune`.
async fn spawn(
    backend: Backend,
    profile: &str,
    tune: impl FnOnce(&mut varco_domain::base::profile::SendingBudgets),
) -> TestApp {
    TestApp::spawn_tuned(backend, profile, |deps: &mut Deps| {
        tune(&mut Arc::make_mut(&mut deps.profile).sending)
    })
    .await
}

/// A deployment that sends at most `sms` SMS a day.
async fn with_sms_a_day(backend: Backend, profile: &str, sms: u32) -> TestApp {
    spawn(backend, profile, |b| {
        b.sms_per_day = sms;
        b.sms_per_country = sms;
    })
    .await
}

/// The deployment's daily budget is spent: the answer says so, with when to try again (the
/// day's end), and nothing more was queued.
async fn suspended(app: &TestApp, refused: &Answer, queued_before: usize) {
    assert_eq!(
        (refused.status, refused.code()),
        (503, "sending_suspended"),
        "{}",
        refused.body
    );
    let now = app.deps.clock.now().0;
    let to_midnight = (now / DAY + 1) * DAY - now;
    assert_eq!(refused.retry_after, Some(to_midnight.to_string()));
    assert_eq!(app.pending_messages().await.len(), queued_before);
}

async fn recovered_to_the_phone(
    app: &TestApp,
    person: &varco_functions::demo::DemoPerson,
) -> Answer {
    let flow = app.flow("email", person).await;
    if person.fiscal_code() == MARIO.fiscal_code() {
        assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);
        app.phone(&flow, MARIO_PHONE).await
    } else {
        assert_eq!(app.security_answer(&flow, "Bergamo").await.status, 200);
        app.phone(&flow, "+393209876543").await
    }
}

/// R6: the recovery's SMS passes the gate; the deployment's day ends and sending resumes.
async fn x5_a_spent_daily_sms_budget_stops_recovery_sms_until_the_day_ends(backend: Backend) {
    let app = with_sms_a_day(backend, "card-issuer", 1).await;
    assert_eq!(recovered_to_the_phone(&app, &MARIO).await.status, 202);
    let queued = app.pending_messages().await.len();
    let refused = recovered_to_the_phone(&app, &LUCA).await;
    suspended(&app, &refused, queued).await;
    assert!(
        varco_tests::captured_logs().contains("\"event\":\"sending_suspended\""),
        "the alarm's log event"
    );
    let now = app.deps.clock.now().0;
    app.clock.advance((now / DAY + 1) * DAY - now);
    assert_eq!(recovered_to_the_phone(&app, &LUCA).await.status, 202);
}

/// N4: the registration's code goes through the gate.
async fn x5_registration_sms_pass_the_gate(backend: Backend) {
    let app = with_sms_a_day(backend, "card-issuer", 1).await;
    let first = app
        .start_registration(&ACME_CARD, ACME_CARD.registration_code, "+39 347 555 0101")
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let queued = app.pending_messages().await.len();
    let second = app
        .start_registration(&DUNA_CARD, DUNA_CARD.registration_code, "+39 347 555 0102")
        .await;
    suspended(&app, &second, queued).await;
}

/// N2: the migration's code goes through the gate.
async fn x5_migration_sms_pass_the_gate(backend: Backend) {
    let app = with_sms_a_day(backend, "card-issuer", 1).await;
    let first = app
        .start_migration(
            GIORGIO.username,
            GIORGIO.password,
            "+39 348 000 1122",
            "g@fiume.example",
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let queued = app.pending_messages().await.len();
    let second = app
        .start_migration(
            HANA.username,
            HANA.password,
            "+39 348 000 1133",
            "h@fiume.example",
        )
        .await;
    suspended(&app, &second, queued).await;
}

/// Sara, Acme's Administrator (N4, one SMS): her access token.
async fn sara(app: &TestApp) -> String {
    app.register_administrator(
        &ACME_CARD,
        "+39 347 555 0101",
        "sara.conti@acme.example",
        "Girasole-Viola-31",
    )
    .await
}

async fn invite(app: &TestApp, token: &str, email: &str, mobile: &str) -> Answer {
    let body = json!({ "email": email, "display_name": "Paolo Neri", "role": "supervisor", "mobile": mobile });
    app.post_as(token, "/companies/acme/invitations", body)
        .await
}

/// N5: the invitation's temporary password by SMS goes through the gate (it once did not).
async fn x5_invitation_sms_pass_the_gate(backend: Backend) {
    let app = with_sms_a_day(backend, "card-issuer", 2).await;
    let token = sara(&app).await;
    let first = invite(&app, &token, "paolo@acme.example", "+39 347 555 0202").await;
    assert_eq!(first.status, 201, "{}", first.body);
    let queued = app.pending_messages().await.len();
    let second = invite(&app, &token, "piera@acme.example", "+39 347 555 0203").await;
    suspended(&app, &second, queued).await;
}

/// N5: an invitation texts only the deployment's countries, as every other flow does.
async fn x5_invitation_sms_go_only_to_the_deployments_countries(backend: Backend) {
    let app = TestApp::spawn_tuned(backend, "card-issuer", |deps| {
        deps.sms_country_codes = Some(vec![39]);
    })
    .await;
    let token = sara(&app).await;
    let queued = app.pending_messages().await.len();
    let british = invite(&app, &token, "paolo@acme.example", "+44 7400 123456").await;
    assert_eq!(
        (british.status, british.code()),
        (422, "sms_country_not_allowed"),
        "{}",
        british.body
    );
    assert_eq!(app.pending_messages().await.len(), queued);
}

/// N7: a mobile change texts through the gate; and one account texts a bounded number of
/// numbers a day, whichever they are.
async fn x5_one_account_texts_a_bounded_number_of_numbers(backend: Backend) {
    let app = spawn(backend, "card-issuer", |b| b.per_account = 3).await;
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    for n in 0..3 {
        let body = json!({ "password": MARIO.password, "phone": format!("+39 349 777 88{n:02}") });
        let started = app.post_as(&token, "/me/mobile", body).await;
        assert_eq!(started.status, 202, "{}", started.body);
    }
    let queued = app.pending_messages().await.len();
    let body = json!({ "password": MARIO.password, "phone": "+39 349 777 8899" });
    let fourth = app.post_as(&token, "/me/mobile", body).await;
    assert_eq!((fourth.status, fourth.code()), (429, "messages_limit"));
    assert_eq!(app.pending_messages().await.len(), queued);
}

/// Premium-rate, shared-cost and fixed-line numbers never get an SMS: refused with a clear
/// code before anything is counted or queued, in every flow where a person types one.
async fn x5_a_premium_or_fixed_line_number_is_refused_before_anything_is_queued(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = sara(&app).await;
    let queued = app.pending_messages().await.len();
    let not_mobile = |answer: &Answer| {
        assert_eq!(
            (answer.status, answer.code()),
            (422, "sms_number_not_mobile"),
            "{}",
            answer.body
        );
    };
    for number in ["+39 899 123456", "+39 06 1234 5678", "+44 909 876 0000"] {
        let body = json!({ "password": "Girasole-Viola-31", "phone": number });
        not_mobile(&app.post_as(&token, "/me/mobile", body).await);
        not_mobile(&invite(&app, &token, "paolo@acme.example", number).await);
        not_mobile(
            &app.start_registration(&DUNA_CARD, DUNA_CARD.registration_code, number)
                .await,
        );
        not_mobile(
            &app.start_migration(
                GIORGIO.username,
                GIORGIO.password,
                number,
                "g@fiume.example",
            )
            .await,
        );
    }
    assert_eq!(app.pending_messages().await.len(), queued);
}

/// R6: the number typed as the page shows it, under "Prefisso +39", matches the one on file.
async fn x5_a_national_number_matches_the_number_on_file(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let flow = app.flow("password", &MARIO).await;
    assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);
    let sent = app.phone(&flow, "340 123 4544").await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    assert_eq!(app.the_sms().await.to, "+393401234544");
}

/// A start of a flow that may send, through the Lambda entrypoint from `source_ip`.
async fn start_from(app: &TestApp, source_ip: &str, fiscal_code: &str) -> (u16, String) {
    let challenge = app.captcha().await;
    let body = json!({ "kind": "password", "fiscal_code": fiscal_code, "birth_date": MARIO.birth_date, "captcha": challenge });
    let event = api_gateway_event(
        Step::StartRecovery,
        "/recoveries",
        None,
        body,
        None,
        source_ip,
    );
    let response = handle_event(&app.deps, Step::StartRecovery, event).await;
    let body: serde_json::Value = match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
        _ => serde_json::Value::Null,
    };
    let code = body["code"].as_str().unwrap_or_default().to_string();
    (response.status().as_u16(), code)
}

/// Starts per client address: a budget a day, the same for people who exist and people who
/// do not, counted by the address API Gateway saw (never a header), an IPv6 client by its /64.
async fn x5_a_source_over_its_budget_is_refused_for_known_and_unknown_people_alike(
    backend: Backend,
) {
    let app = spawn(backend, "card-issuer", |b| b.per_source = 4).await;
    let nobody = "ZZZPPP80A01H501";
    let nobody = format!(
        "{nobody}{}",
        varco_domain::base::types::check_character(nobody)
    );
    let known = MARIO.fiscal_code();
    for fiscal_code in [&known, &nobody, &known, &nobody] {
        assert_eq!(start_from(&app, "198.51.100.9", fiscal_code).await.0, 201);
    }
    for fiscal_code in [&known, &nobody] {
        assert_eq!(
            start_from(&app, "198.51.100.9", fiscal_code).await,
            (429, "source_limit".to_string())
        );
    }
    // Another address is not held back by it; nor is the local gateway's client, whatever
    // header it sends.
    assert_eq!(start_from(&app, "198.51.100.10", &known).await.0, 201);
    let captcha = app.captcha().await;
    let body = json!({ "kind": "password", "fiscal_code": known, "birth_date": MARIO.birth_date, "captcha": captcha });
    let local = app
        .request(
            reqwest::Method::POST,
            "/recoveries",
            Some(body),
            &[("x-forwarded-for", "198.51.100.9")],
        )
        .await;
    assert_eq!(local.status, 201, "{}", local.body);
    // An IPv6 client is counted by its /64: another address in it is the same source.
    for n in 0..4 {
        let address = format!("2001:db8:7:1::{n}");
        assert_eq!(start_from(&app, &address, &known).await.0, 201);
    }
    let refused = start_from(&app, "2001:db8:7:1:ffff::1", &nobody).await;
    assert_eq!(refused, (429, "source_limit".to_string()));
}

/// W7: the line's code goes through the gate, with the company's budget among the others.
async fn x5_line_registration_sms_pass_the_gate(backend: Backend) {
    let app = spawn(backend, "telco-sme", |b| b.per_company = 1).await;
    let first = app
        .start_line_registration(LINE_LUCA.number, "luca.neri@officinenord.example")
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let queued = app.pending_messages().await.len();
    let second = app
        .start_line_registration(LINE_SARA.number, "sara@officinenord.example")
        .await;
    assert_eq!(
        (second.status, second.code()),
        (429, "messages_limit"),
        "{}",
        second.body
    );
    assert_eq!(app.pending_messages().await.len(), queued);
}

/// X9: no kill switch. Strangers who know a company's lines, from ten addresses, ask for
/// password-reset codes for a registered line and start the registrations of the others
/// (each SMS asked for with nothing proved): they spend the unproven share of the day's SMS
/// (a quarter: 10 of 40) and then are refused, while a person who proved who they are
/// (logged in, associating a SIM) still gets an SMS. The alarm's log event comes at half the
/// share, before anything stops.
async fn x9_strangers_spend_only_the_unproven_share_of_the_sms(backend: Backend) {
    let app = with_sms_a_day(backend, "telco-sme", 40).await;
    let luca = app
        .register_line(
            LINE_LUCA.number,
            "luca.neri@officinenord.example",
            "Onda-Lunga-2024",
        )
        .await;
    assert_eq!(luca.status, 201, "{}", luca.body);
    let mut sent = 1; // Luca's own registration asked for its SMS unproven too.
    let (mut resets, mut refused) = (0, None);
    'strangers: for round in 0..10 {
        let sources = |n: usize| format!("127.0.0.{}", 80 + (round * 4 + n) % 10);
        // A reset code for Luca's registered line, sent to it.
        let captcha = app.captcha().await;
        let body = json!({ "username": LINE_LUCA.number, "captcha": captcha });
        let started = app.post_from(&sources(0), "/password-resets", body).await;
        assert_eq!(started.status, 201, "{}", started.body);
        let path = format!("/password-resets/{}/code", started.text("flow_id"));
        let body = json!({ "channel": "sms", "phone": LINE_LUCA.number });
        let answer = app.post_from(&sources(0), &path, body).await;
        match answer.status {
            202 => (sent, resets) = (sent + 1, resets + 1),
            _ => {
                refused = Some(answer);
                break 'strangers;
            }
        }
        for (n, line) in [LINE_SARA.number, LINE_SPARE.number, LINE_LAGO.number]
            .into_iter()
            .enumerate()
        {
            let captcha = app.captcha().await;
            let body = json!({ "line": line, "email": "chi@altrove.example", "captcha": captcha });
            let answer = app
                .post_from(&sources(n + 1), "/line-registrations", body)
                .await;
            match answer.status {
                201 => sent += 1,
                _ => {
                    refused = Some(answer);
                    break 'strangers;
                }
            }
        }
        app.clock.advance(10 * 60); // past each number's 3 per 10 minutes
    }
    let queued = app.pending_messages().await.len();
    suspended(&app, &refused.expect("the share ran out"), queued).await;
    assert_eq!(sent, 10, "a quarter of the day's 40");
    assert!(resets >= 2, "resets spent the share too: {resets}");
    assert!(
        varco_tests::captured_logs().contains("\"event\":\"sending_budget_half_spent\""),
        "the alarm's log event, at half the share"
    );
    let token = app
        .login_as(LINE_LUCA.number, "Onda-Lunga-2024")
        .await
        .text("access_token");
    let started = app
        .post_as(
            &token,
            "/me/lines",
            json!({ "line": LINE_SARA.number, "password": "Onda-Lunga-2024" }),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    assert_eq!(
        app.pending_messages().await.len(),
        queued + 1,
        "the proven SMS is queued"
    );
}

/// The deployment's budget on its own: each country's budget (1) is above what any one
/// country gets before the deployment's (2) is spent, so only the deployment's can refuse
/// the third SMS.
async fn x5_the_deployments_budget_holds_across_countries(backend: Backend) {
    let app = spawn(backend, "card-issuer", |b| {
        b.sms_per_day = 2;
        b.sms_per_country = 1;
    })
    .await;
    let token = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    let change = |phone: &str| json!({ "password": MARIO.password, "phone": phone });
    for phone in ["+39 349 777 8899", "+41 79 123 45 67"] {
        let started = app.post_as(&token, "/me/mobile", change(phone)).await;
        assert_eq!(started.status, 202, "{phone}: {}", started.body);
    }
    let queued = app.pending_messages().await.len();
    let refused = app
        .post_as(&token, "/me/mobile", change("+33 6 12 34 56 78"))
        .await;
    suspended(&app, &refused, queued).await;
}

varco_tests::on_both_backends!(
    x5_the_deployments_budget_holds_across_countries,
    x5_a_spent_daily_sms_budget_stops_recovery_sms_until_the_day_ends,
    x5_registration_sms_pass_the_gate,
    x5_migration_sms_pass_the_gate,
    x5_invitation_sms_pass_the_gate,
    x5_invitation_sms_go_only_to_the_deployments_countries,
    x5_one_account_texts_a_bounded_number_of_numbers,
    x5_a_premium_or_fixed_line_number_is_refused_before_anything_is_queued,
    x5_a_national_number_matches_the_number_on_file,
    x5_a_source_over_its_budget_is_refused_for_known_and_unknown_people_alike,
    x5_line_registration_sms_pass_the_gate,
);

/// X9 again through the Lambda entrypoint (API Gateway's events), on both stores.
mod x9 {
    use super::*;
    varco_tests::on_both_backends!(
        through_lambda_too;
        x9_strangers_spend_only_the_unproven_share_of_the_sms,
    );
}
