//! The HTTP glue, in one place: a request as every entry point hands it over, the one
//! request parser, and the one renderer of answers and of errors as
//! `application/problem+json` (RFC 9457) with a stable `code`.

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::net::IpAddr;
use std::time::Instant;
use varco_domain::base::messages::Lang;
use varco_domain::Error;

/// Largest request body accepted: every field at its documented longest, written with JSON
/// escapes (12 bytes a character at worst), fits.
pub const MAX_BODY_BYTES: usize = 128 * 1024;

/// Path parameters captured by a route, by name.
pub type Params = Vec<(&'static str, String)>;

/// A request as the local gateway and the Lambda adapter both hand it to a step.
pub struct ApiRequest {
    pub params: Params,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub request_id: String,
    /// The query string, without its `?`.
    pub query: Option<String>,
    /// The client's address as the entry point saw it: API Gateway's request context
    /// (`requestContext.http.sourceIp`), the local gateway's socket peer; never a header a
    /// client can set. Unspecified (`0.0.0.0`, all such counted together) when unknown.
    pub source: IpAddr,
}

impl ApiRequest {
    /// The JSON body as `T`; an empty body reads as `{}`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| Error::MalformedBody(e.to_string()))
    }

    /// A query parameter's value (the first, as sent: the steps' parameters are URL-safe).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .as_deref()?
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    pub fn param(&self, name: &str) -> Result<&str, Error> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .ok_or(Error::RouteNotFound)
    }

    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn lang(&self) -> Lang {
        lang_of(&self.headers)
    }

    /// The bearer token of the `Authorization` header, if any.
    pub fn bearer(&self) -> Option<&str> {
        self.header(header::AUTHORIZATION)?
            .strip_prefix("Bearer ")
            .map(str::trim)
    }
}

/// The request id a client sent (`X-Request-Id`, if sane), or a new one.
pub fn request_id(headers: &HeaderMap, fallback: impl FnOnce() -> String) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_string)
        .unwrap_or_else(fallback)
}

/// A successful answer: a status and an optional JSON body.
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    /// How long anyone may keep the answer (`Cache-Control: public, max-age`); none: no
    /// one (`no-store`), as for everything that concerns a person.
    pub max_age: Option<u32>,
}

impl Reply {
    pub fn json(status: StatusCode, body: &impl Serialize) -> Reply {
        Reply {
            status,
            body: Some(serde_json::to_value(body).expect("answers serialise")),
            max_age: None,
        }
    }

    /// A public document that anyone may keep for `seconds`.
    pub fn public(body: Value, seconds: u32) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: Some(body),
            max_age: Some(seconds),
        }
    }

    pub fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            max_age: None,
        }
    }

    /// The answer as it goes out.
    pub(crate) fn render(&self, request_id: &str) -> Response<Bytes> {
        let cache = match self.max_age {
            Some(seconds) => HeaderValue::from_str(&format!("public, max-age={seconds}"))
                .expect("a number is a header value"),
            None => HeaderValue::from_static(NO_STORE),
        };
        respond(
            self.status,
            "application/json",
            self.body.clone(),
            cache,
            request_id,
        )
    }
}

const NO_STORE: &str = "no-store";

pub(crate) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: Option<Value>,
    cache_control: HeaderValue,
    request_id: &str,
) -> Response<Bytes> {
    let bytes = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
    let mut response = Response::new(bytes);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if status != StatusCode::NO_CONTENT {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    headers.insert(header::CACHE_CONTROL, cache_control);
    harden(headers);
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", id);
    }
    response
}

/// The headers every answer carries: HTTPS only for a year, subdomains too (HSTS, which
/// browsers ignore over plain HTTP, as locally), and no content sniffing.
pub fn harden(headers: &mut HeaderMap) {
    headers.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// An error as `application/problem+json`, in the client's language.
/// The language a request asks for (`Accept-Language`; Italian by default).
pub fn lang_of(headers: &http::HeaderMap) -> Lang {
    Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

pub fn problem(error: &Error, lang: Lang, request_id: &str) -> Response<Bytes> {
    let d = error.describe();
    let status = StatusCode::from_u16(d.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut body = json!({
        "type": format!("urn:varco:problem:{}", d.code),
        "title": match lang { Lang::It => d.it, Lang::En => d.en },
        "status": d.status,
        "code": d.code,
        "request_id": request_id,
    });
    match error {
        Error::InvalidField { field, reason } => {
            body["field"] = json!(field);
            body["reason"] = json!(reason.code());
        }
        Error::WeakPassword(reason) => body["reason"] = json!(reason.code()),
        Error::MalformedBody(detail) => body["detail"] = json!(detail),
        Error::CaptchaRequired {
            challenge: Some(challenge),
        } => body["captcha"] = json!(challenge),
        // What to send: a login no older than this (seconds), then the step again.
        Error::ReauthenticationRequired { max_age } => body["max_age"] = json!(max_age),
        _ => {}
    }
    if let Some(retry_after) = error.retry_after() {
        body["retry_after"] = json!(retry_after);
    }
    let mut response = respond(
        status,
        "application/problem+json",
        Some(body),
        HeaderValue::from_static(NO_STORE),
        request_id,
    );
    if let Some(retry_after) = error.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    response
}

/// One log line per request, with the request id, the step's name (`-` for none), status,
/// code and latency, and nothing the person typed.
pub fn log_request(
    step: Option<&str>,
    request_id: &str,
    status: StatusCode,
    error: Option<&Error>,
    started: Instant,
) {
    let latency_ms = started.elapsed().as_millis() as u64;
    let step = step.unwrap_or("-");
    let code = error.map(|e| e.describe().code).unwrap_or("ok");
    if status.is_server_error() {
        let cause = error.map(error_chain).unwrap_or_default();
        tracing::error!(
            request_id,
            step,
            status = status.as_u16(),
            code,
            latency_ms,
            cause,
            "request"
        );
    } else {
        tracing::info!(
            request_id,
            step,
            status = status.as_u16(),
            code,
            latency_ms,
            "request"
        );
    }
}

/// An error and its sources, for the log (internal causes carry no client input).
fn error_chain(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
