//! T4: a company's mobile lines as its administrators see them ("Gestione Utenze"): every
//! line of the company's contracts with its registration state. An administrator associates
//! a line "to register" with an employee (an invitation naming the line, saved without
//! sending: the listing gives the contract's referent to prefill it), then registers it
//! (sends the invitation: the employee gets the email with the username).
//!
//! The import keeps, beside the company, one item per line (`keys::company_line`): its
//! number and referent. A line has one invitation, whose id is made from the line (a keyed
//! hash), so that the listing and a new association read it with the line: the line's state
//! is that invitation's (kept while accepted: the employee holds the line), or registered
//! when an employee registered the line itself (W7, its login claim).

use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::store::Item;
use crate::company::members::{manager, read_page};
use crate::records::invitation::{Invitation, State as InvitationState, ID_ALPHABET};
use serde::{Deserialize, Serialize};

/// The contract's referent of a line: who the administrator may associate it with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referent {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A role id of the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A line of a company, beside the company.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompanyLine {
    pub number: String,
    pub data_only: bool,
    #[serde(default)]
    pub referent: Option<Referent>,
}

fn lookup(deps: &Deps, number: &str) -> String {
    deps.pepper.lookup(purpose::PHONE, number)
}

/// The id of the invitation that associates the line `number` (E.164) with an employee:
/// ten characters of the invitations' alphabet, from the line's keyed hash.
pub fn invitation_id(deps: &Deps, number: &str) -> String {
    let hash =
        hex::decode(deps.pepper.lookup(purpose::LINE_INVITATION, number)).unwrap_or_default();
    hash.iter()
        .take(10)
        .map(|b| char::from(ID_ALPHABET[usize::from(*b) % 32]))
        .collect()
}

/// Where a line is in its registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// "Da registrare": nobody is associated with it.
    ToRegister,
    /// Associated with an employee, not registered yet (the invitation is saved).
    Associated,
    /// Registered: the email with the username went; waiting for the employee.
    Invited,
    /// The invitation expired: send it again.
    Expired,
    /// The employee has an account.
    Registered,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    pub number: String,
    pub data_only: bool,
    pub state: LineState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referent: Option<Referent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_id: Option<String>,
    /// Whom the line is associated with (the invitation's email).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Lines {
    pub lines: Vec<LineView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The state an invitation gives the line it names.
pub(crate) fn state_of(
    invitation: Option<&Invitation>,
    now: crate::base::clock::Timestamp,
) -> LineState {
    match invitation.map(|i| i.state_at(now)) {
        None | Some(InvitationState::Revoked) => LineState::ToRegister,
        Some(InvitationState::Added) => LineState::Associated,
        Some(InvitationState::Sent) => LineState::Invited,
        Some(InvitationState::Expired) => LineState::Expired,
        Some(InvitationState::Accepted) => LineState::Registered,
    }
}

/// Most lines on a page: their invitations and login claims are one DynamoDB batch read
/// (100 keys).
pub const MAX_LINES_PAGE: usize = 33;

/// T4: a page of the company's lines with their state (at most `MAX_LINES_PAGE`), for a
/// role that manages users. Three reads: the session, the page of lines, their invitations
/// and login claims.
pub async fn list_lines(
    deps: &Deps,
    token: &str,
    company_id: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Lines, Error> {
    let now = deps.clock.now();
    let found =
        crate::company::members::authenticate_in(deps, token, company_id, |_| Vec::new()).await?;
    manager(deps, &found, company_id, now)?;
    let (items, next) = read_page(
        deps,
        &keys::company(company_id).pk,
        keys::COMPANY_LINE_PREFIX,
        false,
        cursor,
        limit.clamp(1, MAX_LINES_PAGE),
    )
    .await?;
    let lines: Vec<CompanyLine> = items.iter().map(Item::parse).collect::<Result<_, _>>()?;
    let wanted: Vec<_> = lines
        .iter()
        .flat_map(|line| keys_of(deps, company_id, &line.number))
        .collect();
    let read = deps.store.get_many(&wanted).await?;
    let mut views = Vec::new();
    for (line, read) in lines.into_iter().zip(read.chunks(3)) {
        let invitation: Option<Invitation> = read[1].as_ref().map(Item::parse).transpose()?;
        let state = match state_of(invitation.as_ref(), now) {
            _ if read[2].is_some() => LineState::Registered,
            state => state,
        };
        let invitation = invitation.filter(|_| state != LineState::ToRegister);
        views.push(LineView {
            number: line.number,
            data_only: line.data_only,
            state,
            referent: line.referent,
            invitation_id: invitation.as_ref().map(|i| i.id.clone()),
            email: invitation.map(|i| i.email),
        });
    }
    Ok(Lines { lines: views, next })
}

/// Whether the line an invitation would associate, as read by `keys_of`, is the company's
/// and free: its invitation is none, revoked or expired, and nobody registered the line.
pub(crate) fn check_free(
    read: &[Option<Item>],
    now: crate::base::clock::Timestamp,
) -> Result<(), Error> {
    if read[0].is_none() {
        return Err(Error::LineNotEligible);
    }
    let invitation: Option<Invitation> = read[1].as_ref().map(Item::parse).transpose()?;
    match state_of(invitation.as_ref(), now) {
        _ if read[2].is_some() => Err(Error::LineTaken),
        LineState::ToRegister | LineState::Expired => Ok(()),
        _ => Err(Error::LineTaken),
    }
}

/// What a line's state is read from: the line beside the company, its invitation, its login
/// claim.
pub(crate) fn keys_of(deps: &Deps, company_id: &str, number: &str) -> [crate::base::store::Key; 3] {
    let lookup = lookup(deps, number);
    [
        keys::company_line(company_id, &lookup),
        keys::invitation(company_id, &invitation_id(deps, number)),
        keys::login_claim(&keys::line_login_key(&lookup)),
    ]
}
