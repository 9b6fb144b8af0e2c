//! Events as AWS hands them to a function: an API Gateway HTTP API request, a DynamoDB
//! stream batch.

use serde_json::{json, Value};

/// A DynamoDB stream batch that inserts `item`, as the table's stream hands it to the
/// outbox sender.
pub fn stream_insert(item: &varco_domain::store::Item) -> Value {
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
    let route = step.route();
    let mut headers =
        json!({ "content-type": "application/json", "accept-language": "it-IT,it;q=0.9" });
    if let Some(token) = token {
        headers["authorization"] = json!(format!("Bearer {token}"));
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": format!("{} {}", route.method, route.path),
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "varco", "domainName": "varco.example.com", "domainPrefix": "varco",
            "http": { "method": route.method.as_str(), "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip, "userAgent": "test" },
            "requestId": "lambda-test", "routeKey": format!("{} {}", route.method, route.path), "stage": "$default",
            "time": "23/Nov/2026:17:00:00 +0000", "timeEpoch": 1_795_000_000_000u64
        },
        "body": body.to_string(),
        "isBase64Encoded": false
    });
    if let Some(id) = flow_id {
        event["pathParameters"] = json!({ "flow_id": id });
    }
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event")
}
