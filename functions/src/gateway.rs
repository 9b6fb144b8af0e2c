//! The local gateway: every step of the route table in one process, on 127.0.0.1, routed as
//! API Gateway routes them. `cargo run` starts it; the black-box tests start it too.

use crate::http::{handle, log_request, problem, request_id, ApiRequest, MAX_BODY_BYTES};
use crate::routes::{resolve, Resolved};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;
use varco_domain::messages::Lang;
use varco_domain::{Deps, Error};

/// Serves requests on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, deps: Arc<Deps>) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let deps = deps.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let deps = deps.clone();
                async move {
                    let response = route(&deps, request, peer.ip()).await;
                    Ok::<_, std::convert::Infallible>(response.map(Full::new))
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
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
        varco_domain::random::new_id(deps.random.as_ref())
    });
    let lang = Lang::from_accept_language(
        parts
            .headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
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
