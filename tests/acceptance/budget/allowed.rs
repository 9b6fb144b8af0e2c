//! What a step may cost: its round trips allowed, and the check of a walk's counts and
//! actions against them and against the template's grants.

use std::collections::{BTreeMap, BTreeSet};

/// Two round trips, but for the back office's revocation (N6), which reads the company's seat,
/// then the account the seat names, then writes; a login by passkey alone (M3), which reads
/// its ceremony and the passkey's handle, then the account the handle names; C3's list of units, which reads the
/// session, then the contracts its memberships name, then the units of the active ones; and
/// T4's list of lines, which reads the session, a page of lines, then their invitations and
/// login claims.
///
/// And more where a person types a secret (X5): the attempt is counted (one `UpdateItem`
/// per limit, sent together) after the read and before the secret is checked, one round
/// trip. The count cannot ride on the read (a `BatchGetItem`) nor on the write (it must
/// precede the check); a right secret takes its attempt back in the step's own write. Two
/// where the secret has a flow's (or a SIM's) few tries and a subject's budget too: the
/// tries are counted first, then the budget, so that a burst at one flow never spends the
/// budget (`attempts::count`). `start-line-association` counts two secrets one after the
/// other, the password typed again and a data-only SIM's PUK.
///
/// And, against SMS pumping (X5): one where a step queues an SMS or email (a security
/// notice too, M9), whose budgets are counted before it is queued (`sending`), and one where a step that may send runs
/// without a login, whose client address is counted before it runs.
///
/// And one where a step opens a session beside the account's others (`OPENS_A_SESSION`), or
/// ends an account's sessions (`ENDS_SESSIONS`): the account's sessions are one query of its
/// partition.
///
/// And one where a login comes with a solved captcha: the solution is spent before anything
/// is counted, so that one solution is one attempt however many are raced with it.
fn allowed_round_trips(step: &str) -> u64 {
    if step == LOGIN_WITH_CAPTCHA {
        return allowed_round_trips("login") + 1;
    }
    let base = match step {
        "revoke-company-registration"
        | "list-my-units"
        | "list-company-lines"
        | "log-in-with-passkey" => 3,
        _ => 2,
    };
    let guessed = match step {
        "start-line-association" => 3,
        step if TRIED_THEN_BUDGETED.contains(&step) => 2,
        step if GUESSED.contains(&step) => 1,
        _ => 0,
    };
    let of_step = |what: fn(varco_functions::Step) -> bool| {
        u64::from(
            varco_functions::routes::routes()
                .iter()
                .any(|r| r.step.name() == step && what(r.step)),
        )
    };
    base + guessed
        + u64::from(OPENS_A_SESSION.contains(&step) || ENDS_SESSIONS.contains(&step))
        + of_step(varco_functions::Step::sends)
        + of_step(varco_functions::Step::notifies)
        + of_step(varco_functions::Step::sends_without_login)
}

/// The steps that open a session for an account that may hold others: they read its
/// sessions (one query of its partition) to end the oldest beyond
/// `sessions::SESSIONS_PER_ACCOUNT`, so that an account's sessions stay bounded.
const OPENS_A_SESSION: &[&str] = &[
    "login",
    "autologin",
    "verify-login-totp",
    "use-login-recovery-code",
    "verify-login-passkey",
    "log-in-with-passkey",
];

/// The steps that end every session of an account (but the one asking): they read them.
const ENDS_SESSIONS: &[&str] = &[
    "end-my-other-sessions",
    "end-member-sessions",
    "remove-member-second-factor",
    "remove-second-factors",
];

/// The login step, sent with a solved captcha.
pub const LOGIN_WITH_CAPTCHA: &str = "login (with a captcha)";

/// The steps that answer without DynamoDB: a captcha challenge, the token keys' documents.
const WITHOUT_DYNAMODB: &[&str] = &["issue-captcha", "get-openid-configuration", "get-jwks"];

/// The steps whose secret has a flow's few tries and a subject's budget.
const TRIED_THEN_BUDGETED: &[&str] = &[
    "verify-key6",
    "verify-security-answer",
    "verify-recovery-password",
    "confirm-registration-code",
    "complete-migration",
    "confirm-mobile-change",
    "confirm-email-change",
    "complete-first-access",
    "complete-line-registration",
    "confirm-line-association",
    "verify-line-puk",
    "complete-password-reset",
    "confirm-authenticator",
    "verify-login-totp",
    "use-login-recovery-code",
    "verify-login-passkey",
];

/// The steps that count a typed secret before checking it (`attempts`).
const GUESSED: &[&str] = &[
    "login",
    "start-vat-registration",
    "verify-key6",
    "verify-security-answer",
    "verify-recovery-password",
    "start-registration",
    "confirm-registration-code",
    "start-migration",
    "complete-migration",
    "verify-line-puk",
    "complete-line-registration",
    "send-reset-code",
    "complete-password-reset",
    "complete-first-access",
    "confirm-mobile-change",
    "confirm-email-change",
    "confirm-line-association",
    "start-line-association",
    "start-mobile-change",
    "start-email-change",
    "view-key6",
    "change-password",
    "delete-account",
    "accept-invitation",
    "join-company",
    "start-authenticator-setup",
    "confirm-authenticator",
    "remove-authenticator",
    "renew-recovery-codes",
    "verify-login-totp",
    "use-login-recovery-code",
    "start-passkey-registration",
    "remove-passkey",
    "verify-login-passkey",
];

pub fn within_budget_and_grants(
    counted: &[(&str, u64)],
    used: &BTreeMap<String, BTreeSet<(String, String)>>,
) {
    let over: Vec<_> = counted
        .iter()
        .filter(|(step, n)| *n > allowed_round_trips(step))
        .collect();
    assert!(
        over.is_empty(),
        "steps over budget: {over:?} (all: {counted:?})"
    );
    assert!(
        counted
            .iter()
            .all(|(step, n)| *n > 0 || WITHOUT_DYNAMODB.contains(step)),
        "the count must see the steps' requests: {counted:?}"
    );
    let granted = crate::infra::dynamodb_grants();
    // What an import does depends on the profile (T1's registrations, in `telco-legal-rep`,
    // send emails through the gate): its grant holds what every profile's import uses.
    let fits = |function: &str, actions: &BTreeSet<(String, String)>| match function {
        "import-data" => actions.is_subset(&granted[function]),
        _ => &granted[function] == actions,
    };
    let differ: Vec<_> = used
        .iter()
        .filter(|(function, actions)| !fits(function, actions))
        .map(|(function, actions)| {
            format!(
                "{function}: granted {:?}, used {actions:?}",
                granted[function]
            )
        })
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
