//! The reference portal pages (`web/`), served by the local gateway at `/` as any static
//! host would serve them: files as they are, no build step. The pages call the API as any
//! client does, on the same origin here (`config.json` says where the API is and which
//! profile's look to take; a host of its own writes that file itself).

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use std::path::Path;
use varco_domain::base::profile::{Capability, Offer, Profile};

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
pub fn config(profile: &Profile) -> Response<Bytes> {
    let body = config_json(profile, "").to_string();
    document(Bytes::from(body), "application/json")
}

/// What the pages read at start (`config.json`): where the API is (`api`, `""` for the
/// pages' own origin), the profile's name (its look: `profiles/<name>.css`), the portal's
/// name and logo, how people log in (`email` or `username`), the flows it offers (the
/// screens to show), its roles (names, and which ones each may give) and whether an
/// invitation also sends a temporary password. `cargo run -- pages-config` prints it for
/// pages hosted apart.
pub fn config_json(profile: &Profile, api: &str) -> serde_json::Value {
    let flows: Vec<&str> = FLOWS
        .iter()
        .filter(|(flow, _)| profile.offers(*flow))
        .map(|(_, name)| *name)
        .collect();
    let roles: Vec<_> = profile
        .roles
        .iter()
        .map(|role| {
            let grants: Vec<&str> = profile
                .roles
                .iter()
                .filter(|target| profile.may_grant(&role.id, &target.id))
                .map(|target| target.id.as_str())
                .collect();
            serde_json::json!({
                "id": role.id, "it": role.it, "en": role.en, "grants": grants,
                "reads_audit": role.can(Capability::ReadAudit),
            })
        })
        .collect();
    let invitations = profile
        .invitations
        .as_ref()
        .map(|settings| serde_json::json!({ "mobile": settings.temporary_password_by_sms }));
    // Where lines log in (a national prefix is set), the login name is a username or a line.
    let login = match profile.login.national_prefix {
        Some(_) => "username",
        None => "email",
    };
    serde_json::json!({
        "api": api, "profile": profile.name, "portal": profile.display_name,
        "logo": format!("profiles/{}.svg", profile.name), "login": login,
        "flows": flows, "roles": roles, "invitations": invitations,
    })
}

/// The offers' names in `config.json` (a new `Offer` belongs here too).
const FLOWS: [(Offer, &str); 9] = [
    (Offer::Recovery, "card_recovery"),
    (Offer::Registration, "card_registration"),
    (Offer::VatRegistration, "vat_registration"),
    (Offer::LineRegistration, "line_registration"),
    (Offer::PasswordReset, "password_reset"),
    (Offer::Autologin, "autologin"),
    (Offer::LegalRepRegistration, "legal_rep_registration"),
    (Offer::Invitations, "invitations"),
    (Offer::Units, "units"),
];

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
    fn the_config_names_the_flows_offered_and_the_roles_each_may_give() {
        let profile = Profile::builtin("card-issuer").unwrap();
        let config = config_json(&profile, "https://api.example");
        assert_eq!(config["api"], "https://api.example");
        assert_eq!(config["login"], "email");
        assert_eq!(
            config["flows"],
            serde_json::json!(["card_recovery", "card_registration", "invitations"])
        );
        let roles = config["roles"].as_array().unwrap();
        let administrator = roles.iter().find(|r| r["id"] == "administrator").unwrap();
        let grants = administrator["grants"].as_array().unwrap();
        assert!(grants.contains(&serde_json::json!("supervisor")));
        assert!(!grants.contains(&serde_json::json!("administrator")));
        assert_eq!(administrator["reads_audit"], true);
        let telco = config_json(&Profile::builtin("telco-sme").unwrap(), "");
        assert_eq!(telco["login"], "username");
        assert!(telco["flows"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("autologin")));
        for name in [
            "card-issuer",
            "telco-sme",
            "telco-legal-rep",
            "property-management",
        ] {
            let config = config_json(&Profile::builtin(name).unwrap(), "");
            let logo = config["logo"].as_str().unwrap();
            assert!(page(&format!("/{logo}")).is_some(), "{logo}");
            assert!(page(&format!("/profiles/{name}.css")).is_some());
        }
    }

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
