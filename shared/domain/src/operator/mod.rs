//! What the operator runs: the import, the back office, the scheduled jobs (X2).

pub mod back_office;
pub mod import;
pub mod jobs;
