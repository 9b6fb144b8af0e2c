//! One HTTPS client for the third parties: a POST with a timeout, and its answer.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) struct HttpsClient {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// The third party, as errors name it.
    name: &'static str,
}

/// Refuses a URL that would send secrets in clear: HTTPS only, but for a loopback address
/// (a test's or a local sidecar's).
pub(crate) fn https_only(name: &str, url: &str) -> Result<(), std::io::Error> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| {
            url.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    if url.starts_with("https://") || loopback {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("the URL of {name} must be https://"),
        ))
    }
}

impl HttpsClient {
    pub(crate) fn new(name: &'static str) -> Result<HttpsClient, std::io::Error> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(HttpsClient {
            client: Client::builder(TokioExecutor::new()).build(https),
            name,
        })
    }

    /// POSTs `body` to `url` with `headers`; the status and body of the answer, or why
    /// there is none (never quoting the request).
    pub(crate) async fn post(
        &self,
        url: &str,
        headers: &[(http::header::HeaderName, &str)],
        body: String,
    ) -> Result<(http::StatusCode, Bytes), String> {
        let mut request = http::Request::post(url);
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = tokio::time::timeout(TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| format!("{} did not answer in time", self.name))?
            .map_err(|e| format!("{} unreachable: {e}", self.name))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    }
}
