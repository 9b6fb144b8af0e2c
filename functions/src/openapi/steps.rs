//! What the document says of each step: its summary, request, success answer and errors.

use super::*;

pub(super) fn doc(step: Step) -> StepDoc {
    use Step::*;
    match step {
        GetOpenidConfiguration => StepDoc {
            summary: "The discovery document (OpenID Connect Discovery): the issuer of the access tokens, where their keys are, how they are signed. Cacheable for 15 minutes.",
            request: None,
            success: (200, "The discovery document.", Some(object(&["issuer", "jwks_uri", "id_token_signing_alg_values_supported"], json!({ "issuer": string(), "jwks_uri": string(), "id_token_signing_alg_values_supported": { "type": "array", "items": { "const": "RS256" } } })))),
            errors: vec![],
        },
        GetJwks => StepDoc {
            summary: "The public keys that sign access tokens (RFC 7517 JWK set, RS256): the next key is published at least three hours before it signs, the previous one stays until its last token has expired. Cacheable for 15 minutes.",
            request: None,
            success: (200, "The key set.", Some(object(&["keys"], json!({ "keys": { "type": "array", "items": object(&["kty", "kid", "alg", "use", "n", "e"], json!({ "kty": { "const": "RSA" }, "kid": string(), "alg": { "const": "RS256" }, "use": { "const": "sig" }, "n": string(), "e": string() })) } })))),
            errors: vec![],
        },
        IssueCaptcha => StepDoc {
            summary: "A captcha challenge: a proof of work to solve, or the reCAPTCHA site key.",
            request: None,
            success: (
                201,
                "The challenge.",
                Some(challenge()),
            ),
            errors: vec![],
        },
        StartRecovery => StepDoc {
            summary: "R1, R2: start recovering the password or the login email; answers the methods the person has.",
            request: Some(object(
                &["kind", "fiscal_code", "birth_date", "captcha"],
                json!({
                    "kind": { "enum": ["password", "email"] },
                    "fiscal_code": { "type": "string", "pattern": FISCAL_CODE_PATTERN, "description": "Italian fiscal code; its check character is verified too." },
                    "birth_date": { "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
                    "captcha": captcha()
                }),
            )),
            success: (
                201,
                "The flow, valid 15 minutes.",
                Some(object(
                    &["flow_id", "kind", "methods", "expires_at"],
                    json!({
                        "flow_id": string(), "kind": { "enum": ["password", "email"] }, "expires_at": { "type": "integer" },
                        "methods": { "type": "array", "items": object(&["method"], json!({ "method": { "enum": ["key6", "security_question", "password"] }, "question": string() })) }
                    }),
                )),
            ),
            errors: vec![Error::MalformedBody(String::new()), invalid("fiscal_code"), Error::CaptchaInvalid, Error::BirthDateMismatch, Error::NoRecoveryMethod],
        },
        VerifyKey6 => StepDoc {
            summary: "R3: the card number and its Key6.",
            request: Some(object(&["card_number", "key6"], json!({ "card_number": card_number(), "key6": { "type": "string", "pattern": "^[0-9]{6}$" } }))),
            success: (200, "Verified: next, the phone number.", Some(phone_prompt())),
            errors: method_errors_and([invalid("card_number"), Error::Key6Locked]),
        },
        VerifySecurityAnswer => StepDoc {
            summary: "R4: the answer to the security question.",
            request: Some(object(&["answer"], json!({ "answer": { "type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S" } }))),
            success: (200, "Verified: next, the phone number.", Some(phone_prompt())),
            errors: method_errors_and([invalid("answer")]),
        },
        VerifyRecoveryPassword => StepDoc {
            summary: "R5: the password (email recovery only).",
            request: Some(password_again()),
            success: (200, "Verified: next, the phone number.", Some(phone_prompt())),
            errors: method_errors_and([invalid("password")]),
        },
        VerifyRecoveryPhone => StepDoc {
            summary: "R6: the whole phone number on file; sends the SMS with a temporary password or the login email.",
            request: Some(json!({ "oneOf": [
                titled("WholeNumber", object(&["phone"], json!({ "phone": phone() }))),
                titled("PrefixAndNumber", object(&["prefix", "number"], json!({ "prefix": { "type": "string", "pattern": "^(\\+|00)?[0-9]{1,3}$", "description": "`+39`" }, "number": { "type": "string", "pattern": "^[0-9][0-9 ]{3,16}$" } })))
            ]})),
            success: (202, "The SMS is on its way.", Some(object(&["sent_to"], json!({ "sent_to": string() })))),
            errors: on_a_live_flow(
                [
                    Error::MalformedBody(String::new()),
                    invalid("phone"),
                ],
                [
                    Error::PhoneNotMatching,
                    Error::TooManyAttempts,
                    Error::AttemptsExhausted,
                    Error::SmsLimit,
                ],
            ),
        },
        Login => StepDoc {
            summary: "Log in with the login email, or the username (W4: case-sensitive) or the line number (W8), and the password or a temporary password. Past a name's or an address's allowance (X9) the answer is `captcha_required` with a challenge (`captcha`): solve it and send the login again with `captcha`.",
            request: Some({
                let mut body = object(&["password"], json!({ "email": email(), "username": { "type": "string", "minLength": 1, "maxLength": 64, "description": "A username, or a line number (`+393471234567`, or national where the portal has a country)." }, "password": { "type": "string", "minLength": 1, "maxLength": 1024 }, "captcha": captcha() }));
                body["oneOf"] = by_email_or_username();
                body
            }),
            success: (201, "A session.", Some(session())),
            errors: vec![Error::MalformedBody(String::new()), invalid("email"), invalid("username"), Error::InvalidCredentials, Error::CaptchaRequired { challenge: None }, Error::CaptchaInvalid, Error::LoginDelayed { retry_after: 30 }, Error::SourceLimit { retry_after: 30 }, Error::ValidCardRequired],
        },
        Autologin => StepDoc {
            summary: "W9: an employee on the operator's mobile network, logged in by the line number the network gateway adds (header named by the profile's `[autologin] line_header`), with the gateway's proof for that line and moment (`time_header`: Unix seconds; `proof_header`: hex HMAC-SHA256 with the gateway key over the line, a newline and the time; good for 60 s, once). No body. Without a good proof the header is ignored. The session lasts one access token: no refresh token.",
            request: None,
            success: (201, "A session.", Some(session())),
            errors: vec![Error::AutologinUnavailable],
        },
        VerifyLoginTotp => StepDoc {
            summary: "The login's second step: a code of the authenticator app (6 digits, each good once). Tries are counted before the code is checked: 5 per login, and the account's daily budget.",
            request: Some(object(&["code"], json!({ "code": code() }))),
            success: (201, "A session (`amr`: `pwd`, `otp`, `mfa`; `acr`: `aal2`).", Some(session())),
            errors: second_step_errors(),
        },
        UseLoginRecoveryCode => StepDoc {
            summary: "The login's second step with one of the recovery codes (`xxxxx-xxxxx`; case, spaces and dashes do not matter), used up by it. Counted as the authenticator's codes are.",
            request: Some(object(&["code"], json!({ "code": { "type": "string", "minLength": 1, "maxLength": 32, "pattern": "^[A-Za-z0-9 -]+$" } }))),
            success: (201, "A session (`amr`: `pwd`, `otp`, `mfa`; `acr`: `aal2`).", Some(session())),
            errors: second_step_errors(),
        },
        RemoveSecondFactors => StepDoc {
            summary: "M6, the operator's support: removes every second factor (app, passkeys, recovery codes) of the person with this login name, who lost them and has no administrator to ask, once support checked who they are by its own means. Their sessions end; they are told by email. The operator's key in `x-varco-operator-key`.",
            request: Some({
                let mut body = object(&[], json!({ "email": email(), "username": { "type": "string", "minLength": 1, "maxLength": 64 } }));
                body["oneOf"] = by_email_or_username();
                body
            }),
            success: (204, "Removed: the password alone logs in.", None),
            errors: vec![Error::OperatorOnly, Error::MalformedBody(String::new()), invalid("email"), invalid("username"), Error::AccountNotFound, Error::NoSecondFactor, Error::Conflict],
        },
        VerifyLoginPasskey => StepDoc {
            summary: "The login's second step with a passkey: the authenticator's answer to `passkey_options` of the login's answer. A wrong answer counts as a wrong code (5 per login, and the account's daily budget).",
            request: Some(object(&["credential"], json!({ "credential": credential() }))),
            success: (201, "A session (`amr`: `pwd`, `hwk`, `mfa`; `acr`: `aal2`).", Some(session())),
            errors: passkey_errors([Error::TooManyAttempts, Error::AttemptsExhausted, Error::NoSecondFactor, Error::ValidCardRequired]),
        },
        StartPasskeyLogin => StepDoc {
            summary: "Log in with a passkey alone (\"Accedi con una passkey\"): the options for `navigator.credentials.get`, whichever passkey of this portal the person picks. Counted per client address: as many a day as its password logins (`logins_per_source_per_day`), apart from them.",
            request: None,
            success: (201, "The ceremony: answer it within 5 minutes at `POST /passkey-logins/{flow_id}`.", Some(passkey_ceremony("get"))),
            errors: vec![Error::SourceLimit { retry_after: 30 }],
        },
        LogInWithPasskey => StepDoc {
            summary: "The authenticator's answer to a login by passkey. A passkey asks for its person's PIN or body, so it counts as two factors. The ceremony ends with its first answer, right or not.",
            request: Some(object(&["credential"], json!({ "credential": credential() }))),
            success: (201, "A session (`amr`: `hwk`, `mfa`; `acr`: `aal2`).", Some(session())),
            errors: passkey_errors([Error::ValidCardRequired]),
        },
        StartPasskeyRegistration => StepDoc {
            summary: "Add a passkey (the password again): the options for `navigator.credentials.create`. The passkey is asked to be discoverable and to verify its person. Up to 10 a person.",
            request: Some(password_again()),
            success: (201, "The ceremony: answer it within 5 minutes at `POST /me/passkeys`.", Some(passkey_ceremony("create"))),
            errors: change_errors([invalid("password"), Error::TooManyPasskeys, Error::Conflict]),
        },
        AddPasskey => StepDoc {
            summary: "The authenticator's answer to a registration, and the passkey's name: the passkey is the account's, and logins ask for a second factor from now on. The account's first second factor comes with ten recovery codes, shown once.",
            request: Some(object(&["flow_id", "name", "credential"], json!({ "flow_id": string(), "name": { "type": "string", "minLength": 1, "maxLength": 64, "description": "The person's name for it (\"Telefono\", \"YubiKey\")." }, "credential": credential() }))),
            success: (201, "Added.", Some(object(&["passkey"], json!({ "passkey": passkey_view(), "recovery_codes": recovery_codes()["properties"]["recovery_codes"].clone() })))),
            errors: on_a_live_flow([Error::MalformedBody(String::new()), invalid("name"), Error::Unauthenticated, Error::PasswordChangeRequired], [Error::PasskeyNotVerified, Error::TooManyPasskeys]),
        },
        RemovePasskey => StepDoc {
            summary: "Remove a passkey (the password again). With the last second factor, the recovery codes go too.",
            request: Some(password_again()),
            success: (204, "Removed.", None),
            errors: change_errors([invalid("password"), Error::PasskeyNotFound, Error::Conflict]),
        },
        StartAuthenticatorSetup => StepDoc {
            summary: "Set up an authenticator app (the password again): the seed, shown once, as text and as an `otpauth://` URI for a QR code. The app is set up when its first code comes back (`POST /me/authenticator/code`) within 10 minutes.",
            request: Some(password_again()),
            success: (201, "The seed, to put in the app.", Some(object(&["secret", "otpauth_uri", "qr_code", "digits", "period", "expires_at"], json!({ "secret": { "type": "string", "description": "Base32 (RFC 4648), to type into the app." }, "otpauth_uri": string(), "qr_code": { "type": "string", "pattern": "^data:image/svg\\+xml;base64,", "description": "The URI as a QR code: an SVG image in a `data:` URL, for an `img`." }, "digits": { "const": 6 }, "period": { "const": 30 }, "expires_at": { "type": "integer" } })))),
            errors: change_errors([invalid("password"), Error::AuthenticatorEnrolled, Error::Conflict]),
        },
        ConfirmAuthenticator => StepDoc {
            summary: "The app's first code: the app is set up, and logins ask for its codes from now on. Answers the first ten recovery codes, shown once.",
            request: Some(object(&["code"], json!({ "code": code() }))),
            success: (200, "Set up; the recovery codes.", Some(recovery_codes())),
            errors: confirm_errors(),
        },
        RemoveAuthenticator => StepDoc {
            summary: "Remove the authenticator app and the recovery codes (the password again): logins ask for the password alone.",
            request: Some(password_again()),
            success: (204, "Removed.", None),
            errors: change_errors([invalid("password"), Error::NoSecondFactor, Error::Conflict]),
        },
        RenewRecoveryCodes => StepDoc {
            summary: "A new set of ten recovery codes (the password again), shown once; the old ones stop working.",
            request: Some(password_again()),
            success: (201, "The new recovery codes.", Some(recovery_codes())),
            errors: change_errors([invalid("password"), Error::NoSecondFactor, Error::Conflict]),
        },
        GetAccount => StepDoc {
            summary: "The account of the session.",
            request: None,
            success: (200, "The account.", Some(object(&["id", "email", "display_name", "memberships"], json!({ "id": string(), "email": string(), "display_name": string(), "mobile": { "type": "string", "description": "The confirmed mobile, masked." }, "lines": { "type": "array", "items": string(), "description": "The SIMs associated with the account (W7, W11), masked." }, "second_factors": object(&["authenticator", "recovery_codes_left", "passkeys"], json!({ "authenticator": { "type": "boolean" }, "recovery_codes_left": { "type": "integer", "minimum": 0 }, "passkeys": { "type": "array", "items": passkey_view() }, "due_at": { "type": "integer", "description": "The person must set one up: until then the password alone logs in." } })), "memberships": { "type": "array", "items": object(&["company_id", "company_name", "role"], json!({ "company_id": string(), "company_name": string(), "role": { "type": "string", "description": "A role id of the portal profile." }, "access_until": { "type": "integer", "description": "For a role that needs a valid company card: when access ends unless the card is renewed." } })) } })))),
            errors: vec![Error::Unauthenticated, Error::PasswordChangeRequired],
        },
        ListMySessions => StepDoc {
            summary: "The sessions of the session's account: where its owner is logged in, newest first.",
            request: None,
            success: (200, "The live sessions.", Some(object(&["sessions"], json!({ "sessions": { "type": "array", "items": object(&["id", "created_at", "expires_at", "current"], json!({ "id": { "type": "string", "description": "The session's id: the access token's `sid`." }, "created_at": { "type": "integer" }, "expires_at": { "type": "integer", "description": "When the session ends, whatever its refreshes." }, "current": { "type": "boolean", "description": "Whether it is the session of the token that asks." }, "amr": { "type": "array", "items": { "enum": ["pwd", "otp", "sms", "sc", "hwk", "mfa"] }, "description": "How its person logged in (RFC 8176)." }, "device": { "type": "string", "description": "The browser and system it was opened from (\"Chrome, Android\"), when known." }, "network": { "type": "string", "description": "The network of the address it was opened from: an IPv4 /24, an IPv6 /64." }, "last_used_at": { "type": "integer", "description": "Its last refresh." } })) } })))),
            errors: vec![Error::Unauthenticated, Error::PasswordChangeRequired],
        },
        EndMySession => StepDoc {
            summary: "End one of the person's sessions (its id from `GET /me/sessions`): its tokens stop working. An id that is not one of theirs ends nothing, alike.",
            request: None,
            success: (204, "Ended.", None),
            errors: vec![invalid("session_id"), Error::Unauthenticated, Error::PasswordChangeRequired],
        },
        EndMyOtherSessions => StepDoc {
            summary: "End every session of the person but the one asking (after a lost phone, a changed factor).",
            request: None,
            success: (204, "Ended.", None),
            errors: vec![Error::Unauthenticated, Error::PasswordChangeRequired],
        },
        ChangePassword => StepDoc {
            summary: "Set a new password (the current one is needed unless the session came from a temporary password).",
            request: Some(object(&["new_password"], json!({ "new_password": { "type": "string", "minLength": 8, "maxLength": 128 }, "current_password": { "type": "string", "minLength": 1, "maxLength": 1024 } }))),
            success: (204, "Changed; every earlier session ends.", None),
            errors: vec![Error::MalformedBody(String::new()), Error::Unauthenticated, Error::CurrentPasswordWrong, Error::AttemptsExhausted, Error::WeakPassword(ParseError::Common), Error::SecondFactorRequired, Error::Conflict],
        },
        RefreshSession => StepDoc {
            summary: "A new access token and refresh token for a refresh token, which is used up (a used one presented again ends the session).",
            request: Some(object(&["refresh_token"], json!({ "refresh_token": { "type": "string", "minLength": 1, "maxLength": 200 } }))),
            success: (201, "The session, renewed.", Some(session())),
            errors: vec![Error::MalformedBody(String::new()), Error::Unauthenticated],
        },
        StartRegistration => StepDoc {
            summary: "N4: an Administrator registers with the company card, its registration code and a mobile; a code is sent to the mobile by SMS.",
            request: Some(object(
                &["card_number", "registration_code", "phone", "captcha"],
                json!({
                    "card_number": card_number(),
                    "registration_code": { "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9 -]{4,38}[A-Za-z0-9]$", "description": "As printed on the statement or the card's letter; case, spaces and dashes do not matter." },
                    "phone": phone(),
                    "captcha": captcha()
                }),
            )),
            success: (201, "The code is on its way.", Some(code_sent())),
            errors: vec![
                Error::MalformedBody(String::new()),
                invalid("card_number"),
                Error::CaptchaInvalid,
                Error::DataNotCorrect,
                Error::ValidCardRequired,
                Error::RegistrationCodeLocked,
                Error::AttemptsExhausted,
                Error::SmsLimit,
                Error::SmsCountryNotAllowed,
            ],
        },
        ConfirmRegistrationCode => StepDoc {
            summary: "N4: the code from the SMS; next, the email and password.",
            request: Some(object(&["code"], json!({ "code": code() }))),
            success: (
                200,
                "The mobile is confirmed.",
                Some(object(&["next", "company_name"], json!({ "next": { "const": "credentials" }, "company_name": string() }))),
            ),
            errors: code_errors(),
        },
        ResendRegistrationCode => StepDoc {
            summary: "N4: send the code again to the same mobile (the earlier code stops working); at most 3 SMS per number in 10 minutes.",
            request: Some(object(&["phone"], json!({ "phone": phone() }))),
            success: (202, "A new code is on its way.", Some(code_sent())),
            errors: resend_errors(),
        },
        CompleteRegistration => StepDoc {
            summary: "N4: the login email and password; the account is created as the company's Administrator and a session opens.",
            request: Some(object(&["email", "password"], json!({ "email": email(), "password": { "type": "string", "minLength": 8, "maxLength": 128 } }))),
            success: (201, "Registered: a session.", Some(session())),
            errors: on_a_live_flow(
                [
                    Error::MalformedBody(String::new()),
                    invalid("email"),
                    Error::WeakPassword(ParseError::Common),
                ],
                [
                    Error::EmailTaken,
                    Error::CompanyAlreadyRegistered,
                ],
            ),
        },
        StartMigration => StepDoc {
            summary: "N2: a user of the old portal gives the old username and password, a mobile and the new login email; a code is sent to the mobile by SMS.",
            request: Some(object(
                &["username", "password", "phone", "email", "captcha"],
                json!({
                    "username": { "type": "string", "minLength": 1, "maxLength": 1024, "description": "Case-sensitive, as in the old portal." },
                    "password": { "type": "string", "minLength": 1, "maxLength": 1024 },
                    "phone": phone(),
                    "email": email(),
                    "captcha": captcha()
                }),
            )),
            success: (201, "The code is on its way.", Some(code_sent())),
            errors: vec![
                Error::MalformedBody(String::new()),
                invalid("phone"),
                Error::CaptchaInvalid,
                Error::DataNotCorrect,
                Error::AttemptsExhausted,
                Error::AlreadyMigrated,
                Error::NoPortalAccess,
                Error::UseCardholderArea,
                Error::PhoneNotMatching,
                Error::ValidCardRequired,
                Error::EmailTaken,
                Error::SmsLimit,
                Error::SmsCountryNotAllowed,
            ],
        },
        CompleteMigration => StepDoc {
            summary: "N2, N8: the code from the SMS and the new password; the account is created with the old role, the old credentials stop working, a session opens, and the company's registered Administrator is named.",
            request: Some(object(&["code", "new_password"], json!({ "code": code(), "new_password": { "type": "string", "minLength": 8, "maxLength": 128 } }))),
            success: (
                201,
                "Migrated: a session, the company, the role, and the registered Administrator's name (null when the company has none yet).",
                Some(json!({ "allOf": [session(), object(&["company_name", "role", "administrator"], json!({ "company_name": string(), "role": string(), "administrator": { "type": ["string", "null"] } }))] })),
            ),
            errors: {
                let mut errors = code_errors();
                errors.extend([Error::WeakPassword(ParseError::Common), Error::ValidCardRequired, Error::CompanyAlreadyRegistered, Error::AlreadyMigrated, Error::EmailTaken]);
                errors
            },
        },
        ResendMigrationCode => StepDoc {
            summary: "N2: send the code again to the same mobile (the earlier code stops working); at most 3 SMS per number in 10 minutes.",
            request: Some(object(&["phone"], json!({ "phone": phone() }))),
            success: (202, "A new code is on its way.", Some(code_sent())),
            errors: resend_errors(),
        },
        StartMobileChange => StepDoc {
            summary: "N7: change the mobile: the password again and the new number; a code goes by SMS to the new number.",
            request: Some(object(&["password", "phone"], json!({ "password": { "type": "string", "minLength": 1, "maxLength": 1024 }, "phone": phone() }))),
            success: (202, "The code is on its way.", Some(change_started())),
            errors: change_errors([invalid("phone"), Error::SmsLimit, Error::SmsCountryNotAllowed]),
        },
        ConfirmMobileChange => StepDoc {
            summary: "N7: the code from the SMS; the new mobile replaces the old.",
            request: Some(object(&["code"], json!({ "code": code() }))),
            success: (204, "Changed.", None),
            errors: confirm_errors(),
        },
        ViewKey6 => StepDoc {
            summary: "R8: the Key6 of one of the person's cards, after the password again; asked of the card issuer at once (Varco keeps only its hash).",
            request: Some(object(&["password", "card_number"], json!({ "password": { "type": "string", "minLength": 1, "maxLength": 1024 }, "card_number": card_number() }))),
            success: (200, "The Key6.", Some(object(&["last4", "key6"], json!({ "last4": string(), "key6": { "type": "string", "pattern": "^[0-9]{6}$" } })))),
            errors: change_errors([invalid("card_number"), Error::DataNotCorrect, Error::Key6Unavailable]),
        },
        ResendUsername => StepDoc {
            summary: "T1: the username email again, to the contract's address: with a new first-access link while the account has no password, the username alone after. Answers alike for any address (X6).",
            request: Some(object(&["email", "captcha"], json!({ "email": email(), "captcha": captcha() }))),
            success: (202, "If an account has the address, the email is on its way.", Some(object(&["next"], json!({ "next": { "const": "check_email" } })))),
            errors: vec![Error::MalformedBody(String::new()), invalid("email"), Error::CaptchaInvalid],
        },
        SendFirstAccessCode => StepDoc {
            summary: "T2: the emailed link's token opens the first access; a code goes by SMS to the mobile on file, or by email when there is none. Again: a new code.",
            request: Some(object(&["token"], json!({ "token": { "type": "string", "minLength": 1, "maxLength": 128 } }))),
            success: (202, "The code is on its way.", Some(object(
                &["flow_id", "next", "channel", "sent_to", "code_expires_at", "expires_at"],
                json!({ "flow_id": string(), "next": { "const": "password" }, "channel": { "enum": ["sms", "email"] }, "sent_to": { "type": "string", "description": "The masked number or address." }, "code_expires_at": { "type": "integer" }, "expires_at": { "type": "integer" } }),
            ))),
            errors: vec![Error::MalformedBody(String::new()), Error::FlowNotFound, Error::FlowExpired, Error::FlowEnded, Error::WrongStep, Error::TooManyAttempts, Error::AttemptsExhausted, Error::Conflict],
        },
        CompleteFirstAccess => StepDoc {
            summary: "T2: the code and the chosen password; the account can log in with its username, and a session opens.",
            request: Some(object(&["code", "new_password"], json!({ "code": code(), "new_password": { "type": "string", "minLength": 8, "maxLength": 128 } }))),
            success: (201, "A session.", Some(session())),
            errors: {
                let mut errors = code_errors();
                errors.push(Error::WeakPassword(ParseError::Common));
                errors
            },
        },
        StartLineAssociation => StepDoc {
            summary: "W11: associate another SIM of the company (up to the profile's most, two): the password again and the line; a voice SIM gets a code by SMS (202), a data-only SIM is associated at once by its `puk` (201).",
            request: Some(object(&["password", "line"], json!({ "password": { "type": "string", "minLength": 1, "maxLength": 1024 }, "line": phone(), "puk": { "type": "string", "pattern": "^\\s*[0-9]{4,16}\\s*$", "description": "Needed for a data-only SIM." } }))),
            success: (202, "The code is on its way to the SIM.", Some(change_started())),
            errors: change_errors([invalid("line"), invalid("puk"), Error::LineNotEligible, Error::LineTaken, Error::TooManyLines, Error::PukRequired, Error::PukNotCorrect, Error::TooManyAttempts, Error::SmsLimit, Error::SmsCountryNotAllowed, Error::Conflict]),
        },
        ConfirmLineAssociation => StepDoc {
            summary: "W11: the code from the SMS to the SIM; the SIM is associated with the account.",
            request: Some(object(&["code"], json!({ "code": code() }))),
            success: (204, "Associated.", None),
            errors: {
                let mut errors = confirm_errors();
                errors.extend([Error::LineTaken, Error::TooManyLines]);
                errors
            },
        },
        StartEmailChange => StepDoc {
            summary: "C5: change the login email: the password again and the new address; a code goes to the new address.",
            request: Some(object(&["password", "email"], json!({ "password": { "type": "string", "minLength": 1, "maxLength": 1024 }, "email": email() }))),
            success: (202, "The code is on its way.", Some(change_started())),
            errors: change_errors([invalid("email"), Error::EmailTaken]),
        },
        ConfirmEmailChange => StepDoc {
            summary: "C5: the code from the email; from now on the new address is the login.",
            request: Some(object(&["code"], json!({ "code": code() }))),
            success: (204, "Changed.", None),
            errors: {
                let mut errors = confirm_errors();
                errors.push(Error::EmailTaken);
                errors
            },
        },
        DeleteAccount => StepDoc {
            summary: "W10: delete the own account (the password again); sessions end, the login email is free for a new registration, customer data stays.",
            request: Some(password_again()),
            success: (204, "Deleted.", None),
            errors: vec![Error::MalformedBody(String::new()), invalid("password"), Error::Unauthenticated, Error::CurrentPasswordWrong, Error::AttemptsExhausted, Error::Conflict],
        },
        Logout => StepDoc {
            summary: "Log out: the session ends, its access and refresh tokens stop working.",
            request: None,
            success: (204, "Logged out.", None),
            errors: vec![Error::Unauthenticated],
        },
        StartVatRegistration => StepDoc {
            summary: "W2: a User Admin registers with the VAT number and the legal representative's data as on the contract; an activation link is emailed. Each comparison is counted per VAT and per fiscal code (X9: ten a day), whatever was wrong.",
            request: Some(object(
                &["vat_number", "name", "surname", "birth_date", "fiscal_code", "email", "mobile", "captcha"],
                json!({
                    "vat_number": { "type": "string", "pattern": "^(IT)?[0-9]{11}$", "description": "Checked by its check digit too." },
                    "name": person_name(), "surname": person_name(),
                    "birth_date": { "type": "string", "format": "date" },
                    "fiscal_code": { "type": "string", "pattern": FISCAL_CODE_PATTERN },
                    "email": email(), "mobile": phone(), "captcha": captcha()
                }),
            )),
            success: (201, "The activation link was emailed.", Some(object(
                &["flow_id", "next", "sent_to", "expires_at"],
                json!({ "flow_id": string(), "next": { "const": "activation" }, "sent_to": { "type": "string", "description": "The address, masked." }, "expires_at": { "type": "integer", "description": "Until when the link works (Unix seconds)." } }),
            ))),
            errors: vec![
                Error::MalformedBody(String::new()),
                invalid("vat_number"),
                Error::CaptchaInvalid,
                Error::BirthDateMismatch,
                Error::DataNotCorrect,
                Error::AttemptsExhausted,
                Error::UserAdminExists,
            ],
        },
        ActivateVatRegistration => StepDoc {
            summary: "W2: the first access from the activation link: the username and password are chosen; the account is created as the VAT's User Admin and a session opens.",
            request: Some(object(
                &["token", "username", "password"],
                json!({
                    "token": { "type": "string", "minLength": 1, "maxLength": 64, "description": "The `token` of the link." },
                    "username": username(),
                    "password": { "type": "string", "minLength": 8, "maxLength": 128 }
                }),
            )),
            success: (201, "Activated: a session.", Some(session())),
            errors: vec![
                Error::MalformedBody(String::new()),
                invalid("username"),
                Error::WeakPassword(ParseError::Common),
                Error::FlowNotFound,
                Error::FlowExpired,
                Error::FlowEnded,
                Error::UsernameTaken,
                Error::UserAdminExists,
                Error::Conflict,
            ],
        },
        StartLineRegistration => StepDoc {
            summary: "W7: an employee registers a mobile line of the company with an email; a code goes to the line by SMS, or, for a data-only SIM, the PUK is asked first.",
            request: Some(object(&["line", "email", "captcha"], json!({ "line": phone(), "email": email(), "captcha": captcha() }))),
            success: (201, "Started: `next` is `code` (sent by SMS) or `puk` (a data-only SIM).", Some(object(
                &["flow_id", "next", "expires_at"],
                json!({
                    "flow_id": string(), "next": { "enum": ["code", "puk"] },
                    "sent_to": { "type": "string", "description": "The masked line, when the code went by SMS." },
                    "code_expires_at": { "type": "integer" }, "expires_at": { "type": "integer" }
                }),
            ))),
            errors: vec![
                Error::MalformedBody(String::new()),
                invalid("line"),
                invalid("email"),
                Error::CaptchaInvalid,
                Error::LineNotEligible,
                Error::LineTaken,
                Error::SmsLimit,
                Error::SmsCountryNotAllowed,
            ],
        },
        VerifyLinePuk => StepDoc {
            summary: "W7: the PUK of the data-only SIM (on the SIM's card); the code goes to the email.",
            request: Some(object(&["puk"], json!({ "puk": { "type": "string", "pattern": "^\\s*[0-9]{4,16}\\s*$" } }))),
            success: (200, "The code went by email.", Some(code_sent())),
            errors: on_a_live_flow(
                [
                    Error::MalformedBody(String::new()),
                    invalid("puk"),
                ],
                [
                    Error::PukNotCorrect,
                    Error::TooManyAttempts,
                    Error::AttemptsExhausted,
                ],
            ),
        },
        ResendLineCode => StepDoc {
            summary: "W7: send the code again (SMS, or email for a data-only SIM); the earlier code stops working. The line is given again.",
            request: Some(object(&["phone"], json!({ "phone": phone() }))),
            success: (202, "A new code is on its way.", Some(code_sent())),
            errors: resend_errors(),
        },
        CompleteLineRegistration => StepDoc {
            summary: "W7: the code and the password; the account is created, logging in with the line (W8), and a session opens.",
            request: Some(object(&["code", "new_password"], json!({ "code": code(), "new_password": { "type": "string", "minLength": 8, "maxLength": 128 } }))),
            success: (201, "Registered: a session.", Some(session())),
            errors: {
                let mut errors = code_errors();
                errors.extend([Error::WeakPassword(ParseError::Common), Error::LineTaken]);
                errors
            },
        },
        StartPasswordReset => StepDoc {
            summary: "W5, W8: a forgotten password: the username (or the line number, for employees), or the login email (`property-management`); one of the two. Answers alike whether the name exists (X6).",
            request: Some({
                let mut body = object(&["captcha"], json!({ "email": email(), "username": { "type": "string", "minLength": 1, "maxLength": 64 }, "captcha": captcha() }));
                body["oneOf"] = by_email_or_username();
                body
            }),
            success: (201, "Started: next, choose where the code goes.", Some(object(
                &["flow_id", "next", "expires_at"],
                json!({ "flow_id": string(), "next": { "const": "channel" }, "expires_at": { "type": "integer" } }),
            ))),
            errors: vec![Error::MalformedBody(String::new()), invalid("email"), invalid("username"), Error::CaptchaInvalid],
        },
        SendResetCode => StepDoc {
            summary: "W5, W8: send the code by SMS (to the mobile on file, typed again) or by email (to the address on file); again sends a new one.",
            request: Some({
                let mut body = object(&["channel"], json!({ "channel": { "enum": ["sms", "email"] }, "phone": phone() }));
                body["description"] = json!("`phone` is needed with `sms`.");
                body
            }),
            success: (202, "The code is on its way.", Some(object(
                &["next", "code_expires_at"],
                json!({ "next": { "const": "password" }, "sent_to": { "type": "string", "description": "The masked number (SMS only)." }, "code_expires_at": { "type": "integer" } }),
            ))),
            errors: on_a_live_flow(
                [
                    Error::MalformedBody(String::new()),
                    invalid("phone"),
                ],
                [
                    Error::PhoneNotMatching,
                    Error::TooManyAttempts,
                    Error::AttemptsExhausted,
                    Error::SmsLimit,
                    Error::SmsCountryNotAllowed,
                ],
            ),
        },
        CompletePasswordReset => StepDoc {
            summary: "W5, W8: the code and the new password, which replaces the old one; every session ends. W6: a role that may not reset its own password is told so.",
            request: Some(object(&["code", "new_password"], json!({ "code": code(), "new_password": { "type": "string", "minLength": 8, "maxLength": 128 } }))),
            success: (204, "The password is replaced: log in with it.", None),
            errors: {
                let mut errors = code_errors();
                errors.extend([Error::WeakPassword(ParseError::Common), Error::PasswordResetNotAllowed]);
                errors
            },
        },
        CreateInvitation => StepDoc {
            summary: "N5, C1, T3, W3: invite a person to the company with a role the caller may grant (a role that manages people only after a login within the profile's `step_up_minutes`). `send: false` saves it without sending (T3 \"add\"); otherwise the email with the code goes now, and where the portal says so a temporary password by SMS (which needs `mobile`).",
            request: Some(object(&["email", "display_name", "role"], json!({
                "email": email(), "display_name": person_name(),
                "role": { "type": "string", "minLength": 1, "maxLength": 64, "description": "A role id of the portal profile." },
                "mobile": phone(), "send": { "type": "boolean", "default": true },
                "unit_contract": unit_contract(),
                "line": { "type": "string", "minLength": 1, "maxLength": 32, "description": "T4: a line of the company (`GET /companies/{company_id}/lines`) to associate with the invitee; its invitation is the line's: `line_taken` while another is pending or accepted." }
            }))),
            success: (201, "The invitation.", Some(invitation())),
            errors: company_errors([invalid("email"), invalid("display_name"), invalid("mobile"), Error::UnknownRole, Error::RoleNotGrantable, Error::ReauthenticationRequired { max_age: 600 }, Error::UnitContractNotFound, invalid("line"), Error::LineNotEligible, Error::LineTaken, Error::TooManyInvitations, Error::Conflict]),
        },
        SendInvitation => StepDoc {
            summary: "T3, C1: send an invitation saved earlier, or send one again (reactivate): a new code and expiry; the old code stops working.",
            request: None,
            success: (200, "The invitation, sent.", Some(invitation())),
            errors: company_errors([Error::InvitationNotFound, Error::InvitationUsed, Error::RoleNotGrantable, Error::TooManyInvitations, Error::Conflict]),
        },
        RevokeInvitation => StepDoc {
            summary: "Revoke an invitation not yet accepted: its code stops working.",
            request: None,
            success: (204, "Revoked.", None),
            errors: company_errors([Error::InvitationNotFound, Error::InvitationUsed, Error::RoleNotGrantable, Error::Conflict]),
        },
        ListCompanyUsers => StepDoc {
            summary: "The company's users, a page at a time (`?limit=1..500`, default 100; `?cursor=<next>`): members with their roles, and invitations added, sent or expired.",
            request: None,
            success: (200, "The users.", Some(object(&["members", "invitations"], json!({
                "members": { "type": "array", "items": object(&["account_id", "display_name", "email", "role", "since"], json!({ "account_id": string(), "display_name": string(), "email": string(), "role": string(), "since": { "type": "integer" } })) },
                "invitations": { "type": "array", "items": invitation() },
                "next": { "type": "string", "description": "Where the next page starts; absent on the last page." },
                "second_factor_policy": { "enum": ["optional", "managers", "everyone"], "description": "Who in the company must have a second factor, by its own policy (`PUT /companies/{company_id}/second-factor-policy`)." }
            })))),
            errors: company_errors([invalid("cursor"), invalid("limit")]),
        },
        AcceptInvitation => StepDoc {
            summary: "N5, C1, T3: accept an invitation with a new account: the code, the invited email, the password to use from now on (and, where the portal sends one, the temporary password of the SMS). Opens a session.",
            request: Some(object(&["code", "email", "password"], json!({
                "code": invitation_code(), "email": email(),
                "password": { "type": "string", "minLength": 8, "maxLength": 128 },
                "temporary_password": { "type": "string", "minLength": 1, "maxLength": 128 }
            }))),
            success: (201, "The account is created; its session.", Some(session())),
            errors: vec![Error::MalformedBody(String::new()), invalid("code"), invalid("email"), Error::WeakPassword(ParseError::Common), Error::InvitationNotFound, Error::AttemptsExhausted, Error::InvitationUsed, Error::InvitationExpired, Error::InvitationEmailMismatch, Error::TemporaryPasswordNotCorrect, Error::AccountExists, Error::Conflict],
        },
        ListCompanyLines => StepDoc {
            summary: "T4: the company's mobile lines with their registration state, a page at a time (`?cursor=<next>`; at most 33 a page, fewer with `?limit=`), for a role that manages users. A line `to_register` is associated with an employee by an invitation naming it (`send: false`: `associated`), prefilled from its contract `referent`; sending it registers the line (`invited`, then `registered`).",
            request: None,
            success: (200, "The lines.", Some(object(&["lines"], json!({
                "lines": { "type": "array", "items": object(&["number", "data_only", "state"], json!({
                    "number": string(), "data_only": { "type": "boolean" },
                    "state": { "enum": ["to_register", "associated", "invited", "expired", "registered"] },
                    "referent": object(&["name"], json!({ "name": string(), "email": string(), "role": string() })),
                    "invitation_id": string(), "email": string()
                })) },
                "next": { "type": "string", "description": "Where the next page starts; absent on the last page." }
            })))),
            errors: company_errors([invalid("cursor"), invalid("limit")]),
        },
        ListMyUnits => StepDoc {
            summary: "C3 (`property-management`): the units of the session's person whose contract is active, and the contracts not started yet (their property and start date only; an ended contract shows nothing).",
            request: None,
            success: (200, "The units.", Some(object(&["units", "upcoming"], json!({
                "units": { "type": "array", "items": object(&["property_id", "property_name", "unit_id", "unit_name", "contract_id", "role", "starts_on"], json!({
                    "property_id": string(), "property_name": string(), "unit_id": string(), "unit_name": string(), "contract_id": string(),
                    "role": { "type": "string", "description": "The role the contract gives (owner, tenant)." },
                    "starts_on": { "type": "string", "format": "date" }, "ends_on": { "type": "string", "format": "date" }
                })) },
                "upcoming": { "type": "array", "items": object(&["property_id", "property_name", "starts_on"], json!({ "property_id": string(), "property_name": string(), "starts_on": { "type": "string", "format": "date" } })) }
            })))),
            errors: vec![Error::Unauthenticated, Error::PasswordChangeRequired],
        },
        JoinCompany => StepDoc {
            summary: "C2: a logged-in person whose login email is the invited one accepts an invitation: the company is added to the account (C3: or the unit's contract to the access the person has to the property).",
            request: Some(object(&["code"], json!({ "code": invitation_code(), "temporary_password": { "type": "string", "minLength": 1, "maxLength": 1024, "description": "The invitation's temporary password by SMS, where the portal sends one (N5)." } }))),
            success: (200, "The company added.", Some(object(&["company_id", "company_name", "role"], json!({ "company_id": string(), "company_name": string(), "role": string() })))),
            errors: vec![Error::MalformedBody(String::new()), invalid("code"), Error::Unauthenticated, Error::PasswordChangeRequired, Error::InvitationNotFound, Error::AttemptsExhausted, Error::InvitationUsed, Error::InvitationExpired, Error::InvitationEmailMismatch, Error::TemporaryPasswordNotCorrect, invalid("temporary_password"), Error::AlreadyMember, Error::Conflict],
        },
        ChangeRole => StepDoc {
            summary: "Give a member another role; the member's role and the new one must both be roles the caller may grant, and the caller must have logged in within the profile's `step_up_minutes` (`reauthentication_required` otherwise).",
            request: Some(object(&["role"], json!({ "role": { "type": "string", "minLength": 1, "maxLength": 64, "description": "A role id of the portal profile." } }))),
            success: (200, "The member's new role.", Some(object(&["account_id", "role"], json!({ "account_id": string(), "role": string() })))),
            errors: company_errors([Error::NotOnYourself, Error::MemberNotFound, Error::UnknownRole, Error::RoleNotGrantable, Error::ReauthenticationRequired { max_age: 600 }, Error::Conflict]),
        },
        RemoveAccess => StepDoc {
            summary: "C4: end a member's access to the company; the account and its password stay (W6: a role the portal marks so is deleted with its last company, to be recreated).",
            request: None,
            success: (204, "Access removed.", None),
            errors: company_errors([Error::NotOnYourself, Error::MemberNotFound, Error::RoleNotGrantable, Error::Conflict]),
        },
        EndMemberSessions => StepDoc {
            summary: "End every session of a member (a lost laptop, a person leaving): their tokens stop working in Varco at once. Needs a login within the profile's `step_up_minutes` (10).",
            request: None,
            success: (204, "Their sessions ended.", None),
            errors: company_errors([Error::NotOnYourself, Error::MemberNotFound, Error::RoleNotGrantable, Error::ReauthenticationRequired { max_age: 600 }]),
        },
        RemoveMemberSecondFactor => StepDoc {
            summary: "M6: a member lost their second factor: remove it (and their recovery codes), so that the password alone logs them in; their sessions end. Needs a login within the profile's `step_up_minutes` (10).",
            request: None,
            success: (204, "Removed.", None),
            errors: company_errors([Error::NotOnYourself, Error::MemberNotFound, Error::RoleNotGrantable, Error::ReauthenticationRequired { max_age: 600 }, Error::NoSecondFactor, Error::Conflict]),
        },
        SetSecondFactorPolicy => StepDoc {
            summary: "Who in the company must have a second factor, beyond the portal's policy (never less): `managers` (the roles that manage people) or `everyone`. A one-factor token is then refused on the company's steps for those roles (`second_factor_required`). Needs a recent login, and two factors of the one setting it where the new policy asks them. Audited.",
            request: Some(object(&["required"], json!({ "required": { "enum": ["optional", "managers", "everyone"] } }))),
            success: (204, "Set.", None),
            errors: company_errors([invalid("required"), Error::ReauthenticationRequired { max_age: 600 }, Error::SecondFactorRequired, Error::Conflict]),
        },
        ReadAuditTrail => StepDoc {
            summary: "X8: the company's audit trail, newest first, a page at a time (`?limit=1..500`, default 100; `?cursor=<next>`), for a role that can read it.",
            request: None,
            success: (200, "A page of events.", Some(audit_page())),
            errors: company_errors([invalid("cursor"), invalid("limit")]),
        },
        RevokeCompanyRegistration => StepDoc {
            summary: "N6 (operator's back office, with `x-varco-operator-key`): end the registration of the company's Administrator, so that a new one can register; the account stays without the company.",
            request: None,
            success: (204, "Revoked.", None),
            errors: vec![Error::OperatorOnly, Error::NoAdministrator, Error::Conflict],
        },
        ReadAuditLog => StepDoc {
            summary: "X8 (operator's back office, with `x-varco-operator-key`): every event of a day (`?day=YYYY-MM-DD`, UTC; default today), of every company and of no company (logins, recovery steps, imports), newest first, a page at a time.",
            request: None,
            success: (200, "A page of events.", Some(audit_page())),
            errors: vec![Error::OperatorOnly, invalid("day"), invalid("cursor"), invalid("limit")],
        },
        ReadCompanyAuditTrail => StepDoc {
            summary: "X8 (operator's back office, with `x-varco-operator-key`): any company's audit trail, newest first, a page at a time.",
            request: None,
            success: (200, "A page of events.", Some(audit_page())),
            errors: vec![Error::OperatorOnly, Error::NoAdministrator, invalid("cursor"), invalid("limit")],
        },
    }
}
