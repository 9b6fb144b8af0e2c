//! A profile's sections: the settings of each flow, the limits, the roles, the questions.

use crate::base::messages::Lang;
use serde::{Deserialize, Serialize};

/// C3: properties' units and their contracts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSettings {
    /// The roles (ids of `roles`) a unit's contract may give its contact.
    pub contract_roles: Vec<String>,
}

/// Invitations to a company (or property), and what they send.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationSettings {
    /// An invitation works this long from when it is sent (at most 30 days).
    pub valid_days: i64,
    /// Invitations added or sent, not yet accepted, expired or revoked, per company.
    pub max_pending: usize,
    /// N5: the invitee also gets a temporary password by SMS (so the invitation needs a
    /// mobile), typed with the emailed code when accepting.
    #[serde(default)]
    pub temporary_password_by_sms: bool,
    /// The invitee's account logs in with a username, the invited email in lower case
    /// (T3); otherwise with the email.
    #[serde(default)]
    pub username_from_email: bool,
    /// The portal's page for accepting: the email links to it with `?code=<code>`.
    pub accept_url: String,
}

/// What a role's holders may do in their company beyond using the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Invite people, change their roles and remove their access (within `grants`).
    ManageUsers,
    /// Read the company's audit trail.
    ReadAudit,
}

/// X5: how many secrets may be typed a day for one subject, across all its flows, whatever
/// their outcome (`attempts::Limit::per_day`). At the budget the person is sent to customer
/// service (`attempts_exhausted`). None may exceed `MAX_ATTEMPTS_PER_DAY`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttemptBudgets {
    /// Codes sent to an account's phone or mailbox (password resets, first accesses, mobile
    /// and email changes) and passwords typed again by its sessions.
    pub per_account: u32,
    /// Security answers and passwords of card-issuer recovery, per fiscal code.
    pub per_person: u32,
    /// Key6 codes per card and registration codes per company card (beside the windowed
    /// locks of `[recovery]` and `[registration]`).
    pub per_card: u32,
    /// Codes of password resets started with one login name.
    pub per_login_name: u32,
    /// Old passwords and codes of migrations (N2), per old username.
    pub per_old_username: u32,
    /// PUKs and codes per SIM (W7, W11).
    pub per_sim: u32,
    /// Secrets and temporary passwords typed for one invitation.
    pub per_invitation: u32,
    /// Logins with one login name, from anywhere, in each `login_window_minutes` before the
    /// next needs a captcha (`captcha_required`, harder as the day's attempts grow): the
    /// name is never refused for what others did on it (`login_delay`).
    pub logins_per_window: u32,
    pub login_window_minutes: i64,
    /// Logins with one login name from one client address (an IPv6 client's /64) in a day,
    /// then that address waits for the day's end (`login_delayed`).
    pub logins_per_day: u32,
    /// Failed logins from one client address, whatever the names, in each
    /// `login_window_minutes` before the next needs a captcha (password spraying; a
    /// company behind one NAT solves a captcha rather than being refused).
    pub logins_per_source_window: u32,
    /// Logins from one client address in a day, captcha or not, then `source_limit` until
    /// the day's end.
    pub logins_per_source_per_day: u32,
}

/// X5: how many SMS and emails may be sent a day (`sending`), against SMS pumping. The
/// deployment's and the countries' budgets are circuit breakers (`sending_suspended`
/// until the day ends); a deployment may set them from its template's parameters
/// (`VARCO_SMS_PER_DAY`, `VARCO_SMS_PER_COUNTRY`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SendingBudgets {
    /// SMS of the whole deployment.
    pub sms_per_day: u32,
    /// SMS to the numbers of one country calling code.
    pub sms_per_country: u32,
    /// Emails of the whole deployment.
    pub emails_per_day: u32,
    /// Emails to one address.
    pub per_address: u32,
    /// SMS and emails about one account (its codes, passwords and reminders).
    pub per_account: u32,
    /// SMS and emails about one company (registrations, invitations, line codes).
    pub per_company: u32,
    /// Requests, from one client address (an IPv6 client's /64), to the steps that may
    /// send an SMS or email (`source_limit`).
    pub per_source: u32,
    /// The share, in percent, of `sms_per_day` and of `sms_per_country` that SMS asked for
    /// by someone who proved nothing yet may take (password resets' and line
    /// registrations' codes); the rest stays for people who proved who they are.
    pub unproven_sms_percent: u32,
}

impl Default for SendingBudgets {
    fn default() -> SendingBudgets {
        SendingBudgets {
            sms_per_day: 2000,
            sms_per_country: 1000,
            emails_per_day: 20000,
            per_address: 10,
            per_account: 20,
            per_company: 200,
            per_source: 100,
            unproven_sms_percent: 25,
        }
    }
}

/// NIST SP 800-63B's bound on wrong guesses at one subject.
pub const MAX_ATTEMPTS_PER_DAY: u32 = 100;

impl Default for AttemptBudgets {
    fn default() -> AttemptBudgets {
        AttemptBudgets {
            per_account: 30,
            per_person: 10,
            per_card: 10,
            per_login_name: 20,
            per_old_username: 10,
            per_sim: 10,
            per_invitation: 10,
            logins_per_window: 10,
            login_window_minutes: 15,
            logins_per_day: 100,
            logins_per_source_window: 30,
            logins_per_source_per_day: 1000,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginSettings {
    /// The country prefix (`+39`) of a line number typed without one as a login name.
    pub national_prefix: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VatRegistrationSettings {
    /// The role (an id of `roles`) of whoever registers with the VAT number; one per VAT.
    pub role: String,
    /// The activation link of the email works this long.
    pub activation_hours: i64,
    /// The portal's activation page: the email links to it with `?flow=<id>&token=<token>`,
    /// which the page posts to `/user-admin-registrations/{id}/activation`.
    pub activation_url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRegistrationSettings {
    /// The role (an id of `roles`) of whoever registers a line.
    pub role: String,
    pub flow_minutes: i64,
    /// Wrong PUKs of a data-only SIM in one flow before it ends.
    pub puk_misses_per_flow: u32,
    /// W11: lines one account may hold.
    pub max_lines_per_account: usize,
}

/// T1, T2: the legal representative of an imported contract gets an account and a link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalRepRegistrationSettings {
    /// The role (an id of `roles`) of the legal representative.
    pub role: String,
    /// The emailed link works this long.
    pub link_hours: i64,
    /// The portal's first-access page: the email links to it with `?flow=<id>&token=<token>`.
    pub activation_url: String,
    /// Codes one link may send (the first and the resends).
    pub codes_per_link: u32,
}

/// W9: the headers the operator's network gateway adds to an employee's request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutologinSettings {
    /// The header with the line number of the mobile data session (`x-msisdn`).
    pub line_header: String,
    /// The header with the time of the gateway's proof, in Unix seconds.
    pub time_header: String,
    /// The header with the gateway's proof for the line and the time (`autologin::proof`,
    /// keyed with the deployment's `gateway_key` secret).
    pub proof_header: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetSettings {
    pub flow_minutes: i64,
}

/// One-time codes sent by SMS or email.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeSettings {
    pub valid_minutes: i64,
    pub max_tries: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationSettings {
    /// A registration flow lives this long from its start.
    pub flow_minutes: i64,
    /// Wrong registration codes per card within `code_window_hours` before registration
    /// with that card locks.
    pub code_misses_per_card: u32,
    pub code_window_hours: i64,
    /// The role (an id of `roles`) of whoever registers with a company card.
    pub card_registration_role: String,
    /// N3: a role that needs a valid company card keeps access this long after the card
    /// expires or is blocked.
    pub card_grace_days: i64,
}

/// Where a role's holder goes after login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The company portal.
    Portal,
    /// Not the company portal: the personal cardholder area.
    CardholderArea,
    /// No access any more.
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub id: String,
    pub it: String,
    pub en: String,
    pub access: Access,
    /// Higher ranks manage lower ones.
    pub rank: u32,
    /// Holding the role needs a valid company card (N3).
    #[serde(default)]
    pub needs_valid_card: bool,
    /// Whether the role's holders may reset their own password (W6: not a Telco Manager).
    #[serde(default = "yes")]
    pub resets_own_password: bool,
    /// What the role's holders may do in their company.
    #[serde(default)]
    pub can: Vec<Capability>,
    /// The roles its holders may grant, change and revoke; absent: every role ranked below.
    #[serde(default)]
    pub grants: Option<Vec<String>>,
    /// W6: removing a holder's access deletes their account when no company is left, so
    /// that the administrator can create it again.
    #[serde(default)]
    pub removal_deletes_account: bool,
}

impl Role {
    pub fn can(&self, capability: Capability) -> bool {
        self.can.contains(&capability)
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryLimits {
    pub flow_minutes: i64,
    pub max_misses_per_flow: u32,
    pub key6_misses_per_card: u32,
    pub key6_window_hours: i64,
    pub temporary_password_hours: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsLimits {
    pub per_number_per_10_minutes: u32,
    pub per_number_per_day: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    pub access_token_minutes: i64,
    /// A session lasts this long from login; each refresh rotates its token, not its end.
    pub refresh_token_days: i64,
    /// What an administrator does to another person's sessions or second factor needs a
    /// login within this many minutes (`reauthentication_required` otherwise).
    #[serde(default = "ten_minutes")]
    pub step_up_minutes: i64,
}

fn ten_minutes() -> i64 {
    10
}

/// Where passkeys work (WebAuthn's relying party): the domain they are bound to and the
/// pages' origins that may use them. A passkey made for one `rp_id` works for no other, so
/// a deployment sets its own portal's domain here before anyone makes one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasskeySettings {
    /// The registrable domain (`portal.example.com`); `localhost` for `cargo run`, where
    /// any port is allowed (the local gateway and its tests choose theirs).
    pub rp_id: String,
    /// The pages' origins (`https://portal.example.com`).
    pub origins: Vec<String>,
}

impl Default for PasskeySettings {
    fn default() -> Self {
        PasskeySettings {
            rp_id: "localhost".into(),
            origins: vec!["http://localhost".into()],
        }
    }
}

/// Who must have a second factor (issue 24), from the profile or a company's own policy; a
/// company may ask more than its profile, never less.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// Whoever sets one up.
    #[default]
    Optional,
    /// The roles that manage people (administrators, Telco Manager, ...).
    Managers,
    Everyone,
}

impl Requirement {
    /// Whether a person in `role` (a role that manages people when `manages`) must have one.
    pub fn applies(self, manages: bool) -> bool {
        match self {
            Requirement::Optional => false,
            Requirement::Managers => manages,
            Requirement::Everyone => true,
        }
    }
}

/// `[second_factor]`: the profile's policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorSettings {
    #[serde(default)]
    pub required: Requirement,
    /// Days a person who must set one up still logs in with the password alone (led to set
    /// it up at each login), counted from the first login that found it missing; after
    /// them, that login's session can only set it up.
    #[serde(default = "fourteen_days")]
    pub grace_days: i64,
}

impl Default for SecondFactorSettings {
    fn default() -> Self {
        SecondFactorSettings {
            required: Requirement::Optional,
            grace_days: fourteen_days(),
        }
    }
}

fn fourteen_days() -> i64 {
    14
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityQuestion {
    pub id: String,
    pub it: String,
    pub en: String,
}

impl SecurityQuestion {
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::It => &self.it,
            Lang::En => &self.en,
        }
    }
}
