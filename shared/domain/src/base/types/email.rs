use super::ParseError;
use std::fmt;

/// An email address as the person typed it (trimmed, domain in lower case), with the
/// canonical form used to compare and look up addresses (C6).
///
/// Canonical form: the whole address in lower case; `googlemail.com` is `gmail.com`, and for
/// Gmail the dots of the local part are dropped (Gmail ignores them). Sub-addresses
/// (`+tag`) are kept: they are addresses a person chose on purpose.
#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    address: String,
    canonical: String,
}

impl Email {
    pub fn parse(input: &str) -> Result<Email, ParseError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ParseError::Empty);
        }
        if trimmed.chars().count() > 254 {
            return Err(ParseError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(ParseError::Format)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| !c.is_control() && !c.is_whitespace() && !"@<>()[]\\,;:\"".contains(c));
        let domain_ok = domain.len() <= 253
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !local_ok || !domain_ok {
            return Err(ParseError::Format);
        }
        let domain = domain.to_lowercase();
        let address = format!("{local}@{domain}");
        let canonical = canonical_form(&local.to_lowercase(), &domain);
        Ok(Email { address, canonical })
    }

    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The form two addresses are compared by: equal canonical forms are the same mailbox.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// `m****i@example.com`: enough for a person to recognise their address.
    pub fn hint(&self) -> String {
        let (local, domain) = self.address.rsplit_once('@').unwrap_or(("", ""));
        let first = local.chars().next().unwrap_or('*');
        let last = local.chars().last().unwrap_or('*');
        format!("{first}****{last}@{domain}")
    }
}

fn canonical_form(local: &str, domain: &str) -> String {
    let domain = match domain {
        "googlemail.com" => "gmail.com",
        other => other,
    };
    if domain == "gmail.com" {
        format!("{}@{domain}", local.replace('.', ""))
    } else {
        format!("{local}@{domain}")
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.hint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn googlemail_and_gmail_are_the_same_mailbox() {
        let a = Email::parse("Mario.Rossi@GoogleMail.com").unwrap();
        let b = Email::parse("mariorossi@gmail.com").unwrap();
        assert_eq!(a.canonical(), b.canonical());
        assert_eq!(a.as_str(), "Mario.Rossi@googlemail.com");
    }

    #[test]
    fn other_domains_keep_their_dots_and_tags() {
        let a = Email::parse("a.b+x@example.com").unwrap();
        assert_eq!(a.canonical(), "a.b+x@example.com");
        assert_ne!(
            a.canonical(),
            Email::parse("ab@example.com").unwrap().canonical()
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "  ",
            "no-at",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@@b.com",
            "a..b@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = Email::parse(&s);
        }

        #[test]
        fn case_never_matters(local in "[a-zA-Z0-9._]{1,20}", domain in "[a-z]{1,10}\\.(com|it)") {
            prop_assume!(!local.starts_with('.') && !local.ends_with('.') && !local.contains(".."));
            let lower = Email::parse(&format!("{}@{}", local.to_lowercase(), domain)).unwrap();
            let upper = Email::parse(&format!("{}@{}", local.to_uppercase(), domain.to_uppercase())).unwrap();
            prop_assert_eq!(lower.canonical(), upper.canonical());
        }

        #[test]
        fn canonical_form_is_stable(local in "[a-z0-9.+]{1,20}") {
            prop_assume!(!local.starts_with('.') && !local.ends_with('.') && !local.contains(".."));
            let once = Email::parse(&format!("{local}@googlemail.com")).unwrap();
            let twice = Email::parse(once.canonical()).unwrap();
            prop_assert_eq!(once.canonical(), twice.canonical());
        }
    }
}
