//! Records: what is stored, as the flows share it.

pub mod accounts;
pub mod cards;
pub mod companies;
pub mod contracts;
pub mod factors;
pub mod invitation;
