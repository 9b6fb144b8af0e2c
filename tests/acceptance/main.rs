//! Black-box acceptance tests: each scenario of `SCENARIOS.md` through the HTTP API, named
//! after its ID, on the embedded store and on DynamoDB Local.

mod attempts;
mod audit;
mod budget;
mod factors;
mod faults;
mod import;
mod infra;
mod invitations;
mod lambda;
mod legal_rep;
mod login_limits;
mod logs;
mod migration;
mod property;
mod recovery;
mod registration;
mod scenarios_doc;
mod schemathesis;
mod selfservice;
mod sending;
mod sessions;
mod storage;
mod telco;
mod tokens;
