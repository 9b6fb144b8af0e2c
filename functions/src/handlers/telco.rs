//! The telco's User Admin registration (W2), employees' line registration (W7) and password reset (W5, W8).

use super::{flow_id, person_name, CodeAndPasswordInput, FromRequest, ResendInput, TypedLoginName};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::messages::Lang;
use varco_domain::base::types::typed_puk;
use varco_domain::base::types::BirthDate;
use varco_domain::base::types::Email;
use varco_domain::base::types::FiscalCode;
use varco_domain::base::types::ParseError;
use varco_domain::base::types::Password;
use varco_domain::base::types::PhoneNumber;
use varco_domain::base::types::TypedPhone;
use varco_domain::base::types::Username;
use varco_domain::base::types::VatNumber;
use varco_domain::flows::line_registration::StartLineRegistration;
use varco_domain::flows::vat_registration::Activation;
use varco_domain::flows::vat_registration::StartVatRegistration;
use varco_domain::Deps;
use varco_domain::Error;
use varco_domain::{
    flows::codes, flows::line_registration, flows::password_reset, flows::vat_registration,
};

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

pub(crate) async fn start_vat_registration(
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

pub(crate) async fn activate_vat_registration(
    deps: &Deps,
    input: ActivationInput,
) -> Result<Reply, Error> {
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
