//! A company's people: members and roles, invitations, lines, units.

pub mod company_lines;
pub mod invitations;
pub mod members;
pub mod units;
