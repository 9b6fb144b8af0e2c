//! N2, N1, N3, N8: users of the old portal move to the new one with their old credentials, a
//! mobile confirmed by an SMS code and a new login email and password.

use varco_domain::base::clock::DAY;
use varco_functions::demo::{DemoLegacyUser, FRANCA, GIORGIO, HANA, IVO, LIA, MARTA, NINO};
use varco_tests::{code_in, on_both_stores, TestApp};

const NEW_PASSWORD: &str = "Nuova-Frase-Sicura-9";

fn email_of(user: &DemoLegacyUser) -> String {
    format!("{}@fiume.example", user.username.to_lowercase())
}

/// A migration that must start; returns the flow id and the code sent.
async fn code_sent(app: &TestApp, user: &DemoLegacyUser, phone: &str) -> (String, String) {
    let started = app
        .start_migration(user.username, user.password, phone, &email_of(user))
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    (started.text("flow_id"), code_in(&app.the_sms().await))
}

async fn migrate(app: &TestApp, user: &DemoLegacyUser, phone: &str) -> varco_tests::Answer {
    let (flow, code) = code_sent(app, user, phone).await;
    app.migration_code(&flow, &code, NEW_PASSWORD).await
}

async fn n2_a_user_of_the_old_portal_migrates_and_only_the_new_credentials_work(app: TestApp) {
    let started = app
        .start_migration(
            GIORGIO.username,
            GIORGIO.password,
            "+39 348 000 1122",
            "giorgio.moretti@fiume.example",
        )
        .await;
    assert_eq!(
        (started.status, started.text("sent_to").as_str()),
        (201, "+39 348****22"),
        "{}",
        started.body
    );
    let sms = app.the_sms().await;
    assert_eq!(sms.to, "+393480001122");
    let migrated = app
        .migration_code(&started.text("flow_id"), &code_in(&sms), NEW_PASSWORD)
        .await;
    assert_eq!(migrated.status, 201, "{}", migrated.body);
    assert_eq!(migrated.body["role"], "supervisor");
    assert_eq!(migrated.body["company_name"], "Fiume Costruzioni Srl");
    assert!(
        migrated.body["administrator"].is_null(),
        "a Supervisor migrates before the Administrator: none registered yet"
    );
    let me = app.me(&migrated.text("access_token")).await;
    assert_eq!(me.body["memberships"][0]["role"], "supervisor");

    let login = app
        .login("giorgio.moretti@fiume.example", NEW_PASSWORD)
        .await;
    assert_eq!(login.status, 201, "the new email and password work");
    let again = app
        .start_migration(
            GIORGIO.username,
            GIORGIO.password,
            "+39 348 000 1122",
            "altro@fiume.example",
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (409, "already_migrated"),
        "the old credentials no longer migrate: log in with the new ones"
    );
}

async fn n2_wrong_old_credentials_are_data_not_correct_and_usernames_are_case_sensitive(
    app: TestApp,
) {
    let phone = "+39 348 000 1122";
    let cases = [
        ("g.moretti", GIORGIO.password),
        (GIORGIO.username, "vecchia-password-2"),
        ("nessuno", "Vecchia-Password-2"),
    ];
    for (username, password) in cases {
        let answer = app
            .start_migration(username, password, phone, "x@fiume.example")
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (422, "data_not_correct"),
            "{username}"
        );
    }
    assert!(app.deliver_messages().await.is_empty());
}

async fn n8_the_registered_administrator_is_named_during_migration(app: TestApp) {
    let hana_before = migrate(&app, &HANA, "+39 348 000 3333").await;
    assert!(hana_before.body["administrator"].is_null());
    let franca = migrate(&app, &FRANCA, "+39 348 000 1111").await;
    assert_eq!(franca.status, 201, "{}", franca.body);
    assert_eq!(
        (
            franca.body["role"].as_str(),
            franca.body["administrator"].as_str()
        ),
        (Some("administrator"), Some("Franca Ricci"))
    );
    let giorgio = migrate(&app, &GIORGIO, "+39 348 000 2222").await;
    assert_eq!(giorgio.body["administrator"], "Franca Ricci");
}

async fn n1_support_has_no_access_and_a_plain_user_goes_to_the_cardholder_area(app: TestApp) {
    let ivo = app
        .start_migration(
            IVO.username,
            IVO.password,
            "+39 348 000 4444",
            "ivo@fiume.example",
        )
        .await;
    assert_eq!((ivo.status, ivo.code()), (403, "no_portal_access"));
    let lia = app
        .start_migration(
            LIA.username,
            LIA.password,
            "+39 348 000 5555",
            "lia@fiume.example",
        )
        .await;
    assert_eq!((lia.status, lia.code()), (403, "use_cardholder_area"));
    assert!(lia.text("title").contains("Area Personale"));
    let wrong = app
        .start_migration(
            IVO.username,
            "not-his",
            "+39 348 000 4444",
            "ivo@fiume.example",
        )
        .await;
    assert_eq!(
        wrong.code(),
        "data_not_correct",
        "the role is told only to who knows the old password"
    );
    assert!(app.deliver_messages().await.is_empty());
}

async fn n3_an_administrator_migrates_within_ninety_days_of_the_block_then_is_refused(
    app: TestApp,
) {
    let nino = app
        .start_migration(
            NINO.username,
            NINO.password,
            "+39 348 000 7777",
            "nino@larice.example",
        )
        .await;
    assert_eq!(
        (nino.status, nino.code()),
        (422, "valid_card_required"),
        "expired more than 90 days ago"
    );
    let marta = migrate(&app, &MARTA, "+39 348 000 6666").await;
    assert_eq!(marta.status, 201, "blocked 48 days ago: {}", marta.body);
    let (_, blocked_at) = MARTA.card.unwrap();
    let now = app.deps.clock.now().0;
    app.clock.advance(blocked_at.unwrap() + 90 * DAY - 1 - now);
    assert_eq!(app.login(&email_of(&MARTA), NEW_PASSWORD).await.status, 201);
    app.clock.advance(1);
    let refused = app.login(&email_of(&MARTA), NEW_PASSWORD).await;
    assert_eq!(
        (refused.status, refused.code()),
        (422, "valid_card_required")
    );
}

async fn n2_codes_are_checked_resent_and_single_use(app: TestApp) {
    let phone = "+39 348 000 1111";
    let (flow, code) = code_sent(&app, &FRANCA, phone).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let answer = app.migration_code(&flow, wrong, NEW_PASSWORD).await;
    assert_eq!((answer.status, answer.code()), (422, "code_not_correct"));
    let weak = app.migration_code(&flow, &code, "password").await;
    assert_eq!((weak.status, weak.code()), (422, "weak_password"));
    assert_eq!(app.resend_migration_code(&flow, phone).await.status, 202);
    let code = code_in(&app.the_sms().await);
    assert_eq!(
        app.migration_code(&flow, &code, NEW_PASSWORD).await.status,
        201
    );
    let replay = app.migration_code(&flow, &code, NEW_PASSWORD).await;
    assert_eq!((replay.status, replay.code()), (409, "wrong_step"));
    let forged = app
        .migration_code(&format!("{}x", &flow), &code, NEW_PASSWORD)
        .await;
    assert_eq!(forged.code(), "flow_not_found");
}

async fn n2_one_old_account_migrates_once_under_concurrency(app: TestApp) {
    let mut flows = Vec::new();
    for i in 0..5 {
        let started = app
            .start_migration(
                FRANCA.username,
                FRANCA.password,
                &format!("+39 348 000 11{i:02}"),
                &format!("franca{i}@fiume.example"),
            )
            .await;
        assert_eq!(started.status, 201, "{}", started.body);
        flows.push((started.text("flow_id"), code_in(&app.the_sms().await)));
    }
    let app = std::sync::Arc::new(app);
    let mut racers = tokio::task::JoinSet::new();
    for (flow, code) in flows {
        let app = app.clone();
        racers.spawn(async move { app.migration_code(&flow, &code, NEW_PASSWORD).await });
    }
    let answers: Vec<_> = racers.join_all().await;
    assert_eq!(
        answers.iter().filter(|a| a.status == 201).count(),
        1,
        "{answers:?}"
    );
    for lost in answers.iter().filter(|a| a.status != 201) {
        assert!(
            ["already_migrated", "company_already_registered", "conflict"].contains(&lost.code()),
            "{}",
            lost.body
        );
    }
}

on_both_stores!(
    n2_a_user_of_the_old_portal_migrates_and_only_the_new_credentials_work,
    n2_wrong_old_credentials_are_data_not_correct_and_usernames_are_case_sensitive,
    n8_the_registered_administrator_is_named_during_migration,
    n1_support_has_no_access_and_a_plain_user_goes_to_the_cardholder_area,
    n3_an_administrator_migrates_within_ninety_days_of_the_block_then_is_refused,
    n2_codes_are_checked_resent_and_single_use,
    n2_one_old_account_migrates_once_under_concurrency,
);
