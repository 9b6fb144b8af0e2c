//! One-time codes, sent by SMS or email to prove a phone or an address: six digits, valid
//! `codes.valid_minutes` (10), single use, `codes.max_tries` (5) tries, stored only as an
//! argon2id hash inside the flow that sent them. Tries are counted (`attempts`) before the
//! code is checked: per code, and per subject across flows.

use crate::base::clock::{Timestamp, MINUTE};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::purpose;
use crate::base::messages::{Lang, Template};
use crate::base::random::{new_id, random_string};
use crate::base::store::{Item, Write};
use crate::base::types::{OneTimeCode, PhoneNumber};
use crate::flows::stored::Flow;
use crate::limits::attempts::{self, Limit, Subject};
use crate::limits::sending::{self, About};
use crate::records::accounts::PhoneOnFile;
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

/// Sends a code to `phone` through the gate (`sending`): what the flow keeps, and the
/// write that sends the SMS.
pub async fn check_phone(
    deps: &Deps,
    phone: &PhoneNumber,
    about: About<'_>,
    lang: Lang,
) -> Result<(PhoneCheck, Write), Error> {
    let (code, message) = send_by_sms(deps, phone, about, lang).await?;
    let check = PhoneCheck {
        phone: crate::records::accounts::phone_on_file(deps, phone),
        code,
        lang,
        by_email: None,
        resent: 0,
    };
    Ok((check, message))
}

/// Sends the code that confirms `phone` to `email` instead (the number cannot receive an
/// SMS): what the flow keeps, and the write that sends the email.
pub async fn check_phone_by_email(
    deps: &Deps,
    phone: PhoneOnFile,
    email: &str,
    about: About<'_>,
    lang: Lang,
) -> Result<(PhoneCheck, Write), Error> {
    let (code, message) = send_by_email(deps, email, about, lang).await?;
    let check = PhoneCheck {
        phone,
        code,
        lang,
        by_email: Some(email.to_string()),
        resent: 0,
    };
    Ok((check, message))
}

/// A new code, and the write that sends it by email through the gate and the outbox.
pub async fn send_by_email(
    deps: &Deps,
    email: &str,
    about: About<'_>,
    lang: Lang,
) -> Result<(PendingCode, Write), Error> {
    let address =
        crate::base::types::Email::parse(email).map_err(|e| Error::Internal(Box::new(e)))?;
    let (code, pending) = issue(deps, deps.clock.now());
    let content = Template::VerificationCode {
        code,
        valid_minutes: deps.profile.codes.valid_minutes,
    };
    let message = sending::email(deps, &address, about, content, lang).await?;
    Ok((pending, message))
}

/// A new code, and the write that sends it by SMS through the gate and the outbox.
pub async fn send_by_sms(
    deps: &Deps,
    phone: &PhoneNumber,
    about: About<'_>,
    lang: Lang,
) -> Result<(PendingCode, Write), Error> {
    let (code, pending) = issue(deps, deps.clock.now());
    let content = Template::VerificationCode {
        code,
        valid_minutes: deps.profile.codes.valid_minutes,
    };
    let message = sending::sms(deps, phone, about, content, lang).await?;
    Ok((pending, message))
}

/// The account and company a flow's messages concern, as the flow knows them.
#[derive(Debug, Clone, Default)]
pub struct Concerns {
    pub account: Option<String>,
    pub company: Option<String>,
    /// The flow's person proved nothing yet (`About::unproven`).
    pub unproven: bool,
}

impl Concerns {
    pub fn about(&self) -> About<'_> {
        About {
            account: self.account.as_deref(),
            company: self.company.as_deref(),
            unproven: self.unproven,
        }
    }
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

/// A stored flow (`Flow`) that confirms a phone with a code sent by SMS.
pub trait CodeFlow: Flow<State: PartialEq> + Serialize + DeserializeOwned {
    /// Whose budget of tries a code counts against, beside the code's own limit.
    fn subject(&self) -> Subject<'_>;
    /// The account and company its messages concern (`sending`).
    fn concerns(&self) -> Concerns;
    /// The state in which the flow waits for its code.
    const AWAITING_CODE: Self::State;
    /// Refuses unless the flow is live and waiting for the code.
    fn awaiting_code(&self, now: Timestamp) -> Result<(), Error> {
        self.check(now, |state| *state == Self::AWAITING_CODE)
    }
    /// The phone being confirmed; `WrongStep` when no code was sent yet.
    fn phone_check(&mut self) -> Result<&mut PhoneCheck, Error>;
}

/// A new code for a flow waiting for one (the previous code stops working), through the
/// gate (`sending`). The client gives the number again (it was typed on the page before):
/// it must be the flow's.
pub async fn resend<F: CodeFlow>(
    deps: &Deps,
    flow_id: &str,
    phone: &PhoneNumber,
) -> Result<CodeSent, Error> {
    let now = deps.clock.now();
    let phone_lookup = deps.pepper.lookup(purpose::PHONE, phone.e164());
    let (item, mut flow): (_, F) = crate::flows::stored::read(deps, flow_id).await?;
    flow.awaiting_code(now)?;
    let concerns = flow.concerns();
    let check = flow.phone_check()?;
    if check.phone.lookup != phone_lookup {
        return Err(Error::PhoneNotMatching);
    }
    let (code, message, sent_to) = match check.by_email.clone() {
        Some(email) => {
            // An email code is sent again as often as an SMS may be within 10 minutes.
            if check.resent >= deps.profile.sms.per_number_per_10_minutes as usize {
                return Err(Error::SmsLimit);
            }
            check.resent += 1;
            let (code, message) = send_by_email(deps, &email, concerns.about(), check.lang).await?;
            let hint = crate::base::types::Email::parse(&email)
                .map(|e| e.hint())
                .unwrap_or_default();
            (code, message, hint)
        }
        None => {
            let (code, message) = send_by_sms(deps, phone, concerns.about(), check.lang).await?;
            (code, message, phone.hint())
        }
    };
    let code_expires_at = code.expires_at;
    check.code = code;
    deps.store
        .write(vec![Write::replace(&item, &flow), message])
        .await?;
    Ok(CodeSent {
        flow_id: flow_id.to_string(),
        next: "code",
        sent_to,
        code_expires_at,
        expires_at: flow.header().expires_at,
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
        crate::flows::stored::end(deps, Write::replace(item, &*flow)).await?;
    }
    result
}
