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
