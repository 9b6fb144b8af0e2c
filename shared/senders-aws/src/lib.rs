//! Varco's sender port on AWS: SMS through SNS (Transactional type), email through SES.
//! Errors carry the service's error code only: a service message can quote the number or
//! address, and errors end up in logs.

use async_trait::async_trait;
use aws_sdk_ses::types::{Body, Content, Destination, Message};
use aws_sdk_sns::types::MessageAttributeValue;
use std::sync::Arc;
use varco_domain::limits::outbox::{Channel, Outgoing, SendError, Sender};

fn send_error<E: aws_sdk_sns::error::ProvideErrorMetadata>(service: &str, e: &E) -> SendError {
    SendError(format!(
        "{service}: {}",
        e.code().unwrap_or("no error code (network or timeout)")
    ))
}

/// SMS through SNS `Publish` to a phone number.
pub struct SnsSms {
    client: aws_sdk_sns::Client,
    sender_id: Option<String>,
}

impl SnsSms {
    /// `sender_id`: the alphanumeric sender shown on phones where the country allows it.
    pub fn new(client: aws_sdk_sns::Client, sender_id: Option<String>) -> SnsSms {
        SnsSms { client, sender_id }
    }
}

fn string_attribute(value: &str) -> Result<MessageAttributeValue, SendError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|e| SendError(e.to_string()))
}

#[async_trait]
impl Sender for SnsSms {
    async fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        let mut publish = self
            .client
            .publish()
            .phone_number(&message.to)
            .message(&message.body)
            .message_attributes("AWS.SNS.SMS.SMSType", string_attribute("Transactional")?);
        if let Some(sender_id) = &self.sender_id {
            publish =
                publish.message_attributes("AWS.SNS.SMS.SenderID", string_attribute(sender_id)?);
        }
        publish
            .send()
            .await
            .map(|_| ())
            .map_err(|e| send_error("SNS", &e))
    }
}

/// Email through SES `SendEmail`, plain text, from a verified sender.
pub struct SesEmail {
    client: aws_sdk_ses::Client,
    from: String,
}

impl SesEmail {
    pub fn new(client: aws_sdk_ses::Client, from: impl Into<String>) -> SesEmail {
        SesEmail {
            client,
            from: from.into(),
        }
    }
}

fn content(text: &str) -> Result<Content, SendError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| SendError(e.to_string()))
}

#[async_trait]
impl Sender for SesEmail {
    async fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        let email = Message::builder()
            .subject(content(&message.subject)?)
            .body(Body::builder().text(content(&message.body)?).build())
            .build();
        self.client
            .send_email()
            .source(&self.from)
            .destination(Destination::builder().to_addresses(&message.to).build())
            .message(email)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| send_error("SES", &e))
    }
}

/// Sends each message through the sender of its channel.
pub struct ByChannel {
    pub sms: Arc<dyn Sender>,
    pub email: Arc<dyn Sender>,
}

#[async_trait]
impl Sender for ByChannel {
    async fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        match message.channel {
            Channel::Sms => self.sms.send(message).await,
            Channel::Email => self.email.send(message).await,
        }
    }
}
