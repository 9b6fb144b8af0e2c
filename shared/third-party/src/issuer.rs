//! The card issuer's Key6 service behind the issuer port (R8). Varco POSTs the card number as
//! JSON, with the deployment's issuer key as a bearer token; the issuer answers 200
//! `{"key6":"123456"}`, or 404 when it has no Key6 for the card. The answer is shown to the
//! cardholder and dropped: never stored, never logged.

use crate::client::HttpsClient;
use async_trait::async_trait;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::issuer::CardIssuer;
use varco_domain::base::types::{CardNumber, Key6};
use varco_domain::Error;

pub struct HttpIssuer {
    client: HttpsClient,
    url: String,
    key: String,
}

#[derive(Deserialize)]
struct Answer {
    key6: String,
}

impl HttpIssuer {
    /// The issuer's service at `url`, which must be `https://` (loopback aside).
    pub fn new(url: String, key: String) -> Result<HttpIssuer, std::io::Error> {
        crate::client::https_only("the card issuer", &url)?;
        Ok(HttpIssuer {
            client: HttpsClient::new("the card issuer")?,
            url,
            key,
        })
    }
}

fn unavailable(why: String) -> Error {
    Error::Unavailable(why.into())
}

#[async_trait]
impl CardIssuer for HttpIssuer {
    async fn key6(&self, card: &CardNumber) -> Result<Option<Key6>, Error> {
        let body = serde_json::json!({ "card_number": card.digits() }).to_string();
        let bearer = format!("Bearer {}", self.key);
        let headers = [
            (CONTENT_TYPE, "application/json"),
            (AUTHORIZATION, bearer.as_str()),
        ];
        let (status, body) = self
            .client
            .post(&self.url, &headers, body)
            .await
            .map_err(unavailable)?;
        match status {
            StatusCode::NOT_FOUND => Ok(None),
            status if status.is_success() => {
                let answer: Answer = serde_json::from_slice(&body)
                    .map_err(|_| unavailable("the card issuer answered something else".into()))?;
                Key6::parse(&answer.key6)
                    .map(Some)
                    .map_err(|_| unavailable("the card issuer answered a malformed Key6".into()))
            }
            status => Err(unavailable(format!("the card issuer answered {status}"))),
        }
    }
}
