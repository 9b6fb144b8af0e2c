//! Secrets at rest: argon2id for what people type (passwords, Key6, answers, codes), and a
//! keyed hash (HMAC-SHA256 with a secret pepper) for values used to look things up (card
//! numbers, fiscal codes, phone numbers).

use crate::base::blocking::{self, Offload};
use crate::base::random::Random;
use argon2::password_hash::{Output, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// The old portals' password hashes, verified during migration.
pub mod legacy;
pub mod passkeys;
pub mod totp;

/// argon2id with the OWASP minimum: m = 19456 KiB, t = 2, p = 1.
///
/// Each hash works in 19 MiB of memory. That memory is kept and reused (a few blocks' worth
/// at most, `IDLE_MEMORIES`): a fresh 19 MiB costs page faults on every hash (about a fifth
/// of its time), and glibc keeps freed blocks of that size in per-thread pools, so the
/// process grew by 19 MiB per thread that ever hashed. The hash runs through the `Offload`
/// the hasher was made with, so that a runtime can keep other requests going meanwhile.
pub struct SecretHasher {
    argon: Argon2<'static>,
    params: Params,
    dummy: OnceLock<String>,
    verifications: AtomicU64,
    memories: Mutex<Vec<Vec<Block>>>,
    permits: Permits,
    offload: Offload,
}

/// A counting semaphore for threads that may block (hashes run off the async workers).
struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn new(count: usize) -> Permits {
        Permits {
            free: Mutex::new(count.max(1)),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().expect("poisoned");
        while *free == 0 {
            free = self.freed.wait(free).expect("poisoned");
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().expect("poisoned") += 1;
        self.0.freed.notify_one();
    }
}

/// Working memories kept between hashes: as many hashes as run at once on a busy instance.
const IDLE_MEMORIES: usize = 4;

/// Hashes that run at once: one a core (a Lambda function's vCPUs, the machine's cores).
fn hashing_permits() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

impl Default for SecretHasher {
    fn default() -> Self {
        SecretHasher::new()
    }
}

impl SecretHasher {
    /// A hasher that runs each hash as it is, on the caller's thread.
    pub fn new() -> SecretHasher {
        SecretHasher::offloaded(blocking::in_place)
    }

    /// A hasher that runs each hash through `offload`.
    pub fn offloaded(offload: Offload) -> SecretHasher {
        let params = Params::new(19_456, 2, 1, None).expect("argon2 parameters are constants");
        SecretHasher {
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()),
            params,
            dummy: OnceLock::new(),
            verifications: AtomicU64::new(0),
            memories: Mutex::new(Vec::new()),
            permits: Permits::new(hashing_permits()),
            offload,
        }
    }

    /// argon2 of `secret` and `salt` into `out`, in a kept working memory, once one of the
    /// hasher's permits is free: at most as many hashes run at once as there are cores, so
    /// that a burst of logins waits its turn rather than taking 19 MiB each.
    fn compute(
        &self,
        argon: &Argon2<'_>,
        blocks: usize,
        secret: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> Result<(), argon2::Error> {
        let mut result = Ok(());
        (self.offload)(&mut || {
            let _permit = self.permits.acquire();
            let kept = self.memories.lock().expect("poisoned").pop();
            let mut memory = kept.unwrap_or_default();
            if memory.len() < blocks {
                memory.resize(blocks, Block::default());
            }
            result = argon.hash_password_into_with_memory(secret, salt, out, &mut memory[..blocks]);
            // Kept only at this hasher's own size: a stored hash that names more memory (an
            // older, stronger policy) gets its own, given back after.
            let mut memories = self.memories.lock().expect("poisoned");
            if memories.len() < IDLE_MEMORIES && memory.len() == self.params.block_count() {
                memories.push(memory);
            }
        });
        result
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `secret` with a random salt.
    pub fn hash(&self, secret: &str, random: &dyn Random) -> String {
        let mut salt = [0u8; 16];
        random.fill(&mut salt);
        self.hash_with_salt(secret.as_bytes(), &salt)
    }

    fn hash_with_salt(&self, secret: &[u8], salt: &[u8]) -> String {
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        self.compute(
            &self.argon,
            self.params.block_count(),
            secret,
            salt,
            &mut out,
        )
        .expect("argon2 with valid parameters and salt cannot fail");
        let salt = SaltString::encode_b64(salt).expect("16 bytes always encode as a salt");
        PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: (&self.params)
                .try_into()
                .expect("constant parameters encode"),
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).expect("32 bytes is an output length")),
        }
        .to_string()
    }

    /// What `secret` gives under the salt and parameters `phc` names (hashes made under other
    /// parameters, or by another argon2 implementation, still verify); `None` when `phc`
    /// names no argon2 hash this crate computes.
    fn output(&self, secret: &[u8], phc: &PasswordHash<'_>) -> Option<Output> {
        let (salt, expected) = (phc.salt?, phc.hash?);
        let algorithm = Algorithm::try_from(phc.algorithm).ok()?;
        let params = Params::try_from(phc).ok()?;
        let version = match phc.version.map(Version::try_from) {
            None => Version::default(),
            Some(version) => version.ok()?,
        };
        let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
        let salt = salt.decode_b64(&mut salt_bytes).ok()?;
        let blocks = params.block_count();
        let argon = Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.len()];
        self.compute(&argon, blocks, secret, salt, &mut out).ok()?;
        Output::new(&out).ok()
    }

    /// Whether `secret` gives the hash `phc` holds.
    fn matches(&self, secret: &[u8], phc: &PasswordHash<'_>) -> bool {
        // `Output`'s equality is constant-time.
        self.output(secret, phc)
            .is_some_and(|computed| Some(computed) == phc.hash)
    }

    /// A PHC string of `secret` under the salt and parameters of `like` (a stored hash of
    /// this hasher's own parameters), so that one computation of a typed secret answers for
    /// both (`verify_either`); with a random salt when `like` is none or of other parameters.
    pub fn hash_like(&self, secret: &str, like: Option<&str>, random: &dyn Random) -> String {
        let mut salt = [0u8; Salt::MAX_LENGTH];
        let own = like
            .and_then(|phc| PasswordHash::new(phc).ok())
            .filter(|phc| self.is_own(phc))
            .and_then(|phc| phc.salt?.decode_b64(&mut salt).ok().map(<[u8]>::len));
        match own {
            Some(len) => self.hash_with_salt(secret.as_bytes(), &salt[..len]),
            None => self.hash(secret, random),
        }
    }

    /// Whether `phc` is of this hasher's algorithm, version and parameters.
    fn is_own(&self, phc: &PasswordHash<'_>) -> bool {
        phc.algorithm == argon2::ARGON2ID_IDENT
            && phc.version == Some(Version::V0x13.into())
            && Params::try_from(phc).is_ok_and(|p| {
                (p.m_cost(), p.t_cost(), p.p_cost())
                    == (
                        self.params.m_cost(),
                        self.params.t_cost(),
                        self.params.p_cost(),
                    )
            })
    }

    /// Whether `secret` matches `first`, and whether it matches `second` (a login's password
    /// and a pending temporary password), in constant time and with one argon2 computation
    /// when the two share a salt (`hash_like`): what is compared tells nothing by its time.
    /// Neither stored costs the dummy's one computation. A `second` of another salt (made
    /// before the two were hashed alike) costs a computation of its own.
    pub fn verify_either(
        &self,
        secret: &str,
        first: Option<&str>,
        second: Option<&str>,
    ) -> (bool, bool) {
        let first = first.and_then(|phc| PasswordHash::new(phc).ok());
        let second = second.and_then(|phc| PasswordHash::new(phc).ok());
        let Some(lead) = first.as_ref().or(second.as_ref()) else {
            return (self.verify(secret, None), false);
        };
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let computed = self.output(secret.as_bytes(), lead);
        let same_input = |a: &PasswordHash<'_>, b: &PasswordHash<'_>| {
            a.salt == b.salt
                && a.algorithm == b.algorithm
                && a.version == b.version
                && a.params == b.params
        };
        let fits = |phc: &Option<PasswordHash<'_>>| match phc {
            Some(phc) if same_input(phc, lead) => computed.is_some_and(|out| Some(out) == phc.hash),
            Some(phc) => {
                self.verifications.fetch_add(1, Ordering::Relaxed);
                self.matches(secret.as_bytes(), phc)
            }
            None => false,
        };
        (fits(&first), fits(&second))
    }

    /// Whether `secret` matches `stored`, in constant time. With no stored hash (an unknown
    /// person, a method not enabled) the same work is done against a dummy hash and the
    /// answer is `false`, so timing does not tell the two apart.
    pub fn verify(&self, secret: &str, stored: Option<&str>) -> bool {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let dummy = self
            .dummy
            .get_or_init(|| self.hash_with_salt(b"no such secret", b"varco-dummy-salt"));
        let dummy = || PasswordHash::new(dummy).expect("dummy parses");
        match stored {
            None => {
                self.matches(secret.as_bytes(), &dummy());
                false
            }
            Some(phc) => match PasswordHash::new(phc) {
                Ok(parsed) => self.matches(secret.as_bytes(), &parsed),
                Err(_) => {
                    // A corrupt stored hash: still spend the time, never match.
                    self.matches(secret.as_bytes(), &dummy());
                    false
                }
            },
        }
    }

    /// How many verifications this hasher has done: lets tests check that an unknown person
    /// costs the same argon2 work as a known one.
    pub fn verification_count(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

/// The secret key of the keyed hash used for look-ups; absent in a function that is not
/// given it (each function reads only the keys its steps use).
#[derive(Clone)]
pub struct Pepper(Option<Vec<u8>>);

impl Pepper {
    pub fn new(key: Vec<u8>) -> Pepper {
        Pepper(Some(key))
    }

    /// No key: a function that does not look anything up. A look-up is then a bug in the
    /// declaration of the function's keys, and stops the request there, naming it.
    pub fn absent() -> Pepper {
        Pepper(None)
    }

    /// Whether a presented key is the configured one (a deployment's gateway or operator
    /// key): compared by keyed hash, so that the time taken does not tell where they differ.
    pub fn same_key(
        &self,
        purpose: &str,
        configured: Option<&str>,
        presented: Option<&str>,
    ) -> bool {
        match (configured, presented) {
            (Some(configured), Some(presented)) => {
                self.lookup(purpose, presented) == self.lookup(purpose, configured)
            }
            _ => false,
        }
    }

    /// A sealer under a key derived from the pepper for `purpose`: for what an item must
    /// hold and read back (an authenticator app's seed) under a key the store never sees.
    pub fn sealer(&self, purpose: &str) -> Sealer {
        Sealer::new(self.lookup("sealing-key", purpose).as_bytes())
    }

    /// Hex HMAC-SHA256 of `value` under a `purpose` tag, so that equal values of different
    /// kinds (a card number and a phone number) never share a hash.
    pub fn lookup(&self, purpose: &str, value: &str) -> String {
        let key = self
            .0
            .as_deref()
            .expect("a look-up in a function not given the pepper: add it to the step's keys");
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any size");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Authenticated encryption (AES-256-GCM) under a key of its own, for what a table item must
/// hold but nobody reading the table, its stream or its backups may read: a queued message's
/// recipient and text (codes, temporary passwords, invitation codes). Absent in a function
/// that is not given the key.
#[derive(Clone)]
pub struct Sealer(Option<Arc<aws_lc_rs::aead::LessSafeKey>>);

const NONCE_BYTES: usize = aws_lc_rs::aead::NONCE_LEN;

impl Sealer {
    /// The sealer of `key` (at least 32 random bytes; its SHA-256 is the AES key).
    pub fn new(key: &[u8]) -> Sealer {
        use sha2::Digest;
        let key =
            aws_lc_rs::aead::UnboundKey::new(&aws_lc_rs::aead::AES_256_GCM, &Sha256::digest(key))
                .expect("a 32-byte AES key");
        Sealer(Some(Arc::new(aws_lc_rs::aead::LessSafeKey::new(key))))
    }

    /// No key: a function that queues and delivers no message. Sealing or opening is then a
    /// bug in the declaration of the function's keys, and stops the request there, naming it.
    pub fn absent() -> Sealer {
        Sealer(None)
    }

    fn key(&self) -> &aws_lc_rs::aead::LessSafeKey {
        self.0
            .as_deref()
            .expect("a message sealed or opened in a function not given the message key: add it to the step's keys")
    }

    /// `plain` sealed for `context` (what it belongs to: a message's id), under a fresh
    /// random nonce: base64url of the nonce and the ciphertext with its tag.
    pub fn seal(&self, context: &str, plain: &[u8], random: &dyn Random) -> String {
        use aws_lc_rs::aead::{Aad, Nonce};
        let mut nonce = [0u8; NONCE_BYTES];
        random.fill(&mut nonce);
        let mut sealed = plain.to_vec();
        self.key()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut sealed,
            )
            .expect("AES-GCM seals any length a message has");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
    }

    /// What `seal` sealed for `context`; `None` when it was sealed for another context, under
    /// another key, or changed.
    pub fn open(&self, context: &str, sealed: &str) -> Option<Vec<u8>> {
        use aws_lc_rs::aead::{Aad, Nonce};
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sealed)
            .ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let mut sealed = sealed.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let plain = self
            .key()
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut sealed)
            .ok()?;
        Some(plain.to_vec())
    }
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(***)")
    }
}

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::random::OsRandom;

    #[test]
    fn a_sealed_text_opens_only_with_its_key_and_context() {
        let sealer = Sealer::new(&[7; 32]);
        let sealed = sealer.seal("m1", b"+393401234544 482913", &OsRandom);
        assert!(!sealed.contains("482913"));
        assert_eq!(sealer.open("m1", &sealed).unwrap(), b"+393401234544 482913");
        assert_ne!(
            sealed,
            sealer.seal("m1", b"+393401234544 482913", &OsRandom)
        );
        assert!(sealer.open("m2", &sealed).is_none(), "another context");
        assert!(
            Sealer::new(&[8; 32]).open("m1", &sealed).is_none(),
            "another key"
        );
        let mut changed = sealed.into_bytes();
        let last = changed.len() - 1;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        assert!(sealer
            .open("m1", &String::from_utf8(changed).unwrap())
            .is_none());
        assert!(sealer.open("m1", "").is_none());
    }

    #[test]
    fn a_hash_verifies_its_secret_only() {
        let h = SecretHasher::new();
        let phc = h.hash("482913", &OsRandom);
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.verify("482913", Some(&phc)));
        assert!(!h.verify("482914", Some(&phc)));
    }

    #[test]
    fn hashes_of_the_argon2_crates_own_encoder_verify_and_the_other_way_round() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let h = SecretHasher::new();
        // A hash first, so that what follows runs in a used working memory.
        assert!(!h.verify("something else", Some(&h.hash("482913", &OsRandom))));
        assert_eq!(h.memories.lock().unwrap().len(), 1);
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = h.argon.hash_password(b"482913", &salt).unwrap().to_string();
        assert_eq!(theirs, h.hash_with_salt(b"482913", b"0123456789abcdef"));
        assert!(h.verify("482913", Some(&theirs)));
        let ours = h.hash("482913", &OsRandom);
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(h.argon.verify_password(b"482913", &parsed).is_ok());
        // Other parameters (an older or stronger policy) verify with their own.
        let stronger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 3, 1, None).unwrap(),
        )
        .hash_password(b"482913", &salt)
        .unwrap()
        .to_string();
        assert!(h.verify("482913", Some(&stronger)));
        assert!(!h.verify("482914", Some(&stronger)));
    }

    #[test]
    fn a_secret_hashed_like_another_is_checked_with_it_in_one_computation() {
        let h = SecretHasher::new();
        let password = h.hash("una frase lunga", &OsRandom);
        let temporary = h.hash_like("k3chWpnUJJjL", Some(&password), &OsRandom);
        assert_eq!(
            password.rsplit_once('$').unwrap().0,
            temporary.rsplit_once('$').unwrap().0
        );
        let before = h.verification_count();
        assert_eq!(
            h.verify_either("una frase lunga", Some(&password), Some(&temporary)),
            (true, false)
        );
        assert_eq!(
            h.verify_either("k3chWpnUJJjL", Some(&password), Some(&temporary)),
            (false, true)
        );
        assert_eq!(
            h.verify_either("wrong", Some(&password), Some(&temporary)),
            (false, false)
        );
        assert_eq!(
            h.verify_either("k3chWpnUJJjL", None, Some(&temporary)),
            (false, true)
        );
        assert_eq!(h.verify_either("wrong", None, None), (false, false));
        assert_eq!(h.verification_count() - before, 5, "one computation each");
        // A temporary password of its own salt (hashed before) still verifies, at a cost.
        let apart = h.hash("k3chWpnUJJjL", &OsRandom);
        assert_eq!(
            h.verify_either("k3chWpnUJJjL", Some(&password), Some(&apart)),
            (false, true)
        );
        assert_eq!(h.verification_count() - before, 7);
    }

    #[test]
    fn no_stored_hash_never_matches_but_still_counts_as_work() {
        let h = SecretHasher::new();
        assert!(!h.verify("no such secret", None));
        assert!(!h.verify("anything", Some("not a phc string")));
        assert_eq!(h.verification_count(), 2);
    }

    #[test]
    fn lookups_depend_on_pepper_and_purpose() {
        let a = Pepper::new(b"one".to_vec());
        let b = Pepper::new(b"two".to_vec());
        assert_eq!(a.lookup("card", "4111"), a.lookup("card", "4111"));
        assert_ne!(a.lookup("card", "4111"), b.lookup("card", "4111"));
        assert_ne!(a.lookup("card", "4111"), a.lookup("phone", "4111"));
    }
}
