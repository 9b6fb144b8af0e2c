//! Lambda entrypoint of the `view-key6` step.

#[tokio::main]
async fn main() -> Result<(), varco_functions::lambda::Error> {
    varco_functions::lambda::serve_step(varco_functions::Step::ViewKey6).await
}
