//! The step binaries themselves, as Lambda runs them: each is started as a process under a
//! small Lambda Runtime API emulator of this test, reads its configuration from the
//! environment and its keys from Secrets Manager (moto) or the environment, reaches DynamoDB
//! Local, and answers a real API Gateway HTTP API v2 event.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Mutex};
use varco_domain::clock::SystemClock;
use varco_domain::keys;
use varco_domain::store::{Index, Store};
use varco_functions::config::Secrets;
use varco_functions::demo::MARIO;
use varco_store_dynamodb::{local_client, test_endpoint, DynamoStore, Patience};

/// How long a binary may take to answer one event before the test fails (a bound, not a wait).
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

struct Emulator {
    port: u16,
    /// The `VARCO_PROFILE` the binaries run with.
    profile: &'static str,
    events: mpsc::UnboundedSender<Value>,
    answers: Mutex<mpsc::UnboundedReceiver<(String, Value)>>,
    first_poll: Arc<std::sync::Mutex<Option<Instant>>>,
}

/// Serves the Runtime API: `next` hands out queued events, `response` and `error` report back.
async fn emulator() -> Emulator {
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

fn secrets() -> Secrets {
    Secrets {
        pepper: vec![11; 32],
        token_key: vec![12; 32],
        captcha_key: vec![13; 32],
        gateway_key: Some(vec![14; 32]),
        issuer_key: None,
        operator_key: Some(vec![15; 32]),
    }
}

fn api_event(method: &str, route: &str, path: &str, flow_id: Option<&str>, body: Value) -> Value {
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
struct Seeded {
    table: String,
    store: Arc<DynamoStore>,
    deps: varco_domain::Deps,
    emulator: Emulator,
}

async fn seeded(name: &str, profile: &'static str) -> Seeded {
    let table = format!("smoke-{name}-{}", std::process::id());
    let client = local_client(&test_endpoint(), Patience::UNHURRIED);
    DynamoStore::create_table(&client, &table).await.unwrap();
    let store = Arc::new(DynamoStore::new(client, &table));
    let deps = varco_functions::app::deps(
        store.clone(),
        Arc::new(SystemClock),
        varco_domain::profile::Profile::builtin(profile).unwrap(),
        &secrets(),
        0,
    );
    varco_functions::demo::seed(&deps).await.unwrap();
    let mut emulator = emulator().await;
    emulator.profile = profile;
    Seeded {
        table,
        store,
        deps,
        emulator,
    }
}

/// `account` (logging in by email with `password`) stored, and logged in through the
/// `login` binary: its session.
async fn logged_in(
    seeded: &Seeded,
    account: varco_domain::accounts::Account,
    password: &str,
) -> Value {
    let email = account.email.clone();
    seeded
        .store
        .write(account.create(seeded.deps.clock.now()).unwrap())
        .await
        .unwrap();
    let body = json!({ "email": email, "password": password });
    let (status, session) = invoke(
        "login",
        &seeded.emulator,
        &seeded.table,
        &Keys::Environment,
        api_event("POST", "/sessions", "/sessions", None, body),
    )
    .await;
    assert_eq!(status, 201, "{session}");
    session
}

/// How a binary gets its keys: from its environment, or from a Secrets Manager secret.
enum Keys {
    Environment,
    SecretsManager {
        arn: String,
        endpoint: String,
    },
    /// The environment's keys, and SNS and SES on moto: the outbox sender's.
    Outbox,
}

/// Adds the session's access token to an API Gateway event.
fn bearer(event: &mut Value, session: &Value) {
    let token = session["access_token"]
        .as_str()
        .expect("a session with an access token");
    event["headers"]["authorization"] = json!(format!("Bearer {token}"));
}

/// Starts `binary` under the emulator with the deployment's environment.
/// Starts the Lambda binary as the function `function` (`VARCO_FUNCTION`).
fn start(function: &str, emulator: &Emulator, table: &str, keys: &Keys) -> tokio::process::Child {
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
        .env("VARCO_CAPTCHA_DIFFICULTY", "0")
        .kill_on_drop(true)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    match keys {
        Keys::Environment | Keys::Outbox => {
            command
                .env("VARCO_PEPPER", STANDARD.encode(&s.pepper))
                .env("VARCO_TOKEN_KEY", STANDARD.encode(&s.token_key))
                .env("VARCO_CAPTCHA_KEY", STANDARD.encode(&s.captcha_key));
            if let Some(key) = &s.gateway_key {
                command.env("VARCO_GATEWAY_KEY", STANDARD.encode(key));
            }
            if let Some(key) = &s.operator_key {
                command.env("VARCO_OPERATOR_KEY", STANDARD.encode(key));
            }
        }
        Keys::SecretsManager { arn, endpoint } => {
            command
                .env("VARCO_SECRETS_ARN", arn)
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

/// The keys as a Secrets Manager secret on moto_server, as an operator creates it.
async fn keys_in_secrets_manager() -> Keys {
    let endpoint = moto_endpoint();
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .region(aws_sdk_secretsmanager::config::Region::new("eu-south-1"))
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "local", "local", None, None, "test",
        ))
        .build();
    let s = secrets();
    let value = json!({ "pepper": STANDARD.encode(&s.pepper), "token_key": STANDARD.encode(&s.token_key), "captcha_key": STANDARD.encode(&s.captcha_key) });
    let created = aws_sdk_secretsmanager::Client::from_conf(config)
        .create_secret()
        .name(format!("varco-smoke-{}", std::process::id()))
        .secret_string(value.to_string())
        .send()
        .await
        .unwrap();
    Keys::SecretsManager {
        arn: created.arn().unwrap().to_string(),
        endpoint,
    }
}

/// Runs one event through a fresh process of `binary`; returns the API Gateway response.
/// Runs one event through a fresh process of `binary`; returns what the handler answered.
async fn invoke_raw(
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
async fn invoke(
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

/// Runs the step `binary` of a flow: `POST /<flows>/{flow_id}/<segment>`.
async fn flow_step(
    binary: &str,
    emulator: &Emulator,
    table: &str,
    (flows, flow): (&str, &str),
    segment: &str,
    body: Value,
) -> (u16, Value) {
    let route = format!("/{flows}/{{flow_id}}/{segment}");
    let event = api_event(
        "POST",
        &route,
        &format!("/{flows}/{flow}/{segment}"),
        Some(flow),
        body,
    );
    invoke(binary, emulator, table, &Keys::Environment, event).await
}

/// Hands the one message waiting in the outbox to the `deliver-messages` binary as the table's
/// stream would, and returns the SMS moto's SNS received for `phone`.
async fn deliver_the_sms(
    store: &DynamoStore,
    emulator: &Emulator,
    table: &str,
    phone: &str,
) -> String {
    let pending = store
        .query_index(Index::Gsi1, keys::OUTBOX_PENDING, 10)
        .await
        .unwrap();
    assert_eq!(
        pending.len(),
        1,
        "the SMS waits in the outbox of the real table"
    );
    let record = json!({ "Records": [{ "eventName": "INSERT", "dynamodb": {
        "Keys": { "pk": { "S": pending[0].key.pk }, "sk": { "S": pending[0].key.sk } },
        "NewImage": varco_store_dynamodb::to_stream_image(&pending[0]),
        "SequenceNumber": "1"
    }}]});
    let before = sms_to(phone).await.len();
    let answer = invoke_raw("deliver-messages", emulator, table, &Keys::Outbox, record).await;
    assert_eq!(answer, json!({ "batchItemFailures": [] }));
    let sms = sms_to(phone).await;
    assert_eq!(sms.len(), before + 1, "one SMS reached SNS");
    sms.last().unwrap().clone()
}

/// A captcha solved through the `issue-captcha` binary (difficulty 0: any nonce).
async fn solved_captcha(emulator: &Emulator, table: &str) -> String {
    let (status, challenge) = invoke(
        "issue-captcha",
        emulator,
        table,
        &Keys::Environment,
        api_event("POST", "/captcha", "/captcha", None, json!({})),
    )
    .await;
    assert_eq!(status, 201, "{challenge}");
    format!("{}:0", challenge["challenge"].as_str().unwrap())
}

/// Starts a code flow through its start binary (`POST /<flows>`, with a solved captcha added
/// to `body`), delivers its SMS, asks the resend binary for a new code and delivers that;
/// returns the flow id and the second code.
async fn code_flow(
    (flows, start): (&str, &str),
    resend: &str,
    mut body: Value,
    phone: &str,
    (store, emulator, table): (&DynamoStore, &Emulator, &str),
) -> (String, String) {
    body["captcha"] = json!(solved_captcha(emulator, table).await);
    let path = format!("/{flows}");
    let event = api_event("POST", &path, &path, None, body);
    let (status, started) = invoke(start, emulator, table, &Keys::Environment, event).await;
    assert_eq!(status, 201, "{started}");
    let flow = started["flow_id"].as_str().unwrap().to_string();
    deliver_the_sms(store, emulator, table, phone).await;
    let again = json!({ "phone": phone });
    let (status, resent) = flow_step(
        resend,
        emulator,
        table,
        (flows, &flow),
        "code/resend",
        again,
    )
    .await;
    assert_eq!(status, 202, "{resent}");
    let sms = deliver_the_sms(store, emulator, table, phone).await;
    (flow, code_in(&sms))
}

/// The six-digit code an SMS carries.
fn code_in(sms: &str) -> String {
    sms.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a code in the SMS")
        .to_string()
}

fn moto_endpoint() -> String {
    std::env::var("VARCO_TEST_MOTO")
        .unwrap_or_else(|_| panic!("VARCO_TEST_MOTO is not set: run the tests with `./scripts/test`, which starts moto_server"))
}

/// The SMS moto's SNS received for `phone`, newest last.
async fn sms_to(phone: &str) -> Vec<String> {
    let data: Value = get_json(&format!("{}/moto-api/data.json", moto_endpoint())).await;
    data["sns"]["SMS"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["phone_number"] == phone)
        .map(|m| m["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A GET of a JSON document over plain HTTP on loopback, with hyper's client.
async fn get_json(url: &str) -> Value {
    let uri: hyper::Uri = url.parse().unwrap();
    let stream = tokio::net::TcpStream::connect((uri.host().unwrap(), uri.port_u16().unwrap()))
        .await
        .unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::get(uri.path())
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let body = sender
        .send_request(request)
        .await
        .unwrap()
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes();
    serde_json::from_slice(&body).unwrap()
}

/// Every step binary, each as its own process, through whole recoveries: captcha, start (keys
/// from Secrets Manager on moto), Key6, phone, the outbox sender on a stream record sending
/// through moto's SNS, login with the temporary password, change of password, login, the
/// account; then the security answer and the password methods.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_binary_answers_under_the_lambda_runtime_against_dynamodb_local_and_moto() {
    let table = format!("smoke-{}", std::process::id());
    let client = local_client(&test_endpoint(), Patience::UNHURRIED);
    DynamoStore::create_table(&client, &table).await.unwrap();
    let store = Arc::new(DynamoStore::new(client, &table));
    let profile = varco_domain::profile::Profile::builtin("card-issuer").unwrap();
    let deps =
        varco_functions::app::deps(store.clone(), Arc::new(SystemClock), profile, &secrets(), 0);
    varco_functions::demo::seed(&deps).await.unwrap();
    let emulator = emulator().await;
    let env = Keys::Environment;

    let (status, challenge) = invoke(
        "issue-captcha",
        &emulator,
        &table,
        &env,
        api_event("POST", "/captcha", "/captcha", None, json!({})),
    )
    .await;
    assert_eq!(
        (status, challenge["kind"].as_str()),
        (201, Some("proof_of_work")),
        "{challenge}"
    );
    let captcha = format!("{}:0", challenge["challenge"].as_str().unwrap());
    let start_body = json!({ "kind": "password", "fiscal_code": MARIO.fiscal_code(), "birth_date": MARIO.birth_date, "captcha": captcha });
    let keys = keys_in_secrets_manager().await;
    let (status, started) = invoke(
        "start-recovery",
        &emulator,
        &table,
        &keys,
        api_event("POST", "/recoveries", "/recoveries", None, start_body),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    let flow = started["flow_id"].as_str().unwrap().to_string();

    let key6 = json!({ "card_number": "4111111111111111", "key6": "482913" });
    let (status, prompt) = flow_step(
        "verify-key6",
        &emulator,
        &table,
        ("recoveries", &flow),
        "key6",
        key6,
    )
    .await;
    assert_eq!(
        (status, prompt["hint"].as_str()),
        (200, Some("+39 340****44")),
        "{prompt}"
    );
    let phone = json!({ "phone": "+393401234544" });
    let (status, sent) = flow_step(
        "verify-recovery-phone",
        &emulator,
        &table,
        ("recoveries", &flow),
        "phone",
        phone,
    )
    .await;
    assert_eq!(status, 202, "{sent}");

    // The table's stream hands the message to the outbox sender, which sends through SNS.
    let sms = deliver_the_sms(&store, &emulator, &table, "+393401234544").await;
    let temporary = sms
        .split(" è ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();

    let login = |password: &str| {
        api_event(
            "POST",
            "/sessions",
            "/sessions",
            None,
            json!({ "email": MARIO.email, "password": password }),
        )
    };
    let (status, session) = invoke("login", &emulator, &table, &env, login(&temporary)).await;
    assert_eq!(
        (status, session["scope"].as_str()),
        (201, Some("password_change")),
        "{session}"
    );
    let mut change = api_event(
        "PUT",
        "/me/password",
        "/me/password",
        None,
        json!({ "new_password": "Nuova-Password-Sicura-1" }),
    );
    bearer(&mut change, &session);
    let (status, _) = invoke("change-password", &emulator, &table, &env, change).await;
    assert_eq!(status, 204);
    let (status, session) = invoke(
        "login",
        &emulator,
        &table,
        &env,
        login("Nuova-Password-Sicura-1"),
    )
    .await;
    assert_eq!(status, 201, "{session}");
    let mut me = api_event("GET", "/me", "/me", None, json!({}));
    bearer(&mut me, &session);
    let (status, account) = invoke("get-account", &emulator, &table, &env, me).await;
    assert_eq!(
        (status, account["email"].as_str()),
        (200, Some(MARIO.email)),
        "{account}"
    );
    // R8 with no issuer configured (no VARCO_KEY6_URL): the card checks out, and the
    // cardholder is told the Key6 is not available here.
    let body =
        json!({ "card_number": "4111 1111 1111 1111", "password": "Nuova-Password-Sicura-1" });
    let mut view = api_event("POST", "/me/cards/key6", "/me/cards/key6", None, body);
    bearer(&mut view, &session);
    let (status, answer) = invoke("view-key6", &emulator, &table, &env, view).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (422, Some("key6_unavailable")),
        "{answer}"
    );
    let refresh = json!({ "refresh_token": session["refresh_token"] });
    let (status, session) = invoke(
        "refresh-session",
        &emulator,
        &table,
        &env,
        api_event(
            "POST",
            "/sessions/refresh",
            "/sessions/refresh",
            None,
            refresh,
        ),
    )
    .await;
    assert_eq!(status, 201, "{session}");
    let mut logout = api_event(
        "DELETE",
        "/sessions/current",
        "/sessions/current",
        None,
        json!({}),
    );
    bearer(&mut logout, &session);
    let (status, _) = invoke("logout", &emulator, &table, &env, logout).await;
    assert_eq!(status, 204);

    // The other two methods, on flows started in-process on the same table.
    let flow_of = |person: &'static varco_functions::demo::DemoPerson| {
        let deps = &deps;
        async move {
            let input = varco_domain::recovery::StartRecovery {
                kind: varco_domain::recovery::RecoveryKind::Email,
                fiscal_code: varco_domain::types::FiscalCode::parse(&person.fiscal_code()).unwrap(),
                birth_date: varco_domain::types::BirthDate::parse(person.birth_date).unwrap(),
                captcha: deps.captcha.challenge(deps.clock.now()).solved().unwrap(),
            };
            varco_domain::recovery::start(deps, input, varco_domain::messages::Lang::It)
                .await
                .unwrap()
                .flow_id
        }
    };
    let flow = flow_of(&varco_functions::demo::LUCA).await;
    let answer = json!({ "answer": "Bergamo" });
    let binary = "verify-security-answer";
    let (status, prompt) = flow_step(
        binary,
        &emulator,
        &table,
        ("recoveries", &flow),
        "security-answer",
        answer,
    )
    .await;
    assert_eq!(status, 200, "{prompt}");
    let flow = flow_of(&varco_functions::demo::ANNA).await;
    let password = json!({ "password": varco_functions::demo::ANNA.password });
    let binary = "verify-recovery-password";
    let (status, prompt) = flow_step(
        binary,
        &emulator,
        &table,
        ("recoveries", &flow),
        "password",
        password,
    )
    .await;
    assert_eq!(status, 200, "{prompt}");
}

/// A step binary that cannot reach Secrets Manager when it starts answers `503 unavailable`
/// with `Retry-After`, as any step whose dependency is down: not a failed start, which API
/// Gateway would turn into a bare 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_binary_that_cannot_reach_secrets_manager_answers_503() {
    let seeded = seeded("no-secrets", "card-issuer").await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let keys = Keys::SecretsManager {
        arn: "arn:aws:secretsmanager:eu-south-1:000000000000:secret:varco-keys".into(),
        endpoint,
    };
    let body = json!({ "email": MARIO.email, "password": MARIO.password });
    let answer = invoke_raw(
        "login",
        &seeded.emulator,
        &seeded.table,
        &keys,
        api_event("POST", "/sessions", "/sessions", None, body),
    )
    .await;
    let problem: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        (answer["statusCode"].as_u64(), problem["code"].as_str()),
        (Some(503), Some("unavailable")),
        "{answer}"
    );
    assert_eq!(answer["headers"]["retry-after"], "5", "{answer}");
}

#[tokio::test]
async fn a_step_binary_without_its_configuration_names_what_is_missing() {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_varco-lambda"))
        .env_clear()
        .env("VARCO_FUNCTION", "login")
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env("VARCO_PROFILE", "card-issuer")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for missing in [
        "VARCO_TABLE",
        "VARCO_PEPPER",
        "VARCO_TOKEN_KEY",
        "VARCO_CAPTCHA_KEY",
    ] {
        assert!(stderr.contains(missing), "{stderr}");
    }
}

#[tokio::test]
async fn the_lambda_binary_refuses_to_start_without_a_function_it_knows() {
    for (function, says) in [
        (None, "VARCO_FUNCTION is not set"),
        (
            Some("verify-key7"),
            "VARCO_FUNCTION=verify-key7 names no function",
        ),
    ] {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_varco-lambda"));
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9");
        if let Some(function) = function {
            command.env("VARCO_FUNCTION", function);
        }
        let output = command.output().await.unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
}

/// N4 and N2 through the step binaries: start (captcha from `issue-captcha`), the SMS through
/// the outbox sender and moto's SNS, a resend, the code, the credentials; the new
/// Administrator logs in through `login`; then a migration from the old portal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registration_and_migration_step_binaries_work() {
    let table = format!("smoke-registration-{}", std::process::id());
    let client = local_client(&test_endpoint(), Patience::UNHURRIED);
    DynamoStore::create_table(&client, &table).await.unwrap();
    let store = Arc::new(DynamoStore::new(client, &table));
    let profile = varco_domain::profile::Profile::builtin("card-issuer").unwrap();
    let deps =
        varco_functions::app::deps(store.clone(), Arc::new(SystemClock), profile, &secrets(), 0);
    varco_functions::demo::seed(&deps).await.unwrap();
    let emulator = emulator().await;
    let env = Keys::Environment;
    let card = &varco_functions::demo::ACME_CARD;
    let phone = "+393475550177";

    let body = json!({ "card_number": card.number, "registration_code": card.registration_code, "phone": phone });
    let (flow, code) = code_flow(
        ("registrations", "start-registration"),
        "resend-registration-code",
        body,
        phone,
        (&store, &emulator, &table),
    )
    .await;
    let (status, confirmed) = flow_step(
        "confirm-registration-code",
        &emulator,
        &table,
        ("registrations", &flow),
        "code",
        json!({ "code": code }),
    )
    .await;
    assert_eq!(
        (status, confirmed["company_name"].as_str()),
        (200, Some(card.company_name)),
        "{confirmed}"
    );
    let credentials =
        json!({ "email": "sara.conti@acme.example", "password": "Girasole-Viola-31" });
    let (status, session) = flow_step(
        "complete-registration",
        &emulator,
        &table,
        ("registrations", &flow),
        "credentials",
        credentials.clone(),
    )
    .await;
    assert_eq!(
        (status, session["scope"].as_str()),
        (201, Some("account")),
        "{session}"
    );
    let (status, session) = invoke(
        "login",
        &emulator,
        &table,
        &env,
        api_event("POST", "/sessions", "/sessions", None, credentials),
    )
    .await;
    assert_eq!(status, 201, "{session}");

    // N5 through its binaries: the Administrator adds an invitation (T3: nothing sent), lists
    // and revokes it; the hourly and the daily job run.
    let as_sara = |mut event: Value| {
        bearer(&mut event, &session);
        event
    };
    let body = json!({ "email": "paolo.neri@acme.example", "display_name": "Paolo Neri", "role": "supervisor", "mobile": "+393475550202", "send": false });
    let route = "/companies/{company_id}/invitations";
    let (status, invited) = invoke(
        "create-invitation",
        &emulator,
        &table,
        &env,
        as_sara(api_event(
            "POST",
            route,
            "/companies/acme/invitations",
            None,
            body,
        )),
    )
    .await;
    assert_eq!(
        (status, invited["state"].as_str()),
        (201, Some("added")),
        "{invited}"
    );
    let route = "/companies/{company_id}/users";
    let (status, users) = invoke(
        "list-company-users",
        &emulator,
        &table,
        &env,
        as_sara(api_event(
            "GET",
            route,
            "/companies/acme/users",
            None,
            Value::Null,
        )),
    )
    .await;
    assert_eq!(
        (status, users["invitations"][0]["state"].as_str()),
        (200, Some("added")),
        "{users}"
    );
    let path = format!(
        "/companies/acme/invitations/{}",
        invited["invitation_id"].as_str().unwrap()
    );
    let route = "/companies/{company_id}/invitations/{invitation_id}";
    let (status, revoked) = invoke(
        "revoke-invitation",
        &emulator,
        &table,
        &env,
        as_sara(api_event("DELETE", route, &path, None, Value::Null)),
    )
    .await;
    assert_eq!(status, 204, "{revoked}");
    let route = "/companies/{company_id}/audit-events";
    let (status, trail) = invoke(
        "read-audit-trail",
        &emulator,
        &table,
        &env,
        as_sara(api_event(
            "GET",
            route,
            "/companies/acme/audit-events",
            None,
            Value::Null,
        )),
    )
    .await;
    // Sara's login and her two changes, in the order of their seconds (within one, any).
    let mut actions: Vec<&str> = trail["events"]
        .as_array()
        .map(|events| events.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    actions.sort();
    assert_eq!(
        (status, actions),
        (200, vec!["invitation_added", "invitation_revoked", "login"]),
        "{trail}"
    );
    let route = "/companies/{company_id}/users/{account_id}";
    let (status, nobody) = invoke(
        "remove-access",
        &emulator,
        &table,
        &env,
        as_sara(api_event(
            "DELETE",
            route,
            "/companies/acme/users/nobody",
            None,
            Value::Null,
        )),
    )
    .await;
    assert_eq!(
        (status, nobody["code"].as_str()),
        (404, Some("member_not_found")),
        "{nobody}"
    );
    let route = "/companies/{company_id}/users/{account_id}/role";
    let (status, nobody) = invoke(
        "change-role",
        &emulator,
        &table,
        &env,
        as_sara(api_event(
            "PUT",
            route,
            "/companies/acme/users/nobody/role",
            None,
            json!({ "role": "monitoring" }),
        )),
    )
    .await;
    assert_eq!(
        (status, nobody["code"].as_str()),
        (404, Some("member_not_found")),
        "{nobody}"
    );
    // N6 through the back office's binaries, with the operator key.
    let operator = |mut event: Value| {
        event["headers"]["x-varco-operator-key"] =
            json!(STANDARD.encode(secrets().operator_key.unwrap()));
        event
    };
    let route = "/operator/companies/{company_id}/audit-events";
    let (status, trail) = invoke(
        "read-company-audit-trail",
        &emulator,
        &table,
        &env,
        operator(api_event(
            "GET",
            route,
            "/operator/companies/acme/audit-events",
            None,
            Value::Null,
        )),
    )
    .await;
    assert_eq!(
        (status, trail["events"].as_array().map(Vec::len)),
        (200, Some(3)),
        "{trail}"
    );
    // X8: the operator's trail of the day holds the company's events too.
    let (status, log) = invoke(
        "read-audit-log",
        &emulator,
        &table,
        &env,
        operator(api_event(
            "GET",
            "/operator/audit-events",
            "/operator/audit-events",
            None,
            Value::Null,
        )),
    )
    .await;
    assert_eq!(status, 200, "{log}");
    let ids = |page: &Value| -> Vec<String> {
        page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        ids(&trail).iter().all(|id| ids(&log).contains(id)),
        "{trail} in {log}"
    );
    let route = "/operator/companies/{company_id}/administrator";
    let (status, revoked) = invoke(
        "revoke-company-registration",
        &emulator,
        &table,
        &env,
        operator(api_event(
            "DELETE",
            route,
            "/operator/companies/acme/administrator",
            None,
            Value::Null,
        )),
    )
    .await;
    assert_eq!(status, 204, "{revoked}");
    // X2: each job's binary, run by its schedule, finds nothing to do yet.
    for job in [
        "expire-invitations",
        "purge-flows",
        "revoke-lapsed-administrators",
    ] {
        let scheduled =
            json!({ "version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler" });
        let report = invoke_raw(job, &emulator, &table, &env, scheduled).await;
        assert_eq!(report, json!({ "changed": 0, "finished": true }), "{job}");
    }

    // N2 through its binaries: start, resend, the code with the new password.
    let user = &varco_functions::demo::FRANCA;
    let phone = "+393480001177";
    let body = json!({ "username": user.username, "password": user.password, "phone": phone, "email": "franca@fiume.example" });
    let (flow, code) = code_flow(
        ("migrations", "start-migration"),
        "resend-migration-code",
        body,
        phone,
        (&store, &emulator, &table),
    )
    .await;
    let (status, migrated) = flow_step(
        "complete-migration",
        &emulator,
        &table,
        ("migrations", &flow),
        "code",
        json!({ "code": code, "new_password": "Nuova-Frase-Sicura-9" }),
    )
    .await;
    assert_eq!(
        (status, migrated["administrator"].as_str()),
        (201, Some("Franca Ricci")),
        "{migrated}"
    );

    // N7, C5, W10 on Sara's account, through their binaries.
    let me_step = |binary: &'static str, path: &'static str, body: Value| {
        let (emulator, table, session) = (&emulator, &table, &session);
        async move {
            let mut event = api_event("POST", path, path, None, body);
            bearer(&mut event, session);
            invoke(binary, emulator, table, &Keys::Environment, event).await
        }
    };
    let password = "Girasole-Viola-31";
    let new_phone = "+393497778899";
    let (status, started) = me_step(
        "start-mobile-change",
        "/me/mobile",
        json!({ "password": password, "phone": new_phone }),
    )
    .await;
    assert_eq!(status, 202, "{started}");
    let code = code_in(&deliver_the_sms(&store, &emulator, &table, new_phone).await);
    let (status, _) = me_step(
        "confirm-mobile-change",
        "/me/mobile/code",
        json!({ "code": code }),
    )
    .await;
    assert_eq!(status, 204);
    let (status, started) = me_step(
        "start-email-change",
        "/me/email",
        json!({ "password": password, "email": "sara@nuovo.example" }),
    )
    .await;
    assert_eq!(status, 202, "{started}");
    let (status, wrong) = me_step(
        "confirm-email-change",
        "/me/email/code",
        json!({ "code": "000000" }),
    )
    .await;
    assert!(
        [204, 422].contains(&status),
        "a code answered, right or wrong: {wrong}"
    );
    let (status, _) = me_step(
        "delete-account",
        "/me/deletion",
        json!({ "password": password }),
    )
    .await;
    assert_eq!(status, 204);
}

/// X7 through the import binary (on DynamoDB Local, keys from the environment) and through
/// `varco import FILE` on the embedded store: a report per row, idempotent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_binary_and_the_local_import_command_report_each_row() {
    let rows = [
        r#"{"type":"company","id":"olmo","name":"Olmo Servizi Srl","vat_number":"00743110157"}"#,
        r#"{"type":"company_card","company_id":"olmo","number":"4242424242424242","holder_name":"Olga Neri","valid_until":"2030-06-30","blocked_on":null,"registration_code":"OLMO-1234"}"#,
        r#"{"type":"company_card","company_id":"nessuna","number":"4000056655665556","holder_name":"X","valid_until":"2030-06-30","blocked_on":null,"registration_code":null}"#,
    ]
    .join("\n");

    let table = format!("smoke-import-{}", std::process::id());
    let client = local_client(&test_endpoint(), Patience::UNHURRIED);
    DynamoStore::create_table(&client, &table).await.unwrap();
    let emulator = emulator().await;
    let report = invoke_raw(
        "import-data",
        &emulator,
        &table,
        &Keys::Environment,
        json!({ "jsonl": rows }),
    )
    .await;
    assert_eq!(
        (&report["created"], &report["failed"]),
        (&json!(2), &json!(1)),
        "{report}"
    );
    assert_eq!(report["rows"][2]["code"], "unknown_company", "{report}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.jsonl");
    std::fs::write(&file, &rows).unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_varco"))
            .arg("import")
            .arg(&file)
            .arg("--data")
            .arg(dir.path().join("data"))
            .output()
            .unwrap()
    };
    let first = run();
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(!first.status.success(), "a failed row fails the command");
    assert!(
        out.contains("2 created, 0 updated, 0 unchanged, 1 failed"),
        "{out}"
    );
    assert!(
        out.contains(r#""line":3"#) && out.contains("unknown_company"),
        "{out}"
    );
    let second = run();
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(
        out.contains("0 created, 0 updated, 2 unchanged, 1 failed"),
        "{out}"
    );
}

#[tokio::test]
async fn the_telco_step_binaries_work() {
    let setup = seeded("telco", "telco-sme").await;
    let Seeded {
        table,
        store,
        deps,
        emulator,
    } = &setup;

    // W2: the VAT registration, then the activation from the emailed link.
    let nord = &varco_functions::demo::NORD;
    let captcha = deps.captcha.challenge(deps.clock.now()).solved().unwrap();
    let body = json!({
        "vat_number": nord.vat_number, "name": nord.name, "surname": nord.surname,
        "birth_date": nord.birth_date, "fiscal_code": nord.fiscal_code,
        "email": nord.email, "mobile": nord.mobile, "captcha": captcha
    });
    let (status, started) = invoke(
        "start-vat-registration",
        emulator,
        table,
        &Keys::Environment,
        api_event(
            "POST",
            "/user-admin-registrations",
            "/user-admin-registrations",
            None,
            body,
        ),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    let pending = store
        .query_index(Index::Gsi1, keys::OUTBOX_PENDING, 10)
        .await
        .unwrap();
    let email = pending[0].doc.to_string();
    let token = email
        .split("&token=")
        .nth(1)
        .and_then(|rest| {
            rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .next()
        })
        .expect("the activation email carries the link's token");
    let flow = started["flow_id"].as_str().unwrap();
    let (status, session) = flow_step(
        "activate-vat-registration",
        emulator,
        table,
        ("user-admin-registrations", flow),
        "activation",
        json!({ "token": token, "username": "MarcoB", "password": "Scogliera-Blu-44" }),
    )
    .await;
    assert_eq!(
        (status, session["scope"].as_str()),
        (201, Some("account")),
        "{session}"
    );

    // W7: a line registration, through each of its binaries.
    let luca = varco_functions::demo::LINE_LUCA.number;
    let captcha = deps.captcha.challenge(deps.clock.now()).solved().unwrap();
    let body = json!({ "line": luca, "email": "luca@officinenord.example", "captcha": captcha });
    let (status, started) = invoke(
        "start-line-registration",
        emulator,
        table,
        &Keys::Environment,
        api_event(
            "POST",
            "/line-registrations",
            "/line-registrations",
            None,
            body,
        ),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    let flow = started["flow_id"].as_str().unwrap();
    let (status, resent) = flow_step(
        "resend-line-code",
        emulator,
        table,
        ("line-registrations", flow),
        "code/resend",
        json!({ "phone": luca }),
    )
    .await;
    assert_eq!(status, 202, "{resent}");
    let (status, wrong) = flow_step(
        "complete-line-registration",
        emulator,
        table,
        ("line-registrations", flow),
        "code",
        json!({ "code": "000000", "new_password": "Onda-Lunga-2024" }),
    )
    .await;
    assert_eq!(
        (status, wrong["code"].as_str()),
        (422, Some("code_not_correct")),
        "{wrong}"
    );
    let data = &varco_functions::demo::LINE_DATA;
    let captcha = deps.captcha.challenge(deps.clock.now()).solved().unwrap();
    let input = varco_domain::line_registration::StartLineRegistration {
        line: varco_domain::types::PhoneNumber::parse(data.number).unwrap(),
        email: varco_domain::types::Email::parse("tablet@officinenord.example").unwrap(),
        captcha,
    };
    let started =
        varco_domain::line_registration::start(deps, input, varco_domain::messages::Lang::It)
            .await
            .unwrap();
    let (status, sent) = flow_step(
        "verify-line-puk",
        emulator,
        table,
        ("line-registrations", &started.flow_id),
        "puk",
        json!({ "puk": data.puk }),
    )
    .await;
    assert_eq!(
        (status, sent["next"].as_str()),
        (200, Some("code")),
        "{sent}"
    );

    // W5: a password reset for the User Admin activated above, through its binaries.
    let captcha = deps.captcha.challenge(deps.clock.now()).solved().unwrap();
    let body = json!({ "username": "MarcoB", "captcha": captcha });
    let (status, started) = invoke(
        "start-password-reset",
        emulator,
        table,
        &Keys::Environment,
        api_event("POST", "/password-resets", "/password-resets", None, body),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    let flow = started["flow_id"].as_str().unwrap();
    let (status, sent) = flow_step(
        "send-reset-code",
        emulator,
        table,
        ("password-resets", flow),
        "code",
        json!({ "channel": "email" }),
    )
    .await;
    assert_eq!(status, 202, "{sent}");
    let (status, wrong) = flow_step(
        "complete-password-reset",
        emulator,
        table,
        ("password-resets", flow),
        "password",
        json!({ "code": "000000", "new_password": "Marea-Alta-2025" }),
    )
    .await;
    assert_eq!(
        (status, wrong["code"].as_str()),
        (422, Some("code_not_correct")),
        "{wrong}"
    );

    // W9: an employee's line account, logged in by the line the network gateway vouches for.
    use varco_domain::accounts::{phone_on_file, Account, Login, Membership};
    let line = varco_domain::types::PhoneNumber::parse(luca).unwrap();
    let employee = Account::for_portal(
        deps,
        "luca@officinenord.example".into(),
        "Luca Neri".into(),
        &varco_domain::types::Password::parse("Onda-Lunga-2024").unwrap(),
        None,
        Membership {
            company_id: "nord".into(),
            company_name: "Officine Nord Srl".into(),
            role: "employee".into(),
            card: None,
            seat: None,
            contracts: Vec::new(),
            line_invitation: None,
        },
        Login::Line {
            line: phone_on_file(deps, &line),
        },
    )
    .unwrap();
    store
        .write(employee.create(varco_domain::clock::Timestamp(0)).unwrap())
        .await
        .unwrap();
    let key = secrets().gateway_key.unwrap();
    let mut token = String::new();
    for (vouched, expected) in [(false, 401), (true, 201)] {
        let mut event = api_event(
            "POST",
            "/sessions/autologin",
            "/sessions/autologin",
            None,
            json!({}),
        );
        let line = luca.trim_start_matches('+');
        event["headers"]["x-msisdn"] = json!(line);
        if vouched {
            // The binary's clock is the system's: the gateway's proof is for now.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64;
            let proof = varco_domain::autologin::proof(&key, line, now);
            event["headers"]["x-varco-gateway-time"] = json!(now.to_string());
            event["headers"]["x-varco-gateway-proof"] = json!(proof);
        }
        let (status, answer) =
            invoke("autologin", emulator, table, &Keys::Environment, event).await;
        assert_eq!(status, expected, "{answer}");
        token = answer["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }

    // W11: the session associates a second SIM: the code goes to it; a wrong one is refused.
    let spare = varco_functions::demo::LINE_SPARE.number;
    let authorised = |route: &str, body: Value| {
        let mut event = api_event("POST", route, route, None, body);
        event["headers"]["authorization"] = json!(format!("Bearer {token}"));
        event
    };
    let (status, started) = invoke(
        "start-line-association",
        emulator,
        table,
        &Keys::Environment,
        authorised(
            "/me/lines",
            json!({ "line": spare, "password": "Onda-Lunga-2024" }),
        ),
    )
    .await;
    assert_eq!(
        (status, started["next"].as_str()),
        (202, Some("code")),
        "{started}"
    );
    let (status, wrong) = invoke(
        "confirm-line-association",
        emulator,
        table,
        &Keys::Environment,
        authorised("/me/lines/code", json!({ "code": "000000" })),
    )
    .await;
    assert_eq!(
        (status, wrong["code"].as_str()),
        (422, Some("code_not_correct")),
        "{wrong}"
    );
}

/// T1, T2 through the step binaries: the import's link opens the first access (a code by
/// SMS), a wrong code is refused, and the username email is asked for again.
#[tokio::test]
async fn the_legal_rep_step_binaries_work() {
    let setup = seeded("legal-rep", "telco-legal-rep").await;
    let Seeded {
        table,
        store,
        deps,
        emulator,
    } = &setup;

    let pending = store
        .query_index(Index::Gsi1, keys::OUTBOX_PENDING, 10)
        .await
        .unwrap();
    let email = pending
        .iter()
        .map(|item| item.doc.to_string())
        .find(|doc| doc.contains(varco_functions::demo::NORD.email))
        .expect("the import emailed Marco");
    let link = email
        .split("?flow=")
        .nth(1)
        .expect("the email carries the first-access link");
    let word = |text: &str| {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .next()
            .unwrap()
            .to_string()
    };
    let flow = word(link);
    let token = word(link.split("&token=").nth(1).unwrap());
    let (status, sent) = flow_step(
        "send-first-access-code",
        emulator,
        table,
        ("first-accesses", &flow),
        "code",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(
        (status, sent["channel"].as_str()),
        (202, Some("sms")),
        "{sent}"
    );
    let (status, wrong) = flow_step(
        "complete-first-access",
        emulator,
        table,
        ("first-accesses", &flow),
        "password",
        json!({ "code": "000000", "new_password": "Sorgente-Chiara-31" }),
    )
    .await;
    assert_eq!(
        (status, wrong["code"].as_str()),
        (422, Some("code_not_correct")),
        "{wrong}"
    );
    let captcha = deps.captcha.challenge(deps.clock.now()).solved().unwrap();
    let body = json!({ "email": varco_functions::demo::NORD.email, "captcha": captcha });
    let (status, asked) = invoke(
        "resend-username",
        emulator,
        table,
        &Keys::Environment,
        api_event(
            "POST",
            "/username-reminders",
            "/username-reminders",
            None,
            body,
        ),
    )
    .await;
    assert_eq!(
        (status, asked["next"].as_str()),
        (202, Some("check_email")),
        "{asked}"
    );

    // T4: an administrator of the company lists its lines.
    use varco_domain::accounts::{Account, Login, Membership};
    let admin = Account::for_portal(
        deps,
        "amministrazione@officinenord.example".into(),
        "Anna Amministrazione".into(),
        &varco_domain::types::Password::parse("Registro-Linee-2026").unwrap(),
        None,
        Membership {
            company_id: "nord".into(),
            company_name: "Officine Nord Srl".into(),
            role: "administrator_full".into(),
            card: None,
            seat: None,
            contracts: Vec::new(),
            line_invitation: None,
        },
        Login::Email,
    )
    .unwrap();
    let session = logged_in(&setup, admin, "Registro-Linee-2026").await;
    let mut event = api_event(
        "GET",
        "/companies/{company_id}/lines",
        "/companies/nord/lines",
        None,
        Value::Null,
    );
    bearer(&mut event, &session);
    let (status, lines) = invoke(
        "list-company-lines",
        emulator,
        table,
        &Keys::Environment,
        event,
    )
    .await;
    assert_eq!(
        (status, lines["lines"].as_array().map(Vec::len)),
        (200, Some(3)),
        "{lines}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_property_step_binary_works() {
    use varco_domain::accounts::{Account, Login, Membership};
    use varco_functions::demo::{OWNER_A1, TENANT_A2, VILLA_ROSA};
    let setup = seeded("property", "property-management").await;
    let Seeded {
        table,
        deps,
        emulator,
        ..
    } = &setup;

    // C3: an owner of one unit whose lease of another has not started.
    let owner = Account::for_portal(
        deps,
        OWNER_A1.contact_email.into(),
        OWNER_A1.contact_name.into(),
        &varco_domain::types::Password::parse("Glicine-Fiorito-48").unwrap(),
        None,
        Membership {
            company_id: VILLA_ROSA.company_id.into(),
            company_name: VILLA_ROSA.company_name.into(),
            role: "owner".into(),
            card: None,
            seat: None,
            contracts: vec![OWNER_A1.contract_id.into(), TENANT_A2.contract_id.into()],
            line_invitation: None,
        },
        Login::Email,
    )
    .unwrap();
    let session = logged_in(&setup, owner, "Glicine-Fiorito-48").await;
    let mut event = api_event("GET", "/me/units", "/me/units", None, json!({}));
    bearer(&mut event, &session);
    let (status, units) = invoke("list-my-units", emulator, table, &Keys::Environment, event).await;
    assert_eq!(status, 200, "{units}");
    assert_eq!(
        (
            &units["units"][0]["unit_name"],
            &units["upcoming"][0]["starts_on"]
        ),
        (&json!(OWNER_A1.unit_name), &json!(TENANT_A2.starts_on)),
        "{units}"
    );
}
