//! Running Varco on this machine: the local gateway on the embedded store (or DynamoDB
//! Local), demo data, a generated secrets file, and the outbox printed to the console.

use crate::config::TokenSettings;
use crate::console::ConsoleSender;
use crate::secrets::{Secrets, MIN_SECRET_BYTES};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use varco_domain::base::clock::{Clock, SystemClock, Timestamp};
use varco_domain::base::profile::Profile;
use varco_domain::base::random::{OsRandom, Random};
use varco_domain::base::store::Store;
use varco_domain::base::tokens::StoredKey;
use varco_domain::limits::outbox;
use varco_store_dynamodb::DynamoStore;
use varco_store_redb::RedbStore;

pub struct LocalOptions {
    pub profile: String,
    pub port: u16,
    pub data_dir: PathBuf,
    /// Run on DynamoDB Local at this endpoint instead of the embedded store.
    pub dynamodb: Option<String>,
    /// Zero by default locally, so that curl alone can answer the captcha.
    pub captcha_difficulty: u8,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The secrets file in `dir`, created with fresh random keys the first time; a key that a
/// file of an earlier version lacks is added (the signing keys, the gateway and operator
/// keys), and the signing keys are rotated when due (`KeyRing::rotate`). Keeping the file
/// keeps the embedded store's look-up hashes valid across runs.
pub fn local_secrets(dir: &Path, now: Timestamp, token_life: i64) -> Result<Secrets, BoxError> {
    let path = dir.join("secrets.json");
    let fresh = || {
        let mut bytes = vec![0u8; MIN_SECRET_BYTES];
        OsRandom.fill(&mut bytes);
        serde_json::Value::String(STANDARD.encode(bytes))
    };
    let read = std::fs::read_to_string(&path).ok();
    let mut json: serde_json::Value = match &read {
        Some(text) => serde_json::from_str(text).map_err(|_| {
            format!(
                "{} is not JSON (delete the file to make a new one)",
                path.display()
            )
        })?,
        None => serde_json::json!({}),
    };
    for name in [
        "pepper",
        "captcha_key",
        "gateway_key",
        "operator_key",
        "message_key",
    ] {
        if json.get(name).is_none_or(serde_json::Value::is_null) {
            json[name] = fresh();
        }
    }
    if json
        .get("signing_keys")
        .is_none_or(serde_json::Value::is_null)
    {
        json["signing_keys"] = serde_json::to_value([StoredKey::generate(now.0)])?;
    }
    // The token key of an earlier version signed tokens that no longer exist.
    if let Some(object) = json.as_object_mut() {
        object.remove("token_key");
    }
    let ring = crate::secrets::decode_signing_keys(
        &format!("{}: `signing_keys`", path.display()),
        &json["signing_keys"],
    )?;
    if let Some(rotated) = ring.rotate(now, token_life) {
        json["signing_keys"] = serde_json::to_value(rotated)?;
    }
    let text = serde_json::to_string_pretty(&json)?;
    let secrets = Secrets::from_json(&path.display().to_string(), &text)
        .map_err(|problem| format!("{problem} (delete the file to make a new one)"))?;
    if read.as_deref() != Some(text.as_str()) {
        std::fs::create_dir_all(dir)?;
        std::fs::write(&path, text)?;
    }
    Ok(secrets)
}

/// The embedded store's file: one per profile, so that each profile's demo data stays apart.
fn store_path(options: &LocalOptions) -> std::path::PathBuf {
    options.data_dir.join(format!("{}.redb", options.profile))
}

/// The store, keys and profile `cargo run` uses, with the demo data in; returns how many
/// demo records were added now, and the embedded store when it is the one (to purge).
async fn local_deps(
    options: &LocalOptions,
) -> Result<(Arc<varco_domain::Deps>, usize, Option<Arc<RedbStore>>), BoxError> {
    // Its emails link to the pages this gateway serves.
    let address = format!("http://127.0.0.1:{}", options.port);
    let profile = Profile::builtin(&options.profile)?.with_pages_at(&format!("{address}/"));
    let secrets = local_secrets(
        &options.data_dir,
        SystemClock.now(),
        profile.access_token_seconds(),
    )?;
    let (store, embedded): (Arc<dyn Store>, _) = match &options.dynamodb {
        Some(endpoint) => {
            let client =
                varco_store_dynamodb::local_client(endpoint, varco_store_dynamodb::Patience::AWS);
            if DynamoStore::create_table(&client, "varco").await.is_err() {
                eprintln!("(table `varco` exists already on {endpoint}: using it)");
            }
            (Arc::new(DynamoStore::new(client, "varco")), None)
        }
        None => {
            let store = Arc::new(RedbStore::open(&store_path(options))?);
            (store.clone(), Some(store))
        }
    };
    let mut deps = crate::app::deps(
        store,
        Arc::new(SystemClock),
        profile,
        &secrets,
        &TokenSettings::local(&address),
        options.captcha_difficulty,
    );
    // R8: the demo cards' Key6 codes stand in for the issuer's service.
    deps.issuer = Arc::new(crate::demo::DemoIssuer);
    let deps = Arc::new(deps);
    let added = crate::demo::seed(&deps).await?;
    Ok((deps, added, embedded))
}

/// `varco import FILE`: imports the operator's data (JSON Lines, `varco_domain::operator::import`)
/// into the local store, and prints the report. The embedded store allows one process at a
/// time: stop the gateway first.
pub async fn import_file(options: LocalOptions, path: &Path) -> Result<(), BoxError> {
    crate::logging::init_text();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (deps, _, _) = local_deps(&options).await?;
    let report = varco_domain::operator::import::import(&deps, &text).await;
    for row in &report.rows {
        println!("{}", serde_json::to_string(row)?);
    }
    println!(
        "{}: {} created, {} updated, {} unchanged, {} failed",
        path.display(),
        report.created,
        report.updated,
        report.unchanged,
        report.failed
    );
    if report.failed > 0 {
        return Err(format!("{} rows failed (listed above)", report.failed).into());
    }
    Ok(())
}

pub async fn run(options: LocalOptions) -> Result<(), BoxError> {
    crate::logging::init_text();
    let (deps, added, embedded) = local_deps(&options).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await?;
    let address = listener.local_addr()?;
    println!("{}", crate::demo::describe(&deps.profile.name));
    println!(
        "\n(demo people added now: {added}; store: {})",
        options.dynamodb.as_deref().map_or_else(
            || store_path(&options).display().to_string(),
            |e| format!("DynamoDB Local at {e}")
        )
    );
    println!("Varco ({}) listening on http://{address}  — captcha difficulty {} bits; SMS and email are printed here.\n", deps.profile.name, options.captcha_difficulty);
    let dispatcher = deps.clone();
    tokio::spawn(async move {
        // The local stand-in for the stream-triggered sender: polls the outbox each second.
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let portal = dispatcher.profile.display_name.clone();
            if let Err(e) = outbox::deliver_due(
                dispatcher.store.as_ref(),
                (&ConsoleSender, &dispatcher.message_key),
                dispatcher.clock.as_ref(),
                &portal,
                100,
            )
            .await
            {
                tracing::error!(error = %e, "outbox delivery failed");
            }
        }
    });
    let jobs = deps.clone();
    let data_dir = options.data_dir.clone();
    tokio::spawn(async move {
        // The local stand-in for the jobs' schedules: every job, every minute.
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            // The signing keys' rotation (`rotate-signing-keys` on AWS): the secrets file is
            // read again only when the ring in use is due.
            let now = jobs.clock.now();
            let life = jobs.profile.access_token_seconds();
            if jobs.tokens.ring().rotate(now, life).is_some() {
                match local_secrets(&data_dir, now, life) {
                    Ok(Secrets {
                        signing_keys: Some(ring),
                        ..
                    }) => {
                        tracing::info!("signing keys rotated");
                        jobs.tokens.replace(ring, now);
                    }
                    Ok(_) => tracing::error!("the secrets file has no signing keys"),
                    Err(e) => tracing::error!(error = %e, "rotating the signing keys failed"),
                }
            }
            for job in crate::catalog::Job::ALL {
                if let Err(e) = crate::lambda::run_job(&jobs, job).await {
                    tracing::error!(job = job.name(), error = %e, "job failed");
                }
            }
            // X2: finished flows, used codes, finished invitations and old events expire
            // (`ttl`): DynamoDB's TTL deletes them on AWS; here, this does.
            if let Some(store) = &embedded {
                let now = jobs.clock.now().0;
                match store.purge_expired(now, 1000).await {
                    Ok(0) => {}
                    Ok(purged) => tracing::info!(event = "expired_items_purged", purged),
                    Err(e) => tracing::error!(error = %e, "purging expired items failed"),
                }
            }
        }
    });
    tokio::select! {
        _ = crate::gateway::serve(listener, deps) => {}
        _ = tokio::signal::ctrl_c() => println!("\nstopped"),
    }
    Ok(())
}
