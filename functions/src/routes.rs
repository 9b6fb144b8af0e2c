//! The one route table: a line per step, with its method, path, offer, authentication,
//! sending, keys and handler. It drives the local gateway and the Lambda functions, and is checked
//! against the infrastructure template and the OpenAPI document.

use crate::handlers::{self, companies, factors, legal_rep, line_registration, login_flow};
use crate::handlers::{migration, operator};
use crate::handlers::{
    password_reset, recovery, registration, selfservice, sessions, vat_registration,
};
use crate::http::{log_request, problem, ApiRequest, Params, Reply, MAX_BODY_BYTES};
use crate::secrets::{keyed, Keys};
use bytes::Bytes;
use http::Method;
use http::Response;
use std::time::Instant;
use varco_domain::base::profile::Offer;
use varco_domain::{Deps, Error};

/// What a step does about SMS and email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    /// Sends nothing.
    Nothing,
    /// Queues an SMS or an email when it succeeds, through the sending gate
    /// (`varco_domain::limits::sending`), which may refuse it; the person is logged in, and bounded
    /// per account and per company.
    Sends,
    /// Starts, without a login, a flow that will send: counted per client address before it
    /// runs (`sending::admit_source`).
    Source,
    /// Both: counted per client address, and sends.
    SourceSends,
    /// Queues an email notice to the person (M9) through the gate; a refusal drops the
    /// notice, never the step.
    Notifies,
}

pub struct Route {
    pub method: Method,
    /// Segments in braces are path parameters: `/recoveries/{flow_id}/key6`.
    pub path: &'static str,
    pub step: Step,
    /// The step's name: its Lambda function in the template, its OpenAPI operation id.
    pub name: &'static str,
    /// What of the profile the step belongs to; `None` for steps every portal has.
    pub offer: Option<Offer>,
    /// Whether the step acts for a logged-in person: it needs `Authorization: Bearer`.
    pub bearer: bool,
    pub sending: Sending,
    /// The keys the step's function holds (`crate::secrets`), and no other.
    pub keys: Keys,
}

/// `verify_key6` -> `verify-key6`, at compile time.
const fn kebab<const N: usize>(snake: &str) -> [u8; N] {
    let bytes = snake.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = if bytes[i] == b'_' { b'-' } else { bytes[i] };
        i += 1;
    }
    out
}

macro_rules! offer {
    (-) => {
        None
    };
    ($offer:ident) => {
        Some(Offer::$offer)
    };
}

macro_rules! bearer {
    (-) => {
        false
    };
    (bearer) => {
        true
    };
}

macro_rules! sending {
    (-) => {
        Sending::Nothing
    };
    (sends) => {
        Sending::Sends
    };
    (source) => {
        Sending::Source
    };
    (source_sends) => {
        Sending::SourceSends
    };
    (notifies) => {
        Sending::Notifies
    };
}

macro_rules! steps {
    ($($step:ident $method:ident $path:literal $offer:tt $auth:tt $sending:tt $keys:tt $module:ident :: $handler:ident;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Step {
            $($step,)*
        }

        /// Every route, in the order the gateway tries them.
        pub const ROUTES: &[Route] = &[$(Route {
            method: Method::$method,
            path: $path,
            step: Step::$step,
            name: {
                const NAME: [u8; stringify!($handler).len()] = kebab(stringify!($handler));
                match std::str::from_utf8(&NAME) {
                    Ok(name) => name,
                    Err(_) => panic!("a handler's name is ASCII"),
                }
            },
            offer: offer!($offer),
            bearer: bearer!($auth),
            sending: sending!($sending),
            keys: Keys::parse(stringify!($keys)),
        },)*];

        impl Step {
            /// Runs the step's handler on the request, parsed into the handler's input.
            pub(crate) async fn call(self, deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
                match self {
                    $(Step::$step => $module::$handler(deps, handlers::parse(request)?).await,)*
                }
            }
        }
    };
}

// offer: what of the profile the step belongs to (`profile::Offer`; `-`: every portal has
// it). auth: `bearer`
// for a logged-in person. sending: see `Sending`. keys: the keys its function holds
// (`crate::secrets::Key`): P pepper, C captcha key, S signing keys (private), V verifying
// keys (public), G gateway key, I issuer key, O operator key, M message key; `-` none.
#[rustfmt::skip]
steps! {
    // step                   method path                                                       offer                auth   sending      keys handler (its name names the step)
    IssueCaptcha              POST   "/captcha"                                                 -                    -      -            C    sessions::issue_captcha;
    StartRecovery             POST   "/recoveries"                                              Recovery             -      source       PC   recovery::start_recovery;
    VerifyKey6                POST   "/recoveries/{flow_id}/key6"                               Recovery             -      -            P    recovery::verify_key6;
    VerifySecurityAnswer      POST   "/recoveries/{flow_id}/security-answer"                    Recovery             -      -            -    recovery::verify_security_answer;
    VerifyRecoveryPassword    POST   "/recoveries/{flow_id}/password"                           Recovery             -      -            -    recovery::verify_recovery_password;
    VerifyRecoveryPhone       POST   "/recoveries/{flow_id}/phone"                              Recovery             -      source_sends PM   recovery::verify_recovery_phone;
    Login                     POST   "/sessions"                                                -                    -      -            PCS  sessions::login;
    Autologin                 POST   "/sessions/autologin"                                      Autologin            -      -            PSG  sessions::autologin;
    VerifyLoginTotp           POST   "/logins/{flow_id}/totp"                                   -                    -      -            PS   login_flow::verify_login_totp;
    UseLoginRecoveryCode      POST   "/logins/{flow_id}/recovery-code"                          -                    -      notifies     PSM  login_flow::use_login_recovery_code;
    VerifyLoginPasskey        POST   "/logins/{flow_id}/passkey"                                -                    -      -            PS   login_flow::verify_login_passkey;
    StartPasskeyLogin         POST   "/passkey-logins"                                          -                    -      -            P    login_flow::start_passkey_login;
    LogInWithPasskey          POST   "/passkey-logins/{flow_id}"                                -                    -      -            PS   login_flow::log_in_with_passkey;
    GetAccount                GET    "/me"                                                      -                    bearer -            V    selfservice::get_account;
    ListMySessions            GET    "/me/sessions"                                             -                    bearer -            V    sessions::list_my_sessions;
    EndMySession              DELETE "/me/sessions/{session_id}"                                -                    bearer -            V    sessions::end_my_session;
    EndMyOtherSessions        DELETE "/me/sessions"                                             -                    bearer -            V    sessions::end_my_other_sessions;
    ChangePassword            PUT    "/me/password"                                             -                    bearer -            V    sessions::change_password;
    StartAuthenticatorSetup   POST   "/me/authenticator"                                        -                    bearer -            PV   factors::start_authenticator_setup;
    ConfirmAuthenticator      POST   "/me/authenticator/code"                                   -                    bearer notifies     PVM  factors::confirm_authenticator;
    RemoveAuthenticator       POST   "/me/authenticator/removal"                                -                    bearer notifies     PVM  factors::remove_authenticator;
    RenewRecoveryCodes        POST   "/me/recovery-codes"                                       -                    bearer notifies     PVM  factors::renew_recovery_codes;
    StartPasskeyRegistration  POST   "/me/passkeys/registration"                                -                    bearer -            PV   factors::start_passkey_registration;
    AddPasskey                POST   "/me/passkeys"                                             -                    bearer notifies     PVM  factors::add_passkey;
    RemovePasskey             POST   "/me/passkeys/{passkey_id}/removal"                        -                    bearer notifies     PVM  factors::remove_passkey;
    RefreshSession            POST   "/sessions/refresh"                                        -                    -      -            PS   sessions::refresh_session;
    Logout                    DELETE "/sessions/current"                                        -                    bearer -            V    sessions::logout;
    StartRegistration         POST   "/registrations"                                           Registration         -      source_sends PCM  registration::start_registration;
    ConfirmRegistrationCode   POST   "/registrations/{flow_id}/code"                            Registration         -      -            -    registration::confirm_registration_code;
    ResendRegistrationCode    POST   "/registrations/{flow_id}/code/resend"                     Registration         -      source_sends PM   registration::resend_registration_code;
    CompleteRegistration      POST   "/registrations/{flow_id}/credentials"                     Registration         -      -            PS   registration::complete_registration;
    StartMigration            POST   "/migrations"                                              Registration         -      source_sends PCM  migration::start_migration;
    CompleteMigration         POST   "/migrations/{flow_id}/code"                               Registration         -      -            PS   migration::complete_migration;
    ResendMigrationCode       POST   "/migrations/{flow_id}/code/resend"                        Registration         -      source_sends PM   migration::resend_migration_code;
    StartMobileChange         POST   "/me/mobile"                                               -                    bearer sends        PVM  selfservice::start_mobile_change;
    ConfirmMobileChange       POST   "/me/mobile/code"                                          -                    bearer -            V    selfservice::confirm_mobile_change;
    StartEmailChange          POST   "/me/email"                                                -                    bearer sends        PVM  selfservice::start_email_change;
    ConfirmEmailChange        POST   "/me/email/code"                                           -                    bearer -            V    selfservice::confirm_email_change;
    DeleteAccount             POST   "/me/deletion"                                             -                    bearer -            V    selfservice::delete_account;
    ViewKey6                  POST   "/me/cards/key6"                                           Recovery             bearer -            PVI  selfservice::view_key6;
    StartLineAssociation      POST   "/me/lines"                                                LineRegistration     bearer sends        PVM  selfservice::start_line_association;
    ConfirmLineAssociation    POST   "/me/lines/code"                                           LineRegistration     bearer -            V    selfservice::confirm_line_association;
    StartVatRegistration      POST   "/user-admin-registrations"                                VatRegistration      -      source_sends PCM  vat_registration::start_vat_registration;
    ActivateVatRegistration   POST   "/user-admin-registrations/{flow_id}/activation"           VatRegistration      -      -            PS   vat_registration::activate_vat_registration;
    StartLineRegistration     POST   "/line-registrations"                                      LineRegistration     -      source_sends PCM  line_registration::start_line_registration;
    VerifyLinePuk             POST   "/line-registrations/{flow_id}/puk"                        LineRegistration     -      source_sends PM   line_registration::verify_line_puk;
    ResendLineCode            POST   "/line-registrations/{flow_id}/code/resend"                LineRegistration     -      source_sends PM   line_registration::resend_line_code;
    CompleteLineRegistration  POST   "/line-registrations/{flow_id}/code"                       LineRegistration     -      -            PS   line_registration::complete_line_registration;
    ResendUsername            POST   "/username-reminders"                                      LegalRepRegistration -      source_sends PCM  legal_rep::resend_username;
    SendFirstAccessCode       POST   "/first-accesses/{flow_id}/code"                           LegalRepRegistration -      source_sends PM   legal_rep::send_first_access_code;
    CompleteFirstAccess       POST   "/first-accesses/{flow_id}/password"                       LegalRepRegistration -      -            PS   legal_rep::complete_first_access;
    CreateInvitation          POST   "/companies/{company_id}/invitations"                      Invitations          bearer sends        PVM  companies::create_invitation;
    SendInvitation            POST   "/companies/{company_id}/invitations/{invitation_id}/send" Invitations          bearer sends        PVM  companies::send_invitation;
    RevokeInvitation          DELETE "/companies/{company_id}/invitations/{invitation_id}"      Invitations          bearer -            V    companies::revoke_invitation;
    ListCompanyUsers          GET    "/companies/{company_id}/users"                            Invitations          bearer -            V    companies::list_company_users;
    ListCompanyLines          GET    "/companies/{company_id}/lines"                            Invitations          bearer -            PV   companies::list_company_lines;
    ChangeRole                PUT    "/companies/{company_id}/users/{account_id}/role"          Invitations          bearer -            V    companies::change_role;
    RemoveAccess              DELETE "/companies/{company_id}/users/{account_id}"               Invitations          bearer -            V    companies::remove_access;
    EndMemberSessions         DELETE "/companies/{company_id}/users/{account_id}/sessions"      Invitations          bearer -            V    companies::end_member_sessions;
    RemoveMemberSecondFactor  DELETE "/companies/{company_id}/users/{account_id}/second-factor" Invitations          bearer notifies     PVM  companies::remove_member_second_factor;
    SetSecondFactorPolicy     PUT    "/companies/{company_id}/second-factor-policy"             Invitations          bearer -            V    companies::set_second_factor_policy;
    ReadAuditTrail            GET    "/companies/{company_id}/audit-events"                     -                    bearer -            V    companies::read_audit_trail;
    RevokeCompanyRegistration DELETE "/operator/companies/{company_id}/administrator"           Registration         -      -            PO   operator::revoke_company_registration;
    ReadCompanyAuditTrail     GET    "/operator/companies/{company_id}/audit-events"            -                    -      -            PO   operator::read_company_audit_trail;
    ReadAuditLog              GET    "/operator/audit-events"                                   -                    -      -            PO   operator::read_audit_log;
    RemoveSecondFactors       POST   "/operator/second-factor-removals"                         -                    -      notifies     POM  operator::remove_second_factors;
    AcceptInvitation          POST   "/invitations/accept"                                      Invitations          -      -            PS   companies::accept_invitation;
    JoinCompany               POST   "/me/invitations"                                          Invitations          bearer -            V    companies::join_company;
    ListMyUnits               GET    "/me/units"                                                Units                bearer -            V    companies::list_my_units;
    StartPasswordReset        POST   "/password-resets"                                         PasswordReset        -      source       PC   password_reset::start_password_reset;
    SendResetCode             POST   "/password-resets/{flow_id}/code"                          PasswordReset        -      source_sends PM   password_reset::send_reset_code;
    CompletePasswordReset     POST   "/password-resets/{flow_id}/password"                      PasswordReset        -      -            P    password_reset::complete_password_reset;
    GetOpenidConfiguration    GET    "/.well-known/openid-configuration"                        -                    -      -            -    sessions::get_openid_configuration;
    GetJwks                   GET    "/.well-known/jwks.json"                                   -                    -      -            V    sessions::get_jwks;
}

/// Runs one step for one request and renders the outcome. Logs one line per request with
/// the request id, step, status, code and latency, and nothing the person typed.
pub async fn handle(deps: &Deps, step: Step, request: ApiRequest) -> Response<Bytes> {
    let started = Instant::now();
    let lang = request.lang();
    let outcome = if request.body.len() > MAX_BODY_BYTES {
        Err(Error::PayloadTooLarge)
    } else {
        run(&keyed(deps, step.keys()), step, &request).await
    };
    let response = match &outcome {
        Ok(reply) => reply.render(&request.request_id),
        Err(error) => problem(error, lang, &request.request_id),
    };
    log_request(
        Some(step.name()),
        &request.request_id,
        response.status(),
        outcome.as_ref().err(),
        started,
    );
    response
}

/// The step's checks that come before its input: the profile offers its flow, and a step
/// that may send without a login is counted per client address.
async fn run(deps: &Deps, step: Step, request: &ApiRequest) -> Result<Reply, Error> {
    if step
        .offer()
        .is_some_and(|offer| !deps.profile.offers(offer))
    {
        // Without a token a logged-in step answers 401 first, whatever else is wrong.
        if step.needs_bearer() && request.bearer().is_none() {
            return Err(Error::Unauthenticated);
        }
        return Err(Error::NotOffered);
    }
    if step.sends_without_login() {
        varco_domain::limits::sending::admit_source(deps, request.source).await?;
    }
    let client = varco_domain::base::deps::Client {
        source: Some(request.source),
        user_agent: request
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    };
    step.call(&deps.for_client(client), request).await
}

pub fn routes() -> &'static [Route] {
    ROUTES
}

impl Step {
    pub fn route(self) -> &'static Route {
        &ROUTES[self as usize]
    }

    /// The step's name: its Lambda function in the template, its OpenAPI operation id.
    pub fn name(self) -> &'static str {
        self.route().name
    }

    /// What of the profile the step belongs to; `None` for steps every portal has.
    pub fn offer(self) -> Option<Offer> {
        self.route().offer
    }

    /// The keys the step's function holds.
    pub fn keys(self) -> Keys {
        self.route().keys
    }

    /// Whether the step acts for a logged-in person: it needs `Authorization: Bearer`.
    pub fn needs_bearer(self) -> bool {
        self.route().bearer
    }

    /// Whether the step queues an SMS or an email when it succeeds: through the sending gate
    /// (`varco_domain::limits::sending`), which may refuse it.
    pub fn sends(self) -> bool {
        matches!(self.route().sending, Sending::Sends | Sending::SourceSends)
    }

    /// Whether the step queues an email notice through the gate (which may drop it).
    pub fn notifies(self) -> bool {
        self.route().sending == Sending::Notifies
    }

    /// Whether the step starts or continues, without a login, a flow that sends an SMS or
    /// an email: counted per client address before it runs (`sending::admit_source`).
    /// Logged-in steps that send are bounded per account and per company instead.
    pub fn sends_without_login(self) -> bool {
        matches!(self.route().sending, Sending::Source | Sending::SourceSends)
    }

    /// The step of a name (a Lambda function's `VARCO_STEP`).
    pub fn named(name: &str) -> Option<Step> {
        ROUTES
            .iter()
            .find(|route| route.name == name)
            .map(|route| route.step)
    }
}

/// Captures the parameters of `path` if it has the shape of `pattern`.
pub fn match_path(pattern: &'static str, path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut pattern_segments = pattern.trim_matches('/').split('/');
    let mut path_segments = path
        .trim_end_matches('/')
        .trim_start_matches('/')
        .split('/');
    loop {
        match (pattern_segments.next(), path_segments.next()) {
            (None, None) => return Some(params),
            (Some(expected), Some(actual)) => {
                match expected.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    Some(name) if !actual.is_empty() => params.push((name, actual.to_string())),
                    Some(_) => return None,
                    None if expected == actual => {}
                    None => return None,
                }
            }
            _ => return None,
        }
    }
}

pub enum Resolved {
    Found(Step, Params),
    /// The path exists with other methods: these.
    MethodNotAllowed(Vec<Method>),
    NotFound,
}

/// The step a request is for, as the local gateway and API Gateway both route it.
pub fn resolve(method: &Method, path: &str) -> Resolved {
    let mut allowed = Vec::new();
    for route in routes() {
        if let Some(params) = match_path(route.path, path) {
            if route.method == *method {
                return Resolved::Found(route.step, params);
            }
            allowed.push(route.method.clone());
        }
    }
    if allowed.is_empty() {
        Resolved::NotFound
    } else {
        Resolved::MethodNotAllowed(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_resolves_to_its_step_and_names_are_unique() {
        let mut names = std::collections::HashSet::new();
        for route in routes() {
            let path = route
                .path
                .split('/')
                .map(|s| if s.starts_with('{') { "abc" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            assert!(
                matches!(resolve(&route.method, &path), Resolved::Found(step, _) if step == route.step)
            );
            assert!(names.insert(route.step.name()));
            assert_eq!(route.step.route().path, route.path);
            assert_eq!(Step::named(route.name), Some(route.step));
        }
    }

    #[test]
    fn parameters_are_captured_and_shapes_must_match() {
        let params = match_path("/recoveries/{flow_id}/key6", "/recoveries/f1/key6").unwrap();
        assert_eq!(params, vec![("flow_id", "f1".to_string())]);
        assert!(match_path("/recoveries/{flow_id}/key6", "/recoveries//key6").is_none());
        assert!(match_path("/recoveries/{flow_id}/key6", "/recoveries/f1/key6/x").is_none());
        assert!(matches!(
            resolve(&Method::GET, "/recoveries"),
            Resolved::MethodNotAllowed(allowed) if allowed == [Method::POST]
        ));
        assert!(matches!(resolve(&Method::GET, "/nope"), Resolved::NotFound));
    }
}
