use super::{ParseError, Secret};
use std::fmt;

/// A new password that meets the policy of OWASP ASVS 6.2 / NIST 800-63B: at least 8
/// characters, up to 128 (long passphrases welcome), not one of the most common passwords,
/// and no composition rules. Spaces and any Unicode are allowed.
#[derive(Clone)]
pub struct Password(Secret);

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

const COMMON: &str = include_str!("common_passwords.txt");

impl Password {
    pub fn parse(input: &str) -> Result<Password, ParseError> {
        let chars = input.chars().count();
        if input.trim().is_empty() {
            return Err(ParseError::Empty);
        }
        if chars < MIN_CHARS {
            return Err(ParseError::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(ParseError::TooLong);
        }
        let lower = input.to_lowercase();
        if COMMON
            .lines()
            .filter(|l| !l.starts_with('#'))
            .any(|common| common == lower)
        {
            return Err(ParseError::Common);
        }
        Ok(Password(Secret::new(input)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        assert!(matches!(
            Password::parse("Password123"),
            Err(ParseError::Common)
        ));
        assert!(matches!(
            Password::parse("qwertyuiop"),
            Err(ParseError::Common)
        ));
    }

    #[test]
    fn length_is_the_only_other_rule() {
        assert!(matches!(
            Password::parse("short"),
            Err(ParseError::TooShort)
        ));
        assert!(Password::parse("correct horse battery staple").is_ok());
        assert!(Password::parse("nocaps-nodigits").is_ok());
        assert!(
            Password::parse(&"x".repeat(100)).is_ok(),
            "64+ characters must be allowed"
        );
        assert!(matches!(
            Password::parse(&"x".repeat(129)),
            Err(ParseError::TooLong)
        ));
    }

    proptest! {
        #[test]
        fn any_long_enough_uncommon_string_is_accepted(s in "[a-zA-Z0-9 àé€!]{8,64}") {
            prop_assume!(!s.trim().is_empty());
            let common = COMMON.lines().any(|c| c == s.to_lowercase());
            prop_assert_eq!(Password::parse(&s).is_ok(), !common);
        }
    }
}
