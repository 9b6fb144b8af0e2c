//! The deployment's keys, and which function holds which. Each function reads only the keys
//! its step uses (the route table's `keys` column; `catalog::function_keys` for the others): on AWS
//! each key is a Secrets Manager secret of its own (`<prefix>/pepper`, ...) and a function's
//! role may read only its own (a test holds the template to this), so a flaw in one step
//! reads nothing that step does not need. The steps that verify tokens hold the public keys
//! only; only the steps that issue tokens, and the rotation, hold the private ones; only
//! the steps that queue a message, and the outbox sender, hold the message key.
//! Locally every step of the one process is given only its keys too (`keyed`), so the tests
//! fail when a step uses a key it does not declare.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::sync::Arc;
use varco_domain::base::captcha::NotGiven;
use varco_domain::base::crypto::{Pepper, Sealer};
use varco_domain::base::issuer::NoIssuer;
use varco_domain::base::tokens::{KeyRing, StoredKey};
use varco_domain::Deps;

/// A kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// `P`: the keyed hash of look-ups (phones, cards, fiscal codes, refresh tokens).
    Pepper,
    /// `C`: signs the proof-of-work challenges.
    CaptchaKey,
    /// `S`: the private keys that sign access tokens (they verify too).
    SigningKeys,
    /// `V`: the public keys that verify access tokens and are published.
    VerifyingKeys,
    /// `G`: W9, the operator's network gateway's key.
    GatewayKey,
    /// `I`: R8, the card issuer's Key6 service's token.
    IssuerKey,
    /// `O`: N6, the operator's back office's key.
    OperatorKey,
    /// `M`: seals a queued message's recipient and content for the sender.
    MessageKey,
}

impl Key {
    pub const ALL: [Key; 8] = [
        Key::Pepper,
        Key::CaptchaKey,
        Key::SigningKeys,
        Key::VerifyingKeys,
        Key::GatewayKey,
        Key::IssuerKey,
        Key::OperatorKey,
        Key::MessageKey,
    ];

    /// Its letter in the route table's `keys` column.
    pub const fn letter(self) -> u8 {
        match self {
            Key::Pepper => b'P',
            Key::CaptchaKey => b'C',
            Key::SigningKeys => b'S',
            Key::VerifyingKeys => b'V',
            Key::GatewayKey => b'G',
            Key::IssuerKey => b'I',
            Key::OperatorKey => b'O',
            Key::MessageKey => b'M',
        }
    }

    /// Its secret's name under the deployment's prefix (`varco/prod/pepper`).
    pub fn name(self) -> &'static str {
        match self {
            Key::Pepper => "pepper",
            Key::CaptchaKey => "captcha-key",
            Key::SigningKeys => "signing-keys",
            Key::VerifyingKeys => "verifying-keys",
            Key::GatewayKey => "gateway-key",
            Key::IssuerKey => "issuer-key",
            Key::OperatorKey => "operator-key",
            Key::MessageKey => "message-key",
        }
    }

    /// Its variable, where the keys are given in the environment instead.
    pub fn variable(self) -> &'static str {
        match self {
            Key::Pepper => "VARCO_PEPPER",
            Key::CaptchaKey => "VARCO_CAPTCHA_KEY",
            Key::SigningKeys => "VARCO_SIGNING_KEYS",
            Key::VerifyingKeys => "VARCO_VERIFYING_KEYS",
            Key::GatewayKey => "VARCO_GATEWAY_KEY",
            Key::IssuerKey => "VARCO_ISSUER_KEY",
            Key::OperatorKey => "VARCO_OPERATOR_KEY",
            Key::MessageKey => "VARCO_MESSAGE_KEY",
        }
    }

    /// Whether a function that uses it cannot start without it. The others switch a
    /// feature off when the deployment has none (no gateway key: no line header is
    /// believed).
    pub fn required(self) -> bool {
        matches!(
            self,
            Key::Pepper | Key::CaptchaKey | Key::SigningKeys | Key::VerifyingKeys | Key::MessageKey
        )
    }
}

/// The keys of one function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Keys(u8);

impl Keys {
    pub const NONE: Keys = Keys(0);

    /// From the route table's letters (`PCS`; `-` for none), at compile time: a letter that
    /// names no key does not compile.
    pub const fn parse(letters: &str) -> Keys {
        let bytes = letters.as_bytes();
        if bytes.len() == 1 && bytes[0] == b'-' {
            return Keys::NONE;
        }
        let mut bits = 0u8;
        let mut i = 0;
        while i < bytes.len() {
            let mut k = 0;
            let mut found = false;
            while k < Key::ALL.len() {
                if Key::ALL[k].letter() == bytes[i] {
                    bits |= 1 << k;
                    found = true;
                }
                k += 1;
            }
            assert!(found, "a step's keys are letters of P C S V G I O M");
            i += 1;
        }
        Keys(bits)
    }

    pub fn has(self, key: Key) -> bool {
        let index = Key::ALL.iter().position(|k| *k == key).expect("in ALL");
        self.0 & (1 << index) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Key> {
        Key::ALL.into_iter().filter(move |k| self.has(*k))
    }
}

/// The keys a function holds; `None` for those it was not given.
#[derive(Clone, Default)]
pub struct Secrets {
    pub pepper: Option<Vec<u8>>,
    pub captcha_key: Option<Vec<u8>>,
    /// The access tokens' private keys (`signing_keys`: `[{"private_key", "signs_from"}]`).
    pub signing_keys: Option<Arc<KeyRing>>,
    /// Their public keys (the published key set, `{"keys": [...]}`).
    pub verifying_keys: Option<Arc<KeyRing>>,
    pub gateway_key: Option<Vec<u8>>,
    pub issuer_key: Option<String>,
    pub operator_key: Option<Vec<u8>>,
    pub message_key: Option<Vec<u8>>,
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

/// The key ring from `signing_keys` (a JSON list of `StoredKey`). The error names `name` and
/// never quotes the value.
pub fn decode_signing_keys(name: &str, value: &serde_json::Value) -> Result<Arc<KeyRing>, String> {
    let stored: Vec<StoredKey> = serde_json::from_value(value.clone()).map_err(|_| {
        format!("{name} must be a list of {{\"private_key\", \"signs_from\"}} (`cargo run -- new-keys`)")
    })?;
    KeyRing::from_stored(stored)
        .map(Arc::new)
        .map_err(|problem| format!("{name}: {problem}"))
}

/// The ring of public keys from a key set (`{"keys": [...]}`).
pub fn decode_verifying_keys(
    name: &str,
    value: &serde_json::Value,
) -> Result<Arc<KeyRing>, String> {
    KeyRing::from_jwks(value)
        .map(Arc::new)
        .map_err(|problem| format!("{name}: {problem}"))
}

impl Secrets {
    /// One key from the text it is stored as: base64 for the plain keys, the issuer's token
    /// as it is, the signing keys as a JSON list, the verifying keys as a key set.
    pub fn decode(&mut self, key: Key, name: &str, text: &str) -> Result<(), String> {
        let json = || serde_json::from_str(text).map_err(|_| format!("{name} is not JSON"));
        match key {
            Key::Pepper => self.pepper = Some(decode_secret(name, text)?),
            Key::CaptchaKey => self.captcha_key = Some(decode_secret(name, text)?),
            Key::SigningKeys => self.signing_keys = Some(decode_signing_keys(name, &json()?)?),
            Key::VerifyingKeys => {
                self.verifying_keys = Some(decode_verifying_keys(name, &json()?)?)
            }
            Key::GatewayKey => self.gateway_key = Some(decode_secret(name, text)?),
            Key::IssuerKey => self.issuer_key = Some(text.trim().to_string()),
            Key::OperatorKey => self.operator_key = Some(decode_secret(name, text)?),
            Key::MessageKey => self.message_key = Some(decode_secret(name, text)?),
        }
        Ok(())
    }

    /// The text `key` is stored as (what `decode` reads); `None` when not held.
    pub fn encode(&self, key: Key) -> Option<String> {
        let base64 = |bytes: &Option<Vec<u8>>| bytes.as_ref().map(|b| STANDARD.encode(b));
        match key {
            Key::Pepper => base64(&self.pepper),
            Key::CaptchaKey => base64(&self.captcha_key),
            Key::SigningKeys => self
                .signing_keys
                .as_ref()
                .map(|ring| serde_json::to_string(&ring.stored()).expect("keys serialise")),
            Key::VerifyingKeys => self
                .verifying_keys
                .as_ref()
                .map(|ring| ring.jwks().to_string()),
            Key::GatewayKey => base64(&self.gateway_key),
            Key::IssuerKey => self.issuer_key.clone(),
            Key::OperatorKey => base64(&self.operator_key),
            Key::MessageKey => base64(&self.message_key),
        }
    }

    /// Whether it holds `key`.
    pub fn holds(&self, key: Key) -> bool {
        match key {
            Key::Pepper => self.pepper.is_some(),
            Key::CaptchaKey => self.captcha_key.is_some(),
            Key::SigningKeys => self.signing_keys.is_some(),
            Key::VerifyingKeys => self.verifying_keys.is_some(),
            Key::GatewayKey => self.gateway_key.is_some(),
            Key::IssuerKey => self.issuer_key.is_some(),
            Key::OperatorKey => self.operator_key.is_some(),
            Key::MessageKey => self.message_key.is_some(),
        }
    }

    /// Every key in one JSON object with `pepper`, `captcha_key` and `message_key` in base64, and
    /// `signing_keys` (and, optionally, `gateway_key`, `issuer_key` and `operator_key`): the
    /// local secrets file. The verifying keys are the signing keys' public halves.
    pub fn from_json(source: &str, text: &str) -> Result<Secrets, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|_| format!("{source} is not a JSON object"))?;
        let key = |name: &str| {
            decode_secret(
                &format!("{source}: `{name}`"),
                value[name].as_str().unwrap_or_default(),
            )
        };
        let optional = |name: &str| value[name].as_str().map(|_| key(name)).transpose();
        let signing_keys =
            decode_signing_keys(&format!("{source}: `signing_keys`"), &value["signing_keys"])?;
        Ok(Secrets {
            pepper: Some(key("pepper")?),
            captcha_key: Some(key("captcha_key")?),
            verifying_keys: Some(Arc::new(signing_keys.public())),
            signing_keys: Some(signing_keys),
            gateway_key: optional("gateway_key")?,
            issuer_key: value["issuer_key"].as_str().map(str::to_string),
            operator_key: optional("operator_key")?,
            message_key: Some(key("message_key")?),
        })
    }

    /// The keys of `keys` in Secrets Manager, each the secret `<prefix>/<name>`, read at
    /// once. A required key that is missing fails the read; an optional one is left out.
    pub async fn read(
        sdk: &aws_config::SdkConfig,
        prefix: &str,
        keys: Keys,
    ) -> Result<Secrets, String> {
        let client = aws_sdk_secretsmanager::Client::new(sdk);
        let reads = keys.iter().map(|key| {
            let client = client.clone();
            let id = format!("{prefix}/{}", key.name());
            async move { (key, read_secret(&client, &id).await, id) }
        });
        let mut secrets = Secrets::default();
        for (key, text, id) in futures_util::future::join_all(reads).await {
            match text? {
                Some(text) => secrets.decode(key, &format!("the secret {id}"), &text)?,
                None if key.required() => {
                    return Err(format!("the secret {id} does not exist"));
                }
                None => {}
            }
        }
        Ok(secrets)
    }
}

/// The text of the Secrets Manager secret `id` (its current version); `None` when there is
/// no such secret.
pub async fn read_secret(
    client: &aws_sdk_secretsmanager::Client,
    id: &str,
) -> Result<Option<String>, String> {
    match client.get_secret_value().secret_id(id).send().await {
        Ok(answer) => Ok(Some(answer.secret_string().unwrap_or_default().to_string())),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(format!(
            "reading the keys from Secrets Manager ({id}): {}",
            aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
        )),
    }
}

/// Writes `text` as the current version of the secret `id`.
pub async fn write_secret(
    client: &aws_sdk_secretsmanager::Client,
    id: &str,
    text: &str,
) -> Result<(), String> {
    client
        .put_secret_value()
        .secret_id(id)
        .secret_string(text)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            format!(
                "writing the keys to Secrets Manager ({id}): {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
            )
        })
}

/// `deps` as a function with `keys` holds them: every other key absent (a look-up, a
/// captcha or a token signed with an absent key stops the request, naming it), the token
/// keys public unless the function signs. Each step runs so, on AWS and locally.
pub fn keyed(deps: &Deps, keys: Keys) -> Deps {
    let ring = deps.tokens.ring();
    let ring = if keys.has(Key::SigningKeys) {
        ring
    } else if keys.has(Key::VerifyingKeys) {
        Arc::new(ring.public())
    } else {
        Arc::new(KeyRing::empty())
    };
    Deps {
        pepper: if keys.has(Key::Pepper) {
            deps.pepper.clone()
        } else {
            Pepper::absent()
        },
        captcha: if keys.has(Key::CaptchaKey) {
            deps.captcha.clone()
        } else {
            Arc::new(NotGiven)
        },
        tokens: Arc::new(deps.tokens.with_ring(ring)),
        gateway_key: deps
            .gateway_key
            .clone()
            .filter(|_| keys.has(Key::GatewayKey)),
        issuer: if keys.has(Key::IssuerKey) {
            deps.issuer.clone()
        } else {
            Arc::new(NoIssuer)
        },
        operator_key: deps
            .operator_key
            .clone()
            .filter(|_| keys.has(Key::OperatorKey)),
        message_key: if keys.has(Key::MessageKey) {
            deps.message_key.clone()
        } else {
            Sealer::absent()
        },
        ..deps.clone()
    }
}

/// A deployment's first keys, as `cargo run -- new-keys` prints them: one JSON object whose
/// members are the secrets to create under the prefix (each member's value is the secret's
/// text).
pub fn new_keys(now: varco_domain::base::clock::Timestamp) -> serde_json::Value {
    use varco_domain::base::random::{OsRandom, Random};
    let fresh = || {
        let mut bytes = vec![0u8; MIN_SECRET_BYTES];
        OsRandom.fill(&mut bytes);
        Some(bytes)
    };
    let ring = Arc::new(KeyRing::first(now));
    let secrets = Secrets {
        pepper: fresh(),
        captcha_key: fresh(),
        message_key: fresh(),
        verifying_keys: Some(Arc::new(ring.public())),
        signing_keys: Some(ring),
        ..Secrets::default()
    };
    Key::ALL
        .into_iter()
        .filter_map(|key| Some((key.name().to_string(), secrets.encode(key)?.into())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_letters_name_the_keys() {
        let keys = Keys::parse("PCS");
        assert_eq!(
            keys.iter().collect::<Vec<_>>(),
            [Key::Pepper, Key::CaptchaKey, Key::SigningKeys]
        );
        assert_eq!(Keys::parse("-"), Keys::NONE);
        for key in Key::ALL {
            assert_eq!(
                Keys::parse(std::str::from_utf8(&[key.letter()]).unwrap())
                    .iter()
                    .collect::<Vec<_>>(),
                [key]
            );
        }
    }

    fn secrets_all() -> Secrets {
        let ring = Arc::new(KeyRing::first(varco_domain::base::clock::Timestamp(0)));
        Secrets {
            pepper: Some(vec![1; 32]),
            captcha_key: Some(vec![2; 32]),
            verifying_keys: Some(Arc::new(ring.public())),
            signing_keys: Some(ring),
            gateway_key: Some(vec![3; 32]),
            issuer_key: Some("issuer token".into()),
            operator_key: Some(vec![4; 32]),
            message_key: Some(vec![5; 32]),
        }
    }

    #[test]
    fn new_keys_read_back_as_a_deployment_reads_them() {
        let keys = new_keys(varco_domain::base::clock::Timestamp(0));
        let mut secrets = Secrets::default();
        for key in Key::ALL.into_iter().filter(|k| k.required()) {
            let text = keys[key.name()].as_str().unwrap();
            secrets.decode(key, key.name(), text).unwrap();
        }
        let (signing, verifying) = (
            secrets.signing_keys.unwrap(),
            secrets.verifying_keys.unwrap(),
        );
        assert_eq!(signing.kids(), verifying.kids());
        assert!(verifying.stored().is_empty());
        for key in Key::ALL {
            let text = secrets_all().encode(key).unwrap();
            let mut read = Secrets::default();
            read.decode(key, key.name(), &text).unwrap();
            assert_eq!(
                read.encode(key).unwrap(),
                text,
                "{key:?} reads back as written"
            );
        }
        let mut broken = Secrets::default();
        let problem = broken
            .decode(Key::Pepper, "the secret p", "c2hvcnQ=")
            .unwrap_err();
        assert!(problem.contains("the secret p") && !problem.contains("c2hvcnQ"));
    }
}
