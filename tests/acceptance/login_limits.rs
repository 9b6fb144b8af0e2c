//! X9: the login's limits hold against strangers and never against the owner. Strangers'
//! failures on a name, from many addresses, ask for a captcha (harder as they grow) and
//! close their own addresses, never the name; one password sprayed at many names from one
//! address is challenged; a recovery lets its owner straight back in.

use serde_json::json;
use std::sync::Arc;
use varco_functions::demo::{ACME_CARD, GIULIA, MARIO};
use varco_tests::{
    burst, on_both_stores, seen_count, solve_captcha, temporary_password_in, Answer, Backend,
    TestApp, CAPTCHA_BITS,
};

const MARIO_CARD: &str = "4111 1111 1111 1111";
const MARIO_KEY6: &str = "482913";
const MARIO_PHONE: &str = "+39 340 123 4544";
const DAY: i64 = 24 * 3600;
const WINDOW: i64 = 15 * 60;

/// Moves the clock to the start of the next day (UTC): every window starts afresh.
fn to_next_day(app: &TestApp) {
    let now = varco_domain::base::clock::Clock::now(&app.clock).0;
    app.clock.advance(DAY - now.rem_euclid(DAY));
}

fn difficulty(answer: &Answer) -> u64 {
    assert_eq!(
        (answer.status, answer.code()),
        (403, "captcha_required"),
        "{}",
        answer.body
    );
    answer.body["captcha"]["difficulty"].as_u64().unwrap()
}

/// `times` wrong passwords for `email` from `source`, solving a captcha where asked, as a
/// determined stranger would: each told `invalid_credentials`.
async fn strangers_fail(app: &TestApp, source: &str, email: &str, times: usize) {
    for attempt in 1..=times {
        let answer = app.login_solving(source, email, "Sbagliata-123").await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "invalid_credentials"),
            "attempt {attempt} from {source}: {}",
            answer.body
        );
    }
}

async fn x9_strangers_failing_on_a_name_from_many_addresses_never_keep_its_owner_out(app: TestApp) {
    to_next_day(&app);
    // 110 wrong passwords from ten addresses within one window: eleven times the window's
    // allowance and past what one name used to be allowed in a day (100).
    for n in 10..20 {
        strangers_fail(&app, &format!("127.0.0.{n}"), MARIO.email, 11).await;
    }
    // The owner, from his own address, is asked for a captcha, harder than the first the
    // strangers met (the name's day has 100 captcha'd attempts); he solves it and is in.
    let asked = app
        .login_from("127.0.0.2", MARIO.email, MARIO.password, None)
        .await;
    assert_eq!(difficulty(&asked), u64::from(CAPTCHA_BITS));
    let solved = solve_captcha(&asked);
    let harder = app
        .login_from("127.0.0.2", MARIO.email, MARIO.password, Some(&solved))
        .await;
    assert_eq!(
        difficulty(&harder),
        u64::from(CAPTCHA_BITS) + 3,
        "10 x 2^3 <= 101 < 10 x 2^4"
    );
    let owner = app
        .login_from(
            "127.0.0.2",
            MARIO.email,
            MARIO.password,
            Some(&solve_captcha(&harder)),
        )
        .await;
    assert_eq!(
        (owner.status, owner.body["scope"].as_str()),
        (201, Some("account")),
        "{}",
        owner.body
    );
    // A solution is spent by the attempt it came with, whatever its outcome.
    let replayed = app
        .login_from("127.0.0.2", MARIO.email, MARIO.password, Some(&solved))
        .await;
    assert_eq!(replayed.code(), "captcha_invalid");

    // The strangers go on past the next windows; he forgets his password and recovers it:
    // the temporary password logs him in at once, no captcha asked.
    app.clock.advance(WINDOW);
    strangers_fail(&app, "127.0.0.10", MARIO.email, 12).await;
    let flow = app.start_recovery("password", &MARIO).await.text("flow_id");
    assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);
    assert_eq!(app.phone(&flow, MARIO_PHONE).await.status, 202);
    app.deliver_messages().await;
    let temporary = temporary_password_in(app.sent_messages().last().unwrap());
    let back = app
        .login_from("127.0.0.2", MARIO.email, &temporary, None)
        .await;
    assert_eq!(
        (back.status, back.body["scope"].as_str()),
        (201, Some("password_change")),
        "{}",
        back.body
    );
}

/// With a day of 20 logins per name and address (100 by default: the same, sooner).
async fn x9_one_address_is_closed_on_a_name_after_its_day_and_only_that_address(backend: Backend) {
    let app = TestApp::spawn_tuned(backend, "card-issuer", |deps| {
        Arc::make_mut(&mut deps.profile).attempts.logins_per_day = 20;
    })
    .await;
    to_next_day(&app);
    strangers_fail(&app, "127.0.0.30", MARIO.email, 20).await;
    let closed = app
        .login_solving("127.0.0.30", MARIO.email, MARIO.password)
        .await;
    assert_eq!(
        (closed.status, closed.code()),
        (429, "login_delayed"),
        "{}",
        closed.body
    );
    let wait: i64 = closed.retry_after.as_deref().unwrap().parse().unwrap();
    assert!(
        (DAY - 2 * WINDOW..=DAY).contains(&wait),
        "until the day ends: {wait}"
    );
    // The owner's own address: a captcha at most.
    let owner = app
        .login_solving("127.0.0.31", MARIO.email, MARIO.password)
        .await;
    assert_eq!(owner.status, 201, "{}", owner.body);
    app.clock.advance(wait);
    let next_day = app
        .login_from("127.0.0.30", MARIO.email, MARIO.password, None)
        .await;
    assert_eq!(next_day.status, 201, "{}", next_day.body);
}

async fn x9_one_password_sprayed_at_many_names_from_one_address_is_challenged(app: TestApp) {
    to_next_day(&app);
    // One common password at forty names (each name once: no name's window is near):
    // the address's window (30 failures) is spent, then each try needs a captcha.
    let mut answers = Vec::new();
    for n in 0..40 {
        let name = format!("persona.{n}@example.it");
        answers.push(
            app.login_from("127.0.0.40", &name, "Password2024!", None)
                .await,
        );
    }
    let codes: Vec<&str> = answers.iter().map(Answer::code).collect();
    assert!(
        codes[..30].iter().all(|c| *c == "invalid_credentials"),
        "{codes:?}"
    );
    assert!(
        codes[30..].iter().all(|c| *c == "captcha_required"),
        "{codes:?}"
    );
    // Another address logs in as usual; a colleague behind the sprayer's NAT solves a
    // captcha and is in.
    let elsewhere = app
        .login_from("127.0.0.41", GIULIA.email, GIULIA.password, None)
        .await;
    assert_eq!(elsewhere.status, 201, "{}", elsewhere.body);
    let colleague = app
        .login_from("127.0.0.40", GIULIA.email, GIULIA.password, None)
        .await;
    difficulty(&colleague);
    let colleague = app
        .login_solving("127.0.0.40", GIULIA.email, GIULIA.password)
        .await;
    assert_eq!(colleague.status, 201, "{}", colleague.body);
}

async fn x9_x6_known_and_unknown_names_are_challenged_alike(app: TestApp) {
    let mut answers = Vec::new();
    for email in [MARIO.email, "nessuno.qui@example.it"] {
        to_next_day(&app);
        strangers_fail(&app, "127.0.0.50", email, 10).await;
        let asked = app
            .login_from("127.0.0.50", email, "Sbagliata-123", None)
            .await;
        answers.push((asked.status, asked.code().to_string(), difficulty(&asked)));
    }
    assert_eq!(answers[0], answers[1]);
}

/// X9, X6: a failed login writes the same items for a company's member (Sara, Acme's
/// Administrator), for a person in no company (Mario) and for a name nobody has: a trail
/// item and the operator's, in one write, whoever it was.
async fn x9_x6_failed_logins_write_alike_for_members_people_and_nobody(backend: Backend) {
    let shapes = Arc::new(std::sync::Mutex::new(None));
    let kept = shapes.clone();
    let app = TestApp::spawn_tuned(backend, "card-issuer", move |deps| {
        let recording = Arc::new(varco_tests::WriteShapes::new(deps.store.clone()));
        *kept.lock().unwrap() = Some(recording.clone());
        deps.store = recording;
    })
    .await;
    let shapes = shapes.lock().unwrap().take().unwrap();
    let sara = "sara.conti@acme.example";
    app.register_administrator(&ACME_CARD, "+39 347 555 0101", sara, "Girasole-Viola-31")
        .await;
    let mut written = Vec::new();
    for email in [sara, MARIO.email, "nessuno.qui@example.it"] {
        shapes.take();
        let failed = app
            .login_from("127.0.0.60", email, "Sbagliata-123", None)
            .await;
        assert_eq!(failed.code(), "invalid_credentials", "{}", failed.body);
        written.push(shapes.take());
    }
    assert!(
        written[0]
            .iter()
            .flatten()
            .any(|w| w.contains("put AUDIT ")),
        "{written:?}"
    );
    assert_eq!(
        written[0], written[1],
        "a member and a person in no company"
    );
    assert_eq!(written[0], written[2], "a member and nobody");
}

/// A parallel burst at one name from one address: of 25 guesses without a captcha (fewer
/// than the address's window, so that only the name's refuses), exactly the window's 10
/// are checked; the others are asked for a captcha before anything is looked at. The
/// owner, from elsewhere, solves one and is in.
async fn x9_a_burst_at_one_name_checks_the_windows_worth_and_asks_the_rest_for_a_captcha(
    app: TestApp,
) {
    to_next_day(&app);
    let app = Arc::new(app);
    let seen = burst(&app, 25, |app, n| async move {
        app.login_from("127.0.0.60", MARIO.email, &format!("Sbagliata-{n}"), None)
            .await
    })
    .await;
    assert_eq!(
        seen_count(&seen, 401, "invalid_credentials"),
        10,
        "{seen:?}"
    );
    assert_eq!(seen_count(&seen, 403, "captcha_required"), 15, "{seen:?}");
    let owner = app
        .login_solving("127.0.0.61", MARIO.email, MARIO.password)
        .await;
    assert_eq!(owner.status, 201, "{}", owner.body);
}

mod tuned {
    use super::*;
    varco_tests::on_both_backends!(
        through_lambda_too;
        x9_x6_failed_logins_write_alike_for_members_people_and_nobody,
        x9_one_address_is_closed_on_a_name_after_its_day_and_only_that_address
    );
}

// On both stores, through the gateway and through the Lambda entrypoint (API Gateway's
// `sourceIp` is the address counted there).
on_both_stores!(
    through_lambda_too;
    x9_strangers_failing_on_a_name_from_many_addresses_never_keep_its_owner_out,
    x9_one_password_sprayed_at_many_names_from_one_address_is_challenged,
    x9_x6_known_and_unknown_names_are_challenged_alike,
    x9_a_burst_at_one_name_checks_the_windows_worth_and_asks_the_rest_for_a_captcha,
    x9_a_captcha_is_spent_whatever_the_answer,
);

/// X9: a captcha's solution is spent by the request it came with, whatever the answer: a
/// refusal (no recovery method, a card past its validity) leaves nothing to send again.
async fn x9_a_captcha_is_spent_whatever_the_answer(app: TestApp) {
    use varco_functions::demo::{ANNA, BORGO_CARD};
    let captcha = app.captcha().await;
    let body = json!({ "kind": "password", "fiscal_code": ANNA.fiscal_code(), "birth_date": ANNA.birth_date, "captcha": captcha });
    let refused = app.post("/recoveries", body.clone()).await;
    assert_eq!(refused.code(), "no_recovery_method");
    assert_eq!(
        app.post("/recoveries", body).await.code(),
        "captcha_invalid"
    );

    let captcha = app.captcha().await;
    let body = json!({ "card_number": BORGO_CARD.number, "registration_code": BORGO_CARD.registration_code, "phone": "+39 347 000 0009", "captcha": captcha });
    let refused = app.post("/registrations", body.clone()).await;
    assert_eq!(refused.code(), "valid_card_required");
    assert_eq!(
        app.post("/registrations", body).await.code(),
        "captcha_invalid"
    );
}
