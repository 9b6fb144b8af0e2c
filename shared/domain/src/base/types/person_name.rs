use super::ParseError;

/// A person's name (a name, a surname, a display name) as others will read it: 1 to 100
/// characters, without control characters, direction overrides or zero-width spaces
/// (which make one name read as another), and not made of invisible characters only.
/// Joiners (U+200C, U+200D) stay: Persian and Indic names need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

const MAX_CHARS: usize = 100;

/// Characters refused anywhere in a name: they change how the text around them reads.
fn disguises(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}'
            | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}')
}

/// Characters that draw nothing: a name of these alone is empty.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200C}' | '\u{200D}' | '\u{2060}'..='\u{2064}'
            | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FFA0}')
}

impl PersonName {
    pub fn parse(input: &str) -> Result<PersonName, ParseError> {
        let name = input.trim();
        if name.chars().any(disguises) {
            return Err(ParseError::Characters);
        }
        if name.chars().all(invisible) {
            return Err(ParseError::Empty);
        }
        if name.chars().count() > MAX_CHARS {
            return Err(ParseError::TooLong);
        }
        Ok(PersonName(name.to_string()))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_people_have_pass_as_typed() {
        for name in [
            "Mario",
            "  De Luca ",
            "D'Angelo",
            "Lê Văn Thịnh",
            "مهرداد\u{200C}ی",
            "O\u{0301}scar",
        ] {
            assert_eq!(PersonName::parse(name).unwrap().into_string(), name.trim());
        }
    }

    #[test]
    fn hidden_and_direction_changing_characters_are_refused() {
        for name in [
            "Ma\0rio",
            "Mario\nRossi",
            "\u{202E}issoR",
            "Mario\u{200B}Rossi",
            "\u{2067}Anna\u{2069}",
            "Anna\u{FEFF}",
        ] {
            assert_eq!(
                PersonName::parse(name),
                Err(ParseError::Characters),
                "{name:?}"
            );
        }
    }

    #[test]
    fn a_name_of_invisible_characters_is_empty() {
        for name in [
            "",
            "   ",
            "\u{3164}",
            "\u{200D}\u{200C}",
            "\u{00AD} \u{2060}",
            "\u{FE0F}",
        ] {
            assert_eq!(PersonName::parse(name), Err(ParseError::Empty), "{name:?}");
        }
        assert_eq!(
            PersonName::parse(&"a".repeat(101)),
            Err(ParseError::TooLong)
        );
        assert!(PersonName::parse(&"à".repeat(100)).is_ok());
    }

    proptest! {
        #[test]
        fn whatever_passes_has_a_visible_character_and_no_control(s in "\\PC{0,40}|.{0,10}") {
            if let Ok(name) = PersonName::parse(&s) {
                let name = name.into_string();
                prop_assert!(name.chars().any(|c| !invisible(c)));
                prop_assert!(!name.chars().any(disguises));
            }
        }
    }
}
