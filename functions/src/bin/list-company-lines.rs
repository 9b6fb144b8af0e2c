//! Lambda entrypoint of the `list-company-lines` step.

#[tokio::main]
async fn main() -> Result<(), varco_functions::lambda::Error> {
    varco_functions::lambda::serve_step(varco_functions::Step::ListCompanyLines).await
}
