use super::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar date of birth, `YYYY-MM-DD`, between 1900 and 2100.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BirthDate {
    year: u16,
    month: u8,
    day: u8,
}

impl BirthDate {
    pub fn parse(input: &str) -> Result<BirthDate, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::Empty);
        }
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(ParseError::Format);
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(ParseError::Format);
        }
        let num = |p: &str| p.parse::<u16>().map_err(|_| ParseError::Format);
        let (year, month, day) = (num(y)?, num(m)?, num(d)?);
        BirthDate::from_parts(year, month as u8, day as u8)
    }

    pub fn from_parts(year: u16, month: u8, day: u8) -> Result<BirthDate, ParseError> {
        if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return Err(ParseError::Date);
        }
        if day > days_in_month(year, month) {
            return Err(ParseError::Date);
        }
        Ok(BirthDate { year, month, day })
    }

    /// The date itself when it is not after `today` (a person's birth has happened),
    /// `today` given in Unix seconds; a day of slack for the time zones.
    pub fn not_after(self, today: i64) -> Result<BirthDate, ParseError> {
        if self.days_since_epoch() > today.div_euclid(86_400) + 1 {
            Err(ParseError::Future)
        } else {
            Ok(self)
        }
    }

    /// Days from 1970-01-01 to this date (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The last second of this date in UTC (Unix seconds).
    pub fn end_of_day_utc(self) -> i64 {
        (self.days_since_epoch() + 1) * 86_400 - 1
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }
}

pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BirthDate({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_birth_date_after_tomorrow_is_in_the_future() {
        let today = BirthDate::parse("2026-11-30").unwrap().end_of_day_utc() - 3600;
        for past in ["1980-01-01", "2026-11-30", "2026-12-01"] {
            assert!(
                BirthDate::parse(past).unwrap().not_after(today).is_ok(),
                "{past}"
            );
        }
        for future in ["2026-12-02", "2080-01-01"] {
            assert_eq!(
                BirthDate::parse(future).unwrap().not_after(today),
                Err(ParseError::Future)
            );
        }
    }

    #[test]
    fn days_since_epoch_and_end_of_day() {
        assert_eq!(
            BirthDate::parse("1970-01-01").unwrap().days_since_epoch(),
            0
        );
        assert_eq!(
            BirthDate::parse("1969-12-31").unwrap().days_since_epoch(),
            -1
        );
        assert_eq!(
            BirthDate::parse("2000-03-01").unwrap().days_since_epoch(),
            11_017
        );
        assert_eq!(
            BirthDate::parse("2029-12-31").unwrap().end_of_day_utc(),
            1_893_455_999
        );
        assert_eq!(
            BirthDate::parse("2026-06-30").unwrap().end_of_day_utc(),
            1_782_863_999
        );
    }
    use proptest::prelude::*;

    #[test]
    fn leap_days_exist_only_in_leap_years() {
        assert!(BirthDate::parse("2000-02-29").is_ok());
        assert_eq!(BirthDate::parse("1900-02-29"), Err(ParseError::Date));
        assert_eq!(BirthDate::parse("1981-04-31"), Err(ParseError::Date));
        assert_eq!(BirthDate::parse("01/02/1980"), Err(ParseError::Format));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,12}") {
            let _ = BirthDate::parse(&s);
        }

        #[test]
        fn display_parses_back(y in 1900u16..=2100, m in 1u8..=12, d in 1u8..=28) {
            let date = BirthDate::from_parts(y, m, d).unwrap();
            prop_assert_eq!(BirthDate::parse(&date.to_string()).unwrap(), date);
        }
    }
}
