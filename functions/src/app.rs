//! Wiring: the domain's `Deps` from configuration, on AWS or on this machine.

use crate::config::{AwsConfig, SecretsSource, TokenSettings};
use crate::events::{RingKey, RotationReport};
use crate::secrets::{Key, Secrets};
use base64::Engine as _;
use std::sync::Arc;
use varco_domain::base::captcha::{CaptchaVerifier, NotGiven, ProofOfWork};
use varco_domain::base::clock::Clock;
use varco_domain::base::crypto::{Pepper, Sealer, SecretHasher};
use varco_domain::base::profile::Profile;
use varco_domain::base::random::{OsRandom, Random};
use varco_domain::base::store::Store;
use varco_domain::base::tokens::{KeyRing, Tokens};
use varco_domain::Deps;
use varco_store_dynamodb::DynamoStore;
use varco_third_party::{HttpIssuer, Recaptcha, GOOGLE_VERIFY_URL};

/// How long a captcha challenge may be solved for.
pub const CAPTCHA_TTL_SECONDS: i64 = 5 * 60;

pub fn deps(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    profile: Profile,
    secrets: &Secrets,
    token_settings: &TokenSettings,
    captcha_difficulty: u8,
) -> Deps {
    let random: Arc<dyn Random> = Arc::new(OsRandom);
    let ring = secrets
        .signing_keys
        .clone()
        .or_else(|| secrets.verifying_keys.clone())
        .unwrap_or_else(|| Arc::new(KeyRing::empty()));
    let tokens = Tokens::new(
        &token_settings.issuer,
        token_settings.audiences.clone(),
        ring,
        clock.now(),
    );
    let captcha: Arc<dyn CaptchaVerifier> = match &secrets.captcha_key {
        Some(key) => Arc::new(ProofOfWork::new(
            key.clone(),
            captcha_difficulty,
            CAPTCHA_TTL_SECONDS,
            random.clone(),
        )),
        None => Arc::new(NotGiven),
    };
    let base64 = |key: &Option<Vec<u8>>| {
        key.as_ref()
            .map(|key| base64::engine::general_purpose::STANDARD.encode(key))
    };
    Deps {
        store,
        clock,
        random,
        hasher: Arc::new(SecretHasher::offloaded(hash_offload)),
        captcha,
        pepper: secrets
            .pepper
            .clone()
            .map_or_else(Pepper::absent, Pepper::new),
        tokens: Arc::new(tokens),
        profile: Arc::new(profile),
        sms_country_codes: None,
        gateway_key: base64(&secrets.gateway_key),
        issuer: Arc::new(varco_domain::base::issuer::NoIssuer),
        operator_key: base64(&secrets.operator_key),
        message_key: secrets
            .message_key
            .as_deref()
            .map_or_else(Sealer::absent, Sealer::new),
        client: Default::default(),
    }
}

/// Everything a step needs on AWS, built once per cold start: configuration from the
/// environment, one shared SDK config, the DynamoDB connection opened before the first
/// request.
pub struct AwsApp {
    pub deps: Deps,
    pub config: AwsConfig,
    pub sdk: aws_config::SdkConfig,
}

pub async fn aws_app() -> Result<AwsApp, lambda_http::Error> {
    aws_app_with(AwsConfig::from_env(&|name| std::env::var(name).ok())?).await
}

/// The app of a function whose configuration has been read: what may fail now is reaching
/// the services (Secrets Manager) or what they hold.
pub async fn aws_app_with(config: AwsConfig) -> Result<AwsApp, lambda_http::Error> {
    let patience = varco_store_dynamodb::Patience::AWS;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(patience.timeouts())
        .retry_config(patience.retries())
        .load()
        .await;
    let secrets = match &config.secrets {
        SecretsSource::Environment(secrets) => secrets.clone(),
        SecretsSource::SecretsManager(prefix) => Secrets::read(&sdk, prefix, config.keys).await?,
    };
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table);
    store.warm_up().await;
    let mut deps = deps(
        Arc::new(store),
        Arc::new(varco_domain::base::clock::SystemClock),
        config.profile.clone(),
        &secrets,
        &config.tokens,
        config.captcha_difficulty,
    );
    deps.sms_country_codes = config.sms_country_codes.clone();
    if let Some(recaptcha) = config
        .recaptcha
        .as_ref()
        .filter(|_| config.keys.has(Key::CaptchaKey))
    {
        let verifier = Recaptcha::new(
            recaptcha.site_key.clone(),
            recaptcha.secret.clone(),
            GOOGLE_VERIFY_URL.into(),
            recaptcha.min_score,
        )?;
        deps.captcha = Arc::new(verifier);
    }
    match (&config.key6_url, &secrets.issuer_key) {
        (Some(url), Some(key)) => {
            deps.issuer = Arc::new(HttpIssuer::new(url.clone(), key.clone())?);
        }
        (Some(_), None) if config.keys.has(Key::IssuerKey) => {
            return Err("VARCO_KEY6_URL is set, but there is no issuer key (`issuer-key`)".into());
        }
        _ => {}
    }
    Ok(AwsApp { deps, config, sdk })
}

impl AwsApp {
    /// The Secrets Manager secret of `key`, its name under the deployment's prefix; `None`
    /// when the keys are in the environment.
    fn secret_id(&self, key: Key) -> Option<String> {
        match &self.config.secrets {
            SecretsSource::SecretsManager(prefix) => Some(format!("{prefix}/{}", key.name())),
            SecretsSource::Environment(_) => None,
        }
    }

    /// Reads the token keys again when the ring in use is older than `KEY_RING_MAX_AGE`,
    /// so that a running function publishes and verifies a key added by a rotation long
    /// before it signs: the private keys where the function signs, the public ones where it
    /// only verifies. A failed read keeps the ring in use and is tried again after the same
    /// wait, not on every request (a Secrets Manager that is down would otherwise slow every
    /// answer by its timeout): the keys the ring holds stay good for hours. The request that
    /// finds the ring stale pays one `GetSecretValue`.
    pub async fn reload_signing_keys_when_stale(&self) {
        let key = [Key::SigningKeys, Key::VerifyingKeys]
            .into_iter()
            .find(|key| self.config.keys.has(*key));
        let (Some(key), Some(id)) = (key, key.and_then(|key| self.secret_id(key))) else {
            return;
        };
        let tokens = &self.deps.tokens;
        let now = self.deps.clock.now();
        if now.0 - tokens.ring_loaded_at().0 < varco_domain::base::tokens::KEY_RING_MAX_AGE {
            return;
        }
        let client = aws_sdk_secretsmanager::Client::new(&self.sdk);
        let ring = crate::secrets::read_secret(&client, &id)
            .await
            .and_then(|text| text.ok_or_else(|| format!("the secret {id} does not exist")))
            .and_then(|text| {
                let mut read = Secrets::default();
                read.decode(key, &format!("the secret {id}"), &text)?;
                Ok(read.signing_keys.or(read.verifying_keys).expect("decoded"))
            });
        match ring {
            Ok(ring) => tokens.replace(ring, now),
            Err(problem) => {
                tracing::warn!(%problem, "the signing keys could not be read again");
                tokens.replace(tokens.ring(), now);
            }
        }
    }
}

/// The rotation function (`rotate-signing-keys`), run daily: rotates the signing keys as due
/// (`KeyRing::rotate`) and keeps the public keys the same set. The public keys are written
/// first, so a key is never used to sign before the verifiers can read it; a public set that
/// differs from the private ring (a write that failed, a key retired by hand) is written
/// again on the next run. Answers what the ring holds now.
pub async fn rotate_signing_keys(app: &AwsApp) -> Result<RotationReport, String> {
    let (Some(signing), Some(verifying)) = (
        app.secret_id(Key::SigningKeys),
        app.secret_id(Key::VerifyingKeys),
    ) else {
        return Err("the keys are in the environment: rotate them there".into());
    };
    let now = app.deps.clock.now();
    let client = aws_sdk_secretsmanager::Client::new(&app.sdk);
    let text = crate::secrets::read_secret(&client, &signing)
        .await?
        .ok_or_else(|| format!("the secret {signing} does not exist"))?;
    let json =
        serde_json::from_str(&text).map_err(|_| format!("the secret {signing} is not JSON"))?;
    let ring = crate::secrets::decode_signing_keys(&format!("the secret {signing}"), &json)?;
    let token_life = app.deps.profile.access_token_seconds();
    let rotated = ring.rotate(now, token_life);
    let ring = match &rotated {
        Some(stored) => Arc::new(KeyRing::from_stored(stored.clone())?),
        None => ring,
    };
    let published = ring.jwks();
    let held = crate::secrets::read_secret(&client, &verifying).await?;
    let held: Option<serde_json::Value> = held.and_then(|text| serde_json::from_str(&text).ok());
    let public_changed = held.as_ref() != Some(&published);
    if public_changed {
        crate::secrets::write_secret(&client, &verifying, &published.to_string()).await?;
    }
    if let Some(stored) = &rotated {
        let text = serde_json::to_string(stored).expect("keys serialise");
        crate::secrets::write_secret(&client, &signing, &text).await?;
    }
    let kids = ring.kids();
    tracing::info!(
        changed = rotated.is_some(),
        public_changed,
        keys = kids.len(),
        "signing keys"
    );
    let keys = ring
        .stored()
        .iter()
        .zip(kids)
        .map(|(key, kid)| RingKey {
            kid,
            signs_from: key.signs_from,
        })
        .collect();
    Ok(RotationReport { keys })
}

/// How the functions run a hash (the domain's `Offload` port): on a thread of its own at a
/// lower priority (nice 10), while the async worker it came from hands its other requests to
/// another thread (`block_in_place`). A burst of logins fills the CPU with argon2; requests
/// that do not hash still get it first, so they wait little.
pub fn hash_offload(work: &mut (dyn FnMut() + Send)) {
    varco_store_redb::off_the_workers(|| {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    lower_this_threads_priority();
                    work()
                })
                .join()
                .expect("a hash does not panic")
        })
    })
}

/// Nice 10 for the calling thread: on Linux the nice value is a thread's own, and a thread
/// may always lower its priority. Where it cannot, the thread runs as it is.
fn lower_this_threads_priority() {
    // SAFETY: setpriority takes plain integers and changes only the calling thread (who 0).
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
}

#[cfg(test)]
mod tests {
    use super::hash_offload;

    /// Both workers hash back to back without yielding, as logins at once do; a task that
    /// comes after them still runs (before, it waited for a worker to finish its hashes).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_on_every_worker_do_not_hold_up_other_tasks() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        use varco_domain::base::crypto::SecretHasher;
        let h = Arc::new(SecretHasher::offloaded(hash_offload));
        let other_ran = Arc::new(AtomicBool::new(false));
        let (started, workers_busy) = std::sync::mpsc::channel();
        let busy: Vec<_> = (0..2)
            .map(|_| {
                let (h, other_ran, started) = (h.clone(), other_ran.clone(), started.clone());
                tokio::spawn(async move {
                    started.send(()).unwrap();
                    for _ in 0..40 {
                        h.hash("482913", &varco_domain::base::random::OsRandom);
                        if other_ran.load(Ordering::SeqCst) {
                            return true;
                        }
                    }
                    false
                })
            })
            .collect();
        for _ in 0..2 {
            workers_busy.recv().unwrap();
        }
        let other = tokio::spawn({
            let other_ran = other_ran.clone();
            async move { other_ran.store(true, Ordering::SeqCst) }
        });
        for task in busy {
            assert!(task.await.unwrap(), "a task waited for the hashes to end");
        }
        other.await.unwrap();
    }
}
