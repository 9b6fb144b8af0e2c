//! Invitations to a company (N5, C1, C2, T3, W3) and the company's list of users.
//!
//! A company administrator (a role that `can` manage users) invites a person with a role the
//! profile lets them grant. An invitation is an item beside the company's members: "added"
//! (saved, nothing sent: T3's "add"), "sent" (the email with its code; where the profile says
//! so, a temporary password by SMS too: N5), then accepted, expired or revoked. Sending again
//! (reactivating) gives the same invitation a new code and expiry; the old code stops working.
//!
//! The code is `<company>.<invitation>.<secret>`: it names its item, and only the secret's
//! argon2 hash is stored. It is bound to the invited email (compared canonically, C6): a
//! person without an account accepts it with that email and a password, and gets an account;
//! a person with one logs in and accepts it there, and the company is added (C2). Accepting
//! rewrites the invitation on its version, so of many racing accepts one wins.
//!
//! The company's pending invitations (added or sent and not expired) are counted in one item,
//! so that inviting reads what it needs with the session in one request.

use crate::base::clock::{Timestamp, DAY};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::messages::{Lang, Template};
use crate::base::profile::{InvitationSettings, Profile};
use crate::base::random::random_string;
use crate::base::store::{parse_opt, Item, StoreError, Write};
use crate::base::types::{Email, Password, PhoneNumber};
use crate::company::company_lines;
use crate::company::members::authenticate_in;
use crate::company::members::{manager, may_grant};
use crate::limits::attempts::{self, Limit, Subject};
use crate::limits::audit::{self, Event};
use crate::limits::sending::{self, About};
use crate::records::accounts::{
    member_write, phone_on_file, Account, Login, LoginName, Membership,
};
use crate::sign_in::sessions::{self, authenticate, Authenticated, Session};
use serde::Serialize;

pub use crate::records::invitation::{Invitation, InvitationView, State};
use crate::records::invitation::{Pending, ID_ALPHABET};

mod accept;
pub use accept::{accept, join, Acceptance, Joined};

/// An invitation as an administrator fills it in.
pub struct NewInvitation {
    pub email: Email,
    pub display_name: String,
    pub role: String,
    pub mobile: Option<PhoneNumber>,
    /// "Add and register" (send now), or "add" (T3).
    pub send: bool,
    /// C3: the contract of a unit whose contact this is (a profile with `units`).
    pub unit_contract: Option<String>,
    /// T4: a line of the company to associate with the invitee (and send its SMS to).
    pub line: Option<PhoneNumber>,
}

fn settings(deps: &Deps) -> Result<&InvitationSettings, Error> {
    Profile::section(&deps.profile.invitations)
}

/// Invites a person to `company_id`. One read (session, account, the pending count, the
/// unit's contract or the line it names: C3, T4), one write (the invitation, the count, its
/// messages, the audit event).
pub async fn invite(
    deps: &Deps,
    token: &str,
    company_id: &str,
    new: NewInvitation,
    lang: Lang,
) -> Result<InvitationView, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    if new.unit_contract.is_some() {
        Profile::section(&deps.profile.units)?;
    }
    let line = new.line.as_ref().map(|l| l.e164().to_string());
    let in_company = authenticate_in(deps, token, company_id, |_| {
        let mut wanted = vec![keys::pending_invitations(company_id)];
        wanted.extend(
            new.unit_contract
                .as_deref()
                .map(|c| keys::unit_contract(company_id, c)),
        );
        // T4: the line, its invitation and its login claim, last.
        wanted.extend(
            line.iter()
                .flat_map(|l| company_lines::keys_of(deps, company_id, l)),
        );
        wanted
    })
    .await?;
    let actor = manager(deps, &in_company, company_id, now)?.clone();
    let found = in_company.found;
    may_grant(deps, &actor.role, &new.role)?;
    if deps.profile.manages(&new.role) {
        // M7: an administrator invited only by someone who logged in recently.
        crate::sign_in::sessions::recently_logged_in(deps, &found.claims, now)?;
    }
    if new.unit_contract.is_some() && found.extra[1].is_none() {
        return Err(Error::UnitContractNotFound);
    }
    let (id, previous) = match &line {
        Some(line) => {
            let read = &found.extra[found.extra.len() - 3..];
            company_lines::check_free(read, now)?;
            (company_lines::invitation_id(deps, line), read[1].as_ref())
        }
        None => (random_string(deps.random.as_ref(), ID_ALPHABET, 10), None),
    };
    if settings.temporary_password_by_sms && new.mobile.is_none() {
        return Err(Error::InvalidField {
            field: "mobile",
            reason: crate::base::types::ParseError::Empty,
        });
    }
    let pending_item = found.extra[0].as_ref();
    let pending = Pending::read(pending_item)?.live(now);
    if pending.entries.len() >= settings.max_pending {
        return Err(Error::TooManyInvitations);
    }
    let mut invitation = Invitation {
        id,
        company_id: company_id.to_string(),
        company_name: actor.company_name.clone(),
        email: new.email.as_str().to_string(),
        display_name: new.display_name,
        role: new.role,
        mobile: line.clone().or(new.mobile.map(|m| m.e164().to_string())),
        state: State::Added,
        secret_hash: None,
        temporary_password_hash: None,
        expires_at: None,
        created_at: now.0,
        invited_by: found.account.id.clone(),
        lang,
        account_id: None,
        unit_contract: new.unit_contract,
        line,
    };
    let mut writes = if new.send {
        send_now(deps, settings, &mut invitation, now).await?
    } else {
        Vec::new()
    };
    // A line's invitation replaces the line's revoked or expired one.
    writes.push(invitation.item(previous, now));
    writes.push(
        pending
            .with(&invitation, now)
            .write(company_id, pending_item),
    );
    writes.extend(audit::record(
        deps,
        Event::api(
            if new.send {
                "invitation_sent"
            } else {
                "invitation_added"
            },
            &found.account.id,
            &invitation.id,
            company_id,
        ),
        now,
    ));
    deps.store.write(writes).await?;
    Ok(InvitationView::of(&invitation, now))
}

/// Gives `invitation` a new code (and temporary password, N5) and expiry, and the writes of
/// its messages, through the gate (`sending`: the company's budget among others).
async fn send_now(
    deps: &Deps,
    settings: &InvitationSettings,
    invitation: &mut Invitation,
    now: Timestamp,
) -> Result<Vec<Write>, Error> {
    let random = deps.random.as_ref();
    let secret = random_string(random, ID_ALPHABET, 12);
    let code = format!("{}.{}.{secret}", invitation.company_id, invitation.id);
    invitation.secret_hash = Some(deps.hasher.hash(&secret, random));
    invitation.state = State::Sent;
    invitation.expires_at = Some(now.0 + settings.valid_days * DAY);
    let lang = invitation.lang;
    let role =
        deps.profile
            .role(&invitation.role)
            .map_or(invitation.role.clone(), |r| match lang {
                Lang::It => r.it.clone(),
                Lang::En => r.en.clone(),
            });
    let email = Email::parse(&invitation.email).map_err(Error::field("email"))?;
    let company_id = invitation.company_id.clone();
    let about = About::company(&company_id);
    let content = Template::Invitation {
        company: invitation.company_name.clone(),
        role,
        link: format!("{}?code={code}", settings.accept_url),
        code,
        valid_days: settings.valid_days,
        temporary_password_by_sms: settings.temporary_password_by_sms,
        username: settings
            .username_from_email
            .then(|| crate::flows::legal_rep::username_for(&email))
            .transpose()?
            .map(|u| u.as_str().to_string()),
    };
    if !settings.temporary_password_by_sms {
        return Ok(vec![
            sending::email(deps, &email, about, content, lang).await?,
        ]);
    }
    let mobile = invitation
        .mobile
        .as_deref()
        .map(PhoneNumber::parse)
        .transpose()
        .map_err(Error::field("mobile"))?
        .ok_or(Error::InvalidField {
            field: "mobile",
            reason: crate::base::types::ParseError::Empty,
        })?;
    let password = random_string(
        random,
        crate::records::accounts::TEMPORARY_PASSWORD_ALPHABET,
        12,
    );
    invitation.temporary_password_hash = Some(deps.hasher.hash(&password, random));
    let temporary_password = Template::TemporaryPassword {
        password,
        valid_hours: settings.valid_days * 24,
    };
    let sent = sending::email_and_sms(
        deps,
        (&email, content),
        (&mobile, temporary_password),
        about,
        lang,
    );
    Ok(sent.await?.into())
}

/// The invitation `invitation_id` of a company its administrator acts on, with the pending
/// count, read with the session.
struct Managed {
    found: Authenticated,
    invitation: Invitation,
}

async fn managed(
    deps: &Deps,
    token: &str,
    company_id: &str,
    invitation_id: &str,
    now: Timestamp,
) -> Result<Managed, Error> {
    let in_company = authenticate_in(deps, token, company_id, |_| {
        vec![
            keys::invitation(company_id, invitation_id),
            keys::pending_invitations(company_id),
        ]
    })
    .await?;
    let actor_role = manager(deps, &in_company, company_id, now)?.role.clone();
    let found = in_company.found;
    let invitation: Invitation = parse_opt(&found.extra[0])?.ok_or(Error::InvitationNotFound)?;
    match invitation.state {
        State::Accepted => return Err(Error::InvitationUsed),
        State::Revoked => return Err(Error::InvitationNotFound),
        State::Added | State::Sent | State::Expired => {}
    }
    may_grant(deps, &actor_role, &invitation.role)?;
    Ok(Managed { found, invitation })
}

/// Sends an invitation saved earlier (T3), or sends one again (C1: reactivation): a new code
/// and a new expiry; the old code stops working.
pub async fn send(
    deps: &Deps,
    token: &str,
    company_id: &str,
    invitation_id: &str,
) -> Result<InvitationView, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let Managed {
        found,
        mut invitation,
    } = managed(deps, token, company_id, invitation_id, now).await?;
    let pending_item = found.extra[1].as_ref();
    let pending = Pending::read(pending_item)?.without(&invitation.id, now);
    if pending.entries.len() >= settings.max_pending {
        return Err(Error::TooManyInvitations);
    }
    let action = match invitation.state {
        State::Added => "invitation_sent",
        _ => "invitation_reactivated",
    };
    let mut writes = send_now(deps, settings, &mut invitation, now).await?;
    writes.push(invitation.item(found.extra[0].as_ref(), now));
    writes.push(
        pending
            .with(&invitation, now)
            .write(company_id, pending_item),
    );
    writes.extend(audit::record(
        deps,
        Event::api(action, &found.account.id, &invitation.id, company_id),
        now,
    ));
    deps.store.write(writes).await?;
    Ok(InvitationView::of(&invitation, now))
}

/// Revokes an invitation not yet accepted: its code stops working.
pub async fn revoke(
    deps: &Deps,
    token: &str,
    company_id: &str,
    invitation_id: &str,
) -> Result<(), Error> {
    settings(deps)?;
    let now = deps.clock.now();
    let Managed {
        found,
        mut invitation,
    } = managed(deps, token, company_id, invitation_id, now).await?;
    let pending_item = found.extra[1].as_ref();
    let pending = Pending::read(pending_item)?.without(&invitation.id, now);
    invitation.finish(State::Revoked);
    let mut writes = vec![
        invitation.item(found.extra[0].as_ref(), now),
        pending.write(company_id, pending_item),
    ];
    writes.extend(audit::record(
        deps,
        Event::api(
            "invitation_revoked",
            &found.account.id,
            &invitation.id,
            company_id,
        ),
        now,
    ));
    deps.store.write(writes).await?;
    Ok(())
}
