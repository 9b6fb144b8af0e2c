//! The SNS and SES senders against moto's server: what they send is read back from
//! `/moto-api/data.json`, as AWS would have received it.

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use serde_json::Value;
use varco_domain::limits::outbox::{Channel, Outgoing, Sender};
use varco_senders_aws::{SesEmail, SnsSms};

fn moto() -> String {
    std::env::var("VARCO_TEST_MOTO")
        .unwrap_or_else(|_| panic!("VARCO_TEST_MOTO is not set: run the tests with `./scripts/test`, which starts moto_server"))
}

async fn config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(moto())
        .region(aws_config::Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await
}

async fn received() -> Value {
    reqwest::get(format!("{}/moto-api/data.json", moto()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn outgoing(channel: Channel, to: &str, body: &str) -> Outgoing {
    Outgoing {
        id: "m1".into(),
        channel,
        to: to.into(),
        subject: "Varco: email di accesso".into(),
        body: body.into(),
    }
}

#[tokio::test]
async fn an_sms_reaches_sns_with_its_number_and_text() {
    let sender = SnsSms::new(
        aws_sdk_sns::Client::new(&config().await),
        Some("Varco".into()),
    );
    let body = format!(
        "Varco: la tua password provvisoria è {}",
        std::process::id()
    );
    sender
        .send(&outgoing(Channel::Sms, "+393401230001", &body))
        .await
        .unwrap();
    let data = received().await;
    let sent = data["sns"]["SMS"].to_string();
    assert!(
        sent.contains("+393401230001") && sent.contains(&body),
        "moto has no such SMS: {sent}"
    );
}

#[tokio::test]
async fn an_email_reaches_ses_from_the_verified_sender() {
    let client = aws_sdk_ses::Client::new(&config().await);
    client
        .verify_email_identity()
        .email_address("no-reply@varco.example")
        .send()
        .await
        .unwrap();
    let sender = SesEmail::new(client, "no-reply@varco.example");
    let body = format!(
        "l'indirizzo email con cui accedi è mario{}@example.com",
        std::process::id()
    );
    sender
        .send(&outgoing(Channel::Email, "mario@example.com", &body))
        .await
        .unwrap();
    let sent = received().await["ses"].to_string();
    assert!(
        sent.contains("mario@example.com")
            && sent.contains(&format!("mario{}@example.com", std::process::id())),
        "moto has no such email: {sent}"
    );
}

#[tokio::test]
async fn an_unverified_sender_is_an_error_that_names_no_address() {
    let sender = SesEmail::new(
        aws_sdk_ses::Client::new(&config().await),
        "unverified@varco.example",
    );
    let err = sender
        .send(&outgoing(Channel::Email, "someone@example.com", "x"))
        .await
        .unwrap_err();
    assert!(err.0.starts_with("SES: "), "{err}");
    assert!(!err.0.contains("someone@example.com"), "{err}");
}
