//! The login flow's second step (a code of the authenticator app, a passkey, or a recovery
//! code), and login by a passkey alone.

use super::{flow_id, CodeInput, FromRequest};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use std::net::IpAddr;
use varco_domain::flows::{login_flow, passkeys};
use varco_domain::Deps;
use varco_domain::Error;

pub(crate) async fn verify_login_totp(deps: &Deps, input: CodeInput) -> Result<Reply, Error> {
    let session = login_flow::verify_totp(deps, &input.flow_id, input.code.expose()).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub struct RecoveryCodeInput {
    flow_id: String,
    code: String,
}

impl FromRequest for RecoveryCodeInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            code: String,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        let fits = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == ' ';
        if body.code.trim().is_empty() || body.code.len() > 32 || !body.code.chars().all(fits) {
            return Err(Error::field("code")(
                varco_domain::base::types::ParseError::Format,
            ));
        }
        Ok(RecoveryCodeInput {
            flow_id,
            code: body.code,
        })
    }
}

pub(crate) async fn use_login_recovery_code(
    deps: &Deps,
    input: RecoveryCodeInput,
) -> Result<Reply, Error> {
    let session = login_flow::use_recovery_code(deps, &input.flow_id, &input.code).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

/// An authenticator's answer (`credential`: the browser's `PublicKeyCredential.toJSON()`)
/// to the ceremony of the flow in the path.
pub struct CredentialInput {
    flow_id: String,
    credential: Value,
}

impl FromRequest for CredentialInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            credential: Value,
        }
        let flow_id = flow_id(request)?;
        let body: Body = request.json()?;
        Ok(CredentialInput {
            flow_id,
            credential: body.credential,
        })
    }
}

pub(crate) async fn verify_login_passkey(
    deps: &Deps,
    input: CredentialInput,
) -> Result<Reply, Error> {
    let session = login_flow::verify_passkey(deps, &input.flow_id, &input.credential).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub(crate) async fn start_passkey_login(deps: &Deps, source: IpAddr) -> Result<Reply, Error> {
    let started = passkeys::start_login(deps, source).await?;
    Ok(Reply::json(StatusCode::CREATED, &started))
}

pub(crate) async fn log_in_with_passkey(
    deps: &Deps,
    input: CredentialInput,
) -> Result<Reply, Error> {
    let session = passkeys::log_in(deps, &input.flow_id, &input.credential).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}
