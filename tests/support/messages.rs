//! What the messages a test catches carry: codes, temporary passwords, links, invitation
//! codes.

use varco_domain::limits::outbox::Outgoing;

/// The temporary password an SMS carries.
pub fn temporary_password_in(sms: &Outgoing) -> String {
    let start = sms
        .body
        .find(" è ")
        .map(|i| i + " è ".len())
        .or_else(|| sms.body.find(" is ").map(|i| i + 4))
        .expect("an SMS with a password");
    sms.body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// The six-digit code an SMS or email carries.
pub fn code_in(message: &Outgoing) -> String {
    message
        .body
        .split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .unwrap_or_else(|| panic!("no code in {:?}", message.body))
        .to_string()
}

/// The flow id and token of the activation link in an email.
pub fn link_in(message: &Outgoing) -> (String, String) {
    let query = message
        .body
        .split_whitespace()
        .find_map(|word| word.split_once("?flow="))
        .unwrap_or_else(|| panic!("no activation link in {:?}", message.body))
        .1;
    let (flow, token) = query.split_once("&token=").expect("the link has a token");
    (flow.to_string(), token.to_string())
}

/// The invitation code an email carries (`<company>.<invitation>.<secret>`).
pub fn invitation_code_in(message: &Outgoing) -> String {
    message
        .body
        .split_whitespace()
        .find_map(|word| word.split_once("?code="))
        .unwrap_or_else(|| panic!("no invitation link in {:?}", message.body))
        .1
        .to_string()
}
