//! W5, W8: a forgotten password reset by a code sent to the phone or email on file.

use super::{flow_id, CodeAndPasswordInput, FromRequest, TypedLoginName};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::messages::Lang;
use varco_domain::base::types::ParseError;
use varco_domain::base::types::TypedPhone;
use varco_domain::flows::password_reset;
use varco_domain::Deps;
use varco_domain::Error;

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

pub(crate) async fn start_password_reset(
    deps: &Deps,
    input: StartPasswordResetInput,
) -> Result<Reply, Error> {
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

pub(crate) async fn send_reset_code(
    deps: &Deps,
    input: SendResetCodeInput,
) -> Result<Reply, Error> {
    let sent = password_reset::send_code(deps, &input.flow_id, &input.channel).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}

pub(crate) async fn complete_password_reset(
    deps: &Deps,
    input: CodeAndPasswordInput,
) -> Result<Reply, Error> {
    password_reset::complete(deps, &input.flow_id, &input.code, &input.new_password).await?;
    Ok(Reply::no_content())
}
