//! W2: the telco's User Admin registers by the company's VAT number and activates the account
//! from the emailed link.

use super::{flow_id, person_name, FromRequest};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::messages::Lang;
use varco_domain::base::types::BirthDate;
use varco_domain::base::types::Email;
use varco_domain::base::types::FiscalCode;
use varco_domain::base::types::ParseError;
use varco_domain::base::types::Password;
use varco_domain::base::types::PhoneNumber;
use varco_domain::base::types::Username;
use varco_domain::base::types::VatNumber;
use varco_domain::flows::vat_registration;
use varco_domain::flows::vat_registration::Activation;
use varco_domain::flows::vat_registration::StartVatRegistration;
use varco_domain::Deps;
use varco_domain::Error;

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
