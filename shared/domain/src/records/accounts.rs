//! Accounts as stored: what an account is, logs in with and belongs to, the writes that
//! create one and claim its login name, and cardholders' provisioning. Logging in is in
//! `login`, a person's own changes in `selfservice`.

use crate::base::clock::Timestamp;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::random::new_id;
use crate::base::store::{Condition, Item, Write};
use crate::base::types::{BirthDate, Email, ParseError, Password, PhoneNumber, Username};
use crate::records::cards::{card_role_item, Card, CardValidity, NewCardholder};
use crate::records::factors::SecondFactors;
use serde::{Deserialize, Serialize};

/// A phone number on file: its keyed hash (to compare what a person types) and its masked
/// hint (to show). The number itself is not kept for recovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneOnFile {
    pub lookup: String,
    pub hint: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecurityQuestionOnFile {
    pub question_id: String,
    pub answer_hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub email: String,
    /// Whether `email` was typed where only something else was proven (a card, a line, old
    /// credentials) and no code sent to it has come back yet: until then no reset code goes
    /// to it (it may be mistyped, and its holder a stranger). Proven by an email change to
    /// it (C5); an address from an activation link or an invitation is proven.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub email_unproven: bool,
    pub display_name: String,
    pub birth_date: Option<BirthDate>,
    pub password_hash: Option<String>,
    /// Grows at every password change; tokens issued under an older one stop working.
    pub password_version: u32,
    pub security_question: Option<SecurityQuestionOnFile>,
    /// Whether any of the person's cards has a Key6 (recovery method R3).
    pub key6_enabled: bool,
    /// Phones certified by the transaction-alert service of a card (R7).
    pub certified_phones: Vec<PhoneOnFile>,
    /// The mobile the person confirmed with a code (registration, migration, N7).
    #[serde(default)]
    pub mobile: Option<PhoneOnFile>,
    /// The companies the person acts for, with a role in each.
    #[serde(default)]
    pub memberships: Vec<Membership>,
    /// What the person logs in with.
    #[serde(default)]
    pub login: Login,
    /// The mobile lines associated with the account (W7, W11).
    #[serde(default)]
    pub lines: Vec<PhoneOnFile>,
    /// What the person proves at login beyond the first factor.
    #[serde(default, skip_serializing_if = "SecondFactors::is_empty")]
    pub factors: SecondFactors,
}

/// What an account logs in with: one login name, in the login index (gsi1) and claimed by
/// one item, so that login finds the account in one query and two accounts never share it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Login {
    /// The login email (`Account::email`), compared canonically (C6).
    #[default]
    Email,
    /// A username, compared exactly (W4).
    Username { username: String },
    /// A mobile line, for employees (W7, W8): its keyed hash and hint.
    Line { line: PhoneOnFile },
}

/// A login name as typed: an email, a username, or a line number.
#[derive(Debug, Clone)]
pub enum LoginName {
    Email(Email),
    Username(Username),
    Line(PhoneNumber),
}

impl LoginName {
    /// What is typed in a "username" field: all digits (with spaces or a `+`) is a line
    /// number, international or national to the profile's country; anything else is a
    /// username (usernames hold a letter, so the two never mix).
    pub fn parse_username(deps: &Deps, input: &str) -> Result<LoginName, ParseError> {
        let looks_like_number = !input.trim().is_empty()
            && input
                .trim()
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.'));
        if !looks_like_number {
            return Username::parse(input).map(LoginName::Username);
        }
        let trimmed = input.trim();
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        match (&deps.profile.login.national_prefix, international) {
            (Some(prefix), false) => PhoneNumber::parse(&format!("{prefix}{trimmed}")),
            _ => PhoneNumber::parse(trimmed),
        }
        .map(LoginName::Line)
    }

    /// The name's form in the login index and its claim: the canonical email (C6), the
    /// username as typed (W4), or the line's keyed hash.
    pub fn key(&self, deps: &Deps) -> String {
        match self {
            LoginName::Email(email) => email.canonical().to_string(),
            LoginName::Username(username) => keys::username_login_key(username.as_str()),
            LoginName::Line(phone) => {
                keys::line_login_key(&deps.pepper.lookup(purpose::PHONE, phone.e164()))
            }
        }
    }
}

/// Refuses a new password made of the person's own context (`context`: the account's, as
/// `Account::password_context` gives it) or of the portal's name: `weak_password` with the
/// reason `context` (ASVS 5.0 6.2, NIST SP 800-63B).
pub fn new_password_outside<'a>(
    deps: &'a Deps,
    password: &Password,
    mut context: Vec<&'a str>,
) -> Result<(), Error> {
    context.push(&deps.profile.display_name);
    password.outside(&context).map_err(Error::WeakPassword)
}

impl Account {
    /// A new account of a company portal (registration, migration, activation): a password
    /// (not of the person's own context), perhaps a confirmed mobile, one membership, and
    /// what it logs in with.
    pub fn for_portal(
        deps: &Deps,
        email: String,
        display_name: String,
        password: &Password,
        mobile: Option<PhoneOnFile>,
        membership: Membership,
        login: Login,
    ) -> Result<Account, Error> {
        let mut account =
            Account::without_password(deps, email, display_name, mobile, membership, login);
        new_password_outside(deps, password, account.password_context())?;
        account.password_hash = Some(deps.hasher.hash(password.expose(), deps.random.as_ref()));
        Ok(account)
    }

    /// What a password of this account must not be made of: the email, the name, the
    /// username, the companies' names.
    pub fn password_context(&self) -> Vec<&str> {
        let mut context = vec![self.email.as_str(), self.display_name.as_str()];
        if let Login::Username { username } = &self.login {
            context.push(username);
        }
        context.extend(self.memberships.iter().map(|m| m.company_name.as_str()));
        context
    }

    /// A new account of a company portal that has no password yet (T1: the operator
    /// registered it; its first access sets one). Nobody can log in to it until then.
    pub fn without_password(
        deps: &Deps,
        email: String,
        display_name: String,
        mobile: Option<PhoneOnFile>,
        membership: Membership,
        login: Login,
    ) -> Account {
        Account {
            id: new_id(deps.random.as_ref()),
            email,
            email_unproven: false,
            display_name,
            birth_date: None,
            password_hash: None,
            password_version: 1,
            security_question: None,
            key6_enabled: false,
            certified_phones: Vec::new(),
            mobile,
            lines: match &login {
                Login::Line { line } => vec![line.clone()],
                _ => Vec::new(),
            },
            memberships: vec![membership],
            login,
            factors: SecondFactors::default(),
        }
    }

    /// The writes that create the account, findable and claimed by its login name, and
    /// listed among the members of its companies; the claim (the second write) fails if
    /// another account has the name.
    pub fn create(&self, now: crate::base::clock::Timestamp) -> Result<Vec<Write>, Error> {
        let login_key = self.login_key()?;
        let mut writes = vec![
            Write::create(
                Item::new(keys::account(&self.id), self).with_gsi1(keys::login_index(&login_key)),
            ),
            claim_login(&login_key, &self.id),
        ];
        for membership in &self.memberships {
            writes.push(member_write(self, membership, now));
        }
        Ok(writes)
    }

    /// The writes that free the account's login name and the SIMs associated with it (W11)
    /// for another account, when the account goes.
    pub fn release_login_names(&self) -> Result<Vec<Write>, Error> {
        let login_key = self.login_key()?;
        let mut writes = vec![Write::delete(
            keys::login_claim(&login_key),
            Condition::None,
        )];
        for line in &self.lines {
            let key = keys::line_login_key(&line.lookup);
            if key != login_key {
                writes.push(Write::delete(keys::login_claim(&key), Condition::None));
            }
        }
        Ok(writes)
    }

    /// The account's login name in the login index and its claim (see `LoginName::key`).
    pub fn login_key(&self) -> Result<String, Error> {
        Ok(match &self.login {
            Login::Email => Email::parse(&self.email)
                .map_err(|e| Error::Internal(Box::new(e)))?
                .canonical()
                .to_string(),
            Login::Username { username } => keys::username_login_key(username),
            Login::Line { line } => keys::line_login_key(&line.lookup),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub company_id: String,
    pub company_name: String,
    /// A role id of the profile.
    pub role: String,
    /// For a role that needs a valid company card (N3): that card's validity, as last known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardValidity>,
    /// For a role held by one person at a time (a company's Administrator, a VAT's User
    /// Admin): the item that holds the seat, freed when the account is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<crate::base::store::Key>,
    /// C3: the contracts of the property's units (`units`) that the holder is the contact of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contracts: Vec<String>,
    /// T4: the invitation that associated the holder with a line of the company; removing
    /// the holder's access frees the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_invitation: Option<String>,
}

/// The write that links `account` to the company card `card_lookup` its role in
/// `company_id` rests on. The link is in the N3 job's index under the hour the card's grace
/// period ends (`keys::Buckets`), and moves when the card's validity changes.
pub fn link_card_role(
    deps: &Deps,
    card_lookup: &str,
    account: &Account,
    company_id: &str,
) -> Write {
    let validity = account
        .memberships
        .iter()
        .find(|m| m.company_id == company_id)
        .and_then(|m| m.card);
    Write::put(card_role_item(
        deps,
        card_lookup,
        &account.id,
        company_id,
        validity,
    ))
}

impl Membership {
    /// Whether the membership still gives access: a role that needs a valid company card
    /// loses it when the card's grace period is over.
    pub fn usable(&self, profile: &crate::base::profile::Profile, now: i64) -> bool {
        let needs_card = profile.role(&self.role).is_some_and(|r| r.needs_valid_card);
        !needs_card
            || self
                .card
                .is_some_and(|c| c.within_grace(now, profile.card_grace_seconds()))
    }
}

/// The letters and digits of temporary passwords (no look-alikes such as 0 and O, 1 and l).
pub const TEMPORARY_PASSWORD_ALPHABET: &[u8] =
    b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemporaryPassword {
    pub account_id: String,
    pub hash: String,
    pub expires_at: i64,
}

pub fn phone_on_file(deps: &Deps, phone: &PhoneNumber) -> PhoneOnFile {
    PhoneOnFile {
        lookup: deps.pepper.lookup(purpose::PHONE, phone.e164()),
        hint: phone.hint(),
    }
}

/// Which of the numbers `on_file` the person typed (`typed`: whole, or national, read in
/// the countries of the numbers on file), if any.
pub fn typed_on_file(
    deps: &Deps,
    typed: &crate::base::types::TypedPhone,
    on_file: &[PhoneOnFile],
) -> Option<PhoneNumber> {
    let countries: Vec<u16> = on_file
        .iter()
        .filter_map(|p| crate::base::types::country_code_of_hint(&p.hint))
        .collect();
    typed.candidates(&countries).into_iter().find(|phone| {
        let lookup = deps.pepper.lookup(purpose::PHONE, phone.e164());
        on_file.iter().any(|p| p.lookup == lookup)
    })
}

/// The writes that create a cardholder's account and cards; fails with `Conflict` (when
/// written) if the account or a card exists already.
pub fn provision_cardholder(deps: &Deps, new: &NewCardholder) -> Vec<Write> {
    let random = deps.random.as_ref();
    let id = new_id(random);
    let mut phones: Vec<PhoneOnFile> = Vec::new();
    for phone in new.cards.iter().filter_map(|c| c.alert_phone.as_ref()) {
        let on_file = phone_on_file(deps, phone);
        if !phones.contains(&on_file) {
            phones.push(on_file);
        }
    }
    let account = Account {
        id: id.clone(),
        email: new.email.as_str().to_string(),
        email_unproven: false,
        display_name: new.display_name.clone(),
        birth_date: Some(new.birth_date),
        password_hash: new
            .password
            .as_ref()
            .map(|p| deps.hasher.hash(p.expose(), random)),
        password_version: 1,
        security_question: new.security_question.as_ref().map(|(question_id, answer)| {
            SecurityQuestionOnFile {
                question_id: question_id.clone(),
                answer_hash: deps.hasher.hash(answer.expose(), random),
            }
        }),
        key6_enabled: new.cards.iter().any(|c| c.key6.is_some()),
        certified_phones: phones,
        mobile: None,
        memberships: Vec::new(),
        login: Login::Email,
        lines: Vec::new(),
        factors: SecondFactors::default(),
    };
    let fiscal = deps
        .pepper
        .lookup(purpose::FISCAL_CODE, new.fiscal_code.as_str());
    let mut writes = vec![
        Write::create(
            Item::new(keys::account(&id), &account)
                .with_gsi1(keys::login_index(new.email.canonical()))
                .with_gsi2(keys::fiscal_code_index(&fiscal)),
        ),
        claim_login(new.email.canonical(), &id),
    ];
    for card in &new.cards {
        let doc = Card {
            account_id: Some(id.clone()),
            last4: card.number.last4().to_string(),
            key6_hash: card
                .key6
                .as_ref()
                .map(|k| deps.hasher.hash(k.expose(), random)),
            company: None,
        };
        writes.push(Write::create(Item::new(
            keys::card(&deps.pepper.lookup(purpose::CARD, card.number.digits())),
            &doc,
        )));
    }
    writes
}

/// The write that claims a login name (`LoginName::key`) for an account; fails (when
/// written) if another account has it.
pub fn claim_login(login_key: &str, account_id: &str) -> Write {
    Write::create(Item::new(
        keys::login_claim(login_key),
        &serde_json::json!({ "account_id": account_id }),
    ))
}

/// A person with access to a company, as its administrators see them: the item that lists
/// an account among a company's members.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub account_id: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub since: i64,
}

/// The write that lists `account` among the members of the company of `membership`.
pub fn member_write(account: &Account, membership: &Membership, now: Timestamp) -> Write {
    Write::put(Item::new(
        keys::member(&membership.company_id, &account.id),
        &Member {
            account_id: account.id.clone(),
            display_name: account.display_name.clone(),
            email: account.email.clone(),
            role: membership.role.clone(),
            since: now.0,
        },
    ))
}
