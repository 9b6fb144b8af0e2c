//! Portal profiles are data: each portal operator's roles, methods and limits come from a
//! TOML file the deployment selects. Code never asks which profile it runs.

use crate::clock::{DAY, HOUR, MINUTE};
use crate::messages::Lang;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub display_name: String,
    pub recovery: RecoveryLimits,
    pub sms: SmsLimits,
    pub session: SessionSettings,
    pub codes: CodeSettings,
    pub registration: RegistrationSettings,
    pub roles: Vec<Role>,
    pub security_questions: Vec<SecurityQuestion>,
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
    pub code_misses_per_card: usize,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryLimits {
    pub flow_minutes: i64,
    pub max_misses_per_flow: u32,
    pub key6_misses_per_card: usize,
    pub key6_window_hours: i64,
    pub temporary_password_hours: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsLimits {
    pub per_number_per_10_minutes: usize,
    pub per_number_per_day: usize,
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

const BUILTIN: &[(&str, &str)] = &[(
    "card-issuer",
    include_str!("../../../profiles/card-issuer.toml"),
)];

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no profile named `{0}` (known: {1})")]
    Unknown(String, String),
    #[error("profile `{0}` is not valid: {1}")]
    Invalid(String, String),
}

impl Profile {
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
        if profile
            .role(&profile.registration.card_registration_role)
            .is_none()
        {
            return Err(ProfileError::Invalid(
                name.to_string(),
                "registration.card_registration_role names no role".into(),
            ));
        }
        if profile.security_questions.is_empty() {
            return Err(ProfileError::Invalid(
                name.to_string(),
                "at least one security question is needed".into(),
            ));
        }
        Ok(profile)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn question(&self, id: &str) -> Option<&SecurityQuestion> {
        self.security_questions.iter().find(|q| q.id == id)
    }

    pub fn flow_seconds(&self) -> i64 {
        self.recovery.flow_minutes * MINUTE
    }

    pub fn temporary_password_seconds(&self) -> i64 {
        self.recovery.temporary_password_hours * HOUR
    }

    pub fn card_grace_seconds(&self) -> i64 {
        self.registration.card_grace_days * DAY
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
}
