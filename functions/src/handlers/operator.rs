//! The operator's back office (N6): revoking a registration, reading audit trails.

use super::{id_param, page_of, FromRequest, TypedLoginName};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use varco_domain::base::types::BirthDate;
use varco_domain::operator::back_office;
use varco_domain::Deps;
use varco_domain::Error;

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

/// The operator's key from its header, checked first: without one the answer is
/// `operator_only` whatever the rest.
fn operator_key(request: &ApiRequest) -> Result<Option<String>, Error> {
    let key = request
        .headers
        .get(OPERATOR_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if key.is_none() {
        return Err(Error::OperatorOnly);
    }
    Ok(key)
}

impl FromRequest for OperatorInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        let key = operator_key(request)?;
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

pub(crate) async fn revoke_company_registration(
    deps: &Deps,
    input: OperatorInput,
) -> Result<Reply, Error> {
    let company_id = input.company_id.ok_or(Error::RouteNotFound)?;
    back_office::revoke_registration(deps, input.key.as_deref(), &company_id).await?;
    Ok(Reply::no_content())
}

pub(crate) async fn read_company_audit_trail(
    deps: &Deps,
    input: OperatorInput,
) -> Result<Reply, Error> {
    let page = back_office::audit_trail(
        deps,
        input.key.as_deref(),
        &input.company_id.ok_or(Error::RouteNotFound)?,
        input.cursor.as_deref(),
        input.limit,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &page))
}

pub(crate) async fn read_audit_log(deps: &Deps, input: OperatorInput) -> Result<Reply, Error> {
    let page = back_office::audit_log(
        deps,
        input.key.as_deref(),
        input.day,
        input.cursor.as_deref(),
        input.limit,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, &page))
}

/// The person the operator's support acts for, by login name (`email`, or `username`).
pub struct OperatorPersonInput {
    key: Option<String>,
    name: TypedLoginName,
}

impl FromRequest for OperatorPersonInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(serde::Deserialize)]
        struct Body {
            email: Option<String>,
            username: Option<String>,
        }
        let key = operator_key(request)?;
        let body: Body = request.json()?;
        Ok(OperatorPersonInput {
            key,
            name: TypedLoginName::of(body.email, body.username)?,
        })
    }
}

pub(crate) async fn remove_second_factors(
    deps: &Deps,
    input: OperatorPersonInput,
) -> Result<Reply, Error> {
    let name = input.name.read(deps)?;
    back_office::remove_second_factor(deps, input.key.as_deref(), &name).await?;
    Ok(Reply::no_content())
}
