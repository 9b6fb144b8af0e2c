//! The same flow through the Lambda entrypoints: API Gateway HTTP API (v2) events handed to
//! the function each step binary runs, and a DynamoDB stream record to the outbox sender.

use serde_json::{json, Value};
use varco_functions::demo::MARIO;
use varco_functions::lambda::handle_event;
use varco_functions::Step;
use varco_tests::{
    api_gateway_event, on_both_stores, stream_insert, temporary_password_in, TestApp, CAPTCHA_BITS,
};

async fn call(
    app: &TestApp,
    step: Step,
    path: &str,
    flow_id: Option<&str>,
    body: Value,
    token: Option<&str>,
) -> (u16, Value) {
    let response = handle_event(
        &app.deps,
        step,
        api_gateway_event(step, path, flow_id, body, token, "203.0.113.7"),
    )
    .await;
    let status = response.status().as_u16();
    let body = match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
        _ => Value::Null,
    };
    varco_tests::document::check_step(step, status, &body);
    (status, body)
}

async fn r3_password_recovered_through_the_lambda_entrypoints(app: TestApp) {
    let (status, challenge) =
        call(&app, Step::IssueCaptcha, "/captcha", None, json!({}), None).await;
    assert_eq!(status, 201);
    let challenge = challenge["challenge"].as_str().unwrap().to_string();
    let captcha = format!(
        "{challenge}:{}",
        varco_domain::base::captcha::solve(&challenge, CAPTCHA_BITS)
    );
    let start = json!({ "kind": "password", "fiscal_code": MARIO.fiscal_code(), "birth_date": MARIO.birth_date, "captcha": captcha });
    let (status, started) = call(&app, Step::StartRecovery, "/recoveries", None, start, None).await;
    assert_eq!(status, 201, "{started}");
    let flow = started["flow_id"].as_str().unwrap().to_string();

    let path = format!("/recoveries/{flow}/key6");
    let (status, prompt) = call(
        &app,
        Step::VerifyKey6,
        &path,
        Some(&flow),
        json!({ "card_number": "4111111111111111", "key6": "482913" }),
        None,
    )
    .await;
    assert_eq!(
        (status, prompt["hint"].as_str()),
        (200, Some("+39 340****44")),
        "{prompt}"
    );
    let path = format!("/recoveries/{flow}/phone");
    let (status, _) = call(
        &app,
        Step::VerifyRecoveryPhone,
        &path,
        Some(&flow),
        json!({ "phone": "+393401234544" }),
        None,
    )
    .await;
    assert_eq!(status, 202);

    // The table's stream hands the new message to the outbox sender.
    let pending = app.pending_messages().await;
    assert_eq!(pending.len(), 1);
    let record = stream_insert(&pending[0]);
    let answer = varco_tests::invoke_outbox(&app.deps, &app.sent, &record)
        .await
        .unwrap();
    assert_eq!(answer, json!({ "batchItemFailures": [] }));
    let again = varco_tests::invoke_outbox(&app.deps, &app.sent, &record)
        .await
        .unwrap();
    assert_eq!(
        again,
        json!({ "batchItemFailures": [] }),
        "a redelivered record sends nothing twice"
    );
    let sent = app.deliver_messages().await;
    assert!(sent.is_empty(), "the stream already delivered it");
    let temporary = {
        let all = app.sent_messages();
        assert_eq!(all.len(), 1);
        temporary_password_in(&all[0])
    };

    let (status, session) = call(
        &app,
        Step::Login,
        "/sessions",
        None,
        json!({ "email": MARIO.email, "password": temporary }),
        None,
    )
    .await;
    assert_eq!(
        (status, session["scope"].as_str()),
        (201, Some("password_change"))
    );
    let token = session["access_token"].as_str().unwrap().to_string();
    let (status, _) = call(
        &app,
        Step::ChangePassword,
        "/me/password",
        None,
        json!({ "new_password": "Nuova-Password-Sicura-1" }),
        Some(&token),
    )
    .await;
    assert_eq!(status, 204);
    let (status, session) = call(
        &app,
        Step::Login,
        "/sessions",
        None,
        json!({ "email": MARIO.email, "password": "Nuova-Password-Sicura-1" }),
        None,
    )
    .await;
    assert_eq!(status, 201);
    let (status, me) = call(
        &app,
        Step::GetAccount,
        "/me",
        None,
        json!({}),
        session["access_token"].as_str(),
    )
    .await;
    assert_eq!((status, me["email"].as_str()), (200, Some(MARIO.email)));
}

async fn bad_input_through_a_lambda_entrypoint_is_a_clear_4xx(app: TestApp) {
    let (status, problem) = call(
        &app,
        Step::StartRecovery,
        "/recoveries",
        None,
        json!("not an object"),
        None,
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("malformed_body"))
    );
    let (status, problem) = call(
        &app,
        Step::VerifyKey6,
        "/recoveries/x/key6",
        Some("../../etc"),
        json!({ "card_number": "4111111111111111", "key6": "1" }),
        None,
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("flow_not_found"))
    );
    assert_eq!(problem["title"], "Procedura non trovata: ricomincia.");
}

/// Every answer, success or problem, through either entry point, tells browsers to use
/// HTTPS only and not to sniff its type, and nothing caches it.
async fn x1_every_answer_is_https_only_unsniffed_and_uncached(app: TestApp) {
    let expected = [
        (
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        ),
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-store"),
    ];
    let client = reqwest::Client::new();
    for (method, path) in [
        (reqwest::Method::POST, "/captcha"),
        (reqwest::Method::GET, "/me"),
        (reqwest::Method::GET, "/nowhere"),
        (reqwest::Method::GET, "/openapi.json"),
    ] {
        let response = client
            .request(method, format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        for (name, value) in expected {
            if path == "/openapi.json" && name == "cache-control" {
                continue;
            }
            assert_eq!(
                response.headers().get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{path}: {name}"
            );
        }
    }
    for (step, path) in [(Step::IssueCaptcha, "/captcha"), (Step::GetAccount, "/me")] {
        let event = api_gateway_event(step, path, None, json!({}), None, "203.0.113.7");
        let response = handle_event(&app.deps, step, event).await;
        for (name, value) in expected {
            assert_eq!(
                response.headers().get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "Lambda {path}: {name}"
            );
        }
    }
}

on_both_stores!(
    r3_password_recovered_through_the_lambda_entrypoints,
    bad_input_through_a_lambda_entrypoint_is_a_clear_4xx,
    x1_every_answer_is_https_only_unsniffed_and_uncached,
);
