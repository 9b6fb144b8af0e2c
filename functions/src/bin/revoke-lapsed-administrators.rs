//! Lambda entrypoint of the daily job that revokes Administrators past their card's grace
//! period (N3).

#[tokio::main]
async fn main() -> Result<(), varco_functions::lambda::Error> {
    varco_functions::lambda::serve_job(varco_functions::lambda::Job::RevokeLapsedAdministrators)
        .await
}
