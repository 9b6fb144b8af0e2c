//! Everything a step needs, built once per cold start and shared by every request.

use crate::captcha::CaptchaVerifier;
use crate::clock::Clock;
use crate::crypto::{Pepper, SecretHasher};
use crate::profile::Profile;
use crate::random::Random;
use crate::store::Store;
use crate::tokens::Tokens;
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
    pub issuer: Arc<dyn crate::issuer::CardIssuer>,
    /// N6: the key the operator's back office presents (base64 text, as configured); `None`:
    /// no back office.
    pub operator_key: Option<String>,
}
