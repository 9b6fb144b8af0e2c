//! The legal representative's first access from the email link (T1, T2).

use super::{flow_id, CodeAndPasswordInput, FromRequest};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::messages::Lang;
use varco_domain::base::types::Email;
use varco_domain::flows::legal_rep;
use varco_domain::Deps;
use varco_domain::Error;

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
pub(crate) async fn resend_username(
    deps: &Deps,
    input: ResendUsernameInput,
) -> Result<Reply, Error> {
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

pub(crate) async fn send_first_access_code(
    deps: &Deps,
    input: LinkTokenInput,
) -> Result<Reply, Error> {
    let sent = legal_rep::send_code(deps, &input.flow_id, &input.token).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}

pub(crate) async fn complete_first_access(
    deps: &Deps,
    input: CodeAndPasswordInput,
) -> Result<Reply, Error> {
    let session =
        legal_rep::complete(deps, &input.flow_id, &input.code, &input.new_password).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}
