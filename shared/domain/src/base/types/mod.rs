//! Value types that parse, not validate: each has private fields and a `parse` that returns
//! a typed error, so holding one means it is valid.

mod birth_date;
mod card;
mod email;
mod fiscal_code;
mod key6;
mod password;
mod person_name;
mod phone;
mod registration_code;
mod secret;
mod security_answer;
mod typed;
mod username;
mod vat_number;

pub use birth_date::BirthDate;
pub use card::{luhn_check_digit, CardNumber};
pub use email::Email;
pub use fiscal_code::{check_character, FiscalCode, Sex};
pub use key6::{Key6, OneTimeCode};
pub use password::Password;
pub use person_name::PersonName;
pub use phone::{country_code_of_hint, PhoneNumber, TypedPhone};
pub use registration_code::RegistrationCode;
pub use secret::Secret;
pub use security_answer::SecurityAnswer;
pub use typed::{typed_password, typed_puk, MAX_TYPED_PASSWORD_CHARS};
pub use username::Username;
pub use vat_number::VatNumber;

/// Whether `value` may be an id in keys and paths: 1 to `max` ASCII letters, digits, `-`,
/// `_` (and `.`, with `dots`).
pub fn is_id(value: &str, max: usize, dots: bool) -> bool {
    !value.is_empty()
        && value.len() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || (dots && c == '.'))
}

/// Why a value did not parse. `code()` is stable: clients receive it as `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the value is empty")]
    Empty,
    #[error("the value is too long")]
    TooLong,
    #[error("the value is too short")]
    TooShort,
    #[error("the value has the wrong format")]
    Format,
    #[error("the check digit or character does not match")]
    Checksum,
    #[error("the date does not exist")]
    Date,
    #[error("the value is one of the most common passwords, or as easily guessed")]
    Common,
    #[error("the password is made of the person's own names, addresses or the portal's name")]
    Context,
    #[error("the value holds control, direction-changing or zero-width characters")]
    Characters,
    #[error("the date is in the future")]
    Future,
}

impl ParseError {
    pub fn code(self) -> &'static str {
        match self {
            ParseError::Empty => "empty",
            ParseError::TooLong => "too_long",
            ParseError::TooShort => "too_short",
            ParseError::Format => "format",
            ParseError::Checksum => "checksum",
            ParseError::Date => "date",
            ParseError::Common => "common_password",
            ParseError::Context => "context",
            ParseError::Characters => "characters",
            ParseError::Future => "future",
        }
    }
}
