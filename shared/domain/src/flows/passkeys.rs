//! Passkeys (issue 24, item 3): a person adds one (the password again, then a registration
//! ceremony), names it, removes it; anyone logs in with one alone (a discoverable ceremony).
//! Each ceremony's state waits in a flow of 5 minutes that one answer ends, right or wrong:
//! a state is never used twice. A passkey's answer is a signature, not a secret typed, so
//! wrong answers are not counted against the account (an attacker cannot guess one, and
//! counting them would let a stranger lock the owner out); the single-use ceremony, and for
//! a login by passkey the address's daily budget of them, bound them.

use crate::base::clock::MINUTE;
use crate::base::crypto::passkeys::{self, RelyingParty, Started};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::messages::Notice;
use crate::base::random::new_id;
use crate::base::store::{Item, Write};
use crate::base::tokens::{Amr, Authentication};
use crate::flows::factors::settable;
use crate::flows::selfservice::reauthenticated;
use crate::flows::stored::{self, flow, Flow, Header};
use crate::limits::audit::{self, Event};
use crate::limits::login_delay;
use crate::limits::sending;
use crate::records::accounts::Account;
use crate::records::factors::{new_recovery_codes, PasskeyOnFile, PasskeyView, MAX_PASSKEYS};
use crate::sign_in::login::may_log_in;
use crate::sign_in::login::password_typed_again;
use crate::sign_in::sessions::{self, authenticate, Session};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::net::IpAddr;

/// How long a ceremony waits for the authenticator's answer.
pub const LIFETIME: i64 = 5 * MINUTE;

/// The longest name a person gives a passkey.
pub const MAX_NAME_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Waiting,
    /// Answered, rightly or not: its state is spent.
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Adding a passkey to the account in `account_id`.
    Registration,
    /// Logging in by a passkey alone.
    Login,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Ceremony {
    #[serde(flatten)]
    pub header: Header<State>,
    pub purpose: Purpose,
    /// The account a registration is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// webauthn-rs's state, as text.
    pub ceremony: String,
}

flow!(Ceremony, State, ended: State::Ended);

/// A ceremony begun: the options for the browser, and the flow its answer goes to.
#[derive(Debug, Clone, Serialize)]
pub struct CeremonyStarted {
    pub flow_id: String,
    /// For `navigator.credentials.create` or `get`: `{"publicKey": {...}}`, byte strings
    /// in base64url (`PublicKeyCredential.parseCreationOptionsFromJSON`).
    pub options: Value,
    pub expires_at: i64,
}

/// A passkey added; the first second factor of an account comes with its recovery codes,
/// shown once.
#[derive(Debug, Clone, Serialize)]
pub struct Added {
    pub passkey: PasskeyView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_codes: Option<Vec<String>>,
}

pub fn relying_party(deps: &Deps) -> Result<RelyingParty, Error> {
    RelyingParty::new(&deps.profile.passkeys, &deps.profile.display_name)
}

fn begin(
    deps: &Deps,
    purpose: Purpose,
    account_id: Option<&str>,
    started: Started,
) -> (Ceremony, CeremonyStarted) {
    let now = deps.clock.now();
    let id = match account_id {
        Some(account_id) => format!("{}.{account_id}", new_id(deps.random.as_ref())),
        None => new_id(deps.random.as_ref()),
    };
    let flow = Ceremony {
        header: Header::new(id, State::Waiting, now, now.0 + LIFETIME),
        purpose,
        account_id: account_id.map(str::to_string),
        ceremony: started.state,
    };
    let answer = CeremonyStarted {
        flow_id: flow.header.id.clone(),
        options: started.options,
        expires_at: flow.header.expires_at,
    };
    (flow, answer)
}

/// The flow `flow_id` of `purpose`, live: read with `with` in one request.
async fn waiting(
    deps: &Deps,
    flow_id: &str,
    purpose: Purpose,
    with: Option<crate::base::store::Key>,
) -> Result<(Item, Ceremony, Option<Item>), Error> {
    let mut wanted = vec![keys::flow(flow_id)];
    wanted.extend(with);
    let mut items = deps.store.get_many(&wanted).await?.into_iter();
    let (item, flow): (Item, Ceremony) = stored::found(items.next().flatten())?;
    flow.check(deps.clock.now(), |s| *s == State::Waiting)?;
    if flow.purpose != purpose {
        return Err(Error::FlowNotFound);
    }
    Ok((item, flow, items.next().flatten()))
}

/// Ends a ceremony its answer did not complete, and gives `refusal` back.
async fn spent(deps: &Deps, item: &Item, mut flow: Ceremony, refusal: Error) -> Error {
    flow.header.state = State::Ended;
    match stored::end(deps, Write::replace(item, &flow)).await {
        Ok(()) => refusal,
        Err(e) => e,
    }
}

/// Starts adding a passkey (the password again): the options for
/// `navigator.credentials.create`, for the person's handle, excluding their passkeys.
pub async fn start_registration(
    deps: &Deps,
    token: &str,
    password: &str,
) -> Result<CeremonyStarted, Error> {
    let found = authenticate(deps, token, |_| Vec::new()).await?;
    // A session opened only to set up a second factor may add a passkey as its first.
    settable(found.claims.scope)?;
    let forgiven = password_typed_again(deps, &found.account, password).await?;
    let mut account = found.account;
    if account.factors.passkeys.len() >= MAX_PASSKEYS {
        return Err(Error::TooManyPasskeys);
    }
    let mut writes = forgiven;
    let handle = match &account.factors.passkey_handle {
        Some(handle) => handle.clone(),
        None => {
            let handle = passkeys::new_user_handle(deps.random.as_ref());
            account.factors.passkey_handle = Some(handle.clone());
            writes.push(Write::replace(&found.item, &account));
            writes.push(Write::put(Item::new(
                keys::passkey_handle(&handle),
                &HandleOwner {
                    account_id: account.id.clone(),
                },
            )));
            handle
        }
    };
    let started = relying_party(deps)?.start_registration(
        &handle,
        &account.email,
        &account.factors.passkey_keys(),
    )?;
    let (flow, answer) = begin(deps, Purpose::Registration, Some(&account.id), started);
    writes.push(stored::create(&flow));
    deps.store.write(writes).await?;
    Ok(answer)
}

/// What the lookup item of a passkey handle holds.
#[derive(Debug, Serialize, Deserialize)]
struct HandleOwner {
    account_id: String,
}

/// The authenticator's answer to a registration: the passkey, named, is the account's
/// (login asks for a second factor from now on). The ceremony ends either way.
pub async fn finish_registration(
    deps: &Deps,
    token: &str,
    flow_id: &str,
    name: &str,
    answer: &Value,
) -> Result<Added, Error> {
    let found = authenticate(deps, token, |_| vec![keys::flow(flow_id)]).await?;
    settable(found.claims.scope)?;
    let now = deps.clock.now();
    let (item, flow): (Item, Ceremony) = stored::found(found.extra.into_iter().next().flatten())?;
    flow.check(now, |s| *s == State::Waiting)?;
    if flow.purpose != Purpose::Registration
        || flow.account_id.as_deref() != Some(&found.account.id)
    {
        return Err(Error::FlowNotFound);
    }
    let mut account = found.account;
    let key = match relying_party(deps)?.finish_registration(&flow.ceremony, answer) {
        Ok(key) => key,
        Err(refusal) => return Err(spent(deps, &item, flow, refusal).await),
    };
    if account.factors.passkeys.len() >= MAX_PASSKEYS {
        return Err(spent(deps, &item, flow, Error::TooManyPasskeys).await);
    }
    let passkey = PasskeyOnFile {
        id: new_id(deps.random.as_ref()),
        name: name.to_string(),
        key,
        created_at: now.0,
        last_used_at: None,
    };
    let view = passkey.view();
    account.factors.passkeys.push(passkey);
    account.factors.due_at = None;
    let recovery_codes = if account.factors.recovery_codes.is_empty() {
        let (codes, kept) = new_recovery_codes(deps);
        account.factors.recovery_codes = kept;
        Some(codes)
    } else {
        None
    };
    let mut ended = flow;
    ended.header.state = State::Ended;
    let mut writes = vec![
        Write::replace(&item, &ended),
        Write::replace(&found.item, &account),
    ];
    writes.extend(audit::record(
        deps,
        Event::personal("second_factor_added", Some(&account), "passkey"),
        now,
    ));
    writes.extend(sending::notice(deps, &account, Notice::PasskeyAdded).await?);
    deps.store.write(writes).await?;
    Ok(Added {
        passkey: view,
        recovery_codes,
    })
}

/// Removes one passkey (the password again). The last second factor gone, the recovery
/// codes go with it.
pub async fn remove(
    deps: &Deps,
    token: &str,
    passkey_id: &str,
    password: &str,
) -> Result<(), Error> {
    let found = authenticate(deps, token, |_| Vec::new()).await?;
    let forgiven = reauthenticated(deps, &found, password).await?;
    let mut account = found.account;
    let before = account.factors.passkeys.len();
    account.factors.passkeys.retain(|p| p.id != passkey_id);
    if account.factors.passkeys.len() == before {
        return Err(Error::PasskeyNotFound);
    }
    let now = deps.clock.now();
    crate::flows::factors::none_left(deps, &mut account, now);
    let mut writes = vec![Write::replace(&found.item, &account)];
    writes.extend(forgiven);
    writes.extend(audit::record(
        deps,
        Event::personal("second_factor_removed", Some(&account), "passkey"),
        now,
    ));
    writes.extend(sending::notice(deps, &account, Notice::PasskeyRemoved).await?);
    deps.store.write(writes).await.map_err(Error::from)
}

/// Starts a login by a passkey alone: counted in the client address's daily logins by
/// passkey (`login_delay::admit_passkey_login`), so that nobody fills the store with
/// ceremonies.
pub async fn start_login(deps: &Deps, source: IpAddr) -> Result<CeremonyStarted, Error> {
    let now = deps.clock.now();
    login_delay::admit_passkey_login(deps, source, now).await?;
    let started = relying_party(deps)?.start_discoverable()?;
    let (flow, answer) = begin(deps, Purpose::Login, None, started);
    deps.store.write(vec![stored::create(&flow)]).await?;
    Ok(answer)
}

/// The authenticator's answer to a login by passkey: a session whose token says two
/// factors (`amr`: `hwk`, `mfa`). The ceremony ends either way; an answer naming nobody, a
/// passkey the account no longer has, or a signature that does not verify is
/// `passkey_not_verified`.
pub async fn log_in(deps: &Deps, flow_id: &str, answer: &Value) -> Result<Session, Error> {
    let handle = RelyingParty::claimed_handle(answer)?;
    let (item, flow, owner) = waiting(
        deps,
        flow_id,
        Purpose::Login,
        Some(keys::passkey_handle(&handle)),
    )
    .await?;
    let owner: Option<HandleOwner> = owner.map(|i| i.parse()).transpose()?;
    let Some(owner) = owner else {
        return Err(spent(deps, &item, flow, Error::PasskeyNotVerified).await);
    };
    let account_item = deps.store.get(&keys::account(&owner.account_id)).await?;
    let Some(account_item) = account_item else {
        return Err(spent(deps, &item, flow, Error::PasskeyNotVerified).await);
    };
    let mut account: Account = account_item.parse()?;
    if account.factors.passkey_handle.as_deref() != Some(&handle) {
        return Err(spent(deps, &item, flow, Error::PasskeyNotVerified).await);
    }
    let now = deps.clock.now();
    let rp = relying_party(deps)?;
    if let Err(refusal) = account
        .factors
        .passkey_used(&rp, &flow.ceremony, answer, true, now.0)
    {
        let failed = audit::record(
            deps,
            Event::personal("login_passkey", Some(&account), refusal.describe().code),
            now,
        );
        if let Err(e) = deps.store.write(failed).await {
            tracing::warn!(event = "login_failure_not_recorded", error = %e, "a failed passkey login was not recorded");
        }
        return Err(spent(deps, &item, flow, refusal).await);
    }
    if let Err(refusal) = may_log_in(deps, &account, now) {
        return Err(spent(deps, &item, flow, refusal).await);
    }
    let mut ended = flow;
    ended.header.state = State::Ended;
    let authentication = Authentication::by(&[Amr::Hwk], now);
    let (session, write) = sessions::open(deps, &account, authentication, now)?;
    let mut writes = vec![
        Write::replace(&item, &ended),
        Write::replace(&account_item, &account),
        write,
    ];
    writes.extend(sessions::ending_oldest(deps, &account).await?);
    writes.extend(audit::record(
        deps,
        Event::personal("login", Some(&account), "passkey"),
        now,
    ));
    // Two answers to one ceremony: one wins, the other is `Conflict`.
    deps.store.write(writes).await?;
    Ok(session)
}

/// A name given to a passkey: trimmed, 1 to 64 characters, no control characters.
pub fn passkey_name(typed: &str) -> Option<String> {
    let name = typed.trim();
    let fits = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !name.chars().any(char::is_control);
    fits.then(|| name.to_string())
}
