//! Logs never hold a password, Key6, answer, one-time code, invitation code, temporary
//! password, access or refresh token, full card number, full phone number or fiscal code. The capture holds every log line of this test process
//! (all the other tests' too), at debug level, in the JSON format of Lambda.

use varco_functions::demo::{LUCA, MARIO, PEOPLE};
use varco_tests::{captured_logs, on_both_stores, temporary_password_in, TestApp};

async fn logs_of_whole_recoveries_hold_no_secret(app: TestApp) {
    let flow = app.flow("password", &MARIO).await;
    app.key6(&flow, "4111111111111111", "000000").await;
    app.key6(&flow, "4111111111111111", "482913").await;
    let wrong_phone = app.phone(&flow, "+39 340 123 4545").await;
    assert_eq!(app.phone(&flow, "+393401234544").await.status, 202);
    let temporary = temporary_password_in(&app.the_sms().await);
    let token = app
        .login(MARIO.email, &temporary)
        .await
        .text("access_token");
    assert_eq!(
        app.change_password(
            &token,
            serde_json::json!({ "new_password": "Segreto-Nuovissimo-77" })
        )
        .await
        .status,
        204
    );

    let flow = app.flow("email", &LUCA).await;
    app.security_answer(&flow, "Brescia").await;
    app.security_answer(&flow, "Bergamo").await;
    app.phone(&flow, "+393209876543").await;
    app.the_sms().await;

    // A full session's tokens and a one-time code (a mobile change's) are secrets too.
    let session = app.session(MARIO.email, "Segreto-Nuovissimo-77").await;
    let access = session.text("access_token");
    let change =
        serde_json::json!({ "password": "Segreto-Nuovissimo-77", "phone": "+39 349 777 8899" });
    assert_eq!(app.post_as(&access, "/me/mobile", change).await.status, 202);
    let code = varco_tests::code_in(&app.the_sms().await);

    // An invitation's code (its secret part) and its temporary password.
    let sara = crate::invitations::sara(&app).await;
    let invited = crate::invitations::invite(
        &app,
        &sara,
        "acme",
        crate::invitations::paolo_as("monitoring"),
    )
    .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let (invitation, invited_password) = crate::invitations::delivered_invitation(&app).await;
    let invitation_secret = invitation.rsplit('.').next().unwrap().to_string();

    let logs = captured_logs();
    // This test's own lines (the capture holds every test's): its refused phone step.
    let request_id = wrong_phone.text("request_id");
    assert!(
        logs.lines().any(|line| line.contains(&request_id)
            && line.contains("\"step\":\"verify-recovery-phone\"")),
        "the capture holds this test's request lines"
    );
    assert!(
        logs.contains("\"to\":\"+39 340****44\""),
        "delivery is logged with the masked number"
    );
    let mut secrets: Vec<String> = vec![
        access,
        session.text("refresh_token"),
        code,
        temporary,
        "Segreto-Nuovissimo-77".into(),
        "482913".into(),
        "000000".into(),
        "Brescia".into(),
        invitation,
        invitation_secret,
        invited_password,
    ];
    for person in PEOPLE {
        secrets.push(person.password.to_string());
        secrets.push(person.fiscal_code());
        if let Some((_, answer)) = person.question {
            secrets.push(answer.to_string());
            secrets.push(answer.to_lowercase());
        }
        for card in person.cards {
            secrets.push(card.number.to_string());
            secrets.extend(card.key6.map(str::to_string));
            // The national number: what a full phone number holds beyond its hint.
            secrets.extend(card.alert_phone.map(|p| p[3..].to_string()));
        }
    }
    for secret in secrets {
        assert!(
            !holds_token(&logs, &secret),
            "a log line holds a secret ({} characters)",
            secret.len()
        );
    }
}

/// Whether `secret` stands in `text` as a whole token (not inside a longer run of letters
/// and digits, as a random id may hold four letters of an answer by chance).
pub(crate) fn holds_token(text: &str, secret: &str) -> bool {
    text.match_indices(secret).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + secret.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn a_secret_counts_only_as_a_whole_token() {
    assert!(holds_token(r#"{"key6":"482913"}"#, "482913"));
    assert!(holds_token("answer Fido given", "Fido"));
    assert!(!holds_token("id xFidoy", "Fido"));
    assert!(!holds_token("26.482913Z", "482913"));
}

on_both_stores!(logs_of_whole_recoveries_hold_no_secret);
