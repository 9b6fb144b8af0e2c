//! What every stored flow shares: its item (kept a day past its end, so that a late step
//! answers `flow_expired` rather than `flow_not_found`), reading it back, the id of what it
//! concerns carried in its id, and the check before a step.

use crate::base::clock::{Timestamp, DAY};
use crate::base::deps::Deps;
use crate::base::error::Error;
use crate::base::keys::{self, Buckets};
use crate::base::store::{Item, Write};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

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

/// The write that creates `flow`, live until its header's end: filed for the purge job by
/// the hour it is finished with (the store's TTL would remove it too, in its own time).
pub fn create<F: Flow + Serialize>(flow: &F) -> Write {
    let header = flow.header();
    let done = header.expires_at + KEEP_SECONDS;
    Write::create(
        Item::new(keys::flow(&header.id), flow)
            .expiring_at(done)
            .with_gsi1(keys::flows_due(Buckets::Hours.of(done))),
    )
}

/// The flow in `item` as read: `FlowNotFound` when there is none, or when it is a flow of
/// another kind (the id of a passkey ceremony sent to a recovery's step, say: flows share
/// one key space, and anyone may begin some of them).
pub fn found<T: DeserializeOwned>(item: Option<Item>) -> Result<(Item, T), Error> {
    let item = item.ok_or(Error::FlowNotFound)?;
    match item.parse() {
        Ok(flow) => Ok((item, flow)),
        Err(e) => {
            tracing::warn!(event = "flow_of_another_kind", error = %e, "a step was sent the id of a flow it does not read");
            Err(Error::FlowNotFound)
        }
    }
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

/// What every stored flow carries first: its id, its state, when it began and when it ends,
/// and the wrong things typed in it that are not its codes (an answer, a PUK, a number not
/// on file), which a few end the flow. Stored flat among the flow's own fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header<S> {
    pub id: String,
    pub state: S,
    /// Stored by every flow since this header; 0 in a flow stored before.
    #[serde(default)]
    pub created_at: i64,
    pub expires_at: i64,
    /// The names it had in each flow before this header, read still.
    #[serde(default, alias = "puk_misses", alias = "phone_misses")]
    pub misses: u32,
}

impl<S> Header<S> {
    /// A new flow's header: begun `now`, in `state`, until `expires_at`, nothing missed.
    pub fn new(id: String, state: S, now: Timestamp, expires_at: i64) -> Header<S> {
        Header {
            id,
            state,
            created_at: now.0,
            expires_at,
            misses: 0,
        }
    }
}

/// A flow's state, as the liveness check reads it.
pub trait FlowState {
    /// Whether the flow has ended (its tries spent, or nothing left to do in it): no step
    /// goes on, whatever the step.
    fn ended(&self) -> bool;
}

/// What every flow has: a header with a state and an end. Each step checks the flow with
/// `check` first.
pub trait Flow {
    type State: FlowState;

    fn header(&self) -> &Header<Self::State>;

    /// The one liveness check of every flow, in this order: `FlowExpired` at or past its
    /// end, `FlowEnded` once ended, `WrongStep` in a state the step does not `accept`;
    /// otherwise fine.
    fn check(&self, now: Timestamp, accepts: impl Fn(&Self::State) -> bool) -> Result<(), Error> {
        let header = self.header();
        if now.0 >= header.expires_at {
            Err(Error::FlowExpired)
        } else if header.state.ended() {
            Err(Error::FlowEnded)
        } else if accepts(&header.state) {
            Ok(())
        } else {
            Err(Error::WrongStep)
        }
    }
}

/// Implements `Flow` for a flow struct with a `header`, and `FlowState` for its state, ended
/// in the states the pattern matches.
macro_rules! flow {
    ($flow:ty, $state:ty, ended: $ended:pat) => {
        impl $crate::flows::stored::FlowState for $state {
            fn ended(&self) -> bool {
                matches!(self, $ended)
            }
        }

        impl $crate::flows::stored::Flow for $flow {
            type State = $state;

            fn header(&self) -> &$crate::flows::stored::Header<$state> {
                &self.header
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
        header: Header<State>,
    }

    flow!(Example, State, ended: State::Ended);

    fn checked(state: State, now: i64) -> Result<(), Error> {
        Example {
            header: Header::new("f".into(), state, Timestamp(0), 100),
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

    #[derive(Debug, Serialize, Deserialize)]
    struct Stored {
        #[serde(flatten)]
        header: Header<String>,
        kind: String,
    }

    #[test]
    fn the_header_is_stored_flat_and_flows_stored_before_it_still_read() {
        let flow = Stored {
            header: Header::new("f1".into(), "waiting".into(), Timestamp(10), 100),
            kind: "password".into(),
        };
        assert_eq!(
            serde_json::to_value(&flow).unwrap(),
            serde_json::json!({"id": "f1", "state": "waiting", "created_at": 10,
                "expires_at": 100, "misses": 0, "kind": "password"})
        );
        for (before, misses) in [
            (
                r#"{"id":"f2","state":"s","expires_at":9,"puk_misses":2,"kind":"k"}"#,
                2,
            ),
            (
                r#"{"id":"f3","state":"s","expires_at":9,"phone_misses":1,"kind":"k"}"#,
                1,
            ),
            (r#"{"id":"f4","state":"s","expires_at":9,"kind":"k"}"#, 0),
        ] {
            let read: Stored = serde_json::from_str(before).unwrap();
            assert_eq!((read.header.misses, read.header.created_at), (misses, 0));
            assert_eq!(read.header.expires_at, 9);
        }
    }
}
