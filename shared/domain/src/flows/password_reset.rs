//! W5, W8, W6: a forgotten password, by login name (a username, or the line for employees):
//! a code by SMS or by email, then a new password that replaces the old one.
//!
//! ```text
//! start (username or line, captcha) ──► AwaitingChannel ──(channel: sms + the mobile, or email)──► AwaitingCode ──(code + new password)──► Completed
//!                                                          ▲ sent again: a new code                 │ 5 wrong codes: Ended
//!                                                          └────────────────────────────────────────┘ W6: a role that may not reset: password_reset_not_allowed
//! ```
//!
//! X6: the start answers alike whether the name exists or not. For an unknown name the flow
//! is a decoy: an SMS step answers `phone_not_matching` (no number matches a person who does
//! not exist, and a person who exists is told the same for a wrong number); an email step
//! answers like a real one but sends nothing; the code step never succeeds. W6 is told only
//! after the right code, to whoever holds the phone or mailbox on file.
//!
//! The flow id ends with `.<the account id, sealed>` (`seal`: a random id for a decoy,
//! under a keystream of the pepper and the flow's own random part), so that the last step
//! reads the flow and the account in one request, and two starts with one name share
//! nothing a stranger can compare: each step is one read and one write.

use crate::base::captcha;
use crate::base::clock::{Timestamp, MINUTE};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::messages::Lang;
use crate::base::profile::{PasswordResetSettings, Profile};
use crate::base::random::new_id;
use crate::base::store::{Condition, Index, Write};
use crate::base::types::{OneTimeCode, Password, TypedPhone};
use crate::flows::codes::{self, PendingCode};
use crate::flows::stored::Flow as _;
use crate::flows::stored::Header;
use crate::limits::attempts::{self, Limit, Subject};
use crate::limits::audit::{self, Event};
use crate::limits::sending::{self, About};
use crate::records::accounts::{Account, LoginName, PhoneOnFile};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    AwaitingChannel,
    AwaitingCode,
    Completed,
    Ended,
}

/// What the steps need of the account, copied at start; `None` for an unknown name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reset {
    pub mobile: Option<PhoneOnFile>,
    pub email: String,
    /// The address was never proven (`Account::email_unproven`): no code goes to it.
    #[serde(default)]
    pub email_unproven: bool,
    /// W6: whether the account's roles may reset their own password.
    pub may_reset: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordResetFlow {
    /// Its id, state, times and misses (`Header`).
    #[serde(flatten)]
    pub header: Header<State>,
    pub subject: Option<Reset>,
    /// The login name typed (`LoginName::key`), known or not: its daily budget of codes sent
    /// and typed counts across flows (`attempts`).
    #[serde(default)]
    pub login_key: String,
    pub code: Option<PendingCode>,
    /// Codes sent in this flow (their limit, beside the SMS limits per number); `sent` before.
    #[serde(alias = "sent")]
    pub codes_sent: u32,
    pub lang: Lang,
}

crate::flows::stored::flow!(PasswordResetFlow, State, ended: State::Ended);

impl PasswordResetFlow {
    /// The audit writes of a step of this flow: about its account, when the name typed
    /// matched one (the flow id carries the account's id).
    fn event(&self, action: &str, outcome: &str, now: Timestamp, deps: &Deps) -> Vec<Write> {
        let account_id = self
            .subject
            .as_ref()
            .and_then(|_| opened(deps, &self.header.id));
        audit::record(
            deps,
            Event::person(action, account_id.as_deref(), outcome),
            now,
        )
    }

    fn live(&self, now: Timestamp) -> Result<(), Error> {
        self.check(now, |state| {
            matches!(state, State::AwaitingChannel | State::AwaitingCode)
        })
    }
}

fn settings(deps: &Deps) -> Result<&PasswordResetSettings, Error> {
    Profile::section(&deps.profile.password_reset)
}

#[derive(Debug, Clone, Serialize)]
pub struct ResetStarted {
    pub flow_id: String,
    pub next: &'static str,
    pub expires_at: i64,
}

/// Finds the account by its login name and opens the flow (a decoy for an unknown name).
pub async fn start(
    deps: &Deps,
    name: &LoginName,
    captcha: &str,
    lang: Lang,
) -> Result<ResetStarted, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let mut writes = deps.captcha.verify(captcha, now).await?.spend(now);
    let items = deps
        .store
        .query_index(Index::Gsi1, &keys::login_index(&name.key(deps)), 10)
        .await?;
    let account: Option<Account> = items
        .iter()
        .find(|i| i.key.sk == keys::account("").sk)
        .map(|i| i.parse())
        .transpose()?;
    let account_id = account
        .as_ref()
        .map_or_else(|| new_id(deps.random.as_ref()), |a| a.id.clone());
    let subject = account.map(|account| Reset {
        may_reset: account.memberships.iter().all(|m| {
            deps.profile
                .role(&m.role)
                .is_none_or(|r| r.resets_own_password)
        }),
        mobile: account.mobile,
        email_unproven: account.email_unproven,
        email: account.email,
    });
    let flow = PasswordResetFlow {
        header: Header::new(
            seal(deps, &new_id(deps.random.as_ref()), &account_id),
            State::AwaitingChannel,
            now,
            now.0 + settings.flow_minutes * MINUTE,
        ),
        subject,
        login_key: name.key(deps),
        code: None,
        codes_sent: 0,
        lang,
    };
    writes.push(crate::flows::stored::create(&flow));
    // In the operator's trail only, known name or not: the same writes either way (X6).
    // The steps that follow, from the code sent on, are in the account's trails too.
    writes.extend(audit::record(
        deps,
        Event::person("password_reset_started", None, "ok"),
        now,
    ));
    captcha::commit(deps.store.as_ref(), writes).await?;
    Ok(ResetStarted {
        flow_id: flow.header.id,
        next: "channel",
        expires_at: flow.header.expires_at,
    })
}

/// Account ids a flow id can seal: at most this many bytes (ids are 27 characters).
const SEALED_BYTES: usize = 48;

/// A flow id `<nonce>.<sealed>`: the account id, zero-padded to `SEALED_BYTES` and XORed
/// with a keystream of the pepper and the nonce (HMAC-SHA256 blocks), base64url. The whole
/// id keys the flow's item, so an altered seal names no flow.
fn seal(deps: &Deps, nonce: &str, account_id: &str) -> String {
    let mut bytes = [0u8; SEALED_BYTES];
    let id = account_id.as_bytes();
    bytes[..id.len().min(SEALED_BYTES)].copy_from_slice(&id[..id.len().min(SEALED_BYTES)]);
    for (byte, key) in bytes.iter_mut().zip(keystream(deps, nonce)) {
        *byte ^= key;
    }
    format!("{nonce}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The account id a flow id seals (`seal`), if it is one.
fn opened(deps: &Deps, flow_id: &str) -> Option<String> {
    let (nonce, sealed) = flow_id.split_once('.')?;
    let mut bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() != SEALED_BYTES {
        return None;
    }
    for (byte, key) in bytes.iter_mut().zip(keystream(deps, nonce)) {
        *byte ^= key;
    }
    let id = std::str::from_utf8(&bytes).ok()?.trim_end_matches('\0');
    (!id.is_empty() && !id.contains('\0')).then(|| id.to_string())
}

fn keystream(deps: &Deps, nonce: &str) -> Vec<u8> {
    (0..SEALED_BYTES.div_ceil(32))
        .flat_map(|block| {
            let block = deps
                .pepper
                .lookup(keys::purpose::RESET_FLOW, &format!("{nonce}.{block}"));
            hex::decode(block).expect("a lookup is hex")
        })
        .collect()
}

/// Where the code goes: by SMS to the mobile on file (typed again, whole or national: read
/// in the country of the number on file), or by email to the address on file.
pub enum Channel {
    Sms(TypedPhone),
    Email,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResetCodeSent {
    pub next: &'static str,
    /// The masked number, for an SMS; an email's address is not shown (X6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_to: Option<String>,
    pub code_expires_at: i64,
}

/// Sends the code (again: the earlier one stops working).
pub async fn send_code(
    deps: &Deps,
    flow_id: &str,
    channel: &Channel,
) -> Result<ResetCodeSent, Error> {
    let now = deps.clock.now();
    let (item, mut flow): (_, PasswordResetFlow) =
        crate::flows::stored::read(deps, flow_id).await?;
    flow.live(now)?;
    if flow.codes_sent >= deps.profile.sms.per_number_per_10_minutes {
        return Err(Error::SmsLimit);
    }
    // A code sent spends the name's budget like a code typed: 20 flows cannot mail 60.
    attempts::count(
        deps,
        &[Limit::per_day(
            deps,
            Subject::ResetName(&flow.login_key),
            now,
        )],
        None,
    )
    .await?;
    let (code, message, sent_to) = match (channel, &flow.subject) {
        (Channel::Sms(typed), subject) => {
            let on_file = subject.as_ref().and_then(|s| s.mobile.as_ref());
            let on_file = on_file.map(std::slice::from_ref).unwrap_or_default();
            let Some(phone) = crate::records::accounts::typed_on_file(deps, typed, on_file) else {
                flow.header.misses += 1;
                let error = if flow.header.misses >= deps.profile.codes.max_tries {
                    flow.header.state = State::Ended;
                    Error::TooManyAttempts
                } else {
                    Error::PhoneNotMatching
                };
                let mut writes = vec![Write::replace(&item, &flow)];
                writes.extend(flow.event("code_sent", error.describe().code, now, deps));
                deps.store.write(writes).await?;
                return Err(error);
            };
            let account_id = opened(deps, &flow.header.id);
            let about = About {
                account: account_id.as_deref(),
                ..About::nobody()
            };
            let (code, message) =
                codes::send_by_sms(deps, &phone, about.unproven(), flow.lang).await?;
            (code, vec![message], Some(phone.hint()))
        }
        (Channel::Email, Some(subject)) if !subject.email_unproven => {
            let account_id = opened(deps, &flow.header.id);
            let about = About {
                account: account_id.as_deref(),
                ..About::nobody()
            };
            let (code, message) =
                codes::send_by_email(deps, &subject.email, about.unproven(), flow.lang).await?;
            (code, vec![message], None)
        }
        // A decoy: a code nobody receives, so that the next step fails like a wrong code,
        // counted as an email to the name would be (the same budgets, the same refusals).
        // The same for an address never proven: it may be mistyped, and its holder a
        // stranger, who would reset the account with the code.
        (Channel::Email, _) => {
            sending::decoy_email(deps, &flow.login_key).await?;
            (codes::issue(deps, now).1, Vec::new(), None)
        }
    };
    let code_expires_at = code.expires_at;
    flow.code = Some(code);
    flow.codes_sent += 1;
    flow.header.state = State::AwaitingCode;
    let mut writes = vec![Write::replace(&item, &flow)];
    writes.extend(message);
    writes.extend(flow.event("code_sent", "ok", now, deps));
    deps.store.write(writes).await?;
    Ok(ResetCodeSent {
        next: "password",
        sent_to,
        code_expires_at,
    })
}

/// The code and the new password: the password is replaced, every session ends.
pub async fn complete(
    deps: &Deps,
    flow_id: &str,
    typed: &OneTimeCode,
    new_password: &Password,
) -> Result<(), Error> {
    let now = deps.clock.now();
    let account_id = opened(deps, flow_id).ok_or(Error::FlowNotFound)?;
    let account_id = account_id.as_str();
    let mut items = deps
        .store
        .get_many(&[keys::flow(flow_id), keys::account(account_id)])
        .await?
        .into_iter();
    let (item, mut flow): (_, PasswordResetFlow) =
        crate::flows::stored::found(items.next().flatten())?;
    let account_item = items.next().flatten();
    flow.live(now)?;
    if flow.header.state != State::AwaitingCode {
        return Err(Error::WrongStep);
    }
    let Some(code) = flow.code.clone() else {
        return Err(Error::WrongStep);
    };
    // Hashed whatever the code: a right code costs what a wrong one does.
    let password_hash = deps
        .hasher
        .hash(new_password.expose(), deps.random.as_ref());
    let checked = code
        .check(
            deps,
            flow_id,
            Some(Subject::ResetName(&flow.login_key)),
            typed,
        )
        .await;
    let outcome = match (checked, &flow.subject, account_item) {
        (Err(error @ (Error::CodeNotCorrect | Error::TooManyAttempts)), ..) => Err(error),
        (Err(other), ..) => return Err(other),
        (Ok(_), Some(subject), _) if !subject.may_reset => Err(Error::PasswordResetNotAllowed),
        (Ok(forgiven), Some(_), Some(account_item)) => Ok((account_item, forgiven)),
        // A decoy (or an account deleted since the start): nothing to reset.
        (Ok(_), ..) => Err(Error::CodeNotCorrect),
    };
    let (account_item, forgiven) = match outcome {
        Ok(found) => found,
        Err(error) => {
            let event = flow.event("password_reset", error.describe().code, now, deps);
            deps.store.write(event).await?;
            if matches!(
                error,
                Error::TooManyAttempts | Error::PasswordResetNotAllowed
            ) {
                flow.header.state = State::Ended;
                crate::flows::stored::end(deps, Write::replace(&item, &flow)).await?;
            }
            return Err(error);
        }
    };
    let mut account: Account = account_item.parse()?;
    crate::records::accounts::new_password_outside(deps, new_password, account.password_context())?;
    account.password_hash = Some(password_hash);
    // A new password version: every token issued before stops working (sessions end).
    account.password_version += 1;
    flow.header.state = State::Completed;
    let mut writes = vec![
        Write::replace(&item, &flow),
        Write::replace(&account_item, &account),
        Write::delete(keys::temporary_password(&account.id), Condition::None),
    ];
    // The owner proved who they are: their next login needs no captcha.
    writes.extend(crate::limits::login_delay::cleared(
        deps,
        &account.login_key()?,
        now,
    ));
    writes.extend(audit::record(
        deps,
        Event::personal("password_reset", Some(&account), "ok"),
        now,
    ));
    writes.extend(forgiven);
    deps.store.write(writes).await?;
    Ok(())
}
