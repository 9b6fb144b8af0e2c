//! Passwords of the old portals, as their operators export them: PBKDF2-HMAC-SHA256 in the
//! Django format, `pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte key>`. Only
//! verified (during migration), never written by Varco except for demo data.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::Sha256;

/// Iterations of the dummy verification for an unknown user (a common export setting).
pub const DUMMY_ITERATIONS: u32 = 100_000;
/// More than this is not a password hash but a way to make the step burn CPU.
const MAX_ITERATIONS: u32 = 1_000_000;

pub fn hash(password: &str, salt: &str, iterations: u32) -> String {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt.as_bytes(), iterations, &mut key);
    format!("pbkdf2_sha256${iterations}${salt}${}", STANDARD.encode(key))
}

/// Whether `password` matches `stored`; with no (or a malformed) stored hash the same
/// work is done and the answer is `false`.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let parsed = stored.and_then(|s| {
        let mut parts = s.split('$');
        let (algorithm, iterations, salt, key) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let iterations: u32 = iterations.parse().ok()?;
        let key = STANDARD.decode(key).ok()?;
        (algorithm == "pbkdf2_sha256"
            && parts.next().is_none()
            && (1..=MAX_ITERATIONS).contains(&iterations)
            && key.len() == 32)
            .then_some((iterations, salt, key))
    });
    let (iterations, salt, expected, real) = match parsed {
        Some((iterations, salt, key)) => (iterations, salt, key, true),
        None => (DUMMY_ITERATIONS, "varco-dummy-salt", vec![0u8; 32], false),
    };
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt.as_bytes(), iterations, &mut key);
    let difference = key
        .iter()
        .zip(&expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    real && difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_legacy_hash_verifies_its_password_only() {
        let stored = hash("Vecchia!Password1", "s4lt", 1_000);
        assert!(stored.starts_with("pbkdf2_sha256$1000$s4lt$"));
        assert!(verify("Vecchia!Password1", Some(&stored)));
        assert!(!verify("vecchia!password1", Some(&stored)));
        assert!(!verify("Vecchia!Password1", None));
        for malformed in [
            "",
            "pbkdf2_sha256$x$s$k",
            "md5$1$s$AAAA",
            "pbkdf2_sha256$9999999$s$AAAA",
        ] {
            assert!(!verify("x", Some(malformed)), "{malformed}");
        }
    }

    #[test]
    fn matches_the_published_pbkdf2_sha256_vector() {
        // The widely published vector: P = "password", S = "salt", c = 1, dkLen = 32.
        let key = STANDARD.encode(
            hex::decode("120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")
                .unwrap(),
        );
        assert!(verify(
            "password",
            Some(&format!("pbkdf2_sha256$1$salt${key}"))
        ));
    }
}
