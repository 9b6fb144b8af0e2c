//! Login sessions: a short-lived signed access token (see `tokens`) and an opaque refresh
//! token, stored as a keyed hash beside the account and rotated at every use.
//!
//! A session ends when it is logged out, when its end comes (`refresh_token_days` from
//! login), or when the account's password changes: the stored session keeps the password
//! version it was opened under, and every access token names its session. A refresh token
//! used a second time (stolen and raced with its owner, say) ends the session.

use crate::base::clock::Timestamp;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::random::new_id;
use crate::base::store::{Condition, Item, Write};
use crate::base::tokens::{Amr, Authentication, Claims, Grant, Scope};
use crate::records::accounts::Account;
use crate::sign_in::devices;
use serde::{Deserialize, Serialize};

/// Used refresh tokens a session remembers (as keyed hashes): one of the last 16 presented
/// again ends the session; an older one is refused like any unknown token.
const USED_TOKENS_KEPT: usize = 16;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredSession {
    /// The account's password version at login: a change of password ends the session.
    pwv: u32,
    /// Keyed hash of the current refresh token.
    refresh_lookup: String,
    /// Keyed hashes of the session's last refresh tokens before it, used up: one presented
    /// again ends the session (someone else has a copy). A token that matches neither is a
    /// forgery, and ends nothing.
    #[serde(default)]
    used_lookups: Vec<String>,
    created_at: i64,
    expires_at: i64,
    /// How the person logged in: every token of the session says it, refreshed ones too.
    /// A session stored before it was kept was opened with a password.
    #[serde(default = "by_password")]
    amr: Vec<Amr>,
    #[serde(default)]
    auth_time: i64,
    /// Where it was opened (`devices`): the browser and system, and the address's network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    network: Option<String>,
    /// Its last refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_used_at: Option<i64>,
}

impl StoredSession {
    /// A new session of `account`, logged in as `authentication` says, from the request's
    /// client, until `expires_at`; its refresh tokens hash to `refresh_lookup`.
    fn new(
        deps: &Deps,
        account: &Account,
        authentication: Authentication,
        refresh_lookup: String,
        now: Timestamp,
        expires_at: i64,
    ) -> StoredSession {
        let client = &deps.client;
        StoredSession {
            pwv: account.password_version,
            refresh_lookup,
            used_lookups: Vec::new(),
            created_at: now.0,
            expires_at,
            amr: authentication.amr,
            auth_time: authentication.auth_time,
            device: client.user_agent.as_deref().and_then(devices::device),
            network: client.source.map(devices::network),
            last_used_at: None,
        }
    }
}

fn by_password() -> Vec<Amr> {
    vec![Amr::Pwd]
}

impl StoredSession {
    fn authentication(&self) -> Authentication {
        Authentication {
            amr: self.amr.clone(),
            auth_time: if self.auth_time > 0 {
                self.auth_time
            } else {
                self.created_at
            },
        }
    }
}

/// A session as the client receives it.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: Scope,
    /// Absent for a session that can only change the password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<i64>,
    /// For a person who must set up a second factor and has not: until when the password
    /// alone still logs in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_factor_due_at: Option<i64>,
}

fn access_token(
    deps: &Deps,
    account: &Account,
    (scope, authentication): (Scope, Authentication),
    sid: Option<String>,
    now: Timestamp,
) -> Result<(String, i64), Error> {
    let ttl = deps.profile.access_token_seconds();
    let memberships = account
        .memberships
        .iter()
        .filter(|m| m.usable(&deps.profile, now.0))
        .map(|m| (m.company_id.clone(), m.role.clone()))
        .collect();
    let grant = Grant {
        sub: account.id.clone(),
        scope,
        pwv: account.password_version,
        sid,
        memberships,
        authentication,
    };
    let jti = new_id(deps.random.as_ref());
    let token = deps
        .tokens
        .issue(grant, &deps.profile.name, jti, now, ttl)?;
    Ok((token, ttl))
}

/// A refresh token names its account and session, and carries the secret whose keyed hash
/// the session keeps: `<account id>.<session id>.<secret>`.
fn refresh_token(account_id: &str, sid: &str, secret: &str) -> String {
    format!("{account_id}.{sid}.{secret}")
}

fn parse_refresh_token(token: &str) -> Option<(&str, &str, &str)> {
    let mut parts = token.split('.');
    let (account_id, sid, secret) = (parts.next()?, parts.next()?, parts.next()?);
    let sane = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    (parts.next().is_none() && sane(account_id) && sane(sid) && sane(secret))
        .then_some((account_id, sid, secret))
}

fn issue(
    deps: &Deps,
    account: &Account,
    sid: &str,
    stored: &StoredSession,
    secret: &str,
    now: Timestamp,
) -> Result<Session, Error> {
    let (access_token, expires_in) = access_token(
        deps,
        account,
        (Scope::Account, stored.authentication()),
        Some(sid.to_string()),
        now,
    )?;
    Ok(Session {
        access_token,
        token_type: "Bearer",
        expires_in,
        scope: Scope::Account,
        refresh_token: Some(refresh_token(&account.id, sid, secret)),
        refresh_expires_at: Some(stored.expires_at),
        second_factor_due_at: None,
    })
}

/// Sessions one account may hold at once: a login beyond them ends the oldest.
pub const SESSIONS_PER_ACCOUNT: usize = 10;

/// The writes that end the account's oldest sessions, so that with one more opened it
/// holds at most `SESSIONS_PER_ACCOUNT` (every login adds one; deleting the account deletes
/// them in one write). One strongly consistent read of the account's sessions.
pub(crate) async fn ending_oldest(deps: &Deps, account: &Account) -> Result<Vec<Write>, Error> {
    let mut held = held(deps, &account.id).await?;
    held.sort_by_key(|(_, stored)| stored.created_at);
    let beyond = held.len().saturating_sub(SESSIONS_PER_ACCOUNT - 1);
    Ok(held
        .into_iter()
        .take(beyond)
        .map(|(item, _)| Write::delete(item.key, Condition::None))
        .collect())
}

/// The sessions stored for an account, ended ones not yet removed included. One strongly
/// consistent query.
async fn held(deps: &Deps, account_id: &str) -> Result<Vec<(Item, StoredSession)>, Error> {
    deps.store
        .query(
            &keys::account(account_id).pk,
            keys::SESSION_PREFIX,
            4 * SESSIONS_PER_ACCOUNT,
        )
        .await?
        .into_iter()
        .map(|item| {
            let stored = item.parse()?;
            Ok((item, stored))
        })
        .collect()
}

/// Opens a full session for `account`, logged in as `authentication` says: the session and
/// the write that stores it.
pub fn open(
    deps: &Deps,
    account: &Account,
    authentication: Authentication,
    now: Timestamp,
) -> Result<(Session, Write), Error> {
    let sid = new_id(deps.random.as_ref());
    let secret = new_id(deps.random.as_ref());
    let stored = StoredSession::new(
        deps,
        account,
        authentication,
        deps.pepper.lookup(purpose::REFRESH_TOKEN, &secret),
        now,
        now.0 + deps.profile.refresh_token_seconds(),
    );
    let session = issue(deps, account, &sid, &stored, &secret, now)?;
    let write = Write::create(
        Item::new(keys::session(&account.id, &sid), &stored).expiring_at(stored.expires_at),
    );
    Ok((session, write))
}

/// Opens a session for `account` that lasts one access token (W9's autologin): stored, so
/// that logout and a password change end it, but with no refresh token.
pub fn open_for_one_token(
    deps: &Deps,
    account: &Account,
    authentication: Authentication,
    now: Timestamp,
) -> Result<(Session, Write), Error> {
    let sid = new_id(deps.random.as_ref());
    let (access_token, expires_in) = access_token(
        deps,
        account,
        (Scope::Account, authentication.clone()),
        Some(sid.clone()),
        now,
    )?;
    // No refresh token matches it: a keyed hash of a secret nobody holds.
    let nobodys = deps
        .pepper
        .lookup(purpose::REFRESH_TOKEN, &new_id(deps.random.as_ref()));
    let stored = StoredSession::new(
        deps,
        account,
        authentication,
        nobodys,
        now,
        now.0 + expires_in,
    );
    let write = Write::create(
        Item::new(keys::session(&account.id, &sid), &stored).expiring_at(stored.expires_at),
    );
    let session = Session {
        access_token,
        token_type: "Bearer",
        expires_in,
        scope: Scope::Account,
        refresh_token: None,
        refresh_expires_at: None,
        second_factor_due_at: None,
    };
    Ok((session, write))
}

/// A session that can do one thing only, and lasts one access token: set a new password
/// (`PasswordChange`, after login with a temporary password), or set up a second factor
/// (`SecondFactorSetup`). No refresh token, nothing stored.
pub fn one_scope_only(
    deps: &Deps,
    account: &Account,
    scope: Scope,
    authentication: Authentication,
    now: Timestamp,
) -> Result<Session, Error> {
    let (access_token, expires_in) =
        access_token(deps, account, (scope, authentication), None, now)?;
    Ok(Session {
        access_token,
        token_type: "Bearer",
        expires_in,
        scope,
        refresh_token: None,
        refresh_expires_at: None,
        second_factor_due_at: None,
    })
}

/// A new access token and refresh token for a refresh token; the one given is used up.
/// One read (account and session together) and one write.
pub async fn refresh(deps: &Deps, token: &str) -> Result<Session, Error> {
    let now = deps.clock.now();
    let (account_id, sid, secret) = parse_refresh_token(token).ok_or(Error::Unauthenticated)?;
    let key = keys::session(account_id, sid);
    let mut items = deps
        .store
        .get_many(&[keys::account(account_id), key.clone()])
        .await?
        .into_iter();
    let (Some(account_item), Some(session_item)) = (items.next().flatten(), items.next().flatten())
    else {
        return Err(Error::Unauthenticated);
    };
    let account: Account = account_item.parse()?;
    let mut stored: StoredSession = session_item.parse()?;
    if stored.expires_at <= now.0 || stored.pwv != account.password_version {
        return Err(Error::Unauthenticated);
    }
    let presented = deps.pepper.lookup(purpose::REFRESH_TOKEN, secret);
    if presented != stored.refresh_lookup {
        if stored.used_lookups.contains(&presented) {
            // A token this session used before: an old token replayed. Whoever holds the
            // current one, the session is no longer safe.
            return Err(end_reused(deps, key).await);
        }
        // The session's name with a secret it never had (its ids are in every access
        // token): nothing proves a copy, so nothing ends.
        tracing::warn!(
            event = "refresh_token_forged",
            "a refresh token named a session with a secret it never had"
        );
        return Err(Error::Unauthenticated);
    }
    let secret = new_id(deps.random.as_ref());
    let used = std::mem::replace(
        &mut stored.refresh_lookup,
        deps.pepper.lookup(purpose::REFRESH_TOKEN, &secret),
    );
    stored.used_lookups.insert(0, used);
    stored.used_lookups.truncate(USED_TOKENS_KEPT);
    stored.last_used_at = Some(now.0);
    match deps
        .store
        .write(vec![Write::replace(&session_item, &stored)])
        .await
    {
        Ok(()) => issue(deps, &account, sid, &stored, &secret, now),
        // Another refresh with the same token got there first: the token was presented
        // twice at once, which only a copy of it can do. The winner's tokens end too.
        Err(crate::base::store::StoreError::ConditionFailed { .. }) => {
            Err(end_reused(deps, key).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// Ends the session `key` whatever its version (RFC 9700 §4.14.2: a refresh token presented
/// a second time, raced or not). The answer is `Unauthenticated`, or the store's failure:
/// the session is never left alive behind an answer that says it ended.
async fn end_reused(deps: &Deps, key: crate::base::store::Key) -> Error {
    tracing::warn!(
        event = "refresh_token_reused",
        "a used refresh token was presented again: session ended"
    );
    match deps
        .store
        .write(vec![Write::delete(key, Condition::None)])
        .await
    {
        Ok(()) => Error::Unauthenticated,
        Err(e) => e.into(),
    }
}

/// Ends the session an access token belongs to (nothing to end for a password-change one).
/// A token whose session has ended is refused like any other that no longer works.
pub async fn logout(deps: &Deps, token: &str) -> Result<(), Error> {
    let Authenticated {
        claims, session, ..
    } = authenticate(deps, token, |_| Vec::new()).await?;
    if let (Some(sid), Some(session)) = (&claims.sid, session) {
        deps.store
            .write(vec![Write::delete(
                keys::session(&claims.sub, sid),
                Condition::Version(session.version),
            )])
            .await?;
    }
    Ok(())
}

/// A session as its owner sees it among their sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionView {
    /// The session's id (the access token's `sid`).
    pub id: String,
    pub created_at: i64,
    /// When it ends, whatever its refreshes.
    pub expires_at: i64,
    /// Whether it is the session of the token that asks.
    pub current: bool,
    /// How its person logged in (RFC 8176).
    pub amr: Vec<Amr>,
    /// The browser and system it was opened from ("Chrome, Android"), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The network of the address it was opened from (an IPv4 /24, an IPv6 /64).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Its last refresh.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
}

/// Ends one of the sessions of the token's account (`Some(id)`; one that is not theirs, or
/// has ended, ends nothing), or every one but the token's own (`None`): what a person does
/// from the list of their sessions, after a lost phone or a changed password, say.
/// One read for the token, one for the sessions when all others end, one write.
pub async fn end(deps: &Deps, token: &str, which: Option<&str>) -> Result<(), Error> {
    let (claims, _, account) = authenticated(deps, token).await?;
    claims.scope.full()?;
    let mut writes = match which {
        Some(id) => vec![Write::delete(
            keys::session(&account.id, id),
            Condition::None,
        )],
        None => ending_all(deps, &account.id, claims.sid.as_deref()).await?,
    };
    let what = if which.is_some() {
        "session_ended"
    } else {
        "other_sessions_ended"
    };
    writes.extend(crate::limits::audit::record(
        deps,
        crate::limits::audit::Event::personal(what, Some(&account), "ok"),
        deps.clock.now(),
    ));
    deps.store.write(writes).await?;
    Ok(())
}

/// The writes that end the account's sessions but `keep`.
pub(crate) async fn ending_all(
    deps: &Deps,
    account_id: &str,
    keep: Option<&str>,
) -> Result<Vec<Write>, Error> {
    Ok(held(deps, account_id)
        .await?
        .into_iter()
        .filter(|(item, _)| Some(item.key.sk.trim_start_matches(keys::SESSION_PREFIX)) != keep)
        .map(|(item, _)| Write::delete(item.key, Condition::None))
        .collect())
}

/// Refuses a token whose person logged in more than the profile's `step_up_minutes` ago:
/// what an administrator does to another person's sessions or factors needs a recent login.
pub(crate) fn recently_logged_in(
    deps: &Deps,
    claims: &Claims,
    now: Timestamp,
) -> Result<(), Error> {
    let max_age = deps.profile.session.step_up_minutes * crate::base::clock::MINUTE;
    let auth_time = if claims.auth_time > 0 {
        claims.auth_time
    } else {
        claims.iat
    };
    if now.0 - auth_time > max_age {
        return Err(Error::ReauthenticationRequired { max_age });
    }
    Ok(())
}

/// The sessions the token's account holds now, newest first: where its owner is logged in.
/// For a full session only. One read for the token's account and session, one for the
/// account's sessions.
pub async fn list(deps: &Deps, token: &str) -> Result<Vec<SessionView>, Error> {
    let (claims, _, account) = authenticated(deps, token).await?;
    claims.scope.full()?;
    let now = deps.clock.now();
    let mut sessions = Vec::new();
    for (item, stored) in held(deps, &account.id).await? {
        let id = item.key.sk.trim_start_matches(keys::SESSION_PREFIX);
        if stored.expires_at > now.0 {
            sessions.push(SessionView {
                current: claims.sid.as_deref() == Some(id),
                id: id.to_string(),
                created_at: stored.created_at,
                expires_at: stored.expires_at,
                amr: stored.amr.clone(),
                device: stored.device.clone(),
                network: stored.network.clone(),
                last_used_at: stored.last_used_at,
            });
        }
    }
    sessions.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    Ok(sessions)
}

/// The account a token names, if the token and its session are still good. One read.
pub(crate) async fn authenticated(
    deps: &Deps,
    token: &str,
) -> Result<(Claims, Item, Account), Error> {
    let found = authenticate(deps, token, |_| Vec::new()).await?;
    Ok((found.claims, found.item, found.account))
}

/// What a token proved, read in one request with the items a step needs beside it.
pub(crate) struct Authenticated {
    pub claims: Claims,
    pub item: Item,
    pub account: Account,
    /// The stored session (none for a password-change token).
    pub session: Option<Item>,
    /// The items the step asked for, in order.
    pub extra: Vec<Option<Item>>,
}

/// Whether a verified token's session (read with its account) is still good: present and
/// not ended when the token names one, and the password unchanged since it was issued.
pub(crate) fn still_good(
    claims: &Claims,
    account: &Account,
    session: Option<&Item>,
    now: Timestamp,
) -> Result<(), Error> {
    if claims.sid.is_some() {
        let session: StoredSession = session.ok_or(Error::Unauthenticated)?.parse()?;
        if session.expires_at <= now.0 {
            return Err(Error::Unauthenticated);
        }
    }
    if account.password_version != claims.pwv {
        return Err(Error::Unauthenticated);
    }
    Ok(())
}

/// Checks a token, and reads its account and session with the items `extra` names for the
/// account's id, all in one request.
pub(crate) async fn authenticate(
    deps: &Deps,
    token: &str,
    extra: impl FnOnce(&str) -> Vec<crate::base::store::Key>,
) -> Result<Authenticated, Error> {
    let now = deps.clock.now();
    let claims = deps.tokens.verify(token, now)?;
    let mut wanted = vec![keys::account(&claims.sub)];
    if let Some(sid) = &claims.sid {
        wanted.push(keys::session(&claims.sub, sid));
    }
    wanted.extend(extra(&claims.sub));
    let mut items = deps.store.get_many(&wanted).await?.into_iter();
    let item = items.next().flatten().ok_or(Error::Unauthenticated)?;
    let session = if claims.sid.is_some() {
        items.next().flatten()
    } else {
        None
    };
    let account: Account = item.parse()?;
    still_good(&claims, &account, session.as_ref(), now)?;
    Ok(Authenticated {
        claims,
        item,
        account,
        session,
        extra: items.collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_parse_only_in_their_shape() {
        assert_eq!(parse_refresh_token("a.b.c"), Some(("a", "b", "c")));
        for bad in ["", "a.b", "a.b.c.d", "a..c", "a.b.c d", "a.b/x.c"] {
            assert_eq!(parse_refresh_token(bad), None, "{bad:?}");
        }
    }
}
