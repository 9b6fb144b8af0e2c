//! The single-table key design, in one place. Every item's partition and sort key, and what
//! goes into each secondary index, is decided here.

use crate::base::clock::{DAY, HOUR};
use crate::base::store::Key;

pub fn account(id: &str) -> Key {
    Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
}

/// The temporary password issued by recovery: beside its account, in the account's login
/// index partition so that login finds both in one query.
pub fn temporary_password(account_id: &str) -> Key {
    Key::new(format!("ACCOUNT#{account_id}"), "TEMPORARY_PASSWORD")
}

/// A card, by keyed hash of its number.
pub fn card(lookup: &str) -> Key {
    Key::new(format!("CARD#{lookup}"), "CARD")
}

/// A login session, beside its account (so that one read fetches both, and a deletion
/// finds every session of the account).
pub fn session(account_id: &str, session_id: &str) -> Key {
    Key::new(
        format!("ACCOUNT#{account_id}"),
        format!("{SESSION_PREFIX}{session_id}"),
    )
}

pub const SESSION_PREFIX: &str = "SESSION#";

/// T1: an account the operator registered, waiting for its first access: where its codes
/// go. In the account's login-index partition.
pub fn first_access(account_id: &str) -> Key {
    Key::new(format!("ACCOUNT#{account_id}"), "FIRST_ACCESS")
}

/// A change of the account's mobile or login email waiting for its code (`kind`: `MOBILE`,
/// `EMAIL`), beside the account.
pub fn pending_change(account_id: &str, kind: &str) -> Key {
    Key::new(format!("ACCOUNT#{account_id}"), format!("CHANGE#{kind}"))
}

/// An account whose role rests on this company card (N3): found when the card changes.
pub fn card_holder_role(card_lookup: &str, account_id: &str) -> Key {
    Key::new(
        format!("CARD#{card_lookup}"),
        format!("{CARD_ROLE_PREFIX}{account_id}"),
    )
}

pub const CARD_ROLE_PREFIX: &str = "ROLE#";

/// A contract of a company, with its legal representative.
pub fn contract(company_id: &str, contract_id: &str) -> Key {
    Key::new(
        format!("COMPANY#{company_id}"),
        format!("{CONTRACT_PREFIX}{contract_id}"),
    )
}

pub const CONTRACT_PREFIX: &str = "CONTRACT#";

/// T4: a mobile line of a company, beside the company (by the keyed hash of its number).
pub fn company_line(company_id: &str, phone_lookup: &str) -> Key {
    Key::new(
        format!("COMPANY#{company_id}"),
        format!("{COMPANY_LINE_PREFIX}{phone_lookup}"),
    )
}

pub const COMPANY_LINE_PREFIX: &str = "LINE#";

/// C3: a unit of a property (a company of the import).
pub fn unit(property_id: &str, unit_id: &str) -> Key {
    Key::new(format!("COMPANY#{property_id}"), format!("UNIT#{unit_id}"))
}

/// C3: a contract of a unit (owner or tenant, start and end), by its id within the property.
pub fn unit_contract(property_id: &str, contract_id: &str) -> Key {
    Key::new(
        format!("COMPANY#{property_id}"),
        format!("UNITCONTRACT#{contract_id}"),
    )
}

/// A mobile line, by keyed hash of its number.
pub fn line(phone_lookup: &str) -> Key {
    Key::new(format!("LINE#{phone_lookup}"), "LINE")
}

pub fn company(id: &str) -> Key {
    Key::new(format!("COMPANY#{id}"), "COMPANY")
}

/// A person with access to a company: listed by the company's administrators, beside the
/// invitations (both under `USERS_PREFIX`, so that one query lists them together).
pub fn member(company_id: &str, account_id: &str) -> Key {
    Key::new(
        format!("COMPANY#{company_id}"),
        format!("{USERS_PREFIX}MEMBER#{account_id}"),
    )
}

/// An invitation to a company (N5, C1, T3), beside its members.
pub fn invitation(company_id: &str, invitation_id: &str) -> Key {
    Key::new(
        format!("COMPANY#{company_id}"),
        format!("{USERS_PREFIX}INVITE#{invitation_id}"),
    )
}

pub const USERS_PREFIX: &str = "USER#";

/// The company's invitations that count against its limit (`max_pending`).
pub fn pending_invitations(company_id: &str) -> Key {
    Key::new(format!("COMPANY#{company_id}"), "INVITES")
}

/// How finely the items a scheduled job handles are filed by when they fall due: the
/// `*_due` partitions below hold an hour's or a day's items each.
#[derive(Debug, Clone, Copy)]
pub enum Buckets {
    /// For an hourly job.
    Hours,
    /// For a daily job.
    Days,
}

impl Buckets {
    /// The bucket a time falls in.
    pub fn of(self, at: i64) -> i64 {
        at.div_euclid(match self {
            Buckets::Hours => HOUR,
            Buckets::Days => DAY,
        })
    }
}

/// Gsi1: sent invitations by the hour they expire in (`Buckets`), for the expiry job.
pub fn invitations_due(bucket: i64) -> String {
    format!("INVITES#DUE#{bucket}")
}

/// Gsi1: links of accounts to company cards (`card_holder_role`) by the hour the card's
/// grace period ends (N3; by day, `Buckets`), for the job that revokes lapsed administrators.
pub fn card_roles_due(bucket: i64) -> String {
    format!("CARDROLES#DUE#{bucket}")
}

/// Gsi1: flows by the hour they are finished with (a day past their end), for the job
/// that purges them.
pub fn flows_due(bucket: i64) -> String {
    format!("FLOWS#DUE#{bucket}")
}

/// Where a scheduled job keeps how far it got (`jobs`).
pub fn job_cursor(job: &str) -> Key {
    Key::new(format!("JOB#{job}"), "CURSOR")
}

/// An event of a company's audit trail, newest last in sort order: `<time>#<id>`.
pub fn audit_event(company_id: &str, at: i64, id: &str) -> Key {
    Key::new(format!("AUDIT#{company_id}"), format!("{at:012}#{id}"))
}

/// An event of the operator's audit trail of every event, by the day (UTC, days since
/// 1970-01-01) it happened: `<time>#<id>`.
pub fn audit_log_event(day: i64, at: i64, id: &str) -> Key {
    Key::new(format!("AUDITLOG#{day}"), format!("{at:012}#{id}"))
}

/// A company's registered Administrator (one per company).
pub fn company_administrator(company_id: &str) -> Key {
    Key::new(format!("COMPANY#{company_id}"), "ADMINISTRATOR")
}

/// The claim of a login name (`LoginName::key`: canonical email, `USER#<username>`,
/// `LINE#<keyed hash>`) by one account: created with the account, conditionally, so that two
/// registrations of one name cannot both succeed.
pub fn login_claim(login_key: &str) -> Key {
    Key::new(format!("LOGIN#{login_key}"), "CLAIM")
}

/// W2: the User Admin of a VAT number (one per VAT), in the VAT's index partition.
pub fn vat_user_admin(vat: &str) -> Key {
    Key::new(format!("VAT#{vat}"), "USER_ADMIN")
}

/// Gsi2: what belongs to a VAT number: its company, contracts and User Admin seat, so that
/// W2 finds them in one query.
pub fn vat_index(vat: &str) -> String {
    format!("VAT#{vat}")
}

/// A user of the old portal, by keyed hash of the username.
pub fn legacy_account(username_lookup: &str) -> Key {
    Key::new(format!("LEGACY#{username_lookup}"), "LEGACY")
}

/// A person's handle for passkeys (WebAuthn's user id), leading to their account: login by
/// a passkey alone, which names the handle and nothing else.
pub fn passkey_handle(handle: &str) -> Key {
    Key::new(format!("PASSKEY#{handle}"), "PASSKEY")
}

pub fn flow(id: &str) -> Key {
    Key::new(format!("FLOW#{id}"), "FLOW")
}

/// Attempts at one secret of a flow (`attempts`): beside the flow, by its `round` (a code).
pub fn flow_attempts(flow_id: &str, round: &str) -> Key {
    Key::new(format!("FLOW#{flow_id}"), format!("ATTEMPTS#{round}"))
}

/// Attempts for one subject (`kind`: `CARD`, `PERSON`, ...; `id`: its keyed hash or id) in
/// one window of one limit (`attempts::Limit`).
pub fn attempts(kind: &str, id: &str, window: &str) -> Key {
    Key::new(format!("ATTEMPTS#{kind}#{id}"), window.to_string())
}

/// A captcha challenge already used (single use).
pub fn captcha_used(id: &str) -> Key {
    Key::new(format!("CAPTCHA#{id}"), "USED")
}

/// W9: a gateway proof used (its keyed hash), until it could no longer be presented.
pub fn autologin_proof(proof_lookup: &str) -> Key {
    Key::new(format!("AUTOLOGIN#{proof_lookup}"), "USED")
}

pub fn message(id: &str) -> Key {
    Key::new(format!("{MESSAGE_PREFIX}{id}"), MESSAGE_SORT)
}

const MESSAGE_PREFIX: &str = "MESSAGE#";
const MESSAGE_SORT: &str = "MESSAGE";

/// Whether `key` is an outbox message's (`message`): what the stream's sender delivers.
pub fn is_message(key: &Key) -> bool {
    key.pk.starts_with(MESSAGE_PREFIX) && key.sk == MESSAGE_SORT
}

/// The login key of a username (W4: as typed).
pub fn username_login_key(username: &str) -> String {
    format!("USER#{username}")
}

/// The login key of a line, from its keyed hash.
pub fn line_login_key(phone_lookup: &str) -> String {
    format!("LINE#{phone_lookup}")
}

/// Gsi1: the login name (`LoginName::key`).
pub fn login_index(login_key: &str) -> String {
    format!("LOGIN#{login_key}")
}

/// Gsi1: messages waiting to be delivered.
pub const OUTBOX_PENDING: &str = "OUTBOX#PENDING";

/// Gsi2: a person, by keyed hash of the fiscal code.
pub fn fiscal_code_index(lookup: &str) -> String {
    format!("FISCAL#{lookup}")
}

/// Purposes of the keyed hash (`Pepper::lookup`).
pub mod purpose {
    pub const FISCAL_CODE: &str = "fiscal-code";
    pub const CARD: &str = "card";
    pub const PHONE: &str = "phone";
    pub const EMAIL: &str = "email";
    pub const REFRESH_TOKEN: &str = "refresh-token";
    pub const USERNAME: &str = "username";
    pub const IMPORT: &str = "import";
    pub const ACTIVATION: &str = "activation";
    pub const GATEWAY_KEY: &str = "gateway-key";
    pub const OPERATOR_KEY: &str = "operator-key";
    pub const LINE_INVITATION: &str = "line-invitation";
    /// The keystream that seals an account id into a password reset's flow id.
    pub const RESET_FLOW: &str = "reset-flow";
    /// The key that seals authenticator apps' seeds (`Pepper::sealer`).
    pub const AUTHENTICATOR_SEED: &str = "authenticator-seed";
    pub const RECOVERY_CODE: &str = "recovery-code";
}
