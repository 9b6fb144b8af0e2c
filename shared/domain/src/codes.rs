//! One-time codes, sent by SMS or email to prove a phone or an address: six digits, valid
//! `codes.valid_minutes` (10), single use, `codes.max_tries` (5) tries, stored only as an
//! argon2id hash inside the flow that sent them. Tries are counted (`attempts`) before the
//! code is checked: per code, and per subject across flows.

use crate::accounts::PhoneOnFile;
use crate::attempts::{self, Limit, Subject};
use crate::clock::{Timestamp, MINUTE};
use crate::deps::Deps;
use crate::error::Error;
use crate::keys::{self, purpose};
use crate::messages::{Lang, Template};
use crate::outbox::{self, Channel};
use crate::random::{new_id, random_string};
use crate::sms;
use crate::store::{Item, Write};
use crate::types::{OneTimeCode, PhoneNumber};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingCode {
    hash: String,
    pub expires_at: i64,
    /// Names the code among the flow's codes: its tries are counted apart.
    #[serde(default)]
    round: String,
}

/// A new code and what the flow keeps of it; the code itself goes only into the message.
pub fn issue(deps: &Deps, now: Timestamp) -> (String, PendingCode) {
    let code = random_string(deps.random.as_ref(), b"0123456789", 6);
    let pending = PendingCode {
        hash: deps.hasher.hash(&code, deps.random.as_ref()),
        expires_at: now.0 + deps.profile.codes.valid_minutes * MINUTE,
        round: new_id(deps.random.as_ref()),
    };
    (code, pending)
}

impl PendingCode {
    /// Checks a typed code for the flow `flow_id`, after counting the try under the code's
    /// own limit and the `subject`'s daily budget: `TooManyAttempts` when the code's tries
    /// are spent (a wrong last try included: the flow should then end), `CodeNotCorrect`
    /// for another wrong one, `CodeExpired` (not counted) once it expired.
    /// Single use: the caller moves the flow on with a conditional write, with the writes
    /// a right code answers (they take its attempt back from the subject's budget).
    pub async fn check(
        &self,
        deps: &Deps,
        flow_id: &str,
        subject: Option<Subject<'_>>,
        typed: &OneTimeCode,
    ) -> Result<Vec<Write>, Error> {
        let now = deps.clock.now();
        if now.0 >= self.expires_at {
            return Err(Error::CodeExpired);
        }
        let mut limits = vec![Limit::per_flow(
            flow_id,
            &self.round,
            deps.profile.codes.max_tries,
            self.expires_at,
        )];
        limits.extend(subject.map(|s| Limit::per_day(deps, s, now)));
        let counted = attempts::count(deps, &limits, None).await?;
        if deps.hasher.verify(typed.expose(), Some(&self.hash)) {
            // The subject's budget bounds wrong codes: a right one takes its attempt back.
            Ok(attempts::forgive(&limits[1..]))
        } else if counted.last(&limits, 0) {
            Err(Error::TooManyAttempts)
        } else {
            Err(Error::CodeNotCorrect)
        }
    }
}

/// A phone being confirmed with a code: what a code flow keeps of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhoneCheck {
    /// The number's keyed hash and hint.
    pub phone: PhoneOnFile,
    pub code: PendingCode,
    pub lang: Lang,
    /// Where the code goes instead of an SMS, for a number that cannot receive one (a
    /// data-only SIM, W7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_email: Option<String>,
    /// Codes sent again by email (their limit; SMS are limited per number).
    #[serde(default)]
    pub resent: usize,
}

/// Sends a code to `phone`: what the flow keeps, and the write that sends the SMS.
pub fn check_phone(
    deps: &Deps,
    phone: &PhoneNumber,
    lang: Lang,
    now: Timestamp,
) -> (PhoneCheck, Write) {
    let (code, message) = send_by_sms(deps, phone, lang, now);
    let check = PhoneCheck {
        phone: crate::accounts::phone_on_file(deps, phone),
        code,
        lang,
        by_email: None,
        resent: 0,
    };
    (check, message)
}

/// Sends the code that confirms `phone` to `email` instead (the number cannot receive an
/// SMS): what the flow keeps, and the write that sends the email.
pub fn check_phone_by_email(
    deps: &Deps,
    phone: PhoneOnFile,
    email: &str,
    lang: Lang,
    now: Timestamp,
) -> Result<(PhoneCheck, Write), Error> {
    let (code, message) = send_by_email(deps, email, lang, now)?;
    let check = PhoneCheck {
        phone,
        code,
        lang,
        by_email: Some(email.to_string()),
        resent: 0,
    };
    Ok((check, message))
}

/// A new code, and the write that sends it by email through the outbox.
pub fn send_by_email(
    deps: &Deps,
    email: &str,
    lang: Lang,
    now: Timestamp,
) -> Result<(PendingCode, Write), Error> {
    let address = crate::types::Email::parse(email).map_err(|e| Error::Internal(Box::new(e)))?;
    let (code, pending) = issue(deps, now);
    let message = outbox::enqueue(
        new_id(deps.random.as_ref()),
        Channel::Email,
        address.as_str().to_string(),
        address.hint(),
        Template::VerificationCode {
            code,
            valid_minutes: deps.profile.codes.valid_minutes,
        },
        lang,
        now,
    );
    Ok((pending, message))
}

/// A new code, and the write that sends it by SMS through the outbox.
pub fn send_by_sms(
    deps: &Deps,
    phone: &PhoneNumber,
    lang: Lang,
    now: Timestamp,
) -> (PendingCode, Write) {
    let (code, pending) = issue(deps, now);
    let message = outbox::enqueue(
        new_id(deps.random.as_ref()),
        Channel::Sms,
        phone.e164().to_string(),
        phone.hint(),
        Template::VerificationCode {
            code,
            valid_minutes: deps.profile.codes.valid_minutes,
        },
        lang,
        now,
    );
    (pending, message)
}

/// The answer of a step that sent a code.
#[derive(Debug, Clone, Serialize)]
pub struct CodeSent {
    pub flow_id: String,
    pub next: &'static str,
    pub sent_to: String,
    pub code_expires_at: i64,
    pub expires_at: i64,
}

/// A stored flow that confirms a phone with a code sent by SMS.
pub trait CodeFlow: Serialize + DeserializeOwned {
    /// Whose budget of tries a code counts against, beside the code's own limit.
    fn subject(&self) -> Subject<'_>;
    /// Refuses unless the flow is live and waiting for the code.
    fn awaiting_code(&self, now: Timestamp) -> Result<(), Error>;
    /// The phone being confirmed; `WrongStep` when no code was sent yet.
    fn phone_check(&mut self) -> Result<&mut PhoneCheck, Error>;
    fn expires_at(&self) -> i64;
}

/// A new code for a flow waiting for one (the previous code stops working), within the SMS
/// limits of the number. The client gives the number again (it was typed on the page
/// before), so that the step reads the flow and the number's SMS log together.
pub async fn resend<F: CodeFlow>(
    deps: &Deps,
    flow_id: &str,
    phone: &PhoneNumber,
) -> Result<CodeSent, Error> {
    let now = deps.clock.now();
    let phone_lookup = deps.pepper.lookup(purpose::PHONE, phone.e164());
    let mut items = deps
        .store
        .get_many(&[keys::flow(flow_id), keys::sms_limit(&phone_lookup)])
        .await?
        .into_iter();
    let (item, mut flow): (_, F) = crate::flows::found(items.next().flatten())?;
    flow.awaiting_code(now)?;
    let check = flow.phone_check()?;
    if check.phone.lookup != phone_lookup {
        return Err(Error::PhoneNotMatching);
    }
    let mut writes = Vec::new();
    let (code, message, sent_to) = match check.by_email.clone() {
        Some(email) => {
            // An email code is sent again as often as an SMS may be within 10 minutes.
            if check.resent >= deps.profile.sms.per_number_per_10_minutes {
                return Err(Error::SmsLimit);
            }
            check.resent += 1;
            let (code, message) = send_by_email(deps, &email, check.lang, now)?;
            let hint = crate::types::Email::parse(&email)
                .map(|e| e.hint())
                .unwrap_or_default();
            (code, message, hint)
        }
        None => {
            writes.push(sms::allow(
                deps,
                phone,
                &phone_lookup,
                items.next().flatten().as_ref(),
                now,
            )?);
            let (code, message) = send_by_sms(deps, phone, check.lang, now);
            (code, message, phone.hint())
        }
    };
    let code_expires_at = code.expires_at;
    check.code = code;
    writes.push(message);
    writes.insert(0, Write::replace(&item, &flow));
    deps.store.write(writes).await?;
    Ok(CodeSent {
        flow_id: flow_id.to_string(),
        next: "code",
        sent_to,
        code_expires_at,
        expires_at: flow.expires_at(),
    })
}

/// Checks a typed code against a flow waiting for one (`PendingCode::check`); when the
/// code's tries are spent the flow ends (`on_exhausted`), written back unless a concurrent
/// step wrote it first. On success the caller moves the flow on and writes it, on its
/// version, with whatever the step commits and the writes answered.
pub async fn check<F: CodeFlow>(
    deps: &Deps,
    flow_id: &str,
    item: &Item,
    flow: &mut F,
    typed: &OneTimeCode,
    on_exhausted: impl FnOnce(&mut F),
) -> Result<Vec<Write>, Error> {
    flow.awaiting_code(deps.clock.now())?;
    let code = flow.phone_check()?.code.clone();
    let result = code.check(deps, flow_id, Some(flow.subject()), typed).await;
    if matches!(result, Err(Error::TooManyAttempts)) {
        on_exhausted(flow);
        crate::flows::end(deps, Write::replace(item, &*flow)).await?;
    }
    result
}
