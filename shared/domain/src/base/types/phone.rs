use super::ParseError;
use phonenumber::{Mode, Type};
use std::fmt;

/// A phone number in E.164, parsed and checked against the numbering plan of its country
/// (by the `phonenumber` crate, which also knows what kind of number it is). Only
/// international input is accepted: a national number needs its prefix (`parse_parts`,
/// `parse_in`).
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    e164: String,
    country_code: u16,
    /// The national significant number, leading zeros kept (`06...` in Italy).
    national: String,
    /// A mobile number (or one the plan cannot tell from a fixed line): one that an SMS
    /// reaches at the price of a text, not a premium-rate, shared-cost or fixed line.
    mobile: bool,
}

/// Whether the plan of `number`'s country lists `national` (leading zeros kept: the
/// crate's own `number_type` drops them) as a mobile number and as nothing that costs
/// more (premium rate, shared cost, toll free).
fn is_mobile(number: &phonenumber::PhoneNumber, national: &str) -> bool {
    let Some(plan) = number.metadata(&phonenumber::metadata::DATABASE) else {
        return false;
    };
    let kinds = plan.descriptors();
    let is = |kind| kinds.get(kind).is_some_and(|d| d.is_match(national));
    is(Type::Mobile)
        && ![Type::PremiumRate, Type::SharedCost, Type::TollFree]
            .into_iter()
            .any(is)
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
        let e164 = number.format().mode(Mode::E164).to_string();
        let national = e164
            .strip_prefix(&format!("+{country_code}"))
            .ok_or(ParseError::Format)?
            .to_string();
        let mobile = is_mobile(&number, &national);
        Ok(PhoneNumber {
            e164,
            country_code,
            national,
            mobile,
        })
    }

    /// A number as a person types it under a page that shows the prefix of the number
    /// on file: international (`+39 340...`, `0039 340...`) as it is, national
    /// (`340 123 4544`) in the country `country_code`.
    /// A national number is read as the country's own people write it, trunk prefix and all
    /// (`07400 123456` in the United Kingdom; Italy's leading 0 is part of the number).
    pub fn parse_in(country_code: u16, input: &str) -> Result<PhoneNumber, ParseError> {
        let trimmed = input.trim();
        if trimmed.starts_with('+') || trimmed.starts_with("00") {
            return PhoneNumber::parse(trimmed);
        }
        let regions = phonenumber::metadata::DATABASE
            .region(&country_code)
            .unwrap_or_default();
        let national = regions
            .iter()
            .filter_map(|region| region.parse::<phonenumber::country::Id>().ok())
            .filter_map(|region| phonenumber::parse(Some(region), trimmed).ok())
            .find(|number| number.code().value() == country_code)
            .map(|number| number.format().mode(Mode::E164).to_string());
        match national {
            Some(e164) => PhoneNumber::parse(&e164),
            None => PhoneNumber::parse_parts(&country_code.to_string(), trimmed),
        }
    }

    /// Whether an SMS may go to this number: a mobile one (`mobile` above).
    pub fn is_mobile(&self) -> bool {
        self.mobile
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

/// A number as typed at a phone step: whole (international), or national, to be read in
/// the country of the number on file (the page shows its prefix: seed 001).
#[derive(Clone, PartialEq, Eq)]
pub enum TypedPhone {
    Whole(PhoneNumber),
    National(String),
}

impl TypedPhone {
    /// `+39 340...` or `0039 340...` whole; digits (spaces, dashes, dots allowed) national.
    pub fn parse(input: &str) -> Result<TypedPhone, ParseError> {
        let trimmed = input.trim();
        if trimmed.starts_with('+') || trimmed.starts_with("00") {
            return PhoneNumber::parse(trimmed).map(TypedPhone::Whole);
        }
        if trimmed.is_empty() {
            return Err(ParseError::Empty);
        }
        if trimmed.len() > 20 {
            return Err(ParseError::TooLong);
        }
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        {
            return Err(ParseError::Format);
        }
        Ok(TypedPhone::National(trimmed.to_string()))
    }

    /// The numbers it may be, one per country of `country_codes` (the numbers on file).
    pub fn candidates(&self, country_codes: &[u16]) -> Vec<PhoneNumber> {
        match self {
            TypedPhone::Whole(phone) => vec![phone.clone()],
            TypedPhone::National(national) => country_codes
                .iter()
                .filter_map(|&code| PhoneNumber::parse_in(code, national).ok())
                .collect(),
        }
    }
}

impl fmt::Debug for TypedPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypedPhone::Whole(phone) => phone.fmt(f),
            TypedPhone::National(_) => f.write_str("TypedPhone(national)"),
        }
    }
}

/// The country calling code a masked number shows (`+39 340****44`: 39).
pub fn country_code_of_hint(hint: &str) -> Option<u16> {
    hint.strip_prefix('+')?.split(' ').next()?.parse().ok()
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

    #[test]
    fn a_typed_national_number_is_read_in_each_country_on_file() {
        let typed = TypedPhone::parse("340 123 4544").unwrap();
        let hint = PhoneNumber::parse("+393401234544").unwrap().hint();
        let code = country_code_of_hint(&hint).unwrap();
        assert_eq!(
            typed.candidates(&[code]),
            vec![PhoneNumber::parse("+393401234544").unwrap()]
        );
        assert_eq!(TypedPhone::parse("34o"), Err(ParseError::Format));
        assert!(!format!("{typed:?}").contains("3401234544"));
    }

    #[test]
    fn leading_zeros_are_kept() {
        let rome = PhoneNumber::parse("+39 06 1234 5678").unwrap();
        assert_eq!(rome.e164(), "+390612345678");
        assert_eq!(rome.hint(), "+39 061****78");
        assert!(!rome.is_mobile(), "a landline in Rome");
    }

    #[test]
    fn premium_and_fixed_lines_are_not_mobile() {
        for number in ["+39 899 123456", "+44 909 876 0000", "+39 02 1234 5678"] {
            let n = PhoneNumber::parse(number).unwrap();
            assert!(!n.is_mobile(), "{number}");
        }
        for number in ["+39 340 123 4544", "+44 7400 123456", "+1 201 555 0123"] {
            assert!(PhoneNumber::parse(number).unwrap().is_mobile(), "{number}");
        }
    }

    #[test]
    fn a_national_number_is_read_in_the_country_on_file() {
        let whole = PhoneNumber::parse("+393401234544").unwrap();
        assert_eq!(PhoneNumber::parse_in(39, "340 123 4544").unwrap(), whole);
        assert_eq!(PhoneNumber::parse_in(44, "+39 3401234544").unwrap(), whole);
        assert_eq!(PhoneNumber::parse_in(39, "00393401234544").unwrap(), whole);
        assert!(PhoneNumber::parse_in(39, "12").is_err());
        let rome = PhoneNumber::parse("+39 06 1234 5678").unwrap();
        assert_eq!(PhoneNumber::parse_in(39, "06 1234 5678").unwrap(), rome);
        let london = PhoneNumber::parse("+44 7400 123456").unwrap();
        assert_eq!(PhoneNumber::parse_in(44, "07400 123456").unwrap(), london);
        assert_eq!(PhoneNumber::parse_in(44, "7400 123456").unwrap(), london);
    }

    /// Every region's example numbers, of every kind, leading zeros and all: E.164 parses
    /// back to the same number, and only mobile kinds are mobile.
    #[test]
    fn every_regions_example_numbers_round_trip() {
        let mut tried = 0;
        for region in phonenumber::metadata::DATABASE.iter() {
            let kinds = [
                (Type::Mobile, true),
                (Type::FixedLine, false),
                (Type::PremiumRate, false),
                (Type::SharedCost, false),
                (Type::TollFree, false),
            ];
            for (kind, mobile) in kinds {
                let Some(example) = region.descriptors().get(kind).and_then(|d| d.example()) else {
                    continue;
                };
                let typed = format!("+{}{example}", region.country_code());
                let Ok(n) = PhoneNumber::parse(&typed) else {
                    continue;
                };
                tried += 1;
                assert_eq!(n.e164(), typed, "{}: {kind:?}", region.id());
                assert_eq!(PhoneNumber::parse(n.e164()).unwrap(), n);
                if mobile {
                    assert!(n.is_mobile(), "{}: {typed}", region.id());
                } else if n.is_mobile() {
                    // A plan where this kind's example is also a mobile pattern: rare.
                    assert_ne!(kind, Type::PremiumRate, "{}: {typed}", region.id());
                }
            }
        }
        assert!(tried > 600, "{tried} examples");
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
