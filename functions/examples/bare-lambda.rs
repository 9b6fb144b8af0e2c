//! The floor of a Lambda cold start (`scripts/bench`): a `lambda_runtime` function that does
//! nothing before its first poll of the Runtime API.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        |_: lambda_runtime::LambdaEvent<serde_json::Value>| async {
            Ok::<_, lambda_runtime::Error>(serde_json::Value::Null)
        },
    ))
    .await
}
