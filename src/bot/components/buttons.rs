//! Button clicks: Answer and Hint on questions, reviews and drops; joining, starting and
//! stopping rounds; board pages.

use poise::serenity_prelude as serenity;
use serenity::all::{
    ComponentInteraction, Context as SerenityContext, CreateActionRow, CreateInputText,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateModal, InputTextStyle,
};

use crate::app::rounds as round_steps;
use crate::app::{drops, practice};
use crate::bot::render;
use crate::bot::{Data, Error};

use super::{
    guild_of, own_round, parse_id, practice_member, reply, slow_down, stored_question, user_id,
};

/// Discord's limit on a text input.
const MAX_ANSWER_CHARS: u16 = 4000;

fn answer_modal(custom_id: String, title: &str) -> CreateInteractionResponse {
    let input = CreateInputText::new(InputTextStyle::Paragraph, "Your answer", "answer")
        .placeholder("Explain in your own words: what happens, why, and how you would use it.")
        .min_length(1)
        .max_length(MAX_ANSWER_CHARS);
    CreateInteractionResponse::Modal(
        CreateModal::new(custom_id, render::truncate(title, 45))
            .components(vec![CreateActionRow::InputText(input)]),
    )
}

pub(super) async fn on_component(
    ctx: &SerenityContext,
    data: &Data,
    c: &ComponentInteraction,
) -> Result<(), Error> {
    let mut parts = c.data.custom_id.split(':');
    let user = c.user.id.get();
    match (parts.next(), parts.next()) {
        (Some("q"), Some("answer")) => {
            let row = parse_id(parts.next())?;
            let guild = guild_of(c.guild_id)?;
            stored_question(data, guild, row).await?;
            practice::ensure_practisable(&data.engine.store, guild, row).await?;
            if !data.cooldown_ok(user, "answer") {
                return slow_down(ctx, c).await;
            }
            let custom = format!("q:modal:{row}:{}", c.message.id.get());
            c.create_response(&ctx.http, answer_modal(custom, "Your answer"))
                .await?;
        }
        (Some("r"), Some("answer")) => {
            let row = parse_id(parts.next())?;
            let guild = guild_of(c.guild_id)?;
            stored_question(data, guild, row).await?;
            practice::ensure_practisable(&data.engine.store, guild, row).await?;
            if !data.cooldown_ok(user, "answer") {
                return slow_down(ctx, c).await;
            }
            c.create_response(&ctx.http, answer_modal(format!("r:modal:{row}"), "Review"))
                .await?;
        }
        (Some("q"), Some("hint")) => {
            let row = parse_id(parts.next())?;
            if !data.cooldown_ok(user, "hint") {
                return slow_down(ctx, c).await;
            }
            let guild = guild_of(c.guild_id)?;
            let asked = stored_question(data, guild, row).await?;
            let me = practice_member(guild, c.user.id);
            let practice::Hint { used, max, text } =
                practice::take_hint(&data.engine.store, me, row, asked.question()).await?;
            let text = format!(
                "**Hint {used}/{max}** (each hint costs {}% of this question's score)\n{text}",
                render::HINT_PENALTY_PERCENT,
            );
            reply(
                ctx,
                c,
                CreateInteractionResponseMessage::new().content(text),
            )
            .await?;
        }
        (Some("q"), Some("skip")) => {
            let row = parse_id(parts.next())?;
            let guild = guild_of(c.guild_id)?;
            let asked = stored_question(data, guild, row).await?;
            let q = asked.question();
            practice::skip(
                &data.engine.store,
                practice_member(guild, c.user.id),
                row,
                data.engine.now(),
            )
            .await?;
            let text = format!(
                "Skipped. Reference answer:\n{}",
                render::truncate(&q.reference, 1900)
            );
            reply(
                ctx,
                c,
                CreateInteractionResponseMessage::new().content(text),
            )
            .await?;
        }
        (Some("m"), Some("join")) => {
            let round = parse_id(parts.next())?;
            own_round(data, guild_of(c.guild_id)?, c.channel_id, round).await?;
            let team = parts.next().map(str::to_string);
            let text = crate::bot::commands::mock::join_round(
                data,
                round,
                c.user.id,
                &c.user.name,
                c.member.as_ref(),
                team,
            )
            .await?;
            reply(
                ctx,
                c,
                CreateInteractionResponseMessage::new().content(text),
            )
            .await?;
        }
        (Some("m"), Some("answer")) => {
            let round_id = parse_id(parts.next())?;
            let position = parse_id(parts.next())?;
            if !data.cooldown_ok(user, "answer") {
                return slow_down(ctx, c).await;
            }
            let me = user_id(c.user.id);
            let round = own_round(data, guild_of(c.guild_id)?, c.channel_id, round_id).await?;
            let allowed = round_steps::answer_allowed(
                &data.engine.store,
                &round,
                position,
                me,
                data.engine.now(),
            )
            .await?;
            if let Err(why) = allowed {
                return reply(
                    ctx,
                    c,
                    CreateInteractionResponseMessage::new().content(why.to_string()),
                )
                .await;
            }
            c.create_response(
                &ctx.http,
                answer_modal(
                    format!("m:modal:{round_id}:{position}"),
                    &format!("Question {}", position + 1),
                ),
            )
            .await?;
        }
        (Some("d"), Some("answer")) => {
            let drop_id = parse_id(parts.next())?;
            if !data.cooldown_ok(user, "answer") {
                return slow_down(ctx, c).await;
            }
            drops::open_for_answers(
                &data.engine.store,
                guild_of(c.guild_id)?,
                drop_id,
                data.engine.now(),
            )
            .await?;
            c.create_response(
                &ctx.http,
                answer_modal(format!("d:modal:{drop_id}"), "Daily question"),
            )
            .await?;
        }
        (Some("lb"), _) => {
            crate::bot::commands::boards::page_button(ctx, data, c).await?;
        }
        _ => {
            reply(
                ctx,
                c,
                CreateInteractionResponseMessage::new().content("That button is no longer active."),
            )
            .await?;
        }
    }
    Ok(())
}
