//! Values that parse, what every layer shares (errors, messages, profiles, the key design),
//! and the ports: what the domain needs from outside, as traits and small types.

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
