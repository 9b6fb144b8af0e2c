//! The login delay (X5): how many logins one login name may attempt, counted before the
//! password is checked, known name or not (X6). Two windows: `[attempts]
//! logins_per_window` in each `login_window_minutes` (10 in 15 minutes), then the next
//! attempt waits for the window's end (`login_delayed`, with `Retry-After`); and
//! `logins_per_day` (100, NIST SP 800-63B's bound), then until the day's end (UTC).
//!
//! The windows are fixed, not sliding, and nothing a person does extends them: a trickle of
//! failures from elsewhere (one every few minutes) never keeps the owner out, and a burst
//! delays them at most until the window ends. What it trades: whoever spends the day's
//! budget on purpose keeps the name out of password login until the day ends (the owner
//! can still recover, and is told to wait with `Retry-After`). Attempts count whatever
//! their outcome, a success too: nothing waits for the check to be counted.

use crate::attempts::{Limit, Refusal, Subject};
use crate::clock::{Timestamp, DAY, MINUTE};
use crate::deps::Deps;
use crate::error::Error;

/// The limits a login with `login_key` is counted under, narrowest first.
pub(crate) fn limits(deps: &Deps, login_key: &str, now: Timestamp) -> [Limit; 2] {
    let budgets = &deps.profile.attempts;
    let name = Subject::Login(login_key);
    [
        Limit::per_window(
            name,
            "WINDOW",
            budgets.logins_per_window,
            budgets.login_window_minutes * MINUTE,
            now,
        )
        .refused_with(Refusal::Until(delayed)),
        Limit::per_window(name, "DAY", budgets.logins_per_day, DAY, now)
            .refused_with(Refusal::Until(delayed)),
    ]
}

fn delayed(retry_after: i64) -> Error {
    Error::LoginDelayed { retry_after }
}
