use super::{luhn_check_digit, ParseError};
use std::fmt;

/// An Italian VAT number (partita IVA): 11 digits, the last a check digit, typed with or
/// without the `IT` prefix and spaces.
#[derive(Clone, PartialEq, Eq)]
pub struct VatNumber(String);

impl VatNumber {
    pub fn parse(input: &str) -> Result<VatNumber, ParseError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = compact
            .strip_prefix("IT")
            .or_else(|| compact.strip_prefix("it"))
            .unwrap_or(&compact);
        if digits.is_empty() {
            return Err(ParseError::Empty);
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::Format);
        }
        match digits.len() {
            0..=10 => return Err(ParseError::TooShort),
            11 => {}
            _ => return Err(ParseError::TooLong),
        }
        // The partita IVA's check digit is the Luhn check digit of the first ten.
        if luhn_check_digit(&digits[..10]) != char::from(digits.as_bytes()[10]) {
            return Err(ParseError::Checksum);
        }
        Ok(VatNumber(digits.to_string()))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for VatNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VatNumber({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_real_partita_iva_parses_with_or_without_prefix() {
        // 00743110157: a well-known published partita IVA.
        assert_eq!(
            VatNumber::parse("00743110157").unwrap().as_str(),
            "00743110157"
        );
        assert_eq!(
            VatNumber::parse("IT 00743110157").unwrap().as_str(),
            "00743110157"
        );
        assert_eq!(
            VatNumber::parse("00743110158").unwrap_err(),
            ParseError::Checksum
        );
        assert_eq!(
            VatNumber::parse("0074311015").unwrap_err(),
            ParseError::TooShort
        );
        assert_eq!(
            VatNumber::parse("0074311015X").unwrap_err(),
            ParseError::Format
        );
    }

    proptest! {
        #[test]
        fn every_ten_digits_with_their_check_digit_parse(first in "[0-9]{10}") {
            let full = format!("{first}{}", luhn_check_digit(&first));
            let parsed = VatNumber::parse(&full).unwrap();
            prop_assert_eq!(parsed.as_str(), full.as_str());
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = VatNumber::parse(&s);
        }
    }
}
