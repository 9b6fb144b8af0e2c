//! The card issuer's recovery (R1-R6): Key6, security question or password, then the phone.

use super::{flow_id, typed_password, FromRequest};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::messages::Lang;
use varco_domain::base::types::BirthDate;
use varco_domain::base::types::CardNumber;
use varco_domain::base::types::FiscalCode;
use varco_domain::base::types::Key6;
use varco_domain::base::types::PhoneNumber;
use varco_domain::base::types::SecurityAnswer;
use varco_domain::base::types::TypedPhone;
use varco_domain::flows::recovery;
use varco_domain::flows::recovery::RecoveryKind;
use varco_domain::flows::recovery::StartRecovery;
use varco_domain::Deps;
use varco_domain::Error;

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

pub(crate) async fn start_recovery(deps: &Deps, input: StartRecoveryInput) -> Result<Reply, Error> {
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

pub(crate) async fn verify_key6(deps: &Deps, input: VerifyKey6Input) -> Result<Reply, Error> {
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

pub(crate) async fn verify_security_answer(
    deps: &Deps,
    input: VerifySecurityAnswerInput,
) -> Result<Reply, Error> {
    let prompt = recovery::verify_security_answer(deps, &input.flow_id, &input.answer).await?;
    Ok(Reply::json(StatusCode::OK, &prompt))
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

pub(crate) async fn verify_recovery_password(
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

pub(crate) async fn verify_recovery_phone(
    deps: &Deps,
    input: VerifyRecoveryPhoneInput,
) -> Result<Reply, Error> {
    let sent = recovery::verify_phone(deps, &input.flow_id, &input.phone, input.lang).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}
