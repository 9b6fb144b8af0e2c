use super::{ParseError, Secret};
use std::fmt;

/// The registration code printed on the card's statement or letter (N4): 6 to 20 letters and
/// digits, typed in any case, with spaces or dashes as printed. A secret: stored only as an
/// argon2id hash of its canonical form (upper case, no separators).
#[derive(Clone)]
pub struct RegistrationCode(Secret);

impl RegistrationCode {
    pub fn parse(input: &str) -> Result<RegistrationCode, ParseError> {
        let mut canonical = String::new();
        for c in input.trim().chars() {
            match c {
                ' ' | '-' => {}
                c if c.is_ascii_alphanumeric() => canonical.push(c.to_ascii_uppercase()),
                _ => return Err(ParseError::Format),
            }
        }
        match canonical.len() {
            0 => Err(ParseError::Empty),
            1..=5 => Err(ParseError::TooShort),
            6..=20 => Ok(RegistrationCode(Secret::new(&canonical))),
            _ => Err(ParseError::TooLong),
        }
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for RegistrationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RegistrationCode(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn case_and_separators_do_not_matter() {
        let a = RegistrationCode::parse("ab12-cd34").unwrap();
        let b = RegistrationCode::parse(" AB12 CD34 ").unwrap();
        assert_eq!(a.expose(), "AB12CD34");
        assert_eq!(a.expose(), b.expose());
        assert_eq!(
            RegistrationCode::parse("AB1").unwrap_err(),
            ParseError::TooShort
        );
        assert_eq!(
            RegistrationCode::parse("AB12_CD34").unwrap_err(),
            ParseError::Format
        );
        assert_eq!(
            RegistrationCode::parse(" - ").unwrap_err(),
            ParseError::Empty
        );
    }

    proptest! {
        #[test]
        fn parses_or_names_why_never_panics(s in "\\PC{0,30}") {
            if let Ok(code) = RegistrationCode::parse(&s) {
                prop_assert!((6..=20).contains(&code.expose().len()));
                prop_assert!(code.expose().chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
            }
        }
    }
}
