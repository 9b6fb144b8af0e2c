//! The one route table. It drives the local gateway, the Lambda binaries (one per step,
//! named as the step), and is checked against the infrastructure template and the OpenAPI
//! document.

use http::Method;
use varco_domain::profile::Flow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    IssueCaptcha,
    StartRecovery,
    VerifyKey6,
    VerifySecurityAnswer,
    VerifyRecoveryPassword,
    VerifyRecoveryPhone,
    Login,
    GetAccount,
    ChangePassword,
    RefreshSession,
    Logout,
    StartRegistration,
    ConfirmRegistrationCode,
    ResendRegistrationCode,
    CompleteRegistration,
    StartMigration,
    CompleteMigration,
    ResendMigrationCode,
    StartMobileChange,
    ConfirmMobileChange,
    StartEmailChange,
    ConfirmEmailChange,
    DeleteAccount,
    StartVatRegistration,
    ActivateVatRegistration,
    StartLineRegistration,
    VerifyLinePuk,
    ResendLineCode,
    CompleteLineRegistration,
    StartPasswordReset,
    SendResetCode,
    CompletePasswordReset,
    Autologin,
    StartLineAssociation,
    ConfirmLineAssociation,
    ResendUsername,
    SendFirstAccessCode,
    CompleteFirstAccess,
    ViewKey6,
    CreateInvitation,
    SendInvitation,
    RevokeInvitation,
    ListCompanyUsers,
    AcceptInvitation,
    JoinCompany,
    ChangeRole,
    RemoveAccess,
    ReadAuditTrail,
    ListMyUnits,
    ReadAuditLog,
    ListCompanyLines,
    RevokeCompanyRegistration,
    ReadCompanyAuditTrail,
}

pub struct Route {
    pub method: Method,
    /// Segments in braces are path parameters: `/recoveries/{flow_id}/key6`.
    pub path: &'static str,
    pub step: Step,
}

pub fn routes() -> [Route; 53] {
    use Step::*;
    let route = |method, path, step| Route { method, path, step };
    [
        route(Method::POST, "/captcha", IssueCaptcha),
        route(Method::POST, "/recoveries", StartRecovery),
        route(Method::POST, "/recoveries/{flow_id}/key6", VerifyKey6),
        route(
            Method::POST,
            "/recoveries/{flow_id}/security-answer",
            VerifySecurityAnswer,
        ),
        route(
            Method::POST,
            "/recoveries/{flow_id}/password",
            VerifyRecoveryPassword,
        ),
        route(
            Method::POST,
            "/recoveries/{flow_id}/phone",
            VerifyRecoveryPhone,
        ),
        route(Method::POST, "/sessions", Login),
        route(Method::POST, "/sessions/autologin", Autologin),
        route(Method::GET, "/me", GetAccount),
        route(Method::PUT, "/me/password", ChangePassword),
        route(Method::POST, "/sessions/refresh", RefreshSession),
        route(Method::DELETE, "/sessions/current", Logout),
        route(Method::POST, "/registrations", StartRegistration),
        route(
            Method::POST,
            "/registrations/{flow_id}/code",
            ConfirmRegistrationCode,
        ),
        route(
            Method::POST,
            "/registrations/{flow_id}/code/resend",
            ResendRegistrationCode,
        ),
        route(
            Method::POST,
            "/registrations/{flow_id}/credentials",
            CompleteRegistration,
        ),
        route(Method::POST, "/migrations", StartMigration),
        route(
            Method::POST,
            "/migrations/{flow_id}/code",
            CompleteMigration,
        ),
        route(
            Method::POST,
            "/migrations/{flow_id}/code/resend",
            ResendMigrationCode,
        ),
        route(Method::POST, "/me/mobile", StartMobileChange),
        route(Method::POST, "/me/mobile/code", ConfirmMobileChange),
        route(Method::POST, "/me/email", StartEmailChange),
        route(Method::POST, "/me/email/code", ConfirmEmailChange),
        route(Method::POST, "/me/deletion", DeleteAccount),
        route(Method::POST, "/me/cards/key6", ViewKey6),
        route(Method::POST, "/me/lines", StartLineAssociation),
        route(Method::POST, "/me/lines/code", ConfirmLineAssociation),
        route(
            Method::POST,
            "/user-admin-registrations",
            StartVatRegistration,
        ),
        route(
            Method::POST,
            "/user-admin-registrations/{flow_id}/activation",
            ActivateVatRegistration,
        ),
        route(Method::POST, "/line-registrations", StartLineRegistration),
        route(
            Method::POST,
            "/line-registrations/{flow_id}/puk",
            VerifyLinePuk,
        ),
        route(
            Method::POST,
            "/line-registrations/{flow_id}/code/resend",
            ResendLineCode,
        ),
        route(
            Method::POST,
            "/line-registrations/{flow_id}/code",
            CompleteLineRegistration,
        ),
        route(Method::POST, "/username-reminders", ResendUsername),
        route(
            Method::POST,
            "/first-accesses/{flow_id}/code",
            SendFirstAccessCode,
        ),
        route(
            Method::POST,
            "/first-accesses/{flow_id}/password",
            CompleteFirstAccess,
        ),
        route(
            Method::POST,
            "/companies/{company_id}/invitations",
            CreateInvitation,
        ),
        route(
            Method::POST,
            "/companies/{company_id}/invitations/{invitation_id}/send",
            SendInvitation,
        ),
        route(
            Method::DELETE,
            "/companies/{company_id}/invitations/{invitation_id}",
            RevokeInvitation,
        ),
        route(
            Method::GET,
            "/companies/{company_id}/users",
            ListCompanyUsers,
        ),
        route(
            Method::GET,
            "/companies/{company_id}/lines",
            ListCompanyLines,
        ),
        route(
            Method::PUT,
            "/companies/{company_id}/users/{account_id}/role",
            ChangeRole,
        ),
        route(
            Method::DELETE,
            "/companies/{company_id}/users/{account_id}",
            RemoveAccess,
        ),
        route(
            Method::GET,
            "/companies/{company_id}/audit-events",
            ReadAuditTrail,
        ),
        route(
            Method::DELETE,
            "/operator/companies/{company_id}/administrator",
            RevokeCompanyRegistration,
        ),
        route(
            Method::GET,
            "/operator/companies/{company_id}/audit-events",
            ReadCompanyAuditTrail,
        ),
        route(Method::GET, "/operator/audit-events", ReadAuditLog),
        route(Method::POST, "/invitations/accept", AcceptInvitation),
        route(Method::POST, "/me/invitations", JoinCompany),
        route(Method::GET, "/me/units", ListMyUnits),
        route(Method::POST, "/password-resets", StartPasswordReset),
        route(
            Method::POST,
            "/password-resets/{flow_id}/code",
            SendResetCode,
        ),
        route(
            Method::POST,
            "/password-resets/{flow_id}/password",
            CompletePasswordReset,
        ),
    ]
}

impl Step {
    /// The step's name: its binary, its function in the template, its OpenAPI operation id.
    pub fn name(self) -> &'static str {
        use Step::*;
        match self {
            IssueCaptcha => "issue-captcha",
            StartRecovery => "start-recovery",
            VerifyKey6 => "verify-key6",
            VerifySecurityAnswer => "verify-security-answer",
            VerifyRecoveryPassword => "verify-recovery-password",
            VerifyRecoveryPhone => "verify-recovery-phone",
            Login => "login",
            GetAccount => "get-account",
            ChangePassword => "change-password",
            RefreshSession => "refresh-session",
            Logout => "logout",
            StartRegistration => "start-registration",
            ConfirmRegistrationCode => "confirm-registration-code",
            ResendRegistrationCode => "resend-registration-code",
            CompleteRegistration => "complete-registration",
            StartMigration => "start-migration",
            CompleteMigration => "complete-migration",
            ResendMigrationCode => "resend-migration-code",
            StartMobileChange => "start-mobile-change",
            ConfirmMobileChange => "confirm-mobile-change",
            StartEmailChange => "start-email-change",
            ConfirmEmailChange => "confirm-email-change",
            DeleteAccount => "delete-account",
            StartVatRegistration => "start-vat-registration",
            ActivateVatRegistration => "activate-vat-registration",
            StartLineRegistration => "start-line-registration",
            VerifyLinePuk => "verify-line-puk",
            ResendLineCode => "resend-line-code",
            CompleteLineRegistration => "complete-line-registration",
            StartPasswordReset => "start-password-reset",
            SendResetCode => "send-reset-code",
            CompletePasswordReset => "complete-password-reset",
            Autologin => "autologin",
            StartLineAssociation => "start-line-association",
            ConfirmLineAssociation => "confirm-line-association",
            ResendUsername => "resend-username",
            SendFirstAccessCode => "send-first-access-code",
            CompleteFirstAccess => "complete-first-access",
            ViewKey6 => "view-key6",
            CreateInvitation => "create-invitation",
            SendInvitation => "send-invitation",
            RevokeInvitation => "revoke-invitation",
            ListCompanyUsers => "list-company-users",
            AcceptInvitation => "accept-invitation",
            JoinCompany => "join-company",
            ChangeRole => "change-role",
            RemoveAccess => "remove-access",
            ReadAuditTrail => "read-audit-trail",
            RevokeCompanyRegistration => "revoke-company-registration",
            ReadCompanyAuditTrail => "read-company-audit-trail",
            ListMyUnits => "list-my-units",
            ReadAuditLog => "read-audit-log",
            ListCompanyLines => "list-company-lines",
        }
    }

    /// The flow of the profile the step belongs to; `None` for steps every portal has.
    pub fn flow(self) -> Option<Flow> {
        use Step::*;
        match self {
            StartRecovery
            | VerifyKey6
            | VerifySecurityAnswer
            | VerifyRecoveryPassword
            | VerifyRecoveryPhone
            | ViewKey6 => Some(Flow::CardRecovery),
            StartRegistration
            | ConfirmRegistrationCode
            | ResendRegistrationCode
            | CompleteRegistration
            | StartMigration
            | CompleteMigration
            | ResendMigrationCode
            | RevokeCompanyRegistration => Some(Flow::CardRegistration),
            StartVatRegistration | ActivateVatRegistration => Some(Flow::VatRegistration),
            StartLineRegistration
            | VerifyLinePuk
            | ResendLineCode
            | CompleteLineRegistration
            | StartLineAssociation
            | ConfirmLineAssociation => Some(Flow::LineRegistration),
            StartPasswordReset | SendResetCode | CompletePasswordReset => Some(Flow::PasswordReset),
            Autologin => Some(Flow::Autologin),
            ResendUsername | SendFirstAccessCode | CompleteFirstAccess => {
                Some(Flow::LegalRepRegistration)
            }
            CreateInvitation | SendInvitation | RevokeInvitation | ListCompanyUsers
            | ListCompanyLines | AcceptInvitation | JoinCompany | ChangeRole | RemoveAccess => {
                Some(Flow::Invitations)
            }
            ListMyUnits => Some(Flow::Units),
            IssueCaptcha
            | ReadAuditTrail
            | ReadCompanyAuditTrail
            | ReadAuditLog
            | Login
            | GetAccount
            | ChangePassword
            | RefreshSession
            | Logout
            | StartMobileChange
            | ConfirmMobileChange
            | StartEmailChange
            | ConfirmEmailChange
            | DeleteAccount => None,
        }
    }

    /// Whether the step acts for a logged-in person: it needs `Authorization: Bearer`.
    pub fn needs_bearer(self) -> bool {
        use Step::*;
        matches!(
            self,
            GetAccount
                | ChangePassword
                | StartMobileChange
                | ConfirmMobileChange
                | StartLineAssociation
                | ConfirmLineAssociation
                | StartEmailChange
                | ConfirmEmailChange
                | DeleteAccount
                | Logout
                | ViewKey6
                | CreateInvitation
                | SendInvitation
                | RevokeInvitation
                | ListCompanyUsers
                | JoinCompany
                | ChangeRole
                | RemoveAccess
                | ReadAuditTrail
                | ListMyUnits
                | ListCompanyLines
        )
    }

    /// Whether the step queues an SMS or an email when it succeeds: through the sending gate
    /// (`varco_domain::sending`), which may refuse it.
    pub fn sends(self) -> bool {
        use Step::*;
        matches!(
            self,
            VerifyRecoveryPhone
                | StartRegistration
                | ResendRegistrationCode
                | StartMigration
                | ResendMigrationCode
                | StartMobileChange
                | StartEmailChange
                | StartVatRegistration
                | StartLineRegistration
                | VerifyLinePuk
                | ResendLineCode
                | SendResetCode
                | ResendUsername
                | SendFirstAccessCode
                | StartLineAssociation
                | CreateInvitation
                | SendInvitation
        )
    }

    /// Whether the step starts or continues, without a login, a flow that sends an SMS or
    /// an email: counted per client address before it runs (`sending::admit_source`).
    /// Logged-in steps that send are bounded per account and per company instead.
    pub fn sends_without_login(self) -> bool {
        use Step::*;
        matches!(
            self,
            StartRecovery
                | VerifyRecoveryPhone
                | StartRegistration
                | ResendRegistrationCode
                | StartMigration
                | ResendMigrationCode
                | StartVatRegistration
                | StartLineRegistration
                | VerifyLinePuk
                | ResendLineCode
                | StartPasswordReset
                | SendResetCode
                | ResendUsername
                | SendFirstAccessCode
        )
    }

    pub fn route(self) -> Route {
        routes()
            .into_iter()
            .find(|r| r.step == self)
            .expect("every step has a route")
    }
}

/// Path parameters captured by a route, by name.
pub type Params = Vec<(&'static str, String)>;

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
            allowed.push(route.method);
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
