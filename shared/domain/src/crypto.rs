//! Secrets at rest: argon2id for what people type (passwords, Key6, answers, codes), and a
//! keyed hash (HMAC-SHA256 with a secret pepper) for values used to look things up (card
//! numbers, fiscal codes, phone numbers).

use crate::random::Random;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// argon2id with the OWASP minimum: m = 19456 KiB, t = 2, p = 1.
pub struct SecretHasher {
    argon: Argon2<'static>,
    dummy: OnceLock<String>,
    verifications: AtomicU64,
}

impl Default for SecretHasher {
    fn default() -> Self {
        SecretHasher::new()
    }
}

impl SecretHasher {
    pub fn new() -> SecretHasher {
        let params = Params::new(19_456, 2, 1, None).expect("argon2 parameters are constants");
        SecretHasher {
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            dummy: OnceLock::new(),
            verifications: AtomicU64::new(0),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `secret` with a random salt.
    pub fn hash(&self, secret: &str, random: &dyn Random) -> String {
        let mut salt = [0u8; 16];
        random.fill(&mut salt);
        let salt = SaltString::encode_b64(&salt).expect("16 bytes always encode as a salt");
        self.argon
            .hash_password(secret.as_bytes(), &salt)
            .expect("argon2 with valid parameters and salt cannot fail")
            .to_string()
    }

    /// Whether `secret` matches `stored`, in constant time. With no stored hash (an unknown
    /// person, a method not enabled) the same work is done against a dummy hash and the
    /// answer is `false`, so timing does not tell the two apart.
    pub fn verify(&self, secret: &str, stored: Option<&str>) -> bool {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let dummy = self.dummy.get_or_init(|| {
            let salt = SaltString::encode_b64(b"varco-dummy-salt").expect("constant salt");
            self.argon
                .hash_password(b"no such secret", &salt)
                .expect("constant input")
                .to_string()
        });
        let (phc, real) = match stored {
            Some(phc) => (phc, true),
            None => (dummy.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(phc) else {
            // A corrupt stored hash: still spend the time, never match.
            let _ = self.argon.verify_password(
                secret.as_bytes(),
                &PasswordHash::new(dummy).expect("dummy parses"),
            );
            return false;
        };
        let matched = self
            .argon
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok();
        real && matched
    }

    /// How many verifications this hasher has done: lets tests check that an unknown person
    /// costs the same argon2 work as a known one.
    pub fn verification_count(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

/// The secret key of the keyed hash used for look-ups.
#[derive(Clone)]
pub struct Pepper(Vec<u8>);

impl Pepper {
    pub fn new(key: Vec<u8>) -> Pepper {
        Pepper(key)
    }

    /// Hex HMAC-SHA256 of `value` under a `purpose` tag, so that equal values of different
    /// kinds (a card number and a phone number) never share a hash.
    pub fn lookup(&self, purpose: &str, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any size");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsRandom;

    #[test]
    fn a_hash_verifies_its_secret_only() {
        let h = SecretHasher::new();
        let phc = h.hash("482913", &OsRandom);
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.verify("482913", Some(&phc)));
        assert!(!h.verify("482914", Some(&phc)));
    }

    #[test]
    fn no_stored_hash_never_matches_but_still_counts_as_work() {
        let h = SecretHasher::new();
        assert!(!h.verify("no such secret", None));
        assert!(!h.verify("anything", Some("not a phc string")));
        assert_eq!(h.verification_count(), 2);
    }

    #[test]
    fn lookups_depend_on_pepper_and_purpose() {
        let a = Pepper::new(b"one".to_vec());
        let b = Pepper::new(b"two".to_vec());
        assert_eq!(a.lookup("card", "4111"), a.lookup("card", "4111"));
        assert_ne!(a.lookup("card", "4111"), b.lookup("card", "4111"));
        assert_ne!(a.lookup("card", "4111"), a.lookup("phone", "4111"));
    }
}
