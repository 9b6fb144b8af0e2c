//! What an answer's time tells (X5, X6): the median time of a right and a wrong guess, of a
//! known and an unknown subject, and of a failed login with and without a pending temporary
//! password, each pair measured alternately through the local gateway on the embedded store
//! (or on DynamoDB Local, with `VARCO_TEST_DYNAMODB` set). Not a test: it prints figures.
//!
//!     cargo bench --profile dev -p varco-tests --bench guesses [-- SAMPLES]
//!
//! The clock moves a day between samples, so that no limit refuses an attempt early.

use std::time::Instant;
use varco_functions::demo::{DemoPerson, LUCA, MARIO};
use varco_tests::{temporary_password_in, Answer, Backend, TestApp};

const MARIO_CARD: &str = "4111 1111 1111 1111";
const MARIO_KEY6: &str = "482913";

/// Nobody's: a fiscal code that parses and encodes its birth date, and an unused email.
const NOBODY: DemoPerson = DemoPerson {
    name: "Nessuno Nessuno",
    fiscal_code_base: "NSSNSS82A01F205",
    birth_date: "1982-01-01",
    email: "nessuno.qui@example.com",
    ..MARIO
};

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Times `call` (its answer checked by `expect`), in milliseconds.
async fn timed<F: std::future::Future<Output = Answer>>(
    call: F,
    expect: impl Fn(&Answer) -> bool,
) -> f64 {
    let start = Instant::now();
    let answer = call.await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    assert!(expect(&answer), "unexpected answer: {answer:?}");
    ms
}

struct Pair {
    what: &'static str,
    a: (&'static str, Vec<f64>),
    b: (&'static str, Vec<f64>),
}

impl Pair {
    fn new(what: &'static str, a: &'static str, b: &'static str) -> Pair {
        Pair {
            what,
            a: (a, Vec::new()),
            b: (b, Vec::new()),
        }
    }

    fn print(self) {
        let (a, b) = (median(self.a.1), median(self.b.1));
        println!(
            "{:44} {:>10} {a:7.1} ms   {:>10} {b:7.1} ms   ratio {:.3}",
            self.what,
            self.a.0,
            self.b.0,
            a.max(b) / a.min(b)
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let samples: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(25);
    let backend = if std::env::var("VARCO_TEST_DYNAMODB").is_ok() {
        Backend::DynamoDb
    } else {
        Backend::Embedded
    };
    let app = TestApp::spawn(backend).await;
    let mut key6 = Pair::new("verify-key6", "right", "wrong");
    let mut answer = Pair::new("verify-security-answer", "right", "wrong");
    let mut start = Pair::new("start-recovery", "known", "unknown");
    let mut login = Pair::new("login", "right", "wrong");
    let mut names = Pair::new("login, wrong password", "known", "unknown");
    let mut pending = Pair::new("login, wrong password", "temporary", "none");
    let ok = |status: u16| move |a: &Answer| a.status == status;
    for _ in 0..samples {
        app.clock.advance(24 * 3600);
        let flow = app.flow("password", &MARIO).await;
        key6.a
            .1
            .push(timed(app.key6(&flow, MARIO_CARD, MARIO_KEY6), ok(200)).await);
        let flow = app.flow("password", &MARIO).await;
        key6.b
            .1
            .push(timed(app.key6(&flow, MARIO_CARD, "000000"), ok(422)).await);
        let flow = app.flow("email", &LUCA).await;
        answer
            .a
            .1
            .push(timed(app.security_answer(&flow, "Bergamo"), ok(200)).await);
        let flow = app.flow("email", &LUCA).await;
        answer
            .b
            .1
            .push(timed(app.security_answer(&flow, "Milano"), ok(422)).await);
        start
            .a
            .1
            .push(timed(app.start_recovery("password", &MARIO), ok(201)).await);
        start
            .b
            .1
            .push(timed(app.start_recovery("password", &NOBODY), ok(201)).await);
        login
            .a
            .1
            .push(timed(app.login(LUCA.email, LUCA.password), ok(201)).await);
        login
            .b
            .1
            .push(timed(app.login(LUCA.email, "Sbagliata-123"), ok(401)).await);
        names
            .a
            .1
            .push(timed(app.login(LUCA.email, "Sbagliata-123"), ok(401)).await);
        names
            .b
            .1
            .push(timed(app.login(NOBODY.email, "Sbagliata-123"), ok(401)).await);
        // Mario recovers his password: a temporary one is pending for his name.
        let flow = app.flow("password", &MARIO).await;
        assert_eq!(app.key6(&flow, MARIO_CARD, MARIO_KEY6).await.status, 200);
        assert_eq!(app.phone(&flow, "+39 340 123 4544").await.status, 202);
        let sms = app.the_sms().await;
        assert!(!temporary_password_in(&sms).is_empty());
        pending
            .a
            .1
            .push(timed(app.login(MARIO.email, "Sbagliata-123"), ok(401)).await);
        pending
            .b
            .1
            .push(timed(app.login(LUCA.email, "Sbagliata-123"), ok(401)).await);
    }
    println!("{samples} samples each, {backend:?} store; medians:");
    for pair in [key6, answer, start, login, names, pending] {
        pair.print();
    }
}
