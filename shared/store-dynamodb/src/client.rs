//! DynamoDB clients: how long one waits for AWS (`Patience`), and a client for DynamoDB
//! Local.

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::Client;
use std::time::Duration;

/// How long Varco waits for an AWS service before it gives up, for every AWS client of a
/// function (DynamoDB, SNS, SES, Secrets Manager). A service that is down, unreachable or
/// hung answers `503 unavailable` within `operation` (plus the step's own work), well
/// inside the functions' 10 s timeout (the README's "When a dependency fails" has the
/// bound as measured).
#[derive(Clone, Copy, Debug)]
pub struct Patience {
    /// To open a connection (DNS, TCP, TLS).
    pub connect: Duration,
    /// For one attempt, sent to answered.
    pub attempt: Duration,
    /// For the whole call, retries and their backoff included.
    pub operation: Duration,
    /// Attempts of one call, the first included (the SDK's standard retry mode).
    pub attempts: u32,
}

impl Patience {
    /// On AWS, where DynamoDB answers in milliseconds: one retry after a failed attempt.
    pub const AWS: Patience = Patience {
        connect: Duration::from_millis(1000),
        attempt: Duration::from_millis(1500),
        operation: Duration::from_millis(3000),
        attempts: 2,
    };

    /// For the test suite on a loaded 2-core machine, where DynamoDB Local may stall for
    /// seconds under a hundred parallel tests: a guard against a hang, not a bound.
    pub const UNHURRIED: Patience = Patience {
        connect: Duration::from_secs(5),
        attempt: Duration::from_secs(20),
        operation: Duration::from_secs(45),
        attempts: 3,
    };

    pub fn timeouts(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }

    pub fn retries(&self) -> RetryConfig {
        RetryConfig::standard().with_max_attempts(self.attempts)
    }
}

/// A client for a DynamoDB-compatible endpoint on this machine (DynamoDB Local), with
/// placeholder credentials: for the local gateway and tests, never for AWS.
pub fn local_client(endpoint: &str, patience: Patience) -> Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("eu-south-1"))
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "varco-local",
        ))
        .timeout_config(patience.timeouts())
        .retry_config(patience.retries())
        .build();
    Client::from_conf(config)
}

/// The DynamoDB Local endpoint the test command started, from `VARCO_TEST_DYNAMODB`.
/// Tests that need it fail, never skip, when it is not set.
pub fn test_endpoint() -> String {
    std::env::var("VARCO_TEST_DYNAMODB").unwrap_or_else(|_| {
        panic!("VARCO_TEST_DYNAMODB is not set: run the tests with `./scripts/test`, which starts DynamoDB Local")
    })
}
