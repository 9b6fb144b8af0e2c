//! The Lambda binary itself, as Lambda runs it: started as a process under a small Lambda
//! Runtime API emulator (`runtime`), as one function at a time, it reads its configuration
//! from the environment and its keys from Secrets Manager (moto) or the environment, reaches
//! DynamoDB Local, and answers real events. One loop starts every function of the route
//! table; the walks are for what only AWS does: keys from Secrets Manager, the table's stream
//! to SNS, the import and the scheduled jobs. The flows themselves are walked by the
//! acceptance tests, through the same handlers.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::sync::Arc;
use varco_domain::base::clock::SystemClock;
use varco_domain::base::keys;
use varco_domain::base::store::{Index, Store};
use varco_functions::demo::MARIO;
use varco_functions::secrets::{Key, Secrets};
use varco_store_dynamodb::{local_client, test_endpoint, DynamoStore, Patience};

mod runtime;
mod token_keys;
use runtime::*;
use token_keys::*;

/// Adds the session's access token to an API Gateway event.
fn bearer(event: &mut Value, session: &Value) {
    let token = session["access_token"]
        .as_str()
        .expect("a session with an access token");
    event["headers"]["authorization"] = json!(format!("Bearer {token}"));
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
    let record = varco_store_dynamodb::to_stream_batch(&pending[..1], 1);
    let before = sms_to(phone).await.len();
    let answer = invoke_raw("deliver-messages", emulator, table, &Keys::Outbox, record).await;
    assert_eq!(answer, json!({ "batchItemFailures": [] }));
    let sms = sms_to(phone).await;
    assert_eq!(sms.len(), before + 1, "one SMS reached SNS");
    sms.last().unwrap().clone()
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
    let profile = varco_domain::base::profile::Profile::builtin("card-issuer").unwrap();
    let deps = varco_functions::app::deps(
        store.clone(),
        Arc::new(SystemClock),
        profile,
        &secrets(),
        &token_settings(),
        0,
    );
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
            let input = varco_domain::flows::recovery::StartRecovery {
                kind: varco_domain::flows::recovery::RecoveryKind::Email,
                fiscal_code: varco_domain::base::types::FiscalCode::parse(&person.fiscal_code())
                    .unwrap(),
                birth_date: varco_domain::base::types::BirthDate::parse(person.birth_date).unwrap(),
                captcha: deps.captcha.challenge(deps.clock.now()).solved().unwrap(),
            };
            varco_domain::flows::recovery::start(
                deps,
                input,
                varco_domain::base::messages::Lang::It,
            )
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

/// What the login binary answers Mario's right password with, `keys` its keys.
async fn mario_logs_in(seeded: &Seeded, keys: &Keys) -> Value {
    let body = json!({ "email": MARIO.email, "password": MARIO.password });
    invoke_raw(
        "login",
        &seeded.emulator,
        &seeded.table,
        keys,
        api_event("POST", "/sessions", "/sessions", None, body),
    )
    .await
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
        prefix: "varco/keys".into(),
        endpoint,
    };
    let answer = mario_logs_in(&seeded, &keys).await;
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
        "VARCO_SIGNING_KEYS",
        "VARCO_ISSUER",
        "VARCO_TOKEN_AUDIENCES",
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

/// Every function of the route table, each as its own process with the profile that offers
/// its step: it starts, reads its configuration, and its step answers a request with
/// nothing in it as the step does (a 401 for want of a token, a 404 for an unknown flow, a
/// 400 for a missing field, ...), never as a route it is not (`not_found`,
/// `method_not_allowed`), a flow the profile does not offer (`not_offered`), or a 5xx.
/// Every step's behaviour is walked by the acceptance tests, through the same handlers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_function_of_the_route_table_starts_and_answers_as_its_step() {
    let profiles = [
        "card-issuer",
        "telco-sme",
        "telco-legal-rep",
        "property-management",
    ];
    let mut seeded = Vec::new();
    for profile in profiles {
        seeded.push(self::seeded(&format!("routes-{profile}"), profile).await);
    }
    let mut answered = 0;
    for route in varco_functions::routes::routes() {
        let at = seeded
            .iter()
            .find(|s| route.offer.is_none_or(|offer| s.deps.profile.offers(offer)))
            .unwrap_or_else(|| panic!("no profile offers {}", route.name));
        let path = route
            .path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let event = api_event(route.method.as_str(), route.path, &path, None, json!({}));
        let (status, body) = invoke(
            route.name,
            &at.emulator,
            &at.table,
            &Keys::Environment,
            event,
        )
        .await;
        let code = body["code"].as_str().unwrap_or("");
        assert!(
            (200..500).contains(&status)
                && !["not_found", "method_not_allowed", "not_offered"].contains(&code),
            "{} ({}): {status} {body}",
            route.name,
            at.emulator.profile
        );
        assert!(
            status < 300 || !code.is_empty(),
            "{}: {status} {body}",
            route.name
        );
        answered += 1;
    }
    assert_eq!(answered, varco_functions::routes::routes().len());
}

/// X2: each job's function, run by its schedule, finds nothing to do on a fresh table and
/// says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_job_functions_run_their_jobs() {
    let seeded = seeded("jobs", "card-issuer").await;
    for job in varco_functions::catalog::Job::ALL.map(varco_functions::catalog::Job::name) {
        let scheduled =
            json!({ "version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler" });
        let report = invoke_raw(
            job,
            &seeded.emulator,
            &seeded.table,
            &Keys::Environment,
            scheduled,
        )
        .await;
        assert_eq!(report, json!({ "changed": 0, "finished": true }), "{job}");
    }
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
