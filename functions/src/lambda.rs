//! The Lambda side: one binary for every function (`varco-lambda`), which runs the function
//! its configuration names (`VARCO_FUNCTION`): a step behind API Gateway, the outbox sender on
//! the table's stream (and on a schedule, for retries), a scheduled job, or the import.

use crate::catalog::{Job, DELIVER_MESSAGES, IMPORT_DATA, ROTATE_SIGNING_KEYS};
use crate::events::{ImportEvent, OutboxAnswer, OutboxEvent, Scheduled};
use crate::http::{lang_of, log_request, request_id, ApiRequest, Params};
use crate::routes::{handle, match_path, Step};
use bytes::Bytes;
use lambda_http::{Body, RequestExt};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use tokio::sync::OnceCell;
use varco_domain::base::error::UNAVAILABLE_RETRY_AFTER;
use varco_domain::limits::outbox;
use varco_domain::operator::import::ImportReport;
use varco_domain::operator::jobs::JobReport;
use varco_domain::Deps;
use varco_senders_aws::{ByChannel, SesEmail, SnsSms};

pub type Error = lambda_http::Error;

/// The environment variable that names a function: a step (`verify-key6`), a job
/// (`expire-invitations`), `deliver-messages` or `import-data`.
pub const FUNCTION_VARIABLE: &str = "VARCO_FUNCTION";

/// Runs the function `VARCO_FUNCTION` names; a missing or unknown name fails the start,
/// saying so.
pub async fn serve_configured() -> Result<(), Error> {
    let name = std::env::var(FUNCTION_VARIABLE)
        .map_err(|_| format!("{FUNCTION_VARIABLE} is not set: it names the function to run"))?;
    if let Some(step) = Step::named(&name) {
        return serve_step(step).await;
    }
    if let Some(job) = Job::ALL.into_iter().find(|job| job.name() == name) {
        return serve_job(job).await;
    }
    match name.as_str() {
        DELIVER_MESSAGES => serve_outbox_stream().await,
        IMPORT_DATA => serve_import().await,
        ROTATE_SIGNING_KEYS => serve_key_rotation().await,
        _ => Err(format!("{FUNCTION_VARIABLE}={name} names no function of Varco").into()),
    }
}

/// Runs one step as a Lambda function behind API Gateway (HTTP API, payload v2).
///
/// A configuration that is wrong fails the start, naming what is missing. A service the
/// start needs that cannot be reached (Secrets Manager) does not: the function answers
/// `503 unavailable` with `Retry-After`, as any step does when a dependency is down, and
/// tries again on a request after that wait (answering the ones before it at once).
pub async fn serve_step(step: Step) -> Result<(), Error> {
    crate::logging::init_json();
    let config = crate::config::AwsConfig::from_env(&|name| std::env::var(name).ok())?;
    let starter = Arc::new(Starter {
        config,
        app: OnceCell::new(),
        failed_at: std::sync::Mutex::new(None),
    });
    let _ = starter.deps().await;
    lambda_http::run(lambda_http::service_fn(move |request| {
        let starter = starter.clone();
        async move {
            let response = match starter.deps().await {
                Ok(deps) => handle_event(deps, step, request).await,
                Err(e) => not_started(step, &request, e),
            };
            Ok::<_, std::convert::Infallible>(response)
        }
    }))
    .await
}

/// A step function's dependencies, built once they can be: at cold start, or on a request
/// at least `UNAVAILABLE_RETRY_AFTER` seconds after the last try failed.
struct Starter {
    config: crate::config::AwsConfig,
    app: OnceCell<crate::app::AwsApp>,
    failed_at: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Starter {
    async fn deps(&self) -> Result<&Deps, Error> {
        let app = self
            .app
            .get_or_try_init(|| async {
                let wait = std::time::Duration::from_secs(UNAVAILABLE_RETRY_AFTER.unsigned_abs());
                let last = *self.failed_at.lock().expect("poisoned");
                if last.is_some_and(|failed| failed.elapsed() < wait) {
                    return Err(Error::from("the last start failed moments ago"));
                }
                crate::app::aws_app_with(self.config.clone())
                    .await
                    .inspect_err(|e| {
                        tracing::error!(error = %e, "the function could not start");
                        *self.failed_at.lock().expect("poisoned") = Some(std::time::Instant::now());
                    })
            })
            .await?;
        app.reload_signing_keys_when_stale().await;
        Ok(&app.deps)
    }
}

/// The answer of a function that could not start: `503 unavailable`, logged as every
/// answer is.
fn not_started(
    step: Step,
    request: &lambda_http::Request,
    why: Error,
) -> lambda_http::Response<Body> {
    let started = std::time::Instant::now();
    let context_id = request.lambda_context_ref().map(|c| c.request_id.clone());
    let request_id = request_id(request.headers(), || context_id.unwrap_or_default());
    let error = varco_domain::Error::Unavailable(why);
    let response = crate::http::problem(&error, lang_of(request.headers()), &request_id);
    log_request(
        Some(step.name()),
        &request_id,
        response.status(),
        Some(&error),
        started,
    );
    to_lambda(response)
}

/// The client's address API Gateway saw (`requestContext.http.sourceIp`).
fn source_ip(request: &lambda_http::Request) -> IpAddr {
    match request.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => context
            .http
            .source_ip
            .as_deref()
            .and_then(|ip| ip.parse().ok()),
        _ => None,
    }
    .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// One API Gateway request for `step`: what a step's Lambda function runs, and what tests call.
pub async fn handle_event(
    deps: &Deps,
    step: Step,
    request: lambda_http::Request,
) -> lambda_http::Response<Body> {
    let params = path_params(step, &request);
    let context_id = request.lambda_context_ref().map(|c| c.request_id.clone());
    let source = source_ip(&request);
    let (parts, body) = request.into_parts();
    let body = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    let request_id = request_id(&parts.headers, || {
        context_id.unwrap_or_else(|| varco_domain::base::random::new_id(deps.random.as_ref()))
    });
    let response = handle(
        deps,
        step,
        ApiRequest {
            query: parts.uri.query().map(str::to_string),
            params,
            headers: parts.headers,
            body,
            request_id,
            source,
        },
    )
    .await;
    to_lambda(response)
}

/// An answer as the Lambda runtime hands it to API Gateway.
fn to_lambda(response: http::Response<Bytes>) -> lambda_http::Response<Body> {
    let (parts, bytes) = response.into_parts();
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        Body::Text(String::from_utf8_lossy(&bytes).into_owned())
    };
    lambda_http::Response::from_parts(parts, body)
}

/// The step's path parameters as API Gateway extracted them, or, where it did not (a
/// function URL, a test), from the path by the route's pattern.
fn path_params(step: Step, request: &lambda_http::Request) -> Params {
    let route = step.route();
    let from_gateway = request.path_parameters();
    let mut params = Params::new();
    for segment in route.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if let Some(value) = from_gateway.first(name) {
                params.push((name, value.to_string()));
            }
        }
    }
    if params.is_empty() {
        params = match_path(route.path, request.uri().path()).unwrap_or_default();
    }
    params
}

/// The outbox sender: on a stream batch it delivers the messages the batch inserted; on any
/// other event (the schedule) it delivers every due message, retries included. Failed
/// records are reported so the stream retries only them.
pub async fn serve_outbox_stream() -> Result<(), Error> {
    crate::logging::init_json();
    let app = crate::app::aws_app().await?;
    let email_from = app
        .config
        .email_from
        .clone()
        .ok_or("VARCO_EMAIL_FROM is not set: the outbox sender needs it")?;
    let sender = Arc::new(ByChannel {
        sms: Arc::new(SnsSms::new(
            aws_sdk_sns::Client::new(&app.sdk),
            app.config.sms_sender_id.clone(),
        )),
        email: Arc::new(SesEmail::new(
            aws_sdk_ses::Client::new(&app.sdk),
            email_from,
        )),
    });
    let deps = Arc::new(app.deps);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<OutboxEvent>| {
            let (deps, sender) = (deps.clone(), sender.clone());
            async move { deliver_event(&deps, sender.as_ref(), event.payload).await }
        },
    ))
    .await
}

/// A scheduled job (X2), run by its schedule: each invocation works until the job is
/// finished or `JOB_PAGES` queries are spent (the next run goes on from there); answers the
/// job's report.
pub async fn serve_job(job: Job) -> Result<(), Error> {
    crate::logging::init_json();
    let deps = Arc::new(crate::app::aws_app().await?.deps);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_: lambda_runtime::LambdaEvent<Scheduled>| {
            let deps = deps.clone();
            async move { run_job(&deps, job).await }
        },
    ))
    .await
}

/// Items per page, and pages per run, of a job.
const JOB_PAGE: usize = 25;
const JOB_PAGES: usize = 200;

/// Runs `job` once: what the job binaries, the local gateway's timer and tests call.
pub async fn run_job(deps: &Deps, job: Job) -> Result<JobReport, Error> {
    let keys = crate::catalog::function_keys(job.name()).expect("a job has keys");
    let deps = &crate::secrets::keyed(deps, keys);
    let report = match job {
        Job::ExpireInvitations => {
            varco_domain::operator::jobs::expire_invitations(deps, JOB_PAGE, JOB_PAGES).await?
        }
        Job::RevokeLapsedAdministrators => {
            varco_domain::operator::jobs::revoke_lapsed_administrators(deps, JOB_PAGE, JOB_PAGES)
                .await?
        }
        Job::PurgeFlows => {
            varco_domain::operator::jobs::purge_finished(deps, JOB_PAGE, JOB_PAGES).await?
        }
    };
    if report.changed > 0 || !report.finished {
        tracing::info!(
            job = job.name(),
            changed = report.changed,
            finished = report.finished,
            "job"
        );
    } else {
        tracing::debug!(job = job.name(), "job: nothing to do");
    }
    Ok(report)
}

/// The signing keys' rotation, run by its daily schedule (`app::rotate_signing_keys`).
pub async fn serve_key_rotation() -> Result<(), Error> {
    crate::logging::init_json();
    let app = Arc::new(crate::app::aws_app().await?);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_: lambda_runtime::LambdaEvent<Scheduled>| {
            let app = app.clone();
            async move {
                crate::app::rotate_signing_keys(&app)
                    .await
                    .map_err(Error::from)
            }
        },
    ))
    .await
}

/// The import step (X7): invoked directly (`aws lambda invoke`) with `{"jsonl": "<rows>"}`;
/// answers the import report.
pub async fn serve_import() -> Result<(), Error> {
    crate::logging::init_json();
    let deps = Arc::new(crate::app::aws_app().await?.deps);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<ImportEvent>| {
            let deps = deps.clone();
            async move { Ok::<_, Error>(import_event(&deps, event.payload).await) }
        },
    ))
    .await
}

/// Imports the rows of one event.
pub async fn import_event(deps: &Deps, event: ImportEvent) -> ImportReport {
    let report = varco_domain::operator::import::import(deps, &event.jsonl).await;
    tracing::info!(
        created = report.created,
        updated = report.updated,
        unchanged = report.unchanged,
        failed = report.failed,
        "import"
    );
    report
}

/// Delivers what one event asks for: on a stream batch, each inserted message from its new
/// image; on the schedule, every due message.
pub async fn deliver_event(
    deps: &Deps,
    sender: &dyn outbox::Sender,
    event: OutboxEvent,
) -> Result<OutboxAnswer, Error> {
    let portal = deps.profile.display_name.as_str();
    let batch = match event {
        OutboxEvent::Schedule => {
            let outcomes = outbox::deliver_due(
                deps.store.as_ref(),
                (sender, &deps.message_key),
                deps.clock.as_ref(),
                portal,
                100,
            )
            .await?;
            let delivered = outcomes
                .iter()
                .filter(|o| **o == outbox::Delivery::Sent)
                .count();
            return Ok(OutboxAnswer::Schedule { delivered });
        }
        OutboxEvent::Stream(batch) => batch,
    };
    let mut failures = Vec::new();
    for record in batch.records {
        if record.event_name != "INSERT" {
            continue;
        }
        // The image is the message as written: no need to read it again.
        let delivered = match varco_store_dynamodb::from_stream_image(&record.change.new_image) {
            Ok(item) if varco_domain::base::keys::is_message(&item.key) => outbox::deliver_item(
                deps.store.as_ref(),
                (sender, &deps.message_key),
                deps.clock.as_ref(),
                portal,
                item,
            )
            .await
            .map(|_| ()),
            Ok(_) => continue,
            Err(e) => Err(e.into()),
        };
        if let Err(e) = delivered {
            tracing::error!(error = %e, "delivery failed");
            failures.push(record.change.sequence_number.unwrap_or_default());
        }
    }
    Ok(OutboxAnswer::failed(failures))
}
