//! Invitations (N5, C1, C2, T3, W3) and the job that expires them (X2): an administrator
//! invites a person with a role the profile lets them grant; the person accepts with a new
//! account, or with the account they have.

use reqwest::Method;
use serde_json::{json, Value};
use varco_domain::base::clock::{DAY, HOUR};
use varco_domain::limits::outbox::Channel;
use varco_functions::catalog::Job;
use varco_functions::demo::{ACME_CARD, MARIO};
use varco_tests::invoke_job;
use varco_tests::{invitation_code_in, on_both_stores, temporary_password_in, TestApp};

mod limits;

const SARA_EMAIL: &str = "sara.conti@acme.example";
const SARA_PASSWORD: &str = "Girasole-Viola-31";
const PAOLO_EMAIL: &str = "paolo.neri@acme.example";
const PAOLO_MOBILE: &str = "+39 347 555 0202";
pub(crate) const PAOLO_PASSWORD: &str = "Ponte-Levatoio-88";

/// Sara, Acme's Administrator (N4): her access token.
pub(crate) async fn sara(app: &TestApp) -> String {
    app.register_administrator(&ACME_CARD, "+39 347 555 0101", SARA_EMAIL, SARA_PASSWORD)
        .await
}

pub(crate) async fn invite(
    app: &TestApp,
    token: &str,
    company: &str,
    body: Value,
) -> varco_tests::Answer {
    app.post_as(token, &format!("/companies/{company}/invitations"), body)
        .await
}

/// Paolo, invited by the Administrator (`sara`, her token) as `role`, accepts: his token.
pub(crate) async fn paolo_joins(app: &TestApp, sara: &str, role: &str) -> String {
    let invited = invite(app, sara, "acme", paolo_as(role)).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let (code, temporary) = delivered_invitation(app).await;
    accept(app, &code, &temporary, PAOLO_PASSWORD)
        .await
        .text("access_token")
}

pub(crate) fn paolo_as(role: &str) -> Value {
    json!({ "email": PAOLO_EMAIL, "display_name": "Paolo Neri", "role": role, "mobile": PAOLO_MOBILE })
}

/// The invitation's email and SMS, delivered now: the code and the temporary password.
pub(crate) async fn delivered_invitation(app: &TestApp) -> (String, String) {
    let sent = app.deliver_messages().await;
    let email = sent
        .iter()
        .find(|m| m.channel == Channel::Email)
        .unwrap_or_else(|| panic!("no email in {sent:?}"));
    let sms = sent
        .iter()
        .find(|m| m.channel == Channel::Sms)
        .unwrap_or_else(|| panic!("no SMS in {sent:?}"));
    assert_eq!(email.to, PAOLO_EMAIL);
    assert_eq!(sms.to, "+393475550202");
    (invitation_code_in(email), temporary_password_in(sms))
}

fn acceptance(code: &str, temporary: &str, password: &str) -> Value {
    json!({ "code": code, "email": PAOLO_EMAIL, "temporary_password": temporary, "password": password })
}

/// Paolo accepts with `code`, the SMS's `temporary` password and his new `password`.
pub(crate) async fn accept(
    app: &TestApp,
    code: &str,
    temporary: &str,
    password: &str,
) -> varco_tests::Answer {
    app.post("/invitations/accept", acceptance(code, temporary, password))
        .await
}

async fn users(app: &TestApp, token: &str, company: &str) -> varco_tests::Answer {
    app.as_user(Method::GET, token, &format!("/companies/{company}/users"))
        .await
}

async fn n5_an_invited_supervisor_gets_the_code_by_email_and_a_temporary_password_by_sms(
    app: TestApp,
) {
    let sara = sara(&app).await;
    let invited = invite(&app, &sara, "acme", paolo_as("supervisor")).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    assert_eq!(
        (
            invited.text("state").as_str(),
            invited.body["expires_at"].as_i64()
        ),
        ("sent", Some(app.deps.clock.now().0 + 7 * DAY)),
        "an invitation works 7 days"
    );
    let (code, temporary) = delivered_invitation(&app).await;

    let without = accept(&app, &code, "", PAOLO_PASSWORD).await;
    assert_eq!(
        (without.status, without.code()),
        (400, "invalid_field"),
        "{}",
        without.body
    );
    let wrong = accept(&app, &code, "Sbagliata-1", PAOLO_PASSWORD).await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (422, "temporary_password_not_correct")
    );
    let weak = accept(&app, &code, &temporary, "password").await;
    assert_eq!((weak.status, weak.code()), (422, "weak_password"));
    let other = app
        .post(
            "/invitations/accept",
            json!({ "code": code, "email": "altro@acme.example", "temporary_password": temporary, "password": PAOLO_PASSWORD }),
        )
        .await;
    assert_eq!(
        (other.status, other.code()),
        (403, "invitation_email_mismatch"),
        "the code is bound to the invited email"
    );

    let session = accept(&app, &code, &temporary, PAOLO_PASSWORD).await;
    assert_eq!(session.status, 201, "{}", session.body);
    assert_eq!(session.body["scope"], "account");
    let me = app.me(&session.text("access_token")).await;
    assert_eq!(
        (&me.body["memberships"], &me.body["mobile"]),
        (
            &json!([{ "company_id": "acme", "company_name": "Acme Forniture Srl", "role": "supervisor" }]),
            &json!("+39 347****02")
        ),
        "{}",
        me.body
    );
    assert_eq!(
        app.login(PAOLO_EMAIL, PAOLO_PASSWORD).await.status,
        201,
        "the password chosen logs in"
    );
    assert_eq!(
        app.login(PAOLO_EMAIL, &temporary).await.status,
        401,
        "the temporary password does not"
    );
    let again = accept(&app, &code, &temporary, PAOLO_PASSWORD).await;
    assert_eq!(
        (again.status, again.code()),
        (410, "invitation_used"),
        "a used code answers so and points to login"
    );

    let listed = users(&app, &sara, "acme").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let members: Vec<(&str, &str)> = listed.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(members.len(), 2, "Sara and Paolo: {}", listed.body);
    assert!(members.contains(&(PAOLO_EMAIL, "supervisor")));
    assert!(members.contains(&(SARA_EMAIL, "administrator")));
    assert_eq!(listed.body["invitations"], json!([]), "nothing pending");
}

async fn n5_an_administrator_grants_only_roles_below_their_own_and_only_in_their_company(
    app: TestApp,
) {
    let sara = sara(&app).await;
    for (role, status, code) in [
        ("administrator", 403, "role_not_grantable"),
        ("support", 403, "role_not_grantable"),
        ("user", 403, "role_not_grantable"),
        ("capo", 422, "unknown_role"),
    ] {
        let answer = invite(&app, &sara, "acme", paolo_as(role)).await;
        assert_eq!((answer.status, answer.code()), (status, code), "{role}");
    }
    let elsewhere = invite(&app, &sara, "duna", paolo_as("monitoring")).await;
    assert_eq!(
        (elsewhere.status, elsewhere.code()),
        (403, "not_company_admin")
    );
    let listed = users(&app, &sara, "duna").await;
    assert_eq!((listed.status, listed.code()), (403, "not_company_admin"));
    let odd = users(&app, &sara, "acme%23COMPANY").await;
    assert_eq!((odd.status, odd.code()), (403, "not_company_admin"));
    // A page cursor the API never handed out: the client's mistake, on every store.
    let cursor = app
        .as_user(Method::GET, &sara, "/companies/acme/users?cursor=Lq")
        .await;
    assert_eq!(
        (cursor.status, cursor.code(), cursor.body["field"].as_str()),
        (400, "invalid_field", Some("cursor")),
        "{}",
        cursor.body
    );
    let no_mobile = invite(
        &app,
        &sara,
        "acme",
        json!({ "email": PAOLO_EMAIL, "display_name": "Paolo Neri", "role": "monitoring" }),
    )
    .await;
    assert_eq!(
        (
            no_mobile.status,
            no_mobile.code(),
            no_mobile.body["field"].as_str()
        ),
        (400, "invalid_field", Some("mobile")),
        "the temporary password needs a mobile"
    );
    let anonymous = app
        .post("/companies/acme/invitations", paolo_as("monitoring"))
        .await;
    assert_eq!(anonymous.status, 401);

    // A Supervisor uses the portal but manages nobody.
    let paolo = paolo_joins(&app, &sara, "supervisor").await;
    let by_supervisor = invite(
        &app,
        &paolo,
        "acme",
        json!({ "email": "anna@acme.example", "display_name": "Anna", "role": "monitoring", "mobile": "+39 347 555 0303" }),
    )
    .await;
    assert_eq!(
        (by_supervisor.status, by_supervisor.code()),
        (403, "not_company_admin")
    );
    // N6: the Administrator may appoint an interim Administrator (the profile says so).
    let interim = invite(
        &app,
        &sara,
        "acme",
        json!({ "email": "ivo@acme.example", "display_name": "Ivo Gallo", "role": "interim_administrator", "mobile": "+39 347 555 0404" }),
    )
    .await;
    assert_eq!(interim.status, 201, "{}", interim.body);
}

async fn n5_an_expired_invitation_is_reactivated_with_a_new_code_and_the_old_one_stops_working(
    app: TestApp,
) {
    let sara = sara(&app).await;
    let invited = invite(&app, &sara, "acme", paolo_as("monitoring")).await;
    let id = invited.text("invitation_id");
    let (old_code, old_temporary) = delivered_invitation(&app).await;
    // A week and an hour: the hourly job has marked it.
    app.clock.advance(7 * DAY + HOUR);
    let marked = invoke_job(&app.deps, Job::ExpireInvitations).await.unwrap();
    assert_eq!(marked["changed"], 1, "{marked}");
    let sara = app
        .session(SARA_EMAIL, SARA_PASSWORD)
        .await
        .text("access_token");
    let late = accept(&app, &old_code, &old_temporary, PAOLO_PASSWORD).await;
    assert_eq!((late.status, late.code()), (410, "invitation_expired"));
    let listed = users(&app, &sara, "acme").await;
    assert_eq!(
        listed.body["invitations"][0]["state"], "expired",
        "{}",
        listed.body
    );

    let path = format!("/companies/acme/invitations/{id}/send");
    let again = app.post_as(&sara, &path, json!({})).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.text("state"), "sent");
    let (code, temporary) = delivered_invitation(&app).await;
    assert_ne!(code, old_code);
    let old = accept(&app, &old_code, &temporary, PAOLO_PASSWORD).await;
    assert_eq!(
        (old.status, old.code()),
        (404, "invitation_not_found"),
        "the old code is dead"
    );
    let accepted = accept(&app, &code, &temporary, PAOLO_PASSWORD).await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    let used = app.post_as(&sara, &path, json!({})).await;
    assert_eq!((used.status, used.code()), (410, "invitation_used"));
}

async fn n5_a_revoked_invitation_no_longer_works(app: TestApp) {
    let sara = sara(&app).await;
    let id = invite(&app, &sara, "acme", paolo_as("monitoring"))
        .await
        .text("invitation_id");
    let (code, temporary) = delivered_invitation(&app).await;
    let path = format!("/companies/acme/invitations/{id}");
    assert_eq!(app.as_user(Method::DELETE, &sara, &path).await.status, 204);
    let accepted = accept(&app, &code, &temporary, PAOLO_PASSWORD).await;
    assert_eq!(
        (accepted.status, accepted.code()),
        (404, "invitation_not_found")
    );
    let again = app.as_user(Method::DELETE, &sara, &path).await;
    assert_eq!((again.status, again.code()), (404, "invitation_not_found"));
    assert_eq!(
        users(&app, &sara, "acme").await.body["invitations"],
        json!([])
    );
}

async fn n5_x9_a_person_with_an_account_accepts_the_invitation_logged_in(app: TestApp) {
    let sara = sara(&app).await;
    let body = json!({ "email": MARIO.email.to_uppercase(), "display_name": "Mario Rossi", "role": "monitoring", "mobile": "+39 340 123 4544" });
    assert_eq!(invite(&app, &sara, "acme", body).await.status, 201);
    let sent = app.deliver_messages().await;
    let email = sent.iter().find(|m| m.channel == Channel::Email).unwrap();
    let sms = sent.iter().find(|m| m.channel == Channel::Sms).unwrap();
    let code = invitation_code_in(email);
    let new_account = app
        .post(
            "/invitations/accept",
            json!({ "code": code, "email": MARIO.email, "temporary_password": temporary_password_in(sms), "password": PAOLO_PASSWORD }),
        )
        .await;
    assert_eq!(
        (new_account.status, new_account.code()),
        (409, "account_exists"),
        "log in and accept there"
    );
    let mario = app
        .session(MARIO.email, MARIO.password)
        .await
        .text("access_token");
    // X9: the invitation came with a temporary password by SMS: joining needs it too, as
    // accepting does (the mailbox and the phone), logged in or not.
    let without = app
        .post_as(&mario, "/me/invitations", json!({ "code": code }))
        .await;
    assert_eq!(
        (without.status, without.code()),
        (422, "temporary_password_not_correct")
    );
    let temporary = temporary_password_in(sms);
    let joined = app
        .post_as(
            &mario,
            "/me/invitations",
            json!({ "code": code, "temporary_password": temporary }),
        )
        .await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(
        joined.body,
        json!({ "company_id": "acme", "company_name": "Acme Forniture Srl", "role": "monitoring" })
    );
    let me = app.me(&mario).await;
    assert_eq!(
        me.body["memberships"][0]["company_id"], "acme",
        "{}",
        me.body
    );
    let again = app
        .post_as(&mario, "/me/invitations", json!({ "code": code }))
        .await;
    assert_eq!((again.status, again.code()), (410, "invitation_used"));
    // Someone else's login cannot take it.
    let sara_takes = app
        .post_as(&sara, "/me/invitations", json!({ "code": code }))
        .await;
    assert_eq!(sara_takes.status, 410);
}

async fn x8_company_events_are_recorded_and_read_newest_first_by_the_administrator(app: TestApp) {
    let sara = sara(&app).await;
    let invited = invite(&app, &sara, "acme", paolo_as("supervisor")).await;
    let invitation_id = invited.text("invitation_id");
    let (code, temporary) = delivered_invitation(&app).await;
    // Events are ordered by their time (seconds): each of these happens a second later.
    app.clock.advance(1);
    let paolo = accept(&app, &code, &temporary, PAOLO_PASSWORD)
        .await
        .text("access_token");
    let paolo_id = app.me(&paolo).await.text("id");
    let sara_id = app.me(&sara).await.text("id");
    // C4's rule, here for a Supervisor: removing access keeps the account and its password.
    app.clock.advance(1);
    let removed = app
        .as_user(
            Method::DELETE,
            &sara,
            &format!("/companies/acme/users/{paolo_id}"),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    let paolo = app
        .session(PAOLO_EMAIL, PAOLO_PASSWORD)
        .await
        .text("access_token");
    assert_eq!(app.me(&paolo).await.body["memberships"], json!([]));

    let page = |query: &str| {
        let path = format!("/companies/acme/audit-events{query}");
        let app = &app;
        let sara = sara.clone();
        async move { app.as_user(Method::GET, &sara, &path).await }
    };
    let first = page("?limit=2").await;
    assert_eq!(first.status, 200, "{}", first.body);
    let actions = |answer: &varco_tests::Answer| -> Vec<(String, String)> {
        answer.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["subject"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        actions(&first),
        [
            ("access_removed".to_string(), paolo_id.clone()),
            ("invitation_accepted".to_string(), invitation_id.clone())
        ]
    );
    assert_eq!(first.body["events"][0]["actor"], sara_id.as_str());
    assert_eq!(first.body["events"][1]["actor"], paolo_id.as_str());
    let next = first.text("next");
    let second = page(&format!("?limit=2&cursor={next}")).await;
    assert_eq!(
        actions(&second),
        [("invitation_sent".to_string(), invitation_id.clone())]
    );
    assert!(
        second.body.get("next").is_none(),
        "the last page: {}",
        second.body
    );
    let all = page("").await.body.to_string();
    for secret in [
        code.as_str(),
        temporary.as_str(),
        PAOLO_MOBILE,
        "+393475550202",
    ] {
        assert!(
            !all.contains(secret),
            "no secret or number in the trail: {all}"
        );
    }

    let by_paolo = app
        .as_user(Method::GET, &paolo, "/companies/acme/audit-events")
        .await;
    assert_eq!(
        (by_paolo.status, by_paolo.code()),
        (403, "not_company_admin")
    );
    let bad = page("?limit=0").await;
    assert_eq!(
        (bad.status, bad.body["field"].as_str()),
        (400, Some("limit"))
    );
    let elsewhere = app
        .as_user(Method::GET, &sara, "/companies/duna/audit-events")
        .await;
    assert_eq!(elsewhere.status, 403);
}

async fn n6_the_administrator_appoints_an_interim_administrator_who_manages_users(app: TestApp) {
    let sara = sara(&app).await;
    let body = json!({ "email": PAOLO_EMAIL, "display_name": "Paolo Neri", "role": "interim_administrator", "mobile": PAOLO_MOBILE });
    assert_eq!(invite(&app, &sara, "acme", body).await.status, 201);
    let (code, temporary) = delivered_invitation(&app).await;
    let paolo = accept(&app, &code, &temporary, PAOLO_PASSWORD)
        .await
        .text("access_token");
    let me = app.me(&paolo).await;
    assert_eq!(me.body["memberships"][0]["role"], "interim_administrator");
    let monitoring = json!({ "email": "anna@acme.example", "display_name": "Anna Neri", "role": "monitoring", "mobile": "+39 347 555 0303" });
    assert_eq!(
        invite(&app, &paolo, "acme", monitoring).await.status,
        201,
        "the interim Administrator invites"
    );
    let administrator = json!({ "email": "ivo@acme.example", "display_name": "Ivo", "role": "interim_administrator", "mobile": "+39 347 555 0404" });
    let refused = invite(&app, &paolo, "acme", administrator).await;
    assert_eq!(
        (refused.status, refused.code()),
        (403, "role_not_grantable"),
        "but appoints no one at their rank"
    );
    let sara_id = app.me(&sara).await.text("id");
    let remove_sara = app
        .as_user(
            Method::DELETE,
            &paolo,
            &format!("/companies/acme/users/{sara_id}"),
        )
        .await;
    assert_eq!(
        (remove_sara.status, remove_sara.code()),
        (403, "role_not_grantable")
    );
}

on_both_stores!(
    n6_the_administrator_appoints_an_interim_administrator_who_manages_users,
    x8_company_events_are_recorded_and_read_newest_first_by_the_administrator,
    n5_an_invited_supervisor_gets_the_code_by_email_and_a_temporary_password_by_sms,
    n5_an_administrator_grants_only_roles_below_their_own_and_only_in_their_company,
    n5_an_expired_invitation_is_reactivated_with_a_new_code_and_the_old_one_stops_working,
    n5_a_revoked_invitation_no_longer_works,
    n5_x9_a_person_with_an_account_accepts_the_invitation_logged_in,
);
