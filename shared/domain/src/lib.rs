//! Varco's domain: value types that parse, portal profiles, flows as stored state machines,
//! and the ports they need (store, clock, randomness, captcha, message sender). No AWS, no
//! HTTP, no async runtime: adapters and functions depend on this crate, never the reverse.

pub mod accounts;
pub mod attempts;
pub mod audit;
pub mod autologin;
pub mod blocking;
pub mod captcha;
pub mod cards;
pub mod clock;
pub mod codes;
pub mod companies;
pub mod company_lines;
pub mod contracts;
pub mod crypto;
pub mod deps;
pub mod error;
pub mod flows;
pub mod import;
pub mod invitations;
pub mod issuer;
pub mod jobs;
pub mod keys;
pub mod legal_rep;
pub mod line_registration;
pub mod login;
pub mod login_delay;
pub mod members;
pub mod memory;
pub mod messages;
pub mod migration;
pub mod operator;
pub mod outbox;
pub mod password_reset;
pub mod profile;
pub mod random;
pub mod recovery;
pub mod registration;
pub mod selfservice;
pub mod sending;
pub mod sessions;
pub mod store;
pub mod tokens;
pub mod types;
pub mod units;
pub mod vat_registration;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use deps::Deps;
pub use error::Error;
