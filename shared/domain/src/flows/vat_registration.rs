//! W2: a company's User Admin registers with the VAT number and the legal representative's
//! data as the contract has them; an activation email follows, and its link opens the first
//! access, where the username and password are chosen.
//!
//! ```text
//! start (VAT + legal representative's data, captcha) ──► AwaitingActivation ──(link: token + username + password)──► Completed
//!        │ no contract of the VAT matches: data_not_correct             │ 48 h: flow_expired
//!        │ the VAT has a User Admin: user_admin_exists                  │ username taken: username_taken (choose another)
//! ```
//!
//! The VAT's contracts and its User Admin seat share one index partition (gsi2 `VAT#<vat>`),
//! so the start is one query and one write. One User Admin per VAT holds under races: the
//! activation creates the seat only if absent. The activation token is 160 random bits, kept
//! as a keyed hash.

use crate::base::captcha;
use crate::base::clock::HOUR;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::messages::{Lang, Template};
use crate::base::profile::{Profile, VatRegistrationSettings};
use crate::base::random::new_id;
use crate::base::store::{Index, Item, StoreError, Write};
use crate::base::tokens::{Amr, Authentication};
use crate::base::types::{
    BirthDate, Email, FiscalCode, Password, PhoneNumber, Username, VatNumber,
};
use crate::flows::stored::Flow as _;
use crate::flows::stored::Header;
use crate::limits::attempts::{self, Limit, Subject};
use crate::limits::sending::{self, About};
use crate::records::accounts::{phone_on_file, Account, Login, Membership, PhoneOnFile};
use crate::records::companies::Company;
use crate::records::contracts::Contract;
use crate::sign_in::sessions::{self, Session};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    AwaitingActivation,
    Completed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VatRegistrationFlow {
    /// Its id, state, times and misses (`Header`).
    #[serde(flatten)]
    pub header: Header<State>,
    pub vat_number: String,
    pub company_id: String,
    pub company_name: String,
    pub display_name: String,
    pub email: String,
    pub mobile: PhoneOnFile,
    /// Keyed hash of the activation token the email carries.
    pub token_lookup: String,
}

/// What the person types, to be compared with the legal representative of a contract.
pub struct StartVatRegistration {
    pub vat_number: VatNumber,
    pub name: String,
    pub surname: String,
    pub birth_date: BirthDate,
    pub fiscal_code: FiscalCode,
    pub email: Email,
    pub mobile: PhoneNumber,
    pub captcha: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivationSent {
    pub flow_id: String,
    pub next: &'static str,
    pub sent_to: String,
    pub expires_at: i64,
}

fn settings(deps: &Deps) -> Result<&VatRegistrationSettings, Error> {
    Profile::section(&deps.profile.vat_registration)
}

/// Names compare without regard to case and extra spaces.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// Checks the data against the VAT's contracts and emails the activation link.
pub async fn start(
    deps: &Deps,
    input: StartVatRegistration,
    lang: Lang,
) -> Result<ActivationSent, Error> {
    settings(deps)?;
    let now = deps.clock.now();
    input
        .birth_date
        .not_after(now.0)
        .map_err(Error::field("birth_date"))?;
    if !input.fiscal_code.matches_birth_date(input.birth_date) {
        return Err(Error::BirthDateMismatch);
    }
    crate::flows::stored::captcha_spent_whatever(deps, &input.captcha, |writes| {
        started(deps, &input, lang, writes)
    })
    .await
}

/// A VAT registration's start once its captcha verified: `writes` spend it.
async fn started(
    deps: &Deps,
    input: &StartVatRegistration,
    lang: Lang,
    mut writes: Vec<Write>,
) -> Result<ActivationSent, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let vat = input.vat_number.as_str();
    let fiscal_lookup = deps
        .pepper
        .lookup(purpose::FISCAL_CODE, input.fiscal_code.as_str());
    // X9: each comparison of a legal representative's data is counted per VAT and per
    // fiscal code before anything is compared, known or not, so that the data cannot be
    // guessed a field at a time; a match takes its attempt back.
    let limits = [
        Limit::per_day(deps, Subject::Vat(vat), now),
        Limit::per_day(deps, Subject::Person(&fiscal_lookup), now),
    ];
    attempts::count(deps, &limits, None).await?;
    let items = deps
        .store
        .query_index(Index::Gsi2, &keys::vat_index(vat), 100)
        .await?;
    let mobile = phone_on_file(deps, &input.mobile);
    let mut matching = None;
    for item in items
        .iter()
        .filter(|i| i.key.sk.starts_with(keys::CONTRACT_PREFIX))
    {
        let contract: Contract = item.parse()?;
        let rep = &contract.legal_representative;
        let same_email =
            Email::parse(&rep.email).is_ok_and(|e| e.canonical() == input.email.canonical());
        if same_name(&rep.name, &input.name)
            && same_name(&rep.surname, &input.surname)
            && rep.birth_date == input.birth_date
            && rep.fiscal_code_lookup == fiscal_lookup
            && same_email
            && rep.mobile_on_file.as_ref() == Some(&mobile)
        {
            matching = Some(contract);
            break;
        }
    }
    let Some(contract) = matching else {
        return Err(Error::DataNotCorrect);
    };
    if items.iter().any(|i| i.key == keys::vat_user_admin(vat)) {
        return Err(Error::UserAdminExists);
    }
    // The company is in the VAT's partition too.
    let company: Company = items
        .iter()
        .find(|i| i.key == keys::company(&contract.company_id))
        .ok_or(Error::DataNotCorrect)?
        .parse()?;
    let token = new_id(deps.random.as_ref());
    let flow = VatRegistrationFlow {
        header: Header::new(
            new_id(deps.random.as_ref()),
            State::AwaitingActivation,
            now,
            now.0 + settings.activation_hours * HOUR,
        ),
        vat_number: vat.to_string(),
        company_id: contract.company_id.clone(),
        company_name: company.name,
        display_name: format!(
            "{} {}",
            contract.legal_representative.name, contract.legal_representative.surname
        ),
        email: input.email.as_str().to_string(),
        mobile,
        token_lookup: deps.pepper.lookup(purpose::ACTIVATION, &token),
    };
    let link = format!(
        "{}?flow={}&token={token}",
        settings.activation_url, flow.header.id
    );
    let content = Template::ActivationLink {
        link,
        valid_hours: settings.activation_hours,
    };
    let about = About::company(&flow.company_id);
    writes.push(sending::email(deps, &input.email, about, content, lang).await?);
    writes.push(crate::flows::stored::create(&flow));
    writes.extend(attempts::forgive(&limits));
    captcha::commit(deps.store.as_ref(), writes).await?;
    Ok(ActivationSent {
        flow_id: flow.header.id,
        next: "activation",
        sent_to: input.email.hint(),
        expires_at: flow.header.expires_at,
    })
}

pub struct Activation {
    pub token: String,
    pub username: Username,
    pub password: Password,
}

/// The first access from the email's link: the username and password are chosen, the
/// account is created as the VAT's User Admin, and a session opens.
pub async fn activate(deps: &Deps, flow_id: &str, input: Activation) -> Result<Session, Error> {
    let settings = settings(deps)?;
    let now = deps.clock.now();
    let login = Login::Username {
        username: input.username.as_str().to_string(),
    };
    let username_key = keys::username_login_key(input.username.as_str());
    let mut items = deps
        .store
        .get_many(&[keys::flow(flow_id), keys::login_claim(&username_key)])
        .await?
        .into_iter();
    let (item, mut flow): (_, VatRegistrationFlow) =
        crate::flows::stored::found(items.next().flatten())?;
    // A wrong token names no flow: the link is the only way in.
    if deps.pepper.lookup(purpose::ACTIVATION, &input.token) != flow.token_lookup {
        return Err(Error::FlowNotFound);
    }
    flow.check(now, |state| *state == State::AwaitingActivation)?;
    if items.next().flatten().is_some() {
        return Err(Error::UsernameTaken);
    }
    let seat = keys::vat_user_admin(&flow.vat_number);
    let account = Account::for_portal(
        deps,
        flow.email.clone(),
        flow.display_name.clone(),
        &input.password,
        Some(flow.mobile.clone()),
        Membership {
            company_id: flow.company_id.clone(),
            company_name: flow.company_name.clone(),
            role: settings.role.clone(),
            card: None,
            seat: Some(seat.clone()),
            contracts: Vec::new(),
            line_invitation: None,
        },
        login,
    )?;
    flow.header.state = State::Completed;
    let (session, session_write) =
        sessions::open(deps, &account, Authentication::by(&[Amr::Pwd], now), now)?;
    let mut writes = vec![
        Write::replace(&item, &flow),
        Write::create(
            Item::new(
                seat,
                &serde_json::json!({ "account_id": account.id, "since": now.0 }),
            )
            .with_gsi2(keys::vat_index(&flow.vat_number)),
        ),
    ];
    writes.extend(account.create(now)?);
    writes.push(session_write);
    deps.store.write(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { index: Some(1) } => Error::UserAdminExists,
        StoreError::ConditionFailed { index: Some(3) } => Error::UsernameTaken,
        other => other.into(),
    })?;
    Ok(session)
}

// An activation used is the flow's end: a second one answers `flow_ended`.
crate::flows::stored::flow!(VatRegistrationFlow, State, ended: State::Completed);
