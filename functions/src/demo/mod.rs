//! Demo data of each profile, one case for each path of the seeds: for `card-issuer`,
//! people and company cards, one for each recovery and registration path; for
//! `telco-sme`, companies with their contracts and lines, loaded through the import (X7);
//! for `property-management`, a property with its administrator, units and contracts.
//! The local gateway loads them at start (once per store) and prints them; tests use them
//! too.

use varco_domain::base::issuer::CardIssuer;
use varco_domain::base::keys::{self, purpose};
use varco_domain::base::store::Index;
use varco_domain::base::types::{
    check_character, BirthDate, CardNumber, Email, FiscalCode, Key6, Password, PhoneNumber,
    RegistrationCode, SecurityAnswer,
};
use varco_domain::flows::migration::{legacy_key, provision_legacy, LegacyAccount};
use varco_domain::records::accounts::provision_cardholder;
use varco_domain::records::cards::{CardValidity, NewCard, NewCardholder};
use varco_domain::records::companies::{provision_company_card, NewCompanyCard};
use varco_domain::{Deps, Error};

mod card_issuer;
mod property;
mod telco;
pub use card_issuer::*;
pub use property::*;
pub use telco::*;

/// Writes the demo people a store does not hold yet; returns how many were added.
/// Loads the demo data of the deps' profile; returns how many records were added now.
pub async fn seed(deps: &Deps) -> Result<usize, Error> {
    match deps.profile.name.as_str() {
        "card-issuer" => seed_card_issuer(deps).await,
        "telco-sme" => import_demo(deps, &telco_jsonl()).await,
        "telco-legal-rep" => import_demo(deps, &legal_rep_jsonl()).await,
        "property-management" => import_demo(deps, &property_jsonl()).await,
        _ => Ok(0),
    }
}

async fn import_demo(deps: &Deps, jsonl: &str) -> Result<usize, Error> {
    let report = varco_domain::operator::import::import(deps, jsonl).await;
    if report.failed > 0 {
        return Err(Error::Internal(
            format!("the demo data did not import: {:?}", report.rows).into(),
        ));
    }
    Ok(report.created)
}

/// The demo data of a profile, as a table for the terminal.
pub fn describe(profile: &str) -> String {
    match profile {
        "card-issuer" => describe_card_issuer(),
        "telco-sme" => describe_telco(),
        "telco-legal-rep" => describe_legal_rep(),
        "property-management" => describe_property(),
        other => format!("(no demo data for profile {other})"),
    }
}

/// R8 in the local gateway and in tests: the card issuer's Key6 service, answering with the
/// demo cards' Key6 codes (on AWS: `varco_third_party::HttpIssuer`).
pub struct DemoIssuer;

#[async_trait::async_trait]
impl CardIssuer for DemoIssuer {
    async fn key6(&self, card: &CardNumber) -> Result<Option<Key6>, Error> {
        let key6 = PEOPLE
            .iter()
            .flat_map(|person| person.cards)
            .find(|demo| demo.number == card.digits())
            .and_then(|demo| demo.key6);
        key6.map(Key6::parse)
            .transpose()
            .map_err(|e| Error::Internal(Box::new(e)))
    }
}
