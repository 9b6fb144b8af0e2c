//! Companies as the operator's data describes them, and who administers each.

use crate::base::deps::Deps;
use crate::base::keys::{self, purpose};
use crate::base::profile::Requirement;
use crate::base::store::{Item, Write};
use crate::base::types::{CardNumber, RegistrationCode};
use crate::records::cards::{Card, CardValidity, CompanyCard};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Company {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub vat_number: Option<String>,
    /// Keyed hash of the row it was imported from (`import`).
    #[serde(default)]
    pub import_digest: Option<String>,
    /// Who in the company must have a second factor, beyond the profile's policy.
    #[serde(default)]
    pub second_factor: Requirement,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
/// The company's registered Administrator (N4, N8): an item of its own beside the company,
/// created only if absent, so that a company has one.
pub struct CompanyAdministrator {
    pub account_id: String,
    pub display_name: String,
    pub since: i64,
}

/// A company card as the operator's data describes one (demo data, and the import to come).
pub struct NewCompanyCard {
    pub company_id: String,
    pub company_name: String,
    pub number: CardNumber,
    pub holder_name: String,
    pub validity: CardValidity,
    pub registration_code: Option<RegistrationCode>,
}

/// The writes that create a company (if `with_company`) and one of its cards; they fail
/// (when written) if either exists already.
pub fn provision_company_card(deps: &Deps, new: &NewCompanyCard, with_company: bool) -> Vec<Write> {
    let mut writes = Vec::new();
    if with_company {
        let company = Company {
            id: new.company_id.clone(),
            name: new.company_name.clone(),
            vat_number: None,
            import_digest: None,
            second_factor: Requirement::Optional,
        };
        writes.push(Write::create(Item::new(
            keys::company(&company.id),
            &company,
        )));
    }
    let card = Card {
        account_id: None,
        last4: new.number.last4().to_string(),
        key6_hash: None,
        company: Some(CompanyCard {
            company_id: new.company_id.clone(),
            company_name: new.company_name.clone(),
            holder_name: new.holder_name.clone(),
            validity: new.validity,
            registration_code_hash: new
                .registration_code
                .as_ref()
                .map(|c| deps.hasher.hash(c.expose(), deps.random.as_ref())),
            import_digest: None,
        }),
    };
    writes.push(Write::create(Item::new(
        keys::card(&deps.pepper.lookup(purpose::CARD, new.number.digits())),
        &card,
    )));
    writes
}
