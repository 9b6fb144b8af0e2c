//! The OpenAPI 3.1 document, built from the route table: every route, its request, its
//! answer and its problem+json errors (statuses and codes from `Error::describe`, so they
//! cannot drift). The local gateway serves it at `/openapi.json`.

use crate::routes::{routes, Step};
use serde_json::{json, Map, Value};
use varco_domain::base::types::ParseError;
use varco_domain::Error;

mod steps;
use steps::doc;

struct StepDoc {
    summary: &'static str,
    request: Option<Value>,
    success: (u16, &'static str, Option<Value>),
    errors: Vec<Error>,
}

/// A fiscal code's shape (omocodic letters allowed); the check character is not expressible.
const FISCAL_CODE_PATTERN: &str = "^[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]$";

fn string() -> Value {
    json!({ "type": "string" })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

fn phone_prompt_schema() -> Value {
    object(
        &["next", "numbers_on_file"],
        json!({
            "next": { "const": "phone" },
            "numbers_on_file": { "type": "integer", "minimum": 1 },
            "hint": { "type": "string", "description": "The masked number, when exactly one is on file: `+39 340****44`." }
        }),
    )
}

fn session_schema() -> Value {
    object(
        &["access_token", "token_type", "expires_in", "scope"],
        json!({
            "access_token": string(), "token_type": { "const": "Bearer" }, "expires_in": { "type": "integer" },
            "refresh_token": { "type": "string", "description": "Single use: `POST /sessions/refresh` answers a new one. Absent for a `password_change` session." },
            "refresh_expires_at": { "type": "integer", "description": "When the session ends, whatever its refreshes (Unix seconds)." },
            "scope": { "enum": ["account", "password_change", "second_factor_setup"], "description": "`password_change`: opened with a temporary password, only `PUT /me/password` is allowed. `second_factor_setup`: the person must have a second factor and the grace period is over: only `POST /me/authenticator` and `/me/authenticator/code` are allowed, then a new login." },
            "second_factor_due_at": { "type": "integer", "description": "The person must set up a second factor: until then (Unix seconds) the password alone logs in." }
        }),
    )
}

fn card_number() -> Value {
    json!({ "type": "string", "pattern": "^[0-9][0-9 -]{10,21}[0-9]$", "description": "Checked by its Luhn digit too." })
}

fn phone() -> Value {
    json!({ "type": "string", "pattern": "^(\\+|00)[0-9][0-9 .()-]{5,19}$", "description": "International format: `+393401234544`." })
}

fn email() -> Value {
    json!({ "type": "string", "format": "email", "maxLength": 254 })
}

/// A schema, made when the document is.
type Schema = fn() -> Value;

/// The schemas the document names once, in `components`, and refers to by `$ref` wherever
/// they appear: a generated client makes one class of each (`Session`, not `LoginResponse200`,
/// `RefreshSessionResponse200`, ...).
const COMPONENTS: [(&str, Schema); 8] = [
    ("Problem", problem_schema),
    ("Challenge", challenge_schema),
    ("Session", session_schema),
    ("PhonePrompt", phone_prompt_schema),
    ("CodeSent", code_sent_schema),
    ("ChangeStarted", change_started_schema),
    ("AuditPage", audit_page_schema),
    ("Invitation", invitation_schema),
];

fn component(name: &str) -> Value {
    debug_assert!(
        COMPONENTS.iter().any(|(n, _)| *n == name),
        "{name} is a component"
    );
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A captcha challenge, as `POST /captcha` and `captcha_required` give it.
fn challenge() -> Value {
    component("Challenge")
}

fn session() -> Value {
    component("Session")
}

fn phone_prompt() -> Value {
    component("PhonePrompt")
}

fn code_sent() -> Value {
    component("CodeSent")
}

fn change_started() -> Value {
    component("ChangeStarted")
}

fn audit_page() -> Value {
    component("AuditPage")
}

fn invitation() -> Value {
    component("Invitation")
}

/// The captcha challenge's schema (the component `challenge` refers to): its two kinds, named.
fn challenge_schema() -> Value {
    json!({ "oneOf": [
        titled("ProofOfWorkChallenge", object(&["kind", "challenge", "difficulty", "expires_at"], json!({ "kind": { "const": "proof_of_work" }, "challenge": string(), "difficulty": { "type": "integer" }, "expires_at": { "type": "integer" } }))),
        titled("RecaptchaChallenge", object(&["kind", "site_key"], json!({ "kind": { "const": "recaptcha" }, "site_key": string() })))
    ]})
}

/// `schema` with a title: what a generated client names the class of a request or answer
/// variant, instead of `...Type0`.
fn titled(title: &str, mut schema: Value) -> Value {
    schema["title"] = json!(title);
    schema
}

/// A body of one of two names: `email`, or `username` (or a line number).
fn by_email_or_username() -> Value {
    json!([
        titled("ByEmail", json!({ "required": ["email"] })),
        titled("ByUsername", json!({ "required": ["username"] }))
    ])
}

/// The operation's tag: the first segment of its path (`/recoveries/{flow_id}/key6`:
/// `recoveries`), so that a generated client groups the steps of a flow together.
fn tag(path: &str) -> &str {
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    first.trim_start_matches('.')
}

fn captcha() -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": 4096, "description": "`challenge:nonce` for the proof of work, or the reCAPTCHA response token." })
}

fn code_sent_schema() -> Value {
    object(
        &[
            "flow_id",
            "next",
            "sent_to",
            "code_expires_at",
            "expires_at",
        ],
        json!({
            "flow_id": string(), "next": { "const": "code" },
            "sent_to": { "type": "string", "description": "The masked number: `+39 340****44`." },
            "code_expires_at": { "type": "integer", "description": "The code is valid 10 minutes, 5 tries." },
            "expires_at": { "type": "integer" }
        }),
    )
}

/// The errors of a step on a stored flow: those of its input, then the liveness check every
/// flow makes (`Flow::check`: not found, expired, ended, the wrong step) and a race lost to
/// another step, then the step's own outcomes.
fn on_a_live_flow<const N: usize, const M: usize>(
    input: [Error; N],
    outcomes: [Error; M],
) -> Vec<Error> {
    let live = [
        Error::FlowNotFound,
        Error::FlowExpired,
        Error::FlowEnded,
        Error::WrongStep,
        Error::Conflict,
    ];
    input.into_iter().chain(live).chain(outcomes).collect()
}

fn code_errors() -> Vec<Error> {
    on_a_live_flow(
        [Error::MalformedBody(String::new()), invalid("code")],
        [
            Error::CodeNotCorrect,
            Error::CodeExpired,
            Error::TooManyAttempts,
            Error::AttemptsExhausted,
        ],
    )
}

fn code() -> Value {
    json!({ "type": "string", "pattern": "^\\s*[0-9]{6}\\s*$" })
}

fn change_started_schema() -> Value {
    object(
        &["next", "sent_to", "code_expires_at"],
        json!({ "next": { "const": "code" }, "sent_to": { "type": "string", "description": "The masked number or address." }, "code_expires_at": { "type": "integer" } }),
    )
}

/// A body of the password typed again, by a logged-in person before a change.
fn password_again() -> Value {
    object(
        &["password"],
        json!({ "password": { "type": "string", "minLength": 1, "maxLength": 1024 } }),
    )
}

/// The errors of a login's second step (`login_flow`): a code counted, then checked.
fn second_step_errors() -> Vec<Error> {
    on_a_live_flow(
        [Error::MalformedBody(String::new()), invalid("code")],
        [
            Error::CodeNotCorrect,
            Error::TooManyAttempts,
            Error::AttemptsExhausted,
            Error::NoSecondFactor,
            Error::ValidCardRequired,
        ],
    )
}

fn change_errors<const N: usize>(extra: [Error; N]) -> Vec<Error> {
    let mut errors = vec![
        Error::MalformedBody(String::new()),
        Error::Unauthenticated,
        Error::PasswordChangeRequired,
        Error::CurrentPasswordWrong,
        Error::AttemptsExhausted,
    ];
    errors.extend(extra);
    errors
}

fn confirm_errors() -> Vec<Error> {
    vec![
        Error::MalformedBody(String::new()),
        invalid("code"),
        Error::Unauthenticated,
        Error::PasswordChangeRequired,
        Error::NoPendingChange,
        Error::CodeNotCorrect,
        Error::CodeExpired,
        Error::TooManyAttempts,
        Error::AttemptsExhausted,
        Error::Conflict,
    ]
}

fn resend_errors() -> Vec<Error> {
    on_a_live_flow(
        [Error::MalformedBody(String::new()), invalid("phone")],
        [Error::PhoneNotMatching, Error::SmsLimit],
    )
}

fn invalid(field: &'static str) -> Error {
    Error::InvalidField {
        field,
        reason: ParseError::Format,
    }
}

fn method_errors() -> Vec<Error> {
    on_a_live_flow(
        [Error::MalformedBody(String::new())],
        [
            Error::MethodNotOffered,
            Error::DataNotCorrect,
            Error::TooManyAttempts,
            Error::AttemptsExhausted,
            Error::NoCertifiedPhone,
        ],
    )
}

fn method_errors_and<const N: usize>(extra: [Error; N]) -> Vec<Error> {
    let mut errors = method_errors();
    errors.extend(extra);
    errors
}

fn audit_page_schema() -> Value {
    object(
        &["events"],
        json!({
            "events": { "type": "array", "items": object(&["id", "at", "action", "source", "outcome"], json!({
                "id": string(), "at": { "type": "integer" }, "action": string(), "actor": string(), "subject": string(),
                "company_id": string(), "source": { "enum": ["api", "job", "import"] }, "outcome": string()
            })) },
            "next": { "type": "string", "description": "Where the next page starts; absent on the last page." }
        }),
    )
}

/// The query parameters of a list read a page at a time.
fn page_params() -> [Value; 2] {
    [
        json!({ "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 500, "default": 100 } }),
        json!({ "name": "cursor", "in": "query", "required": false, "description": "The `next` of the previous page.", "schema": { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$" } }),
    ]
}

fn unit_contract() -> Value {
    json!({ "type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$", "description": "C3 (`property-management`): the contract of a unit of the property whose contact is invited; accepting gives access to the unit while the contract is active." })
}

fn invitation_schema() -> Value {
    object(
        &["invitation_id", "email", "display_name", "role", "state"],
        json!({
            "invitation_id": string(), "email": string(), "display_name": string(), "role": string(),
            "state": { "enum": ["added", "sent", "accepted", "revoked", "expired"] },
            "expires_at": { "type": "integer", "description": "Until when the code works (Unix seconds); absent until sent." },
            "unit_contract": unit_contract(),
            "line": { "type": "string", "description": "T4: the company's line it associates (E.164)." }
        }),
    )
}

fn recovery_codes() -> Value {
    object(
        &["recovery_codes"],
        json!({ "recovery_codes": { "type": "array", "minItems": 10, "maxItems": 10, "items": { "type": "string", "pattern": "^[0-9a-z]{5}-[0-9a-z]{5}$" }, "description": "Each good once at login, instead of an authenticator code. Shown this once." } }),
    )
}

/// The options of a passkey ceremony, for the browser's `navigator.credentials.<call>`.
fn passkey_options(call: &str) -> Value {
    json!({ "type": "object", "required": ["publicKey"], "properties": { "publicKey": { "type": "object" } }, "description": format!("For `navigator.credentials.{call}`: `{{\"publicKey\": ...}}`, byte strings in base64url (`PublicKeyCredential.parse{}OptionsFromJSON(options.publicKey)`).", if call == "create" { "Creation" } else { "Request" }) })
}

/// A passkey ceremony begun: its flow, and the options for the browser.
fn passkey_ceremony(call: &str) -> Value {
    object(
        &["flow_id", "options", "expires_at"],
        json!({ "flow_id": string(), "options": passkey_options(call), "expires_at": { "type": "integer", "description": "The ceremony's end: 5 minutes, one answer." } }),
    )
}

/// A passkey as its person sees it.
fn passkey_view() -> Value {
    object(
        &["id", "name", "created_at"],
        json!({ "id": string(), "name": string(), "created_at": { "type": "integer" }, "last_used_at": { "type": "integer" } }),
    )
}

/// An authenticator's answer: the browser's `PublicKeyCredential.toJSON()`.
fn credential() -> Value {
    json!({ "type": "object", "required": ["id", "rawId", "response", "type"], "properties": { "id": string(), "rawId": string(), "type": { "const": "public-key" }, "response": { "type": "object" } }, "description": "The browser's `PublicKeyCredential.toJSON()`." })
}

/// The errors of a passkey's answer to a stored ceremony.
fn passkey_errors<const N: usize>(outcomes: [Error; N]) -> Vec<Error> {
    let mut errors = on_a_live_flow(
        [Error::MalformedBody(String::new())],
        [Error::PasskeyNotVerified],
    );
    errors.extend(outcomes);
    errors
}

fn invitation_code() -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": 128, "description": "`<company>.<invitation>.<secret>`, as in the email." })
}

/// The errors of a step an administrator takes on their company.
fn company_errors<const N: usize>(extra: [Error; N]) -> Vec<Error> {
    let mut errors = vec![
        Error::MalformedBody(String::new()),
        Error::Unauthenticated,
        Error::PasswordChangeRequired,
        Error::NotCompanyAdmin,
    ];
    errors.extend(extra);
    errors
}

fn person_name() -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S" })
}

fn username() -> Value {
    json!({ "type": "string", "pattern": "^[A-Za-z0-9._@+-]*[A-Za-z][A-Za-z0-9._@+-]*$", "minLength": 3, "maxLength": 64, "description": "Case-sensitive (W4); letters, digits and `. _ - @ +`, at least one letter." })
}

fn problem_schema() -> Value {
    object(
        &["type", "title", "status", "code", "request_id"],
        json!({
            "type": string(), "title": { "type": "string", "description": "In Italian, or English by `Accept-Language`." },
            "status": { "type": "integer" }, "code": { "type": "string", "description": "Stable machine code." },
            "request_id": string(), "field": string(), "reason": string(), "detail": string(),
            "retry_after": { "type": "integer", "description": "`login_delayed`, `source_limit`, `sending_suspended`: seconds to wait (also in `Retry-After`)." },
            "max_age": { "type": "integer", "description": "`reauthentication_required`: log in again (the token's `auth_time` no older than this many seconds), then send the step again." },
            "captcha": { "description": "`captcha_required`: the challenge to solve before the attempt is sent again.", "allOf": [challenge()] }
        }),
    )
}

/// The second success answer of the steps that have two.
fn other_success(step: Step) -> Option<(u16, &'static str, Value)> {
    match step {
        Step::StartLineAssociation => Some((201, "A data-only SIM was associated at once by its PUK: the account's lines now.", object(&["lines"], json!({ "lines": { "type": "array", "items": string() } })))),
        Step::Login => Some((202, "The account has a second factor: the login goes on with one of the `factors` on offer (`POST /logins/{flow_id}/totp`, `/passkey` or `/recovery-code`), within 5 minutes.", object(&["flow_id", "next", "factors", "expires_at"], json!({
            "flow_id": string(), "next": { "const": "second_factor" },
            "factors": { "type": "array", "items": { "enum": ["totp", "recovery_code", "passkey"] } },
            "passkey_options": passkey_options("get"),
            "expires_at": { "type": "integer" }
        })))),
        _ => None,
    }
}

/// What Mario Rossi of the demo data (`cargo run`, profile `card-issuer`) sends to a step:
/// an example a client developer can send to the local gateway as it is (with a live flow
/// id), and the first request schemathesis sends.
fn request_example(step: Step) -> Option<Value> {
    let mario = &crate::demo::MARIO;
    let card = mario.cards.first()?;
    Some(match step {
        Step::VerifyKey6 => json!({ "card_number": card.number, "key6": card.key6? }),
        Step::VerifySecurityAnswer => json!({ "answer": mario.question?.1 }),
        Step::VerifyRecoveryPassword => json!({ "password": mario.password }),
        Step::VerifyRecoveryPhone => json!({ "phone": card.alert_phone? }),
        _ => return None,
    })
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for route in routes() {
        let d = doc(route.step);
        let mut responses = Map::new();
        let (status, description, schema) = d.success;
        let mut ok = json!({ "description": description });
        if let Some(schema) = schema {
            ok["content"] = json!({ "application/json": { "schema": schema } });
        }
        responses.insert(status.to_string(), ok);
        if let Some((status, description, schema)) = other_success(route.step) {
            responses.insert(
                status.to_string(),
                json!({
                    "description": description,
                    "content": { "application/json": { "schema": schema } }
                }),
            );
        }
        let generic = [
            Error::PayloadTooLarge,
            Error::MalformedRequest,
            Error::UriTooLong,
            Error::HeadersTooLarge,
            Error::Unavailable("".into()),
            Error::Internal("".into()),
        ];
        // A step of a flow the deployed profile lacks answers 404 `not_offered`.
        let not_offered = route.step.offer().map(|_| Error::NotOffered);
        // The sending gate's refusals (X5), and the client address's budget.
        let mut sending = Vec::new();
        if route.step.sends() {
            sending.extend([
                Error::SmsCountryNotAllowed,
                Error::SmsNumberNotMobile,
                Error::SmsLimit,
                Error::MessagesLimit,
                Error::SendingSuspended { retry_after: 1 },
            ]);
        }
        if route.step.sends_without_login() {
            sending.push(Error::SourceLimit { retry_after: 1 });
        }
        // A field of the body that is not what its schema says answers `invalid_field`.
        let invalid_body = d.request.as_ref().map(|_| invalid("any field"));
        // A step that needs a full session refuses a session opened only to set up a second
        // factor as it refuses a password-change one.
        let setup_only = d
            .errors
            .iter()
            .any(|e| matches!(e, Error::PasswordChangeRequired))
            .then_some(Error::SecondFactorRequired);
        let errors = d
            .errors
            .iter()
            .chain(&not_offered)
            .chain(&sending)
            .chain(&invalid_body)
            .chain(&setup_only);
        let mut seen = std::collections::BTreeSet::new();
        for error in errors.chain(&generic) {
            if !seen.insert(error.describe().code) {
                continue;
            }
            let described = error.describe();
            // One `Problem` for every error status (one class in a generated client); the
            // codes this step can answer with that status are in `x-codes`, and in words.
            let entry = responses.entry(described.status.to_string()).or_insert_with(|| {
                json!({ "description": "", "x-codes": [], "content": { "application/problem+json": { "schema": component("Problem") } } })
            });
            let text = entry["description"].as_str().unwrap_or_default();
            let joined = if text.is_empty() {
                format!("`{}`", described.code)
            } else {
                format!("{text}, `{}`", described.code)
            };
            entry["description"] = json!(joined);
            if let Some(codes) = entry["x-codes"].as_array_mut() {
                codes.push(json!(described.code));
            }
        }
        let mut operation = json!({ "operationId": route.step.name(), "tags": [tag(route.path)], "summary": d.summary, "responses": responses });
        let mut params: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": string() }))
            .collect();
        if [
            Step::ListCompanyUsers,
            Step::ListCompanyLines,
            Step::ReadAuditTrail,
            Step::ReadCompanyAuditTrail,
            Step::ReadAuditLog,
        ]
        .contains(&route.step)
        {
            params.extend(page_params());
        }
        if route.step == Step::ReadAuditLog {
            params.push(json!({ "name": "day", "in": "query", "required": false, "schema": { "type": "string", "format": "date" } }));
        }
        if !params.is_empty() {
            operation["parameters"] = json!(params);
        }
        if let Some(schema) = d.request {
            let mut body = json!({ "schema": schema });
            if let Some(example) = request_example(route.step) {
                body["example"] = example;
            }
            operation["requestBody"] =
                json!({ "required": true, "content": { "application/json": body } });
        }
        if route.step.needs_bearer() {
            operation["security"] = json!([{ "bearer": [] }]);
        }
        let entry = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        entry[route.method.as_str().to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Varco", "version": env!("CARGO_PKG_VERSION"), "description": "Customer identity for business customer portals: credential recovery, login." },
        "paths": paths,
        "components": {
            "schemas": COMPONENTS.iter().map(|(name, schema)| (name.to_string(), schema())).collect::<Map<String, Value>>(),
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_with_its_operation_id_and_answers() {
        let doc = document();
        for route in routes() {
            let operation = &doc["paths"][route.path][route.method.as_str().to_lowercase()];
            assert_eq!(
                operation["operationId"],
                route.step.name(),
                "{} {}",
                route.method,
                route.path
            );
            assert!(operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .any(|s| s.starts_with('2')));
            assert!(
                operation["responses"]["500"]["content"]["application/problem+json"].is_object()
            );
            if ![http::Method::GET, http::Method::DELETE].contains(&route.method)
                && ![
                    Step::IssueCaptcha,
                    Step::Autologin,
                    Step::SendInvitation,
                    Step::StartPasskeyLogin,
                ]
                .contains(&route.step)
            {
                assert!(
                    operation["requestBody"].is_object(),
                    "{} has no request body",
                    route.step.name()
                );
            }
        }
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(documented, routes().len(), "no operation without a route");
    }

    #[test]
    fn error_answers_name_their_codes() {
        let doc = document();
        let key6 = &doc["paths"]["/recoveries/{flow_id}/key6"]["post"]["responses"];
        assert!(key6["429"]["description"]
            .as_str()
            .unwrap()
            .contains("`key6_locked`"));
        assert!(key6["422"]["description"]
            .as_str()
            .unwrap()
            .contains("`contact_customer_service`"));
        assert!(key6["429"]["x-codes"]
            .as_array()
            .unwrap()
            .contains(&json!("key6_locked")));
        assert_eq!(
            key6["429"]["content"]["application/problem+json"]["schema"],
            json!({ "$ref": "#/components/schemas/Problem" })
        );
    }

    #[test]
    fn every_reference_names_a_component_and_every_component_is_referred_to() {
        fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(target)) = map.get("$ref") {
                        found.push(target);
                    }
                    map.values().for_each(|v| refs(v, found));
                }
                Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
                _ => {}
            }
        }
        let doc = document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        for target in &found {
            assert!(
                doc.pointer(target.trim_start_matches('#')).is_some(),
                "{target} is not in the document"
            );
        }
        for (name, _) in COMPONENTS {
            let target = format!("#/components/schemas/{name}");
            assert!(
                found.contains(&target.as_str()),
                "{name} is never referred to"
            );
        }
    }
}
