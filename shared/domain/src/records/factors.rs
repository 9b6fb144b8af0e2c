//! What a person proves at login beyond the first factor (issue 24): an authenticator app's
//! seed, sealed under a key derived from the pepper (the table, its stream and its backups
//! never hold it in clear), passkeys (public keys: nothing secret), and recovery codes, kept
//! as keyed hashes. Kept in the account's item, so that login reads them with it and each
//! use is one conditional write of it.

use crate::base::crypto::passkeys::{self, RelyingParty, StoredKey};
use crate::base::crypto::totp;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::purpose;
use crate::base::random::random_string;
use serde::{Deserialize, Serialize};

/// Recovery codes in a set: each of 10 characters of Crockford's base32 (50 bits), which
/// has no `i`, `l`, `o` or `u` to mistake.
pub const RECOVERY_CODES: usize = 10;
const RECOVERY_CODE_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const RECOVERY_CODE_LENGTH: usize = 10;
// At least 50 bits a code, 5 a letter.
const _: () = assert!(RECOVERY_CODE_LENGTH * 5 >= 50);

/// Passkeys an account may have: enough for a phone, a laptop and two keys in a drawer,
/// and a bound on the account item's size.
pub const MAX_PASSKEYS: usize = 10;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SecondFactors {
    /// The authenticator app, once its first code was right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator: Option<Authenticator>,
    /// An authenticator app being set up: its seed until its first code comes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingAuthenticator>,
    /// Keyed hashes of the recovery codes not used yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<String>,
    /// For a person the profile's policy asks a second factor of, who has none: until when
    /// the password alone still logs in (set at the first login that found it missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<i64>,
    /// Passkeys, each named by its person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<PasskeyOnFile>,
    /// The person's handle for passkeys (`passkeys::new_user_handle`), from their first;
    /// a lookup item leads from it to the account (login by a passkey alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_handle: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasskeyOnFile {
    /// Varco's id for it (the routes'), not the credential's.
    pub id: String,
    pub name: String,
    pub key: StoredKey,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
}

impl PasskeyOnFile {
    pub fn view(&self) -> PasskeyView {
        PasskeyView {
            id: self.id.clone(),
            name: self.name.clone(),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        }
    }
}

/// A passkey as its person sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authenticator {
    /// The seed, sealed (`Sealed::seal`).
    pub seed: String,
    pub enrolled_at: i64,
    /// The last step whose code was accepted: a code is good once.
    pub last_step: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAuthenticator {
    pub seed: String,
    pub expires_at: i64,
    /// Names the setup among the account's setups: its tries are counted apart.
    pub round: String,
}

/// What a person's second factors are, for their account screen.
#[derive(Debug, Clone, Serialize)]
pub struct FactorsView {
    pub authenticator: bool,
    pub recovery_codes_left: usize,
    /// Until when the password alone logs in, for a person who must set one up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<i64>,
    pub passkeys: Vec<PasskeyView>,
}

impl SecondFactors {
    pub fn view(&self) -> FactorsView {
        FactorsView {
            authenticator: self.authenticator.is_some(),
            recovery_codes_left: self.recovery_codes.len(),
            due_at: self.due_at,
            passkeys: self.passkeys.iter().map(PasskeyOnFile::view).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.authenticator.is_none()
            && self.pending.is_none()
            && self.recovery_codes.is_empty()
            && self.due_at.is_none()
            && self.passkeys.is_empty()
            && self.passkey_handle.is_none()
    }

    /// Whether login asks for a second factor.
    pub fn any(&self) -> bool {
        self.authenticator.is_some() || !self.passkeys.is_empty()
    }

    /// The passkeys' keys, for a ceremony.
    pub fn passkey_keys(&self) -> Vec<StoredKey> {
        self.passkeys.iter().map(|p| p.key.clone()).collect()
    }

    /// The authenticator's answer to a ceremony (`state`, begun with `passkey_keys`; a
    /// discoverable one when `discoverable`), checked against these passkeys: the one used
    /// takes its updated key (counter, backup state) and when it was used.
    pub fn passkey_used(
        &mut self,
        rp: &RelyingParty,
        state: &str,
        answer: &serde_json::Value,
        discoverable: bool,
        at: i64,
    ) -> Result<(), Error> {
        let mut keys = self.passkey_keys();
        let used = rp.finish_authentication(state, answer, &mut keys, discoverable)?;
        for (on_file, key) in self.passkeys.iter_mut().zip(keys) {
            if passkeys::credential_id(&key) == used.credential_id {
                on_file.last_used_at = Some(at);
            }
            on_file.key = key;
        }
        Ok(())
    }

    /// Removes every second factor, keeping the handle for passkeys (its lookup item stays).
    pub fn clear(&mut self) {
        *self = SecondFactors {
            passkey_handle: self.passkey_handle.take(),
            ..SecondFactors::default()
        };
    }
}

/// A new seed for `account_id`: the seed, and the same sealed for the account's item.
pub fn new_seed(deps: &Deps, account_id: &str) -> (Vec<u8>, String) {
    let mut seed = vec![0u8; totp::SEED_BYTES];
    deps.random.fill(&mut seed);
    let sealed = seal_seed(deps, account_id, &seed);
    (seed, sealed)
}

fn seal_seed(deps: &Deps, account_id: &str, seed: &[u8]) -> String {
    deps.pepper
        .sealer(purpose::AUTHENTICATOR_SEED)
        .seal(account_id, seed, deps.random.as_ref())
}

/// The seed sealed for `account_id`; `None` if it was sealed for another account or under
/// another pepper.
pub fn open_seed(deps: &Deps, account_id: &str, sealed: &str) -> Option<Vec<u8>> {
    deps.pepper
        .sealer(purpose::AUTHENTICATOR_SEED)
        .open(account_id, sealed)
}

/// A new set of recovery codes: the codes to show once, and their keyed hashes to keep.
pub fn new_recovery_codes(deps: &Deps) -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let code = random_string(
                deps.random.as_ref(),
                RECOVERY_CODE_ALPHABET,
                RECOVERY_CODE_LENGTH,
            );
            format!("{}-{}", &code[..5], &code[5..])
        })
        .collect();
    let kept = codes
        .iter()
        .map(|c| recovery_code_lookup(deps, c))
        .collect();
    (codes, kept)
}

/// The keyed hash of a recovery code as typed: case, spaces and dashes do not matter, and
/// `o`, `i` and `l` are read as the digits they look like (Crockford's decoding).
pub fn recovery_code_lookup(deps: &Deps, typed: &str) -> String {
    let canonical: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        })
        .collect();
    deps.pepper.lookup(purpose::RECOVERY_CODE, &canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recovery_alphabet_has_32_letters_so_a_code_has_50_bits() {
        let mut letters = RECOVERY_CODE_ALPHABET.to_vec();
        letters.sort();
        letters.dedup();
        assert_eq!(letters.len(), 32, "5 bits a letter");
    }
}
