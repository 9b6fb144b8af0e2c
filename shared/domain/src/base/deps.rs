//! Everything a step needs, built once per cold start and shared by every request.

use crate::base::captcha::CaptchaVerifier;
use crate::base::clock::Clock;
use crate::base::crypto::{Pepper, SecretHasher};
use crate::base::profile::Profile;
use crate::base::random::Random;
use crate::base::store::Store;
use crate::base::tokens::Tokens;
use std::sync::Arc;

#[derive(Clone)]
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub hasher: Arc<SecretHasher>,
    pub captcha: Arc<dyn CaptchaVerifier>,
    pub pepper: Pepper,
    /// Issues and checks access tokens; holds the signing key ring.
    pub tokens: Arc<Tokens>,
    pub profile: Arc<Profile>,
    /// Country calling codes SMS may go to (a deployment setting against SMS pumping);
    /// `None`: any.
    pub sms_country_codes: Option<Vec<u16>>,
    /// W9: the key the operator's network gateway presents with a line header (base64 text,
    /// as configured); `None`: no line header is believed.
    pub gateway_key: Option<String>,
    /// R8: where a card's Key6 is asked for when its holder views it.
    pub issuer: Arc<dyn crate::base::issuer::CardIssuer>,
    /// N6: the key the operator's back office presents (base64 text, as configured); `None`:
    /// no back office.
    pub operator_key: Option<String>,
    /// Seals a queued message's recipient and content for the sender (`outbox`).
    pub message_key: crate::base::crypto::Sealer,
    /// Who sent the request being served (`Deps::for_client`); none outside a request.
    pub client: Client,
}

/// What a request says of who sent it, for the sessions it opens (M8): the address API
/// Gateway saw (never a header), and the browser's `User-Agent`.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub source: Option<std::net::IpAddr>,
    pub user_agent: Option<String>,
}

impl Deps {
    /// The dependencies of one request from `client`.
    pub fn for_client(&self, client: Client) -> Deps {
        Deps {
            client,
            ..self.clone()
        }
    }
}

#[cfg(test)]
impl Deps {
    /// The domain's unit tests' dependencies: `profile` (with its built-in settings changed
    /// as a test needs), an in-memory store, a clock the test moves, a cheap captcha.
    pub(crate) fn in_memory(
        profile: Profile,
        store: Arc<crate::base::memory::MemoryStore>,
        clock: crate::base::clock::ManualClock,
    ) -> Deps {
        let now = clock.now();
        let random = Arc::new(crate::base::random::OsRandom);
        Deps {
            store,
            clock: Arc::new(clock),
            random: random.clone(),
            hasher: Arc::new(SecretHasher::new()),
            captcha: Arc::new(crate::base::captcha::ProofOfWork::new(
                b"c".to_vec(),
                2,
                300,
                random,
            )),
            pepper: Pepper::new(b"pepper".to_vec()),
            tokens: Arc::new(Tokens::new(
                "http://varco.test",
                vec!["portal".into()],
                Arc::new(crate::base::tokens::KeyRing::first(now)),
                now,
            )),
            profile: Arc::new(profile),
            sms_country_codes: None,
            gateway_key: None,
            issuer: Arc::new(crate::base::issuer::NoIssuer),
            operator_key: None,
            message_key: crate::base::crypto::Sealer::new(b"message key of the unit tests"),
            client: Client::default(),
        }
    }
}
