use super::birth_date::days_in_month;
use super::{BirthDate, ParseError};
use std::fmt;

/// An Italian fiscal code (codice fiscale) of a natural person: 16 characters, upper case,
/// with a valid check character. Omocodic codes (digits replaced by letters to tell apart
/// two people with the same data) are accepted; the birth date and sex it encodes are
/// read through the substitution.
#[derive(Clone, PartialEq, Eq)]
pub struct FiscalCode(String);

/// Positions that hold digits, or their omocodic letters.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
const OMOCODE_LETTERS: &str = "LMNPQRSTUV";
const MONTH_LETTERS: &str = "ABCDEHLMPRST";
/// Values of characters in odd positions (1st, 3rd, ...) for the check character.
const ODD_VALUES: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

impl FiscalCode {
    pub fn parse(input: &str) -> Result<FiscalCode, ParseError> {
        // As people write it, in groups too: `RSS MRA 80A01 H501U`.
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if code.is_empty() {
            return Err(ParseError::Empty);
        }
        if code.len() != 16 || !code.is_ascii() {
            return Err(ParseError::Format);
        }
        let chars: Vec<char> = code.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            let ok = if DIGIT_POSITIONS.contains(&i) {
                c.is_ascii_digit() || OMOCODE_LETTERS.contains(*c)
            } else if i == 8 {
                MONTH_LETTERS.contains(*c)
            } else {
                c.is_ascii_uppercase()
            };
            if !ok {
                return Err(ParseError::Format);
            }
        }
        if check_character(&code[..15]) != chars[15] {
            return Err(ParseError::Checksum);
        }
        let parsed = FiscalCode(code);
        let (_, month, day, _) = parsed.encoded_birth();
        if day == 0 || day > 31 || day > days_in_month(2000, month) {
            return Err(ParseError::Date);
        }
        Ok(parsed)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn sex(&self) -> Sex {
        self.encoded_birth().3
    }

    /// Whether `date` is the birth date this code encodes. The code holds only the last two
    /// digits of the year, so any century matches.
    pub fn matches_birth_date(&self, date: BirthDate) -> bool {
        let (yy, month, day, _) = self.encoded_birth();
        u16::from(yy) == date.year() % 100 && month == date.month() && day == date.day()
    }

    fn encoded_birth(&self) -> (u8, u8, u8, Sex) {
        let digit = |i: usize| -> u8 {
            let c = self.0.as_bytes()[i] as char;
            match OMOCODE_LETTERS.find(c) {
                Some(d) => d as u8,
                None => c as u8 - b'0',
            }
        };
        let yy = digit(6) * 10 + digit(7);
        let month = MONTH_LETTERS
            .find(self.0.as_bytes()[8] as char)
            .unwrap_or(0) as u8
            + 1;
        let raw_day = digit(9) * 10 + digit(10);
        let (day, sex) = if raw_day > 40 {
            (raw_day - 40, Sex::Female)
        } else {
            (raw_day, Sex::Male)
        };
        (yy, month, day, sex)
    }
}

/// The check character of the first 15 characters of a fiscal code.
pub fn check_character(first15: &str) -> char {
    let sum: u32 = first15
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let index = if c.is_ascii_digit() {
                c as u32 - '0' as u32
            } else {
                c as u32 - 'A' as u32
            };
            if i % 2 == 0 {
                ODD_VALUES[index as usize]
            } else {
                index
            }
        })
        .sum();
    (b'A' + (sum % 26) as u8) as char
}

impl fmt::Debug for FiscalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FiscalCode({}**********)", &self.0[..6])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_well_known_code_parses_with_its_birth_data() {
        let fc = FiscalCode::parse("rssmra80a01h501u").unwrap();
        assert_eq!(fc.as_str(), "RSSMRA80A01H501U");
        assert_eq!(fc.sex(), Sex::Male);
        assert!(fc.matches_birth_date(BirthDate::parse("1980-01-01").unwrap()));
        assert!(!fc.matches_birth_date(BirthDate::parse("1980-01-02").unwrap()));
    }

    #[test]
    fn a_code_written_in_groups_is_the_same_code() {
        for typed in [
            "RSS MRA 80A01 H501U",
            " rss mra 80a01 h501u ",
            "RSSMRA 80A01\tH501U",
        ] {
            assert_eq!(
                FiscalCode::parse(typed).unwrap().as_str(),
                "RSSMRA80A01H501U"
            );
        }
    }

    #[test]
    fn women_have_forty_added_to_the_day() {
        let base = "BNCGLI85M52F205";
        let fc = FiscalCode::parse(&format!("{base}{}", check_character(base))).unwrap();
        assert_eq!(fc.sex(), Sex::Female);
        assert!(fc.matches_birth_date(BirthDate::parse("1985-08-12").unwrap()));
    }

    #[test]
    fn omocodic_letters_stand_for_digits() {
        // RSSMRA80A01H501U with the last cadastral digit 1 -> M.
        let base = "RSSMRA80A01H50M";
        let fc = FiscalCode::parse(&format!("{base}{}", check_character(base))).unwrap();
        assert!(fc.matches_birth_date(BirthDate::parse("1980-01-01").unwrap()));
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        assert_eq!(
            FiscalCode::parse("RSSMRA80A01H501A"),
            Err(ParseError::Checksum)
        );
        assert_eq!(
            FiscalCode::parse("RSSMRA80Z01H501U"),
            Err(ParseError::Format)
        );
        assert_eq!(FiscalCode::parse("RSSMRA80A01"), Err(ParseError::Format));
    }

    #[test]
    fn debug_hides_the_birth_data() {
        let fc = FiscalCode::parse("RSSMRA80A01H501U").unwrap();
        assert!(!format!("{fc:?}").contains("80A01"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = FiscalCode::parse(&s);
        }

        #[test]
        fn every_code_with_its_check_character_parses(
            name in "[A-Z]{6}", yy in 0u8..100, m in 0usize..12, d in 1u8..=28, female: bool, place in "[A-Z][0-9]{3}"
        ) {
            let day = if female { d + 40 } else { d };
            let base = format!("{name}{yy:02}{}{day:02}{place}", MONTH_LETTERS.as_bytes()[m] as char);
            let code = format!("{base}{}", check_character(&base));
            let fc = FiscalCode::parse(&code).unwrap();
            let date = BirthDate::from_parts(1900 + u16::from(yy), m as u8 + 1, d).unwrap();
            prop_assert!(fc.matches_birth_date(date));
            prop_assert_eq!(fc.sex() == Sex::Female, female);
        }

        #[test]
        fn changing_one_character_breaks_the_check(pos in 0usize..15, c in "[A-Z0-9]") {
            let original = "RSSMRA80A01H501U";
            let mut bytes = original.as_bytes().to_vec();
            bytes[pos] = c.as_bytes()[0];
            let changed = String::from_utf8(bytes).unwrap();
            prop_assume!(changed != original);
            prop_assert!(FiscalCode::parse(&changed).is_err());
        }
    }
}
