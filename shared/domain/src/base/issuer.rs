//! R8: the card issuer's system, which holds the cards' Key6 codes. Varco keeps only their
//! argon2id hashes (X4), so showing a Key6 to its cardholder asks the issuer for it, at the
//! moment it is shown; it is never stored or logged.

use crate::base::error::Error;
use crate::base::types::{CardNumber, Key6};
use async_trait::async_trait;

#[async_trait]
pub trait CardIssuer: Send + Sync {
    /// The card's Key6, `None` when the issuer has none for it; `Error::Unavailable` when
    /// the issuer cannot be asked.
    async fn key6(&self, card: &CardNumber) -> Result<Option<Key6>, Error>;
}

/// No issuer is configured: no Key6 can be shown.
pub struct NoIssuer;

#[async_trait]
impl CardIssuer for NoIssuer {
    async fn key6(&self, _card: &CardNumber) -> Result<Option<Key6>, Error> {
        Ok(None)
    }
}
