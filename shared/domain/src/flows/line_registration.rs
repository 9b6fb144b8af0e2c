//! W7: an employee registers a mobile line of the company's contract with an email; a code
//! goes to the line by SMS, or, for a data-only SIM, by email once the SIM's PUK is typed.
//! The code comes back with the password; the account logs in with the line (W8), on the
//! web and in the app alike.
//!
//! ```text
//! start (line + email, captcha) ──► AwaitingCode ─────────────────────(code + password)──► Completed: account, session
//!        │ data-only SIM                ▲ resend: a new code
//!        ▼                              │
//!   AwaitingPuk ──(PUK: code by email)──┘     3 wrong PUKs or 5 wrong codes: Ended
//! ```
//!
//! Each step is one read and one atomic write. One account per line: the last step claims
//! the line's login name only if nobody has.

use crate::base::captcha;
use crate::base::clock::MINUTE;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::messages::Lang;
use crate::base::profile::{LineRegistrationSettings, Profile};
use crate::base::random::new_id;
use crate::base::store::{StoreError, Write};
use crate::base::tokens::{Amr, Authentication};
use crate::base::types::{Email, OneTimeCode, Password, PhoneNumber};
use crate::flows::codes::{self, CodeFlow, CodeSent, PhoneCheck};
use crate::flows::stored::Flow as _;
use crate::flows::stored::Header;
use crate::limits::attempts::{self, Limit, Subject};
use crate::limits::sending::About;
use crate::records::accounts::{phone_on_file, Account, Login, Membership, PhoneOnFile};
use crate::records::contracts::Line;
use crate::sign_in::sessions::{self, Session};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    AwaitingPuk,
    AwaitingCode,
    Completed,
    Ended,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LineRegistrationFlow {
    /// Its id, state, times and misses (`Header`).
    #[serde(flatten)]
    pub header: Header<State>,
    pub company_id: String,
    pub company_name: String,
    /// The contract's referent of the line, when there is one: the account's name.
    pub referent: Option<String>,
    pub line: PhoneOnFile,
    pub data_only: bool,
    /// The SIM's PUK hash (data-only SIMs), copied at start, and the wrong ones typed.
    pub puk_hash: Option<String>,
    pub email: String,
    pub lang: Lang,
    /// The code sent, once sent.
    pub phone_check: Option<PhoneCheck>,
}

crate::flows::stored::flow!(LineRegistrationFlow, State, ended: State::Ended);

impl CodeFlow for LineRegistrationFlow {
    const AWAITING_CODE: State = State::AwaitingCode;

    fn subject(&self) -> Subject<'_> {
        Subject::Sim(&self.line.lookup)
    }
    fn concerns(&self) -> crate::flows::codes::Concerns {
        // Whoever starts a line's registration proved nothing yet: the code is what proves
        // the SIM is at hand.
        crate::flows::codes::Concerns {
            account: None,
            company: Some(self.company_id.clone()),
            unproven: true,
        }
    }
    fn phone_check(&mut self) -> Result<&mut PhoneCheck, Error> {
        self.phone_check.as_mut().ok_or(Error::WrongStep)
    }
}

fn settings(deps: &Deps) -> Result<&LineRegistrationSettings, Error> {
    Profile::section(&deps.profile.line_registration)
}

pub struct StartLineRegistration {
    pub line: PhoneNumber,
    pub email: Email,
    pub captcha: String,
}

/// The answer of the start: the code was sent (`next: code`), or the PUK comes first
/// (`next: puk`, a data-only SIM).
#[derive(Debug, Clone, Serialize)]
pub struct LineRegistrationStarted {
    pub flow_id: String,
    pub next: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_expires_at: Option<i64>,
    pub expires_at: i64,
}

/// Checks that the line is the company's and free, and sends the code by SMS (or asks for
/// the PUK of a data-only SIM).
pub async fn start(
    deps: &Deps,
    input: StartLineRegistration,
    lang: Lang,
) -> Result<LineRegistrationStarted, Error> {
    crate::flows::stored::captcha_spent_whatever(deps, &input.captcha, |writes| {
        started(deps, &input, lang, writes)
    })
    .await
}

/// A line registration's start once its captcha verified: `writes` spend it.
async fn started(
    deps: &Deps,
    input: &StartLineRegistration,
    lang: Lang,
    mut writes: Vec<Write>,
) -> Result<LineRegistrationStarted, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let lookup = deps.pepper.lookup(purpose::PHONE, input.line.e164());
    let login_key = keys::line_login_key(&lookup);
    let mut items = deps
        .store
        .get_many(&[keys::line(&lookup), keys::login_claim(&login_key)])
        .await?
        .into_iter();
    let (line_item, claim) = (items.next().flatten(), items.next().flatten());
    if line_item.is_none() || claim.is_some() {
        return Err(match line_item {
            None => Error::LineNotEligible,
            Some(_) => Error::LineTaken,
        });
    }
    let line: Line = line_item.ok_or(Error::LineNotEligible)?.parse()?;
    let mut flow = LineRegistrationFlow {
        header: Header::new(
            new_id(deps.random.as_ref()),
            State::AwaitingPuk,
            now,
            now.0 + settings.flow_minutes * MINUTE,
        ),
        company_id: line.company_id,
        company_name: line.company_name,
        referent: line.referent,
        line: phone_on_file(deps, &input.line),
        data_only: line.data_only,
        puk_hash: line.puk_hash,
        email: input.email.as_str().to_string(),
        lang,
        phone_check: None,
    };
    if !flow.data_only {
        let about = About::company(&flow.company_id).unproven();
        let (check, message) = codes::check_phone(deps, &input.line, about, lang).await?;
        writes.push(message);
        flow.phone_check = Some(check);
        flow.header.state = State::AwaitingCode;
    }
    writes.push(crate::flows::stored::create(&flow));
    captcha::commit(deps.store.as_ref(), writes).await?;
    Ok(LineRegistrationStarted {
        next: if flow.data_only { "puk" } else { "code" },
        sent_to: flow.phone_check.as_ref().map(|_| input.line.hint()),
        code_expires_at: flow.phone_check.as_ref().map(|c| c.code.expires_at),
        expires_at: flow.header.expires_at,
        flow_id: flow.header.id,
    })
}

/// The PUK of a data-only SIM proves the SIM is at hand: the code goes by email.
pub async fn verify_puk(deps: &Deps, flow_id: &str, puk: &str) -> Result<CodeSent, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let (item, mut flow): (_, LineRegistrationFlow) =
        crate::flows::stored::read(deps, flow_id).await?;
    flow.check(now, |state| *state == State::AwaitingPuk)?;
    let limits = [
        Limit::per_flow(
            flow_id,
            "PUK",
            settings.puk_misses_per_flow,
            flow.header.expires_at,
        ),
        Limit::per_day(deps, Subject::Sim(&flow.line.lookup), now),
    ];
    let guess = attempts::guess(deps, &limits, None, puk, flow.puk_hash.as_deref()).await?;
    if !guess.right {
        if !guess.last {
            return Err(Error::PukNotCorrect);
        }
        flow.header.state = State::Ended;
        crate::flows::stored::end(deps, Write::replace(&item, &flow)).await?;
        return Err(Error::TooManyAttempts);
    }
    let about = About::company(&flow.company_id);
    let (check, message) =
        codes::check_phone_by_email(deps, flow.line.clone(), &flow.email, about, flow.lang).await?;
    let code_expires_at = check.code.expires_at;
    flow.phone_check = Some(check);
    flow.header.state = State::AwaitingCode;
    let mut writes = vec![Write::replace(&item, &flow), message];
    writes.extend(guess.forgiven);
    deps.store.write(writes).await?;
    Ok(CodeSent {
        flow_id: flow.header.id,
        next: "code",
        sent_to: Email::parse(&flow.email)
            .map(|e| e.hint())
            .unwrap_or_default(),
        code_expires_at,
        expires_at: flow.header.expires_at,
    })
}

/// The code and the password: the account is created, logging in with the line, and a
/// session opens.
pub async fn complete(
    deps: &Deps,
    flow_id: &str,
    code: &OneTimeCode,
    password: &Password,
) -> Result<Session, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let (item, mut flow): (_, LineRegistrationFlow) =
        crate::flows::stored::read(deps, flow_id).await?;
    let forgiven = codes::check(deps, flow_id, &item, &mut flow, code, |f| {
        f.header.state = State::Ended
    })
    .await?;
    let mut account = Account::for_portal(
        deps,
        flow.email.clone(),
        flow.referent
            .clone()
            .unwrap_or_else(|| flow.line.hint.clone()),
        password,
        // A data-only SIM receives no SMS: the account has no mobile for codes.
        (!flow.data_only).then(|| flow.line.clone()),
        Membership {
            company_id: flow.company_id.clone(),
            company_name: flow.company_name.clone(),
            role: settings.role.clone(),
            card: None,
            seat: None,
            contracts: Vec::new(),
            line_invitation: None,
        },
        Login::Line {
            line: flow.line.clone(),
        },
    )?;
    // The code went to the line: the address typed is not proven (a data-only SIM's went to it).
    account.email_unproven = !flow.data_only;
    flow.header.state = State::Completed;
    let (session, session_write) =
        sessions::open(deps, &account, Authentication::by(&[Amr::Pwd], now), now)?;
    let mut writes = vec![Write::replace(&item, &flow)];
    writes.extend(account.create(now)?);
    writes.push(session_write);
    writes.extend(forgiven);
    deps.store.write(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { index: Some(2) } => Error::LineTaken,
        other => other.into(),
    })?;
    Ok(session)
}
