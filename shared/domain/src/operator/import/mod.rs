//! X7: the operator's master data, imported from JSON Lines: companies, company cards,
//! contracts with their legal representative, mobile lines, the users of the old portal, and
//! (`property-management`, where a property is a company) units and their contracts.
//!
//! One object per line, with a `type`:
//!
//! ```text
//! {"type":"company","id":"acme","name":"Acme Forniture Srl","vat_number":"00743110157"}
//! {"type":"company_card","company_id":"acme","number":"4000056655665556","holder_name":"Sara Conti","valid_until":"2029-12-31","blocked_on":null,"registration_code":"ACME-7K2Q-9XPL"}
//! {"type":"contract","company_id":"acme","contract_id":"C-1","legal_representative":{"name":"Sara","surname":"Conti","birth_date":"1984-02-11","fiscal_code":"CNTSRA84B51F205X","email":"sara@acme.example","mobile":"+393475550101"}}
//! {"type":"line","company_id":"acme","number":"+393470000001","puk":"12345678","data_only":false,"referent":"Sara Conti","referent_email":"sara@acme.example","referent_role":"user"}
//! {"type":"unit","company_id":"villa-rosa","unit_id":"A1","name":"Scala A, interno 1"}
//! {"type":"unit_contract","company_id":"villa-rosa","contract_id":"P-A1","unit_id":"A1","role":"owner","contact":{"name":"Roberto Sala","email":"roberto.sala@example.it"},"starts_on":"2020-01-01","ends_on":null}
//! {"type":"legacy_account","company_id":"acme","username":"s.conti","password_hash":"pbkdf2_sha256$...","name":"Sara Conti","role":"administrator","card_number":"4000056655665556"}
//! ```
//!
//! Each row is keyed by its natural key (company id, card number, contract id, line number,
//! username) and carries a keyed hash of its content: a row imported again unchanged writes
//! nothing, a changed row updates its item, keeping what the portal added (a card's wrong
//! registration codes, a migrated account). Secrets (registration codes, PUKs) are hashed
//! with argon2id; card numbers, fiscal codes and phone numbers are kept as keyed hashes.
//! A row that fails is reported with its line and a code; the others go on. Rows refer to
//! companies imported before them (in this file or earlier).

use crate::base::clock::DAY;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::profile::Profile;
use crate::base::store::{parse_opt, Condition, Item, Key, Write};
use crate::base::types::{
    BirthDate, CardNumber, Email, FiscalCode, ParseError, PhoneNumber, RegistrationCode, VatNumber,
};
use crate::company::company_lines::{CompanyLine, Referent};
use crate::company::units::{Contact, Unit, UnitContract};
use crate::flows::migration::{legacy_key, LegacyAccount};
use crate::limits::audit::{self, Event, Source};
use crate::records::accounts::{phone_on_file, Account};
use crate::records::cards::Card;
use crate::records::cards::{CardRole, CardValidity, CompanyCard};
use crate::records::companies::Company;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod rows;

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Row {
    Company(rows::CompanyRow),
    CompanyCard(rows::CompanyCardRow),
    Contract(rows::ContractRow),
    Line(rows::LineRow),
    /// C3: a unit of a property (`property-management`).
    Unit(rows::UnitRow),
    /// C3: a contract of a unit, naming its contact and the role it gives.
    UnitContract(rows::UnitContractRow),
    LegacyAccount(rows::LegacyAccountRow),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRepresentative {
    name: String,
    surname: String,
    birth_date: String,
    fiscal_code: String,
    email: String,
    mobile: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowReport {
    /// 1-based line number in the file.
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
    /// Every row that did not stay unchanged, in file order.
    pub rows: Vec<RowReport>,
}

/// Why a row was not imported: a stable code and what to fix.
struct RowError {
    code: &'static str,
    detail: String,
}

impl RowError {
    fn new(code: &'static str, detail: impl Into<String>) -> RowError {
        RowError {
            code,
            detail: detail.into(),
        }
    }

    fn field(field: &'static str) -> impl Fn(ParseError) -> RowError {
        move |reason| RowError::new("invalid_field", format!("{field}: {reason}"))
    }
}

impl From<Error> for RowError {
    fn from(e: Error) -> RowError {
        let described = e.describe();
        RowError::new(described.code, described.en)
    }
}

impl From<crate::base::store::StoreError> for RowError {
    fn from(e: crate::base::store::StoreError) -> RowError {
        Error::from(e).into()
    }
}

/// Imports every line of `text`; blank lines are skipped.
pub async fn import(deps: &Deps, text: &str) -> ImportReport {
    let mut report = ImportReport::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (kind, result) = import_line(deps, line).await;
        let outcome = match &result {
            Ok(outcome) => *outcome,
            Err(_) => Outcome::Failed,
        };
        match outcome {
            Outcome::Created => report.created += 1,
            Outcome::Updated => report.updated += 1,
            Outcome::Unchanged => report.unchanged += 1,
            Outcome::Failed => report.failed += 1,
        }
        if outcome != Outcome::Unchanged {
            let (code, detail) = match result {
                Err(e) => (Some(e.code), Some(e.detail)),
                Ok(_) => (None, None),
            };
            report.rows.push(RowReport {
                line: index + 1,
                kind,
                outcome,
                code,
                detail,
            });
        }
    }
    let counts = format!(
        "created={} updated={} unchanged={} failed={}",
        report.created, report.updated, report.unchanged, report.failed
    );
    let event = Event {
        action: "import",
        actor: None,
        subject: Some(&counts),
        companies: Vec::new(),
        source: Source::Import,
        outcome: if report.failed == 0 {
            "ok"
        } else {
            "rows_failed"
        },
    };
    let now = deps.clock.now();
    if let Err(e) = deps.store.write(audit::record(deps, event, now)).await {
        tracing::warn!(event = "import_not_audited", error = %e, "an import was not recorded in the audit trail");
    }
    report
}

async fn import_line(deps: &Deps, line: &str) -> (Option<String>, Result<Outcome, RowError>) {
    let value: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => return (None, Err(RowError::new("malformed_row", e.to_string()))),
    };
    let kind = value["type"].as_str().map(str::to_string);
    // serde_json's maps are ordered by key: the same row always gives the same digest.
    let digest = deps.pepper.lookup(purpose::IMPORT, &value.to_string());
    let row: Row = match serde_json::from_value(value) {
        Ok(row) => row,
        Err(e) => return (kind, Err(RowError::new("malformed_row", e.to_string()))),
    };
    (kind, apply(deps, row, digest).await)
}

/// Whether the item as stored came from this very row.
fn same_row(item: &Option<Item>, digest: &str) -> bool {
    item.as_ref()
        .and_then(|i| i.doc.get("import_digest"))
        .is_some_and(|d| d.as_str() == Some(digest))
}

/// Stores `doc` at `key`: a create when absent, else a replace of what was read.
async fn store_row<T: Serialize>(
    deps: &Deps,
    key: Key,
    existing: &Option<Item>,
    doc: &T,
) -> Result<Outcome, RowError> {
    store_indexed_row(deps, key, existing, doc, |_| {}, Vec::new()).await
}

/// `store_row`, with the item's indexes set by `index`, and `also` written in the same
/// transaction.
async fn store_indexed_row<T: Serialize>(
    deps: &Deps,
    key: Key,
    existing: &Option<Item>,
    doc: &T,
    index: impl FnOnce(&mut Item),
    also: Vec<Write>,
) -> Result<Outcome, RowError> {
    let (mut item, condition, outcome) = match existing {
        Some(previous) => (
            previous.next(doc),
            Condition::Version(previous.version),
            Outcome::Updated,
        ),
        None => (Item::new(key, doc), Condition::Absent, Outcome::Created),
    };
    index(&mut item);
    let mut writes = vec![Write::Put { item, condition }];
    writes.extend(also);
    deps.store.write(writes).await?;
    Ok(outcome)
}

/// The item at `key` as stored, and the company the row refers to, read together.
async fn read_with_company(
    deps: &Deps,
    key: &Key,
    company_id: &str,
) -> Result<(Option<Item>, Company), RowError> {
    let mut items = deps
        .store
        .get_many(&[key.clone(), keys::company(company_id)])
        .await?
        .into_iter();
    let existing = items.next().flatten();
    let company = known_company(&items.next().flatten(), company_id)?;
    Ok((existing, company))
}

/// An id that goes into keys and paths: a company's, a unit's, a unit contract's.
fn identifier(field: &'static str, id: &str) -> Result<String, RowError> {
    if crate::base::types::is_id(id, 40, false) {
        Ok(id.to_string())
    } else {
        Err(RowError::new(
            "invalid_field",
            format!("{field}: 1 to 40 letters, digits, `-` or `_`"),
        ))
    }
}

/// The company a row refers to; it must have been imported.
fn known_company(item: &Option<Item>, id: &str) -> Result<Company, RowError> {
    parse_opt::<Company>(item)?.ok_or_else(|| {
        RowError::new(
            "unknown_company",
            format!("no company `{id}`: import its `company` row first"),
        )
    })
}

fn date(field: &'static str, value: &str) -> Result<BirthDate, RowError> {
    BirthDate::parse(value).map_err(RowError::field(field))
}

async fn apply(deps: &Deps, row: Row, digest: String) -> Result<Outcome, RowError> {
    match row {
        Row::Company(row) => rows::company(deps, row, digest).await,
        Row::CompanyCard(row) => rows::company_card(deps, row, digest).await,
        Row::Contract(row) => rows::contract(deps, row, digest).await,
        Row::Line(row) => rows::line(deps, row, digest).await,
        Row::Unit(row) => rows::unit(deps, row, digest).await,
        Row::UnitContract(row) => rows::unit_contract(deps, row, digest).await,
        Row::LegacyAccount(row) => rows::legacy_account(deps, row, digest).await,
    }
}
