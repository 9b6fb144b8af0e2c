//! A person's second factors: the authenticator app set up and removed, passkeys added and
//! removed, recovery codes.

use super::PasswordAgainInput;
use super::{bearer, flow_id_of, typed_password, ConfirmChangeInput, FromRequest};
use crate::http::{ApiRequest, Reply};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use varco_domain::flows::{factors, passkeys};
use varco_domain::Deps;
use varco_domain::Error;

/// The setup, with its URI drawn as a QR code: an SVG image in a `data:` URL, which a page
/// shows as it is (no call to anyone's QR service, where the seed would go).
#[derive(Serialize)]
struct SetupAnswer {
    #[serde(flatten)]
    setup: factors::Setup,
    qr_code: String,
}

pub(crate) async fn start_authenticator_setup(
    deps: &Deps,
    input: PasswordAgainInput,
) -> Result<Reply, Error> {
    let setup = factors::start_authenticator(deps, &input.token, &input.password).await?;
    let qr_code = qr_code(&setup.otpauth_uri)?;
    Ok(Reply::json(
        StatusCode::CREATED,
        &SetupAnswer { setup, qr_code },
    ))
}

fn qr_code(text: &str) -> Result<String, Error> {
    use base64::Engine;
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| Error::Internal(format!("the QR code of a setup: {e}").into()))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

pub(crate) async fn confirm_authenticator(
    deps: &Deps,
    input: ConfirmChangeInput,
) -> Result<Reply, Error> {
    let codes = factors::confirm_authenticator(deps, &input.token, input.code.expose()).await?;
    Ok(Reply::json(StatusCode::OK, &codes))
}

pub(crate) async fn remove_authenticator(
    deps: &Deps,
    input: PasswordAgainInput,
) -> Result<Reply, Error> {
    factors::remove_authenticator(deps, &input.token, &input.password).await?;
    Ok(Reply::no_content())
}

pub(crate) async fn renew_recovery_codes(
    deps: &Deps,
    input: PasswordAgainInput,
) -> Result<Reply, Error> {
    let codes = factors::renew_recovery_codes(deps, &input.token, &input.password).await?;
    Ok(Reply::json(StatusCode::CREATED, &codes))
}

pub(crate) async fn start_passkey_registration(
    deps: &Deps,
    input: PasswordAgainInput,
) -> Result<Reply, Error> {
    let started = passkeys::start_registration(deps, &input.token, &input.password).await?;
    Ok(Reply::json(StatusCode::CREATED, &started))
}

/// The authenticator's answer to a registration (`credential`: the browser's
/// `PublicKeyCredential.toJSON()`), with the name the person gives the passkey.
pub struct NewPasskeyInput {
    token: String,
    flow_id: String,
    name: String,
    credential: Value,
}

impl FromRequest for NewPasskeyInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            flow_id: String,
            name: String,
            credential: Value,
        }
        let token = bearer(request)?;
        let body: Body = request.json()?;
        Ok(NewPasskeyInput {
            token,
            flow_id: flow_id_of(&body.flow_id)?,
            name: passkeys::passkey_name(&body.name).ok_or_else(|| {
                Error::field("name")(varco_domain::base::types::ParseError::Format)
            })?,
            credential: body.credential,
        })
    }
}

pub(crate) async fn add_passkey(deps: &Deps, input: NewPasskeyInput) -> Result<Reply, Error> {
    let added = passkeys::finish_registration(
        deps,
        &input.token,
        &input.flow_id,
        &input.name,
        &input.credential,
    )
    .await?;
    Ok(Reply::json(StatusCode::CREATED, &added))
}

/// A passkey to remove (`passkey_id` in the path), with the password again.
pub struct PasskeyRemovalInput {
    token: String,
    passkey_id: String,
    password: String,
}

impl FromRequest for PasskeyRemovalInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            password: String,
        }
        let token = bearer(request)?;
        let passkey_id = request.param("passkey_id")?;
        if !varco_domain::base::types::is_id(passkey_id, 64, false) {
            return Err(Error::PasskeyNotFound);
        }
        let body: Body = request.json()?;
        Ok(PasskeyRemovalInput {
            token,
            passkey_id: passkey_id.to_string(),
            password: typed_password("password", &body.password)?,
        })
    }
}

pub(crate) async fn remove_passkey(
    deps: &Deps,
    input: PasskeyRemovalInput,
) -> Result<Reply, Error> {
    passkeys::remove(deps, &input.token, &input.passkey_id, &input.password).await?;
    Ok(Reply::no_content())
}
