//! The sender of local runs: prints each SMS and email instead of sending it.

use async_trait::async_trait;
use varco_domain::limits::outbox::{Channel, Outgoing, SendError, Sender};

pub struct ConsoleSender;

#[async_trait]
impl Sender for ConsoleSender {
    async fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        match message.channel {
            Channel::Sms => println!("\n📱 SMS to {}\n   {}\n", message.to, message.body),
            Channel::Email => println!(
                "\n✉️  Email to {}\n   Subject: {}\n   {}\n",
                message.to, message.subject, message.body
            ),
        }
        Ok(())
    }
}
