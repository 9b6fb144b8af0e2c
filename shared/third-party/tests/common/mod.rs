//! A stand-in for a third party on loopback: answers every request with `answer`, given the
//! request's headers and body.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// Serves `answer` on a free loopback port; the base URL (`http://127.0.0.1:<port>`).
pub async fn stand_in(answer: fn(&http::HeaderMap, &[u8]) -> (u16, &'static str)) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let service = service_fn(
                    move |request: hyper::Request<hyper::body::Incoming>| async move {
                        let headers = request.headers().clone();
                        let body = request.into_body().collect().await.unwrap().to_bytes();
                        let (status, text) = answer(&headers, &body);
                        let mut response = hyper::Response::new(Full::new(Bytes::from(text)));
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
