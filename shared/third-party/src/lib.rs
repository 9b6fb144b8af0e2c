//! The third parties Varco calls over HTTPS, each behind a port of the domain: Google
//! reCAPTCHA (the captcha port) and the card issuer's Key6 service (the issuer port, R8).
//! They share one client: HTTPS with the system's roots, a timeout, JSON answers.

mod client;
mod issuer;
mod recaptcha;

pub use issuer::HttpIssuer;
pub use recaptcha::{Recaptcha, GOOGLE_VERIFY_URL};
