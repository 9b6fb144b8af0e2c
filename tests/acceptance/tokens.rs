//! Standard access tokens (JWT, RS256): a standard library checks them through the served
//! discovery document and key set; Varco refuses a forged, tampered or retired-key token;
//! keys rotate without logging anyone out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use varco_domain::base::clock::Timestamp;
use varco_domain::base::clock::{Clock, SystemClock, MINUTE};
use varco_domain::base::tokens::{Amr, Authentication, Grant, KeyRing, Scope, Tokens};
use varco_domain::base::tokens::{PUBLISH_LEAD, ROTATE_EVERY};
use varco_functions::demo::{ACME_CARD, MARIO};

const SARA_EMAIL: &str = "sara.conti@acme.example";
const SARA_PASSWORD: &str = "Ciliegia-Rossa-31";
use varco_tests::{on_both_stores, part_of, Backend, TestApp};

/// `.tools/pyjwt/bin/python3`, which `./scripts/test` installs and names here.
fn pyjwt_python() -> String {
    std::env::var("VARCO_TEST_PYJWT").unwrap_or_else(|_| {
        panic!("VARCO_TEST_PYJWT is not set: run the tests with `./scripts/test`, which installs PyJWT")
    })
}

/// PyJWT's report on `token` (`tests/tokens/check_with_pyjwt.py`).
async fn pyjwt_report(app: &TestApp, token: &str) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tokens/check_with_pyjwt.py");
    let output = tokio::process::Command::new(pyjwt_python())
        .args([script, &app.address, token, "varco"])
        .output()
        .await
        .expect("running PyJWT");
    assert!(
        output.status.success(),
        "PyJWT refused the token: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A public document's answer: status, `Cache-Control`, body.
async fn public_document(app: &TestApp, path: &str) -> (u16, String, Value) {
    let answer = reqwest::get(format!("{}{path}", app.address))
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let cache = answer.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_string();
    (status, cache, answer.json().await.unwrap())
}

fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

fn header_of(token: &str) -> Value {
    part_of(token, 0)
}

/// A person's token, checked by PyJWT as another service of the portal would: through the
/// discovery document and the key set the gateway serves, signature, issuer, audience and
/// expiry; the claims name the account, its session, the profile and the memberships.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_a_standard_library_verifies_them_through_the_served_keys() {
    let app = TestApp::spawn(Backend::Embedded).await;
    // PyJWT checks "exp" (and "iat") against this machine's clock: the test's stays a minute
    // behind it, for the authenticator's steps below.
    let real_now = SystemClock.now().0;
    app.clock.advance(real_now - 60 - app.clock.now().0);
    // N4: an Administrator, whose token carries the company and the role.
    let token = app
        .register_administrator(&ACME_CARD, "+39 347 555 0101", SARA_EMAIL, SARA_PASSWORD)
        .await;
    let report = pyjwt_report(&app, &token).await;

    let me = app.me(&token).await;
    let claims = &report["claims"];
    assert_eq!(claims["sub"], me.body["id"]);
    assert_eq!(claims["iss"], app.address.as_str());
    assert_eq!(claims["aud"], json!(["varco"]));
    assert_eq!(claims["scope"], "account");
    assert_eq!(claims["profile"], "card-issuer");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        app.deps.profile.access_token_seconds()
    );
    assert!(claims["sid"].is_string() && claims["jti"].is_string());
    let memberships: BTreeMap<String, String> = me.body["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["company_id"].as_str().unwrap().into(),
                m["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(memberships[ACME_CARD.company_id], "administrator");
    assert_eq!(claims["memberships"], json!(memberships));
    assert_eq!(report["header"]["alg"], "RS256");
    assert_eq!(report["header"]["typ"], "at+jwt");
    assert_eq!(report["discovery"]["issuer"], app.address.as_str());
    for check in [
        "expired_refused",
        "other_audience_refused",
        "other_issuer_refused",
    ] {
        assert_eq!(report[check], true, "{check}");
    }

    // What an attacker makes with the same library, Varco refuses.
    for (kind, forged) in report["forged"].as_object().unwrap() {
        let answer = app.me(forged.as_str().unwrap()).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "unauthenticated"),
            "{kind}"
        );
    }

    // Both documents may be cached, for less than a key's publication lead.
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/jwks.json",
    ] {
        let (status, cache, _) = public_document(&app, path).await;
        assert_eq!(
            (status, cache.as_str()),
            (200, "public, max-age=900"),
            "{path}"
        );
    }

    // With an authenticator app, the token says how the person logged in, as PyJWT reads it.
    assert_eq!(claims["amr"], json!(["pwd"]));
    assert_eq!(claims["acr"], "aal1");
    let (secret, _) = crate::factors::set_up(&app, &token, SARA_PASSWORD).await;
    let flow = crate::factors::first_factor(&app, SARA_EMAIL, SARA_PASSWORD).await;
    let code = crate::factors::app_code(&app, &secret);
    let session = crate::factors::totp_step(&app, &flow, &code).await;
    assert_eq!(session.status, 201, "{}", session.body);
    let report = pyjwt_report(&app, &session.text("access_token")).await;
    let claims = &report["claims"];
    assert_eq!(claims["amr"], json!(["pwd", "otp", "mfa"]));
    assert_eq!(claims["acr"], "aal2");
    assert_eq!(claims["auth_time"], claims["iat"]);
    assert!(report["discovery"]["claims_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("amr")));
}

/// A token changed in any part, or signed by a key the gateway does not publish, opens
/// nothing.
async fn tokens_a_tampered_or_unknown_key_token_is_refused(app: TestApp) {
    let session = app.session(MARIO.email, MARIO.password).await;
    let token = session.text("access_token");
    assert_eq!(app.me(&token).await.status, 200);
    let [header, body, signature]: [&str; 3] =
        token.split('.').collect::<Vec<_>>().try_into().unwrap();
    let mut claims = part_of(&token, 1);
    claims["sub"] = json!("someone-else");
    let other_body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let mut flipped = signature.as_bytes().to_vec();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    let rs384 = URL_SAFE_NO_PAD.encode(
        json!({ "alg": "RS384", "typ": "at+jwt", "kid": header_of(&token)["kid"] }).to_string(),
    );
    // The same claims, signed by a key of another ring (what a retired or stolen-and-replaced
    // key would sign), under the same issuer.
    let now = app.clock.now();
    let stranger = Tokens::new(
        &app.address,
        vec!["varco".into()],
        Arc::new(KeyRing::first(now)),
        now,
    )
    .issue(
        grant_like(&claims),
        "card-issuer",
        "j".into(),
        now,
        15 * MINUTE,
    )
    .unwrap();
    for forged in [
        format!("{header}.{other_body}.{signature}"),
        format!("{header}.{body}.{}", String::from_utf8(flipped).unwrap()),
        format!("{rs384}.{body}.{signature}"),
        format!("{header}.{body}."),
        format!("{header}.{body}"),
        stranger,
    ] {
        let answer = app.me(&forged).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "unauthenticated"),
            "{forged}"
        );
    }
}

fn grant_like(claims: &Value) -> Grant {
    Grant {
        sub: claims["sub"].as_str().unwrap().into(),
        scope: Scope::Account,
        pwv: claims["pwv"].as_u64().unwrap() as u32,
        sid: claims["sid"].as_str().map(str::to_string),
        memberships: BTreeMap::new(),
        authentication: Authentication::by(&[Amr::Pwd], Timestamp(claims["iat"].as_i64().unwrap())),
    }
}

/// Rotation: the next key is in the key set hours before it signs; once it signs, tokens of
/// the previous key keep working until they expire, and the previous key stays published
/// until then; after, it is retired, and a token it signs opens nothing.
async fn tokens_keys_rotate_without_logging_anyone_out(app: TestApp) {
    let life = app.deps.profile.access_token_seconds();
    let rotate = || {
        let now = app.clock.now();
        if let Some(keys) = app.deps.tokens.ring().rotate(now, life) {
            app.deps
                .tokens
                .replace(Arc::new(KeyRing::from_stored(keys).unwrap()), now);
        }
    };
    let (_, _, before) = public_document(&app, "/.well-known/jwks.json").await;
    let old_kid = kids(&before)[0].clone();
    let old_ring = app.deps.tokens.ring();

    // The test ring's key has signed since the start of time: a rotation is due.
    assert!(app.clock.now().0 >= ROTATE_EVERY);
    rotate();
    let (_, _, during) = public_document(&app, "/.well-known/jwks.json").await;
    assert_eq!(kids(&during).len(), 2);
    assert_eq!(kids(&during)[0], old_kid);
    let new_kid = kids(&during)[1].clone();

    // Until the lead is over, the old key signs.
    app.clock.advance(PUBLISH_LEAD - 60);
    let old_session = app.session(MARIO.email, MARIO.password).await;
    let old_token = old_session.text("access_token");
    assert_eq!(header_of(&old_token)["kid"], old_kid.as_str());
    app.clock.advance(60);
    let new_session = app.session(MARIO.email, MARIO.password).await;
    assert_eq!(
        header_of(&new_session.text("access_token"))["kid"],
        new_kid.as_str()
    );

    // The old key's last token works to its end, and the old key stays published: a token
    // it signs for a live session still opens it.
    app.clock.advance(life - 60 - 1);
    rotate();
    assert_eq!(app.me(&old_token).await.status, 200);
    let refreshed = app.refresh(&old_session.text("refresh_token")).await;
    let live = refreshed.text("access_token");
    assert_eq!(header_of(&live)["kid"], new_kid.as_str());
    let (_, _, still) = public_document(&app, "/.well-known/jwks.json").await;
    assert_eq!(kids(&still), [old_kid.clone(), new_kid.clone()]);
    let by_old_key = || {
        let now = app.clock.now();
        let claims = part_of(&live, 1);
        Tokens::new(&app.address, vec!["varco".into()], old_ring.clone(), now)
            .issue(grant_like(&claims), "card-issuer", "j".into(), now, life)
            .unwrap()
    };
    assert_eq!(app.me(&by_old_key()).await.status, 200);

    // Past every old token's end (and some clock skew), the old key is retired: what it
    // signs opens nothing, and the new key's tokens go on.
    app.clock.advance(10 * MINUTE);
    rotate();
    let (_, _, after) = public_document(&app, "/.well-known/jwks.json").await;
    assert_eq!(kids(&after), [new_kid]);
    let answer = app.me(&by_old_key()).await;
    assert_eq!((answer.status, answer.code()), (401, "unauthenticated"));
    assert_eq!(app.me(&live).await.status, 200);
    let renewed = app.refresh(&refreshed.text("refresh_token")).await;
    assert_eq!(app.me(&renewed.text("access_token")).await.status, 200);
}

on_both_stores!(
    tokens_a_tampered_or_unknown_key_token_is_refused,
    tokens_keys_rotate_without_logging_anyone_out,
);
