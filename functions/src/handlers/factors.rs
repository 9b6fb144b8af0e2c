//! A person's second factors: the authenticator app set up and removed, recovery codes.

use super::{ConfirmChangeInput, PasswordAgainInput};
use crate::http::Reply;
use http::StatusCode;
use serde::Serialize;
use varco_domain::flows::factors;
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
