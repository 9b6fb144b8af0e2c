//! A person's second factors: an authenticator app set up (its seed shown once, as text and
//! as an `otpauth://` URI for a QR code; set up only when a first code is right) and removed,
//! and recovery codes (a set of ten, shown once, made when the app is set up and on demand,
//! a new set voiding the old). Each change asks for the password again, counted like every
//! password typed, and is audited.

use crate::base::clock::{Timestamp, MINUTE};
use crate::base::crypto::totp;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::messages::Notice;
use crate::base::random::new_id;
use crate::base::store::Write;
use crate::base::tokens::Scope;
use crate::flows::selfservice::reauthenticated;
use crate::limits::attempts::{self, Limit, Subject};
use crate::limits::audit::{self, Event};
use crate::limits::sending;
use crate::records::accounts::Account;
use crate::records::factors::{new_recovery_codes, new_seed, open_seed};
use crate::records::factors::{Authenticator, PendingAuthenticator};
use crate::sign_in::sessions::authenticate;
use serde::Serialize;

/// How long a setup waits for its first code.
const SETUP_MINUTES: i64 = 10;

/// An authenticator app's setup, as the person sees it once.
#[derive(Debug, Clone, Serialize)]
pub struct Setup {
    /// The seed in base32, to type into the app.
    pub secret: String,
    /// The same for a QR code.
    pub otpauth_uri: String,
    pub digits: u32,
    pub period: i64,
    /// Until when the first code sets it up.
    pub expires_at: i64,
}

/// Recovery codes, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Starts setting up an authenticator app: a new seed, kept sealed in the account until the
/// app's first code comes back (`confirm_authenticator`). One app per account: another is
/// set up once this one is removed.
pub async fn start_authenticator(deps: &Deps, token: &str, password: &str) -> Result<Setup, Error> {
    let found = authenticate(deps, token, |_| Vec::new()).await?;
    settable(found.claims.scope)?;
    let forgiven =
        crate::sign_in::login::password_typed_again(deps, &found.account, password).await?;
    let mut account = found.account;
    if account.factors.authenticator.is_some() {
        return Err(Error::AuthenticatorEnrolled);
    }
    let now = deps.clock.now();
    let (seed, sealed) = new_seed(deps, &account.id);
    let expires_at = now.0 + SETUP_MINUTES * MINUTE;
    account.factors.pending = Some(PendingAuthenticator {
        seed: sealed,
        expires_at,
        round: new_id(deps.random.as_ref()),
    });
    let mut writes = vec![Write::replace(&found.item, &account)];
    writes.extend(forgiven);
    deps.store.write(writes).await?;
    Ok(Setup {
        secret: totp::base32(&seed),
        otpauth_uri: totp::otpauth_uri(issuer_name(deps), &account.email, &seed),
        digits: totp::DIGITS,
        period: totp::PERIOD,
        expires_at,
    })
}

/// The name an authenticator app shows beside the code: the portal's.
fn issuer_name(deps: &Deps) -> &str {
    &deps.profile.display_name
}

/// The app's first code: the app is set up (the code is its first used), and a first set of
/// recovery codes is made, shown once. Tries are counted before the code is checked, per
/// setup and in the account's daily budget; the last wrong try drops the setup.
pub async fn confirm_authenticator(
    deps: &Deps,
    token: &str,
    typed: &str,
) -> Result<RecoveryCodes, Error> {
    let found = authenticate(deps, token, |_| Vec::new()).await?;
    settable(found.claims.scope)?;
    let now = deps.clock.now();
    let mut account = found.account;
    let pending = account
        .factors
        .pending
        .clone()
        .filter(|p| p.expires_at > now.0)
        .ok_or(Error::NoPendingChange)?;
    let limits = [
        Limit::per_flow(
            &account.id,
            &pending.round,
            deps.profile.codes.max_tries,
            pending.expires_at,
        ),
        Limit::per_day(deps, Subject::Account(&account.id), now),
    ];
    let counted = attempts::count(deps, &limits, Some(&account.id)).await?;
    let seed = open_seed(deps, &account.id, &pending.seed)
        .ok_or_else(|| Error::Internal("an authenticator seed does not open".into()))?;
    let Some(step) = totp::matching_step(&seed, typed.trim(), now, 0) else {
        if counted.last(&limits, 0) {
            account.factors.pending = None;
            crate::flows::stored::end(deps, Write::replace(&found.item, &account)).await?;
            return Err(Error::TooManyAttempts);
        }
        return Err(Error::CodeNotCorrect);
    };
    account.factors.pending = None;
    account.factors.due_at = None;
    account.factors.authenticator = Some(Authenticator {
        seed: pending.seed,
        enrolled_at: now.0,
        last_step: step,
    });
    let (codes, kept) = new_recovery_codes(deps);
    account.factors.recovery_codes = kept;
    let mut writes = vec![Write::replace(&found.item, &account)];
    writes.extend(attempts::forgive(&limits[1..]));
    writes.extend(audit::record(
        deps,
        Event::personal("second_factor_added", Some(&account), "totp"),
        now,
    ));
    writes.extend(sending::notice(deps, &account, Notice::AuthenticatorAdded).await?);
    deps.store.write(writes).await?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

/// Removes the authenticator app; with the account's last second factor, the recovery codes
/// go too: login asks for the password alone again, and where the profile's policy asks a
/// second factor of the person, the next login's session can only set up another.
pub async fn remove_authenticator(deps: &Deps, token: &str, password: &str) -> Result<(), Error> {
    let found = authenticate(deps, token, |_| Vec::new()).await?;
    let forgiven = reauthenticated(deps, &found, password).await?;
    let mut account = found.account;
    if account.factors.authenticator.is_none() {
        return Err(Error::NoSecondFactor);
    }
    let now = deps.clock.now();
    account.factors.authenticator = None;
    none_left(deps, &mut account, now);
    let mut writes = vec![Write::replace(&found.item, &account)];
    writes.extend(forgiven);
    writes.extend(audit::record(
        deps,
        Event::personal("second_factor_removed", Some(&account), "totp"),
        now,
    ));
    writes.extend(sending::notice(deps, &account, Notice::AuthenticatorRemoved).await?);
    deps.store.write(writes).await.map_err(Error::from)
}

/// After a second factor was removed: with none left, the recovery codes go too, and where
/// the profile's policy asks one of the person, the next login can only set one up.
pub(crate) fn none_left(deps: &Deps, account: &mut Account, now: Timestamp) {
    if account.factors.any() {
        return;
    }
    account.factors.clear();
    if crate::sign_in::login::must_have_second_factor(deps, account, now) {
        account.factors.due_at = Some(now.0);
    }
}

/// A new set of recovery codes, shown once; the old set stops working.
pub async fn renew_recovery_codes(
    deps: &Deps,
    token: &str,
    password: &str,
) -> Result<RecoveryCodes, Error> {
    let found = authenticate(deps, token, |_| Vec::new()).await?;
    let forgiven = reauthenticated(deps, &found, password).await?;
    let mut account = found.account;
    if !account.factors.any() {
        return Err(Error::NoSecondFactor);
    }
    let (codes, kept) = new_recovery_codes(deps);
    account.factors.recovery_codes = kept;
    let mut writes = vec![Write::replace(&found.item, &account)];
    writes.extend(forgiven);
    writes.extend(audit::record(
        deps,
        Event::personal("recovery_codes_renewed", Some(&account), "ok"),
        deps.clock.now(),
    ));
    writes.extend(sending::notice(deps, &account, Notice::RecoveryCodesRenewed).await?);
    deps.store.write(writes).await?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

/// Refuses a token whose session may not set up a second factor: a full one may, and one
/// opened only to set it up.
pub(crate) fn settable(scope: Scope) -> Result<(), Error> {
    match scope {
        Scope::SecondFactorSetup => Ok(()),
        scope => scope.full(),
    }
}
