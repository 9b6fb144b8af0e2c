//! N4: the card issuer's Administrator registers with the company card and a code by SMS.

use super::{flow_id, CodeInput, FromRequest, ResendInput};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::messages::Lang;
use varco_domain::base::types::CardNumber;
use varco_domain::base::types::Email;
use varco_domain::base::types::Password;
use varco_domain::base::types::PhoneNumber;
use varco_domain::base::types::RegistrationCode;
use varco_domain::flows::registration::Credentials;
use varco_domain::flows::registration::StartRegistration;
use varco_domain::Deps;
use varco_domain::Error;
use varco_domain::{flows::codes, flows::registration};

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

pub(crate) async fn start_registration(
    deps: &Deps,
    input: StartRegistrationInput,
) -> Result<Reply, Error> {
    let sent = registration::start(deps, input.start, input.lang).await?;
    Ok(Reply::json(StatusCode::CREATED, &sent))
}

pub(crate) async fn confirm_registration_code(
    deps: &Deps,
    input: CodeInput,
) -> Result<Reply, Error> {
    let confirmed = registration::confirm_code(deps, &input.flow_id, &input.code).await?;
    Ok(Reply::json(StatusCode::OK, &confirmed))
}

pub(crate) async fn resend_registration_code(
    deps: &Deps,
    input: ResendInput,
) -> Result<Reply, Error> {
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

pub(crate) async fn complete_registration(
    deps: &Deps,
    input: CredentialsInput,
) -> Result<Reply, Error> {
    let session = registration::complete(deps, &input.flow_id, input.credentials).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}
