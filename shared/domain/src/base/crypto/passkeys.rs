//! Passkeys (WebAuthn Level 3) through webauthn-rs, the one place that names it: the
//! registration and authentication ceremonies, with their state as text for the store
//! (single use, kept in a flow), and the keys as stored in the account. Every passkey asks
//! for user verification (a PIN or the body that unlocks it), so one counts as two factors.

use crate::base::error::Error;
use crate::base::profile::PasskeySettings;
use serde_json::Value;
use webauthn_rs::prelude::{
    CredentialID, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

/// A passkey's public key and counter, as stored (webauthn-rs's `Passkey`).
pub type StoredKey = Passkey;

/// The relying party of a portal: its id and origins (`[passkeys]` of the profile).
pub struct RelyingParty(Webauthn);

/// What a ceremony's first step gives: the options for the browser's
/// `navigator.credentials.create`/`get` (`{"publicKey": ...}`, byte strings in base64url), and
/// the state its second step needs, for the store.
pub struct Started {
    pub options: Value,
    pub state: String,
}

/// A passkey used: which one, and its key updated (its counter, its backup state).
pub struct Used {
    pub credential_id: String,
}

/// A credential's id as the store and the browser write it (base64url).
pub fn credential_id(key: &StoredKey) -> String {
    encode(key.cred_id())
}

fn encode(id: &CredentialID) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode::<&[u8]>(id.as_slice())
}

/// A person's handle for passkeys (WebAuthn's user id): random, not the account id, so that
/// an authenticator holds nothing that names the account.
pub fn new_user_handle(random: &dyn crate::base::random::Random) -> String {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes);
    Uuid::from_bytes(bytes).to_string()
}

/// A deployment's passkey settings: its pages' `origins`, and `rp_id`, or else the first
/// origin's host; checked as `RelyingParty::new` will use them.
pub fn settings_for(
    origins: Vec<String>,
    rp_id: Option<String>,
    name: &str,
) -> Result<PasskeySettings, Error> {
    let host = origins
        .first()
        .and_then(|o| Url::parse(o).ok())
        .and_then(|u| u.host_str().map(str::to_string));
    let rp_id = rp_id.or(host).unwrap_or_default();
    let settings = PasskeySettings { rp_id, origins };
    RelyingParty::new(&settings, name)?;
    Ok(settings)
}

impl RelyingParty {
    pub fn new(settings: &PasskeySettings, name: &str) -> Result<RelyingParty, Error> {
        let bad =
            |what: String| Error::Internal(format!("the profile's [passkeys]: {what}").into());
        let mut origins = settings.origins.iter().map(|o| Url::parse(o));
        let first = origins
            .next()
            .ok_or_else(|| bad("no origin".into()))?
            .map_err(|e| bad(e.to_string()))?;
        let mut builder = WebauthnBuilder::new(&settings.rp_id, &first)
            .map_err(|e| bad(e.to_string()))?
            .rp_name(name)
            .allow_any_port(settings.rp_id == "localhost");
        for origin in origins {
            builder = builder.append_allowed_origin(&origin.map_err(|e| bad(e.to_string()))?);
        }
        Ok(RelyingParty(
            builder.build().map_err(|e| bad(e.to_string()))?,
        ))
    }

    /// A registration for the person with `handle`, known to the authenticator as `name`;
    /// `existing` are their passkeys (an authenticator that holds one of them is not asked
    /// again). The passkey is asked to be discoverable, so that it alone can log in.
    pub fn start_registration(
        &self,
        handle: &str,
        name: &str,
        existing: &[StoredKey],
    ) -> Result<Started, Error> {
        let handle = Uuid::parse_str(handle)
            .map_err(|_| Error::Internal("a passkey handle is not a UUID".into()))?;
        let exclude: Vec<CredentialID> = existing.iter().map(|k| k.cred_id().clone()).collect();
        let (options, state) = self
            .0
            .start_passkey_registration(handle, name, name, Some(exclude))
            .map_err(internal)?;
        let mut started = started(&options, &state)?;
        if let Some(selection) =
            started.options["publicKey"]["authenticatorSelection"].as_object_mut()
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        Ok(started)
    }

    /// The browser's answer to a registration: the new passkey, or `PasskeyNotVerified`.
    pub fn finish_registration(&self, state: &str, answer: &Value) -> Result<StoredKey, Error> {
        let state: PasskeyRegistration = parse_state(state)?;
        let answer: RegisterPublicKeyCredential = parse_answer(answer)?;
        self.0
            .finish_passkey_registration(&answer, &state)
            .map_err(refused)
    }

    /// An authentication with one of `keys` (the login's second step).
    pub fn start_authentication(&self, keys: &[StoredKey]) -> Result<Started, Error> {
        let (options, state) = self
            .0
            .start_passkey_authentication(keys)
            .map_err(internal)?;
        started(&options, &state)
    }

    /// An authentication by whichever passkey the person picks (login by a passkey alone).
    pub fn start_discoverable(&self) -> Result<Started, Error> {
        let (mut options, state) = self
            .0
            .start_discoverable_authentication()
            .map_err(internal)?;
        // Asked for by a button, not offered in the name field's autofill.
        options.mediation = None;
        started(&options, &state)
    }

    /// Whose passkey a discoverable answer says it is: the person's handle.
    pub fn claimed_handle(answer: &Value) -> Result<String, Error> {
        let answer: PublicKeyCredential = parse_answer(answer)?;
        answer
            .get_user_unique_id()
            .and_then(|bytes| Uuid::from_slice(bytes).ok())
            .map(|u| u.to_string())
            .ok_or(Error::PasskeyNotVerified)
    }

    /// The browser's answer to an authentication started with `start_authentication`
    /// (`discoverable`: with `start_discoverable`), checked against `keys`, the person's
    /// passkeys; the key used is updated in place.
    pub fn finish_authentication(
        &self,
        state: &str,
        answer: &Value,
        keys: &mut [StoredKey],
        discoverable: bool,
    ) -> Result<Used, Error> {
        let answer: PublicKeyCredential = parse_answer(answer)?;
        let result = if discoverable {
            let state: DiscoverableAuthentication = parse_state(state)?;
            let key = keys
                .iter()
                .find(|k| k.cred_id().as_slice() == answer.get_credential_id())
                .ok_or(Error::PasskeyNotVerified)?;
            self.0
                .finish_discoverable_authentication_v2(&answer, state, DiscoverableKey::from(key))
        } else {
            let state: PasskeyAuthentication = parse_state(state)?;
            self.0.finish_passkey_authentication(&answer, &state)
        }
        .map_err(refused)?;
        if !result.user_verified() {
            return Err(Error::PasskeyNotVerified);
        }
        let credential_id = keys
            .iter_mut()
            .find_map(|k| k.update_credential(&result).map(|_| credential_id(k)))
            .ok_or(Error::PasskeyNotVerified)?;
        Ok(Used { credential_id })
    }
}

fn started(
    options: &impl serde::Serialize,
    state: &impl serde::Serialize,
) -> Result<Started, Error> {
    Ok(Started {
        options: serde_json::to_value(options).map_err(|e| internal(e.to_string()))?,
        state: serde_json::to_string(state).map_err(|e| internal(e.to_string()))?,
    })
}

fn parse_state<T: serde::de::DeserializeOwned>(state: &str) -> Result<T, Error> {
    serde_json::from_str(state).map_err(|e| internal(format!("a stored ceremony: {e}")))
}

/// The browser's credential (`PublicKeyCredential.toJSON()`), or `malformed_body`.
fn parse_answer<T: serde::de::DeserializeOwned>(answer: &Value) -> Result<T, Error> {
    serde_json::from_value(answer.clone())
        .map_err(|e| Error::MalformedBody(format!("credential: {e}")))
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("a passkey ceremony: {e}").into())
}

/// A ceremony the authenticator's answer does not complete: its signature, its challenge,
/// its origin, its user verification (logged by kind, never the answer).
fn refused(e: webauthn_rs::prelude::WebauthnError) -> Error {
    tracing::info!(event = "passkey_refused", reason = %e, "a passkey answer was refused");
    Error::PasskeyNotVerified
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::profile::Profile;

    #[test]
    fn every_built_in_profile_has_a_relying_party_and_asks_for_discoverable_verified_passkeys() {
        for name in [
            "card-issuer",
            "telco-sme",
            "telco-legal-rep",
            "property-management",
        ] {
            let profile = Profile::builtin(name).unwrap();
            let rp = RelyingParty::new(&profile.passkeys, &profile.display_name).unwrap();
            let started = rp
                .start_registration(
                    "67e55044-10b1-426f-9247-bb680e5fe0c8",
                    "anna@example.com",
                    &[],
                )
                .unwrap();
            let selection = &started.options["publicKey"]["authenticatorSelection"];
            assert_eq!(selection["residentKey"], "required", "{name}: {selection}");
            assert_eq!(
                selection["userVerification"], "required",
                "{name}: {selection}"
            );
        }
    }

    #[test]
    fn origins_that_do_not_belong_to_the_domain_are_refused() {
        let settings = PasskeySettings {
            rp_id: "portal.example.com".into(),
            origins: vec!["https://other.example".into()],
        };
        assert!(RelyingParty::new(&settings, "Portale").is_err());
        let settings = settings_for(vec!["https://portal.example.com".into()], None, "Portale");
        assert_eq!(settings.unwrap().rp_id, "portal.example.com");
    }
}
