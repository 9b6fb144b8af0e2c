//! A software authenticator: what a phone or a security key does for a passkey, written here
//! apart from the code under test (CBOR by hand, ECDSA P-256 with AWS's libcrypto), so that
//! the tests speak WebAuthn as a browser would. It holds its keys, signs the challenges it
//! is given for the origin it is told, and can be made to misbehave.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Mutex;

/// The origin of the pages in the tests (the profiles' passkeys work on `localhost`).
pub const ORIGIN: &str = "http://localhost:3000";
const RP_ID: &str = "localhost";

/// One passkey, made by `register` and kept by the authenticator.
pub struct Passkey {
    pub credential_id: Vec<u8>,
    pub user_handle: Vec<u8>,
    key: EcdsaKeyPair,
    counter: Mutex<u32>,
}

/// An authenticator with the passkeys it made.
#[derive(Default)]
pub struct Authenticator {
    pub passkeys: Mutex<Vec<std::sync::Arc<Passkey>>>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("base64url")
}

// CBOR (RFC 8949), the few shapes WebAuthn needs.
fn head(major: u8, n: u64, out: &mut Vec<u8>) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend([m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((n as u16).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend((n as u32).to_be_bytes());
        }
    }
}

fn int(i: i64, out: &mut Vec<u8>) {
    if i >= 0 {
        head(0, i as u64, out)
    } else {
        head(1, (-1 - i) as u64, out)
    }
}

fn bytes(b: &[u8], out: &mut Vec<u8>) {
    head(2, b.len() as u64, out);
    out.extend(b);
}

fn text(t: &str, out: &mut Vec<u8>) {
    head(3, t.len() as u64, out);
    out.extend(t.as_bytes());
}

fn rp_id_hash() -> Vec<u8> {
    Sha256::digest(RP_ID.as_bytes()).to_vec()
}

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    serde_json::to_vec(
        &json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false }),
    )
    .unwrap()
}

impl Passkey {
    /// A key nobody registered, claiming to be the passkey of the person with `user_handle`.
    pub fn forged(user_handle: &[u8]) -> Passkey {
        Passkey::new(user_handle.to_vec())
    }

    fn new(user_handle: Vec<u8>) -> Passkey {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).unwrap();
        let mut credential_id = vec![0u8; 32];
        aws_lc_rs::rand::fill(&mut credential_id).unwrap();
        Passkey {
            credential_id,
            user_handle,
            key,
            counter: Mutex::new(0),
        }
    }

    /// The COSE key (RFC 9053: EC2, ES256, P-256).
    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.public_key().as_ref();
        let mut out = Vec::new();
        head(5, 5, &mut out);
        int(1, &mut out);
        int(2, &mut out);
        int(3, &mut out);
        int(-7, &mut out);
        int(-1, &mut out);
        int(1, &mut out);
        int(-2, &mut out);
        bytes(&point[1..33], &mut out);
        int(-3, &mut out);
        bytes(&point[33..65], &mut out);
        out
    }

    fn next_counter(&self) -> u32 {
        let mut counter = self.counter.lock().unwrap();
        *counter += 1;
        *counter
    }

    /// The answer to `navigator.credentials.get` with `options` (`{"publicKey": ...}`),
    /// as `PublicKeyCredential.toJSON()` gives it; `verified`: whether the person unlocked
    /// the passkey (user verification).
    pub fn assert(&self, options: &Value, origin: &str, verified: bool) -> Value {
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .expect("a challenge");
        let data = client_data("webauthn.get", challenge, origin);
        let mut auth_data = rp_id_hash();
        auth_data.push(if verified { UP | UV } else { UP });
        auth_data.extend(self.next_counter().to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&data));
        let signature = self.key.sign(&SystemRandom::new(), &signed).unwrap();
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&data),
                "signature": b64(signature.as_ref()),
                "userHandle": b64(&self.user_handle),
            },
            "clientExtensionResults": {},
        })
    }
}

/// The registration answer for `passkey` to `options`.
fn attest(options: &Value, origin: &str, passkey: &Passkey) -> Value {
    let challenge = options["publicKey"]["challenge"]
        .as_str()
        .expect("a challenge");
    let data = client_data("webauthn.create", challenge, origin);
    let mut auth_data = rp_id_hash();
    auth_data.push(UP | UV | AT);
    auth_data.extend(0u32.to_be_bytes());
    auth_data.extend([0u8; 16]);
    auth_data.extend((passkey.credential_id.len() as u16).to_be_bytes());
    auth_data.extend(&passkey.credential_id);
    auth_data.extend(passkey.cose_key());
    let mut attestation = Vec::new();
    head(5, 3, &mut attestation);
    text("fmt", &mut attestation);
    text("none", &mut attestation);
    text("attStmt", &mut attestation);
    head(5, 0, &mut attestation);
    text("authData", &mut attestation);
    bytes(&auth_data, &mut attestation);
    json!({
        "id": b64(&passkey.credential_id),
        "rawId": b64(&passkey.credential_id),
        "type": "public-key",
        "response": {
            "attestationObject": b64(&attestation),
            "clientDataJSON": b64(&data),
        },
        "clientExtensionResults": {},
    })
}

impl Authenticator {
    /// The answer to `navigator.credentials.create` with `options`: a new passkey for the
    /// user the options name, kept; `none` attestation, as the options ask.
    pub fn register(&self, options: &Value, origin: &str) -> Value {
        let user = unb64(
            options["publicKey"]["user"]["id"]
                .as_str()
                .expect("a user id"),
        );
        let passkey = Passkey::new(user);
        let answer = attest(options, origin, &passkey);
        self.passkeys
            .lock()
            .unwrap()
            .push(std::sync::Arc::new(passkey));
        answer
    }

    /// An answer to `options` that registers `passkey` again (as no authenticator asked to
    /// exclude it would).
    pub fn register_again(&self, options: &Value, origin: &str, passkey: &Passkey) -> Value {
        attest(options, origin, passkey)
    }

    /// The passkey it made last.
    pub fn last(&self) -> std::sync::Arc<Passkey> {
        self.passkeys
            .lock()
            .unwrap()
            .last()
            .expect("a passkey")
            .clone()
    }
}
