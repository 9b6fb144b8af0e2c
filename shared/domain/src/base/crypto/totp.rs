//! Time-based one-time passwords (RFC 6238, as every authenticator app reads them): HMAC-SHA1
//! over the number of 30-second steps since the epoch, truncated to 6 digits (RFC 4226 §5.3).
//! The seed is shown once as base32 (RFC 4648) and in an `otpauth://` URI for a QR code.

use crate::base::clock::Timestamp;

/// Seconds per step.
pub const PERIOD: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Seed bytes: 160 bits, RFC 4226's recommendation for HMAC-SHA1.
pub const SEED_BYTES: usize = 20;
/// Steps either side of now a code is accepted from (a phone's clock a little off).
pub const DRIFT_STEPS: i64 = 1;

/// The step `at` falls in.
pub fn step(at: Timestamp) -> i64 {
    at.0.div_euclid(PERIOD)
}

/// The code of `seed` at `step`, `DIGITS` long.
pub fn code(seed: &[u8], step: i64) -> String {
    code_of_length(seed, step, DIGITS)
}

fn code_of_length(seed: &[u8], step: i64, digits: u32) -> String {
    use aws_lc_rs::hmac;
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, seed);
    let mac = hmac::sign(&key, &step.to_be_bytes());
    let mac = mac.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

/// The step, within `DRIFT_STEPS` of `now` and after `last_used`, whose code `typed` is; in
/// constant time for each step tried.
pub fn matching_step(seed: &[u8], typed: &str, now: Timestamp, last_used: i64) -> Option<i64> {
    let now = step(now);
    let mut found = None;
    for candidate in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        let expected = code(seed, candidate);
        let same = aws_lc_rs::constant_time::verify_slices_are_equal(
            expected.as_bytes(),
            typed.as_bytes(),
        )
        .is_ok();
        if same && candidate > last_used && found.is_none() {
            found = Some(candidate);
        }
    }
    found
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take a seed typed by hand.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buffer = [0u8; 5];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let bits = buffer.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            let index = (bits >> (35 - 5 * i)) & 0x1f;
            out.push(char::from(BASE32[index as usize]));
        }
    }
    out
}

/// The `otpauth://` URI an authenticator app reads from a QR code (Google Authenticator's
/// key URI format): the issuer and the account's label, the seed, the parameters.
pub fn otpauth_uri(issuer: &str, label: &str, seed: &[u8]) -> String {
    let escape = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={PERIOD}",
        escape(issuer),
        escape(label),
        base32(seed),
        escape(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, Appendix B: the SHA-1 seed and its 8-digit codes at the listed times; the
    /// 6-digit code is the last six of each (the same truncation, a smaller modulus).
    #[test]
    fn the_codes_of_rfc_6238s_test_vectors() {
        let seed = b"12345678901234567890";
        for (time, expected) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            let at = step(Timestamp(time));
            assert_eq!(code_of_length(seed, at, 8), expected, "at {time}");
            assert_eq!(code(seed, at), expected[2..], "at {time}");
        }
    }

    #[test]
    fn base32_is_rfc_4648s_without_padding() {
        // RFC 4648 §10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), encoded);
        }
        assert_eq!(base32(&[0u8; SEED_BYTES]).len(), 32);
    }

    #[test]
    fn a_code_matches_its_step_and_the_next_and_previous_but_never_a_used_one() {
        let seed = b"12345678901234567890";
        let now = Timestamp(1_800_000_015);
        let this = step(now);
        assert_eq!(matching_step(seed, &code(seed, this), now, 0), Some(this));
        assert_eq!(
            matching_step(seed, &code(seed, this - 1), now, 0),
            Some(this - 1)
        );
        assert_eq!(
            matching_step(seed, &code(seed, this + 1), now, 0),
            Some(this + 1)
        );
        assert_eq!(matching_step(seed, &code(seed, this - 2), now, 0), None);
        assert_eq!(matching_step(seed, &code(seed, this), now, this), None);
        assert_eq!(matching_step(seed, "12345", now, 0), None);
    }

    #[test]
    fn the_uri_names_the_issuer_and_the_account_escaped() {
        let uri = otpauth_uri("Varco Bank", "mario.rossi@example.com", b"12345");
        assert_eq!(
            uri,
            "otpauth://totp/Varco%20Bank:mario.rossi%40example.com?secret=GEZDGNBV&issuer=Varco%20Bank&algorithm=SHA1&digits=6&period=30"
        );
    }
}
