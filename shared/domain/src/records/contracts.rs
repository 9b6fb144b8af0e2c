//! What the operator's import writes for the flows to read: a company's contracts with their
//! legal representative (T1, W2), and its mobile lines (W7, W11, T4).

use crate::base::types::BirthDate;
use crate::records::accounts::PhoneOnFile;
use serde::{Deserialize, Serialize};

/// A contract's legal representative, as the registration flows compare and contact them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LegalRepresentative {
    pub name: String,
    pub surname: String,
    pub birth_date: BirthDate,
    pub fiscal_code_lookup: String,
    pub email: String,
    /// The number, to send codes to, and its keyed hash and hint.
    pub mobile: Option<String>,
    pub mobile_on_file: Option<PhoneOnFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contract {
    pub company_id: String,
    pub contract_id: String,
    pub legal_representative: LegalRepresentative,
    pub import_digest: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    pub company_id: String,
    #[serde(default)]
    pub company_name: String,
    /// The number, to send codes to, and its hint.
    pub number: String,
    pub hint: String,
    pub puk_hash: Option<String>,
    pub data_only: bool,
    pub referent: Option<String>,
    pub import_digest: Option<String>,
}
