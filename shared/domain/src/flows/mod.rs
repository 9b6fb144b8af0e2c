//! Flows: what every stored flow shares (`stored`), their one-time codes, and one module a
//! flow.

pub mod autologin;
pub mod codes;
pub mod factors;
pub mod legal_rep;
pub mod line_registration;
pub mod login_flow;
pub mod migration;
pub mod passkeys;
pub mod password_reset;
pub mod recovery;
pub mod registration;
pub mod selfservice;
pub mod stored;
pub mod vat_registration;
