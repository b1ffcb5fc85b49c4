//! Buttons and modals. Their custom ids say what they act on; the database holds the rest.
//!
//! The event and the helpers both share are here; the clicks are in `buttons.rs`, the submitted
//! answer forms in `modals.rs`.

mod buttons;
mod modals;

use buttons::on_component;
use modals::on_modal;

use poise::serenity_prelude as serenity;
use serenity::all::{
    ComponentInteraction, Context as SerenityContext, CreateInteractionResponse,
    CreateInteractionResponseMessage, EditInteractionResponse, FullEvent, Interaction,
    ModalInteraction,
};

use super::errors::BotError;
use super::library::Asked;
use super::render::no_mentions;
use super::{Data, Error};
use crate::app::{practice, review};

pub async fn on_event(
    fw: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let FullEvent::InteractionCreate { interaction } = event else {
        return Ok(());
    };
    let ctx = fw.serenity_context;
    let data = fw.user_data;
    let result = match interaction {
        Interaction::Component(c) => on_component(ctx, data, c)
            .await
            .map_err(|e| (e, Responder::Component(c))),
        Interaction::Modal(m) => {
            // Defer first, privately: scoring and storing can take longer than Discord's 3 s
            // for a first response (behind a busy write lock), and the answer would be stored
            // with its reply lost. Every outcome then edits this deferred reply.
            if let Err(e) = m.defer_ephemeral(&ctx.http).await {
                tracing::warn!(error = %e, "could not defer an answer form");
                return Ok(());
            }
            on_modal(ctx, data, m)
                .await
                .map_err(|e| (e, Responder::Modal(m)))
        }
        _ => Ok(()),
    };
    if let Err((error, responder)) = result {
        super::instrument::note_outcome(super::errors::error_outcome(&error));
        responder.ephemeral(ctx, &error.for_user()).await;
    }
    Ok(())
}

enum Responder<'a> {
    Component(&'a ComponentInteraction),
    Modal(&'a ModalInteraction),
}

impl Responder<'_> {
    /// Tell the user, as the first response or, if one was already sent, as a follow-up.
    async fn ephemeral(&self, ctx: &SerenityContext, text: &str) {
        let msg = CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(no_mentions());
        let first = match self {
            Responder::Component(c) => c
                .create_response(&ctx.http, CreateInteractionResponse::Message(msg))
                .await
                .map(drop),
            // A form was deferred before its work began: the error goes into that reply.
            Responder::Modal(m) => {
                let edit = EditInteractionResponse::new()
                    .content(text)
                    .allowed_mentions(no_mentions());
                super::outbound::with_retries("form reply", || {
                    m.edit_response(&ctx.http, edit.clone())
                })
                .await
                .map(drop)
            }
        };
        if first.is_err() {
            let follow = serenity::all::CreateInteractionResponseFollowup::new()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(no_mentions());
            let sent = match self {
                Responder::Component(c) => c.create_followup(&ctx.http, follow).await,
                Responder::Modal(m) => m.create_followup(&ctx.http, follow).await,
            };
            if let Err(e) = sent {
                tracing::warn!(error = %e, "could not tell a user about an error");
            }
        }
    }
}

async fn reply(
    ctx: &SerenityContext,
    c: &ComponentInteraction,
    msg: CreateInteractionResponseMessage,
) -> Result<(), Error> {
    c.create_response(
        &ctx.http,
        CreateInteractionResponse::Message(msg.ephemeral(true).allowed_mentions(no_mentions())),
    )
    .await?;
    Ok(())
}

/// The reply to a click that came too soon after the member's last one (a per-member cooldown).
async fn slow_down(ctx: &SerenityContext, c: &ComponentInteraction) -> Result<(), Error> {
    reply(
        ctx,
        c,
        CreateInteractionResponseMessage::new().content("Easy there — try again in a moment."),
    )
    .await
}

/// [`reply`] for a submitted modal: the edit of its deferred private reply, mentions off.
async fn reply_to_modal(
    ctx: &SerenityContext,
    m: &ModalInteraction,
    msg: EditInteractionResponse,
) -> Result<(), Error> {
    // An edit of the deferred reply is a REST call like any other: retried after a 429.
    let msg = msg.allowed_mentions(no_mentions());
    super::outbound::with_retries("form reply", || m.edit_response(&ctx.http, msg.clone())).await?;
    Ok(())
}

fn parse_id(part: Option<&str>) -> Result<i64, Error> {
    part.and_then(|p| p.parse().ok())
        .ok_or_else(|| BotError::User("That button is broken; please ask again.".into()))
}

fn guild_of(guild: Option<serenity::GuildId>) -> Result<i64, Error> {
    let g = guild
        .ok_or_else(|| BotError::User("This works in a server, not in direct messages.".into()))?;
    i64::try_from(g.get()).map_err(|e| BotError::Other(e.into()))
}

const GONE: &str = "That question is no longer available.";

/// The question stored as `row`, from whichever bank holds it, if this server may use it (the
/// shipped bank, or the server's own): a custom id naming another server's question is
/// refused like a missing one.
async fn stored_question(data: &Data, guild: i64, row: i64) -> Result<Asked, Error> {
    practice::server_question(&data.engine.store, &data.engine.library, guild, row)
        .await?
        .ok_or_else(|| BotError::User(GONE.into()))
}

const NOT_HERE: &str = "That button belongs to another server or channel.";

/// The round a custom id names, if it is a round of this server and channel.
async fn own_round(
    data: &Data,
    guild: i64,
    channel: serenity::ChannelId,
    round_id: i64,
) -> Result<crate::store::RoundRow, Error> {
    let round = data.engine.store.round(round_id).await?;
    let channel = i64::try_from(channel.get()).unwrap_or(-1);
    if round.guild_id != guild || round.channel_id != channel {
        return Err(BotError::User(NOT_HERE.into()));
    }
    Ok(round)
}

/// The member a click or form comes from, in server `guild`.
fn practice_member(guild: i64, u: serenity::UserId) -> review::Member {
    review::Member {
        guild_id: guild,
        user_id: user_id(u),
    }
}

fn user_id(u: serenity::UserId) -> i64 {
    i64::try_from(u.get()).unwrap_or(i64::MAX)
}
