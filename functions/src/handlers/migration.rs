//! N2: an Administrator of the old portal moves to Varco, with a code sent to the mobile on file.

use super::{typed_password, CodeAndPasswordInput, FromRequest, ResendInput};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::StatusCode;
use serde::Deserialize;
use varco_domain::base::messages::Lang;
use varco_domain::base::types::Email;
use varco_domain::base::types::PhoneNumber;
use varco_domain::flows::migration::StartMigration;
use varco_domain::Deps;
use varco_domain::Error;
use varco_domain::{flows::codes, flows::migration};

pub struct StartMigrationInput {
    start: StartMigration,
    lang: Lang,
}

impl FromRequest for StartMigrationInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            username: String,
            password: String,
            phone: String,
            email: String,
            captcha: String,
        }
        let body: Body = request.json()?;
        Ok(StartMigrationInput {
            start: StartMigration {
                username: typed_password("username", &body.username)?,
                password: typed_password("password", &body.password)?,
                phone: PhoneNumber::parse(&body.phone).map_err(Error::field("phone"))?,
                email: Email::parse(&body.email).map_err(Error::field("email"))?,
                captcha: body.captcha,
            },
            lang: request.lang(),
        })
    }
}

pub(crate) async fn start_migration(
    deps: &Deps,
    input: StartMigrationInput,
) -> Result<Reply, Error> {
    let sent = migration::start(deps, input.start, input.lang).await?;
    Ok(Reply::json(StatusCode::CREATED, &sent))
}

pub(crate) async fn complete_migration(
    deps: &Deps,
    input: CodeAndPasswordInput,
) -> Result<Reply, Error> {
    let migrated =
        migration::complete(deps, &input.flow_id, &input.code, &input.new_password).await?;
    Ok(Reply::json(StatusCode::CREATED, &migrated))
}

pub(crate) async fn resend_migration_code(deps: &Deps, input: ResendInput) -> Result<Reply, Error> {
    let sent =
        codes::resend::<migration::MigrationFlow>(deps, &input.flow_id, &input.phone).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &sent))
}
