//! The operator's back office (N6): what only the operator may do, with its own key (the
//! deployment's `operator_key`; on AWS the routes also need IAM credentials). It revokes a
//! company's registration, so that a new Administrator can register, and reads any
//! company's audit trail, or every event of a day.

use crate::base::clock::DAY;
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, purpose};
use crate::base::messages::Notice;
use crate::base::store::Index;
use crate::base::store::{Condition, Write};
use crate::base::types::BirthDate;
use crate::company::members::{audit_page, AuditPage};
use crate::limits::audit::{self, Event, Source};
use crate::records::accounts::{Account, LoginName};
use crate::records::companies::CompanyAdministrator;

/// Refuses unless `presented` is the deployment's operator key.
fn authorize(deps: &Deps, presented: Option<&str>) -> Result<(), Error> {
    if deps.pepper.same_key(
        purpose::OPERATOR_KEY,
        deps.operator_key.as_deref(),
        presented,
    ) {
        Ok(())
    } else {
        Err(Error::OperatorOnly)
    }
}

/// N6: ends the registration of `company_id`'s Administrator: the seat is free for a new
/// registration; the account stays (its password too) without the company. Reads the seat,
/// then the account it names, then one write.
pub async fn revoke_registration(
    deps: &Deps,
    key: Option<&str>,
    company_id: &str,
) -> Result<(), Error> {
    authorize(deps, key)?;
    let now = deps.clock.now();
    let seat_key = keys::company_administrator(company_id);
    let seat_item = deps
        .store
        .get(&seat_key)
        .await?
        .ok_or(Error::NoAdministrator)?;
    let seat: CompanyAdministrator = seat_item.parse()?;
    let account_item = deps.store.get(&keys::account(&seat.account_id)).await?;
    let mut writes = vec![
        Write::delete(seat_key, Condition::Version(seat_item.version)),
        Write::delete(keys::member(company_id, &seat.account_id), Condition::None),
    ];
    writes.extend(audit::record(
        deps,
        Event {
            action: "registration_revoked",
            actor: None,
            subject: Some(&seat.account_id),
            companies: vec![company_id],
            source: Source::Api,
            outcome: "ok",
        },
        now,
    ));
    if let Some(item) = &account_item {
        let mut account: Account = item.parse()?;
        account.memberships.retain(|m| m.company_id != company_id);
        writes.push(Write::replace(item, &account));
    }
    deps.store.write(writes).await?;
    Ok(())
}

/// M6: the operator's support removes the second factors of a person who lost them (the
/// phone with the app or the passkeys, and the recovery codes) and has no administrator to
/// ask (a cardholder), once it checked who they are by its own means. Found by login name;
/// every session of theirs ends, they are told by email, and the operator's trail (and their
/// companies') records it. Not by SMS: the account keeps only a keyed hash of its mobile.
pub async fn remove_second_factor(
    deps: &Deps,
    key: Option<&str>,
    name: &LoginName,
) -> Result<(), Error> {
    authorize(deps, key)?;
    let now = deps.clock.now();
    let items = deps
        .store
        .query_index(Index::Gsi1, &keys::login_index(&name.key(deps)), 10)
        .await?;
    let item = items
        .iter()
        .find(|i| i.key.sk == keys::account("").sk)
        .ok_or(Error::AccountNotFound)?;
    let mut account: Account = item.parse()?;
    if !account.factors.any() {
        return Err(Error::NoSecondFactor);
    }
    account.factors.clear();
    let mut writes = vec![Write::replace(item, &account)];
    writes.extend(crate::sign_in::sessions::ending_all(deps, &account.id, None).await?);
    let mut event = Event::personal("second_factor_removed", Some(&account), "ok");
    event.actor = None;
    writes.extend(audit::record(deps, event, now));
    let notice = Notice::SecondFactorRemovedBySupport;
    writes.extend(crate::limits::sending::notice(deps, &account, notice).await?);
    deps.store.write(writes).await?;
    Ok(())
}

/// X8: a page of any company's audit trail, newest first, for the operator.
pub async fn audit_trail(
    deps: &Deps,
    key: Option<&str>,
    company_id: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<AuditPage, Error> {
    authorize(deps, key)?;
    let trail = keys::audit_event(company_id, 0, "").pk;
    audit_page(deps, &trail, cursor, limit).await
}

/// X8: a page of the operator's trail of every event of `day` (today, UTC, when none),
/// newest first: logins and recovery steps of anyone, imports, and every company's events.
pub async fn audit_log(
    deps: &Deps,
    key: Option<&str>,
    day: Option<BirthDate>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<AuditPage, Error> {
    authorize(deps, key)?;
    let day = day.map_or_else(
        || deps.clock.now().0.div_euclid(DAY),
        |d| d.days_since_epoch(),
    );
    let trail = keys::audit_log_event(day, 0, "").pk;
    audit_page(deps, &trail, cursor, limit).await
}
