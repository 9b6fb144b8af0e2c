//! The progressive login delay: after repeated failed logins with one login name, the next
//! attempt must wait, longer after each further failure, up to a cap. Never a lockout: the
//! wait is at most `MAX_DELAY_SECONDS`, a success clears the count, and an hour without
//! failures forgets it.
//!
//! The count is kept per login name as typed (its login key), whether or not an account has
//! it, so that known and unknown names behave alike (X6). It lives beside the name's claim,
//! in the name's login-index partition, so login's one query reads it with the account.
//! Attempts refused for the delay are not counted (the wait never grows by itself), and
//! are refused before any password is checked.

use crate::clock::Timestamp;
use crate::error::Error;
use crate::keys;
use crate::store::{Condition, Item, Write};
use serde::{Deserialize, Serialize};

/// Failures allowed before the first wait.
pub const FREE_FAILURES: u32 = 5;
/// The wait after the `FREE_FAILURES`-th failure; it doubles with each further one.
pub const FIRST_DELAY_SECONDS: i64 = 30;
/// The longest wait.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;
/// Failures are forgotten this long after the last one.
pub const FORGET_AFTER_SECONDS: i64 = 60 * 60;

/// Failed logins with one login name since the last success.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Failures {
    count: u32,
    last_at: i64,
}

impl Failures {
    /// The failures an item records, if they are still remembered at `now`.
    pub(crate) fn from_item(item: Option<&Item>, now: Timestamp) -> Result<Failures, Error> {
        let Some(item) = item else {
            return Ok(Failures::default());
        };
        let failures: Failures = item.parse()?;
        Ok(if failures.last_at + FORGET_AFTER_SECONDS <= now.0 {
            Failures::default()
        } else {
            failures
        })
    }

    /// How long after the last failure the next attempt must wait.
    fn delay(&self) -> i64 {
        if self.count < FREE_FAILURES {
            return 0;
        }
        let doublings = (self.count - FREE_FAILURES).min(16);
        (FIRST_DELAY_SECONDS << doublings).min(MAX_DELAY_SECONDS)
    }

    /// `LoginDelayed` with the seconds left, if an attempt at `now` must still wait.
    pub(crate) fn check(&self, now: Timestamp) -> Result<(), Error> {
        let allowed_at = self.last_at + self.delay();
        if self.delay() > 0 && now.0 < allowed_at {
            return Err(Error::LoginDelayed {
                retry_after: allowed_at - now.0,
            });
        }
        Ok(())
    }
}

/// The write that records one more failure for `login_key` (read as `item`). Conditional on
/// what was read: of two failures racing, one is counted.
pub(crate) fn record_failure(login_key: &str, item: Option<&Item>, now: Timestamp) -> Write {
    let failures = Failures::from_item(item, now).unwrap_or_default();
    let next = Failures {
        count: failures.count + 1,
        last_at: now.0,
    };
    Write::upsert(
        item,
        Item::new(keys::login_failures(login_key), &next)
            .with_gsi1(keys::login_index(login_key))
            .expiring_at(now.0 + FORGET_AFTER_SECONDS),
    )
}

/// The write that forgets the failures of a name after a successful login.
pub(crate) fn clear(item: Option<&Item>) -> Option<Write> {
    item.map(|item| Write::delete(item.key.clone(), Condition::None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(count: u32) -> Failures {
        Failures { count, last_at: 0 }
    }

    #[test]
    fn the_wait_starts_after_the_free_failures_doubles_and_is_capped() {
        assert_eq!(after(FREE_FAILURES - 1).delay(), 0);
        assert_eq!(after(FREE_FAILURES).delay(), 30);
        assert_eq!(after(FREE_FAILURES + 1).delay(), 60);
        assert_eq!(after(FREE_FAILURES + 4).delay(), 480);
        assert_eq!(after(FREE_FAILURES + 5).delay(), MAX_DELAY_SECONDS);
        assert_eq!(after(u32::MAX).delay(), MAX_DELAY_SECONDS);
    }

    #[test]
    fn an_attempt_waits_only_until_the_delay_is_over() {
        let failures = after(FREE_FAILURES);
        assert!(matches!(
            failures.check(Timestamp(10)),
            Err(Error::LoginDelayed { retry_after: 20 })
        ));
        assert!(failures.check(Timestamp(30)).is_ok());
        assert!(after(FREE_FAILURES - 1).check(Timestamp(0)).is_ok());
    }
}
