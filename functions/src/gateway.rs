//! The local gateway: every step of the route table in one process, on 127.0.0.1, routed as
//! API Gateway routes them. `cargo run` starts it; the black-box tests start it too.

use crate::http::{lang_of, log_request, problem, request_id, ApiRequest, MAX_BODY_BYTES};
use crate::routes::handle;
use crate::routes::{resolve, Resolved};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use varco_domain::base::messages::Lang;
use varco_domain::{Deps, Error};

/// Serves requests on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, deps: Arc<Deps>) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let deps = deps.clone();
        let deps_for_refusals = deps.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let deps = deps.clone();
                async move {
                    let response = route(&deps, request, peer.ip()).await;
                    Ok::<_, std::convert::Infallible>(response.map(Full::new))
                }
            });
            let io = HyperRefusals::new(stream, || {
                varco_domain::base::random::new_id(deps_for_refusals.random.as_ref())
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(io), service)
                .await;
        });
    }
}

async fn route(
    deps: &Deps,
    request: hyper::Request<Incoming>,
    source: IpAddr,
) -> http::Response<Bytes> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let request_id = request_id(&parts.headers, || {
        varco_domain::base::random::new_id(deps.random.as_ref())
    });
    let lang = lang_of(&parts.headers);
    let refuse = |error: Error| {
        let response = problem(&error, lang, &request_id);
        log_request(None, &request_id, response.status(), Some(&error), started);
        response
    };
    if parts.method == http::Method::GET && parts.uri.path() == "/openapi.json" {
        let mut response = http::Response::new(Bytes::from(crate::openapi::document().to_string()));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        crate::http::harden(response.headers_mut());
        return response;
    }
    if parts.method == http::Method::GET {
        if parts.uri.path() == "/config.json" {
            return crate::pages::config(&deps.profile);
        }
        if let Some(page) = crate::pages::page(parts.uri.path()) {
            return page;
        }
    }
    let (step, params) = match resolve(&parts.method, parts.uri.path()) {
        Resolved::Found(step, params) => (step, params),
        Resolved::MethodNotAllowed(allowed) => {
            // RFC 9110: a 405 names the methods the resource does support.
            let mut response = refuse(Error::MethodNotAllowed);
            let allow = allowed
                .iter()
                .map(http::Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            if let Ok(value) = http::HeaderValue::from_str(&allow) {
                response.headers_mut().insert(http::header::ALLOW, value);
            }
            return response;
        }
        Resolved::NotFound => return refuse(Error::RouteNotFound),
    };
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return refuse(Error::PayloadTooLarge),
    };
    handle(
        deps,
        step,
        ApiRequest {
            query: parts.uri.query().map(str::to_string),
            params,
            headers: parts.headers,
            body,
            request_id: request_id.clone(),
            source,
        },
    )
    .await
}

/// The connection as hyper sees it, but for the answers hyper writes by itself, before any
/// service runs (a request line that is not HTTP, a URI over 64 KiB, headers over its
/// buffer or count): those leave as `application/problem+json` like every other answer.
/// Hyper writes them as a bare head, `content-length: 0`, and closes the connection;
/// Varco's own answers of these statuses always carry a body, so none is taken for one.
struct HyperRefusals<S, F> {
    stream: S,
    request_id: F,
    /// A rewritten answer not yet written out.
    pending: Vec<u8>,
}

impl<S, F: Fn() -> String> HyperRefusals<S, F> {
    fn new(stream: S, request_id: F) -> Self {
        HyperRefusals {
            stream,
            request_id,
            pending: Vec::new(),
        }
    }

    /// The problem answer for hyper's own bare answer `head`, if it is one.
    fn rewrite(&self, head: &[u8]) -> Option<Vec<u8>> {
        let error = match head.get(..13)? {
            b"HTTP/1.1 400 " => Error::MalformedRequest,
            b"HTTP/1.1 414 " => Error::UriTooLong,
            b"HTTP/1.1 431 " => Error::HeadersTooLarge,
            _ => return None,
        };
        let text = std::str::from_utf8(head).ok()?;
        if !text.ends_with("\r\n\r\n") || !text.contains("\r\ncontent-length: 0\r\n") {
            return None;
        }
        let request_id = (self.request_id)();
        let started = Instant::now();
        let response = problem(&error, Lang::It, &request_id);
        log_request(None, &request_id, response.status(), Some(&error), started);
        let mut wire = format!(
            "HTTP/1.1 {} {}\r\nconnection: close\r\ncontent-length: {}\r\n",
            response.status().as_u16(),
            response.status().canonical_reason().unwrap_or(""),
            response.body().len()
        )
        .into_bytes();
        for (name, value) in response.headers() {
            wire.extend_from_slice(name.as_str().as_bytes());
            wire.extend_from_slice(b": ");
            wire.extend_from_slice(value.as_bytes());
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"\r\n");
        wire.extend_from_slice(response.body());
        Some(wire)
    }
}

impl<S: AsyncWrite + Unpin, F: Unpin> HyperRefusals<S, F> {
    /// Writes out what is pending; ready once nothing is.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        while !self.pending.is_empty() {
            let written = ready!(Pin::new(&mut self.stream).poll_write(cx, &self.pending))?;
            if written == 0 {
                return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..written);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin, F: Unpin> AsyncRead for HyperRefusals<S, F> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin, F: Fn() -> String + Unpin> AsyncWrite for HyperRefusals<S, F> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        ready!(self.drain(cx))?;
        if let Some(rewritten) = self.rewrite(buf) {
            self.pending = rewritten;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
