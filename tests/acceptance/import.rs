//! X7: the operator imports its master data from JSON Lines, idempotently, through the
//! import step (the Lambda handler the operator invokes; `varco import FILE` locally runs the
//! same code, tested in `functions/tests`).

use serde_json::{json, Value};
use varco_domain::base::clock::DAY;
use varco_domain::base::keys::{self, purpose};
use varco_functions::demo::DemoCompanyCard;
use varco_tests::{code_in, on_both_stores, TestApp};

const ROWS: &str = r#"
{"type":"company","id":"olmo","name":"Olmo Servizi Srl","vat_number":"IT00743110157"}
{"type":"company_card","company_id":"olmo","number":"4242 4242 4242 4242","holder_name":"Olga Neri","valid_until":"2030-06-30","blocked_on":null,"registration_code":"OLMO-1234-ABCD"}
{"type":"contract","company_id":"olmo","contract_id":"C-77","legal_representative":{"name":"Olga","surname":"Neri","birth_date":"1982-04-09","fiscal_code":"NREOLG82D49F205R","email":"olga@olmo.example","mobile":"+393475550909"}}
{"type":"line","company_id":"olmo","number":"+393470000001","puk":"12345678","data_only":true,"referent":"Olga Neri"}
{"type":"legacy_account","company_id":"olmo","username":"o.neri","password_hash":"LEGACY_HASH","name":"Olga Neri","role":"administrator","card_number":"4242424242424242"}
"#;

const OLGA_OLD_PASSWORD: &str = "Vecchia-Olmo-1";

fn rows() -> String {
    let hash = varco_domain::base::crypto::legacy::hash(OLGA_OLD_PASSWORD, "olmo-salt", 1_000);
    let fiscal_base = "NREOLG82D49F205";
    let fiscal = format!(
        "{fiscal_base}{}",
        varco_domain::base::types::check_character(fiscal_base)
    );
    ROWS.replace("LEGACY_HASH", &hash)
        .replace("NREOLG82D49F205R", &fiscal)
}

async fn import(app: &TestApp, text: &str) -> Value {
    varco_tests::invoke_import(&app.deps, json!({ "jsonl": text }))
        .await
        .expect("the import answers a report")
}

fn counts(report: &Value) -> [u64; 4] {
    ["created", "updated", "unchanged", "failed"].map(|k| report[k].as_u64().unwrap())
}

const OLMO_CARD: DemoCompanyCard = DemoCompanyCard {
    company_id: "olmo",
    company_name: "Olmo Servizi Srl",
    number: "4242424242424242",
    holder_name: "Olga Neri",
    registration_code: "OLMO-1234-ABCD",
    valid_until: 0,
    blocked_at: None,
    about: "imported",
};

async fn x7_imported_data_serves_registration_and_migration(app: TestApp) {
    let report = import(&app, &rows()).await;
    assert_eq!(counts(&report), [5, 0, 0, 0], "{report}");

    let started = app
        .start_registration(&OLMO_CARD, "olmo 1234 abcd", "+39 347 555 0909")
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let code = code_in(&app.the_sms().await);
    let confirmed = app.registration_code(&started.text("flow_id"), &code).await;
    assert_eq!(confirmed.body["company_name"], "Olmo Servizi Srl");

    let migrated = {
        let started = app
            .start_migration(
                "o.neri",
                OLGA_OLD_PASSWORD,
                "+39 347 555 0909",
                "olga@olmo.example",
            )
            .await;
        assert_eq!(started.status, 201, "{}", started.body);
        let code = code_in(&app.the_sms().await);
        app.migration_code(&started.text("flow_id"), &code, "Nuova-Frase-Sicura-9")
            .await
    };
    assert_eq!(migrated.status, 201, "{}", migrated.body);
    assert_eq!(migrated.body["role"], "administrator");
    let me = app.me(&migrated.text("access_token")).await;
    assert_eq!(
        me.body["memberships"][0]["access_until"],
        end_of("2030-06-30") + 90 * DAY,
        "the imported card's end, plus the grace"
    );
}

/// N2, X5: where the export carries the old user's mobile, the migration code goes there
/// only: whoever guessed the old password cannot have it sent to a phone of their own.
async fn n2_the_migration_code_goes_to_the_mobile_the_export_carries(app: TestApp) {
    let text = rows().replace(
        r#""card_number":"4242424242424242"}"#,
        r#""card_number":"4242424242424242","mobile":"+39 347 555 0909"}"#,
    );
    let report = import(&app, &text).await;
    assert_eq!(counts(&report), [5, 0, 0, 0], "{report}");
    app.deliver_messages().await;
    let guesser = app
        .start_migration(
            "o.neri",
            OLGA_OLD_PASSWORD,
            "+39 333 000 0001",
            "x@example.com",
        )
        .await;
    assert_eq!(
        (guesser.status, guesser.code()),
        (422, "phone_not_matching")
    );
    assert!(app.deliver_messages().await.is_empty(), "no SMS to anyone");
    let olga = app
        .start_migration(
            "o.neri",
            OLGA_OLD_PASSWORD,
            "+39 3475550909",
            "olga@olmo.example",
        )
        .await;
    assert_eq!(olga.status, 201, "{}", olga.body);
    assert_eq!(app.the_sms().await.to, "+393475550909");
}

/// The last second of a date, as the import reads `valid_until`.
fn end_of(date: &str) -> i64 {
    varco_domain::base::types::BirthDate::parse(date)
        .unwrap()
        .end_of_day_utc()
}

async fn x7_the_same_file_again_changes_nothing_and_a_changed_row_updates(app: TestApp) {
    let text = rows();
    assert_eq!(counts(&import(&app, &text).await), [5, 0, 0, 0]);
    let card_key = keys::card(&app.deps.pepper.lookup(purpose::CARD, "4242424242424242"));
    let before = app.deps.store.get(&card_key).await.unwrap().unwrap();
    let again = import(&app, &text).await;
    assert_eq!(counts(&again), [0, 0, 5, 0], "{again}");
    assert_eq!(
        again["rows"],
        json!([]),
        "only rows that changed something are listed"
    );
    let after = app.deps.store.get(&card_key).await.unwrap().unwrap();
    assert_eq!(before.version, after.version, "the card was not rewritten");

    let changed = text.replace("OLMO-1234-ABCD", "OLMO-9999-WXYZ");
    let report = import(&app, &changed).await;
    assert_eq!(counts(&report), [0, 1, 4, 0], "{report}");
    assert_eq!(report["rows"][0]["line"], 3);
    assert_eq!(report["rows"][0]["kind"], "company_card");
    assert_eq!(report["rows"][0]["outcome"], "updated");
    let old_code = app
        .start_registration(&OLMO_CARD, "OLMO-1234-ABCD", "+39 347 555 0909")
        .await;
    assert_eq!(
        old_code.code(),
        "data_not_correct",
        "the new registration code replaced the old"
    );
    let new_code = app
        .start_registration(&OLMO_CARD, "OLMO-9999-WXYZ", "+39 347 555 0909")
        .await;
    assert_eq!(new_code.status, 201, "{}", new_code.body);
}

async fn x7_a_bad_row_is_reported_by_line_and_the_others_are_imported(app: TestApp) {
    let text = [
        r#"{"type":"company","id":"olmo","name":"Olmo Servizi Srl"}"#,
        r#"{"type":"company","id":"olmo","name":"#,
        r#"{"type":"spaceship","id":"x"}"#,
        r#"{"type":"company_card","company_id":"olmo","number":"4242 4242 4242 4241","holder_name":"X","valid_until":"2030-06-30","blocked_on":null,"registration_code":null}"#,
        r#"{"type":"company_card","company_id":"nessuna","number":"4242 4242 4242 4242","holder_name":"X","valid_until":"2030-06-30","blocked_on":null,"registration_code":null}"#,
        r#"{"type":"company","id":"bad id!","name":"X"}"#,
        r#"{"type":"company","id":"pino","name":"Pino","vat_number":"00743110158"}"#,
        r#"{"type":"legacy_account","company_id":"olmo","username":"x","password_hash":"pbkdf2_sha256$1$s$AAAA","name":"X","role":"captain","card_number":null}"#,
        r#"{"type":"legacy_account","company_id":"olmo","username":"x","password_hash":"pbkdf2_sha256$1$s$AAAA","name":"X","role":"administrator","card_number":null}"#,
        r#"{"type":"company","id":"olmo2","name":"Olmo Due","extra":1}"#,
        "",
        r#"{"type":"line","company_id":"olmo","number":"+393470000002","puk":null,"data_only":false,"referent":null}"#,
    ]
    .join("\n");
    let report = import(&app, &text).await;
    assert_eq!(counts(&report), [2, 0, 0, 9], "{report}");
    let failed: Vec<(u64, String)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "failed")
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        (2, "malformed_row"),
        (3, "malformed_row"),
        (4, "invalid_field"),
        (5, "unknown_company"),
        (6, "invalid_field"),
        (7, "invalid_field"),
        (8, "unknown_role"),
        (9, "card_required"),
        (10, "malformed_row"),
    ]
    .map(|(l, c)| (l, c.to_string()));
    assert_eq!(failed, expected);
    let luhn = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["line"] == 4)
        .unwrap();
    assert!(
        luhn["detail"].as_str().unwrap().starts_with("number:"),
        "{luhn}"
    );
}

async fn x7_secrets_in_the_files_are_stored_hashed(app: TestApp) {
    import(&app, &rows()).await;
    let line_key = keys::line(&app.deps.pepper.lookup(purpose::PHONE, "+393470000001"));
    let line = app.deps.store.get(&line_key).await.unwrap().unwrap();
    let card_key = keys::card(&app.deps.pepper.lookup(purpose::CARD, "4242424242424242"));
    let card = app.deps.store.get(&card_key).await.unwrap().unwrap();
    let stored = format!("{} {}", line.doc, card.doc);
    for secret in [
        "12345678",
        "OLMO1234ABCD",
        "OLMO-1234-ABCD",
        "4242424242424242",
    ] {
        assert!(
            !stored.contains(secret),
            "{secret} stored in clear: {stored}"
        );
    }
    assert!(line.doc["puk_hash"]
        .as_str()
        .unwrap()
        .starts_with("$argon2id$"));
    assert!(card.doc["company"]["registration_code_hash"]
        .as_str()
        .unwrap()
        .starts_with("$argon2id$"));
}

async fn n3_a_card_blocked_by_an_import_ends_the_administrators_access_after_the_grace(
    app: TestApp,
) {
    let text = rows();
    import(&app, &text).await;
    let started = app
        .start_registration(&OLMO_CARD, OLMO_CARD.registration_code, "+39 347 555 0909")
        .await;
    let flow = started.text("flow_id");
    let code = code_in(&app.the_sms().await);
    assert_eq!(app.registration_code(&flow, &code).await.status, 200);
    assert_eq!(
        app.registration_credentials(&flow, "olga@olmo.example", "Girasole-Viola-31")
            .await
            .status,
        201
    );
    // The operator blocks the card (today, 2026-11-18) and imports the change.
    let blocked = text.replace(r#""blocked_on":null"#, r#""blocked_on":"2026-11-18""#);
    let report = import(&app, &blocked).await;
    assert_eq!(counts(&report), [0, 1, 4, 0], "{report}");
    assert_eq!(
        app.login("olga@olmo.example", "Girasole-Viola-31")
            .await
            .status,
        201,
        "the grace period starts"
    );
    app.clock.advance(91 * DAY);
    let refused = app.login("olga@olmo.example", "Girasole-Viola-31").await;
    assert_eq!(
        (refused.status, refused.code()),
        (422, "valid_card_required")
    );
}

async fn x7_an_event_without_rows_is_refused_clearly(app: TestApp) {
    let error = varco_tests::invoke_import(&app.deps, json!({ "rows": [] }))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("jsonl"), "{error}");
}

on_both_stores!(
    x7_imported_data_serves_registration_and_migration,
    x7_the_same_file_again_changes_nothing_and_a_changed_row_updates,
    x7_a_bad_row_is_reported_by_line_and_the_others_are_imported,
    x7_secrets_in_the_files_are_stored_hashed,
    n3_a_card_blocked_by_an_import_ends_the_administrators_access_after_the_grace,
    x7_an_event_without_rows_is_refused_clearly,
    n2_the_migration_code_goes_to_the_mobile_the_export_carries,
);
