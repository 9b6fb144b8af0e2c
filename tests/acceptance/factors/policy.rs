//! M5: who must have a second factor, by the profile's policy (with a grace period, then a
//! session that can only set one up) and by a company's own (its steps refuse a token of
//! one factor).

use super::{app_code, first_factor, set_up, totp_step};
use crate::invitations::sara;
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;
use varco_domain::base::clock::{Clock, DAY};
use varco_domain::base::profile::Requirement;
use varco_functions::demo::MARIO;
use varco_tests::{claims_of, Backend, TestApp};

const SARA_EMAIL: &str = "sara.conti@acme.example";
const SARA_PASSWORD: &str = "Girasole-Viola-31";

async fn m5_managers_must_set_one_up_within_the_grace_period_then_can_do_nothing_else(
    backend: Backend,
) {
    let app = TestApp::spawn_tuned(backend, "card-issuer", |deps| {
        Arc::make_mut(&mut deps.profile).second_factor.required = Requirement::Managers;
    })
    .await;
    // Mario manages no company: nothing is asked of him.
    let mario = app.session(MARIO.email, MARIO.password).await;
    assert!(
        mario.body.get("second_factor_due_at").is_none(),
        "{}",
        mario.body
    );

    // Sara, Acme's Administrator, logs in: 14 days to set one up.
    sara(&app).await;
    let now = app.clock.now().0;
    let login = app.session(SARA_EMAIL, SARA_PASSWORD).await;
    assert_eq!(login.body["second_factor_due_at"], now + 14 * DAY);
    let token = login.text("access_token");
    assert_eq!(
        app.me(&token).await.body["second_factors"]["due_at"],
        now + 14 * DAY
    );
    // Meanwhile her one-factor token does not manage the company.
    let users = app
        .as_user(Method::GET, &token, "/companies/acme/users")
        .await;
    assert_eq!(
        (users.status, users.code()),
        (403, "second_factor_required")
    );
    // A later login keeps the first one's end.
    app.clock.advance(DAY);
    let again = app.session(SARA_EMAIL, SARA_PASSWORD).await;
    assert_eq!(again.body["second_factor_due_at"], now + 14 * DAY);

    // Past it, the login's session can only set one up.
    app.clock.advance(14 * DAY);
    let restricted = app.login(SARA_EMAIL, SARA_PASSWORD).await;
    assert_eq!(restricted.status, 201, "{}", restricted.body);
    assert_eq!(restricted.body["scope"], "second_factor_setup");
    assert!(restricted.body.get("refresh_token").is_none());
    let token = restricted.text("access_token");
    let me = app.me(&token).await;
    assert_eq!((me.status, me.code()), (403, "second_factor_required"));
    let change = app
        .change_password(&token, json!({ "new_password": "Un-Altra-Password-9" }))
        .await;
    assert_eq!(
        (change.status, change.code()),
        (403, "second_factor_required")
    );
    let (secret, _) = set_up(&app, &token, SARA_PASSWORD).await;

    // With the app, the login has its second step, and the company is hers again.
    let flow = first_factor(&app, SARA_EMAIL, SARA_PASSWORD).await;
    let session = totp_step(&app, &flow, &app_code(&app, &secret)).await;
    assert_eq!(session.status, 201, "{}", session.body);
    let token = session.text("access_token");
    assert_eq!(claims_of(&token)["acr"], "aal2");
    let users = app
        .as_user(Method::GET, &token, "/companies/acme/users")
        .await;
    assert_eq!(users.status, 200, "{}", users.body);
}

async fn m5_a_company_asks_two_factors_of_everyone_and_its_steps_refuse_one(app: TestApp) {
    let one_factor = sara(&app).await;
    let policy = |token: String, required: &'static str| {
        let app = &app;
        async move {
            app.request(
                Method::PUT,
                "/companies/acme/second-factor-policy",
                Some(json!({ "required": required })),
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await
        }
    };
    // Hers first: the policy would refuse the next step of the one who sets it.
    let first = policy(one_factor.clone(), "everyone").await;
    assert_eq!(
        (first.status, first.code()),
        (403, "second_factor_required")
    );
    let unknown = policy(one_factor.clone(), "sometimes").await;
    assert_eq!((unknown.status, unknown.code()), (400, "invalid_field"));

    let (secret, _) = set_up(&app, &one_factor, SARA_PASSWORD).await;
    let flow = first_factor(&app, SARA_EMAIL, SARA_PASSWORD).await;
    let two = totp_step(&app, &flow, &app_code(&app, &secret)).await;
    let two_factors = two.text("access_token");
    let set = policy(two_factors.clone(), "everyone").await;
    assert_eq!(set.status, 204, "{}", set.body);

    // Her token of one factor no longer manages the company; her two-factor one does.
    let users = |token: String| {
        let app = &app;
        async move {
            app.as_user(Method::GET, &token, "/companies/acme/users")
                .await
        }
    };
    let refused = users(one_factor.clone()).await;
    assert_eq!(
        (refused.status, refused.code()),
        (403, "second_factor_required")
    );
    assert_eq!(users(two_factors.clone()).await.status, 200);
    let trail = app
        .as_user(Method::GET, &two_factors, "/companies/acme/audit-events")
        .await;
    let changed = trail.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "second_factor_policy_changed")
        .cloned()
        .unwrap_or_else(|| panic!("no policy change in {}", trail.body));
    assert_eq!(changed["outcome"], "everyone");

    // Back to the portal's own policy.
    assert_eq!(policy(two_factors.clone(), "optional").await.status, 204);
    assert_eq!(users(one_factor).await.status, 200);
}

/// Past the grace period, the session that can only set a second factor up may add a
/// passkey as that factor; the passkey alone then logs in with two.
async fn m5_the_second_factor_required_may_be_a_passkey(backend: Backend) {
    let app = TestApp::spawn_tuned(backend, "card-issuer", |deps| {
        Arc::make_mut(&mut deps.profile).second_factor.required = Requirement::Managers;
    })
    .await;
    sara(&app).await;
    app.session(SARA_EMAIL, SARA_PASSWORD).await;
    app.clock.advance(15 * DAY);
    let restricted = app.login(SARA_EMAIL, SARA_PASSWORD).await;
    assert_eq!(
        restricted.body["scope"], "second_factor_setup",
        "{}",
        restricted.body
    );
    let phone = varco_tests::passkey::Authenticator::default();
    let token = restricted.text("access_token");
    let added = super::passkeys::add_passkey(&app, &token, SARA_PASSWORD, &phone, "Telefono").await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(
        added.body["recovery_codes"].as_array().map(Vec::len),
        Some(10)
    );
    let session =
        super::passkeys::log_in_with(&app, &phone.last(), varco_tests::passkey::ORIGIN, true).await;
    assert_eq!(session.status, 201, "{}", session.body);
    let users = app
        .as_user(
            Method::GET,
            &session.text("access_token"),
            "/companies/acme/users",
        )
        .await;
    assert_eq!(users.status, 200, "{}", users.body);
}

/// The profile's policy, on a profile tuned to ask it of managers.
mod by_profile {
    use super::*;
    varco_tests::on_both_backends!(
        through_lambda_too;
        m5_managers_must_set_one_up_within_the_grace_period_then_can_do_nothing_else,
        m5_the_second_factor_required_may_be_a_passkey,
    );
}

varco_tests::on_both_stores!(
    through_lambda_too;
    m5_a_company_asks_two_factors_of_everyone_and_its_steps_refuse_one,
);
