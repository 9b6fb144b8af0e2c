use super::ParseError;
use std::fmt;

/// A payment card number: 12 to 19 digits (spaces and dashes allowed in input) with a valid
/// Luhn check digit. Stored only as a keyed hash plus its last four digits.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    pub fn parse(input: &str) -> Result<CardNumber, ParseError> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if digits.is_empty() {
            return Err(ParseError::Empty);
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::Format);
        }
        if digits.len() < 12 {
            return Err(ParseError::TooShort);
        }
        if digits.len() > 19 {
            return Err(ParseError::TooLong);
        }
        if !luhn_valid(&digits) {
            return Err(ParseError::Checksum);
        }
        Ok(CardNumber(digits))
    }

    /// The digits, for the keyed hash only.
    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
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
    sum.is_multiple_of(10)
}

/// The Luhn check digit that completes `partial`: for demo data and tests.
pub fn luhn_check_digit(partial: &str) -> char {
    (b'0'..=b'9')
        .map(|d| d as char)
        .find(|d| luhn_valid(&format!("{partial}{d}")))
        .unwrap_or('0')
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber(****{})", self.last4())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn luhn_decides() {
        assert_eq!(
            CardNumber::parse("4111 1111 1111 1111").unwrap().last4(),
            "1111"
        );
        assert_eq!(
            CardNumber::parse("4111111111111112"),
            Err(ParseError::Checksum)
        );
        assert_eq!(CardNumber::parse("4111-abcd"), Err(ParseError::Format));
        assert_eq!(CardNumber::parse("41111"), Err(ParseError::TooShort));
    }

    #[test]
    fn debug_shows_only_the_last_four() {
        let c = CardNumber::parse("5555555555554444").unwrap();
        assert_eq!(format!("{c:?}"), "CardNumber(****4444)");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = CardNumber::parse(&s);
        }

        #[test]
        fn a_completed_number_parses_and_one_changed_digit_does_not(partial in "[0-9]{15}", pos in 0usize..15, delta in 1u8..10) {
            let number = format!("{partial}{}", luhn_check_digit(&partial));
            prop_assert!(CardNumber::parse(&number).is_ok());
            let mut bytes = number.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            prop_assert!(CardNumber::parse(&String::from_utf8(bytes).unwrap()).is_err());
        }
    }
}
