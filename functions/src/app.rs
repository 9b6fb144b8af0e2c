//! Wiring: the domain's `Deps` from configuration, on AWS or on this machine.

use crate::config::{AwsConfig, Secrets, SecretsSource, TokenSettings};
use base64::Engine as _;
use std::sync::Arc;
use varco_domain::captcha::ProofOfWork;
use varco_domain::clock::Clock;
use varco_domain::crypto::{Pepper, SecretHasher};
use varco_domain::profile::Profile;
use varco_domain::random::{OsRandom, Random};
use varco_domain::store::Store;
use varco_domain::tokens::Tokens;
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
    let tokens = Tokens::new(
        &token_settings.issuer,
        token_settings.audiences.clone(),
        secrets.signing_keys.clone(),
        clock.now(),
    );
    Deps {
        store,
        clock,
        random: random.clone(),
        hasher: Arc::new(SecretHasher::offloaded(hash_offload)),
        captcha: Arc::new(ProofOfWork::new(
            secrets.captcha_key.clone(),
            captcha_difficulty,
            CAPTCHA_TTL_SECONDS,
            random,
        )),
        pepper: Pepper::new(secrets.pepper.clone()),
        tokens: Arc::new(tokens),
        profile: Arc::new(profile),
        sms_country_codes: None,
        gateway_key: secrets
            .gateway_key
            .as_ref()
            .map(|key| base64::engine::general_purpose::STANDARD.encode(key)),
        issuer: Arc::new(varco_domain::issuer::NoIssuer),
        operator_key: secrets
            .operator_key
            .as_ref()
            .map(|key| base64::engine::general_purpose::STANDARD.encode(key)),
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
        SecretsSource::SecretsManager(arn) => {
            Secrets::from_json("the Secrets Manager secret", &read_secret(&sdk, arn).await?)?
        }
    };
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table);
    store.warm_up().await;
    let mut deps = deps(
        Arc::new(store),
        Arc::new(varco_domain::clock::SystemClock),
        config.profile.clone(),
        &secrets,
        &config.tokens,
        config.captcha_difficulty,
    );
    deps.sms_country_codes = config.sms_country_codes.clone();
    if let Some(recaptcha) = &config.recaptcha {
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
        (Some(_), None) => {
            return Err("VARCO_KEY6_URL is set, but the keys have no `issuer_key`".into());
        }
        (None, _) => {}
    }
    Ok(AwsApp { deps, config, sdk })
}

/// The text of the Secrets Manager secret `arn` (its current version).
pub async fn read_secret(sdk: &aws_config::SdkConfig, arn: &str) -> Result<String, String> {
    let answer = aws_sdk_secretsmanager::Client::new(sdk)
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| {
            format!(
                "reading the keys from Secrets Manager ({arn}): {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
            )
        })?;
    Ok(answer.secret_string().unwrap_or_default().to_string())
}

impl AwsApp {
    /// Reads the signing keys again when the ring in use is older than `KEY_RING_MAX_AGE`,
    /// so that a running function publishes and verifies a key added by a rotation long
    /// before it signs. A failed read keeps the ring in use and is tried again after the same
    /// wait, not on every request (a Secrets Manager that is down would otherwise slow every
    /// answer by its timeout): the keys the ring holds stay good for hours. The request that
    /// finds the ring stale pays one `GetSecretValue`.
    pub async fn reload_signing_keys_when_stale(&self) {
        let SecretsSource::SecretsManager(arn) = &self.config.secrets else {
            return;
        };
        let tokens = &self.deps.tokens;
        let now = self.deps.clock.now();
        if now.0 - tokens.ring_loaded_at().0 < varco_domain::tokens::KEY_RING_MAX_AGE {
            return;
        }
        let ring = read_secret(&self.sdk, arn)
            .await
            .and_then(|text| crate::config::signing_keys_in(&text));
        match ring {
            Ok(ring) => tokens.replace(ring, now),
            Err(problem) => {
                tracing::warn!(%problem, "the signing keys could not be read again");
                tokens.replace(tokens.ring(), now);
            }
        }
    }
}

/// The rotation function (`rotate-signing-keys`), run daily: rotates the signing keys of the
/// Secrets Manager secret as due (`KeyRing::rotate`), keeping every other key of it as it
/// is; answers what the ring holds now.
pub async fn rotate_signing_keys(app: &AwsApp) -> Result<serde_json::Value, String> {
    let SecretsSource::SecretsManager(arn) = &app.config.secrets else {
        return Err("the keys are in the environment: rotate them there".into());
    };
    let now = app.deps.clock.now();
    let text = read_secret(&app.sdk, arn).await?;
    let token_life = app.deps.profile.access_token_seconds();
    let (ring, rotated) = crate::config::rotate_signing_keys(&text, now, token_life)?;
    if let Some(text) = &rotated {
        aws_sdk_secretsmanager::Client::new(&app.sdk)
            .put_secret_value()
            .secret_id(arn)
            .secret_string(text)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "writing the rotated keys to Secrets Manager ({arn}): {}",
                    aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
                )
            })?;
    }
    let kids = ring.kids();
    tracing::info!(
        changed = rotated.is_some(),
        keys = kids.len(),
        "signing keys"
    );
    let keys: Vec<serde_json::Value> = ring
        .stored()
        .iter()
        .zip(&kids)
        .map(|(key, kid)| serde_json::json!({ "kid": kid, "signs_from": key.signs_from }))
        .collect();
    Ok(serde_json::json!({ "keys": keys }))
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
        use varco_domain::crypto::SecretHasher;
        let h = Arc::new(SecretHasher::offloaded(hash_offload));
        let other_ran = Arc::new(AtomicBool::new(false));
        let (started, workers_busy) = std::sync::mpsc::channel();
        let busy: Vec<_> = (0..2)
            .map(|_| {
                let (h, other_ran, started) = (h.clone(), other_ran.clone(), started.clone());
                tokio::spawn(async move {
                    started.send(()).unwrap();
                    for _ in 0..40 {
                        h.hash("482913", &varco_domain::random::OsRandom);
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
