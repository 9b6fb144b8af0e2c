//! Schemathesis against the gateway with a real session of a person of each role a test can
//! reach through the flows (issue 14): every operation behind a token is generated as that
//! person, in the company the person belongs to, and each answer is checked against the
//! OpenAPI document (no 5xx, status, content type, schema, the codes of each status). The
//! runs without a token are in `scripts/test`, against the `varco` binary.
//!
//! Not run with a token: `logout` and `delete-account`, which would end the session the
//! rest of the run needs (the acceptance tests check their answers against the document).
//! Every role with access to the portal has a run; card-issuer's Support has none.

use serde_json::Value;
use std::collections::BTreeMap;
use varco_functions::demo::{ACME_CARD, MARIO, NORD, OWNER_A1, TENANT_A2, VILLA_ROSA};
use varco_functions::routes::{resolve, routes, Resolved, Step};
use varco_tests::{Backend, TestApp};

/// `.tools/schemathesis/bin/st`, which `./scripts/test` installs and names here.
fn schemathesis() -> String {
    std::env::var("VARCO_TEST_SCHEMATHESIS").unwrap_or_else(|_| {
        panic!("VARCO_TEST_SCHEMATHESIS is not set: run the tests with `./scripts/test`, which installs schemathesis")
    })
}

/// Runs schemathesis on every operation behind a token as the holder of `token`, member of
/// `company`; fails on any failure it reports. Answers how many 2xx each step got.
async fn run_as(
    app: &TestApp,
    role: &str,
    token: &str,
    company: &str,
) -> BTreeMap<&'static str, usize> {
    let config = format!(
        "[auth.openapi.bearer]\nbearer = \"{token}\"\n\n[parameters]\ncompany_id = \"{company}\"\n"
    );
    let steps: Vec<Step> = routes()
        .iter()
        .map(|route| route.step)
        .filter(|step| step.needs_bearer() && ![Step::Logout, Step::DeleteAccount].contains(step))
        .collect();
    let successes = run(app, role, &config, &steps, &[]).await;
    assert!(
        successes.get("get-account").is_some_and(|n| *n > 0),
        "the token of {role} was never accepted: {successes:?}"
    );
    successes
}

/// Runs schemathesis with `config` on `steps` (and `extra` arguments); fails on any failure
/// it reports. Answers how many 2xx each step got, and prints them.
async fn run(
    app: &TestApp,
    label: &str,
    config: &str,
    steps: &[Step],
    extra: &[&str],
) -> BTreeMap<&'static str, usize> {
    let port = app.address.rsplit(':').next().unwrap();
    let dir = std::env::temp_dir().join(format!("varco-st-{}-{port}-{label}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config_file = dir.join("schemathesis.toml");
    std::fs::write(&config_file, config).unwrap();
    let har = dir.join("answers.har");
    let mut args: Vec<String> = vec![
        "--config-file".into(),
        config_file.display().to_string(),
        "run".into(),
        format!("{}/openapi.json", app.address),
        "--url".into(),
        app.address.clone(),
        "--checks".into(),
        "all".into(),
        "--exclude-checks".into(),
        "positive_data_acceptance".into(),
        "--max-examples".into(),
        "20".into(),
        "--seed".into(),
        "1".into(),
        "--no-color".into(),
        "--generation-database".into(),
        "none".into(),
        "--report".into(),
        "har".into(),
        "--report-har-path".into(),
        har.display().to_string(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    for step in steps {
        args.extend(["--include-operation-id".into(), step.name().into()]);
    }
    let program = schemathesis();
    let workdir = dir.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(program)
            .args(&args)
            .current_dir(&workdir)
            .output()
            .expect("schemathesis runs")
    })
    .await
    .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis ({label}) found failures:\n{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Value =
        serde_json::from_str(&std::fs::read_to_string(&har).expect("the HAR report")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let mut successes = BTreeMap::new();
    for entry in answers["log"]["entries"].as_array().into_iter().flatten() {
        let status = entry["response"]["status"].as_u64().unwrap_or_default();
        let url = entry["request"]["url"].as_str().unwrap_or_default();
        let path = url.strip_prefix(app.address.as_str()).unwrap_or(url);
        let method = entry["request"]["method"].as_str().unwrap_or_default();
        let method = http::Method::from_bytes(method.as_bytes()).unwrap();
        if let Resolved::Found(step, _) = resolve(&method, path.split('?').next().unwrap()) {
            if (200..300).contains(&status) {
                *successes.entry(step.name()).or_default() += 1;
            }
        }
    }
    eprintln!("schemathesis ({label}): 2xx answers by step {successes:?}");
    successes
}

/// The recovery steps behind a flow id, each given a live flow at that step: schemathesis
/// sends the document's example (Mario's own data) first, then what it generates; the
/// example reaches the step's success answer, checked like every other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_steps_reach_their_success_answers_under_schemathesis() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let past_key6 = app.flow("password", &MARIO).await;
    let card = &MARIO.cards[0];
    let key6 = app.key6(&past_key6, card.number, card.key6.unwrap()).await;
    assert_eq!(key6.status, 200, "{}", key6.body);
    let flows = [
        (Step::VerifyKey6, app.flow("password", &MARIO).await),
        (
            Step::VerifySecurityAnswer,
            app.flow("password", &MARIO).await,
        ),
        (
            Step::VerifyRecoveryPassword,
            app.flow("email", &MARIO).await,
        ),
        (Step::VerifyRecoveryPhone, past_key6),
    ];
    let config: String = flows
        .iter()
        .map(|(step, flow)| {
            format!(
                "[[operations]]\ninclude-operation-id = \"{}\"\nparameters = {{ flow_id = \"{flow}\" }}\n\n",
                step.name()
            )
        })
        .collect();
    let steps: Vec<Step> = flows.iter().map(|(step, _)| *step).collect();
    let successes = run(
        &app,
        "recovery",
        &config,
        &steps,
        &["--phases", "examples,coverage,fuzzing", "--workers", "1"],
    )
    .await;
    for step in steps {
        assert!(
            successes.get(step.name()).is_some_and(|n| *n > 0),
            "{} never reached its success: {successes:?}",
            step.name()
        );
    }
}

// In each profile the runs go from the least role to the most, the administrator's last:
// those who manage users change roles and remove access of the company's people, the other
// runs' sessions included, and their invitations queue emails.

/// Sara, Acme's Administrator, and Paolo, whom she invited with `role`: their tokens.
async fn sara_and_invited(app: &TestApp, role: &str) -> (String, String) {
    use crate::invitations::{
        accept, delivered_invitation, invite, paolo_as, sara, PAOLO_PASSWORD,
    };
    let sara = sara(app).await;
    let invited = invite(app, &sara, ACME_CARD.company_id, paolo_as(role)).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let (code, temporary) = delivered_invitation(app).await;
    let paolo = accept(app, &code, &temporary, PAOLO_PASSWORD).await;
    assert_eq!(paolo.status, 201, "{}", paolo.body);
    (sara, paolo.text("access_token"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_issuer_api_holds_to_its_document_for_each_role() {
    // Support has no access to the portal, and a User's is Mario's, the cardholder's.
    for role in ["monitoring", "interim_administrator"] {
        let app = TestApp::spawn(Backend::Embedded).await;
        let (_, invited) = sara_and_invited(&app, role).await;
        run_as(&app, role, &invited, ACME_CARD.company_id).await;
    }
    let app = TestApp::spawn(Backend::Embedded).await;
    let (sara, paolo) = sara_and_invited(&app, "supervisor").await;
    let mario = app.session(MARIO.email, MARIO.password).await;
    run_as(
        &app,
        "cardholder",
        &mario.text("access_token"),
        ACME_CARD.company_id,
    )
    .await;
    run_as(&app, "supervisor", &paolo, ACME_CARD.company_id).await;
    run_as(&app, "administrator", &sara, ACME_CARD.company_id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_telco_sme_api_holds_to_its_document_for_each_role() {
    let app = TestApp::spawn_profile(Backend::Embedded, "telco-sme").await;
    let (marco, tina, _) = crate::telco::company::marco_and_tina(&app).await;
    let luca = crate::telco::lines::luca_token(&app).await;
    run_as(&app, "employee", &luca, NORD.company_id).await;
    run_as(&app, "telco_manager", &tina, NORD.company_id).await;
    run_as(&app, "user_admin", &marco, NORD.company_id).await;
}

/// Someone `token`'s holder invites to `company` with `body` (sent at once), registered
/// with the invitation's code and `email`: their token.
async fn invited(app: &TestApp, token: &str, company: &str, email: &str, body: Value) -> String {
    let path = format!("/companies/{company}/invitations");
    let sent = app.post_as(token, &path, body).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let code = varco_tests::invitation_code_in(&app.the_email().await);
    let accept =
        serde_json::json!({ "code": code, "email": email, "password": "Colline-Verdi-62" });
    let session = app.post("/invitations/accept", accept).await;
    assert_eq!(session.status, 201, "{}", session.body);
    session.text("access_token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_legal_rep_api_holds_to_its_document_for_each_role() {
    let app = TestApp::spawn_profile(Backend::Embedded, "telco-legal-rep").await;
    let marco = crate::legal_rep::marco(&app).await;
    let mut employees = Vec::new();
    for role in ["user", "administrator_light", "administrator_full"] {
        let email = format!("{role}@officinenord.example");
        let body = crate::legal_rep::employee(&email, role, true);
        employees.push((
            role,
            invited(&app, &marco, NORD.company_id, &email, body).await,
        ));
    }
    for (role, token) in employees {
        run_as(&app, role, &token, NORD.company_id).await;
    }
    run_as(&app, "legal_representative", &marco, NORD.company_id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_property_api_holds_to_its_document_for_each_role() {
    let app = TestApp::spawn_profile(Backend::Embedded, "property-management").await;
    let elena = crate::property::elena(&app).await;
    let owner = crate::property::registered(&app, &elena, &OWNER_A1, OWNER_A1.contact_email).await;
    let tenant =
        crate::property::registered(&app, &elena, &TENANT_A2, TENANT_A2.contact_email).await;
    let email = "collaboratore@villarosa.example";
    let body =
        serde_json::json!({ "email": email, "display_name": "Rita Sala", "role": "collaborator" });
    let collaborator = invited(&app, &elena, VILLA_ROSA.company_id, email, body).await;
    run_as(&app, "owner", &owner, VILLA_ROSA.company_id).await;
    run_as(&app, "tenant", &tenant, VILLA_ROSA.company_id).await;
    run_as(&app, "collaborator", &collaborator, VILLA_ROSA.company_id).await;
    run_as(
        &app,
        "property_administrator",
        &elena,
        VILLA_ROSA.company_id,
    )
    .await;
}
