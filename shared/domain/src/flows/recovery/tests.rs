use super::*;
use crate::base::clock::Timestamp;
use crate::base::clock::{Clock, ManualClock, MINUTE};
use crate::base::memory::MemoryStore;
use crate::base::profile::Profile;
use crate::base::store::Store;
use crate::base::types::{check_character, Email, Password, PhoneNumber};
use crate::limits::outbox::Message;
use crate::records::accounts::provision_cardholder;
use crate::records::cards::{NewCard, NewCardholder};
use std::sync::Arc;

const FC: &str = "RSSMRA80A01H501U";
const CARD: &str = "4111111111111111";
const KEY6: &str = "482913";
const PHONE: &str = "+393401234544";

struct Fixture {
    deps: Deps,
    clock: ManualClock,
    store: Arc<MemoryStore>,
}

async fn fixture(question: bool, phones: &[&str]) -> Fixture {
    let clock = ManualClock::at(Timestamp(1_800_000_000));
    let store = Arc::new(MemoryStore::new());
    let deps = Deps::in_memory(
        Profile::builtin("card-issuer").unwrap(),
        store.clone(),
        clock.clone(),
    );
    let mut cards = vec![NewCard {
        number: CardNumber::parse(CARD).unwrap(),
        key6: Some(Key6::parse(KEY6).unwrap()),
        alert_phone: phones.first().map(|p| PhoneNumber::parse(p).unwrap()),
    }];
    for (n, phone) in phones.iter().enumerate().skip(1) {
        let partial = format!("55555555555544{n}");
        cards.push(NewCard {
            number: CardNumber::parse(&format!(
                "{partial}{}",
                crate::base::types::luhn_check_digit(&partial)
            ))
            .unwrap(),
            key6: None,
            alert_phone: Some(PhoneNumber::parse(phone).unwrap()),
        });
    }
    let person = NewCardholder {
        email: Email::parse("mario.rossi@example.com").unwrap(),
        display_name: "Mario Rossi".into(),
        fiscal_code: FiscalCode::parse(FC).unwrap(),
        birth_date: BirthDate::parse("1980-01-01").unwrap(),
        password: Some(Password::parse("correct horse battery").unwrap()),
        security_question: question.then(|| {
            (
                "first_dog".to_string(),
                SecurityAnswer::parse("Fido").unwrap(),
            )
        }),
        cards,
    };
    store
        .write(provision_cardholder(&deps, &person))
        .await
        .unwrap();
    Fixture { deps, clock, store }
}

impl Fixture {
    async fn captcha(&self) -> String {
        self.deps
            .captcha
            .challenge(self.clock.now())
            .solved()
            .unwrap()
    }

    async fn start(&self, kind: RecoveryKind, fc: &str, birth: &str) -> Result<Started, Error> {
        let input = StartRecovery {
            kind,
            fiscal_code: FiscalCode::parse(fc).unwrap(),
            birth_date: BirthDate::parse(birth).unwrap(),
            captcha: self.captcha().await,
        };
        start(&self.deps, input, Lang::It).await
    }

    async fn key6(&self, flow: &str, key6: &str) -> Result<PhonePrompt, Error> {
        verify_key6(
            &self.deps,
            flow,
            &CardNumber::parse(CARD).unwrap(),
            &Key6::parse(key6).unwrap(),
        )
        .await
    }

    async fn outbox(&self) -> Vec<Message> {
        let items = self
            .store
            .query_index(Index::Gsi1, keys::OUTBOX_PENDING, 100)
            .await
            .unwrap();
        items.iter().map(|i| i.parse().unwrap()).collect()
    }
}

fn methods(started: &Started) -> Vec<Method> {
    started.methods.iter().map(|m| m.method).collect()
}

#[tokio::test]
async fn a_known_person_is_offered_the_methods_they_enabled() {
    let f = fixture(true, &[PHONE]).await;
    let started = f
        .start(RecoveryKind::Password, FC, "1980-01-01")
        .await
        .unwrap();
    assert_eq!(
        methods(&started),
        vec![Method::Key6, Method::SecurityQuestion]
    );
    assert_eq!(
        started.methods[1].question.as_deref(),
        Some("Come si chiamava il tuo primo cane?")
    );
    let email = f
        .start(RecoveryKind::Email, FC, "1980-01-01")
        .await
        .unwrap();
    assert_eq!(
        methods(&email),
        vec![Method::Key6, Method::SecurityQuestion, Method::Password]
    );
}

#[tokio::test]
async fn key6_then_phone_completes_with_one_sms_in_the_outbox() {
    let f = fixture(false, &[PHONE]).await;
    let flow = f
        .start(RecoveryKind::Password, FC, "1980-01-01")
        .await
        .unwrap()
        .flow_id;
    let prompt = f.key6(&flow, KEY6).await.unwrap();
    assert_eq!(
        (prompt.numbers_on_file, prompt.hint.as_deref()),
        (1, Some("+39 340****44"))
    );
    let sent = verify_phone(&f.deps, &flow, &TypedPhone::parse(PHONE).unwrap(), Lang::It)
        .await
        .unwrap();
    assert_eq!(sent.sent_to, "+39 340****44");
    let outbox = f.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].to, None, "sealed, not in clear");
    let (to, _) = outbox[0]
        .recipient_and_content(&f.deps.message_key)
        .unwrap()
        .unwrap();
    assert_eq!(to, PHONE);
    let replay = verify_phone(&f.deps, &flow, &TypedPhone::parse(PHONE).unwrap(), Lang::It).await;
    assert!(matches!(replay, Err(Error::WrongStep)), "{replay:?}");
    assert_eq!(f.outbox().await.len(), 1);
}

#[tokio::test]
async fn unknown_data_looks_the_same_until_the_method_step_and_costs_the_same() {
    let f = fixture(true, &[PHONE]).await;
    let other = "VRDLCU75C15F205";
    let other = format!("{other}{}", check_character(other));
    let a = f
        .start(RecoveryKind::Password, &other, "1975-03-15")
        .await
        .unwrap();
    let b = f
        .start(RecoveryKind::Password, &other, "1975-03-15")
        .await
        .unwrap();
    assert_eq!(
        methods(&a),
        methods(&b),
        "the decoy must not change between tries"
    );
    assert!(!methods(&a).is_empty());
    let before = f.deps.hasher.verification_count();
    let wrong_known = {
        let flow = f
            .start(RecoveryKind::Password, FC, "1980-01-01")
            .await
            .unwrap()
            .flow_id;
        f.key6(&flow, "000000").await
    };
    let known_cost = f.deps.hasher.verification_count() - before;
    let before = f.deps.hasher.verification_count();
    let unknown = if methods(&a).contains(&Method::Key6) {
        f.key6(&a.flow_id, KEY6).await
    } else {
        verify_security_answer(&f.deps, &a.flow_id, &SecurityAnswer::parse("Fido").unwrap()).await
    };
    let unknown_cost = f.deps.hasher.verification_count() - before;
    assert!(matches!(wrong_known, Err(Error::DataNotCorrect)));
    assert!(matches!(unknown, Err(Error::DataNotCorrect)));
    assert_eq!(known_cost, unknown_cost);
}

#[tokio::test]
async fn three_wrong_answers_end_the_flow() {
    let f = fixture(true, &[PHONE]).await;
    let flow = f
        .start(RecoveryKind::Password, FC, "1980-01-01")
        .await
        .unwrap()
        .flow_id;
    let wrong = SecurityAnswer::parse("Rex").unwrap();
    for _ in 0..2 {
        assert!(matches!(
            verify_security_answer(&f.deps, &flow, &wrong).await,
            Err(Error::DataNotCorrect)
        ));
    }
    assert!(matches!(
        verify_security_answer(&f.deps, &flow, &wrong).await,
        Err(Error::TooManyAttempts)
    ));
    let right = SecurityAnswer::parse("fido").unwrap();
    assert!(matches!(
        verify_security_answer(&f.deps, &flow, &right).await,
        Err(Error::FlowEnded)
    ));
}

#[tokio::test]
async fn five_key6_misses_lock_the_card_for_a_day() {
    let f = fixture(false, &[PHONE]).await;
    for _ in 0..5 {
        let flow = f
            .start(RecoveryKind::Password, FC, "1980-01-01")
            .await
            .unwrap()
            .flow_id;
        assert!(matches!(
            f.key6(&flow, "000000").await,
            Err(Error::DataNotCorrect)
        ));
    }
    let flow = f
        .start(RecoveryKind::Password, FC, "1980-01-01")
        .await
        .unwrap()
        .flow_id;
    assert!(matches!(f.key6(&flow, KEY6).await, Err(Error::Key6Locked)));
    f.clock.advance(24 * HOUR);
    let flow = f
        .start(RecoveryKind::Password, FC, "1980-01-01")
        .await
        .unwrap()
        .flow_id;
    assert!(f.key6(&flow, KEY6).await.is_ok());
}

#[tokio::test]
async fn a_flow_expires_after_fifteen_minutes() {
    let f = fixture(false, &[PHONE]).await;
    let flow = f
        .start(RecoveryKind::Password, FC, "1980-01-01")
        .await
        .unwrap()
        .flow_id;
    f.clock.advance(15 * MINUTE);
    assert!(matches!(f.key6(&flow, KEY6).await, Err(Error::FlowExpired)));
}

#[tokio::test]
async fn without_a_certified_phone_the_flow_ends_after_the_method() {
    let f = fixture(false, &[]).await;
    let flow = f
        .start(RecoveryKind::Password, FC, "1980-01-01")
        .await
        .unwrap()
        .flow_id;
    assert!(matches!(
        f.key6(&flow, KEY6).await,
        Err(Error::NoCertifiedPhone)
    ));
    assert!(matches!(f.key6(&flow, KEY6).await, Err(Error::FlowEnded)));
}

#[tokio::test]
async fn the_sms_limit_counts_per_number() {
    let f = fixture(false, &[PHONE]).await;
    let phone = TypedPhone::parse(PHONE).unwrap();
    for n in 0..4 {
        let flow = f
            .start(RecoveryKind::Email, FC, "1980-01-01")
            .await
            .unwrap()
            .flow_id;
        f.key6(&flow, KEY6).await.unwrap();
        let result = verify_phone(&f.deps, &flow, &phone, Lang::En).await;
        if n < 3 {
            result.unwrap();
        } else {
            assert!(matches!(result, Err(Error::SmsLimit)), "{result:?}");
        }
    }
    f.clock.advance(10 * MINUTE);
    let flow = f
        .start(RecoveryKind::Email, FC, "1980-01-01")
        .await
        .unwrap()
        .flow_id;
    f.key6(&flow, KEY6).await.unwrap();
    verify_phone(&f.deps, &flow, &phone, Lang::En)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_captcha_solution_starts_one_flow_only() {
    let f = fixture(false, &[PHONE]).await;
    let captcha = f.captcha().await;
    let input = || StartRecovery {
        kind: RecoveryKind::Password,
        fiscal_code: FiscalCode::parse(FC).unwrap(),
        birth_date: BirthDate::parse("1980-01-01").unwrap(),
        captcha: captcha.clone(),
    };
    start(&f.deps, input(), Lang::It).await.unwrap();
    assert!(matches!(
        start(&f.deps, input(), Lang::It).await,
        Err(Error::CaptchaInvalid)
    ));
}

#[tokio::test]
async fn no_sms_goes_to_a_country_the_deployment_does_not_allow() {
    let mut f = fixture(false, &["+41791234567"]).await;
    f.deps.sms_country_codes = Some(vec![39]);
    let flow = f
        .start(RecoveryKind::Email, FC, "1980-01-01")
        .await
        .unwrap()
        .flow_id;
    f.key6(&flow, KEY6).await.unwrap();
    let swiss = verify_phone(
        &f.deps,
        &flow,
        &TypedPhone::parse("+41791234567").unwrap(),
        Lang::It,
    )
    .await;
    assert!(
        matches!(swiss, Err(Error::SmsCountryNotAllowed)),
        "{swiss:?}"
    );
    assert!(f.outbox().await.is_empty());
}
