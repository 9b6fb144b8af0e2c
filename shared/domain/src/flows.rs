//! What every stored flow checks before a step: it has not expired, it has not ended, and it
//! is at the step asked for.

use crate::clock::Timestamp;
use crate::error::Error;

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
