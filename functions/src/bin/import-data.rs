//! Lambda entrypoint of the operator's data import (X7), invoked directly with
//! `{"jsonl": "<rows>"}`.

#[tokio::main]
async fn main() -> Result<(), varco_functions::lambda::Error> {
    varco_functions::lambda::serve_import().await
}
