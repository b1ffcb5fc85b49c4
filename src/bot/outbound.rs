//! Posting to channels exactly once: every post of a timed step carries a Discord nonce with
//! `enforce_nonce`, so a post tried again (after a 429, a broken connection, or by a process
//! that took over a dead one's claim) returns the first message instead of making a second;
//! failures are retried by [`crate::domain::retry`]'s policy.

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::all::{ChannelId, CreateMessage, EditMessage, Http, Message, MessageId, Nonce};

use crate::domain::retry::{self, Failure};

/// Discord's limit on a nonce.
pub const MAX_NONCE: usize = 25;

/// Whether a failed call is worth trying again.
pub fn classify(e: &serenity::Error) -> Failure {
    use serenity::HttpError;
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let status = r.status_code.as_u16();
            if status == 429 {
                Failure::RateLimited { retry_after: None }
            } else if status >= 500 {
                Failure::Transient
            } else {
                Failure::Refused
            }
        }
        serenity::Error::Http(HttpError::Request(_)) => Failure::Transient,
        _ => Failure::Refused,
    }
}

async fn with_retries<T, F, Fut>(what: &str, mut call: F) -> Result<T, serenity::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, serenity::Error>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) => match retry::delay(classify(&e), tries) {
                Some(wait) => {
                    tracing::info!(what, tries, wait_ms = wait.as_millis() as u64, error = %e, "trying again");
                    tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
                }
                None => return Err(e),
            },
        }
    }
}

/// Post `message` to `channel` once, whatever retries happen. `nonce` names the step (at most
/// 25 characters; longer ones are cut, which only weakens the de-duplication).
pub async fn post(
    http: &Http,
    channel: ChannelId,
    message: CreateMessage,
    nonce: &str,
) -> Result<Message, serenity::Error> {
    let nonce: String = nonce.chars().take(MAX_NONCE).collect();
    let message = message.nonce(Nonce::String(nonce)).enforce_nonce(true);
    with_retries("post", || channel.send_message(http, message.clone())).await
}

/// Edit a message, retrying transient failures.
pub async fn edit(
    http: &Http,
    channel: ChannelId,
    message: MessageId,
    edit: EditMessage,
) -> Result<Message, serenity::Error> {
    with_retries("edit", || channel.edit_message(http, message, edit.clone())).await
}
