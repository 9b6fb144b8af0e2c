//! N5: an invitation accepted, by a new person (`accept`) or by one logged in (`join`).

use super::*;
use crate::base::tokens::{Amr, Authentication};

/// An invitation code as typed: company, invitation and secret.
struct Code<'a> {
    company_id: &'a str,
    invitation_id: &'a str,
    secret: &'a str,
}

fn parse_code(code: &str) -> Result<Code<'_>, Error> {
    let mut parts = code.trim().split('.');
    let (Some(company_id), Some(invitation_id), Some(secret), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::InvitationNotFound);
    };
    let sane = |s: &str, max: usize| {
        !s.is_empty()
            && s.len() <= max
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !(sane(company_id, 64) && sane(invitation_id, 16) && sane(secret, 16)) {
        return Err(Error::InvitationNotFound);
    }
    Ok(Code {
        company_id,
        invitation_id,
        secret,
    })
}

/// The attempts at one invitation's secrets (the code's and the SMS's temporary password),
/// known invitation or not.
fn invitation_limit(deps: &Deps, code: &Code<'_>, now: Timestamp) -> Limit {
    let subject = format!("{}.{}", code.company_id, code.invitation_id);
    Limit::per_day(deps, Subject::Invitation(&subject), now)
}

/// The invitation a code names, if the code is its current one and it can be accepted now,
/// and (N5, accepting with a new account) `temporary` is the SMS's temporary password. The
/// attempt is counted first (`invitation_limit`), once for both secrets; when both are
/// right, the writes that take it back come with the invitation (for the step's write).
async fn acceptable(
    deps: &Deps,
    item: Option<&Item>,
    code: &Code<'_>,
    now: Timestamp,
    temporary: Option<&str>,
) -> Result<(Invitation, Vec<Write>), Error> {
    let invitation: Option<Invitation> = item.map(Item::parse).transpose()?;
    let stored = invitation.as_ref().and_then(|i| i.secret_hash.as_deref());
    let limits = [invitation_limit(deps, code, now)];
    attempts::count(deps, &limits, None).await?;
    // An unknown invitation costs the argon2 work of a known one.
    let fits = deps.hasher.verify(code.secret, stored);
    let invitation = match invitation {
        Some(i) if fits => match i.state_at(now) {
            State::Accepted => Err(Error::InvitationUsed),
            State::Sent => Ok(i),
            State::Expired => Err(Error::InvitationExpired),
            _ => Err(Error::InvitationNotFound),
        },
        _ => Err(Error::InvitationNotFound),
    }?;
    if let (Some(typed), Some(hash)) = (temporary, &invitation.temporary_password_hash) {
        if !deps.hasher.verify(typed, Some(hash)) {
            return Err(Error::TemporaryPasswordNotCorrect);
        }
    }
    Ok((invitation, attempts::forgive(&limits)))
}

/// Whether `email` is the invited one (canonically, C6).
fn bound_to(invitation: &Invitation, email: &str) -> Result<(), Error> {
    let canonical = |e: &str| Email::parse(e).map(|e| e.canonical().to_string()).ok();
    match (canonical(&invitation.email), canonical(email)) {
        (Some(a), Some(b)) if a == b => Ok(()),
        _ => Err(Error::InvitationEmailMismatch),
    }
}

/// What a person without an account gives to accept an invitation.
pub struct Acceptance {
    pub code: String,
    pub email: Email,
    pub password: Password,
    /// N5: the temporary password of the SMS, where the profile sends one.
    pub temporary_password: Option<String>,
}

/// Accepts an invitation with a new account (its login: the invited email, or a username
/// made of it where the profile says so) and opens a session. One read (the invitation, the
/// pending count, the login name's claim), one write.
pub async fn accept(deps: &Deps, acceptance: Acceptance) -> Result<Session, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let code = parse_code(&acceptance.code)?;
    let name = if settings.username_from_email {
        LoginName::Username(crate::flows::legal_rep::username_for(&acceptance.email)?)
    } else {
        LoginName::Email(acceptance.email.clone())
    };
    let login_key = name.key(deps);
    let login = match name {
        LoginName::Username(username) => Login::Username {
            username: username.as_str().to_string(),
        },
        _ => Login::Email,
    };
    let items = deps
        .store
        .get_many(&[
            keys::invitation(code.company_id, code.invitation_id),
            keys::pending_invitations(code.company_id),
            keys::login_claim(&login_key),
        ])
        .await?;
    let typed = acceptance.temporary_password.as_deref().unwrap_or("");
    let (mut invitation, forgiven) =
        acceptable(deps, items[0].as_ref(), &code, now, Some(typed)).await?;
    bound_to(&invitation, acceptance.email.as_str())?;
    if items[2].is_some() {
        return Err(Error::AccountExists);
    }
    let mobile = invitation
        .mobile
        .as_deref()
        .filter(|_| invitation.temporary_password_hash.is_some())
        .and_then(|m| PhoneNumber::parse(m).ok())
        .map(|m| phone_on_file(deps, &m));
    let account = Account::for_portal(
        deps,
        acceptance.email.as_str().to_string(),
        invitation.display_name.clone(),
        &acceptance.password,
        mobile,
        Membership {
            company_id: invitation.company_id.clone(),
            company_name: invitation.company_name.clone(),
            role: invitation.role.clone(),
            card: None,
            seat: None,
            contracts: invitation.unit_contract.iter().cloned().collect(),
            line_invitation: invitation.line.as_ref().map(|_| invitation.id.clone()),
        },
        login,
    )?;
    let pending = Pending::read(items[1].as_ref())?.without(&invitation.id, now);
    invitation.finish(State::Accepted);
    invitation.account_id = Some(account.id.clone());
    let (session, session_write) =
        sessions::open(deps, &account, Authentication::by(&[Amr::Pwd], now), now)?;
    let mut writes = vec![invitation.item(items[0].as_ref(), now)];
    writes.extend(account.create(now)?);
    writes.push(pending.write(code.company_id, items[1].as_ref()));
    writes.push(session_write);
    writes.extend(accepted_event(deps, &invitation, &account.id, now));
    writes.extend(forgiven);
    match deps.store.write(writes).await {
        Ok(()) => Ok(session),
        // The invitation (the first write) changed since it was read: accepted meanwhile.
        Err(StoreError::ConditionFailed { index: Some(0) }) => Err(Error::InvitationUsed),
        Err(StoreError::ConditionFailed { .. }) => Err(Error::Conflict),
        Err(e) => Err(e.into()),
    }
}

fn accepted_event(
    deps: &Deps,
    invitation: &Invitation,
    account_id: &str,
    now: Timestamp,
) -> Vec<Write> {
    audit::record(
        deps,
        Event::api(
            "invitation_accepted",
            account_id,
            &invitation.id,
            &invitation.company_id,
        ),
        now,
    )
}

/// The company an invitation added to an account.
#[derive(Debug, Clone, Serialize)]
pub struct Joined {
    pub company_id: String,
    pub company_name: String,
    pub role: String,
}

/// C2: a logged-in person whose login email is the invited one accepts an invitation; the
/// company is added to their account (or, C3, the unit's contract to their access to the
/// property). An invitation sent with a temporary password by SMS (N5) needs it here too,
/// as accepting with a new account does: the mailbox and the phone. One read, one write.
pub async fn join(
    deps: &Deps,
    token: &str,
    code: &str,
    temporary: Option<&str>,
) -> Result<Joined, Error> {
    settings(deps)?;
    let now = deps.clock.now();
    let code = parse_code(code)?;
    let found = authenticate(deps, token, |_| {
        vec![
            keys::invitation(code.company_id, code.invitation_id),
            keys::pending_invitations(code.company_id),
        ]
    })
    .await?;
    found.claims.scope.full()?;
    let (mut invitation, forgiven) = acceptable(
        deps,
        found.extra[0].as_ref(),
        &code,
        now,
        Some(temporary.unwrap_or("")),
    )
    .await?;
    let mut account = found.account.clone();
    bound_to(&invitation, &account.email)?;
    let contracts: Vec<String> = invitation.unit_contract.iter().cloned().collect();
    let held = account
        .memberships
        .iter_mut()
        .find(|m| m.company_id == invitation.company_id);
    let (membership, new_member) = match held {
        // C3: another unit of a property the person has access to joins that access.
        Some(m) if contracts.iter().any(|c| !m.contracts.contains(c)) => {
            m.contracts.extend(contracts);
            (m.clone(), false)
        }
        Some(_) => return Err(Error::AlreadyMember),
        None => {
            let membership = Membership {
                company_id: invitation.company_id.clone(),
                company_name: invitation.company_name.clone(),
                role: invitation.role.clone(),
                card: None,
                seat: None,
                contracts,
                line_invitation: invitation.line.as_ref().map(|_| invitation.id.clone()),
            };
            account.memberships.push(membership.clone());
            (membership, true)
        }
    };
    let pending = Pending::read(found.extra[1].as_ref())?.without(&invitation.id, now);
    invitation.finish(State::Accepted);
    invitation.account_id = Some(account.id.clone());
    let mut writes = vec![
        invitation.item(found.extra[0].as_ref(), now),
        Write::replace(&found.item, &account),
    ];
    if new_member {
        writes.push(member_write(&account, &membership, now));
    }
    writes.push(pending.write(code.company_id, found.extra[1].as_ref()));
    writes.extend(forgiven);
    writes.extend(accepted_event(deps, &invitation, &account.id, now));
    match deps.store.write(writes).await {
        Ok(()) => Ok(Joined {
            company_id: membership.company_id,
            company_name: membership.company_name,
            role: membership.role,
        }),
        Err(StoreError::ConditionFailed { index: Some(0) }) => Err(Error::InvitationUsed),
        Err(e) => Err(e.into()),
    }
}
