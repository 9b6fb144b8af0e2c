use super::{ParseError, Secret};
use std::fmt;

/// A new password that meets the policy of OWASP ASVS 5.0 (6.2) and NIST SP 800-63B: 8 to
/// 128 characters (long passphrases welcome), no composition rules, spaces and any Unicode
/// allowed; refused when a guesser would try it early (`common_password`): one of the most
/// common passwords or as easily guessed, as zxcvbn estimates it (the `zxcvbn` crate, with
/// its dictionary of the 30,000 most common passwords of public dumps, bundled at build
/// time, and the ways people vary them: capitals, l33t, reversed, keyboard walks,
/// sequences, repeats, dates), or one of our own list of common Italian ones. Made of the
/// person's own names, addresses or the portal's name, it is refused where the step knows
/// them (`outside`, `context`).
#[derive(Clone)]
pub struct Password(Secret);

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;
/// Fewer guesses than 10^6 in zxcvbn's estimate: refused. Every password among the 10,000
/// most common, as typed or capitalised, is far below it (the 10,000th is 10^4 guesses).
pub const MIN_GUESSES_LOG10: f64 = 6.0;

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
        let listed = COMMON
            .lines()
            .filter(|l| !l.starts_with('#'))
            .any(|common| common == lower);
        if listed || zxcvbn::zxcvbn(input, &[]).guesses_log10() < MIN_GUESSES_LOG10 {
            return Err(ParseError::Common);
        }
        Ok(Password(Secret::new(input)))
    }

    /// Refuses a password made of the person's own context (`context`: their names, email,
    /// username or line, the company's and the portal's names; split into words of three
    /// characters or more): once the words it holds, digits and punctuation are taken out,
    /// fewer than four letters are left (`mario.rossi80`, `Acme2024!`, `Varco-1234`).
    pub fn outside(&self, context: &[&str]) -> Result<(), ParseError> {
        let mut words: Vec<String> = context
            .iter()
            .flat_map(|text| {
                text.to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|word| word.chars().count() >= 3)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        words.sort_by_key(|word| std::cmp::Reverse(word.len()));
        let lower = self.expose().to_lowercase();
        let mut rest = lower.clone();
        for word in &words {
            rest = rest.replace(word.as_str(), " ");
        }
        let letters = rest.chars().filter(|c| c.is_alphabetic()).count();
        if rest != lower && letters < 4 {
            Err(ParseError::Context)
        } else {
            Ok(())
        }
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
        let long = "la nebbia agli irti colli piovigginando sale, e sotto il maestrale urla e biancheggia il mar";
        assert!(long.chars().count() > 64);
        assert!(
            Password::parse(long).is_ok(),
            "64+ characters must be allowed"
        );
        assert!(matches!(
            Password::parse(&"x".repeat(129)),
            Err(ParseError::TooLong)
        ));
    }

    /// Among the 10,000 most common (zxcvbn's list: ranks 1, ~100, ~1,000, ~5,000 and
    /// ~10,000 as samples), as typed and capitalised; and what people do to them.
    #[test]
    fn the_most_common_passwords_and_their_variations_are_refused() {
        for weak in [
            "password",
            "baseball",
            "football",
            "sunshine",
            "iloveyou",
            "Password1",
            "PASSWORD",
            "trustno1",
            "qwertyuiop",
            "1q2w3e4r5t",
            "zaq12wsx",
            "abcd1234",
            "aaaaaaaa",
            "12345678",
            "11111111",
            "87654321",
            "passw0rd",
            "drowssap",
            "Juventus1",
            "01011980",
            "asdfghjkl",
        ] {
            assert_eq!(
                Password::parse(weak).err(),
                Some(ParseError::Common),
                "{weak}"
            );
        }
    }

    #[test]
    fn a_password_of_the_persons_own_context_is_refused() {
        let context = [
            "Mario Rossi",
            "mario.rossi@example.com",
            "Acme Srl",
            "Portale Carte",
        ];
        for own in [
            "mario.rossi80",
            "Rossi-Mario-1980!",
            "ACME2024acme",
            "PortaleCarte2025",
        ] {
            let password = Password::parse(own).unwrap();
            assert_eq!(
                password.outside(&context),
                Err(ParseError::Context),
                "{own}"
            );
        }
        for other in [
            "Mario-Girasole-Viola-31",
            "8271-9930-4412-5561",
            "Castagna-Rossa-88",
        ] {
            let password = Password::parse(other).unwrap();
            assert_eq!(password.outside(&context), Ok(()), "{other}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_refuses_only_with_a_reason(s in "\\PC{0,140}") {
            match Password::parse(&s) {
                Ok(p) => prop_assert_eq!(p.expose(), s.as_str()),
                Err(reason) => prop_assert!(!reason.code().is_empty()),
            }
        }

        #[test]
        fn long_random_passwords_are_accepted(s in "[a-zA-Z0-9àé€!]{16,64}") {
            // 16 characters drawn from 66: far beyond a million guesses, unless they
            // repeat or run in sequence, which zxcvbn rightly finds.
            let estimate = zxcvbn::zxcvbn(&s, &[]).guesses_log10();
            prop_assert_eq!(Password::parse(&s).is_ok(), estimate >= MIN_GUESSES_LOG10);
        }
    }
}
