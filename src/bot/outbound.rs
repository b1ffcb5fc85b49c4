//! Posting to channels exactly once: every post of a timed step carries a Discord nonce with
//! `enforce_nonce`, so a post tried again (after a 429, a broken connection, or by a process
//! that took over a dead one's claim) returns the first message instead of making a second;
//! failures are retried by [`crate::domain::retry`]'s policy.

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::all::{
    ButtonStyle, ChannelId, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateMessage, CreateThread, EditMessage, Http, Message, MessageId, Nonce,
    RoleId,
};

use super::render::{COLOR, no_mentions, truncate};
use crate::app::outbound::{BoxFuture, Embed, Outbound, OutboundError, Outgoing};
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

/// `call` until it succeeds or fails for good, waiting as [`crate::domain::retry`] says after a
/// 429 or a transient failure (for idempotent calls: a post carries its nonce, an edit is an edit).
pub(crate) async fn with_retries<T, F, Fut>(what: &str, mut call: F) -> Result<T, serenity::Error>
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

/// The outbound port over serenity: posts carry the step's nonce with `enforce_nonce` and are
/// retried; app messages become embeds and buttons with mentions disabled (except a drop's
/// configured role).
#[derive(Clone)]
pub struct SerenityOutbound {
    pub http: std::sync::Arc<Http>,
}

fn channel_of(id: i64) -> Result<ChannelId, OutboundError> {
    u64::try_from(id)
        .ok()
        .filter(|v| *v != 0)
        .map(ChannelId::new)
        .ok_or(OutboundError::BadId)
}

fn message_of(id: i64) -> Result<MessageId, OutboundError> {
    u64::try_from(id)
        .ok()
        .filter(|v| *v != 0)
        .map(MessageId::new)
        .ok_or(OutboundError::BadId)
}

/// The app's embed as serenity's, in the bot's colour.
pub fn to_embed(e: &Embed) -> CreateEmbed {
    let mut embed = CreateEmbed::new().title(&e.title).color(COLOR);
    if !e.description.is_empty() {
        embed = embed.description(&e.description);
    }
    for (name, value, inline) in &e.fields {
        embed = embed.field(name, value, *inline);
    }
    if let Some(footer) = &e.footer {
        embed = embed.footer(CreateEmbedFooter::new(footer));
    }
    embed
}

fn buttons_of(m: &Outgoing) -> Vec<CreateActionRow> {
    if m.buttons.is_empty() {
        return Vec::new();
    }
    let buttons = m
        .buttons
        .iter()
        .take(5)
        .map(|b| {
            CreateButton::new(&b.custom_id)
                .label(&b.label)
                .style(if b.primary {
                    ButtonStyle::Primary
                } else {
                    ButtonStyle::Secondary
                })
        })
        .collect();
    vec![CreateActionRow::Buttons(buttons)]
}

fn mentions_of(m: &Outgoing) -> CreateAllowedMentions {
    match m.ping_role {
        Some(role) => CreateAllowedMentions::new().roles(vec![RoleId::new(role)]),
        None => no_mentions(),
    }
}

pub fn to_create_message(m: &Outgoing) -> CreateMessage {
    let mut message = CreateMessage::new().allowed_mentions(mentions_of(m));
    if let Some(c) = &m.content {
        message = message.content(c);
    }
    if let Some(e) = &m.embed {
        message = message.embed(to_embed(e));
    }
    let buttons = buttons_of(m);
    if !buttons.is_empty() {
        message = message.components(buttons);
    }
    message
}

fn to_edit(m: &Outgoing) -> EditMessage {
    let mut edit = EditMessage::new().allowed_mentions(mentions_of(m));
    if let Some(c) = &m.content {
        edit = edit.content(c);
    }
    if let Some(e) = &m.embed {
        edit = edit.embed(to_embed(e));
    }
    let buttons = buttons_of(m);
    if !buttons.is_empty() {
        edit = edit.components(buttons);
    }
    edit
}

/// What the app layer is told about a failed call (its text is shown in `/daily list`).
pub fn outbound_error(e: &serenity::Error) -> OutboundError {
    let text = e.to_string();
    if text.contains("Missing Permissions") || text.contains("Missing Access") {
        OutboundError::MissingPermission
    } else if text.contains("Unknown Channel") {
        OutboundError::UnknownChannel
    } else {
        OutboundError::Failed(truncate(&text, 150))
    }
}

impl Outbound for SerenityOutbound {
    fn post<'a>(
        &'a self,
        channel: i64,
        message: Outgoing,
        nonce: &'a str,
    ) -> BoxFuture<'a, Result<i64, OutboundError>> {
        Box::pin(async move {
            let channel = channel_of(channel)?;
            let posted = post(&self.http, channel, to_create_message(&message), nonce)
                .await
                .map_err(|e| outbound_error(&e))?;
            i64::try_from(posted.id.get()).map_err(|_| OutboundError::BadId)
        })
    }

    fn edit<'a>(
        &'a self,
        channel: i64,
        message_id: i64,
        message: Outgoing,
    ) -> BoxFuture<'a, Result<(), OutboundError>> {
        Box::pin(async move {
            let channel = channel_of(channel)?;
            let message_id = message_of(message_id)?;
            edit(&self.http, channel, message_id, to_edit(&message))
                .await
                .map_err(|e| outbound_error(&e))?;
            Ok(())
        })
    }

    fn create_thread<'a>(
        &'a self,
        channel: i64,
        message_id: i64,
        name: &'a str,
    ) -> BoxFuture<'a, Result<(), OutboundError>> {
        Box::pin(async move {
            let channel = channel_of(channel)?;
            let message_id = message_of(message_id)?;
            channel
                .create_thread_from_message(&self.http, message_id, CreateThread::new(name))
                .await
                .map_err(|e| outbound_error(&e))?;
            Ok(())
        })
    }
}
