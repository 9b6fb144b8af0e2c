//! One-time codes, sent by SMS or email to prove a phone or an address: six digits, valid
//! `codes.valid_minutes` (10), single use, `codes.max_tries` (5) tries, stored only as an
//! argon2id hash inside the flow that sent them.

use crate::clock::{Timestamp, MINUTE};
use crate::deps::Deps;
use crate::error::Error;
use crate::random::random_string;
use crate::types::OneTimeCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingCode {
    hash: String,
    pub expires_at: i64,
    misses: u32,
}

/// A new code and what the flow keeps of it; the code itself goes only into the message.
pub fn issue(deps: &Deps, now: Timestamp) -> (String, PendingCode) {
    let code = random_string(deps.random.as_ref(), b"0123456789", 6);
    let pending = PendingCode {
        hash: deps.hasher.hash(&code, deps.random.as_ref()),
        expires_at: now.0 + deps.profile.codes.valid_minutes * MINUTE,
        misses: 0,
    };
    (code, pending)
}

impl PendingCode {
    /// Checks a typed code. A wrong one counts a try: `CodeNotCorrect` while tries remain,
    /// `TooManyAttempts` at the last (the flow then ends). The caller stores the change.
    pub fn check(&mut self, deps: &Deps, typed: &OneTimeCode, now: Timestamp) -> Result<(), Error> {
        if self.misses >= deps.profile.codes.max_tries {
            return Err(Error::TooManyAttempts);
        }
        if now.0 >= self.expires_at {
            return Err(Error::CodeExpired);
        }
        if deps.hasher.verify(typed.expose(), Some(&self.hash)) {
            // Single use: the flow moves on, and no later check can match.
            self.misses = deps.profile.codes.max_tries;
            return Ok(());
        }
        self.misses += 1;
        if self.misses >= deps.profile.codes.max_tries {
            Err(Error::TooManyAttempts)
        } else {
            Err(Error::CodeNotCorrect)
        }
    }
}
