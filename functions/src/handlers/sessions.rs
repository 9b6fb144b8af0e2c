//! Logging in and out, sessions, the account and its password; the captcha every portal shows.

use super::{bearer, typed_password, BearerInput, FromRequest, TypedLoginName};
use crate::http::ApiRequest;
use crate::http::Reply;
use http::HeaderMap;
use http::StatusCode;
use serde::Deserialize;
use std::net::IpAddr;
use varco_domain::base::types::Password;
use varco_domain::Deps;
use varco_domain::Error;
use varco_domain::{flows::autologin, flows::login_flow, flows::selfservice};
use varco_domain::{sign_in::login, sign_in::sessions};

pub(crate) async fn issue_captcha(deps: &Deps, _: ()) -> Result<Reply, Error> {
    Ok(Reply::json(
        StatusCode::CREATED,
        &deps.captcha.challenge(deps.clock.now()),
    ))
}

/// How long a client, API Gateway's JWT authorizer or a CDN may keep the key set and the
/// discovery document: far less than the `PUBLISH_LEAD` with which a new key is published.
pub const KEYS_MAX_AGE: u32 = 15 * 60;

/// The discovery document: the issuer, where its keys are, how tokens are signed.
pub(crate) async fn get_openid_configuration(deps: &Deps, _: ()) -> Result<Reply, Error> {
    Ok(Reply::public(deps.tokens.discovery(), KEYS_MAX_AGE))
}

/// The public keys that sign access tokens (a JWK set), the next one included ahead of
/// its first token, the previous one until its last token has expired.
pub(crate) async fn get_jwks(deps: &Deps, _: ()) -> Result<Reply, Error> {
    Ok(Reply::public(deps.tokens.jwks(), KEYS_MAX_AGE))
}

/// Login by `email`, or by `username`: a username, or a line number for employees; with a
/// solved `captcha` when an earlier answer was `captcha_required`.
pub struct LoginInput {
    name: TypedLoginName,
    password: String,
    captcha: Option<String>,
    source: IpAddr,
}

impl FromRequest for LoginInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            email: Option<String>,
            username: Option<String>,
            password: String,
            captcha: Option<String>,
        }
        let body: Body = request.json()?;
        Ok(LoginInput {
            name: TypedLoginName::of(body.email, body.username)?,
            password: typed_password("password", &body.password)?,
            captcha: body.captcha,
            source: request.source,
        })
    }
}

/// 201 and the session, or, for an account with a second factor, 202 and the login flow
/// whose second step completes it (`login_flow`).
pub(crate) async fn login(deps: &Deps, input: LoginInput) -> Result<Reply, Error> {
    let name = input.name.read(deps)?;
    let attempt = login::Attempt {
        name: &name,
        password: &input.password,
        source: input.source,
        captcha: input.captcha.as_deref(),
    };
    match login_flow::login(deps, attempt).await? {
        login_flow::Login::Session(session) => Ok(Reply::json(StatusCode::CREATED, &session)),
        login_flow::Login::SecondFactor(next) => Ok(Reply::json(StatusCode::ACCEPTED, &next)),
    }
}

/// W9: the headers the profile names (the line, the gateway's time and proof) are the whole
/// input; a body is ignored. The proof covers the request's method and path: this step's
/// route, by which alone the request came here.
pub(crate) async fn autologin(deps: &Deps, headers: HeaderMap) -> Result<Reply, Error> {
    let settings = varco_domain::base::profile::Profile::section(&deps.profile.autologin)?;
    let route = crate::routes::Step::Autologin.route();
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let session = autologin::autologin(
        deps,
        autologin::AutologinRequest {
            method: route.method.as_str(),
            path: route.path,
            line: header(&settings.line_header),
            time: header(&settings.time_header),
            proof: header(&settings.proof_header),
        },
    )
    .await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub(crate) async fn list_my_sessions(deps: &Deps, input: BearerInput) -> Result<Reply, Error> {
    let sessions = varco_domain::sign_in::sessions::list(deps, &input.token).await?;
    Ok(Reply::json(
        StatusCode::OK,
        &serde_json::json!({ "sessions": sessions }),
    ))
}

/// One of the person's sessions, by its id (the access token's `sid`).
pub struct SessionInput {
    token: String,
    session_id: String,
}

impl FromRequest for SessionInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        let token = bearer(request)?;
        let session_id = request.param("session_id")?;
        if !varco_domain::base::types::is_id(session_id, 64, false) {
            return Err(Error::field("session_id")(
                varco_domain::base::types::ParseError::Format,
            ));
        }
        Ok(SessionInput {
            token,
            session_id: session_id.to_string(),
        })
    }
}

/// Ends one of the person's sessions (one that is not theirs ends nothing, alike).
pub(crate) async fn end_my_session(deps: &Deps, input: SessionInput) -> Result<Reply, Error> {
    sessions::end(deps, &input.token, Some(&input.session_id)).await?;
    Ok(Reply::no_content())
}

/// Ends every session of the person but the one asking.
pub(crate) async fn end_my_other_sessions(deps: &Deps, input: BearerInput) -> Result<Reply, Error> {
    sessions::end(deps, &input.token, None).await?;
    Ok(Reply::no_content())
}

pub struct ChangePasswordInput {
    token: String,
    current_password: Option<String>,
    new_password: Password,
}

impl FromRequest for ChangePasswordInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            current_password: Option<String>,
            new_password: String,
        }
        let token = bearer(request)?;
        let body: Body = request.json()?;
        Ok(ChangePasswordInput {
            token,
            current_password: body
                .current_password
                .map(|p| typed_password("current_password", &p))
                .transpose()?,
            new_password: Password::parse(&body.new_password).map_err(Error::WeakPassword)?,
        })
    }
}

pub(crate) async fn change_password(
    deps: &Deps,
    input: ChangePasswordInput,
) -> Result<Reply, Error> {
    selfservice::change_password(
        deps,
        &input.token,
        input.current_password.as_deref(),
        &input.new_password,
    )
    .await?;
    Ok(Reply::no_content())
}

pub struct RefreshInput {
    refresh_token: String,
}

impl FromRequest for RefreshInput {
    fn from_request(request: &ApiRequest) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Body {
            refresh_token: String,
        }
        let body: Body = request.json()?;
        Ok(RefreshInput {
            refresh_token: body.refresh_token,
        })
    }
}

pub(crate) async fn refresh_session(deps: &Deps, input: RefreshInput) -> Result<Reply, Error> {
    let session = sessions::refresh(deps, &input.refresh_token).await?;
    Ok(Reply::json(StatusCode::CREATED, &session))
}

pub(crate) async fn logout(deps: &Deps, input: BearerInput) -> Result<Reply, Error> {
    sessions::logout(deps, &input.token).await?;
    Ok(Reply::no_content())
}
