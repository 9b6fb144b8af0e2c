//! N2, N1, N3, N8: a user of the old portal moves to the new one with the old username and
//! password, a mobile confirmed by an SMS code, and a login email; a new password is chosen
//! with the code. Afterwards only the new email and password work.
//!
//! ```text
//! start (username + old password + mobile + email, captcha) ──► AwaitingCode ──(code + new password)──► Completed
//!    │ wrong old credentials: data_not_correct                        │ 5 wrong codes: Ended
//!    │ Support: no_portal_access; User: use_cardholder_area
//!    │ Administrator with a card past the 90-day grace: valid_card_required
//! ```
//!
//! The flow's id ends with its company's id, so that the code step reads the flow and the
//! company's registered Administrator (shown to whoever migrates, N8) in one request.

use crate::base::captcha;
use crate::base::clock::{Timestamp, MINUTE};
use crate::base::crypto::legacy;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::messages::Lang;
use crate::base::profile::Access;
use crate::base::random::new_id;
use crate::base::store::{parse_opt, Item, StoreError, Write};
use crate::base::tokens::{Amr, Authentication};
use crate::base::types::{Email, OneTimeCode, Password, PhoneNumber};
use crate::flows::codes::{self, CodeFlow, CodeSent, PhoneCheck};
use crate::flows::stored::Header;
use crate::limits::attempts::{self, Limit, Subject};
use crate::limits::sending::About;
use crate::records::accounts::{link_card_role, Account, Login, Membership};
use crate::records::cards::CardValidity;
use crate::records::companies::CompanyAdministrator;
use crate::sign_in::sessions::{self, Session};
use serde::{Deserialize, Serialize};

/// A user of the old portal, as the operator exported it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LegacyAccount {
    pub username: String,
    /// In the old portal's format (`crypto::legacy`); dropped once migrated.
    pub password_hash: Option<String>,
    pub display_name: String,
    /// A role id of the profile.
    pub role: String,
    pub company_id: String,
    pub company_name: String,
    /// For a role that needs a valid company card: that card's validity and keyed hash.
    #[serde(default)]
    pub card: Option<CardValidity>,
    #[serde(default)]
    pub card_lookup: Option<String>,
    /// Keyed hash of the row it was imported from (`import`).
    #[serde(default)]
    pub import_digest: Option<String>,
    /// The account it became.
    #[serde(default)]
    pub migrated_to: Option<String>,
    /// The person's mobile, where the operator's export carries it (E.164): the migration
    /// code goes there, never to a number someone types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
}

/// The key of a legacy account: by keyed hash of the username, which is compared exactly
/// (case-sensitive, as the old portal did).
pub fn legacy_key(deps: &Deps, username: &str) -> crate::base::store::Key {
    keys::legacy_account(&deps.pepper.lookup(purpose::USERNAME, username))
}

/// The write that stores a legacy account (demo data and import); replaces any before it.
pub fn provision_legacy(deps: &Deps, legacy: &LegacyAccount) -> Write {
    Write::put(Item::new(legacy_key(deps, &legacy.username), legacy))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    AwaitingCode,
    Completed,
    Ended,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MigrationFlow {
    /// Its id, state, times and misses (`Header`).
    #[serde(flatten)]
    pub header: Header<State>,
    /// The legacy account as read at start, and its version: the last step marks it
    /// migrated only if nothing changed it meanwhile.
    pub legacy: LegacyAccount,
    pub legacy_version: u64,
    pub email: String,
    /// The old username's keyed hash: its budget of attempts (`attempts`).
    #[serde(default)]
    pub username_lookup: String,
    /// The mobile being confirmed.
    pub phone_check: PhoneCheck,
}

crate::flows::stored::flow!(MigrationFlow, State, ended: State::Ended);

impl CodeFlow for MigrationFlow {
    const AWAITING_CODE: State = State::AwaitingCode;

    fn subject(&self) -> Subject<'_> {
        Subject::OldUsername(&self.username_lookup)
    }
    fn concerns(&self) -> crate::flows::codes::Concerns {
        crate::flows::codes::Concerns {
            account: None,
            company: Some(self.legacy.company_id.clone()),
            unproven: false,
        }
    }
    fn phone_check(&mut self) -> Result<&mut PhoneCheck, Error> {
        Ok(&mut self.phone_check)
    }
}

pub struct StartMigration {
    pub username: String,
    pub password: String,
    pub phone: PhoneNumber,
    pub email: Email,
    pub captcha: String,
}

/// Whether the role may use the new portal at all (N1), and, for an Administrator, whether
/// the card is still within its grace period (N3).
fn admissible(deps: &Deps, legacy: &LegacyAccount, now: Timestamp) -> Result<(), Error> {
    let role = deps
        .profile
        .role(&legacy.role)
        .ok_or(Error::NoPortalAccess)?;
    match role.access {
        Access::None => return Err(Error::NoPortalAccess),
        Access::CardholderArea => return Err(Error::UseCardholderArea),
        Access::Portal => {}
    }
    if role.needs_valid_card
        && !legacy
            .card
            .is_some_and(|c| c.within_grace(now.0, deps.profile.card_grace_seconds()))
    {
        return Err(Error::ValidCardRequired);
    }
    Ok(())
}

/// Checks the old credentials and what the role allows, and sends a code to the mobile.
pub async fn start(deps: &Deps, input: StartMigration, lang: Lang) -> Result<CodeSent, Error> {
    crate::flows::stored::captcha_spent_whatever(deps, &input.captcha, |writes| {
        started(deps, &input, lang, writes)
    })
    .await
}

async fn started(
    deps: &Deps,
    input: &StartMigration,
    lang: Lang,
    mut writes: Vec<Write>,
) -> Result<CodeSent, Error> {
    let now = deps.clock.now();
    let canonical = input.email.canonical().to_string();
    let username_lookup = deps.pepper.lookup(purpose::USERNAME, &input.username);
    // Counted before anything is read, known username or not.
    attempts::count(
        deps,
        &[Limit::per_day(
            deps,
            Subject::OldUsername(&username_lookup),
            now,
        )],
        None,
    )
    .await?;
    let mut items = deps
        .store
        .get_many(&[
            keys::legacy_account(&username_lookup),
            keys::login_claim(&canonical),
        ])
        .await?
        .into_iter();
    let legacy_item = items.next().flatten();
    let email_claimed = items.next().flatten().is_some();
    let legacy: Option<LegacyAccount> = parse_opt(&legacy_item)?;
    // An unknown username costs the same work as a wrong password.
    let ok = legacy::verify(
        &input.password,
        legacy.as_ref().and_then(|l| l.password_hash.as_deref()),
    );
    let (Some(legacy_item), Some(legacy)) = (legacy_item, legacy) else {
        return Err(Error::DataNotCorrect);
    };
    if legacy.migrated_to.is_some() {
        return Err(Error::AlreadyMigrated);
    }
    if !ok {
        return Err(Error::DataNotCorrect);
    }
    admissible(deps, &legacy, now)?;
    if email_claimed {
        return Err(Error::EmailTaken);
    }
    // Whoever guessed an old password must not choose where the code goes.
    if let Some(on_file) = &legacy.mobile {
        if on_file != input.phone.e164() {
            return Err(Error::PhoneNotMatching);
        }
    }
    let about = About::company(&legacy.company_id);
    let (phone_check, message) = codes::check_phone(deps, &input.phone, about, lang).await?;
    writes.push(message);
    let flow = MigrationFlow {
        header: Header::new(
            format!("{}.{}", new_id(deps.random.as_ref()), legacy.company_id),
            State::AwaitingCode,
            now,
            now.0 + deps.profile.card_registration()?.flow_minutes * MINUTE,
        ),
        legacy_version: legacy_item.version,
        legacy,
        email: input.email.as_str().to_string(),
        username_lookup,
        phone_check,
    };
    writes.push(crate::flows::stored::create(&flow));
    captcha::commit(deps.store.as_ref(), writes).await?;
    Ok(CodeSent {
        flow_id: flow.header.id,
        next: "code",
        sent_to: input.phone.hint(),
        code_expires_at: flow.phone_check.code.expires_at,
        expires_at: flow.header.expires_at,
    })
}

/// The answer of a completed migration: the new session, and who the company's registered
/// Administrator is (N8), when it has one.
#[derive(Debug, Clone, Serialize)]
pub struct Migrated {
    #[serde(flatten)]
    pub session: Session,
    pub company_name: String,
    pub role: String,
    pub administrator: Option<String>,
}

/// The code from the SMS and the new password: the account is created with the old role in
/// the old company, the old credentials stop working, and a session opens.
pub async fn complete(
    deps: &Deps,
    flow_id: &str,
    code: &OneTimeCode,
    new_password: &Password,
) -> Result<Migrated, Error> {
    let now = deps.clock.now();
    let company_id = crate::flows::stored::carried_id(flow_id)?;
    let mut items = deps
        .store
        .get_many(&[keys::flow(flow_id), keys::company_administrator(company_id)])
        .await?
        .into_iter();
    let (item, mut flow): (_, MigrationFlow) = crate::flows::stored::found(items.next().flatten())?;
    let administrator: Option<CompanyAdministrator> = parse_opt(&items.next().flatten())?;
    let forgiven = codes::check(deps, flow_id, &item, &mut flow, code, |f| {
        f.header.state = State::Ended
    })
    .await?;
    // The card may have passed its grace period since the start.
    admissible(deps, &flow.legacy, now)?;
    let becomes_administrator =
        flow.legacy.role == deps.profile.card_registration()?.card_registration_role;
    if becomes_administrator && administrator.is_some() {
        return Err(Error::CompanyAlreadyRegistered);
    }
    let mut account = Account::for_portal(
        deps,
        flow.email.clone(),
        flow.legacy.display_name.clone(),
        new_password,
        Some(flow.phone_check.phone.clone()),
        Membership {
            company_id: flow.legacy.company_id.clone(),
            company_name: flow.legacy.company_name.clone(),
            role: flow.legacy.role.clone(),
            card: flow.legacy.card,
            seat: becomes_administrator.then(|| keys::company_administrator(company_id)),
            contracts: Vec::new(),
            line_invitation: None,
        },
        Login::Email,
    )?;
    // The old credentials and the mobile are proven, not the address typed.
    account.email_unproven = true;
    let mut migrated = flow.legacy.clone();
    migrated.password_hash = None;
    migrated.migrated_to = Some(account.id.clone());
    let legacy_as_read = Item {
        version: flow.legacy_version,
        ..Item::new(legacy_key(deps, &flow.legacy.username), &flow.legacy)
    };
    let (session, session_write) =
        sessions::open(deps, &account, Authentication::by(&[Amr::Pwd], now), now)?;
    flow.header.state = State::Completed;
    let mut writes = vec![
        Write::replace(&item, &flow),
        Write::replace(&legacy_as_read, &migrated),
    ];
    writes.extend(account.create(now)?);
    writes.push(session_write);
    if let Some(card_lookup) = &flow.legacy.card_lookup {
        writes.push(link_card_role(deps, card_lookup, &account, company_id));
    }
    let shown = if becomes_administrator {
        writes.push(Write::create(Item::new(
            keys::company_administrator(company_id),
            &CompanyAdministrator {
                account_id: account.id.clone(),
                display_name: account.display_name.clone(),
                since: now.0,
            },
        )));
        Some(account.display_name.clone())
    } else {
        administrator.map(|a| a.display_name)
    };
    writes.extend(forgiven);
    deps.store.write(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { index: Some(1) } => Error::AlreadyMigrated,
        StoreError::ConditionFailed { index: Some(3) } => Error::EmailTaken,
        StoreError::ConditionFailed { index: Some(5) } => Error::CompanyAlreadyRegistered,
        other => other.into(),
    })?;
    Ok(Migrated {
        session,
        company_name: flow.legacy.company_name,
        role: flow.legacy.role,
        administrator: shown,
    })
}
