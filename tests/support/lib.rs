//! The black-box harness: `TestApp` spawns the local gateway on a random port, on the
//! embedded store or on a fresh DynamoDB Local table, with a clock the test moves and a
//! sender that keeps what it sends. One method per endpoint; tests read as the scenario.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};
use varco_domain::base::captcha::solve;
use varco_domain::base::clock::{ManualClock, Timestamp};
use varco_domain::base::store::Store;
use varco_domain::base::tokens::KeyRing;
use varco_domain::limits::outbox::{self, Outgoing, SendError, Sender};
use varco_domain::Deps;
use varco_functions::demo::DemoPerson;
use varco_functions::secrets::Secrets;
use varco_store_dynamodb::DynamoStore;
use varco_store_redb::RedbStore;

mod burst;
pub mod document;
mod endpoints;
mod events;
mod link;
mod messages;
pub mod passkey;
mod shapes;
pub use burst::{burst, seen_count, Seen};
pub use events::{
    api_gateway_event, api_gateway_request, invoke_import, invoke_job, invoke_outbox, stream_insert,
};
pub use link::FaultyLink;
pub use messages::{code_in, invitation_code_in, link_in, temporary_password_in};
pub use shapes::WriteShapes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    DynamoDb,
}

/// Keeps every message "sent".
#[derive(Default)]
pub struct CapturingSender(Mutex<Vec<Outgoing>>);

#[async_trait]
impl Sender for CapturingSender {
    async fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        self.0.lock().unwrap().push(message.clone());
        Ok(())
    }
}

/// Every log line the test process writes, as JSON lines (the Lambda format).
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.get_or_init(Default::default).lock().unwrap()).into_owned()
}

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    let buffer = LOGS.get_or_init(Default::default).clone();
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .without_time()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || LogWriter(buffer.clone()))
        .try_init();
}

/// The solution of the challenge a `captcha_required` answer carries, as a client computes
/// it (whatever its difficulty).
pub fn solve_captcha(answer: &Answer) -> String {
    let challenge = answer.body["captcha"]["challenge"]
        .as_str()
        .unwrap_or_else(|| panic!("no challenge in {}", answer.body));
    let difficulty = answer.body["captcha"]["difficulty"].as_u64().unwrap() as u8;
    format!("{challenge}:{}", solve(challenge, difficulty))
}

/// Part `n` of a JWT (0: the header, 1: the claims), as JSON, unchecked.
pub fn part_of(token: &str, n: usize) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(n).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The claims of a JWT, unchecked.
pub fn claims_of(token: &str) -> Value {
    part_of(token, 1)
}

/// Captcha difficulty in tests: low, so tests solve it for real and quickly.
pub const CAPTCHA_BITS: u8 = 4;

/// Where a test's requests go in: the local gateway, over HTTP; or a step's Lambda
/// entrypoint (`handle_event`), as API Gateway's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entrypoint {
    Gateway,
    Lambda,
}

tokio::task_local! {
    /// The entrypoint of the apps a test spawns (`on_both_stores!(through_lambda_too; ...)`);
    /// the gateway when unset.
    pub static ENTRYPOINT: Entrypoint;
}

pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    pub entrypoint: Entrypoint,
    pub clock: ManualClock,
    pub deps: Arc<Deps>,
    pub sent: CapturingSender,
    client: reqwest::Client,
    dynamo: Option<Arc<DynamoStore>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An answer: the status and the JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    /// The `Retry-After` header, when there is one.
    pub retry_after: Option<String>,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    pub fn text(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("no `{field}` in {}", self.body))
            .to_string()
    }
}

/// One signing key for a test process (generating an RSA key takes a moment), signing
/// from the start of time.
pub fn test_signing_keys() -> Arc<KeyRing> {
    static RING: OnceLock<Arc<KeyRing>> = OnceLock::new();
    RING.get_or_init(|| Arc::new(KeyRing::first(Timestamp(0))))
        .clone()
}

pub fn test_secrets() -> Secrets {
    Secrets {
        pepper: Some(vec![1; 32]),
        signing_keys: Some(test_signing_keys()),
        verifying_keys: Some(Arc::new(test_signing_keys().public())),
        captcha_key: Some(vec![3; 32]),
        gateway_key: Some(vec![4; 32]),
        issuer_key: None,
        operator_key: Some(vec![5; 32]),
        message_key: Some(vec![6; 32]),
    }
}

/// The operator key of `test_secrets`, as the back office sends it (N6).
pub fn test_operator_key() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode([5u8; 32])
}

/// The proof the operator's network gateway sends for `line` at `time` (W9) with the
/// autologin request, made with the gateway key of `test_secrets`.
pub fn gateway_proof(line: &str, time: i64) -> String {
    gateway_proof_for("POST", "/sessions/autologin", line, time)
}

/// The gateway's proof for a request of `method` to `path`.
pub fn gateway_proof_for(method: &str, path: &str, line: &str, time: i64) -> String {
    let what = varco_domain::flows::autologin::Vouched {
        method,
        path,
        line,
        time,
    };
    varco_domain::flows::autologin::proof(&[4u8; 32], what)
}

/// A fresh DynamoDB Local table.
pub async fn dynamo_table() -> DynamoStore {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let client = varco_store_dynamodb::local_client(
        &varco_store_dynamodb::test_endpoint(),
        varco_store_dynamodb::Patience::UNHURRIED,
    );
    let table = format!(
        "acceptance-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    DynamoStore::create_table(&client, &table)
        .await
        .expect("creating a table on DynamoDB Local");
    DynamoStore::new(client, table)
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_profile(backend, "card-issuer").await
    }

    /// A gateway running the portal profile `profile`, with its demo data.
    pub async fn spawn_profile(backend: Backend, profile: &str) -> TestApp {
        TestApp::spawn_tuned(backend, profile, |_| {}).await
    }

    /// A gateway running `profile` with its demo data, its settings changed by `tune`
    /// first (`Arc::make_mut(&mut deps.profile)` to change the profile's).
    pub async fn spawn_tuned(
        backend: Backend,
        profile: &str,
        tune: impl FnOnce(&mut Deps),
    ) -> TestApp {
        capture_logs();
        let (store, dynamo): (Arc<dyn Store>, Option<Arc<DynamoStore>>) = match backend {
            Backend::Embedded => (Arc::new(RedbStore::temporary().unwrap()), None),
            Backend::DynamoDb => {
                let store = Arc::new(dynamo_table().await);
                (store.clone(), Some(store))
            }
        };
        let clock = ManualClock::at(Timestamp(1_795_000_000));
        let profile = varco_domain::base::profile::Profile::builtin(profile).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let mut deps = varco_functions::app::deps(
            store,
            Arc::new(clock.clone()),
            profile,
            &test_secrets(),
            &varco_functions::config::TokenSettings::local(&address),
            CAPTCHA_BITS,
        );
        deps.issuer = Arc::new(varco_functions::demo::DemoIssuer);
        tune(&mut deps);
        let deps = Arc::new(deps);
        varco_functions::demo::seed(&deps).await.unwrap();
        let server = tokio::spawn(varco_functions::gateway::serve(listener, deps.clone()));
        TestApp {
            address,
            backend,
            entrypoint: ENTRYPOINT.try_with(|e| *e).unwrap_or(Entrypoint::Gateway),
            clock,
            deps,
            sent: CapturingSender::default(),
            // A hang fails the test, not the whole run (generous: a loaded 2-core machine).
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(120))
                .build()
                .unwrap(),
            dynamo,
            server,
        }
    }

    /// The DynamoDB IAM actions used since the last call, with what they acted on
    /// (DynamoDB backend only).
    pub fn take_dynamodb_operations(&self) -> std::collections::BTreeSet<(String, String)> {
        self.dynamo
            .as_ref()
            .map(|d| d.take_operations())
            .unwrap_or_default()
    }

    /// DynamoDB round trips made so far: requests one after another, those sent together
    /// counted once (DynamoDB backend only).
    pub fn dynamodb_round_trips(&self) -> Option<u64> {
        self.dynamo.as_ref().map(|d| d.round_trips())
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        self.request_via(None, method, path, body, headers).await
    }

    /// A POST from the client address `source` (any of 127.0.0.0/8: the gateway counts its
    /// socket's peer, as API Gateway counts `sourceIp`).
    pub async fn post_from(&self, source: &str, path: &str, body: Value) -> Answer {
        self.request_via(Some(source), reqwest::Method::POST, path, Some(body), &[])
            .await
    }

    /// A login from the client address `source`, with `captcha` solved when given.
    pub async fn login_from(
        &self,
        source: &str,
        email: &str,
        password: &str,
        captcha: Option<&str>,
    ) -> Answer {
        let mut body = json!({ "email": email, "password": password });
        if let Some(captcha) = captcha {
            body["captcha"] = json!(captcha);
        }
        self.post_from(source, "/sessions", body).await
    }

    /// A login from `source` as a client makes it: when the answer is `captcha_required`,
    /// the challenge it carries solved and the login sent again (until it is not asked
    /// for, a few times at most).
    pub async fn login_solving(&self, source: &str, email: &str, password: &str) -> Answer {
        let mut answer = self.login_from(source, email, password, None).await;
        for _ in 0..3 {
            if answer.code() != "captcha_required" {
                break;
            }
            let solved = solve_captcha(&answer);
            answer = self
                .login_from(source, email, password, Some(&solved))
                .await;
        }
        answer
    }

    async fn request_via(
        &self,
        source: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        if self.entrypoint == Entrypoint::Lambda {
            return self
                .through_lambda(source, method, path, body, headers)
                .await;
        }
        let client = match source {
            Some(source) => &reqwest::Client::builder()
                .local_address(source.parse::<std::net::IpAddr>().expect("an address"))
                .timeout(std::time::Duration::from_secs(120))
                .build()
                .unwrap(),
            None => &self.client,
        };
        let mut request = client.request(method.clone(), format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the gateway answers");
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_string());
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        document::check(&method, path, status, &body);
        Answer {
            status,
            body,
            retry_after,
        }
    }

    /// The request as API Gateway hands it to the step's function: routed as API Gateway
    /// routes it, from `source` (the request context's `sourceIp`; 127.0.0.1 by default).
    async fn through_lambda(
        &self,
        source: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        use varco_functions::routes::{resolve, Resolved};
        let method = http::Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let route_path = path.split('?').next().unwrap_or(path);
        let Resolved::Found(step, params) = resolve(&method, route_path) else {
            panic!("{method} {path}: API Gateway answers it before any function");
        };
        let params: Vec<(&str, String)> = params.into_iter().collect();
        let body = body.unwrap_or(Value::Null);
        let event = api_gateway_request(
            step,
            path,
            &params,
            &body,
            headers,
            source.unwrap_or("127.0.0.1"),
        );
        let response = varco_functions::lambda::handle_event(&self.deps, step, event).await;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_string());
        let body = match response.body() {
            lambda_http::Body::Text(text) if !text.is_empty() => {
                serde_json::from_str(text).unwrap_or(Value::String(text.clone()))
            }
            _ => Value::Null,
        };
        document::check_step(step, status, &body);
        Answer {
            status,
            body,
            retry_after,
        }
    }
}

/// Runs the same scenario functions on both stores: `mod embedded` and `mod dynamodb`, in
/// the `card-issuer` profile or the one named first (`on_both_stores!(profile =
/// "telco-sme"; ...)`). Led by `through_lambda_too;`, again through the Lambda entrypoint:
/// `mod lambda`.
#[macro_export]
macro_rules! on_both_stores {
    (@through $entrypoint:ident; profile = $profile:literal; $($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::ENTRYPOINT.scope($crate::Entrypoint::$entrypoint, async {
                        super::$name($crate::TestApp::spawn_profile($crate::Backend::Embedded, $profile).await).await
                    }).await
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::ENTRYPOINT.scope($crate::Entrypoint::$entrypoint, async {
                        super::$name($crate::TestApp::spawn_profile($crate::Backend::DynamoDb, $profile).await).await
                    }).await
                }
            )*
        }
    };
    (through_lambda_too; profile = $profile:literal; $($name:ident),* $(,)?) => {
        $crate::on_both_stores!(@through Gateway; profile = $profile; $($name),*);
        mod lambda {
            use super::*;
            $crate::on_both_stores!(@through Lambda; profile = $profile; $($name),*);
        }
    };
    (through_lambda_too; $($name:ident),* $(,)?) => {
        $crate::on_both_stores!(through_lambda_too; profile = "card-issuer"; $($name),*);
    };
    (profile = $profile:literal; $($name:ident),* $(,)?) => {
        $crate::on_both_stores!(@through Gateway; profile = $profile; $($name),*);
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_stores!(profile = "card-issuer"; $($name),*);
    };
}

/// Runs scenario functions that take the store to use (`Backend`) and spawn their own
/// gateway (a tuned profile, say) on both stores: `mod embedded` and `mod dynamodb`; led by
/// `through_lambda_too;`, again through the Lambda entrypoint (`mod lambda`).
#[macro_export]
macro_rules! on_both_backends {
    (@through $entrypoint:ident; $($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::ENTRYPOINT
                        .scope($crate::Entrypoint::$entrypoint, super::$name($crate::Backend::Embedded))
                        .await
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::ENTRYPOINT
                        .scope($crate::Entrypoint::$entrypoint, super::$name($crate::Backend::DynamoDb))
                        .await
                }
            )*
        }
    };
    (through_lambda_too; $($name:ident),* $(,)?) => {
        $crate::on_both_backends!(@through Gateway; $($name),*);
        mod lambda {
            use super::*;
            $crate::on_both_backends!(@through Lambda; $($name),*);
        }
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends!(@through Gateway; $($name),*);
    };
}
