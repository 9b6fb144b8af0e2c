//! A small Lambda Runtime API emulator, and a Lambda binary run under it as one function:
//! started as a process, handed one event, its answer read back.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Mutex};
use varco_domain::base::clock::SystemClock;
use varco_domain::base::tokens::KeyRing;
use varco_functions::config::TokenSettings;
use varco_functions::secrets::{Key, Secrets};
use varco_store_dynamodb::{local_client, test_endpoint, DynamoStore, Patience};

/// How long a binary may take to answer one event before the test fails (a bound, not a wait).
pub(crate) const ANSWER_WITHIN: Duration = Duration::from_secs(30);

pub(crate) struct Emulator {
    pub(crate) port: u16,
    /// The `VARCO_PROFILE` the binaries run with.
    pub(crate) profile: &'static str,
    pub(crate) events: mpsc::UnboundedSender<Value>,
    pub(crate) answers: Mutex<mpsc::UnboundedReceiver<(String, Value)>>,
    pub(crate) first_poll: Arc<std::sync::Mutex<Option<Instant>>>,
}

/// Serves the Runtime API: `next` hands out queued events, `response` and `error` report back.
pub(crate) async fn emulator() -> Emulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (events, queue) = mpsc::unbounded_channel::<Value>();
    let (report, answers) = mpsc::unbounded_channel::<(String, Value)>();
    let queue = Arc::new(Mutex::new(queue));
    let first_poll = Arc::new(std::sync::Mutex::new(None));
    let polled = first_poll.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (queue, report, polled) = (queue.clone(), report.clone(), polled.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let (queue, report, polled) = (queue.clone(), report.clone(), polled.clone());
                    async move {
                        let path = request.uri().path().to_string();
                        let body = request
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let response = if path.ends_with("/invocation/next") {
                            polled.lock().unwrap().get_or_insert_with(Instant::now);
                            let event = queue.lock().await.recv().await.unwrap_or(Value::Null);
                            hyper::Response::builder()
                                .header("lambda-runtime-aws-request-id", "req-1")
                                .header("lambda-runtime-deadline-ms", "9999999999999")
                                .header(
                                    "lambda-runtime-invoked-function-arn",
                                    "arn:aws:lambda:eu-south-1:123456789012:function:step",
                                )
                                .header(
                                    "lambda-runtime-trace-id",
                                    "Root=1-00000000-000000000000000000000000",
                                )
                                .body(Full::new(Bytes::from(event.to_string())))
                                .unwrap()
                        } else {
                            let value = serde_json::from_slice(&body)
                                .unwrap_or(Value::String(String::from_utf8_lossy(&body).into()));
                            let _ = report.send((path, value));
                            hyper::Response::builder()
                                .status(202)
                                .body(Full::new(Bytes::new()))
                                .unwrap()
                        };
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Emulator {
        port,
        profile: "card-issuer",
        events,
        answers: Mutex::new(answers),
        first_poll,
    }
}

/// Where the functions under test say their tokens come from.
pub(crate) const ISSUER: &str = "https://varco.example.com";

pub(crate) fn token_settings() -> TokenSettings {
    TokenSettings {
        issuer: ISSUER.into(),
        audiences: vec!["varco".into()],
    }
}

pub(crate) fn secrets() -> Secrets {
    static RING: std::sync::OnceLock<Arc<KeyRing>> = std::sync::OnceLock::new();
    let ring = RING
        .get_or_init(|| Arc::new(KeyRing::first(varco_domain::base::clock::Timestamp(0))))
        .clone();
    Secrets {
        pepper: Some(vec![11; 32]),
        verifying_keys: Some(Arc::new(ring.public())),
        signing_keys: Some(ring),
        captcha_key: Some(vec![13; 32]),
        gateway_key: Some(vec![14; 32]),
        issuer_key: None,
        operator_key: Some(vec![15; 32]),
        message_key: Some(vec![16; 32]),
    }
}

pub(crate) fn api_event(
    method: &str,
    route: &str,
    path: &str,
    flow_id: Option<&str>,
    body: Value,
) -> Value {
    let mut event = json!({
        "version": "2.0", "routeKey": format!("{method} {route}"), "rawPath": path, "rawQueryString": "",
        "headers": { "content-type": "application/json" },
        "requestContext": {
            "accountId": "123456789012", "apiId": "varco", "domainName": "varco.example.com", "domainPrefix": "varco",
            "http": { "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "smoke" },
            "requestId": "smoke", "routeKey": format!("{method} {route}"), "stage": "$default",
            "time": "23/Nov/2026:17:00:00 +0000", "timeEpoch": 1_795_000_000_000u64
        },
        "body": body.to_string(), "isBase64Encoded": false
    });
    if let Some(id) = flow_id {
        event["pathParameters"] = json!({ "flow_id": id });
    }
    event
}

/// A table on DynamoDB Local with `profile`'s demo data, and an emulator running it.
pub(crate) struct Seeded {
    pub(crate) table: String,
    pub(crate) deps: varco_domain::Deps,
    pub(crate) emulator: Emulator,
}

pub(crate) async fn seeded(name: &str, profile: &'static str) -> Seeded {
    let table = format!("smoke-{name}-{}", std::process::id());
    let client = local_client(&test_endpoint(), Patience::UNHURRIED);
    DynamoStore::create_table(&client, &table).await.unwrap();
    let store = Arc::new(DynamoStore::new(client, &table));
    let deps = varco_functions::app::deps(
        store.clone(),
        Arc::new(SystemClock),
        varco_domain::base::profile::Profile::builtin(profile).unwrap(),
        &secrets(),
        &token_settings(),
        0,
    );
    varco_functions::demo::seed(&deps).await.unwrap();
    let mut emulator = emulator().await;
    emulator.profile = profile;
    Seeded {
        table,
        deps,
        emulator,
    }
}

/// How a binary gets its keys: from its environment, or from Secrets Manager.
pub(crate) enum Keys {
    Environment,
    /// Each key the secret `<prefix>/<name>` on moto's Secrets Manager.
    SecretsManager {
        prefix: String,
        endpoint: String,
    },
    /// The environment's keys, and SNS and SES on moto: the outbox sender's.
    Outbox,
}

/// Starts `binary` under the emulator with the deployment's environment.
/// Starts the Lambda binary as the function `function` (`VARCO_FUNCTION`).
pub(crate) fn start(
    function: &str,
    emulator: &Emulator,
    table: &str,
    keys: &Keys,
) -> tokio::process::Child {
    let s = secrets();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_varco-lambda"));
    command
        .env_clear()
        .env("VARCO_FUNCTION", function)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("127.0.0.1:{}", emulator.port),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", "step")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_REGION", "eu-south-1")
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_ENDPOINT_URL_DYNAMODB", test_endpoint())
        .env("VARCO_TABLE", table)
        .env("VARCO_PROFILE", emulator.profile)
        .env("VARCO_ISSUER", ISSUER)
        .env("VARCO_TOKEN_AUDIENCES", "varco")
        .env("VARCO_CAPTCHA_DIFFICULTY", "0")
        .kill_on_drop(true)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    match keys {
        Keys::Environment | Keys::Outbox => {
            // Every key: each function reads the variables of its own.
            for key in Key::ALL {
                if let Some(text) = s.encode(key) {
                    command.env(key.variable(), text);
                }
            }
        }
        Keys::SecretsManager { prefix, endpoint } => {
            command
                .env("VARCO_SECRETS_PREFIX", prefix)
                .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint);
        }
    }
    if let Keys::Outbox = keys {
        command
            .env("AWS_ENDPOINT_URL_SNS", moto_endpoint())
            .env("AWS_ENDPOINT_URL_SES", moto_endpoint())
            .env("VARCO_EMAIL_FROM", "no-reply@varco.example");
    }
    command.spawn().unwrap()
}

/// Runs one event through a fresh process of `binary`; returns the API Gateway response.
/// Runs one event through a fresh process of `binary`; returns what the handler answered.
pub(crate) async fn invoke_raw(
    binary: &str,
    emulator: &Emulator,
    table: &str,
    keys: &Keys,
    event: Value,
) -> Value {
    let started = Instant::now();
    *emulator.first_poll.lock().unwrap() = None;
    let mut child = start(binary, emulator, table, keys);
    emulator.events.send(event).unwrap();
    let (path, answer) = tokio::time::timeout(ANSWER_WITHIN, async {
        emulator.answers.lock().await.recv().await.unwrap()
    })
    .await
    .unwrap_or_else(|_| panic!("{binary} did not answer"));
    if let Some(polled) = *emulator.first_poll.lock().unwrap() {
        let name = binary.rsplit('/').next().unwrap();
        eprintln!(
            "{name}: first Runtime API poll {:?} after process start",
            polled.saturating_duration_since(started)
        );
    }
    // The process polls for its next event at once: end it before the next one starts.
    child.kill().await.unwrap();
    assert!(
        path.ends_with("/response"),
        "{binary} reported {path}: {answer}"
    );
    answer
}

/// Runs one API Gateway event through a fresh process of `binary`: status and JSON body.
pub(crate) async fn invoke(
    binary: &str,
    emulator: &Emulator,
    table: &str,
    keys: &Keys,
    event: Value,
) -> (u16, Value) {
    let answer = invoke_raw(binary, emulator, table, keys, event).await;
    let body = answer["body"]
        .as_str()
        .map(|b| serde_json::from_str(b).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    (answer["statusCode"].as_u64().unwrap() as u16, body)
}

pub(crate) fn moto_endpoint() -> String {
    std::env::var("VARCO_TEST_MOTO")
        .unwrap_or_else(|_| panic!("VARCO_TEST_MOTO is not set: run the tests with `./scripts/test`, which starts moto_server"))
}
