//! The `property-management` profile (seed 002): a property's administrator invites the
//! contacts of its units' contracts; codes expire and are reactivated (C1); a person with an
//! account adds a new property to it (C2); a unit shows only while its contract is active
//! (C3); "remove portal access" keeps the account and its password (C4); the contact email on
//! the contract is not the login email (C5); `googlemail.com` and `gmail.com` are one address
//! (C6).

use serde_json::{json, Value};
use varco_domain::base::clock::{DAY, HOUR};
use varco_domain::base::types::BirthDate;
use varco_domain::limits::outbox::Outgoing;
use varco_functions::demo::{
    DemoContract, DemoUnitContract, OWNER_A1, OWNER_P1, PARCO, TENANT_A2, TENANT_B1, VILLA_ROSA,
};
use varco_tests::{code_in, invitation_code_in, link_in, on_both_stores, Answer, TestApp};

const PASSWORD: &str = "Glicine-Fiorito-48";
const ADMIN_PASSWORD: &str = "Registro-Condominio-27";

/// The welcome emails of the import, one per property administrator, by recipient.
async fn welcomes(app: &TestApp) -> Vec<Outgoing> {
    let sent = app.deliver_messages().await;
    assert_eq!(sent.len(), 2, "one email per administrator: {sent:?}");
    sent
}

/// The first access of a property's administrator from the welcome email: their token.
async fn administrator(app: &TestApp, welcomes: &[Outgoing], property: &DemoContract) -> String {
    let welcome = welcomes
        .iter()
        .find(|m| m.to == property.email)
        .unwrap_or_else(|| panic!("no welcome email to {}", property.email));
    let (flow, token) = link_in(welcome);
    let path = format!("/first-accesses/{flow}/code");
    assert_eq!(app.post(&path, json!({ "token": token })).await.status, 202);
    let code = code_in(&app.the_sms().await);
    let path = format!("/first-accesses/{flow}/password");
    let session = app
        .post(
            &path,
            json!({ "code": code, "new_password": ADMIN_PASSWORD }),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
    session.text("access_token")
}

/// Elena Galli, administrator of Condominio Villa Rosa, after her first access.
pub(crate) async fn elena(app: &TestApp) -> String {
    administrator(app, &welcomes(app).await, &VILLA_ROSA).await
}

/// The administrator's invitation of `contract`'s contact at `email`, sent now.
async fn invite(app: &TestApp, token: &str, contract: &DemoUnitContract, email: &str) -> Answer {
    let path = format!("/companies/{}/invitations", contract.property_id);
    let body = json!({ "email": email, "display_name": contract.contact_name, "role": contract.role, "unit_contract": contract.contract_id });
    app.post_as(token, &path, body).await
}

/// The code of the invitation email just sent.
async fn emailed_code(app: &TestApp) -> String {
    invitation_code_in(&app.the_email().await)
}

async fn accept(app: &TestApp, code: &str, email: &str) -> Answer {
    app.post(
        "/invitations/accept",
        json!({ "code": code, "email": email, "password": PASSWORD }),
    )
    .await
}

/// `contract`'s contact, invited at `email` and registered with the code: their token.
pub(crate) async fn registered(
    app: &TestApp,
    admin: &str,
    contract: &DemoUnitContract,
    email: &str,
) -> String {
    let invited = invite(app, admin, contract, email).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let session = accept(app, &emailed_code(app).await, email).await;
    assert_eq!(session.status, 201, "{}", session.body);
    session.text("access_token")
}

async fn my_units(app: &TestApp, token: &str) -> Value {
    let answer = app.as_user(reqwest::Method::GET, token, "/me/units").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

/// The units listed, as (property, unit).
fn units_of(listed: &Value) -> Vec<(String, String)> {
    listed["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["property_id"].as_str().unwrap().to_string(),
                u["unit_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(p, u)| (p.to_string(), u.to_string()))
        .collect()
}

/// Moves the clock to noon (UTC) of `date`.
fn move_to(app: &TestApp, date: &str) {
    let target = BirthDate::parse(date).unwrap().days_since_epoch() * DAY + 12 * HOUR;
    let now = varco_domain::base::clock::Clock::now(&app.clock).0;
    assert!(target > now, "the clock only moves forward");
    app.clock.advance(target - now);
}

async fn c1_an_expired_code_is_reactivated_and_a_used_code_points_to_login(app: TestApp) {
    let elena = elena(&app).await;
    let invited = invite(&app, &elena, &OWNER_A1, OWNER_A1.contact_email).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    assert_eq!(invited.body["unit_contract"], OWNER_A1.contract_id);
    let expired_code = emailed_code(&app).await;
    // The profile's invitations work 14 days.
    app.clock.advance(14 * DAY + HOUR);
    let expired = accept(&app, &expired_code, OWNER_A1.contact_email).await;
    assert_eq!(
        (expired.status, expired.code()),
        (410, "invitation_expired"),
        "{}",
        expired.body
    );
    let elena = app
        .login_as(VILLA_ROSA.email, ADMIN_PASSWORD)
        .await
        .text("access_token");
    let path = format!(
        "/companies/villa-rosa/invitations/{}/send",
        invited.text("invitation_id")
    );
    let reactivated = app.post_as(&elena, &path, json!({})).await;
    assert_eq!(
        (reactivated.status, reactivated.text("state").as_str()),
        (200, "sent"),
        "{}",
        reactivated.body
    );
    let code = emailed_code(&app).await;
    assert_eq!(
        accept(&app, &expired_code, OWNER_A1.contact_email)
            .await
            .code(),
        "invitation_not_found",
        "the old code stops working"
    );
    let session = accept(&app, &code, OWNER_A1.contact_email).await;
    assert_eq!(session.status, 201, "{}", session.body);
    let used = accept(&app, &code, OWNER_A1.contact_email).await;
    assert_eq!((used.status, used.code()), (410, "invitation_used"));
    assert!(
        used.body["title"].as_str().unwrap().contains("accedi"),
        "it points to login: {}",
        used.body
    );
}

async fn c2_an_invitee_with_an_account_adds_the_new_property_to_it(app: TestApp) {
    let welcomes = welcomes(&app).await;
    let elena = administrator(&app, &welcomes, &VILLA_ROSA).await;
    let paolo = administrator(&app, &welcomes, &PARCO).await;
    registered(&app, &elena, &OWNER_A1, OWNER_A1.contact_email).await;

    // Paolo's record has Roberto at gmail.com: the same address (C6), so the same person.
    let invited = invite(&app, &paolo, &OWNER_P1, OWNER_P1.contact_email).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let code = emailed_code(&app).await;
    let new_account = accept(&app, &code, OWNER_P1.contact_email).await;
    assert_eq!(
        (new_account.status, new_account.code()),
        (409, "account_exists"),
        "the email has an account: log in and enter the code there"
    );
    let roberto = app
        .session(OWNER_P1.contact_email, PASSWORD)
        .await
        .text("access_token");
    let joined = app
        .post_as(&roberto, "/me/invitations", json!({ "code": code }))
        .await;
    assert_eq!(
        (joined.status, &joined.body),
        (
            200,
            &json!({ "company_id": "parco", "company_name": "Residenza del Parco", "role": "owner" })
        ),
        "{}",
        joined.body
    );
    let me = app.me(&roberto).await;
    let properties: Vec<&str> = me.body["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["company_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        properties,
        ["villa-rosa", "parco"],
        "one account, two properties"
    );
    assert_eq!(
        units_of(&my_units(&app, &roberto).await),
        pairs(&[("villa-rosa", "A1"), ("parco", "P1")])
    );
}

async fn c3_a_tenant_registers_before_the_lease_and_sees_the_unit_only_while_it_is_active(
    app: TestApp,
) {
    let elena = elena(&app).await;
    let unknown = app
        .post_as(
            &elena,
            "/companies/villa-rosa/invitations",
            json!({ "email": "x@example.it", "display_name": "Nessuno", "role": "tenant", "unit_contract": "L-Z9" }),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (404, "unit_contract_not_found")
    );

    // The lease starts on 2030-06-01: Chiara may register now, and sees when it starts.
    let chiara = registered(&app, &elena, &TENANT_A2, TENANT_A2.contact_email).await;
    let before = my_units(&app, &chiara).await;
    assert_eq!(
        before,
        json!({ "units": [], "upcoming": [{ "property_id": "villa-rosa", "property_name": "Condominio Villa Rosa", "starts_on": "2030-06-01" }] }),
        "nothing of the unit before the contract starts"
    );
    // Davide's lease ended: he may log in, but no unit of the property is his.
    let davide = registered(&app, &elena, &TENANT_B1, TENANT_B1.contact_email).await;
    assert_eq!(
        my_units(&app, &davide).await,
        json!({ "units": [], "upcoming": [] })
    );

    move_to(&app, "2030-06-01");
    let chiara = app
        .session(TENANT_A2.contact_email, PASSWORD)
        .await
        .text("access_token");
    let during = my_units(&app, &chiara).await;
    assert_eq!(
        during,
        json!({ "units": [{ "property_id": "villa-rosa", "property_name": "Condominio Villa Rosa", "unit_id": "A2", "unit_name": "Scala A, interno 2", "contract_id": "L-A2", "role": "tenant", "starts_on": "2030-06-01", "ends_on": "2034-05-31" }], "upcoming": [] }),
    );

    move_to(&app, "2034-06-01");
    let chiara = app
        .session(TENANT_A2.contact_email, PASSWORD)
        .await
        .text("access_token");
    assert_eq!(
        my_units(&app, &chiara).await,
        json!({ "units": [], "upcoming": [] }),
        "the lease ended the day before"
    );
}

async fn c4_removing_portal_access_keeps_the_account_and_its_password(app: TestApp) {
    let elena = elena(&app).await;
    let roberto = registered(&app, &elena, &OWNER_A1, OWNER_A1.contact_email).await;
    let account_id = app.me(&roberto).await.text("id");
    let path = format!("/companies/villa-rosa/users/{account_id}");
    let removed = app.as_user(reqwest::Method::DELETE, &elena, &path).await;
    assert_eq!(removed.status, 204, "{}", removed.body);

    let roberto = app.login(OWNER_A1.contact_email, PASSWORD).await;
    assert_eq!(
        roberto.status, 201,
        "the account and its password stay: {}",
        roberto.body
    );
    let roberto = roberto.text("access_token");
    assert_eq!(app.me(&roberto).await.body["memberships"], json!([]));
    assert_eq!(
        my_units(&app, &roberto).await,
        json!({ "units": [], "upcoming": [] }),
        "no access to the property's unit any more"
    );

    // Locked out for another reason? The person resets their own password by email.
    let captcha = app.captcha().await;
    let started = app
        .post(
            "/password-resets",
            json!({ "email": "Roberto.Sala@gmail.com", "captcha": captcha }),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let flow = started.text("flow_id");
    let path = format!("/password-resets/{flow}/code");
    let sent = app.post(&path, json!({ "channel": "email" })).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let email = app.the_email().await;
    assert_eq!(email.to, OWNER_A1.contact_email);
    let path = format!("/password-resets/{flow}/password");
    let done = app
        .post(
            &path,
            json!({ "code": code_in(&email), "new_password": "Nuova-Chiave-Portone-5" }),
        )
        .await;
    assert_eq!(done.status, 204, "{}", done.body);
    assert_eq!(
        app.login(OWNER_A1.contact_email, "Nuova-Chiave-Portone-5")
            .await
            .status,
        201
    );
}

async fn c5_the_contact_email_on_the_contract_is_not_the_login_email(app: TestApp) {
    let elena = elena(&app).await;
    let roberto = registered(&app, &elena, &OWNER_A1, OWNER_A1.contact_email).await;
    // The administrator's record changes: the operator imports the contract with a new
    // contact email.
    let row = json!({ "type": "unit_contract", "company_id": "villa-rosa", "contract_id": "P-A1", "unit_id": "A1", "role": "owner", "contact": { "name": "Roberto Sala", "email": "r.sala@studiosala.example" }, "starts_on": OWNER_A1.starts_on, "ends_on": null });
    let report = varco_tests::invoke_import(&app.deps, json!({ "jsonl": row.to_string() }))
        .await
        .unwrap();
    assert_eq!(report["updated"], 1, "{report}");

    assert_eq!(
        app.login("r.sala@studiosala.example", PASSWORD)
            .await
            .status,
        401,
        "the contact email is no login"
    );
    let again = app.login(OWNER_A1.contact_email, PASSWORD).await;
    assert_eq!(again.status, 201, "the login email is unchanged");
    assert_eq!(app.me(&roberto).await.text("email"), OWNER_A1.contact_email);
    assert_eq!(
        units_of(&my_units(&app, &roberto).await),
        pairs(&[("villa-rosa", "A1")]),
        "the unit stays his"
    );
}

async fn c6_an_address_registered_at_googlemail_logs_in_at_gmail(app: TestApp) {
    let elena = elena(&app).await;
    // Invited and registered as typed on the administrator's record.
    registered(&app, &elena, &OWNER_A1, "Roberto.Sala@googlemail.com").await;
    for typed in [
        "roberto.sala@gmail.com",
        "ROBERTO.SALA@GMAIL.COM",
        "robertosala@gmail.com",
        "Roberto.Sala@googlemail.com",
    ] {
        let login = app.login(typed, PASSWORD).await;
        assert_eq!(login.status, 201, "{typed}: {}", login.body);
    }
}

on_both_stores!(
    profile = "property-management";
    c1_an_expired_code_is_reactivated_and_a_used_code_points_to_login,
    c2_an_invitee_with_an_account_adds_the_new_property_to_it,
    c3_a_tenant_registers_before_the_lease_and_sees_the_unit_only_while_it_is_active,
    c4_removing_portal_access_keeps_the_account_and_its_password,
    c5_the_contact_email_on_the_contract_is_not_the_login_email,
    c6_an_address_registered_at_googlemail_logs_in_at_gmail,
);
