//! What the functions that are not steps receive and answer, as types: the outbox sender's
//! stream batches and schedule, the jobs' and the key rotation's schedule, the import's
//! rows. The Lambda runtime reads each event into its type before the function runs.

use aws_lambda_events::event::dynamodb::Event as StreamBatch;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use serde::de::{Deserializer, Error as _, IgnoredAny};
use serde::{Deserialize, Serialize};

/// A schedule's event (EventBridge Scheduler): whatever it carries, it only says "now".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scheduled;

impl<'de> Deserialize<'de> for Scheduled {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scheduled, D::Error> {
        IgnoredAny::deserialize(deserializer)?;
        Ok(Scheduled)
    }
}

/// What wakes the outbox sender: a batch of the table's stream, or its schedule (every due
/// message, retries included).
#[derive(Debug, Clone)]
pub enum OutboxEvent {
    Stream(StreamBatch),
    Schedule,
}

impl<'de> Deserialize<'de> for OutboxEvent {
    /// A stream batch is an object with `Records`; anything else is the schedule's.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<OutboxEvent, D::Error> {
        let event = serde_json::Value::deserialize(deserializer)?;
        if event.get("Records").is_none() {
            return Ok(OutboxEvent::Schedule);
        }
        serde_json::from_value(event)
            .map(OutboxEvent::Stream)
            .map_err(|e| D::Error::custom(format!("a stream batch that is not one: {e}")))
    }
}

/// What the outbox sender answers: to a stream batch, the records that failed, so that the
/// stream retries only them; to the schedule, how many messages went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OutboxAnswer {
    Stream(DynamoDbEventResponse),
    Schedule { delivered: usize },
}

impl OutboxAnswer {
    /// The answer to a stream batch whose records of these sequence numbers failed.
    pub fn failed(sequence_numbers: Vec<String>) -> OutboxAnswer {
        let mut answer = DynamoDbEventResponse::default();
        answer.batch_item_failures = sequence_numbers
            .into_iter()
            .map(|sequence| {
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = Some(sequence);
                failure
            })
            .collect();
        OutboxAnswer::Stream(answer)
    }
}

/// The import's event (X7), as the operator invokes it: `{"jsonl": "<one JSON object a
/// line>"}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ImportEvent {
    pub jsonl: String,
}

/// A signing key as the rotation leaves the ring: its id and when it signs from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RingKey {
    pub kid: String,
    pub signs_from: i64,
}

/// What the key rotation answers: the keys the ring holds now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationReport {
    pub keys: Vec<RingKey>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_outbox_tells_a_stream_batch_from_its_schedule() {
        for schedule in [json!({}), json!(null), json!({ "source": "aws.scheduler" })] {
            let event: OutboxEvent = serde_json::from_value(schedule).unwrap();
            assert!(matches!(event, OutboxEvent::Schedule));
        }
        let batch = json!({ "Records": [] });
        let event: OutboxEvent = serde_json::from_value(batch).unwrap();
        assert!(matches!(event, OutboxEvent::Stream(b) if b.records.is_empty()));
        let broken = serde_json::from_value::<OutboxEvent>(json!({ "Records": 7 }));
        assert!(broken
            .unwrap_err()
            .to_string()
            .contains("a stream batch that is not one"));
    }

    #[test]
    fn answers_are_what_lambda_reads() {
        assert_eq!(
            serde_json::to_value(OutboxAnswer::failed(vec!["12".into()])).unwrap(),
            json!({ "batchItemFailures": [{ "itemIdentifier": "12" }] })
        );
        assert_eq!(
            serde_json::to_value(OutboxAnswer::Schedule { delivered: 3 }).unwrap(),
            json!({ "delivered": 3 })
        );
        let wrong = serde_json::from_value::<ImportEvent>(json!({ "rows": [] }));
        assert!(wrong.unwrap_err().to_string().contains("jsonl"));
    }
}
