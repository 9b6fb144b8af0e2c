//! The keys as AWS holds them, one Secrets Manager secret each (on moto_server); the token
//! keys rotated by their function, served from the public keys alone, read again by a
//! running function when they are stale.

use super::*;

/// The keys of `secrets()` as Secrets Manager secrets on moto_server, as an operator creates
/// them.
pub async fn keys_in_secrets_manager() -> Keys {
    secrets_on_moto(&secrets()).await
}

pub fn secrets_manager_on_moto(endpoint: &str) -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_secretsmanager::config::Region::new("eu-south-1"))
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "local", "local", None, None, "test",
        ))
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

/// Each key `secrets` holds as the secret `<prefix>/<name>` on moto_server, under a prefix
/// of its own.
pub async fn secrets_on_moto(secrets: &Secrets) -> Keys {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let endpoint = moto_endpoint();
    let prefix = format!(
        "varco-smoke-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let client = secrets_manager_on_moto(&endpoint);
    for key in Key::ALL {
        if let Some(text) = secrets.encode(key) {
            client
                .create_secret()
                .name(format!("{prefix}/{}", key.name()))
                .secret_string(text)
                .send()
                .await
                .unwrap();
        }
    }
    Keys::SecretsManager { prefix, endpoint }
}

/// The text of the secret `<prefix>/<key's name>` on moto_server.
pub async fn secret_text(keys: &Keys, key: Key) -> String {
    let Keys::SecretsManager { prefix, endpoint } = keys else {
        unreachable!("the keys are in Secrets Manager")
    };
    secrets_manager_on_moto(endpoint)
        .get_secret_value()
        .secret_id(format!("{prefix}/{}", key.name()))
        .send()
        .await
        .unwrap()
        .secret_string()
        .unwrap()
        .to_string()
}

/// The rotation function, run by its daily schedule, on keys whose one signing key has
/// signed for more than 30 days: the public keys gain the next key first, then the private
/// ones, which sign with it three hours from now; no other secret is touched; run again, it
/// finds nothing due.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rotation_function_adds_the_next_signing_key_to_the_secret_ahead_of_its_use() {
    use varco_domain::base::tokens::{KeyRing, StoredKey, PUBLISH_LEAD, ROTATE_EVERY};
    let seeded = seeded("rotation", "card-issuer").await;
    let now = varco_domain::base::clock::Clock::now(&SystemClock).0;
    let s = secrets();
    let old = StoredKey::generate(now - ROTATE_EVERY - 60);
    let ring = Arc::new(KeyRing::from_stored(vec![old.clone()]).unwrap());
    let keys = secrets_on_moto(&Secrets {
        verifying_keys: Some(Arc::new(ring.public())),
        signing_keys: Some(ring),
        ..s.clone()
    })
    .await;
    let scheduled =
        json!({ "version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler" });
    let rotate = || {
        invoke_raw(
            "rotate-signing-keys",
            &seeded.emulator,
            &seeded.table,
            &keys,
            scheduled.clone(),
        )
    };
    let report = rotate().await;
    let signs_from: Vec<i64> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["signs_from"].as_i64().unwrap())
        .collect();
    assert_eq!(signs_from.len(), 2, "{report}");
    assert_eq!(signs_from[0], old.signs_from);
    assert!(
        (now + PUBLISH_LEAD..now + PUBLISH_LEAD + 120).contains(&signs_from[1]),
        "{report}"
    );
    let stored: Value = serde_json::from_str(&secret_text(&keys, Key::SigningKeys).await).unwrap();
    assert_eq!(stored.as_array().unwrap().len(), 2);
    assert_eq!(stored[0]["private_key"], old.private_key);
    let published: Value =
        serde_json::from_str(&secret_text(&keys, Key::VerifyingKeys).await).unwrap();
    let ring = KeyRing::from_stored(serde_json::from_value(stored).unwrap()).unwrap();
    assert_eq!(
        published,
        ring.jwks(),
        "the public keys are the private ones' halves"
    );
    assert!(!published.to_string().contains("private_key"));
    assert_eq!(
        secret_text(&keys, Key::Pepper).await,
        s.encode(Key::Pepper).unwrap()
    );
    assert_eq!(rotate().await, report, "nothing is due the second time");
}

/// Each function reads only its own keys: the key set's function starts and publishes with
/// nothing in Secrets Manager but the public keys, while the login's, which signs, does not
/// start on them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_set_is_served_from_the_public_keys_alone() {
    let seeded = seeded("public-only", "card-issuer").await;
    let s = secrets();
    let keys = secrets_on_moto(&Secrets {
        verifying_keys: s.verifying_keys.clone(),
        ..Secrets::default()
    })
    .await;
    let event = api_event(
        "GET",
        "/.well-known/jwks.json",
        "/.well-known/jwks.json",
        None,
        Value::Null,
    );
    let (status, published) =
        invoke("get-jwks", &seeded.emulator, &seeded.table, &keys, event).await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published, s.signing_keys.as_ref().unwrap().jwks());
    let answer = mario_logs_in(&seeded, &keys).await;
    let refused: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        (answer["statusCode"].as_u64(), refused["code"].as_str()),
        (Some(503), Some("unavailable")),
        "{refused}"
    );
}

/// A running function reads its token keys again once they are 15 minutes old, so that it
/// publishes (and verifies with) a key a rotation added long before that key signs; a secret
/// it cannot read then leaves the keys it has in use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_function_reads_the_signing_keys_again_when_they_are_stale() {
    use varco_domain::base::clock::{Clock, ManualClock, Timestamp};
    use varco_domain::base::tokens::KEY_RING_MAX_AGE;
    let s = secrets();
    let Keys::SecretsManager { prefix, endpoint } = secrets_on_moto(&s).await else {
        unreachable!()
    };
    // The key set's function, which holds the public keys only.
    let env = std::collections::HashMap::from([
        ("VARCO_FUNCTION", "get-jwks".to_string()),
        ("VARCO_TABLE", "varco".to_string()),
        ("VARCO_PROFILE", "card-issuer".to_string()),
        ("VARCO_SECRETS_PREFIX", prefix.clone()),
        ("VARCO_ISSUER", ISSUER.to_string()),
        ("VARCO_TOKEN_AUDIENCES", "varco".to_string()),
    ]);
    let config = varco_functions::config::AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("eu-south-1"))
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "local", "local", None, None, "test",
        ))
        .load()
        .await;
    let clock = ManualClock::at(Timestamp(1_800_000_000));
    let app = varco_functions::app::AwsApp {
        deps: varco_functions::app::deps(
            Arc::new(varco_store_redb::RedbStore::temporary().unwrap()),
            Arc::new(clock.clone()),
            config.profile.clone(),
            &Secrets {
                verifying_keys: s.verifying_keys.clone(),
                ..Secrets::default()
            },
            &token_settings(),
            0,
        ),
        config,
        sdk,
    };
    let put = |value: String| {
        let client = secrets_manager_on_moto(&endpoint);
        let id = format!("{prefix}/verifying-keys");
        async move {
            client
                .put_secret_value()
                .secret_id(id)
                .secret_string(value)
                .send()
                .await
                .unwrap();
        }
    };
    let published = || app.deps.tokens.jwks()["keys"].as_array().unwrap().len();

    // A rotation adds the next key to the public keys.
    let signing = s.signing_keys.as_ref().unwrap();
    let rotated = signing.rotate(clock.now(), 900).expect("due");
    let rotated = varco_domain::base::tokens::KeyRing::from_stored(rotated).unwrap();
    put(rotated.jwks().to_string()).await;
    app.reload_signing_keys_when_stale().await;
    assert_eq!(published(), 1, "the keys read at start are fresh");
    clock.advance(KEY_RING_MAX_AGE);
    app.reload_signing_keys_when_stale().await;
    assert_eq!(published(), 2, "read again: the next key is published");

    // A secret that cannot be read then keeps the keys in use, and is tried again only after
    // the same wait (not on every request).
    put("not JSON".to_string()).await;
    clock.advance(KEY_RING_MAX_AGE);
    app.reload_signing_keys_when_stale().await;
    assert_eq!(published(), 2);
    assert_eq!(app.deps.tokens.ring_loaded_at(), clock.now());
}
