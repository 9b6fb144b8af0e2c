//! A company's people as its administrators manage them: the list of members (beside the
//! invitations), changing a member's role within what the profile lets the administrator
//! grant, removing a member's access (C4: the account and its password stay; W6: for a role
//! the profile marks so, an account left without a company is deleted, to be recreated), and
//! reading the company's audit trail (X8). Every change is one atomic write with its audit
//! event.

use crate::base::clock::Timestamp;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::profile::{Capability, Requirement};
use crate::base::store::{Condition, Item, Page, Write};
use crate::limits::audit::{self, AuditEvent, Event};
use crate::records::accounts::{Account, Member, Membership};
use crate::records::companies::Company;
use crate::records::invitation::{Invitation, InvitationView, State as InvitationState};
use crate::sign_in::sessions::{authenticate, ending_all, recently_logged_in, Authenticated};
use serde::Serialize;

/// A token checked with what a company step needs beside it, read in one request: the
/// company's own second-factor policy, and the items `extra` names (in `found.extra`).
pub(crate) struct InCompany {
    pub found: Authenticated,
    /// The company's item, when there is one.
    pub company: Option<Item>,
}

impl InCompany {
    fn policy(&self) -> Result<Requirement, Error> {
        Ok(self
            .company
            .as_ref()
            .map(Item::parse::<Company>)
            .transpose()?
            .map(|c| c.second_factor)
            .unwrap_or_default())
    }
}

pub(crate) async fn authenticate_in(
    deps: &Deps,
    token: &str,
    company_id: &str,
    extra: impl FnOnce(&str) -> Vec<crate::base::store::Key>,
) -> Result<InCompany, Error> {
    let mut found = authenticate(deps, token, |id| {
        let mut wanted = vec![keys::company(company_id)];
        wanted.extend(extra(id));
        wanted
    })
    .await?;
    let company = found.extra.remove(0);
    Ok(InCompany { found, company })
}

/// The membership through which the token's holder manages `company_id`: a usable one whose
/// role manages users. Anything else (another company, a role that does not manage) is
/// refused alike.
pub(crate) fn manager<'a>(
    deps: &Deps,
    found: &'a InCompany,
    company_id: &str,
    now: Timestamp,
) -> Result<&'a Membership, Error> {
    acting_for(deps, found, company_id, Capability::ManageUsers, now)
}

/// The membership through which the token's holder may do `capability` in `company_id`;
/// a token of one factor is refused (`second_factor_required`) where the profile or the
/// company asks two of that membership's role.
fn acting_for<'a>(
    deps: &Deps,
    in_company: &'a InCompany,
    company_id: &str,
    capability: Capability,
    now: Timestamp,
) -> Result<&'a Membership, Error> {
    let found = &in_company.found;
    found.claims.scope.full()?;
    let membership = found
        .account
        .memberships
        .iter()
        .find(|m| m.company_id == company_id)
        .filter(|m| m.usable(&deps.profile, now.0))
        .filter(|m| {
            deps.profile
                .role(&m.role)
                .is_some_and(|r| r.can(capability))
        })
        .ok_or(Error::NotCompanyAdmin)?;
    let required = deps
        .profile
        .second_factor
        .required
        .max(in_company.policy()?);
    if required.applies(deps.profile.manages(&membership.role)) && !found.claims.two_factors() {
        return Err(Error::SecondFactorRequired);
    }
    Ok(membership)
}

/// What a company's administrators ask of its people beyond the profile: a second factor
/// for those who manage people, or for everyone (never less than the profile). A person
/// logged in recently, with two factors where the new policy asks them of them. Audited.
pub async fn set_second_factor_policy(
    deps: &Deps,
    token: &str,
    company_id: &str,
    required: Requirement,
) -> Result<(), Error> {
    let now = deps.clock.now();
    let in_company = authenticate_in(deps, token, company_id, |_| Vec::new()).await?;
    let actor = manager(deps, &in_company, company_id, now)?;
    let found = &in_company.found;
    recently_logged_in(deps, &found.claims, now)?;
    let effective = deps.profile.second_factor.required.max(required);
    if effective.applies(deps.profile.manages(&actor.role)) && !found.claims.two_factors() {
        // Set up yours first: the policy would refuse the next step of the one setting it.
        return Err(Error::SecondFactorRequired);
    }
    let item = in_company.company.as_ref().ok_or(Error::NotCompanyAdmin)?;
    let mut company: Company = item.parse()?;
    company.second_factor = required;
    let outcome = serde_json::to_value(required)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let mut writes = vec![Write::replace(item, &company)];
    let event = Event {
        outcome: &outcome,
        ..Event::api(
            "second_factor_policy_changed",
            &found.account.id,
            company_id,
            company_id,
        )
    };
    writes.extend(audit::record(deps, event, now));
    Ok(deps.store.write(writes).await?)
}

/// Refuses unless a holder of `actor_role` may grant `role`.
pub(crate) fn may_grant(deps: &Deps, actor_role: &str, role: &str) -> Result<(), Error> {
    if deps.profile.role(role).is_none() {
        return Err(Error::UnknownRole);
    }
    if !deps.profile.may_grant(actor_role, role) {
        return Err(Error::RoleNotGrantable);
    }
    Ok(())
}

/// A company's users as its administrators see them: members, and invitations not yet
/// accepted or revoked.
#[derive(Debug, Clone, Serialize)]
pub struct Users {
    pub members: Vec<Member>,
    pub invitations: Vec<InvitationView>,
    /// Where the next page starts (`cursor`); absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Who in the company must have a second factor, by its own policy.
    pub second_factor_policy: Requirement,
}

/// A page cursor is the last item's sort key with `.` for `#`, so that it travels in a URL
/// as it is.
fn cursor_of(sk: &str) -> String {
    sk.replace('#', ".")
}

fn sort_key_of(cursor: &str) -> String {
    cursor.replace('.', "#")
}

/// The sort key a page starts after, from a `cursor` the API handed out for a page of keys
/// starting with `sk_prefix`: another string is a client's mistake (400 `invalid_field`
/// `cursor`), never a query the store would refuse.
fn start_after(cursor: &str, sk_prefix: &str) -> Result<String, Error> {
    let sort_key = sort_key_of(cursor);
    if cursor.is_empty() || cursor.len() > 1024 || !sort_key.starts_with(sk_prefix) {
        return Err(Error::InvalidField {
            field: "cursor",
            reason: crate::base::types::ParseError::Format,
        });
    }
    Ok(sort_key)
}

/// One page of the items of partition `pk` whose sort key starts with `sk_prefix`, from
/// where `cursor` (the previous page's `next`) says: at most `limit`, and the `next` cursor
/// when the page is full.
pub(crate) async fn read_page(
    deps: &Deps,
    pk: &str,
    sk_prefix: &str,
    descending: bool,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<Item>, Option<String>), Error> {
    let after = cursor
        .map(|cursor| start_after(cursor, sk_prefix))
        .transpose()?;
    let items = deps
        .store
        .query_page(
            pk,
            &Page {
                sk_prefix,
                after: after.as_deref(),
                descending,
                limit,
            },
        )
        .await?;
    let next = (items.len() == limit)
        .then(|| items.last().map(|i| cursor_of(&i.key.sk)))
        .flatten();
    Ok((items, next))
}

/// Most items on a page.
pub const MAX_PAGE: usize = 500;

/// Lists a company's users, a page at a time in the order of their keys (members, then
/// invitations): `cursor` is the previous page's `next`. One read (the session), one query.
pub async fn list_users(
    deps: &Deps,
    token: &str,
    company_id: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Users, Error> {
    let now = deps.clock.now();
    let found = authenticate_in(deps, token, company_id, |_| Vec::new()).await?;
    manager(deps, &found, company_id, now)?;
    let prefix = keys::member(company_id, "").sk;
    let (items, next) = read_page(
        deps,
        &keys::company(company_id).pk,
        keys::USERS_PREFIX,
        false,
        cursor,
        limit.clamp(1, MAX_PAGE),
    )
    .await?;
    let mut users = Users {
        members: Vec::new(),
        invitations: Vec::new(),
        next,
        second_factor_policy: found.policy()?,
    };
    for item in &items {
        if item.key.sk.starts_with(&prefix) {
            users.members.push(item.parse()?);
        } else {
            let invitation: Invitation = item.parse()?;
            if matches!(
                invitation.state_at(now),
                InvitationState::Added | InvitationState::Sent | InvitationState::Expired
            ) {
                users.invitations.push(InvitationView::of(&invitation, now));
            }
        }
    }
    Ok(users)
}

/// A member as the company's administrators see them after a change.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub account_id: String,
    pub role: String,
}

/// The member `account_id` of `company_id` as its administrator acts on them: the
/// administrator's role, the member's account item and account, and their membership.
struct Target {
    found: Authenticated,
    actor_role: String,
    item: Item,
    account: Account,
    membership: Membership,
    member_item: Option<Item>,
}

/// Reads the administrator's session with the member's account and company listing, and
/// refuses what the administrator may not do to them: themselves, someone not in the
/// company, a role they may not grant.
async fn target(
    deps: &Deps,
    token: &str,
    company_id: &str,
    account_id: &str,
    now: Timestamp,
) -> Result<Target, Error> {
    let in_company = authenticate_in(deps, token, company_id, |_| {
        vec![
            keys::account(account_id),
            keys::member(company_id, account_id),
        ]
    })
    .await?;
    let actor_role = manager(deps, &in_company, company_id, now)?.role.clone();
    let found = in_company.found;
    if found.account.id == account_id {
        return Err(Error::NotOnYourself);
    }
    let item = found.extra[0].clone().ok_or(Error::MemberNotFound)?;
    let account: Account = item.parse()?;
    let membership = account
        .memberships
        .iter()
        .find(|m| m.company_id == company_id)
        .cloned()
        .ok_or(Error::MemberNotFound)?;
    may_grant(deps, &actor_role, &membership.role)?;
    let member_item = found.extra[1].clone();
    Ok(Target {
        found,
        actor_role,
        item,
        account,
        membership,
        member_item,
    })
}

/// Gives a member another role, both within what the administrator may grant.
pub async fn change_role(
    deps: &Deps,
    token: &str,
    company_id: &str,
    account_id: &str,
    role: &str,
) -> Result<MemberView, Error> {
    let now = deps.clock.now();
    let Target {
        found,
        actor_role,
        item,
        mut account,
        member_item,
        ..
    } = target(deps, token, company_id, account_id, now).await?;
    may_grant(deps, &actor_role, role)?;
    // M7: a role changed only by someone who logged in recently.
    recently_logged_in(deps, &found.claims, now)?;
    let since = member_item
        .as_ref()
        .and_then(|i| i.parse::<Member>().ok())
        .map_or(now.0, |m| m.since);
    for m in account
        .memberships
        .iter_mut()
        .filter(|m| m.company_id == company_id)
    {
        m.role = role.to_string();
    }
    let member = Member {
        account_id: account.id.clone(),
        display_name: account.display_name.clone(),
        email: account.email.clone(),
        role: role.to_string(),
        since,
    };
    let mut writes = vec![
        Write::replace(&item, &account),
        Write::put(Item::new(keys::member(company_id, &account.id), &member)),
    ];
    writes.extend(audit::record(
        deps,
        Event::api("role_changed", &found.account.id, &account.id, company_id),
        now,
    ));
    deps.store.write(writes).await?;
    Ok(MemberView {
        account_id: account.id,
        role: role.to_string(),
    })
}

/// Ends a member's access to the company (C4): the account and its password stay, and so
/// do its other companies. A role the profile marks `removal_deletes_account` (W6) takes an
/// account left with no company with it, so that it can be created again.
pub async fn remove_access(
    deps: &Deps,
    token: &str,
    company_id: &str,
    account_id: &str,
) -> Result<(), Error> {
    let now = deps.clock.now();
    let Target {
        found,
        item,
        mut account,
        membership,
        ..
    } = target(deps, token, company_id, account_id, now).await?;
    account.memberships.retain(|m| m.company_id != company_id);
    let mut writes = vec![Write::delete(
        keys::member(company_id, &account.id),
        Condition::None,
    )];
    writes.extend(audit::record(
        deps,
        Event::api("access_removed", &found.account.id, &account.id, company_id),
        now,
    ));
    if let Some(seat) = &membership.seat {
        writes.push(Write::delete(seat.clone(), Condition::None));
    }
    // T4: the line the person was registered with is free to associate again.
    if let Some(id) = &membership.line_invitation {
        writes.push(Write::delete(
            keys::invitation(company_id, id),
            Condition::None,
        ));
    }
    let deletes_account = account.memberships.is_empty()
        && deps
            .profile
            .role(&membership.role)
            .is_some_and(|r| r.removal_deletes_account);
    if deletes_account {
        // Its sessions and pending items are left to expire: they name an account that is
        // gone, which every step refuses.
        writes.push(Write::delete(
            item.key.clone(),
            Condition::Version(item.version),
        ));
        writes.extend(account.release_login_names()?);
    } else {
        writes.push(Write::replace(&item, &account));
    }
    deps.store.write(writes).await?;
    Ok(())
}

/// Ends every session of a member (a lost laptop, a person leaving): their tokens stop
/// working at once in Varco, and their refresh tokens. The administrator must have logged
/// in recently (`reauthentication_required`).
pub async fn end_sessions(
    deps: &Deps,
    token: &str,
    company_id: &str,
    account_id: &str,
) -> Result<(), Error> {
    let now = deps.clock.now();
    let Target { found, account, .. } = target(deps, token, company_id, account_id, now).await?;
    recently_logged_in(deps, &found.claims, now)?;
    let mut writes = ending_all(deps, &account.id, None).await?;
    writes.extend(audit::record(
        deps,
        Event::api(
            "member_sessions_ended",
            &found.account.id,
            &account.id,
            company_id,
        ),
        now,
    ));
    deps.store.write(writes).await?;
    Ok(())
}

/// M6: a member who lost their second factor (the phone with the app, and the recovery
/// codes) gets back in with the password alone: the administrator, logged in recently,
/// removes the factor; the member's sessions end with it. Audited.
pub async fn remove_second_factor(
    deps: &Deps,
    token: &str,
    company_id: &str,
    account_id: &str,
) -> Result<(), Error> {
    let now = deps.clock.now();
    let Target {
        found,
        item,
        mut account,
        ..
    } = target(deps, token, company_id, account_id, now).await?;
    recently_logged_in(deps, &found.claims, now)?;
    if !account.factors.any() {
        return Err(Error::NoSecondFactor);
    }
    account.factors.clear();
    let mut writes = vec![Write::replace(&item, &account)];
    writes.extend(ending_all(deps, &account.id, None).await?);
    writes.extend(audit::record(
        deps,
        Event::api(
            "second_factor_removed",
            &found.account.id,
            &account.id,
            company_id,
        ),
        now,
    ));
    let notice = crate::base::messages::Notice::AuthenticatorRemovedByAdministrator;
    writes.extend(crate::limits::sending::notice(deps, &account, notice).await?);
    deps.store.write(writes).await?;
    Ok(())
}

/// One page of a company's audit trail, newest first, and where the next page starts.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// X8: a page of the company's audit trail, newest first, for a role that can read it.
/// `cursor` is the `next` of the previous page.
pub async fn audit_trail(
    deps: &Deps,
    token: &str,
    company_id: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<AuditPage, Error> {
    let now = deps.clock.now();
    let found = authenticate_in(deps, token, company_id, |_| Vec::new()).await?;
    acting_for(deps, &found, company_id, Capability::ReadAudit, now)?;
    audit_page(
        deps,
        &keys::audit_event(company_id, 0, "").pk,
        cursor,
        limit,
    )
    .await
}

/// A page of an audit trail (the partition `trail`: a company's, or the operator's of a
/// day), newest first, for whoever may read it.
pub(crate) async fn audit_page(
    deps: &Deps,
    trail: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<AuditPage, Error> {
    let (items, next) = read_page(deps, trail, "", true, cursor, limit.clamp(1, MAX_PAGE)).await?;
    Ok(AuditPage {
        events: items.iter().map(Item::parse).collect::<Result<_, _>>()?,
        next,
    })
}
