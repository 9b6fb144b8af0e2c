//! Randomness as a port, with the operating system's generator behind it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub trait Random: Send + Sync {
    /// Fills `buf` with cryptographically secure random bytes.
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's CSPRNG.
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        // getrandom fails only where the OS has no entropy source at all; nothing can run there.
        getrandom::getrandom(buf).expect("the operating system's random source is unavailable");
    }
}

/// An unguessable identifier: 160 random bits, URL-safe base64 (27 characters).
pub fn new_id(random: &dyn Random) -> String {
    let mut bytes = [0u8; 20];
    random.fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A random string of `len` characters from `alphabet` (no modulo bias).
pub fn random_string(random: &dyn Random, alphabet: &[u8], len: usize) -> String {
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut byte = [0u8; 1];
        random.fill(&mut byte);
        if (byte[0] as usize) < limit {
            out.push(alphabet[byte[0] as usize % alphabet.len()] as char);
        }
    }
    out
}
