use super::ParseError;
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
        if vat_check_digit(&digits[..10]) != digits.as_bytes()[10] - b'0' {
            return Err(ParseError::Checksum);
        }
        Ok(VatNumber(digits.to_string()))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check digit of the first 10 digits of a partita IVA.
pub fn vat_check_digit(first10: &str) -> u8 {
    let sum: u32 = first10
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
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
            let full = format!("{first}{}", vat_check_digit(&first));
            let parsed = VatNumber::parse(&full).unwrap();
            prop_assert_eq!(parsed.as_str(), full.as_str());
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = VatNumber::parse(&s);
        }
    }
}
