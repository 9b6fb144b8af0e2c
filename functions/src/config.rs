//! Configuration, read and checked once at start. Every problem is named at once, so an
//! operator fixes a deployment in one go. No handler reads the environment.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::fmt;
use varco_domain::profile::Profile;

/// The three secret keys. In AWS they come from the environment the template fills from
/// Secrets Manager; locally from a generated file.
#[derive(Clone)]
pub struct Secrets {
    pub pepper: Vec<u8>,
    pub token_key: Vec<u8>,
    pub captcha_key: Vec<u8>,
}

pub const MIN_SECRET_BYTES: usize = 32;

/// What a step needs on AWS.
pub struct AwsConfig {
    pub table: String,
    pub profile: Profile,
    pub secrets: Secrets,
    pub captcha_difficulty: u8,
    pub sms_sender_id: Option<String>,
    pub email_from: Option<String>,
    /// Google reCAPTCHA instead of the built-in proof of work, when configured.
    pub recaptcha: Option<RecaptchaConfig>,
}

pub struct RecaptchaConfig {
    pub site_key: String,
    pub secret: String,
    pub min_score: Option<f64>,
}

#[derive(Debug)]
pub struct ConfigError(pub Vec<String>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration is not usable: {}", self.0.join("; "))
    }
}

impl std::error::Error for ConfigError {}

/// Collects every problem while reading variables.
struct Reader<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<String>,
}

impl Reader<'_> {
    fn required(&mut self, name: &str) -> String {
        match (self.get)(name).filter(|v| !v.trim().is_empty()) {
            Some(value) => value,
            None => {
                self.problems.push(format!("{name} is not set"));
                String::new()
            }
        }
    }

    fn optional(&mut self, name: &str) -> Option<String> {
        (self.get)(name).filter(|v| !v.trim().is_empty())
    }

    fn secret(&mut self, name: &str) -> Vec<u8> {
        let value = self.required(name);
        if value.is_empty() {
            return Vec::new();
        }
        match STANDARD.decode(value.trim()) {
            Ok(bytes) if bytes.len() >= MIN_SECRET_BYTES => bytes,
            Ok(_) => {
                self.problems.push(format!(
                    "{name} must hold at least {MIN_SECRET_BYTES} random bytes"
                ));
                Vec::new()
            }
            Err(_) => {
                self.problems.push(format!("{name} is not base64"));
                Vec::new()
            }
        }
    }
}

impl AwsConfig {
    /// Reads `VARCO_TABLE`, `VARCO_PROFILE`, `VARCO_PEPPER`, `VARCO_TOKEN_KEY`,
    /// `VARCO_CAPTCHA_KEY` (base64, >= 32 bytes), and optionally `VARCO_CAPTCHA_DIFFICULTY`
    /// (default 18), `VARCO_SMS_SENDER_ID`, `VARCO_EMAIL_FROM`, and, to use Google
    /// reCAPTCHA instead of the proof of work, `VARCO_RECAPTCHA_SITE_KEY` with
    /// `VARCO_RECAPTCHA_SECRET` (and `VARCO_RECAPTCHA_MIN_SCORE` for v3).
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Result<AwsConfig, ConfigError> {
        let mut r = Reader {
            get,
            problems: Vec::new(),
        };
        let table = r.required("VARCO_TABLE");
        let profile_name = r.required("VARCO_PROFILE");
        let secrets = Secrets {
            pepper: r.secret("VARCO_PEPPER"),
            token_key: r.secret("VARCO_TOKEN_KEY"),
            captcha_key: r.secret("VARCO_CAPTCHA_KEY"),
        };
        let captcha_difficulty = match r
            .optional("VARCO_CAPTCHA_DIFFICULTY")
            .map(|d| d.parse::<u8>())
        {
            None => 18,
            Some(Ok(d)) if d <= 32 => d,
            Some(_) => {
                r.problems
                    .push("VARCO_CAPTCHA_DIFFICULTY must be a number of bits from 0 to 32".into());
                0
            }
        };
        let sms_sender_id = r.optional("VARCO_SMS_SENDER_ID");
        let email_from = r.optional("VARCO_EMAIL_FROM");
        let recaptcha = match (
            r.optional("VARCO_RECAPTCHA_SITE_KEY"),
            r.optional("VARCO_RECAPTCHA_SECRET"),
        ) {
            (None, None) => None,
            (Some(site_key), Some(secret)) => {
                let min_score = match r
                    .optional("VARCO_RECAPTCHA_MIN_SCORE")
                    .map(|s| s.parse::<f64>())
                {
                    None => None,
                    Some(Ok(score)) if (0.0..=1.0).contains(&score) => Some(score),
                    Some(_) => {
                        r.problems
                            .push("VARCO_RECAPTCHA_MIN_SCORE must be a number from 0 to 1".into());
                        None
                    }
                };
                Some(RecaptchaConfig {
                    site_key,
                    secret,
                    min_score,
                })
            }
            _ => {
                r.problems
                    .push("VARCO_RECAPTCHA_SITE_KEY and VARCO_RECAPTCHA_SECRET go together".into());
                None
            }
        };
        let profile = if profile_name.is_empty() {
            None
        } else {
            Profile::builtin(&profile_name)
                .map_err(|e| r.problems.push(format!("VARCO_PROFILE: {e}")))
                .ok()
        };
        match (r.problems.is_empty(), profile) {
            (true, Some(profile)) => Ok(AwsConfig {
                table,
                profile,
                secrets,
                captcha_difficulty,
                sms_sender_id,
                email_from,
                recaptcha,
            }),
            _ => Err(ConfigError(r.problems)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn every_missing_variable_is_named_at_once() {
        let env: HashMap<&str, String> = HashMap::from([
            ("VARCO_PROFILE", "card-issuer".to_string()),
            ("VARCO_PEPPER", "c2hvcnQ=".to_string()),
        ]);
        let err = AwsConfig::from_env(&|k| env.get(k).cloned())
            .err()
            .unwrap()
            .to_string();
        for expected in [
            "VARCO_TABLE is not set",
            "VARCO_PEPPER must hold at least 32",
            "VARCO_TOKEN_KEY is not set",
            "VARCO_CAPTCHA_KEY is not set",
        ] {
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn a_complete_environment_is_read() {
        let key = STANDARD.encode([7u8; 32]);
        let env: HashMap<&str, String> = HashMap::from([
            ("VARCO_TABLE", "varco".to_string()),
            ("VARCO_PROFILE", "card-issuer".to_string()),
            ("VARCO_PEPPER", key.clone()),
            ("VARCO_TOKEN_KEY", key.clone()),
            ("VARCO_CAPTCHA_KEY", key),
            ("VARCO_CAPTCHA_DIFFICULTY", "20".to_string()),
        ]);
        let config = AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
        assert_eq!(
            (
                config.table.as_str(),
                config.captcha_difficulty,
                config.profile.name.as_str()
            ),
            ("varco", 20, "card-issuer")
        );
    }
}
