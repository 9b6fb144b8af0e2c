//! Google reCAPTCHA behind Varco's captcha port. The client shows Google's widget with the
//! site key and sends its response token; this adapter asks Google's `siteverify` whether
//! the token is good. Google spends each token once, so no replay key is needed here.
//! Unlike the built-in proof of work, this calls a third party on every start.

use crate::client::HttpsClient;
use async_trait::async_trait;
use serde::Deserialize;
use varco_domain::base::captcha::{CaptchaPass, CaptchaVerifier, Challenge};
use varco_domain::base::clock::Timestamp;
use varco_domain::Error;

pub const GOOGLE_VERIFY_URL: &str = "https://www.google.com/recaptcha/api/siteverify";
/// Google's tokens live two minutes.
const TOKEN_SECONDS: i64 = 120;

pub struct Recaptcha {
    client: HttpsClient,
    site_key: String,
    secret: String,
    verify_url: String,
    /// For reCAPTCHA v3: the least score accepted.
    min_score: Option<f64>,
}

#[derive(Deserialize)]
struct Verdict {
    success: bool,
    #[serde(default)]
    score: Option<f64>,
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

impl Recaptcha {
    /// `verify_url` is Google's (`GOOGLE_VERIFY_URL`) except in tests.
    pub fn new(
        site_key: String,
        secret: String,
        verify_url: String,
        min_score: Option<f64>,
    ) -> Result<Recaptcha, std::io::Error> {
        crate::client::https_only("reCAPTCHA", &verify_url)?;
        Ok(Recaptcha {
            client: HttpsClient::new("reCAPTCHA")?,
            site_key,
            secret,
            verify_url,
            min_score,
        })
    }

    async fn ask(&self, token: &str) -> Result<Verdict, String> {
        let form = format!(
            "secret={}&response={}",
            form_value(&self.secret),
            form_value(token)
        );
        let content_type = "application/x-www-form-urlencoded";
        let (status, body) = self
            .client
            .post(
                &self.verify_url,
                &[(http::header::CONTENT_TYPE, content_type)],
                form,
            )
            .await?;
        if !status.is_success() {
            return Err(format!("reCAPTCHA answered {status}"));
        }
        serde_json::from_slice(&body).map_err(|e| format!("reCAPTCHA answered something else: {e}"))
    }
}

#[async_trait]
impl CaptchaVerifier for Recaptcha {
    fn challenge_harder(&self, _now: Timestamp, _extra: u8) -> Challenge {
        Challenge::Recaptcha {
            site_key: self.site_key.clone(),
        }
    }

    async fn verify(&self, solution: &str, now: Timestamp) -> Result<CaptchaPass, Error> {
        if solution.is_empty() || solution.len() > 4096 {
            return Err(Error::CaptchaInvalid);
        }
        let verdict = self
            .ask(solution)
            .await
            .map_err(|e| Error::Unavailable(e.into()))?;
        let score_ok = match (self.min_score, verdict.score) {
            (Some(min), Some(score)) => score >= min,
            (Some(_), None) => false,
            (None, _) => true,
        };
        if verdict.success && score_ok {
            Ok(CaptchaPass {
                replay_key: None,
                expires_at: now.0 + TOKEN_SECONDS,
                difficulty: u8::MAX,
            })
        } else {
            Err(Error::CaptchaInvalid)
        }
    }
}
