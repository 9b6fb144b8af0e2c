//! Lambda entrypoint of the `revoke-company-registration` step (the operator's back office).

#[tokio::main]
async fn main() -> Result<(), varco_functions::lambda::Error> {
    varco_functions::lambda::serve_step(varco_functions::Step::RevokeCompanyRegistration).await
}
