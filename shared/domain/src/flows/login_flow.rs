//! The login flow: a right first factor for an account with a second factor opens a short
//! flow (`POST /sessions` answers its id and the factors on offer), and the second step
//! completes it with a code of the authenticator app, a passkey (whose ceremony the flow
//! holds, started with it) or a recovery code. Codes and passkey answers are counted
//! before they are checked, per flow and in the account's daily budget, and each is good
//! once: the step that accepts it writes the account (the authenticator's last step, the
//! recovery code gone) on the version it read, so that of two steps with one code one wins.

use crate::base::clock::{Timestamp, MINUTE};
use crate::base::crypto::totp;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::messages::Notice;
use crate::base::random::new_id;
use crate::base::store::{Item, StoreError, Write};
use crate::base::tokens::{Amr, Authentication, Scope};
use crate::flows::stored::{self, flow, Flow, Header};
use crate::limits::attempts::{self, Limit, Subject};
use crate::limits::audit::{self, Event};
use crate::records::accounts::Account;
use crate::records::factors::{open_seed, recovery_code_lookup};
use crate::sign_in::login::{self, FirstFactor};
use crate::sign_in::sessions::{self, Session};
use serde::{Deserialize, Serialize};

/// How long a person has for the second step.
const LIFETIME: i64 = 5 * MINUTE;

/// The second factors a login flow may be completed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// A code of the authenticator app (`POST /logins/{flow_id}/totp`).
    Totp,
    /// One of the recovery codes (`POST /logins/{flow_id}/recovery-code`).
    RecoveryCode,
    /// A passkey (`POST /logins/{flow_id}/passkey`), with the options the flow began with.
    Passkey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    AwaitingSecondFactor,
    Completed,
    /// Its tries spent.
    Ended,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LoginFlow {
    #[serde(flatten)]
    pub header: Header<State>,
    pub account_id: String,
    /// What the session may do once complete (a temporary password's: change it).
    pub scope: Scope,
    /// The first factor's proof.
    pub first: Authentication,
    /// The account's password version at the first factor: a password changed since (by its
    /// owner, after a recovery, say) ends the flow.
    #[serde(default)]
    pub pwv: u32,
    /// The passkey ceremony (webauthn-rs's state), for an account with passkeys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey: Option<String>,
}

flow!(LoginFlow, State, ended: State::Ended);

/// What `POST /sessions` answers when a second factor is needed.
#[derive(Debug, Clone, Serialize)]
pub struct SecondFactorNeeded {
    pub flow_id: String,
    pub next: &'static str,
    pub factors: Vec<Factor>,
    /// With `passkey` among the factors: the options for `navigator.credentials.get`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passkey_options: Option<serde_json::Value>,
    pub expires_at: i64,
}

/// What a login leads to: a session, or the second step.
pub enum Login {
    Session(Session),
    SecondFactor(SecondFactorNeeded),
}

/// Login with a first factor (`sign_in::login`): the session when it is all the account
/// has, otherwise the flow of its second step, stored with the first factor's writes.
pub async fn login(deps: &Deps, attempt: login::Attempt<'_>) -> Result<Login, Error> {
    match login::login(deps, attempt).await? {
        FirstFactor::Session(session) => Ok(Login::Session(session)),
        FirstFactor::SecondNeeded {
            account,
            scope,
            first,
            mut writes,
        } => {
            let now = deps.clock.now();
            let ceremony = if account.factors.passkeys.is_empty() {
                None
            } else {
                let keys = account.factors.passkey_keys();
                Some(crate::flows::passkeys::relying_party(deps)?.start_authentication(&keys)?)
            };
            let (passkey, passkey_options) = match ceremony {
                Some(started) => (Some(started.state), Some(started.options)),
                None => (None, None),
            };
            let flow = LoginFlow {
                header: Header::new(
                    format!("{}.{}", new_id(deps.random.as_ref()), account.id),
                    State::AwaitingSecondFactor,
                    now,
                    now.0 + LIFETIME,
                ),
                account_id: account.id.clone(),
                scope,
                first,
                pwv: account.password_version,
                passkey,
            };
            writes.push(stored::create(&flow));
            deps.store.write(writes).await.map_err(|e| match e {
                StoreError::ConditionFailed { .. } => Error::InvalidCredentials,
                e => e.into(),
            })?;
            Ok(Login::SecondFactor(SecondFactorNeeded {
                factors: offered(&account),
                passkey_options,
                flow_id: flow.header.id,
                next: "second_factor",
                expires_at: flow.header.expires_at,
            }))
        }
    }
}

fn offered(account: &Account) -> Vec<Factor> {
    let mut factors = Vec::new();
    if account.factors.authenticator.is_some() {
        factors.push(Factor::Totp);
    }
    if !account.factors.passkeys.is_empty() {
        factors.push(Factor::Passkey);
    }
    if !account.factors.recovery_codes.is_empty() {
        factors.push(Factor::RecoveryCode);
    }
    factors
}

/// The second step with a code of the authenticator app.
pub async fn verify_totp(deps: &Deps, flow_id: &str, typed: &str) -> Result<Session, Error> {
    second_step(deps, flow_id, Factor::Totp, |_, account, now| {
        let authenticator = account
            .factors
            .authenticator
            .as_mut()
            .ok_or(Error::NoSecondFactor)?;
        let seed = open_seed(deps, &account.id, &authenticator.seed)
            .ok_or_else(|| Error::Internal("an authenticator seed does not open".into()))?;
        match totp::matching_step(&seed, typed.trim(), now, authenticator.last_step) {
            Some(step) => {
                authenticator.last_step = step;
                Ok(true)
            }
            None => Ok(false),
        }
    })
    .await
}

/// The second step with one of the recovery codes, used up by it.
pub async fn use_recovery_code(deps: &Deps, flow_id: &str, typed: &str) -> Result<Session, Error> {
    let lookup = recovery_code_lookup(deps, typed);
    second_step(deps, flow_id, Factor::RecoveryCode, |_, account, _| {
        let codes = &mut account.factors.recovery_codes;
        if codes.is_empty() {
            return Err(Error::NoSecondFactor);
        }
        let before = codes.len();
        codes.retain(|kept| *kept != lookup);
        Ok(codes.len() < before)
    })
    .await
}

/// The second step with a passkey: the authenticator's answer to the flow's ceremony. A
/// right one updates the passkey's counter, on the account's version read.
pub async fn verify_passkey(
    deps: &Deps,
    flow_id: &str,
    answer: &serde_json::Value,
) -> Result<Session, Error> {
    second_step(deps, flow_id, Factor::Passkey, |flow, account, now| {
        let ceremony = flow.passkey.as_deref().ok_or(Error::NoSecondFactor)?;
        let rp = crate::flows::passkeys::relying_party(deps)?;
        match account
            .factors
            .passkey_used(&rp, ceremony, answer, false, now.0)
        {
            Ok(()) => Ok(true),
            Err(Error::PasskeyNotVerified) => Ok(false),
            Err(e) => Err(e),
        }
    })
    .await
}

/// A second step: the flow and the account read together, the flow checked, the try
/// counted (the flow's tries, then the account's daily budget), then `right` checks the
/// code and changes the account so that it is not good again. A right code completes the
/// flow and opens the session in one write with the account's change, on the versions read.
async fn second_step(
    deps: &Deps,
    flow_id: &str,
    factor: Factor,
    right: impl FnOnce(&LoginFlow, &mut Account, Timestamp) -> Result<bool, Error>,
) -> Result<Session, Error> {
    let now = deps.clock.now();
    let account_id = stored::carried_id(flow_id)?;
    let mut items = deps
        .store
        .get_many(&[keys::flow(flow_id), keys::account(account_id)])
        .await?
        .into_iter();
    let (item, mut flow): (Item, LoginFlow) = stored::found(items.next().flatten())?;
    flow.check(now, |s| *s == State::AwaitingSecondFactor)?;
    let account_item = items.next().flatten().ok_or(Error::FlowEnded)?;
    let mut account: Account = account_item.parse()?;
    if account.password_version != flow.pwv {
        // The password this flow was opened with is no longer the account's.
        return Err(Error::FlowEnded);
    }
    let limits = [
        Limit::per_flow(
            flow_id,
            "second-factor",
            deps.profile.codes.max_tries,
            flow.header.expires_at,
        ),
        Limit::per_day(deps, Subject::Account(&account.id), now),
    ];
    let counted = attempts::count(deps, &limits, Some(&account.id)).await?;
    if !right(&flow, &mut account, now)? {
        let error = if counted.last(&limits, 0) {
            flow.header.state = State::Ended;
            stored::end(deps, Write::replace(&item, &flow)).await?;
            Error::TooManyAttempts
        } else if factor == Factor::Passkey {
            Error::PasskeyNotVerified
        } else {
            Error::CodeNotCorrect
        };
        let failed = audit::record(
            deps,
            Event::personal("login_second_factor", Some(&account), error.describe().code),
            now,
        );
        if let Err(e) = deps.store.write(failed).await {
            tracing::warn!(event = "login_failure_not_recorded", error = %e, "a failed second factor was not recorded");
        }
        return Err(error);
    }
    login::may_log_in(deps, &account, now)?;
    flow.header.state = State::Completed;
    let mut methods = flow.first.amr.clone();
    methods.push(match factor {
        Factor::Passkey => Amr::Hwk,
        Factor::Totp | Factor::RecoveryCode => Amr::Otp,
    });
    let authentication = Authentication::by(&methods, now);
    let mut writes = vec![
        Write::replace(&item, &flow),
        Write::replace(&account_item, &account),
    ];
    writes.extend(attempts::forgive(&limits[1..]));
    let action = match factor {
        Factor::Totp | Factor::Passkey => "login",
        Factor::RecoveryCode => "login_recovery_code",
    };
    writes.extend(audit::record(
        deps,
        Event::personal(action, Some(&account), "ok"),
        now,
    ));
    if factor == Factor::RecoveryCode {
        let left = account.factors.recovery_codes.len();
        let notice = Notice::RecoveryCodeUsed { left };
        writes.extend(crate::limits::sending::notice(deps, &account, notice).await?);
    }
    let session = match flow.scope {
        Scope::Account => {
            let (session, write) = sessions::open(deps, &account, authentication, now)?;
            writes.push(write);
            writes.extend(sessions::ending_oldest(deps, &account).await?);
            session
        }
        Scope::PasswordChange => {
            sessions::one_scope_only(deps, &account, Scope::PasswordChange, authentication, now)?
        }
        // A login flow is for an account with a second factor, which needs no setup.
        Scope::SecondFactorSetup => return Err(Error::WrongStep),
    };
    // Another step with the same code, or the same flow, got there first: `Conflict`.
    deps.store.write(writes).await?;
    Ok(session)
}
