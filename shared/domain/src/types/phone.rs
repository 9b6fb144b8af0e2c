use super::ParseError;
use std::fmt;

/// A phone number in E.164, parsed and checked against the numbering plan of its country
/// (by the `phonenumber` crate). Only international input is accepted: a national number
/// needs its prefix (`parse_parts`).
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    e164: String,
    country_code: u16,
    national: String,
}

impl PhoneNumber {
    /// `+393401234544`, spaces, dashes and dots allowed; `00` is read as `+`.
    pub fn parse(input: &str) -> Result<PhoneNumber, ParseError> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        if compact.is_empty() {
            return Err(ParseError::Empty);
        }
        if compact.len() > 20 {
            return Err(ParseError::TooLong);
        }
        let international = match compact.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => compact,
        };
        if !international.starts_with('+')
            || !international[1..].chars().all(|c| c.is_ascii_digit())
        {
            return Err(ParseError::Format);
        }
        let number = phonenumber::parse(None, &international).map_err(|_| ParseError::Format)?;
        if !phonenumber::is_valid(&number) {
            return Err(ParseError::Format);
        }
        let country_code = number.code().value();
        let national = number.national().value().to_string();
        let e164 = format!("+{country_code}{national}");
        Ok(PhoneNumber {
            e164,
            country_code,
            national,
        })
    }

    /// An international prefix (`+39`, `39` or `0039`) and the number, as a person types
    /// them when several numbers are on file.
    pub fn parse_parts(prefix: &str, number: &str) -> Result<PhoneNumber, ParseError> {
        let prefix = prefix.trim();
        let digits = prefix.trim_start_matches('+').trim_start_matches("00");
        if digits.is_empty() || digits.len() > 3 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::Format);
        }
        PhoneNumber::parse(&format!("+{digits}{}", number.trim()))
    }

    /// The country calling code: 39 for Italy.
    pub fn country_code(&self) -> u16 {
        self.country_code
    }

    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The masked form shown to a person: `+39 340****44`.
    pub fn hint(&self) -> String {
        let head: String = self.national.chars().take(3).collect();
        let tail: String = self
            .national
            .chars()
            .skip(self.national.len().saturating_sub(2))
            .collect();
        format!("+{} {head}****{tail}", self.country_code)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.hint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn italian_mobile_is_masked_as_the_portal_shows_it() {
        let n = PhoneNumber::parse("+39 340 123 4544").unwrap();
        assert_eq!(n.e164(), "+393401234544");
        assert_eq!(n.hint(), "+39 340****44");
    }

    #[test]
    fn prefix_and_number_typed_apart_give_the_same_number() {
        let whole = PhoneNumber::parse("+393401234544").unwrap();
        assert_eq!(
            PhoneNumber::parse_parts("+39", "3401234544").unwrap(),
            whole
        );
        assert_eq!(
            PhoneNumber::parse_parts("0039", "340 1234544").unwrap(),
            whole
        );
        assert_eq!(PhoneNumber::parse("00393401234544").unwrap(), whole);
    }

    #[test]
    fn national_or_impossible_numbers_are_refused() {
        assert_eq!(PhoneNumber::parse("3401234544"), Err(ParseError::Format));
        assert_eq!(PhoneNumber::parse("+39 12"), Err(ParseError::Format));
        assert_eq!(PhoneNumber::parse(""), Err(ParseError::Empty));
        assert_eq!(PhoneNumber::parse("+39abc"), Err(ParseError::Format));
    }

    #[test]
    fn debug_never_shows_the_whole_number() {
        let n = PhoneNumber::parse("+393401234544").unwrap();
        assert!(!format!("{n:?}").contains("3401234544"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = PhoneNumber::parse(&s);
        }

        #[test]
        fn e164_parses_back_to_itself(rest in "3[0-9]{9}") {
            if let Ok(n) = PhoneNumber::parse(&format!("+39{rest}")) {
                prop_assert_eq!(PhoneNumber::parse(n.e164()).unwrap(), n);
            }
        }
    }
}
