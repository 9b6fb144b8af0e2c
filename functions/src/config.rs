//! Configuration, read and checked once at start. Every problem is named at once, so an
//! operator fixes a deployment in one go. No handler reads the environment.

use crate::secrets::{Keys, Secrets};
use std::fmt;
use varco_domain::base::profile::Profile;

/// Where a function's keys come from.
#[derive(Clone)]
pub enum SecretsSource {
    Environment(Secrets),
    /// The prefix of the deployment's Secrets Manager secrets: each key is the secret
    /// `<prefix>/<name>` (`Secrets::read`).
    SecretsManager(String),
}

/// Who issues the access tokens and for whom.
#[derive(Clone, Debug)]
pub struct TokenSettings {
    /// The deployment's public base URL: tokens' `iss`, and where the discovery document
    /// and the key set are served.
    pub issuer: String,
    /// The tokens' `aud`: the APIs meant to accept them.
    pub audiences: Vec<String>,
}

impl TokenSettings {
    /// The local gateway's: its own address, and the audience `varco`.
    pub fn local(address: &str) -> TokenSettings {
        TokenSettings {
            issuer: address.trim_end_matches('/').to_string(),
            audiences: vec![LOCAL_AUDIENCE.to_string()],
        }
    }
}

/// The audience of the local gateway's tokens (and the template's default).
pub const LOCAL_AUDIENCE: &str = "varco";

/// What a step needs on AWS.
#[derive(Clone)]
pub struct AwsConfig {
    /// The function (`VARCO_FUNCTION`) and the keys it holds.
    pub function: String,
    pub keys: Keys,
    pub table: String,
    pub profile: Profile,
    pub tokens: TokenSettings,
    pub secrets: SecretsSource,
    pub captcha_difficulty: u8,
    /// Country calling codes SMS may go to; `None`: any.
    pub sms_country_codes: Option<Vec<u16>>,
    pub sms_sender_id: Option<String>,
    pub email_from: Option<String>,
    /// Google reCAPTCHA instead of the built-in proof of work, when configured.
    pub recaptcha: Option<RecaptchaConfig>,
    /// R8: the card issuer's Key6 service (its key is among the secrets, `issuer_key`).
    pub key6_url: Option<String>,
}

#[derive(Clone)]
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

    /// The function's keys from their variables (`Key::variable`); a required one that is
    /// missing or unusable is a problem, named without its value.
    fn keys(&mut self, keys: Keys) -> Secrets {
        let mut secrets = Secrets::default();
        for key in keys.iter() {
            let name = key.variable();
            let value = if key.required() {
                self.required(name)
            } else {
                self.optional(name).unwrap_or_default()
            };
            if !value.is_empty() {
                if let Err(problem) = secrets.decode(key, name, &value) {
                    self.problems.push(problem);
                }
            }
        }
        secrets
    }
}

impl AwsConfig {
    /// Reads `VARCO_FUNCTION`, `VARCO_TABLE`, `VARCO_PROFILE`, and the function's keys
    /// (`catalog::function_keys`): from the secrets under `VARCO_SECRETS_PREFIX`, or else
    /// from their variables (`Key::variable`: `VARCO_PEPPER`, `VARCO_CAPTCHA_KEY`, base64 of
    /// at least 32 bytes each; `VARCO_SIGNING_KEYS`, the JSON of `signing_keys`;
    /// `VARCO_VERIFYING_KEYS`, the key set; optionally `VARCO_GATEWAY_KEY` for W9,
    /// `VARCO_ISSUER_KEY` for R8, `VARCO_OPERATOR_KEY` for N6), only those the function uses.
    /// `VARCO_ISSUER` (the API's https:// base URL, the tokens' `iss`) and
    /// `VARCO_TOKEN_AUDIENCES` (their `aud`, separated by commas).
    /// Optionally `VARCO_KEY6_URL`, the card issuer's Key6 service (R8).
    /// Optionally `VARCO_CAPTCHA_DIFFICULTY` (default 18), `VARCO_SMS_COUNTRY_CODES`
    /// (`39,41`), `VARCO_SMS_PER_DAY` and `VARCO_SMS_PER_COUNTRY` (the deployment's and a
    /// country's SMS a day, over the profile's `[sending]`), `VARCO_SMS_SENDER_ID`,
    /// `VARCO_EMAIL_FROM`, `VARCO_PASSKEY_ORIGINS` (the pages' origins, separated by commas)
    /// with `VARCO_PASSKEY_RP_ID` (default: the first origin's host), and, to use Google
    /// reCAPTCHA instead of the proof of work, `VARCO_RECAPTCHA_SITE_KEY` with
    /// `VARCO_RECAPTCHA_SECRET` (and `VARCO_RECAPTCHA_MIN_SCORE` for v3).
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Result<AwsConfig, ConfigError> {
        let mut r = Reader {
            get,
            problems: Vec::new(),
        };
        let table = r.required("VARCO_TABLE");
        let profile_name = r.required("VARCO_PROFILE");
        let issuer = r.required("VARCO_ISSUER");
        let usable = issuer.starts_with("https://") && !issuer.contains(['?', '#']);
        if !issuer.is_empty() && !usable {
            r.problems
                .push("VARCO_ISSUER must be the API's https:// base URL".into());
        }
        let audiences: Vec<String> = r
            .required("VARCO_TOKEN_AUDIENCES")
            .split(',')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        let tokens = TokenSettings {
            issuer: issuer.trim_end_matches('/').to_string(),
            audiences,
        };
        let function = r.required("VARCO_FUNCTION");
        let keys = crate::catalog::function_keys(&function).unwrap_or_else(|| {
            if !function.is_empty() {
                r.problems.push(format!(
                    "VARCO_FUNCTION={function} names no function of Varco"
                ));
            }
            Keys::NONE
        });
        let secrets = match r.optional("VARCO_SECRETS_PREFIX") {
            Some(prefix) => SecretsSource::SecretsManager(prefix.trim_end_matches('/').to_string()),
            None => SecretsSource::Environment(r.keys(keys)),
        };
        let sms_country_codes = r.optional("VARCO_SMS_COUNTRY_CODES").and_then(|list| {
            let codes: Result<Vec<u16>, _> = list
                .split(',')
                .map(|c| c.trim().trim_start_matches('+').parse::<u16>())
                .collect();
            codes
                .map_err(|_| {
                    r.problems.push(
                        "VARCO_SMS_COUNTRY_CODES must be calling codes separated by commas (39,41)"
                            .into(),
                    )
                })
                .ok()
        });
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
        let key6_url = r.optional("VARCO_KEY6_URL");
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
        let sms_budgets = ["VARCO_SMS_PER_DAY", "VARCO_SMS_PER_COUNTRY"].map(|name| {
            r.optional(name).and_then(|n| match n.parse::<u32>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    r.problems
                        .push(format!("{name} must be a whole number above 0"));
                    None
                }
            })
        });
        let mut profile = if profile_name.is_empty() {
            None
        } else {
            Profile::builtin(&profile_name)
                .map_err(|e| r.problems.push(format!("VARCO_PROFILE: {e}")))
                .ok()
        };
        // Where passkeys work: the portals' origins (the template's `AllowedOrigins`, and the
        // hosted pages'), over the profile's `[passkeys]`.
        let passkey_origins = r.optional("VARCO_PASSKEY_ORIGINS");
        let passkey_rp_id = r.optional("VARCO_PASSKEY_RP_ID");
        if let (Some(profile), Some(origins)) = (&mut profile, passkey_origins) {
            let origins = origins
                .split(',')
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect();
            match varco_domain::base::crypto::passkeys::settings_for(
                origins,
                passkey_rp_id,
                &profile.display_name,
            ) {
                Ok(settings) => profile.passkeys = settings,
                Err(e) => r.problems.push(format!(
                    "VARCO_PASSKEY_ORIGINS and VARCO_PASSKEY_RP_ID: {}",
                    std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string())
                )),
            }
        }
        // The deployment's SMS budgets, from the template's parameters, over the profile's.
        if let Some(profile) = &mut profile {
            let sending = &mut profile.sending;
            let [per_day, per_country] = sms_budgets;
            sending.sms_per_day = per_day.unwrap_or(sending.sms_per_day);
            sending.sms_per_country =
                per_country.unwrap_or(sending.sms_per_country.min(sending.sms_per_day));
            if sending.sms_per_country > sending.sms_per_day {
                r.problems
                    .push("VARCO_SMS_PER_COUNTRY must be at most VARCO_SMS_PER_DAY".into());
            }
        }
        match (r.problems.is_empty(), profile) {
            (true, Some(profile)) => Ok(AwsConfig {
                function,
                keys,
                table,
                profile,
                tokens,
                secrets,
                captcha_difficulty,
                sms_country_codes,
                sms_sender_id,
                email_from,
                recaptcha,
                key6_url,
            }),
            _ => Err(ConfigError(r.problems)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use std::collections::HashMap;
    use varco_domain::base::tokens::{KeyRing, StoredKey};

    #[test]
    fn every_missing_variable_is_named_at_once() {
        let env: HashMap<&str, String> = HashMap::from([
            ("VARCO_FUNCTION", "login".to_string()),
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
            "VARCO_SIGNING_KEYS is not set",
            "VARCO_CAPTCHA_KEY is not set",
            "VARCO_ISSUER is not set",
            "VARCO_TOKEN_AUDIENCES is not set",
        ] {
            assert!(err.contains(expected), "{err}");
        }
        assert!(!err.contains("c2hvcnQ"), "{err}");
    }

    fn deployment(function: &str) -> HashMap<&'static str, String> {
        HashMap::from([
            ("VARCO_FUNCTION", function.to_string()),
            ("VARCO_TABLE", "varco".to_string()),
            ("VARCO_PROFILE", "card-issuer".to_string()),
            ("VARCO_ISSUER", "https://id.example.com/".to_string()),
            ("VARCO_TOKEN_AUDIENCES", "cards, billing".to_string()),
        ])
    }

    #[test]
    fn passkeys_work_on_the_deployments_origins_and_a_bad_one_is_named_at_start() {
        let mut env = deployment("log-in-with-passkey");
        env.insert("VARCO_SECRETS_PREFIX", "varco/prod".to_string());
        let config = AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
        assert_eq!(
            config.profile.passkeys.rp_id, "localhost",
            "the profile's, for cargo run"
        );
        env.insert(
            "VARCO_PASSKEY_ORIGINS",
            "https://portal.example.com, https://d1234.cloudfront.net".to_string(),
        );
        let config = AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
        assert_eq!(config.profile.passkeys.rp_id, "portal.example.com");
        assert_eq!(config.profile.passkeys.origins.len(), 2);
        env.insert("VARCO_PASSKEY_RP_ID", "example.com".to_string());
        let config = AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
        assert_eq!(config.profile.passkeys.rp_id, "example.com");
        env.insert("VARCO_PASSKEY_RP_ID", "elsewhere.example".to_string());
        let err = AwsConfig::from_env(&|k| env.get(k).cloned()).err().unwrap();
        assert!(err.to_string().contains("VARCO_PASSKEY_ORIGINS"), "{err}");
    }

    #[test]
    fn with_a_secrets_prefix_the_keys_are_not_needed_in_the_environment() {
        let mut env = deployment("login");
        env.insert("VARCO_SECRETS_PREFIX", "varco/prod/".to_string());
        env.insert("VARCO_SMS_COUNTRY_CODES", "39, +41".to_string());
        env.insert("VARCO_SMS_PER_DAY", "500".to_string());
        let config = AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
        assert!(
            matches!(config.secrets, SecretsSource::SecretsManager(ref prefix) if prefix == "varco/prod")
        );
        assert_eq!(config.keys, crate::routes::Step::Login.keys());
        assert_eq!(config.sms_country_codes, Some(vec![39, 41]));
        assert_eq!(config.tokens.issuer, "https://id.example.com");
        assert_eq!(config.tokens.audiences, ["cards", "billing"]);
        let sending = &config.profile.sending;
        assert_eq!((sending.sms_per_day, sending.sms_per_country), (500, 500));
        env.insert("VARCO_SMS_PER_COUNTRY", "600".to_string());
        let err = AwsConfig::from_env(&|k| env.get(k).cloned()).err().unwrap();
        assert!(err.to_string().contains("VARCO_SMS_PER_COUNTRY"), "{err}");
        env.insert("VARCO_ISSUER", "http://id.example.com".to_string());
        let err = AwsConfig::from_env(&|k| env.get(k).cloned()).err().unwrap();
        assert!(err.to_string().contains("VARCO_ISSUER must be"), "{err}");
    }

    #[test]
    fn the_local_secrets_json_needs_every_key_long_enough() {
        let key = STANDARD.encode([7u8; 32]);
        let ring = serde_json::to_string(&[StoredKey::generate(0)]).unwrap();
        let good = format!(
            r#"{{"pepper":"{key}","signing_keys":{ring},"captcha_key":"{key}","message_key":"{key}"}}"#
        );
        let secrets = Secrets::from_json("secret", &good).unwrap();
        assert_eq!(
            secrets.verifying_keys.unwrap().kids(),
            secrets.signing_keys.unwrap().kids()
        );
        let short = format!(
            r#"{{"pepper":"{key}","signing_keys":{ring},"captcha_key":"c2hvcnQ=","message_key":"{key}"}}"#
        );
        let problem = Secrets::from_json("secret", &short).err().unwrap();
        assert!(
            problem.contains("captcha_key") && !problem.contains("c2hvcnQ"),
            "{problem}"
        );
        let not_a_key = format!(
            r#"{{"pepper":"{key}","signing_keys":[{{"private_key":"{key}","signs_from":0}}],"captcha_key":"{key}","message_key":"{key}"}}"#
        );
        let problem = Secrets::from_json("secret", &not_a_key).err().unwrap();
        assert!(
            problem.contains("signing_keys") && !problem.contains(&key),
            "{problem}"
        );
    }

    /// From the environment, a function reads the variables of its own keys only: the key
    /// set's function needs its public keys and nothing else.
    #[test]
    fn from_the_environment_a_function_reads_its_own_keys_only() {
        let key = STANDARD.encode([7u8; 32]);
        let ring = KeyRing::first(varco_domain::base::clock::Timestamp(0));
        let mut env = deployment("login");
        env.insert("VARCO_PEPPER", key.clone());
        env.insert(
            "VARCO_SIGNING_KEYS",
            serde_json::to_string(&ring.stored()).unwrap(),
        );
        env.insert("VARCO_CAPTCHA_KEY", key);
        env.insert("VARCO_CAPTCHA_DIFFICULTY", "20".to_string());
        let config = AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
        let SecretsSource::Environment(secrets) = &config.secrets else {
            panic!("the keys are in the environment")
        };
        assert!(secrets.pepper.is_some() && secrets.signing_keys.is_some());
        assert!(secrets.verifying_keys.is_none() && secrets.operator_key.is_none());
        assert_eq!(
            (config.table.as_str(), config.captcha_difficulty),
            ("varco", 20)
        );

        env.insert("VARCO_FUNCTION", "get-jwks".to_string());
        let err = AwsConfig::from_env(&|k| env.get(k).cloned()).err().unwrap();
        assert_eq!(err.0, ["VARCO_VERIFYING_KEYS is not set"]);
        env.insert("VARCO_VERIFYING_KEYS", ring.jwks().to_string());
        let config = AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
        let SecretsSource::Environment(secrets) = &config.secrets else {
            panic!("the keys are in the environment")
        };
        assert!(secrets.pepper.is_none() && secrets.signing_keys.is_none());
        assert_eq!(secrets.verifying_keys.as_ref().unwrap().kids(), ring.kids());
    }
}
