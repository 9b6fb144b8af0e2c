//! Access tokens: short-lived, signed with HMAC-SHA256 under a key from configuration.
//! A token names its account, its scope, and the password version it was issued under, so
//! that changing the password revokes every token issued before.

use crate::clock::Timestamp;
use crate::error::Error;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Everything the account may do.
    Account,
    /// Opened with a temporary password: only setting a new password.
    PasswordChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub scope: Scope,
    /// The account's password version when the token was issued.
    pub pwv: u32,
    /// The stored session the token belongs to (none for a password-change session):
    /// logging out ends it, and with it the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct TokenKey(Vec<u8>);

const PREFIX: &str = "v1";

impl TokenKey {
    pub fn new(key: Vec<u8>) -> TokenKey {
        TokenKey(key)
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
        let signed = format!("{PREFIX}.{body}");
        let tag = URL_SAFE_NO_PAD.encode(self.mac(&signed).finalize().into_bytes());
        format!("{signed}.{tag}")
    }

    /// The claims of a token this key signed that has not expired at `now`.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Claims, Error> {
        let (signed, tag) = token.rsplit_once('.').ok_or(Error::Unauthenticated)?;
        let (prefix, body) = signed.split_once('.').ok_or(Error::Unauthenticated)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| Error::Unauthenticated)?;
        if prefix != PREFIX || self.mac(signed).verify_slice(&tag).is_err() {
            return Err(Error::Unauthenticated);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| Error::Unauthenticated)?;
        let claims: Claims = serde_json::from_slice(&bytes).map_err(|_| Error::Unauthenticated)?;
        if now.0 >= claims.exp {
            return Err(Error::Unauthenticated);
        }
        Ok(claims)
    }

    fn mac(&self, data: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any size");
        mac.update(data.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            sub: "a1".into(),
            scope: Scope::Account,
            pwv: 1,
            sid: Some("s1".into()),
            iat: 100,
            exp: 200,
        }
    }

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let key = TokenKey::new(b"k".to_vec());
        let token = key.sign(&claims());
        assert_eq!(key.verify(&token, Timestamp(199)).unwrap(), claims());
        assert!(key.verify(&token, Timestamp(200)).is_err());
    }

    #[test]
    fn another_key_or_a_changed_body_is_refused() {
        let token = TokenKey::new(b"k".to_vec()).sign(&claims());
        assert!(TokenKey::new(b"other".to_vec())
            .verify(&token, Timestamp(150))
            .is_err());
        let mut forged = claims();
        forged.scope = Scope::PasswordChange;
        let forged_body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let parts: Vec<&str> = token.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], forged_body, parts[2]);
        assert!(TokenKey::new(b"k".to_vec())
            .verify(&tampered, Timestamp(150))
            .is_err());
        assert!(TokenKey::new(b"k".to_vec())
            .verify("garbage", Timestamp(150))
            .is_err());
    }
}
