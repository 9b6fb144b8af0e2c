//! Events as AWS hands them to a function: an API Gateway HTTP API request, a DynamoDB
//! stream batch.

use serde_json::{json, Value};

/// A DynamoDB stream batch that inserts `item`, as the table's stream hands it to the
/// outbox sender.
pub fn stream_insert(item: &varco_domain::base::store::Item) -> Value {
    varco_store_dynamodb::to_stream_batch(std::slice::from_ref(item), 100)
}

/// An API Gateway HTTP API (v2) event for `step`, as AWS delivers it to the function, from
/// the client address `source_ip` (the request context's, which no client header sets).
pub fn api_gateway_event(
    step: varco_functions::Step,
    path: &str,
    flow_id: Option<&str>,
    body: Value,
    token: Option<&str>,
    source_ip: &str,
) -> lambda_http::Request {
    let bearer = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|value| ("authorization", value.as_str()))
        .collect();
    let params: Vec<(&str, String)> = flow_id
        .map(|id| ("flow_id", id.to_string()))
        .into_iter()
        .collect();
    api_gateway_request(step, path, &params, &body, &headers, source_ip)
}

/// The same for any request: `path` (with its query, if any), the route's parameters as
/// API Gateway captured them, the body (`Null`: none) and the client's headers.
pub fn api_gateway_request(
    step: varco_functions::Step,
    path: &str,
    params: &[(&str, String)],
    body: &Value,
    client_headers: &[(&str, &str)],
    source_ip: &str,
) -> lambda_http::Request {
    let route = step.route();
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut headers =
        json!({ "content-type": "application/json", "accept-language": "it-IT,it;q=0.9" });
    for (name, value) in client_headers {
        headers[name.to_ascii_lowercase()] = json!(value);
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": format!("{} {}", route.method, route.path),
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "varco", "domainName": "varco.example.com", "domainPrefix": "varco",
            "http": { "method": route.method.as_str(), "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip, "userAgent": "test" },
            "requestId": "lambda-test", "routeKey": format!("{} {}", route.method, route.path), "stage": "$default",
            "time": "23/Nov/2026:17:00:00 +0000", "timeEpoch": 1_795_000_000_000u64
        },
        "isBase64Encoded": false
    });
    if !body.is_null() {
        event["body"] = json!(body.to_string());
    }
    if !query.is_empty() {
        let pairs: serde_json::Map<String, Value> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| (name.to_string(), json!(value)))
            .collect();
        event["queryStringParameters"] = Value::Object(pairs);
    }
    if !params.is_empty() {
        let params: serde_json::Map<String, Value> = params
            .iter()
            .map(|(name, value)| (name.to_string(), json!(value)))
            .collect();
        event["pathParameters"] = Value::Object(params);
    }
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event")
}

/// Reads a payload into a function's event as the Lambda runtime does: one that is not the
/// event is refused, saying why.
fn event_of<E: serde::de::DeserializeOwned>(payload: Value) -> Result<E, String> {
    serde_json::from_value(payload).map_err(|e| format!("not the function's event: {e}"))
}

/// An answer as the JSON Lambda returns.
fn answer_of<A: serde::Serialize, E: std::fmt::Display>(
    answer: Result<A, E>,
) -> Result<Value, String> {
    answer
        .map(|a| serde_json::to_value(a).expect("answers serialise"))
        .map_err(|e| e.to_string())
}

/// The import function (`import-data`) invoked with `payload`, as Lambda runs it.
pub async fn invoke_import(deps: &varco_domain::Deps, payload: Value) -> Result<Value, String> {
    let event = event_of(payload)?;
    answer_of(Ok::<_, String>(
        varco_functions::lambda::import_event(deps, event).await,
    ))
}

/// The outbox sender (`deliver-messages`) invoked with `payload` (a stream batch, or the
/// schedule's event), as Lambda runs it.
pub async fn invoke_outbox(
    deps: &varco_domain::Deps,
    sender: &dyn varco_domain::limits::outbox::Sender,
    payload: &Value,
) -> Result<Value, String> {
    let event = event_of(payload.clone())?;
    answer_of(varco_functions::lambda::deliver_event(deps, sender, event).await)
}

/// A scheduled job's function invoked by its schedule, as Lambda runs it.
pub async fn invoke_job(
    deps: &varco_domain::Deps,
    job: varco_functions::catalog::Job,
) -> Result<Value, String> {
    answer_of(varco_functions::lambda::run_job(deps, job).await)
}
