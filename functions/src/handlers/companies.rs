//! A company's people: invitations, members and roles, lines, units, the audit trail.

use super::{
    bearer, person_name, typed_password, BearerInput, CompanyInput, FromRequest, PageInput,
};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::messages::Lang;
use varco_domain::base::profile::Requirement;
use varco_domain::base::types::is_id;
use varco_domain::base::types::Email;
use varco_domain::base::types::ParseError;
use varco_domain::base::types::Password;
use varco_domain::base::types::PhoneNumber;
use varco_domain::company::invitations::Acceptance;
use varco_domain::company::invitations::NewInvitation;
use varco_domain::Deps;
use varco_domain::Error;
use varco_domain::{
    company::company_lines, company::invitations, company::members, company::units,
};

pub(crate) async fn list_my_units(deps: &Deps, input: BearerInput) -> Result<Reply, Error> {
    let units = units::my_units(deps, &input.token).await?;
    Ok(Reply::json(StatusCode::OK, &units))
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

pub(crate) async fn create_invitation(
    deps: &Deps,
    input: CreateInvitationInput,
) -> Result<Reply, Error> {
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

pub(crate) async fn send_invitation(deps: &Deps, input: CompanyInput) -> Result<Reply, Error> {
    let sent = invitations::send(
        deps,
        &input.token,
        &input.company_id,
        input.invitation_id()?,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &sent))
}

pub(crate) async fn revoke_invitation(deps: &Deps, input: CompanyInput) -> Result<Reply, Error> {
    invitations::revoke(
        deps,
        &input.token,
        &input.company_id,
        input.invitation_id()?,
    )
    .await?;
    Ok(Reply::no_content())
}

pub(crate) async fn list_company_users(deps: &Deps, input: PageInput) -> Result<Reply, Error> {
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

pub(crate) async fn accept_invitation(
    deps: &Deps,
    input: AcceptInvitationInput,
) -> Result<Reply, Error> {
    let session = invitations::accept(deps, input.acceptance).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub struct JoinCompanyInput {
    token: String,
    code: String,
    temporary_password: Option<String>,
}

impl FromRequest for JoinCompanyInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            code: String,
            temporary_password: Option<String>,
        }
        let token = bearer(request)?;
        let body: Body = request.json()?;
        Ok(JoinCompanyInput {
            token,
            code: invitation_code(body.code)?,
            temporary_password: body
                .temporary_password
                .map(|p| typed_password("temporary_password", &p))
                .transpose()?,
        })
    }
}

pub(crate) async fn join_company(deps: &Deps, input: JoinCompanyInput) -> Result<Reply, Error> {
    let temporary = input.temporary_password.as_deref();
    let joined = invitations::join(deps, &input.token, &input.code, temporary).await?;
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

pub(crate) async fn change_role(deps: &Deps, input: ChangeRoleInput) -> Result<Reply, Error> {
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

pub(crate) async fn remove_access(deps: &Deps, input: CompanyInput) -> Result<Reply, Error> {
    members::remove_access(deps, &input.token, &input.company_id, input.account_id()?).await?;
    Ok(Reply::no_content())
}

pub(crate) async fn end_member_sessions(deps: &Deps, input: CompanyInput) -> Result<Reply, Error> {
    members::end_sessions(deps, &input.token, &input.company_id, input.account_id()?).await?;
    Ok(Reply::no_content())
}

pub(crate) async fn remove_member_second_factor(
    deps: &Deps,
    input: CompanyInput,
) -> Result<Reply, Error> {
    let account_id = input.account_id()?;
    members::remove_second_factor(deps, &input.token, &input.company_id, account_id).await?;
    Ok(Reply::no_content())
}

pub struct PolicyInput {
    company: CompanyInput,
    required: Requirement,
}

impl FromRequest for PolicyInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            required: String,
        }
        let company = CompanyInput::from_request(request)?;
        let body: Body = request.json()?;
        let required = serde_json::from_value(serde_json::Value::String(body.required))
            .map_err(|_| Error::field("required")(ParseError::Format))?;
        Ok(PolicyInput { company, required })
    }
}

pub(crate) async fn set_second_factor_policy(
    deps: &Deps,
    input: PolicyInput,
) -> Result<Reply, Error> {
    let company = &input.company;
    members::set_second_factor_policy(deps, &company.token, &company.company_id, input.required)
        .await?;
    Ok(Reply::no_content())
}

pub(crate) async fn list_company_lines(deps: &Deps, input: PageInput) -> Result<Reply, Error> {
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

pub(crate) async fn read_audit_trail(deps: &Deps, input: PageInput) -> Result<Reply, Error> {
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
