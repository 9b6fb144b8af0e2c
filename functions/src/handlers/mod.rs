//! One handler per step, all of one shape: `async fn(&Deps, Input) -> Result<Reply, Error>`.
//! Each input is parsed from the request in `FromRequest`, into domain types that are valid
//! once held; the handler only calls the domain.

use crate::http::ApiRequest;
use http::HeaderMap;
use serde::Deserialize;
use varco_domain::base::types;
use varco_domain::base::types::is_id;
use varco_domain::base::types::Email;
use varco_domain::base::types::OneTimeCode;
use varco_domain::base::types::ParseError;
use varco_domain::base::types::Password;
use varco_domain::base::types::PersonName;
use varco_domain::base::types::PhoneNumber;
use varco_domain::company::members;
use varco_domain::records::accounts::LoginName;
use varco_domain::Deps;
use varco_domain::Error;

pub(crate) mod companies;
pub(crate) mod factors;
pub(crate) mod legal_rep;
pub(crate) mod line_registration;
pub(crate) mod login_flow;
pub(crate) mod migration;
pub(crate) mod operator;
pub(crate) mod password_reset;
pub(crate) mod recovery;
pub(crate) mod registration;
pub(crate) mod selfservice;
pub(crate) mod sessions;
pub(crate) mod vat_registration;

/// A step's input, parsed from a request.
pub trait FromRequest: Sized {
    fn from_request(request: &ApiRequest) -> Result<Self, Error>;
}

pub(crate) fn parse<T: FromRequest>(request: &ApiRequest) -> Result<T, Error> {
    T::from_request(request)
}

/// No input: the request is not read.
impl FromRequest for () {
    fn from_request(_: &ApiRequest) -> Result<Self, Error> {
        Ok(())
    }
}

/// The client's address: the whole input of a step that counts requests by it.
impl FromRequest for std::net::IpAddr {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        Ok(request.source)
    }
}

/// The request's headers as they are: for a step whose input is headers that the profile
/// names (autologin).
impl FromRequest for HeaderMap {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        Ok(request.headers.clone())
    }
}

/// A flow id from the path: URL-safe base64, perhaps with a `.` and the id of the company
/// it concerns; anything else names no flow.
fn flow_id(request: &ApiRequest) -> Result<String, Error> {
    flow_id_of(request.param("flow_id")?)
}

/// A flow id as the path or a body gives it (`flow_id`).
fn flow_id_of(id: &str) -> Result<String, Error> {
    if !is_id(id, 128, true) {
        return Err(Error::FlowNotFound);
    }
    Ok(id.to_string())
}

/// An optional id path parameter: absent, valid, or answered with `unknown`.
fn id_param(
    request: &ApiRequest,
    name: &str,
    max: usize,
    unknown: Error,
) -> Result<Option<String>, Error> {
    match request.param(name) {
        Ok(id) if is_id(id, max, false) => Ok(Some(id.to_string())),
        Ok(_) => Err(unknown),
        Err(_) => Ok(None),
    }
}

/// A password (or an old username) as typed to prove who one is (`types::typed_password`),
/// or the field's error.
fn typed_password(field: &'static str, value: &str) -> Result<String, Error> {
    types::typed_password(value).map_err(Error::field(field))
}

/// A login name as typed: an `email`, or a `username` (read with the profile's settings in
/// the handler, `LoginName::parse_username`).
enum TypedLoginName {
    Email(Email),
    Username(String),
}

impl TypedLoginName {
    fn of(email: Option<String>, username: Option<String>) -> Result<TypedLoginName, Error> {
        match (email, username) {
            (Some(email), None) => Ok(TypedLoginName::Email(
                Email::parse(&email).map_err(Error::field("email"))?,
            )),
            (None, Some(username)) => Ok(TypedLoginName::Username(username)),
            _ => Err(Error::MalformedBody(
                "give either `email` or `username`".into(),
            )),
        }
    }

    fn read(self, deps: &Deps) -> Result<LoginName, Error> {
        match self {
            TypedLoginName::Email(email) => Ok(LoginName::Email(email)),
            TypedLoginName::Username(username) => {
                LoginName::parse_username(deps, &username).map_err(Error::field("username"))
            }
        }
    }
}

pub struct BearerInput {
    token: String,
}

/// The bearer token, checked first: without one the answer is 401 whatever the body.
fn bearer(request: &ApiRequest) -> Result<String, Error> {
    request
        .bearer()
        .map(str::to_string)
        .ok_or(Error::Unauthenticated)
}

impl FromRequest for BearerInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        Ok(BearerInput {
            token: bearer(request)?,
        })
    }
}

pub struct CodeInput {
    flow_id: String,
    code: OneTimeCode,
}

impl FromRequest for CodeInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            code: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(CodeInput {
            flow_id,
            code: OneTimeCode::parse(&body.code).map_err(Error::field("code"))?,
        })
    }
}

/// A logged-in person's code (`code`): of a pending change, of an authenticator's setup.
pub struct ConfirmChangeInput {
    token: String,
    code: OneTimeCode,
}

impl FromRequest for ConfirmChangeInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            code: String,
        }
        let token = bearer(request)?;
        let body: Body = request.json()?;
        Ok(ConfirmChangeInput {
            token,
            code: OneTimeCode::parse(&body.code).map_err(Error::field("code"))?,
        })
    }
}

/// A logged-in person's step that asks for the password again (`password`).
pub struct PasswordAgainInput {
    token: String,
    password: String,
}

impl FromRequest for PasswordAgainInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            password: String,
        }
        let token = bearer(request)?;
        let body: Body = request.json()?;
        Ok(PasswordAgainInput {
            token,
            password: typed_password("password", &body.password)?,
        })
    }
}

pub struct ResendInput {
    flow_id: String,
    phone: PhoneNumber,
}

impl FromRequest for ResendInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            phone: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(ResendInput {
            flow_id,
            phone: PhoneNumber::parse(&body.phone).map_err(Error::field("phone"))?,
        })
    }
}

pub struct CodeAndPasswordInput {
    flow_id: String,
    code: OneTimeCode,
    new_password: Password,
}

impl FromRequest for CodeAndPasswordInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            code: String,
            new_password: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(CodeAndPasswordInput {
            flow_id,
            code: OneTimeCode::parse(&body.code).map_err(Error::field("code"))?,
            new_password: Password::parse(&body.new_password).map_err(Error::WeakPassword)?,
        })
    }
}

/// A name or surname as typed: 1 to 100 characters, not blank.
fn person_name(field: &'static str, value: String) -> Result<String, Error> {
    PersonName::parse(&value)
        .map(PersonName::into_string)
        .map_err(Error::field(field))
}

/// A company id from the path. One that cannot be a company's is one the caller does not
/// administer.
fn company_id(request: &ApiRequest) -> Result<String, Error> {
    id_param(request, "company_id", 64, Error::NotCompanyAdmin)?.ok_or(Error::RouteNotFound)
}

/// A company's id and, for the steps on one invitation or member, its id.
pub struct CompanyInput {
    token: String,
    company_id: String,
    invitation_id: Option<String>,
    account_id: Option<String>,
}

impl FromRequest for CompanyInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        let token = bearer(request)?;
        let company_id = company_id(request)?;
        let invitation_id = id_param(request, "invitation_id", 16, Error::InvitationNotFound)?;
        let account_id = id_param(request, "account_id", 64, Error::MemberNotFound)?;
        Ok(CompanyInput {
            token,
            company_id,
            invitation_id,
            account_id,
        })
    }
}

impl CompanyInput {
    fn invitation_id(&self) -> Result<&str, Error> {
        self.invitation_id.as_deref().ok_or(Error::RouteNotFound)
    }

    fn account_id(&self) -> Result<&str, Error> {
        self.account_id.as_deref().ok_or(Error::RouteNotFound)
    }
}

/// Which page of a list: `?cursor=<next of the previous page>&limit=<1..500>`.
pub struct PageInput {
    company: CompanyInput,
    cursor: Option<String>,
    limit: usize,
}

impl FromRequest for PageInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        let company = CompanyInput::from_request(request)?;
        let (cursor, limit) = page_of(request)?;
        Ok(PageInput {
            company,
            cursor,
            limit,
        })
    }
}

/// The page a list's query asks for: `cursor` and `limit` (default 100).
fn page_of(request: &ApiRequest) -> Result<(Option<String>, usize), Error> {
    let cursor = match request.query_param("cursor") {
        Some(c) if is_id(c, 128, true) => Some(c.to_string()),
        Some(_) => return Err(Error::field("cursor")(ParseError::Format)),
        None => None,
    };
    let limit = match request.query_param("limit") {
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=members::MAX_PAGE).contains(l))
            .ok_or(Error::field("limit")(ParseError::Format))?,
        None => 100,
    };
    Ok((cursor, limit))
}
