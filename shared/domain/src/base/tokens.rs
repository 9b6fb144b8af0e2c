//! Access tokens: JWTs (RFC 7519) as RFC 9068 profiles them for access tokens, signed with
//! RS256 (RSASSA-PKCS1-v1_5 with SHA-256, by aws-lc) under a key ring, so that API Gateway's
//! JWT authorizer and any service with a standard library can check them against the public
//! key set (`jwks`), without Varco's secrets and without calling Varco.
//!
//! A token names its account, its scope, its session and the password version it was
//! issued under: Varco's own steps still read the session and the account on every request,
//! so logout and a password change end a token at once there. Other services see the
//! profile and the person's memberships (company id to role) as they were at issue.
//!
//! Keys rotate without logging anyone out (`KeyRing::rotate`): the next key is published
//! `PUBLISH_LEAD` before it signs (API Gateway caches a key set for up to two hours), and a
//! key stays in the set until the last token it signed has expired.

use crate::base::clock::Timestamp;
use crate::base::error::Error;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// The one signing algorithm: the one API Gateway's JWT authorizer checks.
pub const ALGORITHM: &str = "RS256";
/// The JOSE `typ` of an access token (RFC 9068 §2.1): no other JWT passes for one.
pub const TOKEN_TYPE: &str = "at+jwt";

const HOUR: i64 = 3600;
/// How long before it signs a new key is in the key set: API Gateway's two hours of cache,
/// a function's `KEY_RING_MAX_AGE` of stale ring, and margin.
pub const PUBLISH_LEAD: i64 = 3 * HOUR;
/// How long a key signs before the next one is made.
pub const ROTATE_EVERY: i64 = 30 * 24 * HOUR;
/// How long a running function may keep a key ring before it reads it again (AWS).
pub const KEY_RING_MAX_AGE: i64 = 15 * 60;
/// Clock difference between Varco and a service that checks its tokens, allowed for when a
/// key is retired.
const CLOCK_SKEW: i64 = 5 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Everything the account may do.
    Account,
    /// Opened with a temporary password: only setting a new password.
    PasswordChange,
    /// Opened past the grace period by a person who must have a second factor and has none:
    /// only setting one up.
    SecondFactorSetup,
}

impl Scope {
    /// Refuses a token that may not do everything the account may: what its scope allows
    /// instead, as the error says.
    pub fn full(self) -> Result<(), Error> {
        match self {
            Scope::Account => Ok(()),
            Scope::PasswordChange => Err(Error::PasswordChangeRequired),
            Scope::SecondFactorSetup => Err(Error::SecondFactorRequired),
        }
    }
}

/// How the person proved who they are at login: RFC 8176's authentication method
/// references, as a token's `amr` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Amr {
    /// A password (or a temporary password from recovery): something known.
    Pwd,
    /// A one-time code from an authenticator app (or a recovery code): something held.
    Otp,
    /// A code sent by SMS to the phone on file: something held.
    Sms,
    /// A proof from the network that the request came from the person's line (W9's
    /// autologin): the SIM, a smart card the network authenticated.
    Sc,
    /// A passkey: a key the authenticator holds (something held), unlocked by the person's
    /// PIN or body (something known or been: user verification, always asked). Two
    /// factors alone. Varco asks for no attestation, so it cannot tell a hardware key from
    /// a synced one: `hwk` names the held key.
    Hwk,
    /// Two or more of the above together.
    Mfa,
}

/// The assurance a token carries (`acr`): one factor, or two different ones (NIST SP
/// 800-63B's authenticator assurance levels 1 and 2).
pub const ACR_ONE_FACTOR: &str = "aal1";
pub const ACR_TWO_FACTORS: &str = "aal2";

/// How and when a session's person proved who they are: what its tokens say (`amr`, `acr`,
/// `auth_time`), kept through its refreshes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authentication {
    /// The methods used, in order, `mfa` last when there were two.
    pub amr: Vec<Amr>,
    /// When the last factor was proven (Unix seconds).
    pub auth_time: i64,
}

impl Authentication {
    /// Proven with `methods` at `at`: `mfa` is added when they are two (a passkey is two).
    pub fn by(methods: &[Amr], at: Timestamp) -> Authentication {
        let mut amr: Vec<Amr> = methods.iter().copied().filter(|m| *m != Amr::Mfa).collect();
        amr.dedup();
        if amr.len() >= 2 || amr.contains(&Amr::Hwk) {
            amr.push(Amr::Mfa);
        }
        Authentication {
            amr,
            auth_time: at.0,
        }
    }

    pub fn two_factors(&self) -> bool {
        self.amr.contains(&Amr::Mfa)
    }

    pub fn acr(&self) -> &'static str {
        if self.two_factors() {
            ACR_TWO_FACTORS
        } else {
            ACR_ONE_FACTOR
        }
    }
}

/// A token's claims (RFC 7519 §4.1, RFC 9068 §2.2, and `amr`, `acr`, `auth_time` of OpenID
/// Connect), and Varco's own: `pwv`, `profile`, `memberships`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: Vec<String>,
    /// The account id.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The stored session the token belongs to (none for a password-change session):
    /// logging out ends it, and with it the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub scope: Scope,
    /// The account's password version when the token was issued.
    pub pwv: u32,
    /// The portal profile (`card-issuer`, `telco-sme`, ...).
    pub profile: String,
    /// Company id to the person's role in it, for the memberships that give access.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub memberships: BTreeMap<String, String>,
    /// How the person logged in (RFC 8176). Empty in a token issued before it was said.
    #[serde(default)]
    pub amr: Vec<Amr>,
    /// `aal1` or `aal2` (`ACR_ONE_FACTOR`, `ACR_TWO_FACTORS`).
    #[serde(default)]
    pub acr: String,
    /// When the person last proved who they are (Unix seconds).
    #[serde(default)]
    pub auth_time: i64,
}

impl Claims {
    /// Whether the token was issued after two different factors.
    pub fn two_factors(&self) -> bool {
        self.amr.contains(&Amr::Mfa)
    }
}

/// What a step grants; the issuer adds the rest of the claims.
pub struct Grant {
    pub sub: String,
    pub scope: Scope,
    pub pwv: u32,
    pub sid: Option<String>,
    pub memberships: BTreeMap<String, String>,
    pub authentication: Authentication,
}

/// A key as configuration holds it (the secret's `signing_keys`): the private key in
/// PKCS#8 DER, base64, and when it starts signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredKey {
    pub private_key: String,
    pub signs_from: i64,
}

impl StoredKey {
    /// A new RSA-2048 key that signs from `signs_from`.
    pub fn generate(signs_from: i64) -> StoredKey {
        use aws_lc_rs::encoding::AsDer;
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("aws-lc generates an RSA key");
        let der = pair.as_der().expect("an RSA key encodes as PKCS#8");
        StoredKey {
            private_key: STANDARD.encode(der.as_ref()),
            signs_from,
        }
    }
}

/// One key of the ring, ready to verify, and to sign where the private key is held.
struct RingKey {
    kid: String,
    /// The private key and how it is stored; `None` in a ring of public keys.
    private: Option<(KeyPair, StoredKey)>,
    /// The public modulus and exponent, big-endian.
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl RingKey {
    fn from_stored(stored: StoredKey) -> Result<RingKey, String> {
        let der = STANDARD
            .decode(stored.private_key.trim())
            .map_err(|_| "a signing key is not base64".to_string())?;
        let pair = KeyPair::from_pkcs8(&der)
            .map_err(|_| "a signing key is not an RSA private key in PKCS#8".to_string())?;
        if pair.public_modulus_len() < 256 {
            return Err("a signing key is shorter than 2048 bits".into());
        }
        let public = pair.public_key();
        let modulus = public.modulus().big_endian_without_leading_zero().to_vec();
        let exponent = public.exponent().big_endian_without_leading_zero().to_vec();
        let mut key = RingKey::public(modulus, exponent);
        key.private = Some((pair, stored));
        Ok(key)
    }

    /// A key of a published key set (`jwk`): verifies, never signs. Its id is computed
    /// again from the key, whatever `kid` the set says.
    fn from_jwk(jwk: &Value) -> Result<RingKey, String> {
        let member = |name: &str| {
            jwk[name]
                .as_str()
                .and_then(|text| URL_SAFE_NO_PAD.decode(text).ok())
                .filter(|bytes| !bytes.is_empty())
                .ok_or_else(|| format!("a public key has no usable `{name}`"))
        };
        if jwk["kty"] != "RSA" {
            return Err("a public key is not an RSA key".into());
        }
        let modulus = member("n")?;
        if modulus.len() < 256 {
            return Err("a public key is shorter than 2048 bits".into());
        }
        Ok(RingKey::public(modulus, member("e")?))
    }

    fn public(modulus: Vec<u8>, exponent: Vec<u8>) -> RingKey {
        let (n, e) = (
            URL_SAFE_NO_PAD.encode(&modulus),
            URL_SAFE_NO_PAD.encode(&exponent),
        );
        // RFC 7638: the key's thumbprint names it.
        let members = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        RingKey {
            kid: URL_SAFE_NO_PAD.encode(Sha256::digest(members.as_bytes())),
            private: None,
            modulus,
            exponent,
        }
    }

    fn signs_from(&self) -> Option<i64> {
        self.private.as_ref().map(|(_, stored)| stored.signs_from)
    }

    fn jwk(&self) -> Value {
        json!({
            "kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.modulus), "e": URL_SAFE_NO_PAD.encode(&self.exponent),
        })
    }
}

/// The signing keys, oldest first: the newest one whose time has come signs; every one is
/// published and verifies. A ring of public keys only (`public`, `from_jwks`) verifies and
/// publishes, and signs nothing: what a function that does not issue tokens holds.
pub struct KeyRing {
    keys: Vec<RingKey>,
}

impl KeyRing {
    pub fn from_stored(stored: Vec<StoredKey>) -> Result<KeyRing, String> {
        let mut keys = stored
            .into_iter()
            .map(RingKey::from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("there is no signing key".into());
        }
        keys.sort_by_key(RingKey::signs_from);
        Ok(KeyRing { keys })
    }

    /// The ring of the public key set `jwks` (what `jwks()` publishes).
    pub fn from_jwks(jwks: &Value) -> Result<KeyRing, String> {
        let keys = jwks["keys"]
            .as_array()
            .ok_or("the public keys are not a key set ({\"keys\": [...]})")?
            .iter()
            .map(RingKey::from_jwk)
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("there is no public key".into());
        }
        Ok(KeyRing { keys })
    }

    /// The same keys without their private halves: verifies, signs nothing.
    pub fn public(&self) -> KeyRing {
        KeyRing {
            keys: self
                .keys
                .iter()
                .map(|k| RingKey::public(k.modulus.clone(), k.exponent.clone()))
                .collect(),
        }
    }

    /// The public key set (RFC 7517), every key of the ring.
    pub fn jwks(&self) -> Value {
        json!({ "keys": self.keys.iter().map(RingKey::jwk).collect::<Vec<_>>() })
    }

    /// No key: signs nothing, verifies nothing (a configuration still being read).
    pub fn empty() -> KeyRing {
        KeyRing { keys: Vec::new() }
    }

    /// A ring of one new key that signs from `now`: a deployment's first.
    pub fn first(now: Timestamp) -> KeyRing {
        KeyRing::from_stored(vec![StoredKey::generate(now.0)]).expect("a generated key loads")
    }

    /// The private keys as configuration holds them (none in a ring of public keys).
    pub fn stored(&self) -> Vec<StoredKey> {
        self.keys
            .iter()
            .filter_map(|k| k.private.as_ref().map(|(_, stored)| stored.clone()))
            .collect()
    }

    /// The key ids, oldest first.
    pub fn kids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.kid.clone()).collect()
    }

    fn signing(&self, now: Timestamp) -> Option<(&str, &KeyPair)> {
        self.keys.iter().rev().find_map(|k| match &k.private {
            Some((pair, stored)) if stored.signs_from <= now.0 => Some((k.kid.as_str(), pair)),
            _ => None,
        })
    }

    /// The ring as it should be at `now`, when that differs: a key that has signed for
    /// `ROTATE_EVERY` gets a successor that signs `PUBLISH_LEAD` from now; a key whose
    /// successor has signed for longer than the longest token (`token_life`) is retired.
    pub fn rotate(&self, now: Timestamp, token_life: i64) -> Option<Vec<StoredKey>> {
        let mut keys = self.stored();
        let retired = |i: usize, keys: &[StoredKey]| {
            keys.get(i + 1)
                .is_some_and(|next| next.signs_from + token_life + CLOCK_SKEW <= now.0)
        };
        let before = keys.len();
        keys = (0..keys.len())
            .filter(|&i| !retired(i, &keys))
            .map(|i| keys[i].clone())
            .collect();
        let newest = keys.last().map_or(i64::MIN, |k| k.signs_from);
        let added = newest <= now.0 && newest.saturating_add(ROTATE_EVERY) <= now.0;
        if added {
            keys.push(StoredKey::generate(now.0 + PUBLISH_LEAD));
        }
        (added || keys.len() != before).then_some(keys)
    }
}

/// Issues and checks access tokens, and publishes the keys.
pub struct Tokens {
    issuer: String,
    audiences: Vec<String>,
    ring: RwLock<(Arc<KeyRing>, Timestamp)>,
}

impl Tokens {
    /// `issuer`: the deployment's public URL (no trailing slash), which tokens carry as
    /// `iss` and where the discovery document is served; `audiences`: `aud`.
    pub fn new(issuer: &str, audiences: Vec<String>, ring: Arc<KeyRing>, now: Timestamp) -> Tokens {
        Tokens {
            issuer: issuer.trim_end_matches('/').to_string(),
            audiences,
            ring: RwLock::new((ring, now)),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn ring(&self) -> Arc<KeyRing> {
        self.ring.read().expect("poisoned").0.clone()
    }

    /// When the ring in use was loaded.
    pub fn ring_loaded_at(&self) -> Timestamp {
        self.ring.read().expect("poisoned").1
    }

    /// Puts a ring read again (or rotated) in use.
    pub fn replace(&self, ring: Arc<KeyRing>, now: Timestamp) {
        *self.ring.write().expect("poisoned") = (ring, now);
    }

    /// A token for `grant`, issued at `now`, valid for `ttl` seconds.
    pub fn issue(
        &self,
        grant: Grant,
        profile: &str,
        jti: String,
        now: Timestamp,
        ttl: i64,
    ) -> Result<String, Error> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audiences.clone(),
            sub: grant.sub,
            iat: now.0,
            exp: now.0 + ttl,
            jti,
            sid: grant.sid,
            scope: grant.scope,
            pwv: grant.pwv,
            profile: profile.to_string(),
            memberships: grant.memberships,
            acr: grant.authentication.acr().to_string(),
            amr: grant.authentication.amr,
            auth_time: grant.authentication.auth_time,
        };
        self.sign(&claims, now)
    }

    fn sign(&self, claims: &Claims, now: Timestamp) -> Result<String, Error> {
        let ring = self.ring();
        let (kid, pair) = ring.signing(now).ok_or_else(|| {
            Error::Unavailable(
                "no signing key is due yet (see the key ring's signs_from), or this function \
                 holds public keys only"
                    .into(),
            )
        })?;
        let header = json!({ "alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": kid });
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"))
        );
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            signed.as_bytes(),
            &mut signature,
        )
        .map_err(|_| Error::Unavailable("signing a token failed".into()))?;
        Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// The claims of a token signed by a key of the ring, of this issuer, of the access-token
    /// type, with RS256, that has not expired at `now`. Anything else is `Unauthenticated`.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Claims, Error> {
        let refused = || Error::Unauthenticated;
        let mut parts = token.split('.');
        let (Some(header), Some(body), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(refused());
        };
        // What the signature covers: `<header>.<body>`.
        let signed = &token[..header.len() + 1 + body.len()];
        #[derive(Deserialize)]
        struct Header {
            alg: String,
            typ: Option<String>,
            kid: Option<String>,
        }
        let header_bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| refused())?;
        let header: Header = serde_json::from_slice(&header_bytes).map_err(|_| refused())?;
        if header.alg != ALGORITHM || header.typ.as_deref() != Some(TOKEN_TYPE) {
            return Err(refused());
        }
        let ring = self.ring();
        let key = ring
            .keys
            .iter()
            .find(|k| Some(&k.kid) == header.kid.as_ref())
            .ok_or_else(refused)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| refused())?;
        RsaPublicKeyComponents {
            n: &key.modulus,
            e: &key.exponent,
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature)
        .map_err(|_| refused())?;
        let body = URL_SAFE_NO_PAD.decode(body).map_err(|_| refused())?;
        let claims: Claims = serde_json::from_slice(&body).map_err(|_| refused())?;
        if claims.iss != self.issuer || now.0 >= claims.exp {
            return Err(refused());
        }
        Ok(claims)
    }

    /// The public key set (RFC 7517), every key of the ring.
    pub fn jwks(&self) -> Value {
        self.ring().jwks()
    }

    /// The same issuer and audiences over another ring (a function's own keys).
    pub fn with_ring(&self, ring: Arc<KeyRing>) -> Tokens {
        Tokens::new(
            &self.issuer,
            self.audiences.clone(),
            ring,
            self.ring_loaded_at(),
        )
    }

    /// The discovery document (OpenID Connect Discovery 1.0 §3, the part that concerns
    /// access tokens): where the keys are and how tokens are signed.
    pub fn discovery(&self) -> Value {
        json!({
            "issuer": self.issuer,
            "jwks_uri": format!("{}{JWKS_PATH}", self.issuer),
            // OpenID Connect Discovery requires this member, and libraries read the
            // algorithm there; Varco signs access tokens only, with this algorithm.
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "scopes_supported": ["account", "password_change", "second_factor_setup"],
            "claims_supported": ["iss", "aud", "sub", "iat", "exp", "jti", "sid", "scope", "profile", "memberships", "amr", "acr", "auth_time"],
            "acr_values_supported": [ACR_ONE_FACTOR, ACR_TWO_FACTORS],
        })
    }
}

/// Where the key set is served, under the issuer.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_methods_of_different_kinds_are_mfa_and_aal2_one_is_aal1() {
        let one = Authentication::by(&[Amr::Pwd], Timestamp(1));
        assert_eq!((one.amr.as_slice(), one.acr()), (&[Amr::Pwd][..], "aal1"));
        let two = Authentication::by(&[Amr::Pwd, Amr::Otp], Timestamp(1));
        assert_eq!(two.amr, [Amr::Pwd, Amr::Otp, Amr::Mfa]);
        assert_eq!(two.acr(), "aal2");
        // The same method twice is one factor; `mfa` is never taken from the caller.
        let same = Authentication::by(&[Amr::Otp, Amr::Otp, Amr::Mfa], Timestamp(1));
        assert_eq!((same.amr.as_slice(), same.acr()), (&[Amr::Otp][..], "aal1"));
        assert_eq!(
            serde_json::to_value(&two.amr).unwrap(),
            serde_json::json!(["pwd", "otp", "mfa"])
        );
    }

    const LIFE: i64 = 900;

    fn grant() -> Grant {
        Grant {
            sub: "a1".into(),
            scope: Scope::Account,
            pwv: 1,
            sid: Some("s1".into()),
            memberships: BTreeMap::from([("c1".to_string(), "administrator".to_string())]),
            authentication: Authentication::by(&[Amr::Pwd, Amr::Otp], Timestamp(5)),
        }
    }

    fn tokens(now: i64) -> Tokens {
        Tokens::new(
            "https://id.example.com/",
            vec!["portal".into()],
            Arc::new(KeyRing::first(Timestamp(now))),
            Timestamp(now),
        )
    }

    fn parts(token: &str) -> Vec<Value> {
        token
            .split('.')
            .take(2)
            .map(|p| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn a_token_verifies_until_it_expires_and_carries_the_claims() {
        let t = tokens(100);
        let token = t
            .issue(grant(), "card-issuer", "j1".into(), Timestamp(100), LIFE)
            .unwrap();
        let claims = t.verify(&token, Timestamp(100 + LIFE - 1)).unwrap();
        assert_eq!(claims.iss, "https://id.example.com");
        assert_eq!(claims.aud, vec!["portal"]);
        assert_eq!(claims.memberships["c1"], "administrator");
        assert_eq!(claims.amr, [Amr::Pwd, Amr::Otp, Amr::Mfa]);
        assert_eq!((claims.acr.as_str(), claims.auth_time), ("aal2", 5));
        assert_eq!((claims.iat, claims.exp), (100, 100 + LIFE));
        assert!(t.verify(&token, Timestamp(100 + LIFE)).is_err());
        let header = &parts(&token)[0];
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["typ"], "at+jwt");
        assert_eq!(header["kid"], t.ring().kids()[0].as_str());
    }

    #[test]
    fn the_published_keys_verify_what_the_private_ring_signs_and_sign_nothing() {
        let t = tokens(100);
        let token = t
            .issue(grant(), "card-issuer", "j1".into(), Timestamp(100), LIFE)
            .unwrap();
        let mut published = t.jwks();
        let public = KeyRing::from_jwks(&published).unwrap();
        assert!(
            public.stored().is_empty(),
            "no private key in the public ring"
        );
        assert_eq!(public.jwks(), published);
        let verifier = t.with_ring(Arc::new(public));
        assert_eq!(verifier.verify(&token, Timestamp(101)).unwrap().sub, "a1");
        assert!(matches!(
            verifier.issue(grant(), "card-issuer", "j2".into(), Timestamp(101), LIFE),
            Err(Error::Unavailable(_))
        ));
        // A key's id is its thumbprint, whatever the set says.
        published["keys"][0]["kid"] = json!("chosen");
        let renamed = KeyRing::from_jwks(&published).unwrap();
        assert_eq!(renamed.kids(), t.ring().kids());
        // The public half of a private ring is the same set.
        assert_eq!(t.ring().public().jwks(), t.jwks());
        for broken in [
            json!({}),
            json!({ "keys": [] }),
            json!({ "keys": [{ "kty": "RSA", "n": "AQAB", "e": "AQAB" }] }),
        ] {
            assert!(KeyRing::from_jwks(&broken).is_err(), "{broken}");
        }
    }

    #[test]
    fn another_key_a_changed_body_or_another_issuer_is_refused() {
        let t = tokens(100);
        let token = t
            .issue(grant(), "card-issuer", "j1".into(), Timestamp(100), LIFE)
            .unwrap();
        assert!(tokens(100).verify(&token, Timestamp(150)).is_err());
        let mut claims = parts(&token)[1].clone();
        claims["scope"] = json!("password_change");
        let pieces: Vec<&str> = token.split('.').collect();
        let tampered = format!(
            "{}.{}.{}",
            pieces[0],
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            pieces[2]
        );
        assert!(t.verify(&tampered, Timestamp(150)).is_err());
        let elsewhere = Tokens::new(
            "https://other.example.com",
            vec![],
            t.ring(),
            Timestamp(100),
        );
        assert!(elsewhere.verify(&token, Timestamp(150)).is_err());
        for garbage in ["", "garbage", "a.b", "a.b.c.d", &format!("{token}.")] {
            assert!(t.verify(garbage, Timestamp(150)).is_err(), "{garbage}");
        }
    }

    #[test]
    fn rotation_publishes_the_next_key_ahead_and_retires_the_old_after_its_last_token() {
        let start = 1_000_000;
        let ring = KeyRing::first(Timestamp(start));
        assert_eq!(ring.rotate(Timestamp(start + ROTATE_EVERY - 1), LIFE), None);
        let due = start + ROTATE_EVERY;
        let two = KeyRing::from_stored(ring.rotate(Timestamp(due), LIFE).unwrap()).unwrap();
        assert_eq!(two.kids().len(), 2);
        assert_eq!(two.kids()[0], ring.kids()[0]);
        // Published now, signing only after the lead; no third key while one is pending.
        assert_eq!(
            two.signing(Timestamp(due + PUBLISH_LEAD - 1)).unwrap().0,
            ring.kids()[0]
        );
        assert_eq!(
            two.signing(Timestamp(due + PUBLISH_LEAD)).unwrap().0,
            two.kids()[1]
        );
        assert_eq!(two.rotate(Timestamp(due + PUBLISH_LEAD - 1), LIFE), None);
        // The old key stays while a token it signed may be alive.
        let last_old_token_ends = due + PUBLISH_LEAD + LIFE + CLOCK_SKEW;
        assert_eq!(two.rotate(Timestamp(last_old_token_ends - 1), LIFE), None);
        let one = two.rotate(Timestamp(last_old_token_ends), LIFE).unwrap();
        assert_eq!(
            KeyRing::from_stored(one).unwrap().kids(),
            vec![two.kids()[1].clone()]
        );
    }
}
