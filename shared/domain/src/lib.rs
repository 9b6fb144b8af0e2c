//! Varco's domain: value types that parse, portal profiles, flows as stored state machines,
//! and the ports they need (store, clock, randomness, captcha, message sender). No AWS, no
//! HTTP, no async runtime: adapters and functions depend on this crate, never the reverse.

// The modules in layers, each using only its own layer and the ones above, with no cycle
// (`tests/layers.rs` holds them to it). Read from the top.

// Values that parse, what every layer shares (errors, messages, profiles, the key design),
// and the ports: what the domain needs from outside, as traits and small types.
pub mod blocking;
pub mod captcha;
pub mod clock;
pub mod crypto;
pub mod deps;
pub mod error;
pub mod issuer;
pub mod keys;
pub mod memory;
pub mod messages;
pub mod profile;
pub mod random;
pub mod store;
pub mod tokens;
pub mod types;

// Records: what is stored, as the flows share it.
pub mod accounts;
pub mod cards;
pub mod companies;
pub mod contracts;
pub mod invitation;

// Limits and trails: guesses counted before a secret is checked, the gate every message
// passes, the outbox, the audit trail.
pub mod attempts;
pub mod audit;
pub mod login_delay;
pub mod outbox;
pub mod sending;

// Sessions and logging in; the scheduled jobs (X2) and their machinery.
pub mod jobs;
pub mod login;
pub mod sessions;

// Flows: the liveness check they share, their one-time codes, and one module a flow.
pub mod autologin;
pub mod codes;
pub mod flows;
pub mod legal_rep;
pub mod line_registration;
pub mod migration;
pub mod password_reset;
pub mod recovery;
pub mod registration;
pub mod selfservice;
pub mod vat_registration;

// A company's people: members and roles, invitations, lines, units.
pub mod company_lines;
pub mod invitations;
pub mod members;
pub mod units;

// What the operator runs: the import, the back office.
pub mod import;
pub mod operator;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use deps::Deps;
pub use error::Error;
