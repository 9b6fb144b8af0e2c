//! Limits and trails: guesses counted before a secret is checked, the gate every message
//! passes, the outbox, the audit trail.

pub mod attempts;
pub mod audit;
pub mod login_delay;
pub mod outbox;
pub mod sending;
