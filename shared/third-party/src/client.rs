//! One HTTPS client for the third parties: a POST with a timeout, and its answer.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// For a whole call, connection, request and answer's body: a third party that hangs
/// answers `503 unavailable` well inside a function's 10 s timeout, as AWS services do
/// (`Patience::AWS`). No retry: the person's client retries after `Retry-After`.
const TIMEOUT: Duration = Duration::from_secs(3);
/// To open a connection, TLS included.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

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
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
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
        let call = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| format!("{} unreachable: {e}", self.name))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("{} broke off its answer: {e}", self.name))?
                .to_bytes();
            Ok((status, body))
        };
        tokio::time::timeout(TIMEOUT, call)
            .await
            .map_err(|_| format!("{} did not answer in time", self.name))?
    }
}
