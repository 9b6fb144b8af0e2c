//! The one gate every SMS and every email passes before it is queued (X5, SMS pumping):
//! whatever the flow, `sms` and `email` check the recipient and count the message under
//! every budget at once (`attempts::count`, atomic), then give the outbox write.
//!
//! - SMS go only to the deployment's countries (`sms_country_codes`) and only to mobile
//!   numbers: a premium-rate, shared-cost, toll-free or fixed-line number is refused before
//!   anything is counted or queued (`sms_number_not_mobile`).
//! - Budgets a day (`[sending]` in the profile, the deployment's and countries' from the
//!   template's parameters too): per number (and per 10 minutes, `[sms]`) or address, per
//!   account and per company the message concerns (`messages_limit`, `sms_limit`), per
//!   country calling code and for the whole deployment. A spent country or deployment
//!   budget stops sending until the day ends (UTC): a circuit breaker that answers
//!   `sending_suspended` (503, `Retry-After`), writes an audit event and logs
//!   `sending_suspended`, which the template's alarm watches. An SMS asked for by someone
//!   who proved nothing yet (`About::unproven`) draws on a share of each of those two
//!   budgets too (`unproven_sms_percent`), which trips first: strangers who know numbers
//!   stop only the unproven share, never the SMS of people who proved who they are. Half
//!   of any of these budgets spent logs `sending_budget_half_spent` (an alarm too).
//! - Per source (the client's address), the steps that may send are counted before they
//!   run, known person or not (`admit_source`).
//!
//! A message counted whose step then fails stays counted: too often, never too rarely.

use crate::base::clock::{DAY, MINUTE};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::purpose;
use crate::base::messages::{Lang, Template};
use crate::base::random::new_id;
use crate::base::store::Write;
use crate::base::types::{Email, PhoneNumber};
use crate::limits::attempts::{self, Limit, Refusal, Subject};
use crate::limits::audit::{self, Event};
use crate::limits::outbox::{self, Channel};
use std::net::IpAddr;

/// What a message concerns, for its budgets: the account and the company, when known, and
/// whether whoever asked for it proved anything yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct About<'a> {
    pub account: Option<&'a str>,
    pub company: Option<&'a str>,
    /// Asked for by someone who proved nothing yet (a password reset's code, a line
    /// registration's): an SMS draws on the unproven share of the deployment's and the
    /// country's budgets too, which trips first, so that strangers who know numbers cannot
    /// stop the SMS of people who proved who they are.
    pub unproven: bool,
}

impl<'a> About<'a> {
    pub fn account(account: &'a str) -> About<'a> {
        About {
            account: Some(account),
            ..About::default()
        }
    }

    pub fn company(company: &'a str) -> About<'a> {
        About {
            company: Some(company),
            ..About::default()
        }
    }

    pub fn nobody() -> About<'a> {
        About::default()
    }

    /// The same, asked for by someone who proved nothing yet.
    pub fn unproven(self) -> About<'a> {
        About {
            unproven: true,
            ..self
        }
    }
}

/// The outbox write of an SMS to `phone`, once the gate let it through.
pub async fn sms(
    deps: &Deps,
    phone: &PhoneNumber,
    about: About<'_>,
    content: Template,
    lang: Lang,
) -> Result<Write, Error> {
    let limits = sms_limits(deps, phone, about)?;
    count(deps, &limits, about).await?;
    Ok(queue_sms(deps, phone, content, lang))
}

/// The outbox write of an email to `email`, once the gate let it through.
pub async fn email(
    deps: &Deps,
    email: &Email,
    about: About<'_>,
    content: Template,
    lang: Lang,
) -> Result<Write, Error> {
    let lookup = deps.pepper.lookup(purpose::EMAIL, email.canonical());
    count(deps, &email_limits(deps, &lookup, about), about).await?;
    Ok(queue_email(deps, email, content, lang))
}

/// The outbox write of a security notice to the account's email (M9), through the gate;
/// none when the gate refuses it (the change it tells of stands without it) or the address
/// is not one an email may go to. Italian, as the portal's first language.
pub async fn notice(
    deps: &Deps,
    account: &crate::records::accounts::Account,
    notice: crate::base::messages::Notice,
) -> Result<Option<Write>, Error> {
    let Ok(email) = Email::parse(&account.email) else {
        return Ok(None);
    };
    if account.email_unproven {
        return Ok(None);
    }
    let content = Template::SecurityNotice { notice };
    match self::email(deps, &email, About::account(&account.id), content, Lang::It).await {
        Ok(write) => Ok(Some(write)),
        Err(refused) if refused.describe().status < 500 || refused.retry_after().is_some() => {
            tracing::warn!(event = "notice_not_sent", code = refused.describe().code);
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// The outbox writes of an email and an SMS about the same thing (an invitation and its
/// temporary password, N5), through the gate together: every budget of both counted in one
/// round trip, and either refused takes the other's count back.
pub async fn email_and_sms(
    deps: &Deps,
    (email, email_content): (&Email, Template),
    (phone, sms_content): (&PhoneNumber, Template),
    about: About<'_>,
    lang: Lang,
) -> Result<[Write; 2], Error> {
    let lookup = deps.pepper.lookup(purpose::EMAIL, email.canonical());
    let mut limits = email_limits(deps, &lookup, about);
    limits.extend(sms_limits(deps, phone, about)?);
    count(deps, &limits, about).await?;
    Ok([
        queue_email(deps, email, email_content, lang),
        queue_sms(deps, phone, sms_content, lang),
    ])
}

/// An SMS's budgets, once `phone` proved a mobile number of an allowed country.
fn sms_limits(deps: &Deps, phone: &PhoneNumber, about: About) -> Result<Vec<Limit>, Error> {
    if deps
        .sms_country_codes
        .as_ref()
        .is_some_and(|allowed| !allowed.contains(&phone.country_code()))
    {
        return Err(Error::SmsCountryNotAllowed);
    }
    if !phone.is_mobile() {
        return Err(Error::SmsNumberNotMobile);
    }
    let now = deps.clock.now();
    let lookup = deps.pepper.lookup(purpose::PHONE, phone.e164());
    let country = phone.country_code().to_string();
    let number = Subject::Phone(&lookup);
    let mut limits = Vec::new();
    if about.unproven {
        let budgets = &deps.profile.sending;
        let share = |of: u32| (of * budgets.unproven_sms_percent / 100).max(1);
        let unproven_country = format!("{country}-UNPROVEN");
        limits.extend([
            Limit::per_window(
                Subject::Deployment("SMS-UNPROVEN"),
                "DAY",
                share(budgets.sms_per_day),
                DAY,
                now,
            )
            .refused_with(BREAKER)
            .watched(),
            Limit::per_window(
                Subject::Country(&unproven_country),
                "DAY",
                share(budgets.sms_per_country),
                DAY,
                now,
            )
            .refused_with(BREAKER)
            .watched(),
        ]);
    }
    limits.extend([
        Limit::per_day(deps, Subject::Deployment("SMS"), now)
            .refused_with(BREAKER)
            .watched(),
        Limit::per_day(deps, Subject::Country(&country), now)
            .refused_with(BREAKER)
            .watched(),
        Limit::per_window(
            number,
            "10MIN",
            deps.profile.sms.per_number_per_10_minutes,
            10 * MINUTE,
            now,
        )
        .refused_with(Refusal::Locked(|| Error::SmsLimit)),
        Limit::per_day(deps, number, now).refused_with(Refusal::Locked(|| Error::SmsLimit)),
    ]);
    limits.extend(concerned(deps, about));
    Ok(limits)
}

/// An email's budgets, to the address `address` stands for.
fn email_limits(deps: &Deps, address: &str, about: About) -> Vec<Limit> {
    let now = deps.clock.now();
    let mut limits = vec![
        Limit::per_day(deps, Subject::Deployment("EMAIL"), now)
            .refused_with(BREAKER)
            .watched(),
        Limit::per_day(deps, Subject::Address(address), now).refused_with(LIMITED),
    ];
    limits.extend(concerned(deps, about));
    limits
}

fn queue_sms(deps: &Deps, phone: &PhoneNumber, content: Template, lang: Lang) -> Write {
    queue(
        deps,
        Channel::Sms,
        phone.e164(),
        phone.hint(),
        content,
        lang,
    )
}

fn queue_email(deps: &Deps, email: &Email, content: Template, lang: Lang) -> Write {
    let hint = email.hint();
    queue(deps, Channel::Email, email.as_str(), hint, content, lang)
}

/// The outbox write of a message the gate let through.
fn queue(
    deps: &Deps,
    channel: Channel,
    to: &str,
    hint: String,
    content: Template,
    lang: Lang,
) -> Write {
    let id = new_id(deps.random.as_ref());
    outbox::enqueue(
        id,
        channel,
        to.to_string(),
        hint,
        content,
        lang,
        deps.clock.now(),
        (&deps.message_key, deps.random.as_ref()),
    )
}

/// Counts an email that nobody will receive, to an address and an account that stand for
/// an unknown person (`stand_in`, a keyed hash of what was typed), under the budgets an
/// email to a known person's address about their account meets: the same refusals at the
/// same counts, known or not.
pub async fn decoy_email(deps: &Deps, stand_in: &str) -> Result<(), Error> {
    let stand_in = format!("DECOY#{stand_in}");
    let about = About::account(&stand_in).unproven();
    let limits = email_limits(deps, &stand_in, about);
    count(deps, &limits, about).await
}

/// A spent deployment or country budget: sending stops until the day ends.
const BREAKER: Refusal = Refusal::Until(|retry_after| Error::SendingSuspended { retry_after });
/// A spent budget of an address, account or company.
const LIMITED: Refusal = Refusal::Locked(|| Error::MessagesLimit);

/// The budgets of the account and the company a message concerns.
fn concerned(deps: &Deps, about: About) -> Vec<Limit> {
    let now = deps.clock.now();
    let account = about.account.map(|id| {
        let ceiling = deps.profile.sending.per_account;
        Limit::per_window(Subject::Account(id), "SENT", ceiling, DAY, now).refused_with(LIMITED)
    });
    let company = about
        .company
        .map(|id| Limit::per_day(deps, Subject::Company(id), now).refused_with(LIMITED));
    account.into_iter().chain(company).collect()
}

/// Counts a message under `limits`; a tripped breaker is written to the audit trail and
/// logged for the alarm.
async fn count(deps: &Deps, limits: &[Limit], about: About<'_>) -> Result<(), Error> {
    match attempts::count(deps, limits, about.account).await {
        Ok(counted) => {
            // The alarm fires at half a breaker's budget, well before anything stops.
            for (index, limit) in limits.iter().enumerate() {
                if limit.is_watched() && counted.number(index) == (limit.ceiling() / 2).max(1) {
                    tracing::warn!(
                        event = "sending_budget_half_spent",
                        budget = %limit.key().pk,
                        "half of a daily sending budget is spent"
                    );
                }
            }
            Ok(())
        }
        Err(error @ Error::SendingSuspended { .. }) => {
            tracing::error!(
                event = "sending_suspended",
                "a daily sending budget is spent: sending stops until the day ends"
            );
            let event = Event::person("sending_suspended", about.account, error.describe().code);
            deps.store
                .write(audit::record(deps, event, deps.clock.now()))
                .await?;
            Err(error)
        }
        Err(error) => Err(error),
    }
}

/// The key a client's address is counted under: an IPv4 address, or an IPv6 address's /64
/// (one subscriber's network: a client given a /64 has every address in it).
pub fn source_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Counts one request of a step that may send an SMS or email from the client address
/// `source`, before the step runs, known person or not: `source_limit` once the address's
/// budget for the day (`[sending] per_source`) is spent.
pub async fn admit_source(deps: &Deps, source: IpAddr) -> Result<(), Error> {
    let key = source_key(source);
    let limit = Limit::per_day(deps, Subject::Source(&key), deps.clock.now()).refused_with(
        Refusal::Until(|retry_after| Error::SourceLimit { retry_after }),
    );
    attempts::count(deps, &[limit], None).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::clock::{ManualClock, Timestamp};
    use crate::base::memory::MemoryStore;
    use crate::base::profile::Profile;
    use std::sync::Arc;

    fn code() -> Template {
        Template::VerificationCode {
            code: "123456".into(),
            valid_minutes: 10,
        }
    }

    #[tokio::test]
    async fn an_email_and_sms_refused_together_leave_neither_counted() {
        let mut profile = Profile::builtin("telco-legal-rep").unwrap();
        profile.sms.per_number_per_10_minutes = 2;
        profile.sending.per_address = 5;
        let clock = ManualClock::at(Timestamp(1_800_000_000));
        let deps = Deps::in_memory(profile, Arc::new(MemoryStore::new()), clock);
        let email = Email::parse("anna@example.com").unwrap();
        let phone = PhoneNumber::parse("+393401234544").unwrap();
        let pair = || {
            email_and_sms(
                &deps,
                (&email, code()),
                (&phone, code()),
                About::nobody(),
                Lang::It,
            )
        };
        for _ in 0..2 {
            let [queued_email, queued_sms] = pair().await.unwrap();
            assert_ne!(queued_email.key(), queued_sms.key());
        }
        assert!(matches!(pair().await, Err(Error::SmsLimit)));
        // Five emails a day to the address: two went with their SMS; the refused pair's
        // email was taken back, so three more go, and the fourth is refused.
        let alone = || super::email(&deps, &email, About::nobody(), code(), Lang::It);
        for _ in 0..3 {
            alone().await.unwrap();
        }
        assert!(matches!(alone().await, Err(Error::MessagesLimit)));
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        assert_eq!(source_key(a), source_key(b));
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_ne!(source_key(a), source_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(source_key(mapped), "192.0.2.7");
    }
}
