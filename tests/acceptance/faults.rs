//! DynamoDB stopped or hung in the middle of a flow (issue 14): every step answers
//! `503 unavailable` with `Retry-After` within the AWS clients' patience, never a 500 or a
//! hang, and once DynamoDB is back the flow goes on where it was. The store is DynamoDB
//! Local behind a link the test cuts or pauses, and the client is the one Lambda functions
//! use, with their timeouts (`Patience::AWS`).

use std::sync::Arc;
use std::time::{Duration, Instant};
use varco_functions::demo::MARIO;
use varco_store_dynamodb::{local_client, test_endpoint, DynamoStore, Patience};
use varco_tests::{dynamo_table, temporary_password_in, Answer, Backend, FaultyLink, TestApp};

const MARIO_CARD: &str = "4111 1111 1111 1111";
const MARIO_KEY6: &str = "482913";
const MARIO_PHONE: &str = "+39 340 123 4544";

/// A function's timeout on AWS (`Timeout` in `infra/template.yaml`): an answer later than
/// this never reaches the client.
const FUNCTION_TIMEOUT: Duration = Duration::from_secs(10);

/// The demo portal on a DynamoDB Local table reached through `link`.
async fn app_behind(link: &FaultyLink) -> TestApp {
    let table = dynamo_table().await;
    let store = Arc::new(DynamoStore::new(
        local_client(&link.endpoint(), Patience::AWS),
        table.table_name(),
    ));
    TestApp::spawn_tuned(Backend::DynamoDb, "card-issuer", |deps| deps.store = store).await
}

/// A step's answer and how long it took; a hang fails the test instead of stalling it.
async fn timed(step: impl std::future::Future<Output = Answer>) -> (Answer, Duration) {
    let started = Instant::now();
    let answer = tokio::time::timeout(FUNCTION_TIMEOUT * 3, step)
        .await
        .expect("an answer, not a hang");
    (answer, started.elapsed())
}

fn assert_unavailable(answer: &Answer, took: Duration) {
    assert_eq!(
        (answer.status, answer.code()),
        (503, "unavailable"),
        "{}",
        answer.body
    );
    assert_eq!(answer.retry_after.as_deref(), Some("5"));
    assert!(
        took < FUNCTION_TIMEOUT,
        "answered after {took:?}: past a Lambda function's timeout"
    );
    eprintln!("503 unavailable after {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_stopped_mid_flow_answers_503_and_the_flow_goes_on() {
    let link = FaultyLink::to(&test_endpoint()).await;
    let app = app_behind(&link).await;
    let flow = app.flow("password", &MARIO).await;

    link.stop();
    let (key6, took) = timed(app.key6(&flow, MARIO_CARD, MARIO_KEY6)).await;
    assert_unavailable(&key6, took);
    let (login, took) = timed(app.login(MARIO.email, MARIO.password)).await;
    assert_unavailable(&login, took);

    link.restore();
    assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);
    assert_eq!(app.phone(&flow, MARIO_PHONE).await.status, 202);
    temporary_password_in(&app.the_sms().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_hung_mid_flow_answers_503_in_seconds_and_the_flow_goes_on() {
    let link = FaultyLink::to(&test_endpoint()).await;
    let app = app_behind(&link).await;
    let flow = app.flow("password", &MARIO).await;
    assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);

    link.pause();
    let (phone, took) = timed(app.phone(&flow, MARIO_PHONE)).await;
    assert_unavailable(&phone, took);
    assert!(app.sent_messages().is_empty());

    link.restore();
    assert_eq!(app.phone(&flow, MARIO_PHONE).await.status, 202);
    let sms = app.the_sms().await;
    assert_eq!(
        app.sent_messages().len(),
        1,
        "one SMS: nothing half-done was sent"
    );
    let temporary = temporary_password_in(&sms);
    assert_eq!(app.login(MARIO.email, &temporary).await.status, 201);
}

/// What the local gateway's HTTP server refuses before any step runs answers in the problem
/// format too, with a stable code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_the_http_server_refuses_answer_problems_with_a_code() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let client = reqwest::Client::new();
    let problem = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let kind = response.headers()[reqwest::header::CONTENT_TYPE].clone();
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        assert_eq!(kind, "application/problem+json");
        (
            status,
            body["code"].as_str().unwrap_or_default().to_string(),
        )
    };

    let long_path = format!(
        "GET /companies/{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100_000)
    );
    let too_long = raw(&app.address, long_path.as_bytes()).await;
    assert!(
        too_long.starts_with("HTTP/1.1 414 "),
        "{}",
        &too_long[..too_long.len().min(300)]
    );
    assert!(
        too_long.contains("content-type: application/problem+json"),
        "{too_long}"
    );
    assert!(too_long.contains("\"code\":\"uri_too_long\""), "{too_long}");

    let huge_header = client
        .get(format!("{}/me", app.address))
        .header("x-filler", "a".repeat(1_000_000))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(huge_header).await,
        (431, "headers_too_large".into())
    );

    let mut many = client.get(format!("{}/me", app.address));
    for n in 0..200 {
        many = many.header(format!("x-filler-{n}"), "a");
    }
    let many = many.send().await.unwrap();
    assert_eq!(problem(many).await, (431, "headers_too_large".into()));

    let not_http = raw(
        &app.address,
        b"GET /me HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n",
    )
    .await;
    assert!(not_http.starts_with("HTTP/1.1 400 "), "{not_http}");
    assert!(
        not_http.contains("content-type: application/problem+json"),
        "{not_http}"
    );
    assert!(
        not_http.contains("\"code\":\"malformed_request\""),
        "{not_http}"
    );

    let wrong_method = client
        .delete(format!("{}/recoveries", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(wrong_method).await,
        (405, "method_not_allowed".into())
    );
    let nowhere = client
        .get(format!("{}/nowhere", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(nowhere).await, (404, "not_found".into()));

    // The server still answers after all that.
    assert_eq!(
        app.post("/captcha", serde_json::json!({})).await.status,
        201
    );
}

/// Sends `bytes` as they are and reads the answer until the server closes.
async fn raw(address: &str, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(FUNCTION_TIMEOUT, stream.read_to_end(&mut answer))
        .await
        .expect("the server closes")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}
