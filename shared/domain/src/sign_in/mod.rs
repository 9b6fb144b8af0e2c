//! Signing in: logging in, and the sessions it opens.

pub mod devices;
pub mod login;
pub mod sessions;
