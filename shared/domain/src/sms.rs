//! Limits on SMS, in one place: the countries a deployment sends to, and how many SMS one
//! number receives (per 10 minutes and per day, from the profile). Every step that sends an
//! SMS reads the number's log with its other items and writes it back with its change.

use crate::clock::{Timestamp, DAY, MINUTE};
use crate::deps::Deps;
use crate::error::Error;
use crate::keys;
use crate::store::{parse_opt, Condition, Item, Write};
use crate::types::PhoneNumber;
use serde::{Deserialize, Serialize};

/// SMS sent to one number in the last day.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SmsLog {
    sent: Vec<i64>,
}

/// Whether one more SMS may go to `phone` (whose keyed hash is `lookup`, and whose log is
/// `log_item` as read): the write that records it, or why not.
pub fn allow(
    deps: &Deps,
    phone: &PhoneNumber,
    lookup: &str,
    log_item: Option<&Item>,
    now: Timestamp,
) -> Result<Write, Error> {
    if deps
        .sms_country_codes
        .as_ref()
        .is_some_and(|allowed| !allowed.contains(&phone.country_code()))
    {
        return Err(Error::SmsCountryNotAllowed);
    }
    let mut log: SmsLog = parse_opt(&log_item.cloned())?.unwrap_or_default();
    log.sent.retain(|&t| t > now.0 - DAY);
    let recent = log
        .sent
        .iter()
        .filter(|&&t| t > now.0 - 10 * MINUTE)
        .count();
    let limits = &deps.profile.sms;
    if recent >= limits.per_number_per_10_minutes || log.sent.len() >= limits.per_number_per_day {
        return Err(Error::SmsLimit);
    }
    log.sent.push(now.0);
    Ok(match log_item {
        Some(previous) => Write::Put {
            item: previous.next(&log).expiring_at(now.0 + DAY),
            condition: Condition::Version(previous.version),
        },
        None => Write::create(Item::new(keys::sms_limit(lookup), &log).expiring_at(now.0 + DAY)),
    })
}
