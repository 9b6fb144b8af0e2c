//! An invitation as stored, and as its company's administrators see it; the company's
//! pending invitations. Read by the company's lists (`members`, `company_lines`) as well as
//! by the invitation steps (`invitations`), which change it.

use crate::base::clock::{Timestamp, DAY};
use crate::base::error::Error;
use crate::base::keys;
use crate::base::messages::Lang;
use crate::base::store::{Item, Write};
use serde::{Deserialize, Serialize};

/// Accepted, revoked and expired invitations are kept this long (to answer "already used",
/// and to be reactivated), then the store's TTL removes them.
pub(crate) const FINISHED_KEEP_SECONDS: i64 = 90 * DAY;

pub(crate) const ID_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Saved, nothing sent (T3 "add").
    Added,
    Sent,
    Accepted,
    Revoked,
    Expired,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invitation {
    pub id: String,
    pub company_id: String,
    pub company_name: String,
    /// The invited email, as typed by the administrator.
    pub email: String,
    pub display_name: String,
    pub role: String,
    /// N5: where the temporary password goes (E.164), until the invitation is finished.
    #[serde(default)]
    pub mobile: Option<String>,
    pub state: State,
    #[serde(default)]
    pub secret_hash: Option<String>,
    #[serde(default)]
    pub temporary_password_hash: Option<String>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub invited_by: String,
    pub lang: Lang,
    /// The account that accepted it.
    #[serde(default)]
    pub account_id: Option<String>,
    /// C3: the contract of a unit of the property whose contact is invited (`units`).
    #[serde(default)]
    pub unit_contract: Option<String>,
    /// T4: the company's line (E.164) the invitation associates with the invitee.
    #[serde(default)]
    pub line: Option<String>,
}

impl Invitation {
    /// The state as of `now`: a sent invitation past its expiry is expired, whether or not
    /// the job has marked it yet.
    pub fn state_at(&self, now: Timestamp) -> State {
        match (self.state, self.expires_at) {
            (State::Sent, Some(at)) if at <= now.0 => State::Expired,
            (state, _) => state,
        }
    }

    /// Whether it counts against the company's limit at `now`.
    pub(crate) fn pending_at(&self, now: Timestamp) -> bool {
        matches!(self.state_at(now), State::Added | State::Sent)
    }

    /// The item: a sent invitation is in its expiry day's partition of the job's index; a
    /// finished one expires from the store.
    pub(crate) fn item(&self, previous: Option<&Item>, now: Timestamp) -> Write {
        let mut item = Item::new(keys::invitation(&self.company_id, &self.id), self);
        match self.state {
            State::Sent => {
                let due = crate::base::keys::Buckets::Hours.of(self.expires_at.unwrap_or(now.0));
                item = item.with_gsi1(keys::invitations_due(due));
            }
            State::Added => {}
            // T4: a line's accepted invitation is what says the line is registered, kept
            // while its employee has access.
            State::Accepted if self.line.is_some() => {}
            State::Accepted | State::Revoked | State::Expired => {
                item = item.expiring_at(now.0 + FINISHED_KEEP_SECONDS);
            }
        }
        Write::upsert(previous, item)
    }

    /// Ends it (accepted, revoked, expired): no mobile kept, and no code but an accepted
    /// one's, so that `invitation_used` is told only to whoever holds that code.
    pub(crate) fn finish(&mut self, state: State) {
        self.state = state;
        if state != State::Accepted {
            self.secret_hash = None;
        }
        self.temporary_password_hash = None;
        self.mobile = None;
    }
}

/// The invitations that count against a company's limit, with their expiry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub(crate) entries: Vec<PendingEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingEntry {
    id: String,
    expires_at: Option<i64>,
}

impl Pending {
    pub(crate) fn read(item: Option<&Item>) -> Result<Pending, Error> {
        Ok(item.map(Item::parse).transpose()?.unwrap_or_default())
    }

    /// Forgets the entries expired by `now`.
    pub(crate) fn live(mut self, now: Timestamp) -> Pending {
        self.entries
            .retain(|e| e.expires_at.is_none_or(|at| at > now.0));
        self
    }

    /// Forgets the expired entries and `id`'s.
    pub(crate) fn without(mut self, id: &str, now: Timestamp) -> Pending {
        self.entries.retain(|e| e.id != id);
        self.live(now)
    }

    pub(crate) fn with(mut self, invitation: &Invitation, now: Timestamp) -> Pending {
        self = self.without(&invitation.id, now);
        if invitation.pending_at(now) {
            self.entries.push(PendingEntry {
                id: invitation.id.clone(),
                expires_at: invitation.expires_at,
            });
        }
        self
    }

    pub(crate) fn write(&self, company_id: &str, previous: Option<&Item>) -> Write {
        Write::upsert(
            previous,
            Item::new(keys::pending_invitations(company_id), self),
        )
    }
}

/// An invitation as its company's administrators see it.
#[derive(Debug, Clone, Serialize)]
pub struct InvitationView {
    pub invitation_id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub state: State,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_contract: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
}

impl InvitationView {
    pub(crate) fn of(invitation: &Invitation, now: Timestamp) -> InvitationView {
        InvitationView {
            invitation_id: invitation.id.clone(),
            email: invitation.email.clone(),
            display_name: invitation.display_name.clone(),
            role: invitation.role.clone(),
            state: invitation.state_at(now),
            expires_at: invitation.expires_at,
            unit_contract: invitation.unit_contract.clone(),
            line: invitation.line.clone(),
        }
    }
}
