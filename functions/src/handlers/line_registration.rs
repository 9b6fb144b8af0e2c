//! W7: an employee registers a line of the company, proving the SIM by a code (or its PUK).

use super::{flow_id, CodeAndPasswordInput, FromRequest, ResendInput};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::messages::Lang;
use varco_domain::base::types::typed_puk;
use varco_domain::base::types::Email;
use varco_domain::base::types::PhoneNumber;
use varco_domain::flows::line_registration::StartLineRegistration;
use varco_domain::Deps;
use varco_domain::Error;
use varco_domain::{flows::codes, flows::line_registration};

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

pub(crate) async fn start_line_registration(
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
            puk: typed_puk(&body.puk).map_err(Error::field("puk"))?,
        })
    }
}

pub(crate) async fn verify_line_puk(deps: &Deps, input: PukInput) -> Result<Reply, Error> {
    let sent = line_registration::verify_puk(deps, &input.flow_id, &input.puk).await?;
    Ok(Reply::json(StatusCode::OK, &sent))
}

pub(crate) async fn resend_line_code(deps: &Deps, input: ResendInput) -> Result<Reply, Error> {
    let sent = codes::resend::<line_registration::LineRegistrationFlow>(
        deps,
        &input.flow_id,
        &input.phone,
    )
    .await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}

pub(crate) async fn complete_line_registration(
    deps: &Deps,
    input: CodeAndPasswordInput,
) -> Result<Reply, Error> {
    let session =
        line_registration::complete(deps, &input.flow_id, &input.code, &input.new_password).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}
