//! Portal profiles are data: each portal operator's roles, methods and limits come from a
//! TOML file the deployment selects. Code never asks which profile it runs.

use crate::base::clock::{DAY, MINUTE};
use crate::base::error::Error;
use crate::base::messages::Lang;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub display_name: String,
    pub sms: SmsLimits,
    pub session: SessionSettings,
    pub codes: CodeSettings,
    #[serde(default)]
    pub login: LoginSettings,
    /// X5: budgets of guesses per subject across flows (`attempts`).
    #[serde(default)]
    pub attempts: AttemptBudgets,
    /// X5: budgets of SMS and emails a day (`sending`).
    #[serde(default)]
    pub sending: SendingBudgets,
    pub roles: Vec<Role>,
    /// The flows a portal offers are the sections it has: a step of a flow whose section is
    /// missing answers 404 `not_offered` (`Profile::offers`).
    /// Card-issuer recovery (R1-R7) by fiscal code, Key6, security question or password.
    pub recovery: Option<RecoveryLimits>,
    /// N4 registration with a company card, and the migration from the old portal (N2).
    pub registration: Option<RegistrationSettings>,
    /// W2: a User Admin registers with the VAT number and the legal representative's data.
    pub vat_registration: Option<VatRegistrationSettings>,
    /// W7: an employee registers a mobile line.
    pub line_registration: Option<LineRegistrationSettings>,
    /// W5, W8: a password reset by login name and a code by SMS or email.
    pub password_reset: Option<PasswordResetSettings>,
    /// W9: employees on the operator's network are logged in by their line.
    pub autologin: Option<AutologinSettings>,
    /// T1, T2: the import registers a contract's legal representative, who activates the
    /// account from the emailed link.
    pub legal_rep_registration: Option<LegalRepRegistrationSettings>,
    /// N5, C1, C2, T3, W3: company administrators invite people with a role.
    pub invitations: Option<InvitationSettings>,
    /// C3: a property's units, with contracts that give their contacts access.
    pub units: Option<UnitSettings>,
    #[serde(default)]
    pub security_questions: Vec<SecurityQuestion>,
}

/// The flows a profile may offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    CardRecovery,
    CardRegistration,
    VatRegistration,
    LineRegistration,
    PasswordReset,
    Autologin,
    LegalRepRegistration,
    Invitations,
    Units,
}

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

const BUILTIN: &[(&str, &str)] = &[
    (
        "card-issuer",
        include_str!("../../../../profiles/card-issuer.toml"),
    ),
    (
        "telco-sme",
        include_str!("../../../../profiles/telco-sme.toml"),
    ),
    (
        "telco-legal-rep",
        include_str!("../../../../profiles/telco-legal-rep.toml"),
    ),
    (
        "property-management",
        include_str!("../../../../profiles/property-management.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no profile named `{0}` (known: {1})")]
    Unknown(String, String),
    #[error("profile `{0}` is not valid: {1}")]
    Invalid(String, String),
}

impl Profile {
    /// This profile with the links its emails carry (an invitation's, an activation's, a
    /// first access's) pointing at the portal pages at `pages` (as `https://portal.example/`),
    /// which read `?code=` and `?flow=&token=` there: the local gateway's own pages.
    pub fn with_pages_at(mut self, pages: &str) -> Profile {
        if let Some(settings) = self.invitations.as_mut() {
            settings.accept_url = pages.to_string();
        }
        if let Some(settings) = self.vat_registration.as_mut() {
            settings.activation_url = pages.to_string();
        }
        if let Some(settings) = self.legal_rep_registration.as_mut() {
            settings.activation_url = pages.to_string();
        }
        self
    }

    /// One of the profiles shipped in `profiles/`.
    pub fn builtin(name: &str) -> Result<Profile, ProfileError> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            ProfileError::Unknown(
                name.to_string(),
                BUILTIN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })?;
        Profile::from_toml(name, text)
    }

    pub fn from_toml(name: &str, text: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text)
            .map_err(|e| ProfileError::Invalid(name.to_string(), e.to_string()))?;
        let invalid = |why: &str| Err(ProfileError::Invalid(name.to_string(), why.to_string()));
        let roles_named = [
            profile
                .registration
                .as_ref()
                .map(|r| &r.card_registration_role),
            profile.vat_registration.as_ref().map(|r| &r.role),
            profile.line_registration.as_ref().map(|r| &r.role),
            profile.legal_rep_registration.as_ref().map(|r| &r.role),
        ];
        let contract_roles = profile.units.iter().flat_map(|u| &u.contract_roles);
        if roles_named
            .into_iter()
            .flatten()
            .chain(contract_roles)
            .any(|role| profile.role(role).is_none())
        {
            return invalid("a registration or [units] section names no role of `roles`");
        }
        if profile.registration.is_none() && profile.roles.iter().any(|r| r.needs_valid_card) {
            return invalid("a role needs a valid card: [registration] sets its grace period");
        }
        let granted = profile.roles.iter().flat_map(|r| r.grants.iter().flatten());
        if granted.clone().any(|role| profile.role(role).is_none()) {
            return invalid("a role's `grants` names no role of `roles`");
        }
        if let Some(invitations) = &profile.invitations {
            if !(1..=30).contains(&invitations.valid_days) {
                return invalid("[invitations] valid_days is 1 to 30");
            }
        }
        let a = &profile.attempts;
        let budgets = [
            a.per_account,
            a.per_person,
            a.per_card,
            a.per_login_name,
            a.per_old_username,
            a.per_sim,
            a.per_invitation,
            a.logins_per_window,
            a.logins_per_day,
        ];
        if budgets.iter().any(|&b| b == 0 || b > MAX_ATTEMPTS_PER_DAY)
            || a.logins_per_window > a.logins_per_day
            || !(1..=24 * 60).contains(&a.login_window_minutes)
            || a.logins_per_source_window == 0
            || a.logins_per_source_window > a.logins_per_source_per_day
            || a.logins_per_source_per_day > 100 * MAX_ATTEMPTS_PER_DAY
        {
            return invalid("[attempts] budgets are 1 to 100 a day, logins_per_window at most logins_per_day, login_window_minutes 1 to 1440, logins_per_source_window at least 1 and at most logins_per_source_per_day, which is at most 10000");
        }
        let sending = &profile.sending;
        let per_day = [
            sending.sms_per_day,
            sending.sms_per_country,
            sending.emails_per_day,
            sending.per_address,
            sending.per_account,
            sending.per_company,
            sending.per_source,
        ];
        if per_day.contains(&0)
            || sending.sms_per_country > sending.sms_per_day
            || !(1..=100).contains(&sending.unproven_sms_percent)
        {
            return invalid(
                "[sending] budgets are at least 1, sms_per_country at most sms_per_day, unproven_sms_percent 1 to 100",
            );
        }
        if profile.recovery.is_some() && profile.security_questions.is_empty() {
            return invalid("[recovery] needs at least one security question");
        }
        Ok(profile)
    }

    /// Whether the portal offers `flow` (its section is in the profile).
    pub fn offers(&self, flow: Flow) -> bool {
        match flow {
            Flow::CardRecovery => self.recovery.is_some(),
            Flow::CardRegistration => self.registration.is_some(),
            Flow::VatRegistration => self.vat_registration.is_some(),
            Flow::LineRegistration => self.line_registration.is_some(),
            Flow::PasswordReset => self.password_reset.is_some(),
            Flow::Autologin => self.autologin.is_some(),
            Flow::LegalRepRegistration => self.legal_rep_registration.is_some(),
            Flow::Invitations => self.invitations.is_some(),
            Flow::Units => self.units.is_some(),
        }
    }

    /// The settings of a section, or `NotOffered` when the portal has none.
    pub fn section<T>(section: &Option<T>) -> Result<&T, Error> {
        section.as_ref().ok_or(Error::NotOffered)
    }

    pub fn card_recovery(&self) -> Result<&RecoveryLimits, Error> {
        Profile::section(&self.recovery)
    }

    pub fn card_registration(&self) -> Result<&RegistrationSettings, Error> {
        Profile::section(&self.registration)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// Whether a holder of `actor` may grant, change or revoke `target`: the actor's role
    /// manages users, and lists `target` in its grants or (without a list) ranks above it.
    pub fn may_grant(&self, actor: &str, target: &str) -> bool {
        let (Some(actor), Some(target)) = (self.role(actor), self.role(target)) else {
            return false;
        };
        actor.can(Capability::ManageUsers)
            && match &actor.grants {
                Some(grants) => grants.contains(&target.id),
                None => target.rank < actor.rank,
            }
    }

    pub fn question(&self, id: &str) -> Option<&SecurityQuestion> {
        self.security_questions.iter().find(|q| q.id == id)
    }

    /// N3's grace period (none in a profile without company cards).
    pub fn card_grace_seconds(&self) -> i64 {
        self.registration
            .as_ref()
            .map_or(0, |r| r.card_grace_days * DAY)
    }

    pub fn refresh_token_seconds(&self) -> i64 {
        self.session.refresh_token_days * DAY
    }

    pub fn access_token_seconds(&self) -> i64 {
        self.session.access_token_minutes * MINUTE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_loads() {
        for (name, _) in BUILTIN {
            let p = Profile::builtin(name).unwrap();
            assert_eq!(&p.name, name);
        }
        assert!(matches!(
            Profile::builtin("nope"),
            Err(ProfileError::Unknown(..))
        ));
    }

    #[test]
    fn attempt_budgets_default_and_never_exceed_a_hundred_a_day() {
        let text = BUILTIN.iter().find(|(n, _)| *n == "card-issuer").unwrap().1;
        let p = Profile::from_toml("t", text).unwrap();
        assert_eq!(
            (p.attempts.per_person, p.attempts.logins_per_day),
            (10, 100)
        );
        let partial = format!("{text}\n[attempts]\nper_person = 5\n");
        let p = Profile::from_toml("t", &partial).unwrap();
        assert_eq!((p.attempts.per_person, p.attempts.per_sim), (5, 10));
        for too_many in [
            "per_person = 101",
            "logins_per_day = 0",
            "logins_per_window = 200",
        ] {
            let text = format!("{text}\n[attempts]\n{too_many}\n");
            assert!(
                matches!(
                    Profile::from_toml("t", &text),
                    Err(ProfileError::Invalid(..))
                ),
                "{too_many}"
            );
        }
    }
}
