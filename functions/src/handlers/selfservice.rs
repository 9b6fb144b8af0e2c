//! A logged-in person's own account: mobile, email, Key6 view, a second SIM, deletion.

use super::{
    bearer, typed_password, BearerInput, ConfirmChangeInput, FromRequest, PasswordAgainInput,
};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use varco_domain::base::messages::Lang;
use varco_domain::base::types::typed_puk;
use varco_domain::base::types::CardNumber;
use varco_domain::base::types::Email;
use varco_domain::base::types::PhoneNumber;
use varco_domain::flows::selfservice;
use varco_domain::Deps;
use varco_domain::Error;

/// A change of the account's mobile or email: the bearer token, the password typed again,
/// and the new value.
pub(crate) async fn get_account(deps: &Deps, input: BearerInput) -> Result<Reply, Error> {
    let view = selfservice::get_account(deps, &input.token).await?;
    Ok(Reply::json(StatusCode::OK, &view))
}

pub struct ChangeInput<T> {
    token: String,
    password: String,
    new: T,
    lang: Lang,
}

fn change_input<T>(
    request: &ApiRequest,
    field: &'static str,
    parse: impl Fn(&str) -> Result<T, varco_domain::base::types::ParseError>,
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

pub(crate) async fn start_mobile_change(
    deps: &Deps,
    input: ChangeInput<PhoneNumber>,
) -> Result<Reply, Error> {
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

pub(crate) async fn start_email_change(
    deps: &Deps,
    input: ChangeInput<Email>,
) -> Result<Reply, Error> {
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
pub(crate) async fn view_key6(deps: &Deps, input: ViewKey6Input) -> Result<Reply, Error> {
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
            Some(serde_json::Value::String(puk)) => {
                Some(typed_puk(puk).map_err(Error::field("puk"))?)
            }
            Some(_) => return Err(Error::MalformedBody("`puk` must be a string".into())),
        };
        Ok(LineAssociationInput { change, puk })
    }
}

/// W11: 202 when the code went to the SIM by SMS, 201 when a data-only SIM was associated.
pub(crate) async fn start_line_association(
    deps: &Deps,
    input: LineAssociationInput,
) -> Result<Reply, Error> {
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

pub(crate) async fn confirm_mobile_change(
    deps: &Deps,
    input: ConfirmChangeInput,
) -> Result<Reply, Error> {
    confirm_change(deps, "MOBILE", input).await
}

pub(crate) async fn confirm_email_change(
    deps: &Deps,
    input: ConfirmChangeInput,
) -> Result<Reply, Error> {
    confirm_change(deps, "EMAIL", input).await
}

/// W11: the code sent to the second SIM.
pub(crate) async fn confirm_line_association(
    deps: &Deps,
    input: ConfirmChangeInput,
) -> Result<Reply, Error> {
    confirm_change(deps, "LINE", input).await
}

async fn confirm_change(
    deps: &Deps,
    kind: &str,
    input: ConfirmChangeInput,
) -> Result<Reply, Error> {
    selfservice::confirm_change(deps, &input.token, kind, &input.code).await?;
    Ok(Reply::no_content())
}

pub(crate) async fn delete_account(deps: &Deps, input: PasswordAgainInput) -> Result<Reply, Error> {
    selfservice::delete_account(deps, &input.token, &input.password).await?;
    Ok(Reply::no_content())
}
