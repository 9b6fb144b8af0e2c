//! T1, T2: the operator registers a contract's legal representative. The import of the
//! company's first contract creates the account (its username: the contract's email, in
//! lower case) without a password, and emails the username with a link. The link opens the
//! first access: a code by SMS to the mobile on file (by a second email when there is none),
//! then the password. The username email can be sent again on request (T1).
//!
//! ```text
//! import (contract) ──► AwaitingLink ──(link: token)──► AwaitingCode ──(code + password)──► Completed: password, session
//!                                          ▲ the link again: a new code   │ 5 wrong codes: Ended
//!                                          └──────────────────────────────┘ link_hours: flow_expired
//! ```
//!
//! While the account has no password, an activation item beside it (in its login-index
//! partition) keeps the contract's mobile, so that a resend finds the account and where
//! codes go in one query. A resend mails a new link while the account waits for its first
//! access, and only the username once it has a password; it answers alike for any email (X6).

use crate::base::clock::{Timestamp, HOUR};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::messages::{Lang, Template};
use crate::base::profile::{LegalRepRegistrationSettings, Profile};
use crate::base::random::new_id;
use crate::base::store::{Condition, Index, Item, Write};
use crate::base::tokens::{Amr, Authentication};
use crate::base::types::{Email, OneTimeCode, Password, PhoneNumber, Username};
use crate::flows::codes::{self, PendingCode};
use crate::flows::stored::Flow as _;
use crate::flows::stored::Header;
use crate::limits::sending::{self, About};
use crate::records::accounts::{Account, Login, Membership};
use crate::records::contracts::LegalRepresentative;
use crate::sign_in::sessions::{self, Session};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    AwaitingLink,
    AwaitingCode,
    Completed,
    Ended,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FirstAccessFlow {
    /// Its id, state, times and misses (`Header`).
    #[serde(flatten)]
    pub header: Header<State>,
    pub account_id: String,
    pub email: String,
    /// The contract's mobile, where codes go; `None`: codes go by email.
    pub mobile: Option<String>,
    /// Keyed hash of the link's token.
    pub token_lookup: String,
    pub code: Option<PendingCode>,
    pub codes_sent: u32,
    pub lang: Lang,
}

/// What waits beside an account without a password: where its codes go.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Activation {
    mobile: Option<String>,
}

crate::flows::stored::flow!(FirstAccessFlow, State, ended: State::Ended);

impl FirstAccessFlow {
    /// Live and waiting for a code (sent, or to be sent).
    fn awaiting_code(&self, now: Timestamp) -> Result<(), Error> {
        self.check(now, |state| *state == State::AwaitingCode)
    }
}

fn settings(deps: &Deps) -> Result<&LegalRepRegistrationSettings, Error> {
    Profile::section(&deps.profile.legal_rep_registration)
}

/// The username the operator gives a legal representative: the contract's email.
pub(crate) fn username_for(email: &Email) -> Result<Username, Error> {
    Username::parse(&email.as_str().to_lowercase()).map_err(Error::field("email"))
}

/// T1: the writes that register the legal representative of a company's contract (the
/// account, its login claim, the activation item, the first-access flow and the email), or
/// nothing when the portal does not register them or the username is taken already.
/// `claim` is the username's login claim as read.
pub async fn register(
    deps: &Deps,
    company_id: &str,
    company_name: &str,
    rep: &LegalRepresentative,
    claim: Option<&Item>,
    now: Timestamp,
) -> Result<Vec<Write>, Error> {
    let Some(settings) = &deps.profile.legal_rep_registration else {
        return Ok(Vec::new());
    };
    if claim.is_some() {
        return Ok(Vec::new());
    }
    let email = Email::parse(&rep.email).map_err(Error::field("email"))?;
    let username = username_for(&email)?;
    let account = Account::without_password(
        deps,
        email.as_str().to_string(),
        format!("{} {}", rep.name, rep.surname),
        rep.mobile_on_file.clone(),
        Membership {
            company_id: company_id.to_string(),
            company_name: company_name.to_string(),
            role: settings.role.clone(),
            card: None,
            seat: None,
            contracts: Vec::new(),
            line_invitation: None,
        },
        Login::Username {
            username: username.as_str().to_string(),
        },
    );
    let mut writes = account.create(now)?;
    writes.push(Write::put(
        Item::new(
            keys::first_access(&account.id),
            &Activation {
                mobile: rep.mobile.clone(),
            },
        )
        .with_gsi1(keys::login_index(&keys::username_login_key(
            username.as_str(),
        ))),
    ));
    writes.extend(
        link(
            deps,
            settings,
            &account,
            username.as_str(),
            rep.mobile.clone(),
            Lang::It,
            now,
        )
        .await?,
    );
    Ok(writes)
}

/// A new first-access flow for `account` and the email with the username and its link.
async fn link(
    deps: &Deps,
    settings: &LegalRepRegistrationSettings,
    account: &Account,
    username: &str,
    mobile: Option<String>,
    lang: Lang,
    now: Timestamp,
) -> Result<[Write; 2], Error> {
    let token = new_id(deps.random.as_ref());
    let flow = FirstAccessFlow {
        header: Header::new(
            format!("{}.{}", new_id(deps.random.as_ref()), account.id),
            State::AwaitingLink,
            now,
            now.0 + settings.link_hours * HOUR,
        ),
        account_id: account.id.clone(),
        email: account.email.clone(),
        mobile,
        token_lookup: deps.pepper.lookup(purpose::ACTIVATION, &token),
        code: None,
        codes_sent: 0,
        lang,
    };
    let link = format!(
        "{}?flow={}&token={token}",
        settings.activation_url, flow.header.id
    );
    let about = About::account(&account.id);
    let email = username_email(
        deps,
        settings,
        &account.email,
        username,
        Some(link),
        about,
        lang,
    );
    Ok([email.await?, crate::flows::stored::create(&flow)])
}

async fn username_email(
    deps: &Deps,
    settings: &LegalRepRegistrationSettings,
    email: &str,
    username: &str,
    link: Option<String>,
    about: About<'_>,
    lang: Lang,
) -> Result<Write, Error> {
    let address = Email::parse(email).map_err(|e| Error::Internal(Box::new(e)))?;
    let content = Template::Username {
        username: username.to_string(),
        link,
        valid_hours: settings.link_hours,
    };
    sending::email(deps, &address, about, content, lang).await
}

/// T1: the username email again, to the address of the contract: with a new link while the
/// account waits for its first access, the username alone after. Answers alike whether or
/// not an account has the address (X6). One query, one write.
pub async fn resend_username(
    deps: &Deps,
    email: &Email,
    captcha: &str,
    lang: Lang,
) -> Result<(), Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let mut writes = deps.captcha.verify(captcha, now).await?.spend(now);
    let username = username_for(email)?;
    let items = deps
        .store
        .query_index(
            Index::Gsi1,
            &keys::login_index(&keys::username_login_key(username.as_str())),
            10,
        )
        .await?;
    let account = items
        .iter()
        .find(|i| i.key.sk == keys::account("").sk)
        .map(|i| i.parse::<Account>())
        .transpose()?;
    let activation = items
        .iter()
        .find(|i| i.key.sk == keys::first_access("").sk)
        .map(|i| i.parse::<Activation>())
        .transpose()?;
    match (account, activation) {
        (Some(account), Some(activation)) => writes.extend(
            link(
                deps,
                settings,
                &account,
                username.as_str(),
                activation.mobile,
                lang,
                now,
            )
            .await?,
        ),
        (Some(account), None) => writes.push(
            username_email(
                deps,
                settings,
                &account.email,
                username.as_str(),
                None,
                About::account(&account.id),
                lang,
            )
            .await?,
        ),
        // Nobody has the address: counted as an email to it would be (X6).
        (None, _) => {
            sending::decoy_email(deps, &keys::username_login_key(username.as_str())).await?
        }
    }
    crate::base::captcha::commit(deps.store.as_ref(), writes).await
}

/// Where the code went.
#[derive(Debug, Clone, Serialize)]
pub struct FirstAccessCodeSent {
    pub flow_id: String,
    pub next: &'static str,
    /// `sms`, or `email` when no mobile is on file.
    pub channel: &'static str,
    pub sent_to: String,
    pub code_expires_at: i64,
    pub expires_at: i64,
}

/// T2: the link's token opens the first access: a code goes by SMS to the mobile on file,
/// or by email when there is none. Opening the link again sends a new code (the previous
/// one stops working), `codes_per_link` times at most.
pub async fn send_code(
    deps: &Deps,
    flow_id: &str,
    token: &str,
) -> Result<FirstAccessCodeSent, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let (item, mut flow): (_, FirstAccessFlow) = crate::flows::stored::read(deps, flow_id).await?;
    // A wrong token names no flow: the link is the only way in.
    if deps.pepper.lookup(purpose::ACTIVATION, token) != flow.token_lookup {
        return Err(Error::FlowNotFound);
    }
    if flow.header.state == State::AwaitingLink {
        flow.header.state = State::AwaitingCode;
    }
    flow.awaiting_code(now)?;
    if flow.codes_sent >= settings.codes_per_link {
        return Err(Error::TooManyAttempts);
    }
    let (code, message, channel, sent_to) = match &flow.mobile {
        Some(number) => {
            let phone = PhoneNumber::parse(number).map_err(|e| Error::Internal(Box::new(e)))?;
            let about = About::account(&flow.account_id);
            let (code, message) = codes::send_by_sms(deps, &phone, about, flow.lang).await?;
            (code, message, "sms", phone.hint())
        }
        None => {
            let about = About::account(&flow.account_id);
            let (code, message) = codes::send_by_email(deps, &flow.email, about, flow.lang).await?;
            let hint = Email::parse(&flow.email)
                .map(|e| e.hint())
                .unwrap_or_default();
            (code, message, "email", hint)
        }
    };
    let code_expires_at = code.expires_at;
    flow.code = Some(code);
    flow.codes_sent += 1;
    deps.store
        .write(vec![Write::replace(&item, &flow), message])
        .await?;
    Ok(FirstAccessCodeSent {
        flow_id: flow.header.id,
        next: "password",
        channel,
        sent_to,
        code_expires_at,
        expires_at: flow.header.expires_at,
    })
}

/// T2: the code and the chosen password: the account can log in, and a session opens.
/// The flow, the account and its activation item are read together.
pub async fn complete(
    deps: &Deps,
    flow_id: &str,
    typed: &OneTimeCode,
    password: &Password,
) -> Result<Session, Error> {
    settings(deps)?;
    let now = deps.clock.now();
    let account_id = crate::flows::stored::carried_id(flow_id)?;
    let mut items = deps
        .store
        .get_many(&[
            keys::flow(flow_id),
            keys::account(account_id),
            keys::first_access(account_id),
        ])
        .await?
        .into_iter();
    let (item, mut flow): (_, FirstAccessFlow) =
        crate::flows::stored::found(items.next().flatten())?;
    flow.awaiting_code(now)?;
    let account_item = items.next().flatten().ok_or(Error::FlowEnded)?;
    let activation = items.next().flatten();
    let mut account: Account = account_item.parse()?;
    if account.password_hash.is_some() || activation.is_none() {
        // Activated from another link already.
        return Err(Error::FlowEnded);
    }
    let code = flow.code.clone().ok_or(Error::WrongStep)?;
    // Hashed whatever the code: a right code costs what a wrong one does.
    let password_hash = deps.hasher.hash(password.expose(), deps.random.as_ref());
    let subject = Some(crate::limits::attempts::Subject::Account(account_id));
    let forgiven = match code.check(deps, flow_id, subject, typed).await {
        Ok(forgiven) => forgiven,
        Err(error) => {
            if matches!(error, Error::TooManyAttempts) {
                flow.header.state = State::Ended;
                crate::flows::stored::end(deps, Write::replace(&item, &flow)).await?;
            }
            return Err(error);
        }
    };
    crate::records::accounts::new_password_outside(deps, password, account.password_context())?;
    account.password_hash = Some(password_hash);
    account.password_version += 1;
    flow.header.state = State::Completed;
    let (session, session_write) =
        sessions::open(deps, &account, Authentication::by(&[Amr::Pwd], now), now)?;
    let activation = activation.ok_or(Error::FlowEnded)?;
    let mut writes = vec![
        Write::replace(&item, &flow),
        Write::replace(&account_item, &account),
        Write::delete(activation.key, Condition::Version(activation.version)),
        session_write,
    ];
    writes.extend(forgiven);
    deps.store.write(writes).await?;
    Ok(session)
}
