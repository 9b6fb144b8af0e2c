//! The login's limits (X5): counted before the password is checked, known name or not (X6),
//! and never turned against the name's owner.
//!
//! - **Per name, from anywhere**: `[attempts] logins_per_window` in each
//!   `login_window_minutes` (10 in 15 minutes); past them each attempt needs a captcha
//!   (`captcha_required`, with a challenge), one bit harder at each doubling of the
//!   name's captcha'd attempts of the day, at most `MAX_EXTRA_BITS` harder. The name itself
//!   is never refused: whatever strangers do on it, the owner gets in by solving a captcha.
//! - **Per name and client address** (an IPv6 client's /64): `logins_per_day` (100) a day,
//!   then that address waits for the day's end (`login_delayed`): strangers spend their own
//!   addresses' budgets, never the owner's.
//! - **Per client address, whatever the names** (password spraying):
//!   `logins_per_source_window` (30) in each window, then a captcha, so that a company
//!   behind one NAT still logs in; `logins_per_source_per_day` (1000), then `source_limit`.
//!
//! The owner's successful login takes its attempt back from every count; a recovery or a
//! reset that completes clears the name's shared counts (`cleared`). The windows are fixed,
//! not sliding (a day is a UTC day).

use crate::base::captcha;
use crate::base::clock::{Timestamp, DAY, MINUTE};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::store::{Condition, Write};
use crate::limits::attempts::{self, Limit, Refusal, Subject};
use crate::limits::sending::source_key;
use std::net::IpAddr;

/// How much harder than the deployment's difficulty a login's captcha gets at most: 6 bits
/// (64 times the work; with the default 18 bits, a browser's few seconds to a minute).
pub const MAX_EXTRA_BITS: u8 = 6;

/// Counts one login attempt with `login_key` from `source`, before the password is checked:
/// `captcha` is the client's solution, if it sent one. Answers the limits counted, for
/// `attempts::forgive` once the password proved right.
pub(crate) async fn count(
    deps: &Deps,
    login_key: &str,
    source: IpAddr,
    captcha: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Limit>, Error> {
    let budgets = &deps.profile.attempts;
    let window = budgets.login_window_minutes * MINUTE;
    let source = source_key(source);
    let name_from_source = format!("{login_key}@{source}");
    let mut limits = vec![
        Limit::per_window(
            Subject::Login(&name_from_source),
            "DAY",
            budgets.logins_per_day,
            DAY,
            now,
        )
        .refused_with(Refusal::Until(delayed)),
        Limit::per_window(
            Subject::Source(&source),
            "LOGINS",
            budgets.logins_per_source_per_day,
            DAY,
            now,
        )
        .refused_with(Refusal::Until(source_limit)),
    ];
    let Some(solution) = captcha else {
        limits.extend([
            name_window(deps, login_key, now).refused_with(Refusal::Locked(captcha_required)),
            Limit::per_window(
                Subject::Source(&source),
                "LOGINWINDOW",
                budgets.logins_per_source_window,
                window,
                now,
            )
            .refused_with(Refusal::Locked(captcha_required)),
        ]);
        return match attempts::count(deps, &limits, None).await {
            Err(Error::CaptchaRequired { .. }) => Err(asked(deps.captcha.challenge(now))),
            other => other.map(|_| limits),
        };
    };
    // A solution is spent before anything is counted or checked, whatever follows: one
    // solved challenge is one attempt.
    let pass = deps.captcha.verify(solution, now).await?;
    captcha::commit(deps.store.as_ref(), pass.clone().spend(now)).await?;
    limits.push(name_stepped(login_key, now));
    let counted = attempts::count(deps, &limits, None).await?;
    let extra = extra_bits(counted.number(2), budgets.logins_per_window);
    if pass.difficulty < deps.captcha.difficulty(extra) {
        deps.store.write(attempts::forgive(&limits)).await?;
        return Err(asked(deps.captcha.challenge_harder(now, extra)));
    }
    Ok(limits)
}

/// The writes that clear the name's shared counts (its window and its captcha'd attempts
/// of the day), for the write that completes a recovery or a reset of its password: the
/// owner proved who they are, and logs in next without a captcha.
pub(crate) fn cleared(deps: &Deps, login_key: &str, now: Timestamp) -> Vec<Write> {
    [
        name_window(deps, login_key, now),
        name_stepped(login_key, now),
    ]
    .iter()
    .map(|limit| Write::delete(limit.key().clone(), Condition::None))
    .collect()
}

/// The name's window, from anywhere: `logins_per_window` in each `login_window_minutes`.
fn name_window(deps: &Deps, login_key: &str, now: Timestamp) -> Limit {
    let budgets = &deps.profile.attempts;
    Limit::per_window(
        Subject::Login(login_key),
        "WINDOW",
        budgets.logins_per_window,
        budgets.login_window_minutes * MINUTE,
        now,
    )
}

/// The name's captcha'd attempts of the day: never refused, counted for the difficulty.
fn name_stepped(login_key: &str, now: Timestamp) -> Limit {
    Limit::per_window(Subject::Login(login_key), "STEPPED", u32::MAX, DAY, now)
}

/// How many bits harder the captcha is for the `attempts`-th captcha'd attempt of the day
/// on one name: one more at each doubling past the window's allowance.
fn extra_bits(attempts: u64, per_window: u32) -> u8 {
    let doublings = (attempts / u64::from(per_window.max(1))).checked_ilog2();
    doublings.map_or(0, |d| d.min(u32::from(MAX_EXTRA_BITS)) as u8)
}

fn delayed(retry_after: i64) -> Error {
    Error::LoginDelayed { retry_after }
}

fn source_limit(retry_after: i64) -> Error {
    Error::SourceLimit { retry_after }
}

fn captcha_required() -> Error {
    Error::CaptchaRequired { challenge: None }
}

/// `captcha_required`, with the challenge to solve.
fn asked(challenge: captcha::Challenge) -> Error {
    Error::CaptchaRequired {
        challenge: Some(Box::new(serde_json::json!(challenge))),
    }
}

/// Logins by a passkey alone begun from one client address (an IPv6 client's /64) in a
/// day, as many as `logins_per_source_per_day`, then `source_limit`: the ceremonies they
/// store are bounded. Counted apart from password logins, so that a flood of them does not
/// stop an office's passwords; not given back when a login succeeds (a ceremony is
/// unauthenticated when it begins, and its answer may come the next day).
pub(crate) async fn admit_passkey_login(
    deps: &Deps,
    source: IpAddr,
    now: Timestamp,
) -> Result<(), Error> {
    let limit = Limit::per_window(
        Subject::Source(&source_key(source)),
        "PASSKEYLOGINS",
        deps.profile.attempts.logins_per_source_per_day,
        DAY,
        now,
    )
    .refused_with(Refusal::Until(source_limit));
    attempts::count(deps, &[limit], None).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_captcha_gets_harder_at_each_doubling_and_no_harder_than_the_cap() {
        let bits: Vec<u8> = [1, 10, 19, 20, 39, 40, 80, 160, 640, 100_000]
            .iter()
            .map(|&n| extra_bits(n, 10))
            .collect();
        assert_eq!(bits, [0, 0, 0, 1, 1, 2, 3, 4, 6, 6]);
    }
}
