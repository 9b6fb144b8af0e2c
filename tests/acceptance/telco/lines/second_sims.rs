//! W11: an employee associates a second SIM of the company with their account.

use super::*;

async fn associate(app: &TestApp, token: &str, body: serde_json::Value) -> Answer {
    app.post_as(token, "/me/lines", body).await
}

async fn w11_an_employee_associates_a_second_sim_and_a_third_is_refused(app: TestApp) {
    let token = luca_token(&app).await;
    let wrong = associate(
        &app,
        &token,
        json!({ "line": LINE_SARA.number, "password": "Onda-Corta-2024" }),
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (403, "current_password_wrong")
    );
    let started = associate(
        &app,
        &token,
        json!({ "line": LINE_SARA.number, "password": PASSWORD }),
    )
    .await;
    assert_eq!(started.status, 202, "{}", started.body);
    assert_eq!(started.body["next"], "code");
    let sms = app.the_sms().await;
    assert_eq!(sms.to, LINE_SARA.number, "the code goes to the SIM itself");
    let bad = app
        .post_as(&token, "/me/lines/code", json!({ "code": "000000" }))
        .await;
    assert_eq!((bad.status, bad.code()), (422, "code_not_correct"));
    let done = app
        .post_as(&token, "/me/lines/code", json!({ "code": code_in(&sms) }))
        .await;
    assert_eq!(done.status, 204, "{}", done.body);
    let me = app.me(&token).await;
    assert_eq!(me.body["lines"], json!(["+39 347****11", "+39 347****12"]));

    // Two is the most: a third is refused before anything is sent.
    let third = associate(
        &app,
        &token,
        json!({ "line": LINE_SPARE.number, "password": PASSWORD }),
    )
    .await;
    assert_eq!((third.status, third.code()), (409, "too_many_lines"));
    // The associated SIM is nobody else's to register.
    let other = app
        .start_line_registration(LINE_SARA.number, "sara@officinenord.example")
        .await;
    assert_eq!((other.status, other.code()), (409, "line_taken"));

    // W10: when Luca deletes his account, both SIMs are free again.
    let deleted = app
        .post_as(&token, "/me/deletion", json!({ "password": PASSWORD }))
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    for line in [LINE_LUCA.number, LINE_SARA.number] {
        let again = app
            .start_line_registration(line, "nuovo@officinenord.example")
            .await;
        assert_eq!(again.status, 201, "{line}: {}", again.body);
        app.the_sms().await;
    }
}

async fn w11_a_data_only_sim_is_associated_by_its_puk(app: TestApp) {
    let token = luca_token(&app).await;
    let body =
        |puk: Option<&str>| json!({ "line": LINE_DATA.number, "password": PASSWORD, "puk": puk });
    let without = associate(&app, &token, body(None)).await;
    assert_eq!((without.status, without.code()), (422, "puk_required"));
    for _ in 0..3 {
        let wrong = associate(&app, &token, body(Some("99999999"))).await;
        assert_eq!((wrong.status, wrong.code()), (422, "puk_not_correct"));
    }
    // Three wrong PUKs for the SIM stop its association for a day, the right one too.
    let locked = associate(&app, &token, body(Some(LINE_DATA.puk))).await;
    assert_eq!((locked.status, locked.code()), (429, "too_many_attempts"));
    app.clock.advance(DAY);
    let token = app
        .login_as(LINE_LUCA.number, PASSWORD)
        .await
        .text("access_token");
    let associated = associate(&app, &token, body(Some(LINE_DATA.puk))).await;
    assert_eq!(associated.status, 201, "{}", associated.body);
    assert_eq!(
        associated.body["lines"],
        json!(["+39 347****11", "+39 347****13"])
    );
    assert!(
        app.deliver_messages().await.is_empty(),
        "a data-only SIM gets no SMS"
    );
}

async fn w11_only_free_sims_of_the_company_are_associated(app: TestApp) {
    let token = luca_token(&app).await;
    for (line, code) in [
        (LINE_LAGO.number, "line_not_eligible"),
        ("+393470000000", "line_not_eligible"),
        (LINE_LUCA.number, "line_taken"),
    ] {
        let answer = associate(&app, &token, json!({ "line": line, "password": PASSWORD })).await;
        assert_eq!(answer.code(), code, "{line}: {}", answer.body);
    }
    // Sara registers her own line first: it is hers.
    let sara = app
        .register_line(
            LINE_SARA.number,
            "sara@officinenord.example",
            "Sara-Password-2024",
        )
        .await;
    assert_eq!(sara.status, 201);
    let taken = associate(
        &app,
        &token,
        json!({ "line": LINE_SARA.number, "password": PASSWORD }),
    )
    .await;
    assert_eq!((taken.status, taken.code()), (409, "line_taken"));
}

/// Two employees race to associate the same SIM, each with the code sent to it: one
/// account gets it.
async fn w11_concurrent_associations_of_one_sim_give_it_to_one_account(app: TestApp) {
    let luca = luca_token(&app).await;
    let sara = app
        .register_line(LINE_SARA.number, "sara@officinenord.example", PASSWORD)
        .await
        .text("access_token");
    let mut confirmations = Vec::new();
    for token in [luca, sara] {
        let body = json!({ "line": LINE_SPARE.number, "password": PASSWORD });
        assert_eq!(associate(&app, &token, body).await.status, 202);
        let code = code_in(&app.the_sms().await);
        confirmations.push((token, code));
    }
    let app = std::sync::Arc::new(app);
    let mut racers = tokio::task::JoinSet::new();
    for (token, code) in confirmations {
        let app = app.clone();
        racers.spawn(async move {
            app.post_as(&token, "/me/lines/code", json!({ "code": code }))
                .await
        });
    }
    let answers: Vec<Answer> = racers.join_all().await;
    assert_eq!(
        answers.iter().filter(|a| a.status == 204).count(),
        1,
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .filter(|a| a.status != 204)
            .all(|a| a.code() == "line_taken" || a.code() == "conflict"),
        "{answers:?}"
    );
}

on_both_stores!(
    profile = "telco-sme";
    w11_an_employee_associates_a_second_sim_and_a_third_is_refused,
    w11_a_data_only_sim_is_associated_by_its_puk,
    w11_only_free_sims_of_the_company_are_associated,
    w11_concurrent_associations_of_one_sim_give_it_to_one_account,
);
