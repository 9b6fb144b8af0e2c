//! What a logged-in person changes on their own account: the mobile (N7, confirmed by a code
//! sent by SMS to the new number), the login email (C5, confirmed by a code sent to the new
//! address), the SIMs associated with it (W11: a code by SMS to the SIM, or a data-only SIM's
//! PUK), and the account itself, deleted (W10). Each asks for the password again.
//!
//! A pending change is an item beside the account (one per kind), so that the confirming step
//! reads the account, its session and the change in one request. Deleting the account leaves
//! the customer data (companies, cards, contracts, lines) untouched and frees the login email
//! for a new registration.

use crate::base::clock::{DAY, MINUTE};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::messages::{Lang, Template};
use crate::base::profile::Profile;
use crate::base::store::{Condition, Item, StoreError, Write};
use crate::base::tokens::Scope;
use crate::base::types::Password;
use crate::base::types::{CardNumber, Email, OneTimeCode, PhoneNumber};
use crate::flows::codes::{self, PendingCode};
use crate::limits::attempts::{self, Limit, Refusal, Subject};
use crate::limits::sending::{self, About};
use crate::records::accounts::new_password_outside;
use crate::records::accounts::{claim_login, phone_on_file, Account, Login, PhoneOnFile};
use crate::sign_in::login::password_typed_again;
use crate::sign_in::sessions;
use crate::sign_in::sessions::{authenticate, still_good, Authenticated};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Change {
    Mobile {
        phone: crate::records::accounts::PhoneOnFile,
    },
    Email {
        email: String,
    },
    Line {
        line: PhoneOnFile,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingChange {
    change: Change,
    code: PendingCode,
    expires_at: i64,
}

/// Where the code went, and until when it works.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeStarted {
    pub next: &'static str,
    pub sent_to: String,
    pub code_expires_at: i64,
}

/// A full session (not a password-change one) and the password typed again.
/// Answers the writes that take the attempt back, for the step's write.
pub(crate) async fn reauthenticated(
    deps: &Deps,
    found: &Authenticated,
    password: &str,
) -> Result<Vec<Write>, Error> {
    found.claims.scope.full()?;
    crate::sign_in::login::password_typed_again(deps, &found.account, password).await
}

fn pending_write(account_id: &str, kind: &str, pending: &PendingChange) -> Write {
    Write::put(
        Item::new(keys::pending_change(account_id, kind), pending)
            .expiring_at(pending.expires_at + DAY),
    )
}

/// N7: a new mobile; the code goes by SMS to it.
pub async fn start_mobile_change(
    deps: &Deps,
    token: &str,
    password: &str,
    phone: &PhoneNumber,
    lang: Lang,
) -> Result<ChangeStarted, Error> {
    let found = authenticate(deps, token, |_| Vec::new()).await?;
    let forgiven = reauthenticated(deps, &found, password).await?;
    let change = |phone| Change::Mobile { phone };
    let account_id = found.account.id.as_str();
    send_code_by_sms(deps, (account_id, forgiven), "MOBILE", change, phone, lang).await
}

/// Sends a code by SMS to `phone` through the gate (`sending`: the number's, the
/// account's and the deployment's budgets) and keeps the change of `kind` it confirms,
/// for the account, writing with them what its password typed again answered.
async fn send_code_by_sms(
    deps: &Deps,
    (account_id, forgiven): (&str, Vec<Write>),
    kind: &str,
    change: impl FnOnce(PhoneOnFile) -> Change,
    phone: &PhoneNumber,
    lang: Lang,
) -> Result<ChangeStarted, Error> {
    let now = deps.clock.now();
    let about = About::account(account_id);
    let (phone_check, message) = codes::check_phone(deps, phone, about, lang).await?;
    let pending = PendingChange {
        change: change(phone_check.phone),
        code: phone_check.code,
        expires_at: now.0 + deps.profile.codes.valid_minutes * MINUTE,
    };
    let mut writes = vec![pending_write(account_id, kind, &pending), message];
    writes.extend(forgiven);
    deps.store.write(writes).await?;
    Ok(ChangeStarted {
        next: "code",
        sent_to: phone.hint(),
        code_expires_at: pending.code.expires_at,
    })
}

/// C5: a new login email; the code goes to it. An email another account logs in with is
/// refused now, and again (atomically) when the change is confirmed.
pub async fn start_email_change(
    deps: &Deps,
    token: &str,
    password: &str,
    email: &Email,
    lang: Lang,
) -> Result<ChangeStarted, Error> {
    let now = deps.clock.now();
    let found = authenticate(deps, token, |_| vec![keys::login_claim(email.canonical())]).await?;
    let forgiven = reauthenticated(deps, &found, password).await?;
    // An account that logs in with a username or a line keeps its email as a contact only.
    if found.extra[0].is_some() && found.account.login == Login::Email {
        return Err(Error::EmailTaken);
    }
    let (code, pending_code) = codes::issue(deps, now);
    let content = Template::VerificationCode {
        code,
        valid_minutes: deps.profile.codes.valid_minutes,
    };
    let about = About::account(&found.account.id);
    let message = sending::email(deps, email, about, content, lang).await?;
    let pending = PendingChange {
        change: Change::Email {
            email: email.as_str().to_string(),
        },
        code: pending_code,
        expires_at: now.0 + deps.profile.codes.valid_minutes * MINUTE,
    };
    let mut writes = vec![pending_write(&found.account.id, "EMAIL", &pending), message];
    writes.extend(forgiven);
    deps.store.write(writes).await?;
    Ok(ChangeStarted {
        next: "code",
        sent_to: email.hint(),
        code_expires_at: pending.code.expires_at,
    })
}

/// The code of a pending change of `kind` (`MOBILE` or `EMAIL`): the change is applied.
pub async fn confirm_change(
    deps: &Deps,
    token: &str,
    kind: &str,
    code: &OneTimeCode,
) -> Result<(), Error> {
    let found = authenticate(deps, token, |id| vec![keys::pending_change(id, kind)]).await?;
    found.claims.scope.full()?;
    let pending_item = found.extra[0].clone().ok_or(Error::NoPendingChange)?;
    let pending: PendingChange = pending_item.parse()?;
    let round = format!("{}.{kind}", found.account.id);
    let subject = Some(Subject::Account(&found.account.id));
    let forgiven = match pending.code.check(deps, &round, subject, code).await {
        Ok(forgiven) => forgiven,
        Err(error) => {
            if matches!(error, Error::TooManyAttempts) {
                // The tries are spent: the change is dropped.
                let drop = Write::delete(
                    pending_item.key.clone(),
                    Condition::Version(pending_item.version),
                );
                crate::flows::stored::end(deps, drop).await?;
            }
            return Err(error);
        }
    };
    let mut account = found.account;
    let done = Write::delete(
        pending_item.key.clone(),
        Condition::Version(pending_item.version),
    );
    let mut taken = Error::EmailTaken;
    let mut writes = match pending.change {
        Change::Mobile { phone } => {
            account.mobile = Some(phone);
            vec![Write::replace(&found.item, &account), done]
        }
        Change::Line { line } => {
            add_line(deps, &mut account, line.clone())?;
            taken = Error::LineTaken;
            vec![
                Write::replace(&found.item, &account),
                done,
                claim_login(&keys::line_login_key(&line.lookup), &account.id),
            ]
        }
        // The code sent to the address came back: it is proven.
        Change::Email { email } if account.login != Login::Email => {
            account.email = email;
            account.email_unproven = false;
            vec![Write::replace(&found.item, &account), done]
        }
        Change::Email { email } => {
            let new = Email::parse(&email).map_err(|e| Error::Internal(Box::new(e)))?;
            let old = Email::parse(&account.email).map_err(|e| Error::Internal(Box::new(e)))?;
            account.email = new.as_str().to_string();
            account.email_unproven = false;
            let mut updated = found.item.next(&account);
            updated.gsi1 = Some(keys::login_index(new.canonical()));
            let mut writes = vec![
                Write::Put {
                    item: updated,
                    condition: Condition::Version(found.item.version),
                },
                done,
                claim_login(new.canonical(), &account.id),
            ];
            if new.canonical() != old.canonical() {
                writes.push(Write::delete(
                    keys::login_claim(old.canonical()),
                    Condition::None,
                ));
            }
            // A temporary password from a recovery was found by the old login: it goes.
            writes.push(Write::delete(
                keys::temporary_password(&account.id),
                Condition::None,
            ));
            writes
        }
    };
    writes.extend(forgiven);
    deps.store.write(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { index: Some(2) } => taken,
        other => other.into(),
    })?;
    Ok(())
}

/// R8: a card's Key6, as shown to its holder.
#[derive(Debug, Clone, Serialize)]
pub struct Key6View {
    pub last4: String,
    pub key6: String,
}

/// R8: the Key6 of one of the person's cards, asked of the card issuer after the password
/// again (Varco keeps only its hash). A card that is not the person's answers like a wrong
/// number. One read, the count, and the right password's attempt taken back while the
/// issuer answers.
pub async fn view_key6(
    deps: &Deps,
    token: &str,
    password: &str,
    card: &CardNumber,
) -> Result<Key6View, Error> {
    let lookup = deps.pepper.lookup(purpose::CARD, card.digits());
    let found = authenticate(deps, token, |_| vec![keys::card(&lookup)]).await?;
    let forgiven = reauthenticated(deps, &found, password).await?;
    let held: Option<crate::records::cards::Card> =
        found.extra[0].as_ref().map(Item::parse).transpose()?;
    if held.and_then(|c| c.account_id).as_deref() != Some(found.account.id.as_str()) {
        return Err(Error::DataNotCorrect);
    }
    let (key6, _) = futures_util::future::join(deps.issuer.key6(card), async {
        // Only leaves the attempt counted should it fail: the answer does not wait on it.
        if let Err(e) = deps.store.write(forgiven).await {
            tracing::warn!(event = "attempt_not_forgiven", error = %e);
        }
    })
    .await;
    let key6 = key6?.ok_or(Error::Key6Unavailable)?;
    Ok(Key6View {
        last4: card.last4().to_string(),
        key6: key6.expose().to_string(),
    })
}

/// W11: a SIM to associate with the account, with the password again and, for a data-only
/// SIM, its PUK.
pub struct LineAssociation {
    pub line: PhoneNumber,
    pub password: String,
    pub puk: Option<String>,
}

/// The answer to a SIM association: the code went by SMS to the SIM (confirm it at
/// `/me/lines/code`), or a data-only SIM was associated at once by its PUK.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum LineAssociationStarted {
    CodeSent(ChangeStarted),
    Associated { lines: Vec<String> },
}

/// Whether the account has room for `line` (and does not hold it already).
fn room_for_line(deps: &Deps, account: &Account, line: &PhoneOnFile) -> Result<(), Error> {
    let max = Profile::section(&deps.profile.line_registration)?.max_lines_per_account;
    if account.lines.contains(line) {
        return Err(Error::LineTaken);
    }
    if account.lines.len() >= max {
        return Err(Error::TooManyLines);
    }
    Ok(())
}

/// The account holds one more line, if it has room.
fn add_line(deps: &Deps, account: &mut Account, line: PhoneOnFile) -> Result<(), Error> {
    room_for_line(deps, account, &line)?;
    account.lines.push(line);
    Ok(())
}

/// W11: a SIM of one of the person's companies, not anyone's yet, is associated with the
/// account: a voice SIM once the code sent to it by SMS comes back, a data-only SIM (no SMS)
/// at once when its PUK is right. Three wrong PUKs for a SIM in a day stop its association.
pub async fn start_line_association(
    deps: &Deps,
    token: &str,
    input: LineAssociation,
    lang: Lang,
) -> Result<LineAssociationStarted, Error> {
    let settings = Profile::section(&deps.profile.line_registration)?;
    let now = deps.clock.now();
    let lookup = deps.pepper.lookup(purpose::PHONE, input.line.e164());
    let found = authenticate(deps, token, |_| {
        vec![
            keys::line(&lookup),
            keys::login_claim(&keys::line_login_key(&lookup)),
        ]
    })
    .await?;
    let mut forgiven = reauthenticated(deps, &found, &input.password).await?;
    let [line_item, claim] = [0, 1].map(|i| found.extra[i].clone());
    let mut account = found.account.clone();
    let on_file = phone_on_file(deps, &input.line);
    room_for_line(deps, &account, &on_file)?;
    let line: crate::records::contracts::Line = match line_item {
        Some(item) => item.parse()?,
        None => return Err(Error::LineNotEligible),
    };
    if !account
        .memberships
        .iter()
        .any(|m| m.company_id == line.company_id)
    {
        return Err(Error::LineNotEligible);
    }
    if claim.is_some() {
        return Err(Error::LineTaken);
    }
    if !line.data_only {
        let change = |line| Change::Line { line };
        let forgiven = (account.id.as_str(), forgiven);
        let sent = send_code_by_sms(deps, forgiven, "LINE", change, &input.line, lang).await?;
        return Ok(LineAssociationStarted::CodeSent(sent));
    }
    // A data-only SIM: its PUK proves the SIM is in the person's hands.
    let Some(puk) = input.puk.as_deref() else {
        return Err(Error::PukRequired);
    };
    // Counted per SIM, whoever types them: a few a day stop its association.
    let limits = [
        Limit::per_window(
            Subject::Sim(&lookup),
            "LOCK",
            settings.puk_misses_per_flow,
            DAY,
            now,
        )
        .refused_with(Refusal::Flow),
        Limit::per_day(deps, Subject::Sim(&lookup), now),
    ];
    let guess = attempts::guess(
        deps,
        &limits,
        Some(&account.id),
        puk,
        line.puk_hash.as_deref(),
    )
    .await?;
    if !guess.right {
        return Err(Error::PukNotCorrect);
    }
    add_line(deps, &mut account, on_file.clone())?;
    forgiven.extend(guess.forgiven);
    let mut writes = vec![
        Write::replace(&found.item, &account),
        claim_login(&keys::line_login_key(&lookup), &account.id),
    ];
    writes.extend(forgiven);
    deps.store.write(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { index: Some(1) } => Error::LineTaken,
        other => other.into(),
    })?;
    Ok(LineAssociationStarted::Associated {
        lines: account.lines.into_iter().map(|l| l.hint).collect(),
    })
}

/// W10: the account is deleted, with its sessions and pending changes; the login email is
/// free again. Customer data (companies, cards, contracts, lines) stays as it is.
pub async fn delete_account(deps: &Deps, token: &str, password: &str) -> Result<(), Error> {
    let now = deps.clock.now();
    let claims = deps.tokens.verify(token, now)?;
    // The account's partition holds the account, its sessions, its pending changes and
    // any temporary password: one query reads them all.
    let items = deps
        .store
        .query(
            &keys::account(&claims.sub).pk,
            "",
            // Room for the login claim, the seats and the SIMs' claims.
            crate::base::store::MAX_WRITES - 8,
        )
        .await?;
    let item = items
        .iter()
        .find(|i| i.key == keys::account(&claims.sub))
        .ok_or(Error::Unauthenticated)?;
    let account: Account = item.parse()?;
    let session = claims.sid.as_ref().and_then(|sid| {
        items
            .iter()
            .find(|i| i.key == keys::session(&claims.sub, sid))
    });
    still_good(&claims, &account, session, now)?;
    // A password-change session (no stored session) may not delete the account.
    if session.is_none() || claims.scope != Scope::Account {
        return Err(Error::Unauthenticated);
    }
    // The account goes with its budget: nothing to take back.
    crate::sign_in::login::password_typed_again(deps, &account, password).await?;
    let mut writes: Vec<Write> = items
        .iter()
        .map(|i| Write::delete(i.key.clone(), Condition::Version(i.version)))
        .collect();
    writes.extend(account.release_login_names()?);
    // A seat the account held (a company's Administrator, a VAT's User Admin) is free for
    // a new registration.
    for seat in account.memberships.iter().filter_map(|m| m.seat.clone()) {
        writes.push(Write::delete(seat, Condition::None));
    }
    // Its companies no longer list it, and the line it was registered with (T4) is free.
    for membership in &account.memberships {
        writes.push(Write::delete(
            keys::member(&membership.company_id, &account.id),
            Condition::None,
        ));
        if let Some(id) = &membership.line_invitation {
            writes.push(Write::delete(
                keys::invitation(&membership.company_id, id),
                Condition::None,
            ));
        }
    }
    writes.extend(crate::limits::audit::record(
        deps,
        crate::limits::audit::Event::personal("account_deleted", Some(&account), "ok"),
        now,
    ));
    deps.store.write(writes).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// The confirmed mobile, masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    pub memberships: Vec<MembershipView>,
    /// The SIMs associated with the account (W7, W11), masked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    pub second_factors: crate::records::factors::FactorsView,
}

#[derive(Debug, Clone, Serialize)]
pub struct MembershipView {
    pub company_id: String,
    pub company_name: String,
    pub role: String,
    /// For a role that needs a valid company card: when access ends if the card is not
    /// renewed (its expiry or block, plus the grace period).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_until: Option<i64>,
}

pub async fn get_account(deps: &Deps, token: &str) -> Result<AccountView, Error> {
    let (claims, _, account) = sessions::authenticated(deps, token).await?;
    claims.scope.full()?;
    Ok(AccountView {
        id: account.id,
        email: account.email,
        display_name: account.display_name,
        second_factors: account.factors.view(),
        mobile: account.mobile.map(|m| m.hint),
        lines: account.lines.into_iter().map(|l| l.hint).collect(),
        memberships: account
            .memberships
            .into_iter()
            .map(|m| MembershipView {
                access_until: m
                    .card
                    .filter(|_| {
                        deps.profile
                            .role(&m.role)
                            .is_some_and(|r| r.needs_valid_card)
                    })
                    .map(|c| c.ends_at() + deps.profile.card_grace_seconds()),
                company_id: m.company_id,
                company_name: m.company_name,
                role: m.role,
            })
            .collect(),
    })
}

/// Sets a new password. A session opened with a temporary password needs nothing more; a
/// full session must give the current password. Every earlier token stops working, and any
/// temporary password left is discarded.
pub async fn change_password(
    deps: &Deps,
    token: &str,
    current: Option<&str>,
    new: &Password,
) -> Result<(), Error> {
    let (claims, item, mut account) = sessions::authenticated(deps, token).await?;
    let forgiven = match claims.scope {
        Scope::Account => {
            let current = current.ok_or(Error::CurrentPasswordWrong)?;
            password_typed_again(deps, &account, current).await?
        }
        Scope::PasswordChange => Vec::new(),
        Scope::SecondFactorSetup => return Err(Error::SecondFactorRequired),
    };
    new_password_outside(deps, new, account.password_context())?;
    account.password_hash = Some(deps.hasher.hash(new.expose(), deps.random.as_ref()));
    account.password_version += 1;
    let mut writes = vec![
        Write::replace(&item, &account),
        Write::delete(keys::temporary_password(&account.id), Condition::None),
    ];
    writes.extend(forgiven);
    deps.store.write(writes).await?;
    Ok(())
}
