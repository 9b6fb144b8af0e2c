//! Configuration, read and checked once at start. Every problem is named at once, so an
//! operator fixes a deployment in one go. No handler reads the environment.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::fmt;
use std::sync::Arc;
use varco_domain::profile::Profile;
use varco_domain::tokens::{KeyRing, StoredKey};

/// The secret keys. In AWS they are read from Secrets Manager at cold start (or, without
/// `VARCO_SECRETS_ARN`, from the environment); locally from a generated file.
#[derive(Clone)]
pub struct Secrets {
    pub pepper: Vec<u8>,
    /// The access tokens' RSA keys (`signing_keys`: `[{"private_key", "signs_from"}]`).
    pub signing_keys: Arc<KeyRing>,
    pub captcha_key: Vec<u8>,
    /// W9: the key the operator's network gateway presents with a line header; optional.
    pub gateway_key: Option<Vec<u8>>,
    /// R8: the token the card issuer's Key6 service expects; optional.
    pub issuer_key: Option<String>,
    /// N6: the key the operator's back office presents; optional (no key: no back office).
    pub operator_key: Option<Vec<u8>>,
}

pub const MIN_SECRET_BYTES: usize = 32;

/// A key from its base64 text: at least `MIN_SECRET_BYTES` bytes. The error names `name`
/// and never quotes the value.
pub fn decode_secret(name: &str, value: &str) -> Result<Vec<u8>, String> {
    match STANDARD.decode(value.trim()) {
        Ok(bytes) if bytes.len() >= MIN_SECRET_BYTES => Ok(bytes),
        Ok(_) => Err(format!(
            "{name} must hold at least {MIN_SECRET_BYTES} random bytes"
        )),
        Err(_) => Err(format!("{name} is not base64")),
    }
}

/// The key ring from the text of `signing_keys` (a JSON array of `StoredKey`). The error
/// names `name` and never quotes the value.
pub fn decode_signing_keys(name: &str, value: &serde_json::Value) -> Result<Arc<KeyRing>, String> {
    let stored: Vec<StoredKey> = serde_json::from_value(value.clone()).map_err(|_| {
        format!("{name} must be a list of {{\"private_key\", \"signs_from\"}} (`cargo run -- signing-key`)")
    })?;
    KeyRing::from_stored(stored)
        .map(Arc::new)
        .map_err(|problem| format!("{name}: {problem}"))
}

/// The key ring in the secrets JSON `text` (its `signing_keys`).
pub fn signing_keys_in(text: &str) -> Result<Arc<KeyRing>, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|_| "the secrets are not a JSON object".to_string())?;
    decode_signing_keys("`signing_keys`", &json["signing_keys"])
}

/// The key ring of the secrets JSON `text` as it should be at `now` (`KeyRing::rotate`),
/// and, when anything was due, the text with it, every other member kept as it is.
pub fn rotate_signing_keys(
    text: &str,
    now: varco_domain::clock::Timestamp,
    token_life: i64,
) -> Result<(Arc<KeyRing>, Option<String>), String> {
    let ring = signing_keys_in(text)?;
    let Some(rotated) = ring.rotate(now, token_life) else {
        return Ok((ring, None));
    };
    let mut json: serde_json::Value = serde_json::from_str(text).expect("read just above");
    json["signing_keys"] = serde_json::to_value(&rotated).expect("keys serialise");
    let ring = KeyRing::from_stored(rotated).map(Arc::new)?;
    Ok((
        ring,
        Some(serde_json::to_string_pretty(&json).expect("JSON serialises")),
    ))
}

impl Secrets {
    /// The keys from a JSON object with `pepper` and `captcha_key` in base64, and
    /// `signing_keys` (and, optionally, `gateway_key`, `issuer_key` and `operator_key`):
    /// the Secrets Manager secret and the local secrets file.
    pub fn from_json(source: &str, text: &str) -> Result<Secrets, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|_| format!("{source} is not a JSON object"))?;
        let key = |name: &str| {
            decode_secret(
                &format!("{source}: `{name}`"),
                value[name].as_str().unwrap_or_default(),
            )
        };
        Ok(Secrets {
            pepper: key("pepper")?,
            signing_keys: decode_signing_keys(
                &format!("{source}: `signing_keys`"),
                &value["signing_keys"],
            )?,
            captcha_key: key("captcha_key")?,
            gateway_key: match value["gateway_key"].as_str() {
                Some(_) => Some(key("gateway_key")?),
                None => None,
            },
            issuer_key: value["issuer_key"].as_str().map(str::to_string),
            operator_key: match value["operator_key"].as_str() {
                Some(_) => Some(key("operator_key")?),
                None => None,
            },
        })
    }
}

/// Where the keys come from.
#[derive(Clone)]
pub enum SecretsSource {
    Environment(Secrets),
    /// The ARN of a Secrets Manager secret holding the keys as JSON (`Secrets::from_json`).
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

    fn signing_keys(&mut self, name: &str) -> Arc<KeyRing> {
        let value = self.required(name);
        let ring = serde_json::from_str(&value)
            .map_err(|_| format!("{name} is not JSON"))
            .and_then(|value| decode_signing_keys(name, &value));
        ring.unwrap_or_else(|problem| {
            if !value.is_empty() {
                self.problems.push(problem);
            }
            Arc::new(KeyRing::empty())
        })
    }

    fn secret(&mut self, name: &str) -> Vec<u8> {
        let value = self.required(name);
        if value.is_empty() {
            return Vec::new();
        }
        decode_secret(name, &value).unwrap_or_else(|problem| {
            self.problems.push(problem);
            Vec::new()
        })
    }
}

impl AwsConfig {
    /// Reads `VARCO_TABLE`, `VARCO_PROFILE`, and the keys: `VARCO_SECRETS_ARN`, or else
    /// `VARCO_PEPPER`, `VARCO_CAPTCHA_KEY` (base64, >= 32 bytes each) and `VARCO_SIGNING_KEYS`
    /// (the JSON of the secret's `signing_keys`;
    /// `VARCO_GATEWAY_KEY` too, optional, for W9; and `VARCO_ISSUER_KEY`, optional, for R8).
    /// `VARCO_ISSUER` (the API's https:// base URL, the tokens' `iss`) and
    /// `VARCO_TOKEN_AUDIENCES` (their `aud`, separated by commas).
    /// Optionally `VARCO_KEY6_URL`, the card issuer's Key6 service (R8).
    /// Optionally `VARCO_CAPTCHA_DIFFICULTY` (default 18), `VARCO_SMS_COUNTRY_CODES`
    /// (`39,41`), `VARCO_SMS_PER_DAY` and `VARCO_SMS_PER_COUNTRY` (the deployment's and a
    /// country's SMS a day, over the profile's `[sending]`), `VARCO_SMS_SENDER_ID`,
    /// `VARCO_EMAIL_FROM`, and, to use Google
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
        let secrets = match r.optional("VARCO_SECRETS_ARN") {
            Some(arn) => SecretsSource::SecretsManager(arn),
            None => SecretsSource::Environment(Secrets {
                pepper: r.secret("VARCO_PEPPER"),
                signing_keys: r.signing_keys("VARCO_SIGNING_KEYS"),
                captcha_key: r.secret("VARCO_CAPTCHA_KEY"),
                gateway_key: r
                    .optional("VARCO_GATEWAY_KEY")
                    .map(|_| r.secret("VARCO_GATEWAY_KEY")),
                issuer_key: r.optional("VARCO_ISSUER_KEY"),
                operator_key: r
                    .optional("VARCO_OPERATOR_KEY")
                    .map(|_| r.secret("VARCO_OPERATOR_KEY")),
            }),
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
            "VARCO_SIGNING_KEYS is not set",
            "VARCO_CAPTCHA_KEY is not set",
            "VARCO_ISSUER is not set",
            "VARCO_TOKEN_AUDIENCES is not set",
        ] {
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn with_a_secrets_arn_the_keys_are_not_needed_in_the_environment() {
        let env: HashMap<&str, String> = HashMap::from([
            ("VARCO_TABLE", "varco".to_string()),
            ("VARCO_PROFILE", "card-issuer".to_string()),
            ("VARCO_ISSUER", "https://id.example.com/".to_string()),
            ("VARCO_TOKEN_AUDIENCES", "cards, billing".to_string()),
            (
                "VARCO_SECRETS_ARN",
                "arn:aws:secretsmanager:eu-south-1:1:secret:varco".to_string(),
            ),
            ("VARCO_SMS_COUNTRY_CODES", "39, +41".to_string()),
            ("VARCO_SMS_PER_DAY", "500".to_string()),
        ]);
        let config = AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
        assert!(
            matches!(config.secrets, SecretsSource::SecretsManager(ref arn) if arn.ends_with(":varco"))
        );
        assert_eq!(config.sms_country_codes, Some(vec![39, 41]));
        assert_eq!(config.tokens.issuer, "https://id.example.com");
        assert_eq!(config.tokens.audiences, ["cards", "billing"]);
        let sending = &config.profile.sending;
        assert_eq!((sending.sms_per_day, sending.sms_per_country), (500, 500));
        let mut env = env;
        env.insert("VARCO_SMS_PER_COUNTRY", "600".to_string());
        let err = AwsConfig::from_env(&|k| env.get(k).cloned()).err().unwrap();
        assert!(err.to_string().contains("VARCO_SMS_PER_COUNTRY"), "{err}");
        env.insert("VARCO_ISSUER", "http://id.example.com".to_string());
        let err = AwsConfig::from_env(&|k| env.get(k).cloned()).err().unwrap();
        assert!(err.to_string().contains("VARCO_ISSUER must be"), "{err}");
    }

    #[test]
    fn the_secrets_json_needs_every_key_long_enough() {
        let key = STANDARD.encode([7u8; 32]);
        let ring = serde_json::to_string(&[StoredKey::generate(0)]).unwrap();
        let good = format!(r#"{{"pepper":"{key}","signing_keys":{ring},"captcha_key":"{key}"}}"#);
        assert!(Secrets::from_json("secret", &good).is_ok());
        let short =
            format!(r#"{{"pepper":"{key}","signing_keys":{ring},"captcha_key":"c2hvcnQ="}}"#);
        let problem = Secrets::from_json("secret", &short).err().unwrap();
        assert!(
            problem.contains("captcha_key") && !problem.contains("c2hvcnQ"),
            "{problem}"
        );
        let not_a_key = format!(
            r#"{{"pepper":"{key}","signing_keys":[{{"private_key":"{key}","signs_from":0}}],"captcha_key":"{key}"}}"#
        );
        let problem = Secrets::from_json("secret", &not_a_key).err().unwrap();
        assert!(
            problem.contains("signing_keys") && !problem.contains(&key),
            "{problem}"
        );
    }

    #[test]
    fn a_complete_environment_is_read() {
        let key = STANDARD.encode([7u8; 32]);
        let env: HashMap<&str, String> = HashMap::from([
            ("VARCO_TABLE", "varco".to_string()),
            ("VARCO_PROFILE", "card-issuer".to_string()),
            ("VARCO_PEPPER", key.clone()),
            (
                "VARCO_SIGNING_KEYS",
                serde_json::to_string(&[StoredKey::generate(0)]).unwrap(),
            ),
            ("VARCO_CAPTCHA_KEY", key),
            ("VARCO_ISSUER", "https://id.example.com".to_string()),
            ("VARCO_TOKEN_AUDIENCES", "varco".to_string()),
            ("VARCO_CAPTCHA_DIFFICULTY", "20".to_string()),
        ]);
        let config = AwsConfig::from_env(&|k| env.get(k).cloned()).unwrap();
        assert!(matches!(config.secrets, SecretsSource::Environment(_)));
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
