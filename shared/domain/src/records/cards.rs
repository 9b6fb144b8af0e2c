//! Cards as stored: a cardholder's card (its Key6) and a company card (its validity and
//! registration code, N3, N4), the link of an account's role to the company card it rests
//! on, and cards as the operator's data describes them.

use crate::base::deps::Deps;
use crate::base::keys;
use crate::base::store::Item;
use crate::base::types::{
    BirthDate, CardNumber, Email, FiscalCode, Key6, Password, PhoneNumber, SecurityAnswer,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Card {
    /// The cardholder's account, when the holder has one.
    #[serde(default)]
    pub account_id: Option<String>,
    pub last4: String,
    pub key6_hash: Option<String>,
    /// For a company card: its company, validity and registration code (N3, N4).
    #[serde(default)]
    pub company: Option<CompanyCard>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompanyCard {
    pub company_id: String,
    pub company_name: String,
    pub holder_name: String,
    #[serde(flatten)]
    pub validity: CardValidity,
    pub registration_code_hash: Option<String>,
    /// Keyed hash of the row it was imported from (`import`).
    #[serde(default)]
    pub import_digest: Option<String>,
}

/// A company card's validity: when it expires, and when it was blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardValidity {
    pub valid_until: i64,
    pub blocked_at: Option<i64>,
}

impl CardValidity {
    /// When the card stopped (or stops) being valid.
    pub fn ends_at(&self) -> i64 {
        self.blocked_at
            .map_or(self.valid_until, |b| b.min(self.valid_until))
    }

    pub fn valid_at(&self, now: i64) -> bool {
        now < self.ends_at()
    }

    /// Valid, or invalid for less than `grace_seconds` (N3: 90 days from expiry or block).
    pub fn within_grace(&self, now: i64, grace_seconds: i64) -> bool {
        now < self.ends_at() + grace_seconds
    }
}

/// What links an account to the company card its role rests on, so that a change of the
/// card (an import, the N3 job) reaches the account's membership.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CardRole {
    pub account_id: String,
    pub company_id: String,
}

/// The link of an account to a company card, filed under when the card's grace period ends.
pub(crate) fn card_role_item(
    deps: &Deps,
    card_lookup: &str,
    account_id: &str,
    company_id: &str,
    validity: Option<CardValidity>,
) -> Item {
    Item {
        gsi1: card_role_due(deps, validity),
        ..Item::new(
            keys::card_holder_role(card_lookup, account_id),
            &CardRole {
                account_id: account_id.to_string(),
                company_id: company_id.to_string(),
            },
        )
    }
}

/// Where a card link is filed for the N3 job: under the day the card's grace period ends.
pub(crate) fn card_role_due(deps: &Deps, validity: Option<CardValidity>) -> Option<String> {
    validity.map(|v| {
        let lapses = v.ends_at() + deps.profile.card_grace_seconds();
        keys::card_roles_due(keys::Buckets::Days.of(lapses))
    })
}

/// A cardholder as the operator's data describes one (demo data, and the import to come).
pub struct NewCardholder {
    pub email: Email,
    pub display_name: String,
    pub fiscal_code: FiscalCode,
    pub birth_date: BirthDate,
    pub password: Option<Password>,
    pub security_question: Option<(String, SecurityAnswer)>,
    pub cards: Vec<NewCard>,
}

pub struct NewCard {
    pub number: CardNumber,
    pub key6: Option<Key6>,
    /// The phone of the card's transaction-alert service, when active (a certified phone).
    pub alert_phone: Option<PhoneNumber>,
}
