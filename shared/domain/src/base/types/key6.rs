use super::{ParseError, Secret};
use std::fmt;

/// The six-digit Key6 code bound to a card. A secret: stored only as an argon2id hash.
#[derive(Clone)]
pub struct Key6(Secret);

/// Six digits, as typed (surrounding spaces ignored).
fn six_digits(input: &str) -> Result<Secret, ParseError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ParseError::Empty);
    }
    if s.len() != 6 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(ParseError::Format);
    }
    Ok(Secret::new(s))
}

impl Key6 {
    pub fn parse(input: &str) -> Result<Key6, ParseError> {
        six_digits(input).map(Key6)
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// A one-time code sent by SMS or email: six digits. A secret: stored only as an argon2id
/// hash.
#[derive(Clone)]
pub struct OneTimeCode(Secret);

impl OneTimeCode {
    pub fn parse(input: &str) -> Result<OneTimeCode, ParseError> {
        six_digits(input).map(OneTimeCode)
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(***)")
    }
}

impl fmt::Debug for Key6 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key6(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn six_digits_and_nothing_else(s in "\\PC{0,10}") {
            let ok = s.trim().len() == 6 && s.trim().chars().all(|c| c.is_ascii_digit());
            prop_assert_eq!(Key6::parse(&s).is_ok(), ok);
            prop_assert_eq!(OneTimeCode::parse(&s).is_ok(), ok);
        }
    }

    #[test]
    fn debug_hides_the_code() {
        assert_eq!(format!("{:?}", Key6::parse("123456").unwrap()), "Key6(***)");
    }
}
