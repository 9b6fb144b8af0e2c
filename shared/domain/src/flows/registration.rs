//! N4: an Administrator registers with the company card, the registration code printed on
//! its statement or letter, and a mobile number, as a stored state machine.
//!
//! ```text
//! start (card + registration code + mobile, captcha) ──► AwaitingCode ──(SMS code)──► AwaitingCredentials
//!        │ wrong code: a miss on the card; 5 in 24 h lock it      │ resend: a new code        │ email + password
//!        ▼                                                        ▼                           ▼
//!   data_not_correct                           5 wrong codes: Ended               Completed: account, session
//! ```
//!
//! Each step is one read and one atomic write. The company gets one Administrator: the last
//! step creates the company's administrator item only if absent, so of two people registering
//! one company at once, one succeeds; the login email is claimed the same way, so one email
//! names one account. A company that has an Administrator already is told at that step (the
//! steps before it cannot read the company without a third round trip).

use crate::base::captcha;
use crate::base::clock::{Timestamp, HOUR, MINUTE};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::messages::Lang;
use crate::base::random::new_id;
use crate::base::store::{Item, StoreError, Write};
use crate::base::tokens::{Amr, Authentication};
use crate::base::types::{CardNumber, Email, OneTimeCode, Password, PhoneNumber, RegistrationCode};
use crate::flows::codes::{self, CodeFlow, CodeSent, Concerns, PhoneCheck};
use crate::flows::stored::Flow as _;
use crate::flows::stored::Header;
use crate::limits::attempts::{self, Limit, Refusal, Subject};
use crate::limits::sending::About;
use crate::records::accounts::{link_card_role, Account, Login, Membership};
use crate::records::cards::{Card, CardValidity};
use crate::records::companies::CompanyAdministrator;
use crate::sign_in::sessions::{self, Session};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    AwaitingCode,
    AwaitingCredentials,
    Completed,
    Ended,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistrationFlow {
    /// Its id, state, times and misses (`Header`).
    #[serde(flatten)]
    pub header: Header<State>,
    pub company_id: String,
    pub company_name: String,
    pub holder_name: String,
    pub card: CardValidity,
    /// The company card's keyed hash: the new Administrator's role rests on it.
    pub card_lookup: String,
    /// The mobile being confirmed.
    pub phone_check: PhoneCheck,
}

crate::flows::stored::flow!(RegistrationFlow, State, ended: State::Ended);

pub struct StartRegistration {
    pub card: CardNumber,
    pub registration_code: RegistrationCode,
    pub phone: PhoneNumber,
    pub captcha: String,
}

/// The flow, checked to be live and at `expected`.
fn live(
    item: Option<Item>,
    now: Timestamp,
    expected: State,
) -> Result<(Item, RegistrationFlow), Error> {
    let (item, flow): (_, RegistrationFlow) = crate::flows::stored::found(item)?;
    flow.check(now, |state| *state == expected)?;
    Ok((item, flow))
}

/// Checks the card and its registration code, and sends a code to the mobile.
pub async fn start(deps: &Deps, input: StartRegistration, lang: Lang) -> Result<CodeSent, Error> {
    crate::flows::stored::captcha_spent_whatever(deps, &input.captcha, |writes| {
        started(deps, &input, lang, writes)
    })
    .await
}

async fn started(
    deps: &Deps,
    input: &StartRegistration,
    lang: Lang,
    mut writes: Vec<Write>,
) -> Result<CodeSent, Error> {
    let now = deps.clock.now();
    let card_lookup = deps.pepper.lookup(purpose::CARD, input.card.digits());
    let card_key = keys::card(&card_lookup);
    let card_item = deps.store.get(&card_key).await?;
    let mut card: Option<(Item, Card)> = None;
    if let Some(item) = card_item {
        let doc: Card = item.parse()?;
        if doc.company.is_some() {
            card = Some((item, doc));
        }
    }
    let settings = deps.profile.card_registration()?;
    // Counted per card typed, known or not, before the code is checked: the window's lock
    // (`registration_code_locked`) and the day's budget.
    let limits = [
        Limit::per_window(
            Subject::CompanyCard(&card_lookup),
            "LOCK",
            settings.code_misses_per_card,
            settings.code_window_hours * HOUR,
            now,
        )
        .refused_with(Refusal::Locked(|| Error::RegistrationCodeLocked)),
        Limit::per_day(deps, Subject::CompanyCard(&card_lookup), now),
    ];
    let stored = card
        .as_ref()
        .and_then(|(_, c)| c.company.as_ref())
        .and_then(|c| c.registration_code_hash.as_deref());
    // An unknown card costs the same argon2 work as a wrong code.
    let guess = attempts::guess(
        deps,
        &limits,
        None,
        input.registration_code.expose(),
        stored,
    )
    .await?;
    let (_, mut card) = match card {
        Some(found) if guess.right => found,
        _ => return Err(Error::DataNotCorrect),
    };
    let company_card = card.company.take().ok_or(Error::DataNotCorrect)?;
    if !company_card.validity.valid_at(now.0) {
        return Err(Error::ValidCardRequired);
    }
    let about = About::company(&company_card.company_id);
    let (phone_check, message) = codes::check_phone(deps, &input.phone, about, lang).await?;
    writes.push(message);
    let flow = RegistrationFlow {
        header: Header::new(
            new_id(deps.random.as_ref()),
            State::AwaitingCode,
            now,
            now.0 + settings.flow_minutes * MINUTE,
        ),
        company_id: company_card.company_id.clone(),
        company_name: company_card.company_name.clone(),
        holder_name: company_card.holder_name.clone(),
        card: company_card.validity,
        card_lookup,
        phone_check,
    };
    writes.push(crate::flows::stored::create(&flow));
    writes.extend(guess.forgiven);
    captcha::commit(deps.store.as_ref(), writes).await?;
    Ok(CodeSent {
        flow_id: flow.header.id,
        next: "code",
        sent_to: input.phone.hint(),
        code_expires_at: flow.phone_check.code.expires_at,
        expires_at: flow.header.expires_at,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct CodeConfirmed {
    pub next: &'static str,
    /// The company being registered, to show before the credentials are chosen.
    pub company_name: String,
}

/// The code from the SMS: the mobile is confirmed; next, the email and password.
pub async fn confirm_code(
    deps: &Deps,
    flow_id: &str,
    code: &OneTimeCode,
) -> Result<CodeConfirmed, Error> {
    let (item, mut flow): (_, RegistrationFlow) = crate::flows::stored::read(deps, flow_id).await?;
    let forgiven = codes::check(deps, flow_id, &item, &mut flow, code, |f| {
        f.header.state = State::Ended
    })
    .await?;
    flow.header.state = State::AwaitingCredentials;
    let mut writes = vec![Write::replace(&item, &flow)];
    writes.extend(forgiven);
    deps.store.write(writes).await?;
    Ok(CodeConfirmed {
        next: "credentials",
        company_name: flow.company_name,
    })
}

impl CodeFlow for RegistrationFlow {
    const AWAITING_CODE: State = State::AwaitingCode;

    fn subject(&self) -> Subject<'_> {
        Subject::CompanyCard(&self.card_lookup)
    }
    fn concerns(&self) -> Concerns {
        Concerns {
            account: None,
            company: Some(self.company_id.clone()),
            unproven: false,
        }
    }
    fn phone_check(&mut self) -> Result<&mut PhoneCheck, Error> {
        Ok(&mut self.phone_check)
    }
}

pub struct Credentials {
    pub email: Email,
    pub password: Password,
}

/// The email and password: the account is created as the company's Administrator, and a
/// session opens.
pub async fn complete(
    deps: &Deps,
    flow_id: &str,
    credentials: Credentials,
) -> Result<Session, Error> {
    let now = deps.clock.now();
    let canonical = credentials.email.canonical().to_string();
    let mut items = deps
        .store
        .get_many(&[keys::flow(flow_id), keys::login_claim(&canonical)])
        .await?
        .into_iter();
    let (item, mut flow) = live(items.next().flatten(), now, State::AwaitingCredentials)?;
    if items.next().flatten().is_some() {
        return Err(Error::EmailTaken);
    }
    let mut account = Account::for_portal(
        deps,
        credentials.email.as_str().to_string(),
        flow.holder_name.clone(),
        &credentials.password,
        Some(flow.phone_check.phone.clone()),
        Membership {
            company_id: flow.company_id.clone(),
            company_name: flow.company_name.clone(),
            role: deps
                .profile
                .card_registration()?
                .card_registration_role
                .clone(),
            card: Some(flow.card),
            seat: Some(keys::company_administrator(&flow.company_id)),
            contracts: Vec::new(),
            line_invitation: None,
        },
        Login::Email,
    )?;
    // The card and its registration code are proven, not the address typed.
    account.email_unproven = true;
    let administrator = CompanyAdministrator {
        account_id: account.id.clone(),
        display_name: account.display_name.clone(),
        since: now.0,
    };
    flow.header.state = State::Completed;
    let (session, session_write) =
        sessions::open(deps, &account, Authentication::by(&[Amr::Pwd], now), now)?;
    let mut writes = vec![
        Write::replace(&item, &flow),
        Write::create(Item::new(
            keys::company_administrator(&flow.company_id),
            &administrator,
        )),
    ];
    writes.extend(account.create(now)?);
    writes.extend([
        session_write,
        link_card_role(deps, &flow.card_lookup, &account, &flow.company_id),
    ]);
    deps.store.write(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { index: Some(1) } => Error::CompanyAlreadyRegistered,
        StoreError::ConditionFailed { index: Some(3) } => Error::EmailTaken,
        other => other.into(),
    })?;
    Ok(session)
}
