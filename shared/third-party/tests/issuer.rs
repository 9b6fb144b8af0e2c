//! The Key6 adapter against a stand-in for the issuer's service on loopback: it must send
//! the card number with the issuer key, and tell a Key6, no Key6 and a failing issuer apart.

mod common;

use varco_domain::base::issuer::CardIssuer;
use varco_domain::base::types::CardNumber;
use varco_domain::Error;
use varco_third_party::HttpIssuer;

/// Knows the Key6 of card 4111111111111111 (`482913`) and none for 5555555555554444, for
/// the key `issuer-key`; any other card makes it fail.
fn key6_service(headers: &http::HeaderMap, body: &[u8]) -> (u16, &'static str) {
    let authorised = headers
        .get(http::header::AUTHORIZATION)
        .is_some_and(|v| v == "Bearer issuer-key");
    let asked: serde_json::Value = serde_json::from_slice(body).unwrap();
    match asked["card_number"].as_str() {
        _ if !authorised => (401, "{}"),
        Some("4111111111111111") => (200, r#"{"key6":"482913"}"#),
        Some("5555555555554444") => (404, "{}"),
        _ => (500, "{}"),
    }
}

async fn issuer() -> String {
    format!("{}/key6", common::stand_in(key6_service).await)
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

/// Card numbers and the issuer key never travel in clear: a plain `http://` URL is refused
/// when the service is configured, but for a loopback address.
#[test]
fn a_plain_http_issuer_url_is_refused() {
    for url in [
        "http://issuer.example.com/key6",
        "http://127.0.0.1.example.com/key6",
        "ftp://issuer.example.com",
    ] {
        let refused = HttpIssuer::new(url.into(), "issuer-key".into());
        assert!(refused.is_err(), "{url}");
    }
    for url in [
        "https://issuer.example.com/key6",
        "http://127.0.0.1:8443/key6",
    ] {
        assert!(
            HttpIssuer::new(url.into(), "issuer-key".into()).is_ok(),
            "{url}"
        );
    }
}
