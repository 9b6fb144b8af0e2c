use super::{ParseError, Secret};
use std::fmt;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The answer to a security question, normalised before hashing so that case, accents and
/// spacing do not matter: `  Fído  Secondo ` and `fido secondo` are the same answer.
#[derive(Clone)]
pub struct SecurityAnswer(Secret);

impl SecurityAnswer {
    pub fn parse(input: &str) -> Result<SecurityAnswer, ParseError> {
        let stripped: String = input
            .nfkd()
            .filter(|c| !is_combining_mark(*c))
            .collect::<String>()
            .to_lowercase();
        let normalised = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
        if normalised.is_empty() {
            return Err(ParseError::Empty);
        }
        if normalised.chars().count() > 100 {
            return Err(ParseError::TooLong);
        }
        Ok(SecurityAnswer(Secret::new(normalised)))
    }

    /// The normalised answer, for hashing only.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for SecurityAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityAnswer(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn case_accents_and_spaces_do_not_matter() {
        let a = SecurityAnswer::parse("  Fído   Secondo ").unwrap();
        assert_eq!(a.expose(), "fido secondo");
        assert!(matches!(
            SecurityAnswer::parse(" \t "),
            Err(ParseError::Empty)
        ));
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(s in "\\PC{1,40}") {
            if let Ok(once) = SecurityAnswer::parse(&s) {
                let twice = SecurityAnswer::parse(once.expose()).unwrap();
                prop_assert_eq!(once.expose(), twice.expose());
            }
        }

        #[test]
        fn case_never_matters(s in "[a-zA-Zàèéìòù ]{1,30}") {
            let lower = SecurityAnswer::parse(&s.to_lowercase());
            let upper = SecurityAnswer::parse(&s.to_uppercase());
            prop_assert_eq!(lower.map(|a| a.expose().to_string()).ok(), upper.map(|a| a.expose().to_string()).ok());
        }
    }
}
