//! Captcha as a port. Built in: a self-hosted proof-of-work challenge (no third-party call,
//! works offline): the client finds a nonce such that SHA-256(challenge ":" nonce) starts
//! with `difficulty` zero bits. Difficulty comes from configuration; each challenge expires
//! and can be used once (the caller stores `replay_key` in the same write as its effect).

use crate::base::clock::{Timestamp, HOUR};
use crate::base::error::Error;
use crate::base::keys;
use crate::base::random::{new_id, Random};
use crate::base::store::{Item, Key, Store, StoreError, Write};
use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// What a client needs to pass the captcha.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Challenge {
    /// Find a nonce such that SHA-256(`challenge` ":" nonce) starts with `difficulty` zero
    /// bits; answer `challenge:nonce`.
    ProofOfWork {
        challenge: String,
        difficulty: u8,
        expires_at: i64,
    },
    /// Show Google's reCAPTCHA widget with this site key; answer with its response token.
    Recaptcha { site_key: String },
}

/// A captcha solution that verified: to be consumed exactly once.
#[derive(Debug, Clone)]
pub struct CaptchaPass {
    /// Stored with `Condition::Absent` in the same atomic write as the step's effect, so a
    /// solution cannot be replayed; `None` when the verifier itself prevents replay.
    pub replay_key: Option<Key>,
    pub expires_at: i64,
    /// How much work the solution proved: the challenge's difficulty in leading zero bits
    /// (`u8::MAX` for a verifier that is not proof of work: it meets any step-up).
    pub difficulty: u8,
}

impl CaptchaPass {
    /// The writes a step starts with: the one that spends the solution (none when the
    /// verifier prevents replay itself). Commit them with `commit`.
    pub fn spend(self, now: Timestamp) -> Vec<Write> {
        self.replay_key
            .map(|key| {
                Write::create(
                    Item::new(key, &serde_json::json!({ "used_at": now.0 }))
                        .expiring_at(self.expires_at + HOUR),
                )
            })
            .into_iter()
            .collect()
    }
}

/// Commits a step's writes that start with `CaptchaPass::spend`'s: a solution spent
/// meanwhile by another request is `captcha_invalid`.
pub async fn commit(store: &dyn Store, writes: Vec<Write>) -> Result<(), Error> {
    let spends = writes
        .first()
        .is_some_and(|w| w.key().pk.starts_with(&keys::captcha_used("").pk));
    store.write(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { index: Some(0) } if spends => Error::CaptchaInvalid,
        other => other.into(),
    })
}

#[async_trait]
pub trait CaptchaVerifier: Send + Sync {
    /// What the client needs to pass: a new challenge, or the widget to show.
    fn challenge(&self, now: Timestamp) -> Challenge {
        self.challenge_harder(now, 0)
    }

    /// A challenge `extra` bits harder than the configured difficulty, for a step that
    /// raises the cost of each attempt as attempts grow (login under attack); a verifier
    /// that is not proof of work answers its usual challenge.
    fn challenge_harder(&self, now: Timestamp, extra: u8) -> Challenge;

    /// The difficulty a solution must prove to pass a challenge `extra` bits harder (0 for
    /// a verifier that is not proof of work).
    fn difficulty(&self, extra: u8) -> u8 {
        let _ = extra;
        0
    }

    /// Checks a client's solution; `Error::CaptchaInvalid` when it is wrong or expired.
    async fn verify(&self, solution: &str, now: Timestamp) -> Result<CaptchaPass, Error>;
}

/// The verifier of a function not given the captcha key (each function reads only the keys
/// its steps use): a captcha there is a bug in the declaration of the function's keys, and
/// stops the request, naming it.
pub struct NotGiven;

const NOT_GIVEN: &str =
    "a captcha in a function not given the captcha key: add it to the step's keys";

#[async_trait]
impl CaptchaVerifier for NotGiven {
    fn challenge_harder(&self, _: Timestamp, _: u8) -> Challenge {
        panic!("{NOT_GIVEN}")
    }

    async fn verify(&self, _: &str, _: Timestamp) -> Result<CaptchaPass, Error> {
        panic!("{NOT_GIVEN}")
    }
}

pub struct ProofOfWork {
    key: Vec<u8>,
    difficulty: u8,
    ttl_seconds: i64,
    random: Arc<dyn Random>,
}

impl ProofOfWork {
    /// `difficulty` in leading zero bits (0 accepts any nonce; 20 costs a browser about a
    /// second); challenges live `ttl_seconds`.
    pub fn new(
        key: Vec<u8>,
        difficulty: u8,
        ttl_seconds: i64,
        random: Arc<dyn Random>,
    ) -> ProofOfWork {
        ProofOfWork {
            key,
            difficulty: difficulty.min(32),
            ttl_seconds,
            random,
        }
    }

    fn mac(&self, data: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any size");
        mac.update(data.as_bytes());
        mac
    }
}

/// Leading zero bits of SHA-256(`challenge` ":" `nonce`).
pub fn work(challenge: &str, nonce: &str) -> u32 {
    let digest = Sha256::new()
        .chain_update(challenge)
        .chain_update(":")
        .chain_update(nonce)
        .finalize();
    let mut bits = 0;
    for byte in digest {
        if byte == 0 {
            bits += 8;
        } else {
            bits += byte.leading_zeros();
            break;
        }
    }
    bits
}

impl Challenge {
    /// The answer a client computes for a proof-of-work challenge (tests solve for real).
    pub fn solved(&self) -> Option<String> {
        match self {
            Challenge::ProofOfWork {
                challenge,
                difficulty,
                ..
            } => Some(format!("{challenge}:{}", solve(challenge, *difficulty))),
            Challenge::Recaptcha { .. } => None,
        }
    }
}

/// Finds a nonce for `challenge` (what a client does; tests solve for real).
pub fn solve(challenge: &str, difficulty: u8) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| work(challenge, n) >= u32::from(difficulty))
        .expect("some nonce solves it")
}

#[async_trait]
impl CaptchaVerifier for ProofOfWork {
    fn challenge_harder(&self, now: Timestamp, extra: u8) -> Challenge {
        let difficulty = self.difficulty(extra);
        let expires_at = now.0 + self.ttl_seconds;
        let body = format!(
            "{}.{}.{}",
            new_id(self.random.as_ref()),
            expires_at,
            difficulty
        );
        let tag = URL_SAFE_NO_PAD.encode(self.mac(&body).finalize().into_bytes());
        Challenge::ProofOfWork {
            challenge: format!("{body}.{tag}"),
            difficulty,
            expires_at,
        }
    }

    fn difficulty(&self, extra: u8) -> u8 {
        self.difficulty.saturating_add(extra).min(32)
    }

    async fn verify(&self, solution: &str, now: Timestamp) -> Result<CaptchaPass, Error> {
        let (challenge, nonce) = solution.rsplit_once(':').ok_or(Error::CaptchaInvalid)?;
        let (body, tag) = challenge.rsplit_once('.').ok_or(Error::CaptchaInvalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| Error::CaptchaInvalid)?;
        self.mac(body)
            .verify_slice(&tag)
            .map_err(|_| Error::CaptchaInvalid)?;
        let mut parts = body.split('.');
        let (Some(id), Some(expires_at), Some(difficulty), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::CaptchaInvalid);
        };
        let expires_at: i64 = expires_at.parse().map_err(|_| Error::CaptchaInvalid)?;
        let difficulty: u32 = difficulty.parse().map_err(|_| Error::CaptchaInvalid)?;
        if now.0 >= expires_at || nonce.len() > 64 || work(challenge, nonce) < difficulty {
            return Err(Error::CaptchaInvalid);
        }
        Ok(CaptchaPass {
            replay_key: Some(keys::captcha_used(id)),
            expires_at,
            difficulty: difficulty as u8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::random::OsRandom;

    fn pow(difficulty: u8) -> ProofOfWork {
        ProofOfWork::new(b"captcha-key".to_vec(), difficulty, 300, Arc::new(OsRandom))
    }

    fn challenge_of(p: &ProofOfWork, at: i64) -> String {
        match p.challenge(Timestamp(at)) {
            Challenge::ProofOfWork { challenge, .. } => challenge,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_solved_challenge_passes_with_a_replay_key() {
        let p = pow(8);
        let solved = p.challenge(Timestamp(1000)).solved().unwrap();
        let pass = p.verify(&solved, Timestamp(1001)).await.unwrap();
        assert!(pass.replay_key.is_some());
        assert_eq!(pass.difficulty, 8);
    }

    #[tokio::test]
    async fn a_harder_challenge_proves_its_extra_bits() {
        let p = pow(4);
        let harder = p.challenge_harder(Timestamp(1000), 6);
        assert!(matches!(
            harder,
            Challenge::ProofOfWork { difficulty: 10, .. }
        ));
        let solved = harder.solved().unwrap();
        assert_eq!(
            p.verify(&solved, Timestamp(1001)).await.unwrap().difficulty,
            10
        );
        // The difficulty is under the challenge's tag: it cannot be lowered by the client.
        let (challenge, _) = solved.rsplit_once(':').unwrap();
        let lowered = challenge.replacen(".10.", ".4.", 1);
        assert!(p
            .verify(
                &format!("{lowered}:{}", solve(&lowered, 4)),
                Timestamp(1001)
            )
            .await
            .is_err());
    }

    #[tokio::test]
    async fn unsolved_expired_or_forged_challenges_fail() {
        let p = pow(12);
        let c = challenge_of(&p, 1000);
        let nonce = solve(&c, 12);
        let bad_nonce = (0..)
            .map(|n: u32| n.to_string())
            .find(|n| work(&c, n) < 12)
            .unwrap();
        assert!(p
            .verify(&format!("{c}:{bad_nonce}"), Timestamp(1001))
            .await
            .is_err());
        assert!(p
            .verify(&format!("{c}:{nonce}"), Timestamp(1300))
            .await
            .is_err());
        let forged = challenge_of(
            &ProofOfWork::new(b"other".to_vec(), 0, 300, Arc::new(OsRandom)),
            1000,
        );
        assert!(p
            .verify(&format!("{forged}:0"), Timestamp(1001))
            .await
            .is_err());
        assert!(p.verify("nonsense", Timestamp(1001)).await.is_err());
    }
}
