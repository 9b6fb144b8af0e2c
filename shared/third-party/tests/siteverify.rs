//! The adapter against a stand-in for Google's `siteverify` on loopback (Google cannot be
//! reached from here): it must send the secret and the token as a form, and believe only
//! a successful verdict.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use varco_domain::captcha::{CaptchaVerifier, Challenge};
use varco_domain::clock::Timestamp;
use varco_domain::Error;
use varco_third_party::Recaptcha;

/// Answers like Google: success for the token `good`, and a score of 0.3 for `bot`, if the
/// form carries the secret `s3cret+/`.
async fn siteverify() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/recaptcha/api/siteverify",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let service = service_fn(
                    |request: hyper::Request<hyper::body::Incoming>| async move {
                        let form = String::from_utf8(
                            request
                                .into_body()
                                .collect()
                                .await
                                .unwrap()
                                .to_bytes()
                                .to_vec(),
                        )
                        .unwrap();
                        let secret_ok = form.split('&').any(|p| p == "secret=s3cret%2B%2F");
                        let verdict = match form
                            .split('&')
                            .find_map(|p| p.strip_prefix("response="))
                        {
                            Some("good") if secret_ok => {
                                r#"{"success":true,"score":0.9,"hostname":"portal.example"}"#
                            }
                            Some("bot") if secret_ok => r#"{"success":true,"score":0.3}"#,
                            _ => r#"{"success":false,"error-codes":["invalid-input-response"]}"#,
                        };
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                            Bytes::from(verdict),
                        )))
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
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
