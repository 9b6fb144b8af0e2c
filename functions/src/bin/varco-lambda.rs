//! Every Lambda function of Varco: the one it runs is named by `VARCO_FUNCTION` in its
//! configuration (a step such as `verify-key6`, `deliver-messages`, a job, `import-data`).

#[tokio::main]
async fn main() -> Result<(), varco_functions::lambda::Error> {
    varco_functions::lambda::serve_configured().await
}
