//! Every function of Varco, by the name its configuration gives it (`VARCO_FUNCTION`): the
//! steps of the route table, the outbox sender, the scheduled jobs, the import and the
//! signing keys' rotation; and the keys each holds (`crate::secrets`).

use crate::secrets::Keys;

/// The functions that are not steps.
pub const DELIVER_MESSAGES: &str = "deliver-messages";
pub const IMPORT_DATA: &str = "import-data";
pub const ROTATE_SIGNING_KEYS: &str = "rotate-signing-keys";

/// Every function's name: the steps, the outbox sender, the jobs and the import.
pub fn function_names() -> Vec<&'static str> {
    let steps = crate::routes::routes().iter().map(|route| route.name);
    let jobs = Job::ALL.into_iter().map(Job::name);
    steps
        .chain([DELIVER_MESSAGES, IMPORT_DATA, ROTATE_SIGNING_KEYS])
        .chain(jobs)
        .collect()
}

/// The scheduled jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    ExpireInvitations,
    RevokeLapsedAdministrators,
    PurgeFlows,
}

impl Job {
    pub const ALL: [Job; 3] = [
        Job::ExpireInvitations,
        Job::RevokeLapsedAdministrators,
        Job::PurgeFlows,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::ExpireInvitations => "expire-invitations",
            Job::RevokeLapsedAdministrators => "revoke-lapsed-administrators",
            Job::PurgeFlows => "purge-flows",
        }
    }
}

/// The keys of every function: a step's from the route table; the outbox sender opens what
/// is queued (the message key); the job that revokes lapsed administrators looks them up
/// and emails them; the other jobs work on the table alone; the import looks up what it
/// imports; the rotation reads and writes the token keys.
pub fn function_keys(function: &str) -> Option<Keys> {
    if let Some(step) = crate::routes::Step::named(function) {
        return Some(step.keys());
    }
    let job = Job::ALL.into_iter().find(|job| job.name() == function);
    match (function, job) {
        (_, Some(Job::RevokeLapsedAdministrators)) => Some(Keys::parse("PM")),
        (_, Some(_)) => Some(Keys::NONE),
        (DELIVER_MESSAGES, _) => Some(Keys::parse("M")),
        (IMPORT_DATA, _) => Some(Keys::parse("P")),
        (ROTATE_SIGNING_KEYS, _) => Some(Keys::parse("SV")),
        _ => None,
    }
}
