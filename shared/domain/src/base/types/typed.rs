//! Secrets as a person types them to prove who they are: read, never held to a policy (they
//! were set under older rules, perhaps, or by someone else), only bounded.

use super::ParseError;

/// The most characters a typed password may have: far beyond any policy's, and short enough
/// to hash quickly.
pub const MAX_TYPED_PASSWORD_CHARS: usize = 1024;

/// A password (or an old username) as typed to prove who one is: not empty, not beyond
/// `MAX_TYPED_PASSWORD_CHARS`; kept exactly as typed.
pub fn typed_password(input: &str) -> Result<String, ParseError> {
    if input.is_empty() {
        return Err(ParseError::Empty);
    }
    if input.chars().count() > MAX_TYPED_PASSWORD_CHARS {
        return Err(ParseError::TooLong);
    }
    Ok(input.to_string())
}

/// A SIM's PUK as typed: 4 to 16 digits, spaces around it dropped.
pub fn typed_puk(input: &str) -> Result<String, ParseError> {
    let puk = input.trim();
    if !(4..=16).contains(&puk.len()) || !puk.chars().all(|c| c.is_ascii_digit()) {
        return Err(ParseError::Format);
    }
    Ok(puk.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_password_is_kept_as_typed_within_its_bounds() {
        assert_eq!(typed_password(" old pass ").as_deref(), Ok(" old pass "));
        assert_eq!(typed_password(""), Err(ParseError::Empty));
        let longest = "é".repeat(MAX_TYPED_PASSWORD_CHARS);
        assert_eq!(typed_password(&longest).as_deref(), Ok(longest.as_str()));
        assert_eq!(
            typed_password(&format!("{longest}x")),
            Err(ParseError::TooLong)
        );
    }

    #[test]
    fn a_puk_is_4_to_16_digits() {
        assert_eq!(typed_puk(" 1234 ").as_deref(), Ok("1234"));
        assert_eq!(
            typed_puk(&"9".repeat(16)).as_deref(),
            Ok("9999999999999999")
        );
        for wrong in ["123", "12345678901234567", "12a4", "", "١٢٣٤"] {
            assert_eq!(typed_puk(wrong), Err(ParseError::Format), "{wrong:?}");
        }
    }
}
