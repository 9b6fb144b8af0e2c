//! The login flow's second step: a code of the authenticator app, or a recovery code.

use super::{flow_id, CodeInput, FromRequest};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::flows::login_flow;
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
