//! W9: autologin. The operator's network gateway adds the line number of a mobile data
//! session to the request (the header `[autologin] line_header` names) and proves itself with
//! the deployment's gateway key (in `[autologin] key_header`). An employee whose line has an
//! account is then logged in without a password. A line header that comes without the key
//! (a client adding it itself) is ignored, and logged. The line is an MSISDN: international,
//! with or without its `+`.
//!
//! One query (the line's login name) and one write (the session).

use crate::accounts::{self, Account, Login, LoginName};
use crate::deps::Deps;
use crate::error::Error;
use crate::keys::{self, purpose};
use crate::profile::Profile;
use crate::sessions::{self, Session};
use crate::store::Index;
use crate::types::PhoneNumber;

/// What the request carried: the line header's value and the key header's value.
pub struct AutologinRequest<'a> {
    pub line: Option<&'a str>,
    pub key: Option<&'a str>,
}

/// A session for the line the gateway vouches for, or `AutologinUnavailable`: no line, no
/// key or a wrong one, a line no account logs in with. The client then shows the login form.
pub async fn autologin(deps: &Deps, request: AutologinRequest<'_>) -> Result<Session, Error> {
    Profile::section(&deps.profile.autologin)?;
    let Some(line) = request.line.filter(|l| !l.trim().is_empty()) else {
        return Err(Error::AutologinUnavailable);
    };
    let vouched = deps.pepper.same_key(
        purpose::GATEWAY_KEY,
        deps.gateway_key.as_deref(),
        request.key,
    );
    if !vouched {
        tracing::warn!(
            event = "autologin_header_ignored",
            key_present = request.key.is_some(),
            key_configured = deps.gateway_key.is_some(),
            "a line header came without the gateway's key: ignored"
        );
        return Err(Error::AutologinUnavailable);
    }
    // An MSISDN, international, with or without its `+`.
    let line = line.trim();
    let international = match line.strip_prefix('+') {
        Some(_) => line.to_string(),
        None => format!("+{line}"),
    };
    let Ok(phone) = PhoneNumber::parse(&international) else {
        tracing::warn!(
            event = "autologin_line_unreadable",
            "the gateway's line header is not a phone number"
        );
        return Err(Error::AutologinUnavailable);
    };
    let now = deps.clock.now();
    let login_key = LoginName::Line(phone).key(deps);
    let items = deps
        .store
        .query_index(Index::Gsi1, &keys::login_index(&login_key), 10)
        .await?;
    let account: Account = items
        .iter()
        .find(|i| i.key.sk == keys::account("").sk)
        .ok_or(Error::AutologinUnavailable)?
        .parse()?;
    if !matches!(account.login, Login::Line { .. }) {
        return Err(Error::AutologinUnavailable);
    }
    accounts::may_log_in(deps, &account, now)?;
    let (session, write) = sessions::open(deps, &account, now);
    let mut writes = vec![write];
    writes.extend(crate::audit::record(
        deps,
        crate::audit::Event::personal("autologin", Some(&account), "ok"),
        now,
    ));
    deps.store.write(writes).await?;
    Ok(session)
}
