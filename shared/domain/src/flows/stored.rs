//! What every stored flow shares: its item (kept a day past its end, so that a late step
//! answers `flow_expired` rather than `flow_not_found`), reading it back, the id of what it
//! concerns carried in its id, and the check before a step.

use crate::base::clock::{Timestamp, DAY};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, Buckets};
use crate::base::store::{Item, Write};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A flow is kept this long past its end (to answer `flow_expired`), then purged.
const KEEP_SECONDS: i64 = DAY;

/// Verifies the client's solution and runs `step` with the writes that spend it (for the
/// step to commit with its own, `captcha::commit`); whatever the step answers, the solution ends up
/// spent: a refusal spends it alone, and a refusal for a solution spent before answers
/// `captcha_invalid` instead. So a solution is one attempt at a step, and replaying it
/// learns nothing.
pub async fn captcha_spent_whatever<T, F, Fut>(
    deps: &Deps,
    solution: &str,
    step: F,
) -> Result<T, Error>
where
    F: FnOnce(Vec<Write>) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let now = deps.clock.now();
    let pass = deps.captcha.verify(solution, now).await?;
    let outcome = step(pass.clone().spend(now)).await;
    match outcome {
        Err(Error::CaptchaInvalid) | Ok(_) => outcome,
        Err(refusal) => match deps.store.write(pass.spend(now)).await {
            Err(crate::base::store::StoreError::ConditionFailed { .. }) => {
                Err(Error::CaptchaInvalid)
            }
            // Spent now (or the store failed too: the refusal is the answer either way).
            _ => Err(refusal),
        },
    }
}

/// The write that creates the flow `id`, live until `expires_at`: filed for the purge job
/// by the hour it is finished with (the store's TTL would remove it too, in its own time).
pub fn create<T: Serialize>(id: &str, flow: &T, expires_at: i64) -> Write {
    let done = expires_at + KEEP_SECONDS;
    Write::create(
        Item::new(keys::flow(id), flow)
            .expiring_at(done)
            .with_gsi1(keys::flows_due(Buckets::Hours.of(done))),
    )
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

/// Writes a flow's end (or, for a pending change, its removal) after its tries were spent.
/// Of several steps ending it at once, one writes it; the others find it written (their
/// answer stays `TooManyAttempts`).
pub async fn end(deps: &Deps, write: Write) -> Result<(), Error> {
    match deps.store.write(vec![write]).await {
        Ok(()) | Err(crate::base::store::StoreError::ConditionFailed { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A flow's state, as the liveness check reads it.
pub trait FlowState {
    /// Whether the flow has ended (its tries spent, or nothing left to do in it): no step
    /// goes on, whatever the step.
    fn ended(&self) -> bool;
}

/// What every flow has: a state and an end. Each step checks the flow with `check` first.
pub trait Flow {
    type State: FlowState;

    fn state(&self) -> &Self::State;
    fn expires_at(&self) -> i64;

    /// The one liveness check of every flow, in this order: `FlowExpired` at or past its
    /// end, `FlowEnded` once ended, `WrongStep` in a state the step does not `accept`;
    /// otherwise fine.
    fn check(&self, now: Timestamp, accepts: impl Fn(&Self::State) -> bool) -> Result<(), Error> {
        if now.0 >= self.expires_at() {
            Err(Error::FlowExpired)
        } else if self.state().ended() {
            Err(Error::FlowEnded)
        } else if accepts(self.state()) {
            Ok(())
        } else {
            Err(Error::WrongStep)
        }
    }
}

/// Implements `Flow` for a flow struct with `state` and `expires_at` fields, and
/// `FlowState` for its state, ended in the states the pattern matches.
macro_rules! flow {
    ($flow:ty, $state:ty, ended: $ended:pat) => {
        impl $crate::flows::stored::FlowState for $state {
            fn ended(&self) -> bool {
                matches!(self, $ended)
            }
        }

        impl $crate::flows::stored::Flow for $flow {
            type State = $state;

            fn state(&self) -> &$state {
                &self.state
            }

            fn expires_at(&self) -> i64 {
                self.expires_at
            }
        }
    };
}
pub(crate) use flow;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(PartialEq)]
    enum State {
        Waiting,
        Done,
        Ended,
    }

    struct Example {
        state: State,
        expires_at: i64,
    }

    flow!(Example, State, ended: State::Ended);

    fn checked(state: State, now: i64) -> Result<(), Error> {
        Example {
            state,
            expires_at: 100,
        }
        .check(Timestamp(now), |s| *s == State::Waiting)
    }

    #[test]
    fn one_check_in_one_order_expired_then_ended_then_wrong_step() {
        assert!(checked(State::Waiting, 99).is_ok());
        assert!(matches!(checked(State::Done, 99), Err(Error::WrongStep)));
        assert!(matches!(checked(State::Ended, 99), Err(Error::FlowEnded)));
        assert!(matches!(
            checked(State::Waiting, 100),
            Err(Error::FlowExpired)
        ));
        // Expired and ended: expired, in every flow.
        assert!(matches!(
            checked(State::Ended, 100),
            Err(Error::FlowExpired)
        ));
    }
}
