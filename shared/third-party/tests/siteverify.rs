//! The adapter against a stand-in for Google's `siteverify` on loopback (Google cannot be
//! reached from here): it must send the secret and the token as a form, and believe only
//! a successful verdict.

mod common;

use varco_domain::base::captcha::{CaptchaVerifier, Challenge};
use varco_domain::base::clock::Timestamp;
use varco_domain::Error;
use varco_third_party::Recaptcha;

/// Answers like Google: success for the token `good`, and a score of 0.3 for `bot`, if the
/// form carries the secret `s3cret+/`.
fn google(_headers: &http::HeaderMap, body: &[u8]) -> (u16, &'static str) {
    let form = String::from_utf8_lossy(body);
    let secret_ok = form.split('&').any(|p| p == "secret=s3cret%2B%2F");
    let verdict = match form.split('&').find_map(|p| p.strip_prefix("response=")) {
        Some("good") if secret_ok => r#"{"success":true,"score":0.9,"hostname":"portal.example"}"#,
        Some("bot") if secret_ok => r#"{"success":true,"score":0.3}"#,
        _ => r#"{"success":false,"error-codes":["invalid-input-response"]}"#,
    };
    (200, verdict)
}

async fn siteverify() -> String {
    format!(
        "{}/recaptcha/api/siteverify",
        common::stand_in(google).await
    )
}

#[tokio::test]
async fn a_good_token_passes_and_anything_else_is_captcha_invalid() {
    let url = siteverify().await;
    let recaptcha =
        Recaptcha::new("site-key".into(), "s3cret+/".into(), url.clone(), Some(0.5)).unwrap();
    assert!(
        matches!(recaptcha.challenge(Timestamp(0)), Challenge::Recaptcha { site_key } if site_key == "site-key")
    );
    assert!(recaptcha.verify("good", Timestamp(0)).await.is_ok());
    assert!(
        matches!(
            recaptcha.verify("bot", Timestamp(0)).await,
            Err(Error::CaptchaInvalid)
        ),
        "a score under the minimum"
    );
    assert!(matches!(
        recaptcha.verify("forged", Timestamp(0)).await,
        Err(Error::CaptchaInvalid)
    ));
    assert!(matches!(
        recaptcha.verify("", Timestamp(0)).await,
        Err(Error::CaptchaInvalid)
    ));
    let wrong_secret = Recaptcha::new("site-key".into(), "other".into(), url, None).unwrap();
    assert!(matches!(
        wrong_secret.verify("good", Timestamp(0)).await,
        Err(Error::CaptchaInvalid)
    ));
}

#[tokio::test]
async fn an_unreachable_service_is_unavailable_not_a_pass() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/siteverify", closed.local_addr().unwrap());
    drop(closed);
    let recaptcha = Recaptcha::new("k".into(), "s".into(), url, None).unwrap();
    assert!(matches!(
        recaptcha.verify("good", Timestamp(0)).await,
        Err(Error::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_service_that_never_answers_is_unavailable_not_a_hang() {
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/siteverify", hung.local_addr().unwrap());
    let _held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((connection, _)) = hung.accept().await {
            open.push(connection);
        }
    });
    let recaptcha = Recaptcha::new("k".into(), "s".into(), url, None).unwrap();
    let verdict = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        recaptcha.verify("good", Timestamp(0)),
    )
    .await
    .expect("an answer, not a hang");
    assert!(matches!(verdict, Err(Error::Unavailable(_))));
}
