//! Logging in with a login name and a password or a temporary password (every attempt
//! counted first, `login_delay`), and a password typed again before a sensitive change.

use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::store::{Condition, Item, Write};
use crate::base::tokens::{Amr, Authentication, Scope};
use crate::limits::attempts::{self, Limit, Subject};
use crate::limits::audit::{self, Event};
use crate::limits::login_delay;
use crate::records::accounts::{Account, LoginName, TemporaryPassword};
use crate::sign_in::sessions::{self, Session};
use std::net::IpAddr;

/// One login attempt: the name and password typed, the client's address, and the captcha
/// solved when the answer asked for one (`captcha_required`).
pub struct Attempt<'a> {
    pub name: &'a LoginName,
    pub password: &'a str,
    pub source: IpAddr,
    pub captcha: Option<&'a str>,
}

/// What a right first factor leads to.
pub enum FirstFactor {
    /// One factor is all the account has: its session, stored.
    Session(Session),
    /// The account has a second factor: the login goes on in a flow
    /// (`flows::login_flow`), whose item the caller writes with `writes` (the attempt
    /// taken back, a temporary password used up, the audit); a write that fails its
    /// condition means the temporary password was used meanwhile (`InvalidCredentials`).
    SecondNeeded {
        account: Box<Account>,
        /// What the session will be allowed once the second factor is right.
        scope: Scope,
        first: Authentication,
        writes: Vec<Write>,
    },
}

/// Login by login name (email, username or line) and password, or by login name and a
/// temporary password from recovery (which opens a session that can only change the
/// password, and is then used up). Every attempt is counted before the password is checked
/// (`login_delay`: per name a captcha past its window, never a refusal of the name; per
/// name and address, and per address). An unknown name costs the same work and answers the
/// same: one argon2 computation, compared with the password's tag and a pending temporary
/// password's (hashed under the same salt, `SecretHasher::hash_like`), or a dummy's.
/// One counting update (after spending a captcha, when one came), one query, the check,
/// and one write; a successful login reads the account's sessions too (`ending_oldest`).
/// An account with a second factor gets no session here: `FirstFactor::SecondNeeded`.
pub async fn login(deps: &Deps, attempt: Attempt<'_>) -> Result<FirstFactor, Error> {
    let now = deps.clock.now();
    let login_key = attempt.name.key(deps);
    let limits = login_delay::count(deps, &login_key, attempt.source, attempt.captcha, now).await?;
    let items = deps
        .store
        .query_index(
            crate::base::store::Index::Gsi1,
            &keys::login_index(&login_key),
            10,
        )
        .await?;
    let find = |key: crate::base::store::Key| items.iter().find(|i| i.key.sk == key.sk);
    let account_item = find(keys::account(""));
    let account = account_item
        .map(|item| item.parse::<Account>())
        .transpose()?;
    let temporary = find(keys::temporary_password(""));
    let pending = pending_temporary(temporary, account.as_ref(), now)?;
    let (verified, temporary_fits) = deps.hasher.verify_either(
        attempt.password,
        account.as_ref().and_then(|a| a.password_hash.as_deref()),
        pending.as_ref().map(|t| t.hash.as_str()),
    );
    let first = Authentication::by(&[Amr::Pwd], now);
    // The owner's login does not spend what others' failures may use.
    let mut writes: Vec<Write> = crate::limits::attempts::forgive(&limits);
    match account {
        Some(account) if verified => {
            may_log_in(deps, &account, now)?;
            if account.factors.any() {
                writes.extend(audit::record(
                    deps,
                    Event::personal("login_first_factor", Some(&account), "ok"),
                    now,
                ));
                let scope = Scope::Account;
                return Ok(FirstFactor::SecondNeeded {
                    account: Box::new(account),
                    scope,
                    first,
                    writes,
                });
            }
            let mut account = account;
            let due_at = match second_factor_due(deps, &account, now) {
                Some(due_at) if account.factors.due_at.is_none() => {
                    // The first login that finds it missing starts the grace period.
                    account.factors.due_at = Some(due_at);
                    let item = account_item.ok_or(Error::InvalidCredentials)?;
                    writes.push(Write::replace(item, &account));
                    Some(due_at)
                }
                due_at => due_at,
            };
            if due_at.is_some_and(|due_at| now.0 >= due_at) {
                // Past the grace period: the session can only set the second factor up.
                writes.extend(audit::record(
                    deps,
                    Event::personal("login", Some(&account), "second_factor_setup"),
                    now,
                ));
                deps.store.write(writes).await?;
                let scope = Scope::SecondFactorSetup;
                let session = sessions::one_scope_only(deps, &account, scope, first, now)?;
                return Ok(FirstFactor::Session(session));
            }
            let (mut session, write) = sessions::open(deps, &account, first, now)?;
            session.second_factor_due_at = due_at;
            writes.push(write);
            writes.extend(sessions::ending_oldest(deps, &account).await?);
            writes.extend(audit::record(
                deps,
                Event::personal("login", Some(&account), "ok"),
                now,
            ));
            // The account changed meanwhile (another login started its grace period):
            // `Conflict`, as every lost race.
            deps.store.write(writes).await?;
            Ok(FirstFactor::Session(session))
        }
        Some(account) => match temporary {
            Some(item) if temporary_fits => {
                may_log_in(deps, &account, now)?;
                // Single use: of two logins racing with one temporary password, one wins.
                writes.push(Write::delete(
                    item.key.clone(),
                    Condition::Version(item.version),
                ));
                writes.extend(audit::record(
                    deps,
                    Event::personal("login_temporary_password", Some(&account), "ok"),
                    now,
                ));
                if account.factors.any() {
                    // A recovery gives the password back, not the second factor.
                    let scope = Scope::PasswordChange;
                    return Ok(FirstFactor::SecondNeeded {
                        account: Box::new(account),
                        scope,
                        first,
                        writes,
                    });
                }
                deps.store
                    .write(writes)
                    .await
                    .map_err(|_| Error::InvalidCredentials)?;
                Ok(FirstFactor::Session(sessions::one_scope_only(
                    deps,
                    &account,
                    Scope::PasswordChange,
                    first,
                    now,
                )?))
            }
            _ => Err(failed(deps, Some(&account), now).await),
        },
        None => Err(failed(deps, None, now).await),
    }
}

/// For an account the profile's policy asks a second factor of and that has none: until
/// when the password alone logs in (the grace period from the first such login).
fn second_factor_due(
    deps: &Deps,
    account: &Account,
    now: crate::base::clock::Timestamp,
) -> Option<i64> {
    if account.factors.any() || !must_have_second_factor(deps, account, now) {
        return None;
    }
    let grace = deps.profile.second_factor.grace_days * crate::base::clock::DAY;
    Some(account.factors.due_at.unwrap_or(now.0 + grace))
}

/// Whether the profile's policy asks `account` for a second factor: of everyone, or of
/// those whose role in a company manages people.
pub(crate) fn must_have_second_factor(
    deps: &Deps,
    account: &Account,
    now: crate::base::clock::Timestamp,
) -> bool {
    let manages = account
        .memberships
        .iter()
        .filter(|m| m.usable(&deps.profile, now.0))
        .any(|m| deps.profile.manages(&m.role));
    deps.profile.second_factor.required.applies(manages)
}

/// The account's password, typed again by one of its sessions before a sensitive change:
/// counted against the account's daily budget before it is checked, so that a stolen
/// access token cannot guess it for as long as its session lives.
/// Answers, when it is right, the writes that take the attempt back (for the step's write).
pub(crate) async fn password_typed_again(
    deps: &Deps,
    account: &Account,
    typed: &str,
) -> Result<Vec<Write>, Error> {
    let now = deps.clock.now();
    let limits = [Limit::per_day(deps, Subject::Account(&account.id), now)];
    let guess = attempts::guess(
        deps,
        &limits,
        Some(&account.id),
        typed,
        account.password_hash.as_deref(),
    )
    .await?;
    if guess.right {
        Ok(guess.forgiven)
    } else {
        Err(Error::CurrentPasswordWrong)
    }
}

/// Whether the account has anything to log in to. N3: a company role whose card is past its
/// grace period leaves nothing.
pub(crate) fn may_log_in(
    deps: &Deps,
    account: &Account,
    now: crate::base::clock::Timestamp,
) -> Result<(), Error> {
    if !account.memberships.is_empty()
        && !account
            .memberships
            .iter()
            .any(|m| m.usable(&deps.profile, now.0))
    {
        return Err(Error::ValidCardRequired);
    }
    Ok(())
}

/// The account's unexpired temporary password (`item`), if one is pending.
fn pending_temporary(
    item: Option<&Item>,
    account: Option<&Account>,
    now: crate::base::clock::Timestamp,
) -> Result<Option<TemporaryPassword>, Error> {
    let temporary: Option<TemporaryPassword> = item.map(Item::parse).transpose()?;
    Ok(temporary.filter(|t| account.is_some_and(|a| a.id == t.account_id) && t.expires_at > now.0))
}

/// Records a failed login in the audit trail of `account`'s companies and gives the
/// answer: wrong credentials (the attempt was counted before the check). A failure that
/// cannot be recorded answers the same.
async fn failed(
    deps: &Deps,
    account: Option<&Account>,
    now: crate::base::clock::Timestamp,
) -> Error {
    let error = Error::InvalidCredentials;
    // Counted by the alarm on the rate of failed logins (spraying, a targeted attack).
    tracing::info!(event = "login_failed", "a login failed");
    let writes = audit::record_alike(
        deps,
        Event::personal("login_failed", account, error.describe().code),
        now,
    );
    if let Err(e) = deps.store.write(writes).await {
        tracing::warn!(event = "login_failure_not_recorded", error = %e, "a failed login was not recorded");
    }
    error
}
