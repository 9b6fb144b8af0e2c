use super::{ParseError, Secret};
use std::fmt;

/// The six-digit Key6 code bound to a card. A secret: stored only as an argon2id hash.
#[derive(Clone)]
pub struct Key6(Secret);

impl Key6 {
    pub fn parse(input: &str) -> Result<Key6, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::Empty);
        }
        if s.len() != 6 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::Format);
        }
        Ok(Key6(Secret::new(s)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
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
        }
    }

    #[test]
    fn debug_hides_the_code() {
        assert_eq!(format!("{:?}", Key6::parse("123456").unwrap()), "Key6(***)");
    }
}
