//! C3: a property's units and their contracts (`property-management`). A property is a
//! company of the import; each unit has contracts that give a contact (owner or tenant) a
//! role for a time: from the day it starts to the day it ends, if it ends.
//!
//! An administrator invites a contract's contact naming the contract; accepting adds the
//! contract to the person's membership of the property (a second invitation to the same
//! property adds another unit to it). The person may register before the contract starts,
//! but sees a unit only while its contract is active: a contract not started yet shows as
//! "upcoming" (the property and the start date, nothing of the unit), an ended one not at
//! all. The contact's email on the contract (the administrator's record) is not the login
//! email, and changing one never changes the other (C5).

use crate::base::clock::Timestamp;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys;
use crate::base::profile::Profile;
use crate::base::store::{Item, Key};
use crate::sign_in::sessions::authenticate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unit {
    pub property_id: String,
    pub unit_id: String,
    /// As the administrator names it ("Scala A, interno 3").
    pub name: String,
    pub import_digest: Option<String>,
}

/// The contact a unit's contract names: the administrator's record, not a login (C5).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitContract {
    pub property_id: String,
    pub contract_id: String,
    pub unit_id: String,
    /// A role of the profile's `[units] contract_roles` (owner, tenant).
    pub role: String,
    pub contact: Contact,
    /// `YYYY-MM-DD`, as imported.
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// The first second of `starts_on` and the last of `ends_on` (UTC).
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub import_digest: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractState {
    Upcoming,
    Active,
    Ended,
}

impl UnitContract {
    pub fn state_at(&self, now: Timestamp) -> ContractState {
        if now.0 < self.starts_at {
            ContractState::Upcoming
        } else if self.ends_at.is_some_and(|end| now.0 > end) {
            ContractState::Ended
        } else {
            ContractState::Active
        }
    }
}

/// A unit its contact sees: its contract is active.
#[derive(Debug, Clone, Serialize)]
pub struct UnitView {
    pub property_id: String,
    pub property_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub contract_id: String,
    pub role: String,
    pub starts_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<String>,
}

/// A contract not started yet: when the person will see its unit, and nothing of the unit.
#[derive(Debug, Clone, Serialize)]
pub struct UpcomingView {
    pub property_id: String,
    pub property_name: String,
    pub starts_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MyUnits {
    pub units: Vec<UnitView>,
    pub upcoming: Vec<UpcomingView>,
}

/// The units the token's holder sees now. Three reads: the session with the account, the
/// contracts of its memberships, the units of the active ones.
pub async fn my_units(deps: &Deps, token: &str) -> Result<MyUnits, Error> {
    Profile::section(&deps.profile.units)?;
    let now = deps.clock.now();
    let found = authenticate(deps, token, |_| Vec::new()).await?;
    found.claims.scope.full()?;
    let held = found
        .account
        .memberships
        .iter()
        .flat_map(|m| {
            m.contracts
                .iter()
                .map(|contract| keys::unit_contract(&m.company_id, contract))
        })
        .collect();
    let property_name = |id: &str| {
        found
            .account
            .memberships
            .iter()
            .find(|m| m.company_id == id)
            .map(|m| m.company_name.clone())
            .unwrap_or_default()
    };
    let contracts: Vec<UnitContract> = read_all(deps, held).await?;
    let mut upcoming = Vec::new();
    let mut active = Vec::new();
    for contract in contracts {
        match contract.state_at(now) {
            ContractState::Upcoming => upcoming.push(UpcomingView {
                property_name: property_name(&contract.property_id),
                property_id: contract.property_id,
                starts_on: contract.starts_on,
            }),
            ContractState::Active => active.push(contract),
            ContractState::Ended => {}
        }
    }
    let units: Vec<Unit> = read_all(
        deps,
        active
            .iter()
            .map(|c| keys::unit(&c.property_id, &c.unit_id))
            .collect(),
    )
    .await?;
    let units = active
        .into_iter()
        .filter_map(|contract| {
            let unit = units
                .iter()
                .find(|u| u.property_id == contract.property_id && u.unit_id == contract.unit_id)?;
            Some(UnitView {
                property_name: property_name(&contract.property_id),
                property_id: contract.property_id,
                unit_id: contract.unit_id,
                unit_name: unit.name.clone(),
                contract_id: contract.contract_id,
                role: contract.role,
                starts_on: contract.starts_on,
                ends_on: contract.ends_on,
            })
        })
        .collect();
    Ok(MyUnits { units, upcoming })
}

/// The items at `keys` that exist, parsed (no keys: no request).
async fn read_all<T: serde::de::DeserializeOwned>(
    deps: &Deps,
    keys: Vec<Key>,
) -> Result<Vec<T>, Error> {
    let items = deps.store.get_many(&keys).await?;
    Ok(items
        .iter()
        .flatten()
        .map(Item::parse)
        .collect::<Result<_, _>>()?)
}
