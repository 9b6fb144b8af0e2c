//! What an access token costs: issuing (RS256 signing) and verifying, per token, on this
//! machine. `cargo run --release -p varco-domain --example sign_tokens`
//!
//! The figure behind keeping the signing key in the function (read from Secrets Manager at
//! cold start) rather than in KMS, where every token would be a `kms:Sign` call
//! (docs/deployment.md, "Signing keys").

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use varco_domain::base::clock::Timestamp;
use varco_domain::base::tokens::{Amr, Authentication, Grant, KeyRing, Scope, Tokens};

fn main() {
    let now = Timestamp(1_800_000_000);
    let started = Instant::now();
    let ring = KeyRing::first(now);
    println!("RSA-2048 key generated in {:?}", started.elapsed());
    // What a cold start pays: the key read from the secret's PKCS#8.
    let stored = ring.stored();
    let started = Instant::now();
    let ring = Arc::new(KeyRing::from_stored(stored).unwrap());
    println!("key loaded (PKCS#8) in {:?}", started.elapsed());
    let tokens = Tokens::new("https://id.example.com", vec!["varco".into()], ring, now);
    let grant = || Grant {
        sub: "acc_0123456789abcdef".into(),
        scope: Scope::Account,
        pwv: 1,
        sid: Some("ses_0123456789abcdef".into()),
        memberships: BTreeMap::from([("acme".into(), "administrator".into())]),
        authentication: Authentication::by(&[Amr::Pwd], now),
    };
    const N: u32 = 2000;
    let started = Instant::now();
    let issued: Vec<String> = (0..N)
        .map(|i| {
            tokens
                .issue(grant(), "card-issuer", format!("j{i}"), now, 900)
                .unwrap()
        })
        .collect();
    let issue = started.elapsed() / N;
    let started = Instant::now();
    for token in &issued {
        tokens.verify(token, now).unwrap();
    }
    let verify = started.elapsed() / N;
    println!(
        "per token: issue {issue:?}, verify {verify:?}; {} bytes",
        issued[0].len()
    );
}
