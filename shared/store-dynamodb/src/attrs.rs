//! Items as DynamoDB attributes, and as a stream record's image (DynamoDB JSON).

use super::{Attrs, TTL_ATTRIBUTE};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use varco_domain::base::store::{Index, Item, Key, StoreError};

pub(crate) fn index_attribute(index: Index) -> &'static str {
    match index {
        Index::Gsi1 => "gsi1pk",
        Index::Gsi2 => "gsi2pk",
    }
}

pub(crate) fn key_attrs(key: &Key) -> Attrs {
    HashMap::from([
        ("pk".to_string(), AttributeValue::S(key.pk.clone())),
        ("sk".to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

pub(crate) fn to_attrs(item: &Item) -> Attrs {
    let mut attrs = key_attrs(&item.key);
    attrs.insert("v".into(), AttributeValue::N(item.version.to_string()));
    attrs.insert("doc".into(), AttributeValue::S(item.doc.to_string()));
    for index in Index::ALL {
        if let Some(value) = item.index_value(index) {
            attrs.insert(
                index_attribute(index).into(),
                AttributeValue::S(value.to_string()),
            );
        }
    }
    if let Some(at) = item.expires_at {
        attrs.insert(TTL_ATTRIBUTE.into(), AttributeValue::N(at.to_string()));
    }
    attrs
}

/// An item from its DynamoDB attributes (also as they arrive in a stream record).
pub fn from_attrs(attrs: &Attrs) -> Result<Item, StoreError> {
    let corrupt =
        |what: &str| StoreError::Corrupt(format!("attribute `{what}` is missing or malformed"));
    let s = |name: &str| attrs.get(name).and_then(|v| v.as_s().ok()).cloned();
    let n = |name: &str| {
        attrs
            .get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<i64>().ok())
    };
    let doc = s("doc").ok_or_else(|| corrupt("doc"))?;
    Ok(Item {
        key: Key::new(
            s("pk").ok_or_else(|| corrupt("pk"))?,
            s("sk").ok_or_else(|| corrupt("sk"))?,
        ),
        version: n("v").ok_or_else(|| corrupt("v"))? as u64,
        doc: serde_json::from_str(&doc).map_err(|_| corrupt("doc"))?,
        gsi1: s(index_attribute(Index::Gsi1)),
        gsi2: s(index_attribute(Index::Gsi2)),
        expires_at: n(TTL_ATTRIBUTE),
    })
}

/// The item a stream record's new image holds (the string and number attributes Varco
/// writes; others are not Varco's and are left out).
pub fn from_stream_image(image: &serde_dynamo::Item) -> Result<Item, StoreError> {
    let mut attrs = Attrs::new();
    for (name, value) in image.iter() {
        match value {
            serde_dynamo::AttributeValue::S(s) => {
                attrs.insert(name.clone(), AttributeValue::S(s.clone()));
            }
            serde_dynamo::AttributeValue::N(n) => {
                attrs.insert(name.clone(), AttributeValue::N(n.clone()));
            }
            _ => {}
        }
    }
    from_attrs(&attrs)
}

/// An item as a stream record's image (the inverse of `from_stream_image`): for tests.
pub fn to_stream_image(item: &Item) -> serde_json::Value {
    let fields = to_attrs(item)
        .into_iter()
        .map(|(name, value)| {
            let typed = match value {
                AttributeValue::N(n) => serde_json::json!({ "N": n }),
                AttributeValue::S(s) => serde_json::json!({ "S": s }),
                other => serde_json::json!({ "unsupported": format!("{other:?}") }),
            };
            (name, typed)
        })
        .collect();
    serde_json::Value::Object(fields)
}

/// A stream batch that inserts `items`, as the table's stream hands it to a function (the
/// fields AWS sends, one record an item, numbered from `first_sequence`): for tests.
pub fn to_stream_batch(items: &[Item], first_sequence: u64) -> serde_json::Value {
    let records: Vec<serde_json::Value> = items
        .iter()
        .zip(first_sequence..)
        .map(|(item, sequence)| {
            serde_json::json!({
                "awsRegion": "eu-south-1",
                "eventID": format!("event-{sequence}"),
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "eventVersion": "1.1",
                "eventSourceARN": "arn:aws:dynamodb:eu-south-1:123456789012:table/varco/stream/2026-11-30T00:00:00.000",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1_795_000_000.0,
                    "Keys": { "pk": { "S": item.key.pk }, "sk": { "S": item.key.sk } },
                    "NewImage": to_stream_image(item),
                    "SequenceNumber": sequence.to_string(),
                    "SizeBytes": 512,
                    "StreamViewType": "NEW_AND_OLD_IMAGES"
                }
            })
        })
        .collect();
    serde_json::json!({ "Records": records })
}
