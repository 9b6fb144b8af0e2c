//! What every stored flow shares: its item (kept a day past its end, so that a late step
//! answers `flow_expired` rather than `flow_not_found`), reading it back, the id of what it
//! concerns carried in its id, and the check before a step.

use crate::clock::{Timestamp, DAY};
use crate::deps::Deps;
use crate::error::Error;
use crate::keys;
use crate::store::{Item, Write};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The write that creates the flow `id`, live until `expires_at`.
pub fn create<T: Serialize>(id: &str, flow: &T, expires_at: i64) -> Write {
    Write::create(Item::new(keys::flow(id), flow).expiring_at(expires_at + DAY))
}

/// The flow in `item` as read: `FlowNotFound` when there is none.
pub fn found<T: DeserializeOwned>(item: Option<Item>) -> Result<(Item, T), Error> {
    let item = item.ok_or(Error::FlowNotFound)?;
    let flow = item.parse()?;
    Ok((item, flow))
}

/// Reads the flow `id` alone.
pub async fn read<T: DeserializeOwned>(deps: &Deps, id: &str) -> Result<(Item, T), Error> {
    found(deps.store.get(&keys::flow(id)).await?)
}

/// The id a flow id carries after its `.` (a company's, an account's), so that a step reads
/// the flow and that item in one request.
pub fn carried_id(flow_id: &str) -> Result<&str, Error> {
    flow_id
        .split_once('.')
        .map(|(_, carried)| carried)
        .ok_or(Error::FlowNotFound)
}

/// `FlowExpired`, `FlowEnded`, `WrongStep`, or fine.
pub fn at<S: PartialEq>(
    now: Timestamp,
    expires_at: i64,
    state: &S,
    expected: &S,
    ended: &S,
) -> Result<(), Error> {
    if now.0 >= expires_at {
        Err(Error::FlowExpired)
    } else if state == ended {
        Err(Error::FlowEnded)
    } else if state == expected {
        Ok(())
    } else {
        Err(Error::WrongStep)
    }
}
