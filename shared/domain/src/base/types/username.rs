use super::ParseError;
use std::fmt;

/// A chosen login name (W4, T1): 3 to 64 characters among letters, digits and `. _ - @ +`,
/// with at least one letter (so a username never reads as a line number), compared exactly:
/// `Mario.Rossi` and `mario.rossi` are two usernames.
#[derive(Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Username, ParseError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(ParseError::Empty);
        }
        if name.chars().count() > 64 {
            return Err(ParseError::TooLong);
        }
        if name.chars().count() < 3 {
            return Err(ParseError::TooShort);
        }
        let allowed = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_@+".contains(c));
        if !allowed || !name.chars().any(|c| c.is_ascii_alphabetic()) {
            return Err(ParseError::Format);
        }
        Ok(Username(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Username({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_keep_their_case_and_need_a_letter() {
        assert_eq!(
            Username::parse(" Mario.Rossi ").unwrap().as_str(),
            "Mario.Rossi"
        );
        assert_ne!(
            Username::parse("Mario").unwrap(),
            Username::parse("mario").unwrap()
        );
        assert_eq!(
            Username::parse("mario@acme.it").unwrap().as_str(),
            "mario@acme.it"
        );
        assert_eq!(Username::parse("3471234567"), Err(ParseError::Format));
        assert_eq!(Username::parse("ma rio"), Err(ParseError::Format));
        assert_eq!(Username::parse("mr"), Err(ParseError::TooShort));
        assert_eq!(Username::parse(""), Err(ParseError::Empty));
        assert_eq!(Username::parse(&"a".repeat(65)), Err(ParseError::TooLong));
    }
}
