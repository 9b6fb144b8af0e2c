//! The one error type. Each variant carries, in one place (`describe`), its HTTP status,
//! its stable machine code and its message in Italian and English. Internal causes are
//! logged by the HTTP glue and never shown to clients.

use crate::base::store::StoreError;
use crate::base::types::ParseError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the request body is not the JSON this step expects: {0}")]
    MalformedBody(String),
    #[error("field `{field}` is not valid: {reason}")]
    InvalidField {
        field: &'static str,
        reason: ParseError,
    },
    #[error("the captcha is missing, wrong, expired or already used")]
    CaptchaInvalid,
    #[error("this attempt needs a captcha solved first")]
    CaptchaRequired {
        /// The challenge to solve, as the client reads it (`captcha::Challenge`; none only
        /// inside the domain, before it is made).
        challenge: Option<Box<serde_json::Value>>,
    },
    #[error("the birth date is not the one the fiscal code encodes")]
    BirthDateMismatch,
    #[error("the data given does not match")]
    DataNotCorrect,
    #[error("no recovery method is enabled")]
    NoRecoveryMethod,
    #[error("the method is not offered in this flow")]
    MethodNotOffered,
    #[error("no certified phone number is on file")]
    NoCertifiedPhone,
    #[error("the phone number typed is not the one on file")]
    PhoneNotMatching,
    #[error("Key6 recovery is locked for this card")]
    Key6Locked,
    #[error("too many wrong attempts: the flow has ended")]
    TooManyAttempts,
    #[error("too many attempts for this subject today")]
    AttemptsExhausted,
    #[error("too many SMS to this number")]
    SmsLimit,
    #[error("SMS are not sent to this country")]
    SmsCountryNotAllowed,
    #[error("the number cannot receive an SMS: not a mobile number")]
    SmsNumberNotMobile,
    #[error("too many messages today for this address, account or company")]
    MessagesLimit,
    #[error("too many requests that send messages from this address: wait {retry_after} s")]
    SourceLimit { retry_after: i64 },
    #[error("the deployment's daily budget of messages is spent: wait {retry_after} s")]
    SendingSuspended { retry_after: i64 },
    #[error("no such flow")]
    FlowNotFound,
    #[error("the flow has expired")]
    FlowExpired,
    #[error("the flow has ended")]
    FlowEnded,
    #[error("the flow is not at this step")]
    WrongStep,
    #[error("a concurrent request changed the same data")]
    Conflict,
    #[error("the code is not the one sent")]
    CodeNotCorrect,
    #[error("the code has expired")]
    CodeExpired,
    #[error("the card is expired or blocked")]
    ValidCardRequired,
    #[error("too many wrong registration codes for this card")]
    RegistrationCodeLocked,
    #[error("the company has a registered Administrator already")]
    CompanyAlreadyRegistered,
    #[error("the email is the login of another account")]
    EmailTaken,
    #[error("the old portal's account was migrated already")]
    AlreadyMigrated,
    #[error("the role no longer has access to the portal")]
    NoPortalAccess,
    #[error("the role uses the personal cardholder area, not the company portal")]
    UseCardholderArea,
    #[error("no change is waiting for a code")]
    NoPendingChange,
    #[error("an authenticator app is already enrolled")]
    AuthenticatorEnrolled,
    #[error("the account has no second factor")]
    NoSecondFactor,
    /// A passkey's answer that does not complete its ceremony (signature, challenge,
    /// origin, user verification), or a passkey the account does not have.
    #[error("the passkey was not verified")]
    PasskeyNotVerified,
    #[error("the account has as many passkeys as it may")]
    TooManyPasskeys,
    #[error("no passkey of the account has that id")]
    PasskeyNotFound,
    #[error("no account has that login name")]
    AccountNotFound,
    #[error("a second factor is required first")]
    SecondFactorRequired,
    #[error("a recent login is needed for this step")]
    ReauthenticationRequired { max_age: i64 },
    #[error("wrong login name or password")]
    InvalidCredentials,
    #[error("too many failed logins: wait {retry_after} s")]
    LoginDelayed { retry_after: i64 },
    #[error("no line the network vouches for has an account")]
    AutologinUnavailable,
    #[error("missing or invalid access token")]
    Unauthenticated,
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("the current password is wrong")]
    CurrentPasswordWrong,
    #[error("the new password does not meet the policy: {0}")]
    WeakPassword(ParseError),
    #[error("this portal does not offer the flow")]
    NotOffered,
    #[error("the VAT number has a User Admin already")]
    UserAdminExists,
    #[error("the username is taken")]
    UsernameTaken,
    #[error("the number is not a line that can be registered")]
    LineNotEligible,
    #[error("the line is registered already")]
    LineTaken,
    #[error("the PUK is not the SIM's")]
    PukNotCorrect,
    #[error("the card issuer has no Key6 to show for the card")]
    Key6Unavailable,
    #[error("a data-only SIM needs its PUK")]
    PukRequired,
    #[error("the account holds the most lines it may")]
    TooManyLines,
    #[error("the account does not administer this company")]
    NotCompanyAdmin,
    #[error("the role may not be granted or changed by this administrator")]
    RoleNotGrantable,
    #[error("no such role in this portal")]
    UnknownRole,
    #[error("the company has the most pending invitations it may")]
    TooManyInvitations,
    #[error("no such invitation, or the code is not its current one")]
    InvitationNotFound,
    #[error("the invitation was accepted already")]
    InvitationUsed,
    #[error("the invitation has expired")]
    InvitationExpired,
    #[error("the invitation is for another email")]
    InvitationEmailMismatch,
    #[error("the temporary password is not the one sent")]
    TemporaryPasswordNotCorrect,
    #[error("the login name has an account already")]
    AccountExists,
    #[error("the account has access to the company already")]
    AlreadyMember,
    #[error("an administrator does not act on their own access")]
    NotOnYourself,
    #[error("no such member of the company")]
    MemberNotFound,
    #[error("no such contract of a unit of the property")]
    UnitContractNotFound,
    #[error("only the operator's back office may do this")]
    OperatorOnly,
    #[error("the company has no registered Administrator")]
    NoAdministrator,
    #[error("the role may not reset its own password")]
    PasswordResetNotAllowed,
    #[error("no route for this path")]
    RouteNotFound,
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("the request line or a header is not HTTP")]
    MalformedRequest,
    #[error("the request's URI is too long")]
    UriTooLong,
    #[error("the request's headers are too large or too many")]
    HeadersTooLarge,
    #[error("a service Varco depends on is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// How long a client waits before trying again after `503 unavailable` (a dependency that
/// failed or did not answer in time), in seconds.
pub const UNAVAILABLE_RETRY_AFTER: i64 = 5;

/// How an error reads to a client.
pub struct Description {
    pub status: u16,
    pub code: &'static str,
    pub it: &'static str,
    pub en: &'static str,
}

const fn d(status: u16, code: &'static str, it: &'static str, en: &'static str) -> Description {
    Description {
        status,
        code,
        it,
        en,
    }
}

impl Error {
    pub fn describe(&self) -> Description {
        use Error::*;
        match self {
            MalformedBody(_) => d(400, "malformed_body", "La richiesta non è nel formato atteso.", "The request is not in the expected format."),
            InvalidField { .. } => d(400, "invalid_field", "Un campo della richiesta non è valido.", "A field of the request is not valid."),
            CaptchaInvalid => d(400, "captcha_invalid", "Il controllo di sicurezza non è riuscito: riprova.", "The security check failed: try again."),
            CaptchaRequired { .. } => d(403, "captcha_required", "Per continuare risolvi il controllo di sicurezza.", "Solve the security check to go on."),
            BirthDateMismatch => d(422, "birth_date_mismatch", "La data di nascita non corrisponde al codice fiscale.", "The birth date does not match the fiscal code."),
            DataNotCorrect => d(422, "data_not_correct", "Dati non corretti.", "Data not correct."),
            NoRecoveryMethod => d(422, "no_recovery_method", "Nessun metodo di recupero è attivo: contatta il Servizio Clienti.", "No recovery method is enabled: contact customer service."),
            MethodNotOffered => d(409, "method_not_offered", "Questo metodo di recupero non è disponibile.", "This recovery method is not available."),
            NoCertifiedPhone => d(422, "contact_customer_service", "Per recuperare le credenziali serve un numero di telefono certificato: contatta il Servizio Clienti.", "Recovering credentials needs a certified phone number: contact customer service."),
            PhoneNotMatching => d(422, "phone_not_matching", "Il numero di cellulare non risulta valido. Riprova o contatta il Servizio Clienti.", "The mobile number is not valid. Try again or contact customer service."),
            Key6Locked => d(429, "key6_locked", "Troppi tentativi con il codice Key6 per questa carta: riprova tra 24 ore.", "Too many Key6 attempts for this card: try again in 24 hours."),
            TooManyAttempts => d(429, "too_many_attempts", "Troppi tentativi errati: ricomincia la procedura.", "Too many wrong attempts: start again."),
            AttemptsExhausted => d(429, "attempts_exhausted", "Troppi tentativi per oggi: per continuare contatta il Servizio Clienti.", "Too many attempts for today: contact customer service to go on."),
            SmsLimit => d(429, "sms_limit", "Troppi SMS inviati a questo numero: riprova più tardi.", "Too many SMS sent to this number: try again later."),
            SmsNumberNotMobile => d(422, "sms_number_not_mobile", "Questo numero non può ricevere SMS: indica un numero di cellulare.", "This number cannot receive SMS: give a mobile number."),
            MessagesLimit => d(429, "messages_limit", "Troppi messaggi inviati oggi: riprova domani o contatta il Servizio Clienti.", "Too many messages sent today: try again tomorrow or contact customer service."),
            SourceLimit { .. } => d(429, "source_limit", "Troppe richieste da questa rete: riprova più tardi.", "Too many requests from this network: try again later."),
            SendingSuspended { .. } => d(503, "sending_suspended", "L'invio di messaggi è sospeso per oggi: riprova più tardi o contatta il Servizio Clienti.", "Sending messages is suspended for today: try again later or contact customer service."),
            SmsCountryNotAllowed => d(422, "sms_country_not_allowed", "Non possiamo inviare SMS a numeri di questo paese: contatta il Servizio Clienti.", "We cannot send SMS to numbers of this country: contact customer service."),
            FlowNotFound => d(404, "flow_not_found", "Procedura non trovata: ricomincia.", "Procedure not found: start again."),
            FlowExpired => d(410, "flow_expired", "La procedura è scaduta: ricomincia.", "The procedure has expired: start again."),
            FlowEnded => d(410, "flow_ended", "La procedura è terminata: ricomincia.", "The procedure has ended: start again."),
            WrongStep => d(409, "wrong_step", "Questo passaggio non è previsto ora.", "This step is not expected now."),
            Conflict => d(409, "conflict", "La richiesta è in conflitto con un'altra appena eseguita.", "The request conflicts with another one just made."),
            CodeNotCorrect => d(422, "code_not_correct", "Il codice inserito non è corretto.", "The code is not correct."),
            CodeExpired => d(410, "code_expired", "Il codice è scaduto: chiedine uno nuovo.", "The code has expired: ask for a new one."),
            ValidCardRequired => d(422, "valid_card_required", "Serve una carta aziendale valida: la carta risulta scaduta o bloccata.", "A valid company card is needed: this card is expired or blocked."),
            RegistrationCodeLocked => d(429, "registration_code_locked", "Troppi tentativi con il codice di registrazione per questa carta: riprova tra 24 ore.", "Too many registration code attempts for this card: try again in 24 hours."),
            CompanyAlreadyRegistered => d(409, "company_already_registered", "La tua azienda ha già un Amministratore registrato: contatta il Servizio Clienti per revocarlo.", "Your company already has a registered Administrator: contact customer service to revoke it."),
            EmailTaken => d(409, "email_taken", "Questo indirizzo email è già usato per accedere: accedi oppure scegline un altro.", "This email is already used to log in: log in or choose another."),
            AlreadyMigrated => d(409, "already_migrated", "Hai già aggiornato le credenziali: accedi con l'email e la password che hai indicato.", "You have already updated your credentials: log in with the email and password you chose."),
            NoPortalAccess => d(403, "no_portal_access", "Il tuo profilo non ha più accesso al portale: contatta l'Amministratore per maggiori informazioni.", "Your profile no longer has access to the portal: contact your Administrator."),
            UseCardholderArea => d(403, "use_cardholder_area", "Le vecchie credenziali non servono più: registrati o accedi all'Area Personale o all'App per gestire la tua carta.", "The old credentials are no longer needed: register or log in to the personal area or the app to manage your card."),
            NoPendingChange => d(409, "no_pending_change", "Nessuna modifica è in attesa di conferma: ricomincia.", "No change is waiting for confirmation: start again."),
            AuthenticatorEnrolled => d(409, "authenticator_enrolled", "Hai già un'app di autenticazione: rimuovila prima di collegarne un'altra.", "An authenticator app is already set up: remove it before adding another."),
            NoSecondFactor => d(409, "no_second_factor", "Il tuo account non ha un secondo fattore di accesso.", "Your account has no second factor."),
            PasskeyNotVerified => d(400, "passkey_not_verified", "La passkey non è stata verificata: riprova.", "The passkey was not verified: try again."),
            TooManyPasskeys => d(409, "too_many_passkeys", "Hai già il numero massimo di passkey: rimuovine una prima di aggiungerne un'altra.", "You have as many passkeys as you may: remove one before adding another."),
            PasskeyNotFound => d(404, "passkey_not_found", "Passkey non trovata.", "Passkey not found."),
            AccountNotFound => d(404, "account_not_found", "Nessun account ha questo nome di accesso.", "No account has this login name."),
            SecondFactorRequired => d(403, "second_factor_required", "Per continuare attiva la verifica in due passaggi e accedi con il codice dell'app.", "Set up two-step verification and log in with your app's code to go on."),
            ReauthenticationRequired { .. } => d(403, "reauthentication_required", "Per questa operazione devi accedere di nuovo.", "Log in again to do this."),
            InvalidCredentials => d(401, "invalid_credentials", "Credenziali non corrette: controlla nome utente (o email) e password.", "Wrong login name or password."),
            LoginDelayed { .. } => d(429, "login_delayed", "Troppi accessi non riusciti: attendi qualche istante e riprova.", "Too many failed logins: wait a moment and try again."),
            AutologinUnavailable => d(401, "autologin_unavailable", "Accesso automatico non disponibile: accedi con username e password.", "Automatic login is not available: log in with username and password."),
            Unauthenticated => d(401, "unauthenticated", "Accedi per continuare.", "Log in to continue."),
            PasswordChangeRequired => d(403, "password_change_required", "Prima di continuare devi impostare una nuova password.", "You must set a new password before anything else."),
            CurrentPasswordWrong => d(403, "current_password_wrong", "La password attuale non è corretta.", "The current password is wrong."),
            WeakPassword(_) => d(422, "weak_password", "La nuova password non rispetta i requisiti: almeno 8 caratteri, non tra le più comuni e non ricavata dal tuo nome, dalla tua email o dal nome del portale.", "The new password does not meet the policy: at least 8 characters, not a common one, and not made of your name, your email or the portal's name."),
            NotOffered => d(404, "not_offered", "Questa funzione non è disponibile su questo portale.", "This portal does not offer this function."),
            UserAdminExists => d(409, "user_admin_exists", "Per questa Partita IVA esiste già un amministratore registrato: contatta il Servizio Clienti.", "This VAT number already has a registered administrator: contact customer service."),
            UsernameTaken => d(409, "username_taken", "Questo username è già in uso: scegline un altro.", "This username is taken: choose another."),
            LineNotEligible => d(422, "line_not_eligible", "Il numero non risulta una linea aziendale registrabile: controlla il numero o contatta il Servizio Clienti.", "The number is not a business line that can be registered: check it or contact customer service."),
            LineTaken => d(409, "line_taken", "Questa linea è già registrata: accedi, o recupera la password.", "This line is registered already: log in, or recover the password."),
            PukNotCorrect => d(422, "puk_not_correct", "Il PUK non è corretto: lo trovi sulla card della SIM.", "The PUK is not correct: it is on the SIM's card."),
            Key6Unavailable => d(422, "key6_unavailable", "Il codice Key6 di questa carta non è disponibile qui: contatta il Servizio Clienti.", "This card's Key6 is not available here: contact customer service."),
            PukRequired => d(422, "puk_required", "È una SIM solo dati: inserisci il PUK, lo trovi sulla card della SIM.", "This is a data-only SIM: type its PUK, which is on the SIM's card."),
            TooManyLines => d(409, "too_many_lines", "Al tuo account è già associato il numero massimo di SIM.", "Your account already has the most SIMs it may hold."),
            NotCompanyAdmin => d(403, "not_company_admin", "Non sei amministratore di questa azienda.", "You are not an administrator of this company."),
            RoleNotGrantable => d(403, "role_not_grantable", "Il tuo profilo non può assegnare o modificare questo ruolo.", "Your profile cannot grant or change this role."),
            UnknownRole => d(422, "unknown_role", "Ruolo sconosciuto per questo portale.", "Unknown role for this portal."),
            TooManyInvitations => d(409, "too_many_invitations", "La tua azienda ha già il numero massimo di inviti in attesa: revocane qualcuno o attendi che scadano.", "Your company has the most pending invitations it may: revoke some or wait for them to expire."),
            InvitationNotFound => d(404, "invitation_not_found", "Codice di invito non valido: controlla il codice o chiedine uno nuovo all'amministratore.", "The invitation code is not valid: check it or ask your administrator for a new one."),
            InvitationUsed => d(410, "invitation_used", "Codice già utilizzato: accedi al portale con le tue credenziali.", "This code has been used already: log in with your credentials."),
            InvitationExpired => d(410, "invitation_expired", "L'invito è scaduto: chiedi all'amministratore di riattivarlo.", "The invitation has expired: ask your administrator to reactivate it."),
            InvitationEmailMismatch => d(403, "invitation_email_mismatch", "L'invito è stato inviato a un altro indirizzo email.", "The invitation was sent to another email address."),
            TemporaryPasswordNotCorrect => d(422, "temporary_password_not_correct", "La password provvisoria non è quella ricevuta via SMS.", "The temporary password is not the one sent by SMS."),
            AccountExists => d(409, "account_exists", "Hai già un account con questo indirizzo: accedi e inserisci il codice di invito.", "You already have an account with this address: log in and enter the invitation code."),
            NotOnYourself => d(403, "not_on_yourself", "Non puoi modificare il tuo stesso accesso: chiedilo a un altro amministratore.", "You cannot change your own access: ask another administrator."),
            OperatorOnly => d(401, "operator_only", "Funzione riservata al back office dell'operatore.", "Reserved to the operator's back office."),
            NoAdministrator => d(404, "no_administrator", "L'azienda non ha un Amministratore registrato.", "The company has no registered Administrator."),
            MemberNotFound => d(404, "member_not_found", "Questa persona non risulta tra gli utenti dell'azienda.", "This person is not a user of the company."),
            UnitContractNotFound => d(404, "unit_contract_not_found", "Nessun contratto con questo codice tra le unità dell'immobile.", "No contract with this id among the property's units."),
            AlreadyMember => d(409, "already_member", "Hai già accesso a questa azienda.", "You already have access to this company."),
            PasswordResetNotAllowed => d(403, "password_reset_not_allowed", "Il tuo profilo non può reimpostare la password: chiedi all'amministratore della tua azienda di cancellare e ricreare la tua utenza.", "Your profile cannot reset its password: ask your company's administrator to delete and recreate your account."),
            RouteNotFound => d(404, "not_found", "Risorsa non trovata.", "Not found."),
            MethodNotAllowed => d(405, "method_not_allowed", "Metodo non consentito.", "Method not allowed."),
            PayloadTooLarge => d(413, "payload_too_large", "La richiesta è troppo grande.", "The request is too large."),
            MalformedRequest => d(400, "malformed_request", "Richiesta non valida.", "The request is not valid HTTP."),
            UriTooLong => d(414, "uri_too_long", "L'indirizzo richiesto è troppo lungo.", "The request's URI is too long."),
            HeadersTooLarge => d(431, "headers_too_large", "Le intestazioni della richiesta sono troppe o troppo grandi.", "The request's headers are too many or too large."),
            Unavailable(_) => d(503, "unavailable", "Servizio momentaneamente non disponibile: riprova tra poco.", "Service temporarily unavailable: try again shortly."),
            Internal(_) => d(500, "internal", "Errore interno: riprova più tardi.", "Internal error: try again later."),
        }
    }

    /// How long a client should wait before trying again, in seconds, when it should.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Error::LoginDelayed { retry_after }
            | Error::SourceLimit { retry_after }
            | Error::SendingSuspended { retry_after } => Some(*retry_after),
            Error::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER),
            _ => None,
        }
    }

    /// An error that names the field and why it failed to parse.
    pub fn field(field: &'static str) -> impl Fn(ParseError) -> Error {
        move |reason| Error::InvalidField { field, reason }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::ConditionFailed { .. } => Error::Conflict,
            down @ (StoreError::Busy(_) | StoreError::Unreachable(_)) => {
                Error::Unavailable(Box::new(down))
            }
            other => Error::Internal(Box::new(other)),
        }
    }
}
