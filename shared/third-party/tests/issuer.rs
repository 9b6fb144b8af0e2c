//! The Key6 adapter against a stand-in for the issuer's service on loopback: it must send
//! the card number with the issuer key, and tell a Key6, no Key6 and a failing issuer apart.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use varco_domain::issuer::CardIssuer;
use varco_domain::types::CardNumber;
use varco_domain::Error;
use varco_third_party::HttpIssuer;

/// Knows the Key6 of card 4111111111111111 (`482913`) and none for 5555555555554444, for
/// the key `issuer-key`; any other card makes it fail.
async fn issuer() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/key6", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let service = service_fn(
                    |request: hyper::Request<hyper::body::Incoming>| async move {
                        let authorised = request
                            .headers()
                            .get(http::header::AUTHORIZATION)
                            .is_some_and(|v| v == "Bearer issuer-key");
                        let body = request.into_body().collect().await.unwrap().to_bytes();
                        let asked: serde_json::Value = serde_json::from_slice(&body).unwrap();
                        let (status, answer) = match asked["card_number"].as_str() {
                            _ if !authorised => (401, "{}"),
                            Some("4111111111111111") => (200, r#"{"key6":"482913"}"#),
                            Some("5555555555554444") => (404, "{}"),
                            _ => (500, "{}"),
                        };
                        let mut response = hyper::Response::new(Full::new(Bytes::from(answer)));
                        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                        Ok::<_, std::convert::Infallible>(response)
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

fn card(number: &str) -> CardNumber {
    CardNumber::parse(number).unwrap()
}

#[tokio::test]
async fn the_issuer_tells_a_key6_no_key6_and_a_failure_apart() {
    let url = issuer().await;
    let issuer = HttpIssuer::new(url.clone(), "issuer-key".into()).unwrap();
    let key6 = issuer.key6(&card("4111111111111111")).await.unwrap();
    assert_eq!(key6.map(|k| k.expose().to_string()), Some("482913".into()));
    assert!(issuer
        .key6(&card("5555555555554444"))
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        issuer.key6(&card("4012888888881881")).await,
        Err(Error::Unavailable(_))
    ));
    let wrong_key = HttpIssuer::new(url, "not-the-key".into()).unwrap();
    assert!(matches!(
        wrong_key.key6(&card("4111111111111111")).await,
        Err(Error::Unavailable(_))
    ));
    let nobody = HttpIssuer::new("http://127.0.0.1:9/key6".into(), "issuer-key".into()).unwrap();
    assert!(matches!(
        nobody.key6(&card("4111111111111111")).await,
        Err(Error::Unavailable(_))
    ));
}
