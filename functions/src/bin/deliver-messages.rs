//! Lambda entrypoint of the outbox sender, triggered by the table's stream.

#[tokio::main]
async fn main() -> Result<(), varco_functions::lambda::Error> {
    varco_functions::lambda::serve_outbox_stream().await
}
