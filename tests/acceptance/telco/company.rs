//! W3, W6: the User Admin invites Telco Managers, who do everything else the User Admin does
//! but create or delete Telco Managers; a Telco Manager's account is deleted and recreated.

use reqwest::Method;
use serde_json::json;
use varco_tests::{invitation_code_in, on_both_stores, Answer, TestApp};

const TINA: &str = "tina.ferri@officinenord.example";
const TINA_PASSWORD: &str = "Mongolfiera-Gialla-7";

async fn invite(app: &TestApp, token: &str, email: &str, role: &str) -> Answer {
    app.post_as(
        token,
        "/companies/nord/invitations",
        json!({ "email": email, "display_name": "Tina Ferri", "role": role }),
    )
    .await
}

/// Tina accepts the invitation just emailed, with `password`: her session.
async fn accepts(app: &TestApp, password: &str) -> Answer {
    let code = invitation_code_in(&app.the_email().await);
    app.post(
        "/invitations/accept",
        json!({ "code": code, "email": TINA, "password": password }),
    )
    .await
}

/// Marco (User Admin) and Tina (Telco Manager, invited by him): their access tokens,
/// and Tina's account id.
pub(crate) async fn marco_and_tina(app: &TestApp) -> (String, String, String) {
    let marco = super::registered_marco(app).await.text("access_token");
    app.deliver_messages().await;
    let invited = invite(app, &marco, TINA, "telco_manager").await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let tina = accepts(app, TINA_PASSWORD).await;
    assert_eq!(tina.status, 201, "{}", tina.body);
    let tina = tina.text("access_token");
    let id = app.me(&tina).await.text("id");
    (marco, tina, id)
}

async fn w3_only_the_user_admin_creates_and_deletes_telco_managers(app: TestApp) {
    let (marco, tina, tina_id) = marco_and_tina(&app).await;
    let login = app.login_as(TINA, TINA_PASSWORD).await;
    assert_eq!(
        login.status, 201,
        "the username is the invited email: {}",
        login.body
    );

    let manager = invite(&app, &tina, "gino@officinenord.example", "telco_manager").await;
    assert_eq!(
        (manager.status, manager.code()),
        (403, "role_not_grantable"),
        "a Telco Manager creates no Telco Manager"
    );
    let employee = invite(&app, &tina, "gino@officinenord.example", "employee").await;
    assert_eq!(
        employee.status, 201,
        "but invites employees: {}",
        employee.body
    );
    let users = app
        .as_user(Method::GET, &tina, "/companies/nord/users")
        .await;
    assert_eq!(users.status, 200, "and lists the users: {}", users.body);
    let marco_id = app.me(&marco).await.text("id");
    let remove_marco = app
        .as_user(
            Method::DELETE,
            &tina,
            &format!("/companies/nord/users/{marco_id}"),
        )
        .await;
    assert_eq!(
        (remove_marco.status, remove_marco.code()),
        (403, "role_not_grantable")
    );
    let other = app
        .as_user(Method::GET, &tina, "/companies/lago/users")
        .await;
    assert_eq!((other.status, other.code()), (403, "not_company_admin"));

    // The User Admin changes roles within the rules.
    let path = format!("/companies/nord/users/{tina_id}/role");
    let to_admin = app
        .request(
            Method::PUT,
            &path,
            Some(json!({ "role": "user_admin" })),
            &[("authorization", &format!("Bearer {marco}"))],
        )
        .await;
    assert_eq!(
        (to_admin.status, to_admin.code()),
        (403, "role_not_grantable")
    );
    let own = app
        .request(
            Method::PUT,
            &format!("/companies/nord/users/{marco_id}/role"),
            Some(json!({ "role": "employee" })),
            &[("authorization", &format!("Bearer {marco}"))],
        )
        .await;
    assert_eq!((own.status, own.code()), (403, "not_on_yourself"));
    let to_employee = app
        .request(
            Method::PUT,
            &path,
            Some(json!({ "role": "employee" })),
            &[("authorization", &format!("Bearer {marco}"))],
        )
        .await;
    assert_eq!(to_employee.status, 200, "{}", to_employee.body);
    let me = app.me(&tina).await;
    assert_eq!(me.body["memberships"][0]["role"], "employee", "{}", me.body);
}

async fn w6_the_user_admin_deletes_and_recreates_a_telco_manager(app: TestApp) {
    let (marco, _, tina_id) = marco_and_tina(&app).await;
    let removed = app
        .as_user(
            Method::DELETE,
            &marco,
            &format!("/companies/nord/users/{tina_id}"),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(
        app.login_as(TINA, TINA_PASSWORD).await.status,
        401,
        "the Telco Manager's account is gone"
    );
    let users = app
        .as_user(Method::GET, &marco, "/companies/nord/users")
        .await;
    assert_eq!(
        users.body["members"].as_array().unwrap().len(),
        1,
        "{}",
        users.body
    );

    assert_eq!(
        invite(&app, &marco, TINA, "telco_manager").await.status,
        201
    );
    let again = accepts(&app, "Nuovo-Inizio-Sereno-5").await;
    assert_eq!(again.status, 201, "recreated: {}", again.body);
    assert_eq!(
        app.login_as(TINA, "Nuovo-Inizio-Sereno-5").await.status,
        201
    );
}

on_both_stores!(
    profile = "telco-sme";
    w3_only_the_user_admin_creates_and_deletes_telco_managers,
    w6_the_user_admin_deletes_and_recreates_a_telco_manager,
);
