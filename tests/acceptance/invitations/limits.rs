//! N5, X2, X5: what holds invitations in: one accept under fifty at once, the expiry job, the pending cap, the budget of wrong codes.

use super::*;

async fn n5_fifty_concurrent_accepts_of_one_invitation_succeed_once(app: TestApp) {
    let sara = sara(&app).await;
    assert_eq!(
        invite(&app, &sara, "acme", paolo_as("monitoring"))
            .await
            .status,
        201
    );
    let (code, temporary) = delivered_invitation(&app).await;
    let body = acceptance(&code, &temporary, PAOLO_PASSWORD);
    let app = std::sync::Arc::new(app);
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (app, body) = (app.clone(), body.clone());
        racers.spawn(async move { app.post("/invitations/accept", body).await });
    }
    let answers: Vec<varco_tests::Answer> = racers.join_all().await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(
        created,
        1,
        "{:?}",
        answers
            .iter()
            .map(|a| (a.status, a.code()))
            .collect::<Vec<_>>()
    );
    assert!(
        answers
            .iter()
            .filter(|a| a.status != 201)
            .all(|a| [409, 410].contains(&a.status) || a.code() == "attempts_exhausted"),
        "the others are told it was used (or raced), or were refused before their code was \
         checked (X5: ten attempts a day per invitation): {:?}",
        answers
            .iter()
            .map(|a| (a.status, a.code()))
            .collect::<Vec<_>>()
    );
    let listed = users(&app, &sara, "acme").await;
    assert_eq!(
        listed.body["members"].as_array().unwrap().len(),
        2,
        "{}",
        listed.body
    );
}

async fn x2_the_expiry_job_marks_expired_invitations_once_and_finishes_after_an_interruption(
    app: TestApp,
) {
    let sara = sara(&app).await;
    for n in 0..3 {
        let body = json!({ "email": format!("persona{n}@acme.example"), "display_name": format!("Persona {n}"), "role": "monitoring", "mobile": "+39 347 555 0202" });
        assert_eq!(invite(&app, &sara, "acme", body).await.status, 201);
    }
    let kept = json!({ "email": "dopo@acme.example", "display_name": "Dopo", "role": "monitoring", "mobile": "+39 347 555 0202", "send": false });
    assert_eq!(
        invite(&app, &sara, "acme", kept).await.text("state"),
        "added"
    );
    app.clock.advance(7 * DAY + HOUR);
    let sara = app
        .session(SARA_EMAIL, SARA_PASSWORD)
        .await
        .text("access_token");

    // Stopped after two pages of one item: two done, and it says it did not finish.
    let first = varco_domain::operator::jobs::expire_invitations(&app.deps, 1, 2)
        .await
        .unwrap();
    assert_eq!((first.changed, first.finished), (2, false));
    let rest = invoke_job(&app.deps, Job::ExpireInvitations).await.unwrap();
    assert_eq!(rest, json!({ "changed": 1, "finished": true }));
    let again = invoke_job(&app.deps, Job::ExpireInvitations).await.unwrap();
    assert_eq!(
        again,
        json!({ "changed": 0, "finished": true }),
        "nothing left the second time"
    );

    let listed = users(&app, &sara, "acme").await;
    let mut states: Vec<&str> = listed.body["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    states.sort();
    assert_eq!(
        states,
        ["added", "expired", "expired", "expired"],
        "{}",
        listed.body
    );
}

async fn n5_at_most_the_profile_s_pending_invitations_per_company(app: TestApp) {
    let sara = sara(&app).await;
    let max = app.deps.profile.invitations.as_ref().unwrap().max_pending;
    for n in 0..max {
        let body = json!({ "email": format!("p{n}@acme.example"), "display_name": "P", "role": "monitoring", "mobile": "+39 347 555 0202", "send": false });
        let answer = invite(&app, &sara, "acme", body).await;
        assert_eq!(answer.status, 201, "{n}: {}", answer.body);
    }
    let over = invite(&app, &sara, "acme", paolo_as("monitoring")).await;
    assert_eq!((over.status, over.code()), (409, "too_many_invitations"));

    // The list comes a page at a time: Sara and the 100 invitations.
    let first = app
        .as_user(Method::GET, &sara, "/companies/acme/users?limit=60")
        .await;
    let count = |a: &varco_tests::Answer| {
        a.body["members"].as_array().unwrap().len()
            + a.body["invitations"].as_array().unwrap().len()
    };
    assert_eq!(count(&first), 60, "{}", first.body);
    let next = first.text("next");
    let second = app
        .as_user(
            Method::GET,
            &sara,
            &format!("/companies/acme/users?limit=60&cursor={next}"),
        )
        .await;
    assert_eq!(count(&second), 41, "{}", second.body);
    assert!(second.body.get("next").is_none());
    let bad = app
        .as_user(Method::GET, &sara, "/companies/acme/users?cursor=%23x")
        .await;
    assert_eq!(
        (bad.status, bad.body["field"].as_str()),
        (400, Some("cursor"))
    );
}

/// X5: fifty wrong secrets at once for one invitation: ten a day are checked, the rest
/// refused before any check; then the right code and temporary password are refused too, and
/// `invitation_used` or `invitation_expired` are never told to a wrong code.
async fn x5_a_burst_of_wrong_invitation_codes_spends_the_invitations_budget(app: TestApp) {
    let sara = sara(&app).await;
    assert_eq!(
        invite(&app, &sara, "acme", paolo_as("monitoring"))
            .await
            .status,
        201
    );
    let (code, temporary) = delivered_invitation(&app).await;
    let (prefix, _) = code.rsplit_once('.').unwrap();
    let app = std::sync::Arc::new(app);
    let seen = varco_tests::burst(&app, 50, |app, n| {
        let body = acceptance(&format!("{prefix}.WRONG{n:07}"), &temporary, PAOLO_PASSWORD);
        async move { app.post("/invitations/accept", body).await }
    })
    .await;
    assert_eq!(
        seen.get(&(404, "invitation_not_found".to_string())),
        Some(&10),
        "{seen:?}"
    );
    assert_eq!(
        seen.get(&(429, "attempts_exhausted".to_string())),
        Some(&40),
        "{seen:?}"
    );
    let right = app
        .post(
            "/invitations/accept",
            acceptance(&code, &temporary, PAOLO_PASSWORD),
        )
        .await;
    assert_eq!((right.status, right.code()), (429, "attempts_exhausted"));
}

on_both_stores!(
    n5_fifty_concurrent_accepts_of_one_invitation_succeed_once,
    x2_the_expiry_job_marks_expired_invitations_once_and_finishes_after_an_interruption,
    n5_at_most_the_profile_s_pending_invitations_per_company,
    x5_a_burst_of_wrong_invitation_codes_spends_the_invitations_budget,
);
