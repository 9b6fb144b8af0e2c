//! Lambda entrypoint of the hourly job that purges finished flows (X2).

#[tokio::main]
async fn main() -> Result<(), varco_functions::lambda::Error> {
    varco_functions::lambda::serve_job(varco_functions::lambda::Job::PurgeFlows).await
}
