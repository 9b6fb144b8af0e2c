//! W9: autologin. The operator's network gateway adds the line number of a mobile data
//! session to the request (the header `[autologin] line_header` names) and proves, for that
//! line, that request and that moment, that it is the gateway: an HMAC-SHA256 with the
//! deployment's gateway key over the request's method and path, the line and the time
//! (`proof_header`, `time_header`). A proof is good for `PROOF_SECONDS` either side of now
//! and once only, whatever its spelling (its use, keyed on the decoded bytes, is written
//! with the session), so one seen elsewhere cannot be replayed or sent to another route,
//! and the key itself never travels.
//! An employee whose line has an account is then logged in without a password, for one
//! access token's life: no refresh token (the gateway vouches again on the next visit).
//! A line header that comes without a good proof (a client adding it itself) is ignored,
//! and logged. The line is an MSISDN: international, with or without its `+`.
//!
//! One query (the line's login name) and one write (the session and the proof's use).

use crate::base::clock::Timestamp;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::profile::Profile;
use crate::base::store::{Index, Item, Write};
use crate::base::tokens::{Amr, Authentication};
use crate::base::types::PhoneNumber;
use crate::records::accounts::{Account, Login, LoginName};
use crate::sign_in::sessions::{self, Session};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a proof's time may be from now, either way, in seconds.
pub const PROOF_SECONDS: i64 = 60;

/// What the request carried: its method and path, the line header's, the time header's and
/// the proof header's values.
pub struct AutologinRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub line: Option<&'a str>,
    pub time: Option<&'a str>,
    pub proof: Option<&'a str>,
}

/// What a proof covers: the request (`method` `path`, as `POST /sessions/autologin`), the
/// line (the header's value as sent) and the time (Unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct Vouched<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub line: &'a str,
    pub time: i64,
}

/// The proof the gateway sends: lowercase hex of HMAC-SHA256, keyed with the gateway key's
/// bytes (the secret's `gateway_key`, base64-decoded), over `<method> <path>`, a newline,
/// the line, a newline and the time.
pub fn proof(key: &[u8], what: Vouched) -> String {
    hex::encode(mac(key, what).finalize().into_bytes())
}

fn mac(key: &[u8], what: Vouched) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any size");
    let Vouched {
        method,
        path,
        line,
        time,
    } = what;
    mac.update(format!("{method} {path}\n{line}\n{time}").as_bytes());
    mac
}

/// The proof's bytes, if `request` carries one made with the deployment's gateway key for
/// itself and its line, at a time within `PROOF_SECONDS` of `now` (checked in constant
/// time).
fn vouched(deps: &Deps, request: &AutologinRequest, line: &str, now: Timestamp) -> Option<Vec<u8>> {
    let key = deps
        .gateway_key
        .as_deref()
        .and_then(|k| base64::engine::general_purpose::STANDARD.decode(k).ok());
    let (key, time, proof) = (key?, request.time?, request.proof?);
    let time = time.trim().parse::<i64>().ok()?;
    let presented = hex::decode(proof.trim()).ok()?;
    let what = Vouched {
        method: request.method,
        path: request.path,
        line,
        time,
    };
    ((now.0 - time).abs() <= PROOF_SECONDS && mac(&key, what).verify_slice(&presented).is_ok())
        .then_some(presented)
}

/// A session for the line the gateway vouches for, or `AutologinUnavailable`: no line, no
/// proof or a wrong, stale or used one, a line no account logs in with. The client then
/// shows the login form.
pub async fn autologin(deps: &Deps, request: AutologinRequest<'_>) -> Result<Session, Error> {
    Profile::section(&deps.profile.autologin)?;
    let Some(line) = request.line.filter(|l| !l.trim().is_empty()) else {
        return Err(Error::AutologinUnavailable);
    };
    let now = deps.clock.now();
    let Some(proof) = vouched(deps, &request, line, now) else {
        tracing::warn!(
            event = "autologin_header_ignored",
            proof_present = request.proof.is_some(),
            key_configured = deps.gateway_key.is_some(),
            "a line header came without a good proof from the gateway: ignored"
        );
        return Err(Error::AutologinUnavailable);
    };
    // Once, whatever the proof's spelling (hex in either case): keyed on its bytes.
    let proof_used = Write::create(
        Item::new(
            keys::autologin_proof(
                &deps
                    .pepper
                    .lookup(purpose::GATEWAY_KEY, &hex::encode(proof)),
            ),
            &serde_json::json!({}),
        )
        .expiring_at(now.0 + 2 * PROOF_SECONDS),
    );
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
    crate::sign_in::login::may_log_in(deps, &account, now)?;
    let (session, write) =
        sessions::open_for_one_token(deps, &account, Authentication::by(&[Amr::Sc], now), now)?;
    let mut writes = vec![write, proof_used];
    writes.extend(sessions::ending_oldest(deps, &account).await?);
    writes.extend(crate::limits::audit::record(
        deps,
        crate::limits::audit::Event::personal("autologin", Some(&account), "ok"),
        now,
    ));
    match deps.store.write(writes).await {
        Ok(()) => Ok(session),
        // The proof was used already: a replay.
        Err(crate::base::store::StoreError::ConditionFailed { .. }) => {
            tracing::warn!(event = "autologin_proof_replayed");
            Err(Error::AutologinUnavailable)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    /// The proof as any HMAC-SHA256 makes it (this one by Python's `hmac` module:
    /// `hmac.new(bytes([4] * 32), b"POST /sessions/autologin\n393475550211\n1795000000",
    /// "sha256").hexdigest()`), so that a gateway can make it with what it has.
    #[test]
    fn the_proof_is_a_plain_hmac_sha256_of_request_line_and_time() {
        let what = super::Vouched {
            method: "POST",
            path: "/sessions/autologin",
            line: "393475550211",
            time: 1_795_000_000,
        };
        assert_eq!(
            super::proof(&[4u8; 32], what),
            "08927f2e6ac7f1b961ac85214645c8962bd814ef6fe5672dc848c2a3b039df1f"
        );
    }
}
