//! Portal profiles are data: each portal operator's roles, methods and limits come from a
//! TOML file the deployment selects. Code never asks which profile it runs.

use crate::base::clock::{DAY, MINUTE};
use crate::base::error::Error;
use serde::Deserialize;

mod settings;
pub use settings::*;

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
    /// Who must have a second factor.
    #[serde(default)]
    pub second_factor: SecondFactorSettings,
    /// Where passkeys work: the relying party's id and the pages' origins.
    #[serde(default)]
    pub passkeys: PasskeySettings,
}

/// What a profile may offer beyond the steps every portal has: a flow, or a company's
/// people and units (a route's `offer` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    Recovery,
    Registration,
    VatRegistration,
    LineRegistration,
    PasswordReset,
    Autologin,
    LegalRepRegistration,
    Invitations,
    Units,
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

    /// Whether the portal offers `offer` (its section is in the profile).
    pub fn offers(&self, offer: Offer) -> bool {
        match offer {
            Offer::Recovery => self.recovery.is_some(),
            Offer::Registration => self.registration.is_some(),
            Offer::VatRegistration => self.vat_registration.is_some(),
            Offer::LineRegistration => self.line_registration.is_some(),
            Offer::PasswordReset => self.password_reset.is_some(),
            Offer::Autologin => self.autologin.is_some(),
            Offer::LegalRepRegistration => self.legal_rep_registration.is_some(),
            Offer::Invitations => self.invitations.is_some(),
            Offer::Units => self.units.is_some(),
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

    /// Whether `role` manages people: what a policy of `managers` asks a second factor of.
    pub fn manages(&self, role: &str) -> bool {
        self.role(role)
            .is_some_and(|r| r.can(Capability::ManageUsers))
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
