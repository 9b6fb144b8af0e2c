//! One handler per step, all of one shape: `async fn(&Deps, Input) -> Result<Reply, Error>`.
//! Each input is parsed from the request in `FromRequest`, into domain types that are valid
//! once held; the handler only calls the domain.

use crate::http::{ApiRequest, Reply};
use crate::routes::Step;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::accounts::LoginName;
use varco_domain::invitations::{self, Acceptance, NewInvitation};
use varco_domain::line_registration::{self, StartLineRegistration};
use varco_domain::messages::Lang;
use varco_domain::migration::{self, StartMigration};
use varco_domain::recovery::{self, RecoveryKind, StartRecovery};
use varco_domain::registration::{self, Credentials, StartRegistration};
use varco_domain::types::{
    is_id, BirthDate, CardNumber, Email, FiscalCode, Key6, OneTimeCode, ParseError, Password,
    PersonName, PhoneNumber, RegistrationCode, SecurityAnswer, TypedPhone, Username, VatNumber,
};
use varco_domain::vat_registration::{self, Activation, StartVatRegistration};
use varco_domain::{
    accounts, autologin, codes, company_lines, legal_rep, members, operator, password_reset,
    selfservice, sessions, units,
};
use varco_domain::{Deps, Error};

pub async fn run(deps: &Deps, step: Step, request: &ApiRequest) -> Result<Reply, Error> {
    if step.flow().is_some_and(|flow| !deps.profile.offers(flow)) {
        // Without a token a logged-in step answers 401 first, whatever else is wrong.
        if step.needs_bearer() && request.bearer().is_none() {
            return Err(Error::Unauthenticated);
        }
        return Err(Error::NotOffered);
    }
    if step.sends_without_login() {
        varco_domain::sending::admit_source(deps, request.source).await?;
    }
    match step {
        Step::IssueCaptcha => issue_captcha(deps).await,
        Step::StartRecovery => start_recovery(deps, parse(request)?).await,
        Step::VerifyKey6 => verify_key6(deps, parse(request)?).await,
        Step::VerifySecurityAnswer => verify_security_answer(deps, parse(request)?).await,
        Step::VerifyRecoveryPassword => verify_recovery_password(deps, parse(request)?).await,
        Step::VerifyRecoveryPhone => verify_recovery_phone(deps, parse(request)?).await,
        Step::Login => login(deps, parse(request)?).await,
        Step::GetAccount => get_account(deps, parse(request)?).await,
        Step::ListMyUnits => list_my_units(deps, parse(request)?).await,
        Step::ListCompanyLines => list_company_lines(deps, parse(request)?).await,
        Step::ChangePassword => change_password(deps, parse(request)?).await,
        Step::RefreshSession => refresh_session(deps, parse(request)?).await,
        Step::Logout => logout(deps, parse(request)?).await,
        Step::StartRegistration => start_registration(deps, parse(request)?).await,
        Step::ConfirmRegistrationCode => confirm_registration_code(deps, parse(request)?).await,
        Step::ResendRegistrationCode => resend_registration_code(deps, parse(request)?).await,
        Step::CompleteRegistration => complete_registration(deps, parse(request)?).await,
        Step::StartMigration => start_migration(deps, parse(request)?).await,
        Step::CompleteMigration => complete_migration(deps, parse(request)?).await,
        Step::ResendMigrationCode => resend_migration_code(deps, parse(request)?).await,
        Step::StartMobileChange => start_mobile_change(deps, parse(request)?).await,
        Step::ConfirmMobileChange => confirm_change(deps, "MOBILE", parse(request)?).await,
        Step::StartEmailChange => start_email_change(deps, parse(request)?).await,
        Step::ConfirmEmailChange => confirm_change(deps, "EMAIL", parse(request)?).await,
        Step::DeleteAccount => delete_account(deps, parse(request)?).await,
        Step::StartVatRegistration => start_vat_registration(deps, parse(request)?).await,
        Step::ActivateVatRegistration => activate_vat_registration(deps, parse(request)?).await,
        Step::StartLineRegistration => start_line_registration(deps, parse(request)?).await,
        Step::VerifyLinePuk => verify_line_puk(deps, parse(request)?).await,
        Step::ResendLineCode => resend_line_code(deps, parse(request)?).await,
        Step::CompleteLineRegistration => complete_line_registration(deps, parse(request)?).await,
        Step::StartPasswordReset => start_password_reset(deps, parse(request)?).await,
        Step::SendResetCode => send_reset_code(deps, parse(request)?).await,
        Step::CompletePasswordReset => complete_password_reset(deps, parse(request)?).await,
        Step::Autologin => autologin(deps, request).await,
        Step::ViewKey6 => view_key6(deps, parse(request)?).await,
        Step::ResendUsername => resend_username(deps, parse(request)?).await,
        Step::SendFirstAccessCode => send_first_access_code(deps, parse(request)?).await,
        Step::CompleteFirstAccess => complete_first_access(deps, parse(request)?).await,
        Step::StartLineAssociation => start_line_association(deps, parse(request)?).await,
        Step::ConfirmLineAssociation => confirm_change(deps, "LINE", parse(request)?).await,
        Step::CreateInvitation => create_invitation(deps, parse(request)?).await,
        Step::SendInvitation => send_invitation(deps, parse(request)?).await,
        Step::RevokeInvitation => revoke_invitation(deps, parse(request)?).await,
        Step::ListCompanyUsers => list_company_users(deps, parse(request)?).await,
        Step::AcceptInvitation => accept_invitation(deps, parse(request)?).await,
        Step::JoinCompany => join_company(deps, parse(request)?).await,
        Step::ChangeRole => change_role(deps, parse(request)?).await,
        Step::RemoveAccess => remove_access(deps, parse(request)?).await,
        Step::ReadAuditTrail => read_audit_trail(deps, parse(request)?).await,
        Step::RevokeCompanyRegistration => revoke_company_registration(deps, parse(request)?).await,
        Step::ReadCompanyAuditTrail => read_company_audit_trail(deps, parse(request)?).await,
        Step::ReadAuditLog => read_audit_log(deps, parse(request)?).await,
    }
}

/// A step's input, parsed from a request.
pub trait FromRequest: Sized {
    fn from_request(request: &ApiRequest) -> Result<Self, Error>;
}

fn parse<T: FromRequest>(request: &ApiRequest) -> Result<T, Error> {
    T::from_request(request)
}

/// A flow id from the path: URL-safe base64, perhaps with a `.` and the id of the company
/// it concerns; anything else names no flow.
fn flow_id(request: &ApiRequest) -> Result<String, Error> {
    let id = request.param("flow_id")?;
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

async fn issue_captcha(deps: &Deps) -> Result<Reply, Error> {
    Ok(Reply::json(
        StatusCode::CREATED,
        &deps.captcha.challenge(deps.clock.now()),
    ))
}

pub struct StartRecoveryInput {
    start: StartRecovery,
    lang: Lang,
}

impl FromRequest for StartRecoveryInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            kind: RecoveryKind,
            fiscal_code: String,
            birth_date: String,
            captcha: String,
        }
        let body: Body = request.json()?;
        Ok(StartRecoveryInput {
            start: StartRecovery {
                kind: body.kind,
                fiscal_code: FiscalCode::parse(&body.fiscal_code)
                    .map_err(Error::field("fiscal_code"))?,
                birth_date: BirthDate::parse(&body.birth_date)
                    .map_err(Error::field("birth_date"))?,
                captcha: body.captcha,
            },
            lang: request.lang(),
        })
    }
}

async fn start_recovery(deps: &Deps, input: StartRecoveryInput) -> Result<Reply, Error> {
    let started = recovery::start(deps, input.start, input.lang).await?;
    Ok(Reply::json(StatusCode::CREATED, &started))
}

pub struct VerifyKey6Input {
    flow_id: String,
    card_number: CardNumber,
    key6: Key6,
}

impl FromRequest for VerifyKey6Input {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            card_number: String,
            key6: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(VerifyKey6Input {
            flow_id,
            card_number: CardNumber::parse(&body.card_number)
                .map_err(Error::field("card_number"))?,
            key6: Key6::parse(&body.key6).map_err(Error::field("key6"))?,
        })
    }
}

async fn verify_key6(deps: &Deps, input: VerifyKey6Input) -> Result<Reply, Error> {
    let prompt =
        recovery::verify_key6(deps, &input.flow_id, &input.card_number, &input.key6).await?;
    Ok(Reply::json(StatusCode::OK, &prompt))
}

pub struct VerifySecurityAnswerInput {
    flow_id: String,
    answer: SecurityAnswer,
}

impl FromRequest for VerifySecurityAnswerInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            answer: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(VerifySecurityAnswerInput {
            flow_id,
            answer: SecurityAnswer::parse(&body.answer).map_err(Error::field("answer"))?,
        })
    }
}

async fn verify_security_answer(
    deps: &Deps,
    input: VerifySecurityAnswerInput,
) -> Result<Reply, Error> {
    let prompt = recovery::verify_security_answer(deps, &input.flow_id, &input.answer).await?;
    Ok(Reply::json(StatusCode::OK, &prompt))
}

/// A password (or an old username) as typed to prove who one is: not held to the policy
/// for new passwords (it was set under older rules, perhaps), only bounded.
fn typed_password(field: &'static str, value: &str) -> Result<String, Error> {
    if value.is_empty() {
        return Err(Error::InvalidField {
            field,
            reason: varco_domain::types::ParseError::Empty,
        });
    }
    if value.chars().count() > 1024 {
        return Err(Error::InvalidField {
            field,
            reason: varco_domain::types::ParseError::TooLong,
        });
    }
    Ok(value.to_string())
}

pub struct VerifyRecoveryPasswordInput {
    flow_id: String,
    password: String,
}

impl FromRequest for VerifyRecoveryPasswordInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            password: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(VerifyRecoveryPasswordInput {
            flow_id,
            password: typed_password("password", &body.password)?,
        })
    }
}

async fn verify_recovery_password(
    deps: &Deps,
    input: VerifyRecoveryPasswordInput,
) -> Result<Reply, Error> {
    let prompt = recovery::verify_password(deps, &input.flow_id, &input.password).await?;
    Ok(Reply::json(StatusCode::OK, &prompt))
}

pub struct VerifyRecoveryPhoneInput {
    flow_id: String,
    phone: TypedPhone,
    lang: Lang,
}

impl FromRequest for VerifyRecoveryPhoneInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        /// The number (`phone`: whole, or national, read in the country of the number on
        /// file), or an international prefix and the number typed apart.
        #[derive(Deserialize)]
        struct Body {
            phone: Option<String>,
            prefix: Option<String>,
            number: Option<String>,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        let phone = match (body.phone, body.prefix, body.number) {
            (Some(phone), None, None) => {
                TypedPhone::parse(&phone).map_err(Error::field("phone"))?
            }
            (None, Some(prefix), Some(number)) => TypedPhone::Whole(
                PhoneNumber::parse_parts(&prefix, &number).map_err(Error::field("number"))?,
            ),
            _ => {
                return Err(Error::MalformedBody(
                    "give `phone`, or `prefix` and `number`".into(),
                ))
            }
        };
        Ok(VerifyRecoveryPhoneInput {
            flow_id,
            phone,
            lang: request.lang(),
        })
    }
}

async fn verify_recovery_phone(
    deps: &Deps,
    input: VerifyRecoveryPhoneInput,
) -> Result<Reply, Error> {
    let sent = recovery::verify_phone(deps, &input.flow_id, &input.phone, input.lang).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}

/// Login by `email`, or by `username`: a username, or a line number for employees.
pub struct LoginInput {
    name: TypedLoginName,
    password: String,
}

impl FromRequest for LoginInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            email: Option<String>,
            username: Option<String>,
            password: String,
        }
        let body: Body = request.json()?;
        Ok(LoginInput {
            name: TypedLoginName::of(body.email, body.username)?,
            password: typed_password("password", &body.password)?,
        })
    }
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

async fn login(deps: &Deps, input: LoginInput) -> Result<Reply, Error> {
    let name = input.name.read(deps)?;
    let session = accounts::login(deps, &name, &input.password).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

/// W9: the headers the profile names (the line, the gateway's key) are the whole input; a
/// body is ignored.
async fn autologin(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let settings = varco_domain::profile::Profile::section(&deps.profile.autologin)?;
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let session = autologin::autologin(
        deps,
        autologin::AutologinRequest {
            line: header(&settings.line_header),
            time: header(&settings.time_header),
            proof: header(&settings.proof_header),
        },
    )
    .await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
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

async fn get_account(deps: &Deps, input: BearerInput) -> Result<Reply, Error> {
    let view = accounts::get_account(deps, &input.token).await?;
    Ok(Reply::json(StatusCode::OK, &view))
}

async fn list_my_units(deps: &Deps, input: BearerInput) -> Result<Reply, Error> {
    let units = units::my_units(deps, &input.token).await?;
    Ok(Reply::json(StatusCode::OK, &units))
}

pub struct ChangePasswordInput {
    token: String,
    current_password: Option<String>,
    new_password: Password,
}

impl FromRequest for ChangePasswordInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            current_password: Option<String>,
            new_password: String,
        }
        let token = bearer(request)?;
        let body: Body = request.json()?;
        Ok(ChangePasswordInput {
            token,
            current_password: body
                .current_password
                .map(|p| typed_password("current_password", &p))
                .transpose()?,
            new_password: Password::parse(&body.new_password).map_err(Error::WeakPassword)?,
        })
    }
}

async fn change_password(deps: &Deps, input: ChangePasswordInput) -> Result<Reply, Error> {
    accounts::change_password(
        deps,
        &input.token,
        input.current_password.as_deref(),
        &input.new_password,
    )
    .await?;
    Ok(Reply::no_content())
}

pub struct RefreshInput {
    refresh_token: String,
}

impl FromRequest for RefreshInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            refresh_token: String,
        }
        let body: Body = request.json()?;
        Ok(RefreshInput {
            refresh_token: body.refresh_token,
        })
    }
}

async fn refresh_session(deps: &Deps, input: RefreshInput) -> Result<Reply, Error> {
    let session = sessions::refresh(deps, &input.refresh_token).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

async fn logout(deps: &Deps, input: BearerInput) -> Result<Reply, Error> {
    sessions::logout(deps, &input.token).await?;
    Ok(Reply::no_content())
}

pub struct StartRegistrationInput {
    start: StartRegistration,
    lang: Lang,
}

impl FromRequest for StartRegistrationInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            card_number: String,
            registration_code: String,
            phone: String,
            captcha: String,
        }
        let body: Body = request.json()?;
        Ok(StartRegistrationInput {
            start: StartRegistration {
                card: CardNumber::parse(&body.card_number).map_err(Error::field("card_number"))?,
                registration_code: RegistrationCode::parse(&body.registration_code)
                    .map_err(Error::field("registration_code"))?,
                phone: PhoneNumber::parse(&body.phone).map_err(Error::field("phone"))?,
                captcha: body.captcha,
            },
            lang: request.lang(),
        })
    }
}

async fn start_registration(deps: &Deps, input: StartRegistrationInput) -> Result<Reply, Error> {
    let sent = registration::start(deps, input.start, input.lang).await?;
    Ok(Reply::json(StatusCode::CREATED, &sent))
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

async fn confirm_registration_code(deps: &Deps, input: CodeInput) -> Result<Reply, Error> {
    let confirmed = registration::confirm_code(deps, &input.flow_id, &input.code).await?;
    Ok(Reply::json(StatusCode::OK, &confirmed))
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

async fn resend_migration_code(deps: &Deps, input: ResendInput) -> Result<Reply, Error> {
    let sent =
        codes::resend::<migration::MigrationFlow>(deps, &input.flow_id, &input.phone).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}

async fn resend_registration_code(deps: &Deps, input: ResendInput) -> Result<Reply, Error> {
    let sent =
        codes::resend::<registration::RegistrationFlow>(deps, &input.flow_id, &input.phone).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}

pub struct CredentialsInput {
    flow_id: String,
    credentials: Credentials,
}

impl FromRequest for CredentialsInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            email: String,
            password: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(CredentialsInput {
            flow_id,
            credentials: Credentials {
                email: Email::parse(&body.email).map_err(Error::field("email"))?,
                password: Password::parse(&body.password).map_err(Error::WeakPassword)?,
            },
        })
    }
}

async fn complete_registration(deps: &Deps, input: CredentialsInput) -> Result<Reply, Error> {
    let session = registration::complete(deps, &input.flow_id, input.credentials).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub struct StartMigrationInput {
    start: StartMigration,
    lang: Lang,
}

impl FromRequest for StartMigrationInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            username: String,
            password: String,
            phone: String,
            email: String,
            captcha: String,
        }
        let body: Body = request.json()?;
        Ok(StartMigrationInput {
            start: StartMigration {
                username: typed_password("username", &body.username)?,
                password: typed_password("password", &body.password)?,
                phone: PhoneNumber::parse(&body.phone).map_err(Error::field("phone"))?,
                email: Email::parse(&body.email).map_err(Error::field("email"))?,
                captcha: body.captcha,
            },
            lang: request.lang(),
        })
    }
}

async fn start_migration(deps: &Deps, input: StartMigrationInput) -> Result<Reply, Error> {
    let sent = migration::start(deps, input.start, input.lang).await?;
    Ok(Reply::json(StatusCode::CREATED, &sent))
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

async fn complete_migration(deps: &Deps, input: CodeAndPasswordInput) -> Result<Reply, Error> {
    let migrated =
        migration::complete(deps, &input.flow_id, &input.code, &input.new_password).await?;
    Ok(Reply::json(StatusCode::CREATED, &migrated))
}

/// A change of the account's mobile or email: the bearer token, the password typed again,
/// and the new value.
pub struct ChangeInput<T> {
    token: String,
    password: String,
    new: T,
    lang: Lang,
}

fn change_input<T>(
    request: &ApiRequest,
    field: &'static str,
    parse: impl Fn(&str) -> Result<T, varco_domain::types::ParseError>,
) -> Result<ChangeInput<T>, Error> {
    let token = bearer(request)?;
    let body: serde_json::Map<String, serde_json::Value> = request.json()?;
    let text = |name: &str| {
        body.get(name)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::MalformedBody(format!("`{name}` (a string) is missing")))
    };
    Ok(ChangeInput {
        token,
        password: typed_password("password", text("password")?)?,
        new: parse(text(field)?).map_err(Error::field(field))?,
        lang: request.lang(),
    })
}

impl FromRequest for ChangeInput<PhoneNumber> {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        change_input(request, "phone", PhoneNumber::parse)
    }
}

impl FromRequest for ChangeInput<Email> {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        change_input(request, "email", Email::parse)
    }
}

async fn start_mobile_change(deps: &Deps, input: ChangeInput<PhoneNumber>) -> Result<Reply, Error> {
    let started = selfservice::start_mobile_change(
        deps,
        &input.token,
        &input.password,
        &input.new,
        input.lang,
    )
    .await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &started))
}

async fn start_email_change(deps: &Deps, input: ChangeInput<Email>) -> Result<Reply, Error> {
    let started = selfservice::start_email_change(
        deps,
        &input.token,
        &input.password,
        &input.new,
        input.lang,
    )
    .await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &started))
}

pub struct ViewKey6Input {
    token: String,
    password: String,
    card_number: CardNumber,
}

impl FromRequest for ViewKey6Input {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        let change = change_input(request, "card_number", CardNumber::parse)?;
        Ok(ViewKey6Input {
            token: change.token,
            password: change.password,
            card_number: change.new,
        })
    }
}

/// R8: the Key6, from the card issuer, after the password again.
async fn view_key6(deps: &Deps, input: ViewKey6Input) -> Result<Reply, Error> {
    let view =
        selfservice::view_key6(deps, &input.token, &input.password, &input.card_number).await?;
    Ok(Reply::json(StatusCode::OK, &view))
}

pub struct LineAssociationInput {
    change: ChangeInput<PhoneNumber>,
    puk: Option<String>,
}

impl FromRequest for LineAssociationInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        let change = change_input(request, "line", PhoneNumber::parse)?;
        let body: serde_json::Map<String, serde_json::Value> = request.json()?;
        let puk = match body.get("puk") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(puk)) => Some(typed_puk(puk)?),
            Some(_) => return Err(Error::MalformedBody("`puk` must be a string".into())),
        };
        Ok(LineAssociationInput { change, puk })
    }
}

/// W11: 202 when the code went to the SIM by SMS, 201 when a data-only SIM was associated.
async fn start_line_association(deps: &Deps, input: LineAssociationInput) -> Result<Reply, Error> {
    let ChangeInput {
        token,
        password,
        new: line,
        lang,
    } = input.change;
    let association = selfservice::LineAssociation {
        line,
        password,
        puk: input.puk,
    };
    let started = selfservice::start_line_association(deps, &token, association, lang).await?;
    let status = match started {
        selfservice::LineAssociationStarted::CodeSent(_) => StatusCode::ACCEPTED,
        selfservice::LineAssociationStarted::Associated { .. } => StatusCode::CREATED,
    };
    Ok(Reply::json(status, &started))
}

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

async fn confirm_change(
    deps: &Deps,
    kind: &str,
    input: ConfirmChangeInput,
) -> Result<Reply, Error> {
    selfservice::confirm_change(deps, &input.token, kind, &input.code).await?;
    Ok(Reply::no_content())
}

pub struct DeleteAccountInput {
    token: String,
    password: String,
}

impl FromRequest for DeleteAccountInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            password: String,
        }
        let token = bearer(request)?;
        let body: Body = request.json()?;
        Ok(DeleteAccountInput {
            token,
            password: typed_password("password", &body.password)?,
        })
    }
}

async fn delete_account(deps: &Deps, input: DeleteAccountInput) -> Result<Reply, Error> {
    selfservice::delete_account(deps, &input.token, &input.password).await?;
    Ok(Reply::no_content())
}

pub struct StartVatRegistrationInput {
    start: StartVatRegistration,
    lang: Lang,
}

impl FromRequest for StartVatRegistrationInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            vat_number: String,
            name: String,
            surname: String,
            birth_date: String,
            fiscal_code: String,
            email: String,
            mobile: String,
            captcha: String,
        }
        let body: Body = request.json()?;
        Ok(StartVatRegistrationInput {
            start: StartVatRegistration {
                vat_number: VatNumber::parse(&body.vat_number)
                    .map_err(Error::field("vat_number"))?,
                name: person_name("name", body.name)?,
                surname: person_name("surname", body.surname)?,
                birth_date: BirthDate::parse(&body.birth_date)
                    .map_err(Error::field("birth_date"))?,
                fiscal_code: FiscalCode::parse(&body.fiscal_code)
                    .map_err(Error::field("fiscal_code"))?,
                email: Email::parse(&body.email).map_err(Error::field("email"))?,
                mobile: PhoneNumber::parse(&body.mobile).map_err(Error::field("mobile"))?,
                captcha: body.captcha,
            },
            lang: request.lang(),
        })
    }
}

/// A name or surname as typed: 1 to 100 characters, not blank.
fn person_name(field: &'static str, value: String) -> Result<String, Error> {
    PersonName::parse(&value)
        .map(PersonName::into_string)
        .map_err(Error::field(field))
}

async fn start_vat_registration(
    deps: &Deps,
    input: StartVatRegistrationInput,
) -> Result<Reply, Error> {
    let sent = vat_registration::start(deps, input.start, input.lang).await?;
    Ok(Reply::json(StatusCode::CREATED, &sent))
}

pub struct ActivationInput {
    flow_id: String,
    activation: Activation,
}

impl FromRequest for ActivationInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            token: String,
            username: String,
            password: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        if body.token.is_empty() || body.token.len() > 64 {
            return Err(Error::field("token")(ParseError::Format));
        }
        Ok(ActivationInput {
            flow_id,
            activation: Activation {
                token: body.token,
                username: Username::parse(&body.username).map_err(Error::field("username"))?,
                password: Password::parse(&body.password).map_err(Error::WeakPassword)?,
            },
        })
    }
}

async fn activate_vat_registration(deps: &Deps, input: ActivationInput) -> Result<Reply, Error> {
    let session = vat_registration::activate(deps, &input.flow_id, input.activation).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub struct StartLineRegistrationInput {
    start: StartLineRegistration,
    lang: Lang,
}

impl FromRequest for StartLineRegistrationInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            line: String,
            email: String,
            captcha: String,
        }
        let body: Body = request.json()?;
        Ok(StartLineRegistrationInput {
            start: StartLineRegistration {
                line: PhoneNumber::parse(&body.line).map_err(Error::field("line"))?,
                email: Email::parse(&body.email).map_err(Error::field("email"))?,
                captcha: body.captcha,
            },
            lang: request.lang(),
        })
    }
}

async fn start_line_registration(
    deps: &Deps,
    input: StartLineRegistrationInput,
) -> Result<Reply, Error> {
    let started = line_registration::start(deps, input.start, input.lang).await?;
    Ok(Reply::json(StatusCode::CREATED, &started))
}

pub struct PukInput {
    flow_id: String,
    puk: String,
}

impl FromRequest for PukInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            puk: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(PukInput {
            flow_id,
            puk: typed_puk(&body.puk)?,
        })
    }
}

/// A PUK as typed: 4 to 16 digits.
fn typed_puk(puk: &str) -> Result<String, Error> {
    let puk = puk.trim();
    if !(4..=16).contains(&puk.len()) || !puk.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::field("puk")(ParseError::Format));
    }
    Ok(puk.to_string())
}

async fn verify_line_puk(deps: &Deps, input: PukInput) -> Result<Reply, Error> {
    let sent = line_registration::verify_puk(deps, &input.flow_id, &input.puk).await?;
    Ok(Reply::json(StatusCode::OK, &sent))
}

async fn resend_line_code(deps: &Deps, input: ResendInput) -> Result<Reply, Error> {
    let sent = codes::resend::<line_registration::LineRegistrationFlow>(
        deps,
        &input.flow_id,
        &input.phone,
    )
    .await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}

async fn complete_line_registration(
    deps: &Deps,
    input: CodeAndPasswordInput,
) -> Result<Reply, Error> {
    let session =
        line_registration::complete(deps, &input.flow_id, &input.code, &input.new_password).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub struct ResendUsernameInput {
    email: Email,
    captcha: String,
    lang: Lang,
}

impl FromRequest for ResendUsernameInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            email: String,
            captcha: String,
        }
        let body: Body = request.json()?;
        Ok(ResendUsernameInput {
            email: Email::parse(&body.email).map_err(Error::field("email"))?,
            captcha: body.captcha,
            lang: request.lang(),
        })
    }
}

/// T1: 202 whether or not an account has the address (X6).
async fn resend_username(deps: &Deps, input: ResendUsernameInput) -> Result<Reply, Error> {
    legal_rep::resend_username(deps, &input.email, &input.captcha, input.lang).await?;
    Ok(Reply::json(
        StatusCode::ACCEPTED,
        &serde_json::json!({ "next": "check_email" }),
    ))
}

pub struct LinkTokenInput {
    flow_id: String,
    token: String,
}

impl FromRequest for LinkTokenInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            token: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(LinkTokenInput {
            flow_id,
            token: body.token,
        })
    }
}

async fn send_first_access_code(deps: &Deps, input: LinkTokenInput) -> Result<Reply, Error> {
    let sent = legal_rep::send_code(deps, &input.flow_id, &input.token).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}

async fn complete_first_access(deps: &Deps, input: CodeAndPasswordInput) -> Result<Reply, Error> {
    let session =
        legal_rep::complete(deps, &input.flow_id, &input.code, &input.new_password).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub struct StartPasswordResetInput {
    name: TypedLoginName,
    captcha: String,
    lang: Lang,
}

impl FromRequest for StartPasswordResetInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            email: Option<String>,
            username: Option<String>,
            captcha: String,
        }
        let body: Body = request.json()?;
        Ok(StartPasswordResetInput {
            name: TypedLoginName::of(body.email, body.username)?,
            captcha: body.captcha,
            lang: request.lang(),
        })
    }
}

async fn start_password_reset(deps: &Deps, input: StartPasswordResetInput) -> Result<Reply, Error> {
    let name = input.name.read(deps)?;
    let started = password_reset::start(deps, &name, &input.captcha, input.lang).await?;
    Ok(Reply::json(StatusCode::CREATED, &started))
}

pub struct SendResetCodeInput {
    flow_id: String,
    channel: password_reset::Channel,
}

impl FromRequest for SendResetCodeInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum ChannelName {
            Sms,
            Email,
        }
        #[derive(Deserialize)]
        struct Body {
            channel: ChannelName,
            phone: Option<String>,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        let channel = match (body.channel, body.phone) {
            (ChannelName::Sms, Some(phone)) => password_reset::Channel::Sms(
                TypedPhone::parse(&phone).map_err(Error::field("phone"))?,
            ),
            (ChannelName::Sms, None) => return Err(Error::field("phone")(ParseError::Empty)),
            (ChannelName::Email, _) => password_reset::Channel::Email,
        };
        Ok(SendResetCodeInput { flow_id, channel })
    }
}

async fn send_reset_code(deps: &Deps, input: SendResetCodeInput) -> Result<Reply, Error> {
    let sent = password_reset::send_code(deps, &input.flow_id, &input.channel).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}

async fn complete_password_reset(deps: &Deps, input: CodeAndPasswordInput) -> Result<Reply, Error> {
    password_reset::complete(deps, &input.flow_id, &input.code, &input.new_password).await?;
    Ok(Reply::no_content())
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

pub struct CreateInvitationInput {
    company: CompanyInput,
    new: NewInvitation,
    lang: Lang,
}

impl FromRequest for CreateInvitationInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            email: String,
            display_name: String,
            role: String,
            #[serde(default)]
            mobile: Option<String>,
            #[serde(default = "yes")]
            send: bool,
            #[serde(default)]
            unit_contract: Option<String>,
            #[serde(default)]
            line: Option<String>,
        }
        fn yes() -> bool {
            true
        }
        let company = CompanyInput::from_request(request)?;
        let body: Body = request.json()?;
        if body.role.is_empty() || body.role.len() > 64 {
            return Err(Error::UnknownRole);
        }
        if body
            .unit_contract
            .as_deref()
            .is_some_and(|c| !is_id(c, 40, false))
        {
            return Err(Error::UnitContractNotFound);
        }
        Ok(CreateInvitationInput {
            company,
            new: NewInvitation {
                email: Email::parse(&body.email).map_err(Error::field("email"))?,
                display_name: person_name("display_name", body.display_name)?,
                role: body.role,
                mobile: body
                    .mobile
                    .map(|m| PhoneNumber::parse(&m).map_err(Error::field("mobile")))
                    .transpose()?,
                send: body.send,
                unit_contract: body.unit_contract,
                line: body
                    .line
                    .map(|l| PhoneNumber::parse(&l).map_err(Error::field("line")))
                    .transpose()?,
            },
            lang: request.lang(),
        })
    }
}

async fn create_invitation(deps: &Deps, input: CreateInvitationInput) -> Result<Reply, Error> {
    let created = invitations::invite(
        deps,
        &input.company.token,
        &input.company.company_id,
        input.new,
        input.lang,
    )
    .await?;
    Ok(Reply::json(StatusCode::CREATED, &created))
}

async fn send_invitation(deps: &Deps, input: CompanyInput) -> Result<Reply, Error> {
    let sent = invitations::send(
        deps,
        &input.token,
        &input.company_id,
        input.invitation_id()?,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &sent))
}

async fn revoke_invitation(deps: &Deps, input: CompanyInput) -> Result<Reply, Error> {
    invitations::revoke(
        deps,
        &input.token,
        &input.company_id,
        input.invitation_id()?,
    )
    .await?;
    Ok(Reply::no_content())
}

async fn list_company_users(deps: &Deps, input: PageInput) -> Result<Reply, Error> {
    let company = &input.company;
    let users = members::list_users(
        deps,
        &company.token,
        &company.company_id,
        input.cursor.as_deref(),
        input.limit,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &users))
}

/// An invitation code as typed (its shape is checked by the domain).
fn invitation_code(code: String) -> Result<String, Error> {
    if code.trim().is_empty() {
        return Err(Error::field("code")(ParseError::Empty));
    }
    if code.len() > 128 {
        return Err(Error::InvitationNotFound);
    }
    Ok(code)
}

pub struct AcceptInvitationInput {
    acceptance: Acceptance,
}

impl FromRequest for AcceptInvitationInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            code: String,
            email: String,
            password: String,
            #[serde(default)]
            temporary_password: Option<String>,
        }
        let body: Body = request.json()?;
        Ok(AcceptInvitationInput {
            acceptance: Acceptance {
                code: invitation_code(body.code)?,
                email: Email::parse(&body.email).map_err(Error::field("email"))?,
                password: Password::parse(&body.password).map_err(Error::WeakPassword)?,
                temporary_password: body
                    .temporary_password
                    .map(|p| typed_password("temporary_password", &p))
                    .transpose()?,
            },
        })
    }
}

async fn accept_invitation(deps: &Deps, input: AcceptInvitationInput) -> Result<Reply, Error> {
    let session = invitations::accept(deps, input.acceptance).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub struct JoinCompanyInput {
    token: String,
    code: String,
}

impl FromRequest for JoinCompanyInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            code: String,
        }
        let token = bearer(request)?;
        let body: Body = request.json()?;
        Ok(JoinCompanyInput {
            token,
            code: invitation_code(body.code)?,
        })
    }
}

async fn join_company(deps: &Deps, input: JoinCompanyInput) -> Result<Reply, Error> {
    let joined = invitations::join(deps, &input.token, &input.code).await?;
    Ok(Reply::json(StatusCode::OK, &joined))
}

pub struct ChangeRoleInput {
    company: CompanyInput,
    role: String,
}

impl FromRequest for ChangeRoleInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            role: String,
        }
        let company = CompanyInput::from_request(request)?;
        let body: Body = request.json()?;
        if body.role.is_empty() || body.role.len() > 64 {
            return Err(Error::UnknownRole);
        }
        Ok(ChangeRoleInput {
            company,
            role: body.role,
        })
    }
}

async fn change_role(deps: &Deps, input: ChangeRoleInput) -> Result<Reply, Error> {
    let company = &input.company;
    let changed = members::change_role(
        deps,
        &company.token,
        &company.company_id,
        company.account_id()?,
        &input.role,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &changed))
}

async fn remove_access(deps: &Deps, input: CompanyInput) -> Result<Reply, Error> {
    members::remove_access(deps, &input.token, &input.company_id, input.account_id()?).await?;
    Ok(Reply::no_content())
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

async fn list_company_lines(deps: &Deps, input: PageInput) -> Result<Reply, Error> {
    let lines = company_lines::list_lines(
        deps,
        &input.company.token,
        &input.company.company_id,
        input.cursor.as_deref(),
        input.limit,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &lines))
}

async fn read_audit_trail(deps: &Deps, input: PageInput) -> Result<Reply, Error> {
    let page = members::audit_trail(
        deps,
        &input.company.token,
        &input.company.company_id,
        input.cursor.as_deref(),
        input.limit,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &page))
}

/// A back-office request (N6): the operator's key, checked first, and the company.
pub struct OperatorInput {
    key: Option<String>,
    /// The company of the path; none on the routes of every company.
    company_id: Option<String>,
    /// `?day=YYYY-MM-DD` of the operator's trail of every event.
    day: Option<BirthDate>,
    cursor: Option<String>,
    limit: usize,
}

/// The header the operator's back office puts its key in.
pub const OPERATOR_KEY_HEADER: &str = "x-varco-operator-key";

impl FromRequest for OperatorInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        let key = request
            .headers
            .get(OPERATOR_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if key.is_none() {
            return Err(Error::OperatorOnly);
        }
        let company_id = id_param(request, "company_id", 64, Error::NoAdministrator)?;
        let day = request
            .query_param("day")
            .map(|d| BirthDate::parse(d).map_err(Error::field("day")))
            .transpose()?;
        let (cursor, limit) = page_of(request)?;
        Ok(OperatorInput {
            key,
            company_id,
            day,
            cursor,
            limit,
        })
    }
}

async fn revoke_company_registration(deps: &Deps, input: OperatorInput) -> Result<Reply, Error> {
    let company_id = input.company_id.ok_or(Error::RouteNotFound)?;
    operator::revoke_registration(deps, input.key.as_deref(), &company_id).await?;
    Ok(Reply::no_content())
}

async fn read_company_audit_trail(deps: &Deps, input: OperatorInput) -> Result<Reply, Error> {
    let page = operator::audit_trail(
        deps,
        input.key.as_deref(),
        &input.company_id.ok_or(Error::RouteNotFound)?,
        input.cursor.as_deref(),
        input.limit,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &page))
}

async fn read_audit_log(deps: &Deps, input: OperatorInput) -> Result<Reply, Error> {
    let page = operator::audit_log(
        deps,
        input.key.as_deref(),
        input.day,
        input.cursor.as_deref(),
        input.limit,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &page))
}
