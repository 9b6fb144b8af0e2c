//! The `property-management` demo: properties with their administrator, units and the
//! contracts of their owners and tenants, loaded through the import (X7).

use super::*;

/// The `property-management` demo property: the import of its management contract registers
/// the administrator, Elena Galli (first access from the emailed link, code by SMS).
pub const VILLA_ROSA: DemoContract = DemoContract {
    company_id: "villa-rosa",
    company_name: "Condominio Villa Rosa",
    vat_number: "",
    contract_id: "M-1",
    name: "Elena",
    surname: "Galli",
    birth_date: "1979-06-21",
    fiscal_code: "GLLLNE79H61F205H",
    email: "elena.galli@studiogalli.example",
    mobile: "+393475550401",
    about: "the property administrator",
};

/// C2: a second property, with its own administrator, where Roberto owns a unit too.
pub const PARCO: DemoContract = DemoContract {
    company_id: "parco",
    company_name: "Residenza del Parco",
    vat_number: "",
    contract_id: "M-2",
    name: "Paolo",
    surname: "Marini",
    birth_date: "1968-02-09",
    fiscal_code: "MRNPLA68B09H501I",
    email: "paolo.marini@amministrazionimarini.example",
    mobile: "+393475550402",
    about: "C2: a second property's administrator",
};

pub const PROPERTIES: &[&DemoContract] = &[&VILLA_ROSA, &PARCO];

/// A unit of a demo property and one contract of it.
pub struct DemoUnitContract {
    pub property_id: &'static str,
    pub contract_id: &'static str,
    pub unit_id: &'static str,
    pub unit_name: &'static str,
    pub role: &'static str,
    pub contact_name: &'static str,
    pub contact_email: &'static str,
    pub starts_on: &'static str,
    pub ends_on: Option<&'static str>,
    pub about: &'static str,
}

pub const OWNER_A1: DemoUnitContract = DemoUnitContract {
    property_id: "villa-rosa",
    contract_id: "P-A1",
    unit_id: "A1",
    unit_name: "Scala A, interno 1",
    role: "owner",
    contact_name: "Roberto Sala",
    contact_email: "roberto.sala@googlemail.com",
    starts_on: "2019-05-01",
    ends_on: None,
    about: "C1, C6: an owner with an active contract, invited at @googlemail.com",
};

pub const TENANT_A2: DemoUnitContract = DemoUnitContract {
    property_id: "villa-rosa",
    contract_id: "L-A2",
    unit_id: "A2",
    unit_name: "Scala A, interno 2",
    role: "tenant",
    contact_name: "Chiara Riva",
    contact_email: "chiara.riva@example.it",
    starts_on: "2030-06-01",
    ends_on: Some("2034-05-31"),
    about: "C3: a tenant whose lease has not started: may register, sees the unit from its start",
};

pub const TENANT_B1: DemoUnitContract = DemoUnitContract {
    property_id: "villa-rosa",
    contract_id: "L-B1",
    unit_id: "B1",
    unit_name: "Scala B, interno 1",
    role: "tenant",
    contact_name: "Davide Greco",
    contact_email: "davide.greco@example.it",
    starts_on: "2021-01-01",
    ends_on: Some("2025-12-31"),
    about: "C3: a lease that has ended: its contact sees nothing of the unit",
};

/// C2: Roberto's flat in the second property: its invitation adds the property to his account.
pub const OWNER_P1: DemoUnitContract = DemoUnitContract {
    property_id: "parco",
    contract_id: "P-P1",
    unit_id: "P1",
    unit_name: "Palazzina 1, interno 4",
    role: "owner",
    contact_name: "Roberto Sala",
    contact_email: "roberto.sala@gmail.com",
    starts_on: "2022-03-01",
    ends_on: None,
    about: "C2: Roberto's second home: its invitation adds the property to his account",
};

pub const UNIT_CONTRACTS: &[&DemoUnitContract] = &[&OWNER_A1, &TENANT_A2, &TENANT_B1, &OWNER_P1];

/// The `property-management` demo data as the operator's import file: the properties, their
/// management contracts (which register the administrators), units and their contracts.
pub fn property_jsonl() -> String {
    let mut rows = Vec::new();
    for p in PROPERTIES {
        rows.push(
            serde_json::json!({ "type": "company", "id": p.company_id, "name": p.company_name }),
        );
        rows.push(serde_json::json!({ "type": "contract", "company_id": p.company_id, "contract_id": p.contract_id, "legal_representative": { "name": p.name, "surname": p.surname, "birth_date": p.birth_date, "fiscal_code": p.fiscal_code, "email": p.email, "mobile": p.mobile } }));
    }
    for c in UNIT_CONTRACTS {
        rows.push(serde_json::json!({ "type": "unit", "company_id": c.property_id, "unit_id": c.unit_id, "name": c.unit_name }));
        rows.push(serde_json::json!({ "type": "unit_contract", "company_id": c.property_id, "contract_id": c.contract_id, "unit_id": c.unit_id, "role": c.role, "contact": { "name": c.contact_name, "email": c.contact_email }, "starts_on": c.starts_on, "ends_on": c.ends_on }));
    }
    rows.iter().map(|r| format!("{r}\n")).collect()
}

pub(super) fn describe_property() -> String {
    let mut out = String::from(
        "Demo properties (profile property-management): importing each management contract\n\
         registered its administrator (first access from the emailed link above, code by SMS).\n\
         The administrator invites each contract's contact:\n  \
         POST /companies/<property>/invitations {\"email\", \"display_name\", \"role\", \"unit_contract\"}\n",
    );
    for p in PROPERTIES {
        out.push_str(&format!(
            "\n  {} ({}) — administrator {} {}, username {}, mobile {}\n",
            p.company_name, p.company_id, p.name, p.surname, p.email, p.mobile
        ));
        for c in UNIT_CONTRACTS
            .iter()
            .filter(|c| c.property_id == p.company_id)
        {
            out.push_str(&format!(
                "    unit {} ({}), contract {} {}: {} <{}> from {}{}\n      {}\n",
                c.unit_id,
                c.unit_name,
                c.contract_id,
                c.role,
                c.contact_name,
                c.contact_email,
                c.starts_on,
                c.ends_on.map(|e| format!(" to {e}")).unwrap_or_default(),
                c.about
            ));
        }
    }
    out
}
