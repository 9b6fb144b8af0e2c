//! A person's second factors: the authenticator app set up and removed, recovery codes.

use super::{ConfirmChangeInput, PasswordAgainInput};
use crate::http::Reply;
use http::StatusCode;
use varco_domain::flows::factors;
use varco_domain::Deps;
use varco_domain::Error;

pub(crate) async fn start_authenticator_setup(
    deps: &Deps,
    input: PasswordAgainInput,
) -> Result<Reply, Error> {
    let setup = factors::start_authenticator(deps, &input.token, &input.password).await?;
    Ok(Reply::json(StatusCode::CREATED, &setup))
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
