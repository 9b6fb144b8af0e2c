//! Varco's domain: value types that parse, portal profiles, flows as stored state machines,
//! and the ports they need (store, clock, randomness, captcha, message sender). No AWS, no
//! HTTP, no async runtime: adapters and functions depend on this crate, never the reverse.
//!
//! The folders are its layers, read from the top: a module uses only its own layer and the
//! ones above, with no cycle (`tests/layers.rs` holds them to it).

pub mod base;
pub mod company;
pub mod flows;
pub mod limits;
pub mod operator;
pub mod records;
pub mod sign_in;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use base::deps::Deps;
pub use base::error::Error;
