//! The reference portal pages (`web/`), served by the local gateway at `/` as any static
//! host would serve them: files as they are, no build step. The pages call the API as any
//! client does, on the same origin here (`config.json` says where the API is and which
//! profile's look to take; a host of its own writes that file itself).

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use std::path::Path;

/// Where the pages are: the repository's `web/`.
pub const WEB_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../web");

/// Scripts, styles, workers and requests only from the pages' own origin; no inline script or
/// style, no plug-in, no framing, no form sent elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; \
    manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The page file `path` names (`/` is `index.html`), when there is one: only plain names of
/// the kinds a page is made of, never outside `web/`.
pub fn page(path: &str) -> Option<Response<Bytes>> {
    let name = match path {
        "/" => "index.html",
        _ => path.strip_prefix('/')?,
    };
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if !plain || name.split('/').any(|s| s.is_empty() || s.starts_with('.')) {
        return None;
    }
    let content_type = match name.rsplit_once('.')?.1 {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => return None,
    };
    let bytes = std::fs::read(Path::new(WEB_DIR).join(name)).ok()?;
    Some(document(Bytes::from(bytes), content_type))
}

/// `config.json` for the local gateway: the API on the same origin, the profile it runs.
pub fn config(profile: &str, display_name: &str) -> Response<Bytes> {
    let body = serde_json::json!({ "api": "", "profile": profile, "portal": display_name });
    document(Bytes::from(body.to_string()), "application/json")
}

fn document(bytes: Bytes, content_type: &'static str) -> Response<Bytes> {
    let mut response = Response::new(bytes);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Always asked again (a changed page is seen at once), never kept by a shared cache.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    crate::http::harden(headers);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_page_files_are_served() {
        assert!(page("/").is_some());
        assert!(page("/app.js").is_some());
        for path in [
            "/../Cargo.toml",
            "/.hidden.js",
            "//etc/passwd.js",
            "/a%2e%2e/x.js",
            "/missing.js",
            "/index",
        ] {
            assert!(page(path).is_none(), "{path}");
        }
        let index = page("/").unwrap();
        assert_eq!(
            index.headers()[header::CONTENT_SECURITY_POLICY],
            CONTENT_SECURITY_POLICY
        );
    }
}
