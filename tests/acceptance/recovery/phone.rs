//! R6, R7: the last step of a recovery, the SMS to the phone on file with a temporary password.

use super::*;

async fn r6_one_number_on_file_is_masked_and_must_be_typed_whole(app: TestApp) {
    let flow = app.flow("password", &MARIO).await;
    assert_eq!(
        app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.body["hint"],
        "+39 340****44"
    );
    let other = app.phone(&flow, "+39 340 123 4545").await;
    assert_eq!((other.status, other.code()), (422, "phone_not_matching"));
    assert!(
        app.deliver_messages().await.is_empty(),
        "no SMS to a number not on file"
    );
    let malformed = app.phone(&flow, "340****44").await;
    assert_eq!(
        (
            malformed.status,
            malformed.code(),
            malformed.text("field").as_str()
        ),
        (400, "invalid_field", "phone")
    );
    assert_eq!(app.phone(&flow, MARIO_PHONE).await.status, 202);
    assert_eq!(app.the_sms().await.to, "+393401234544");
}

async fn r6_several_numbers_are_typed_as_prefix_and_number(app: TestApp) {
    let flow = app.flow("password", &GIULIA).await;
    let prompt = app.key6(&flow, "5555555555554444", "130572").await;
    assert_eq!(
        prompt.body,
        json!({ "next": "phone", "numbers_on_file": 2 }),
        "no hint with several numbers"
    );
    let sent = app
        .post(
            &format!("/recoveries/{flow}/phone"),
            json!({ "prefix": "+41", "number": "79 123 45 67" }),
        )
        .await;
    assert_eq!(
        (sent.status, sent.text("sent_to").as_str()),
        (202, "+41 791****67")
    );
    assert_eq!(app.the_sms().await.to, "+41791234567");
}

async fn r6_the_sms_step_replayed_sends_one_sms(app: TestApp) {
    let flow = app.flow("email", &MARIO).await;
    app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
    let app = std::sync::Arc::new(app);
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, flow) = (app.clone(), flow.clone());
        racers.spawn(async move { app.phone(&flow, MARIO_PHONE).await });
    }
    let answers = racers.join_all().await;
    assert_eq!(
        answers.iter().filter(|a| a.status == 202).count(),
        1,
        "{answers:?}"
    );
    let replay = app.phone(&flow, MARIO_PHONE).await;
    assert_eq!((replay.status, replay.code()), (409, "wrong_step"));
    assert_eq!(app.deliver_messages().await.len(), 1);
    assert!(
        app.deliver_messages().await.is_empty(),
        "delivering again sends nothing more"
    );
}

async fn r6_sms_to_one_number_are_limited_to_three_in_ten_minutes_and_ten_a_day(app: TestApp) {
    let mut sent_today = 0;
    for round in 0..4 {
        for _ in 0..3 {
            let flow = app.flow("email", &MARIO).await;
            app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
            let answer = app.phone(&flow, MARIO_PHONE).await;
            if sent_today < 10 {
                assert_eq!(answer.status, 202, "round {round}: {}", answer.body);
                sent_today += 1;
            } else {
                assert_eq!(
                    (answer.status, answer.code()),
                    (429, "sms_limit"),
                    "the eleventh SMS of a day"
                );
            }
        }
        if round == 0 {
            let flow = app.flow("email", &MARIO).await;
            app.key6(&flow, MARIO_CARD, MARIO_KEY6).await;
            assert_eq!(
                app.phone(&flow, MARIO_PHONE).await.code(),
                "sms_limit",
                "the fourth SMS in ten minutes"
            );
        }
        app.clock.advance(10 * MINUTE);
    }
    assert_eq!(app.deliver_messages().await.len(), 10);
}

async fn r6_the_temporary_password_lasts_a_day(app: TestApp) {
    async fn recovered(app: &TestApp) -> String {
        let flow = app.flow("password", &MARIO).await;
        assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);
        assert_eq!(app.phone(&flow, MARIO_PHONE).await.status, 202);
        temporary_password_in(&app.the_sms().await)
    }
    // A second short of a day: it still logs in (once).
    let temporary = recovered(&app).await;
    app.clock.advance(DAY - HOUR);
    assert_eq!(
        app.me(&app
            .login(MARIO.email, MARIO.password)
            .await
            .text("access_token"))
            .await
            .status,
        200,
        "the old password still works until changed"
    );
    app.clock.advance(HOUR - 1);
    let just_before = app.login(MARIO.email, &temporary).await;
    assert_eq!(
        (just_before.status, just_before.body["scope"].as_str()),
        (201, Some("password_change")),
        "{}",
        just_before.body
    );
    // A day to the second: it is over.
    let temporary = recovered(&app).await;
    app.clock.advance(DAY);
    assert_eq!(app.login(MARIO.email, &temporary).await.status, 401);
}

async fn r7_without_a_certified_phone_the_answer_names_customer_service(app: TestApp) {
    let flow = app.flow("password", &PAOLO).await;
    let answer = app.key6(&flow, "3530111333300000", "777111").await;
    assert_eq!(
        (answer.status, answer.code()),
        (422, "contact_customer_service")
    );
    assert!(answer.text("title").contains("Servizio Clienti"));
    assert!(app.deliver_messages().await.is_empty());
}

on_both_stores!(
    r6_one_number_on_file_is_masked_and_must_be_typed_whole,
    r6_several_numbers_are_typed_as_prefix_and_number,
    r6_the_sms_step_replayed_sends_one_sms,
    r6_sms_to_one_number_are_limited_to_three_in_ten_minutes_and_ten_a_day,
    r6_the_temporary_password_lasts_a_day,
    r7_without_a_certified_phone_the_answer_names_customer_service,
);
