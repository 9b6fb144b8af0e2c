//! Credential recovery (R1-R7) as a stored state machine.
//!
//! ```text
//! start ──► AwaitingMethod ──(Key6 | security answer | password)──► AwaitingPhone ──(phone)──► Completed
//!                 │  wrong data: a miss; `max_misses_per_flow` misses end the flow   │
//!                 └──────────────────────────► Ended ◄──────────── no certified phone ┘
//! ```
//!
//! Every step reads the flow (and at most the one other item its input names) in one round
//! trip, checks state and expiry in code, and commits with a version condition in one
//! atomic write: a step replayed or raced succeeds at most once. The flow keeps a snapshot
//! of what its steps need from the account (verifier hashes, phones on file) so that no step
//! needs a second read.
//!
//! An unknown fiscal code or birth date starts a flow like any other, offering methods
//! chosen by keyed hash of the input (the same every time), and fails at the method step
//! after the same argon2 work as a wrong answer: up to there, nothing tells the two apart.

use crate::base::clock::{DAY, HOUR, MINUTE};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::messages::{Lang, Template};
use crate::base::random::{new_id, random_string};
use crate::base::store::{Index, Item, Write};
use crate::base::types::{BirthDate, CardNumber, FiscalCode, Key6, SecurityAnswer, TypedPhone};
use crate::flows::stored::Flow as _;
use crate::flows::stored::Header;
use crate::limits::attempts::{self, Limit, Refusal, Subject as Budget};
use crate::limits::audit::{self, Event};
use crate::limits::sending::{self, About};
use crate::records::accounts::{Account, PhoneOnFile, TemporaryPassword};
use crate::records::cards::Card;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryKind {
    /// A forgotten password: ends with a temporary password by SMS.
    Password,
    /// A forgotten login email: ends with the email by SMS.
    Email,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Key6,
    SecurityQuestion,
    Password,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    TooManyMisses,
    NoCertifiedPhone,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    AwaitingMethod,
    AwaitingPhone { method: Method },
    Completed,
    Ended { reason: EndReason },
}

/// What the flow's steps need from the account, copied at start.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subject {
    pub account_id: String,
    pub email: String,
    /// The account's login name as indexed (`Account::login_key`): a temporary password is
    /// found by it.
    pub login_key: String,
    pub answer_hash: Option<String>,
    pub password_hash: Option<String>,
    pub phones: Vec<PhoneOnFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecoveryFlow {
    /// Its id, state, times and misses (`Header`).
    #[serde(flatten)]
    pub header: Header<State>,
    pub kind: RecoveryKind,
    pub offered: Vec<Method>,
    pub question_id: Option<String>,
    /// `None` when the data given matched nobody.
    pub subject: Option<Subject>,
    /// The fiscal code's keyed hash, known or not: the person's budget of attempts.
    #[serde(default)]
    pub person: String,
}

crate::flows::stored::flow!(RecoveryFlow, State, ended: State::Ended { .. });

impl RecoveryFlow {
    fn offers(&self, method: Method) -> Result<(), Error> {
        if self.offered.contains(&method) {
            Ok(())
        } else {
            Err(Error::MethodNotOffered)
        }
    }

    /// A wrong answer: counts a miss and ends the flow at the limit. Returns the error to give.
    fn miss(&mut self, max: u32) -> Error {
        self.header.misses += 1;
        if self.header.misses >= max {
            self.header.state = State::Ended {
                reason: EndReason::TooManyMisses,
            };
            Error::TooManyAttempts
        } else {
            Error::DataNotCorrect
        }
    }
}

pub struct StartRecovery {
    pub kind: RecoveryKind,
    pub fiscal_code: FiscalCode,
    pub birth_date: BirthDate,
    pub captcha: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodOffer {
    pub method: Method,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Started {
    pub flow_id: String,
    pub kind: RecoveryKind,
    pub methods: Vec<MethodOffer>,
    pub expires_at: i64,
}

/// After a method succeeds: how to ask for the phone number (R6).
#[derive(Debug, Clone, Serialize)]
pub struct PhonePrompt {
    pub next: &'static str,
    pub numbers_on_file: usize,
    /// The masked number, when there is exactly one on file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SmsSent {
    pub sent_to: String,
}

/// R1, R2: checks the captcha, finds the person, and starts a flow offering their methods.
pub async fn start(deps: &Deps, input: StartRecovery, lang: Lang) -> Result<Started, Error> {
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

/// A recovery's start once its captcha verified: `writes` spend it.
async fn started(
    deps: &Deps,
    input: &StartRecovery,
    lang: Lang,
    mut writes: Vec<Write>,
) -> Result<Started, Error> {
    let now = deps.clock.now();
    let lookup = deps
        .pepper
        .lookup(purpose::FISCAL_CODE, input.fiscal_code.as_str());
    let candidates = deps
        .store
        .query_index(Index::Gsi2, &keys::fiscal_code_index(&lookup), 10)
        .await?;
    let mut account = None;
    for item in &candidates {
        let candidate: Account = item.parse()?;
        if candidate.birth_date == Some(input.birth_date) {
            account = Some(candidate);
            break;
        }
    }
    let (offered, question_id, subject) = match account {
        Some(account) => {
            let offered = methods_of(&account, input.kind);
            if offered.is_empty() {
                return Err(Error::NoRecoveryMethod);
            }
            let question_id = account
                .security_question
                .as_ref()
                .map(|q| q.question_id.clone());
            let subject = Subject {
                login_key: account.login_key()?,
                account_id: account.id,
                email: account.email,
                answer_hash: account.security_question.map(|q| q.answer_hash),
                password_hash: account.password_hash,
                phones: account.certified_phones,
            };
            (offered, question_id, Some(subject))
        }
        None => {
            let (offered, question_id) =
                decoy(deps, input.kind, &format!("{lookup}:{}", input.birth_date));
            (offered, question_id, None)
        }
    };
    let flow = RecoveryFlow {
        header: Header::new(
            new_id(deps.random.as_ref()),
            State::AwaitingMethod,
            now,
            now.0 + deps.profile.card_recovery()?.flow_minutes * MINUTE,
        ),
        kind: input.kind,
        offered,
        question_id,
        subject,
        person: lookup,
    };
    writes.push(crate::flows::stored::create(&flow));
    let account_id = flow.subject.as_ref().map(|s| s.account_id.as_str());
    writes.extend(audit::record(
        deps,
        Event::person("recovery_started", account_id, "ok"),
        now,
    ));
    crate::base::captcha::commit(deps.store.as_ref(), writes).await?;
    let methods = flow
        .offered
        .iter()
        .map(|&method| MethodOffer {
            method,
            question: (method == Method::SecurityQuestion)
                .then(|| {
                    flow.question_id
                        .as_deref()
                        .and_then(|id| deps.profile.question(id))
                        .map(|q| q.text(lang).to_string())
                })
                .flatten(),
        })
        .collect();
    Ok(Started {
        flow_id: flow.header.id,
        kind: flow.kind,
        methods,
        expires_at: flow.header.expires_at,
    })
}

/// R2: Key6 and the security question where enabled; for email recovery also the password,
/// the only method when neither of the others is.
fn methods_of(account: &Account, kind: RecoveryKind) -> Vec<Method> {
    let mut methods = Vec::new();
    if account.key6_enabled {
        methods.push(Method::Key6);
    }
    if account.security_question.is_some() {
        methods.push(Method::SecurityQuestion);
    }
    if kind == RecoveryKind::Email && account.password_hash.is_some() {
        methods.push(Method::Password);
    }
    methods
}

/// Methods shown for data that matched nobody: one of the usual sets, chosen by keyed hash
/// of the input so that asking twice gives the same answer.
fn decoy(deps: &Deps, kind: RecoveryKind, input: &str) -> (Vec<Method>, Option<String>) {
    let hash = hex::decode(deps.pepper.lookup("recovery-decoy", input)).unwrap_or_default();
    let pick = hash.first().copied().unwrap_or(0);
    let mut methods = match pick % 3 {
        0 => vec![Method::Key6, Method::SecurityQuestion],
        1 => vec![Method::Key6],
        _ => vec![Method::SecurityQuestion],
    };
    if kind == RecoveryKind::Email {
        methods.push(Method::Password);
    }
    let questions = &deps.profile.security_questions;
    let question = methods.contains(&Method::SecurityQuestion).then(|| {
        questions[usize::from(hash.get(1).copied().unwrap_or(0)) % questions.len()]
            .id
            .clone()
    });
    (methods, question)
}

/// The limits a method step counts its attempt under before checking it: the flow's
/// (`max_misses_per_flow`, first) and the person's daily budget, known person or not.
fn method_limits(deps: &Deps, flow_id: &str, flow: &RecoveryFlow) -> Result<Vec<Limit>, Error> {
    let now = deps.clock.now();
    Ok(vec![
        Limit::per_flow(
            flow_id,
            "METHOD",
            deps.profile.card_recovery()?.max_misses_per_flow,
            flow.header.expires_at,
        ),
        Limit::per_day(deps, Budget::Person(&flow.person), now),
    ])
}

/// Ends a method step after its counted guess: right, the flow moves to the phone step (or
/// ends, without a certified phone: R7), on its version; wrong, `data_not_correct`, and the
/// flow ends at the last attempt (`too_many_attempts`).
async fn conclude_method(
    deps: &Deps,
    item: &Item,
    mut flow: RecoveryFlow,
    method: Method,
    guess: attempts::Guess,
) -> Result<PhonePrompt, Error> {
    let result = match (&flow.subject, guess.right) {
        (Some(subject), true) if subject.phones.is_empty() => {
            flow.header.state = State::Ended {
                reason: EndReason::NoCertifiedPhone,
            };
            Err(Error::NoCertifiedPhone)
        }
        (Some(subject), true) => {
            let hint = (subject.phones.len() == 1).then(|| subject.phones[0].hint.clone());
            let prompt = PhonePrompt {
                next: "phone",
                numbers_on_file: subject.phones.len(),
                hint,
            };
            flow.header.state = State::AwaitingPhone { method };
            Ok(prompt)
        }
        _ if guess.last => {
            flow.header.state = State::Ended {
                reason: EndReason::TooManyMisses,
            };
            Err(Error::TooManyAttempts)
        }
        _ => Err(Error::DataNotCorrect),
    };
    let action = match method {
        Method::Key6 => "recovery_key6",
        Method::SecurityQuestion => "recovery_security_answer",
        Method::Password => "recovery_password",
    };
    let account_id = flow.subject.as_ref().map(|s| s.account_id.as_str());
    let event = audit::record(
        deps,
        Event::person(action, account_id, audit::outcome(&result)),
        deps.clock.now(),
    );
    match &result {
        Err(Error::DataNotCorrect) => deps.store.write(event).await?,
        Err(Error::TooManyAttempts) => {
            deps.store.write(event).await?;
            crate::flows::stored::end(deps, Write::replace(item, &flow)).await?;
        }
        _ => {
            let mut writes = vec![Write::replace(item, &flow)];
            writes.extend(event);
            writes.extend(guess.forgiven);
            deps.store.write(writes).await?;
        }
    }
    result
}

/// R3: the card number and its Key6 in one step (the client shows them on two pages).
/// Attempts count per flow, per person and per card typed (known or not):
/// `key6_misses_per_card` within the window lock Key6 recovery for that card number.
pub async fn verify_key6(
    deps: &Deps,
    flow_id: &str,
    card: &CardNumber,
    key6: &Key6,
) -> Result<PhonePrompt, Error> {
    let now = deps.clock.now();
    let card_lookup = deps.pepper.lookup(purpose::CARD, card.digits());
    let mut items = deps
        .store
        .get_many(&[keys::flow(flow_id), keys::card(&card_lookup)])
        .await?
        .into_iter();
    let (item, flow): (_, RecoveryFlow) = crate::flows::stored::found(items.next().flatten())?;
    flow.check(now, |s| *s == State::AwaitingMethod)?;
    flow.offers(Method::Key6)?;
    let card_item = items.next().flatten();
    let settings = deps.profile.card_recovery()?;
    let mut key6_hash = None;
    if let (Some(subject), Some(card_item)) = (&flow.subject, card_item) {
        let card: Card = card_item.parse()?;
        if card.account_id.as_deref() == Some(subject.account_id.as_str()) {
            key6_hash = card.key6_hash;
        }
    }
    let mut limits = method_limits(deps, flow_id, &flow)?;
    limits.push(
        Limit::per_window(
            Budget::Card(&card_lookup),
            "LOCK",
            settings.key6_misses_per_card,
            settings.key6_window_hours * HOUR,
            now,
        )
        .refused_with(Refusal::Locked(|| Error::Key6Locked)),
    );
    let account_id = flow.subject.as_ref().map(|s| s.account_id.as_str());
    let guess = attempts::guess(
        deps,
        &limits,
        account_id,
        key6.expose(),
        key6_hash.as_deref(),
    )
    .await?;
    conclude_method(deps, &item, flow, Method::Key6, guess).await
}

/// R4: the answer to the question chosen at registration.
pub async fn verify_security_answer(
    deps: &Deps,
    flow_id: &str,
    answer: &SecurityAnswer,
) -> Result<PhonePrompt, Error> {
    let now = deps.clock.now();
    let (item, flow): (_, RecoveryFlow) = crate::flows::stored::read(deps, flow_id).await?;
    flow.check(now, |s| *s == State::AwaitingMethod)?;
    flow.offers(Method::SecurityQuestion)?;
    let stored = flow.subject.as_ref().and_then(|s| s.answer_hash.as_deref());
    let limits = method_limits(deps, flow_id, &flow)?;
    let account_id = flow.subject.as_ref().map(|s| s.account_id.as_str());
    let guess = attempts::guess(deps, &limits, account_id, answer.expose(), stored).await?;
    conclude_method(deps, &item, flow, Method::SecurityQuestion, guess).await
}

/// R5: the password, for email recovery only.
pub async fn verify_password(
    deps: &Deps,
    flow_id: &str,
    password: &str,
) -> Result<PhonePrompt, Error> {
    let now = deps.clock.now();
    let (item, flow): (_, RecoveryFlow) = crate::flows::stored::read(deps, flow_id).await?;
    flow.check(now, |s| *s == State::AwaitingMethod)?;
    flow.offers(Method::Password)?;
    let stored = flow
        .subject
        .as_ref()
        .and_then(|s| s.password_hash.as_deref());
    let limits = method_limits(deps, flow_id, &flow)?;
    let account_id = flow.subject.as_ref().map(|s| s.account_id.as_str());
    let guess = attempts::guess(deps, &limits, account_id, password, stored).await?;
    conclude_method(deps, &item, flow, Method::Password, guess).await
}

/// R6: the phone number, which must be one on file, typed whole or national (then read
/// in the countries of the numbers on file); then one SMS, through the gate (`sending`),
/// with a temporary password (password recovery) or the login email (email recovery),
/// sent through the outbox in the same write that completes the flow.
pub async fn verify_phone(
    deps: &Deps,
    flow_id: &str,
    typed: &TypedPhone,
    lang: Lang,
) -> Result<SmsSent, Error> {
    let now = deps.clock.now();
    let (item, mut flow): (_, RecoveryFlow) = crate::flows::stored::read(deps, flow_id).await?;
    flow.check(now, |s| matches!(s, State::AwaitingPhone { .. }))?;
    let subject = flow.subject.clone().ok_or(Error::WrongStep)?;
    let Some(phone) = crate::records::accounts::typed_on_file(deps, typed, &subject.phones) else {
        let error = flow.miss(deps.profile.card_recovery()?.max_misses_per_flow);
        let error = if matches!(error, Error::DataNotCorrect) {
            Error::PhoneNotMatching
        } else {
            error
        };
        let mut writes = vec![Write::replace(&item, &flow)];
        writes.extend(audit::record(
            deps,
            Event::person(
                "recovery_phone",
                Some(&subject.account_id),
                error.describe().code,
            ),
            now,
        ));
        deps.store.write(writes).await?;
        return Err(error);
    };
    let phone = &phone;
    let mut writes = Vec::new();
    let content = match flow.kind {
        RecoveryKind::Password => {
            let password = random_string(
                deps.random.as_ref(),
                crate::records::accounts::TEMPORARY_PASSWORD_ALPHABET,
                12,
            );
            let expires_at = now.0 + deps.profile.card_recovery()?.temporary_password_hours * HOUR;
            let temporary = TemporaryPassword {
                account_id: subject.account_id.clone(),
                // Under the password's salt: a login checks both with one computation.
                hash: deps.hasher.hash_like(
                    &password,
                    subject.password_hash.as_deref(),
                    deps.random.as_ref(),
                ),
                expires_at,
            };
            writes.push(Write::put(
                Item::new(keys::temporary_password(&subject.account_id), &temporary)
                    .with_gsi1(keys::login_index(&subject.login_key))
                    .expiring_at(expires_at + DAY),
            ));
            // The owner proved who they are: their next login needs no captcha.
            writes.extend(crate::limits::login_delay::cleared(
                deps,
                &subject.login_key,
                now,
            ));
            Template::TemporaryPassword {
                password,
                valid_hours: deps.profile.card_recovery()?.temporary_password_hours,
            }
        }
        RecoveryKind::Email => Template::LoginEmail {
            email: subject.email.clone(),
        },
    };
    flow.header.state = State::Completed;
    writes.push(Write::replace(&item, &flow));
    writes.extend(audit::record(
        deps,
        Event::person("recovery_completed", Some(&subject.account_id), "ok"),
        now,
    ));
    let about = About::account(&subject.account_id);
    writes.push(sending::sms(deps, phone, about, content, lang).await?);
    deps.store.write(writes).await?;
    Ok(SmsSent {
        sent_to: phone.hint(),
    })
}

#[cfg(test)]
mod tests;
