//! Button clicks: Answer and Hint on questions, reviews and drops; joining, starting and
//! stopping rounds; board pages.

use poise::serenity_prelude as serenity;
use serenity::all::{
    ComponentInteraction, Context as SerenityContext, CreateInteractionResponseMessage,
};

use crate::app::rounds as round_steps;
use crate::app::{drops, practice};
use crate::bot::answer_form::AnswerForm;
use crate::bot::judging;
use crate::bot::render;
use crate::bot::{Data, Error};

use super::{
    guild_of, own_round, parse_id, practice_member, reply, slow_down, stored_question, user_id,
};

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
            let asked = stored_question(data, guild, row).await?;
            practice::ensure_practisable(&data.engine.store, guild, row).await?;
            if !data.cooldown_ok(user, "answer") {
                return slow_down(ctx, c).await;
            }
            let form = AnswerForm {
                custom_id: format!("q:modal:{row}:{}", c.message.id.get()),
                title: "Your answer",
                prompt: &asked.question().prompt,
                notice: judging::form_notice(data, guild).await?,
            };
            data.forms.open(ctx, c, &form).await?;
        }
        (Some("r"), Some("answer")) => {
            let row = parse_id(parts.next())?;
            let guild = guild_of(c.guild_id)?;
            let asked = stored_question(data, guild, row).await?;
            practice::ensure_practisable(&data.engine.store, guild, row).await?;
            if !data.cooldown_ok(user, "answer") {
                return slow_down(ctx, c).await;
            }
            let form = AnswerForm {
                custom_id: format!("r:modal:{row}"),
                title: "Review",
                prompt: &asked.question().prompt,
                notice: judging::form_notice(data, guild).await?,
            };
            data.forms.open(ctx, c, &form).await?;
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
            let guild = guild_of(c.guild_id)?;
            let round = own_round(data, guild, c.channel_id, round_id).await?;
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
            let (row, _message) = data
                .engine
                .store
                .round_question(round_id, position)
                .await?
                .ok_or_else(|| crate::bot::errors::BotError::User(super::GONE.into()))?;
            let asked = stored_question(data, guild, row).await?;
            let title = format!("Question {}", position + 1);
            let form = AnswerForm {
                custom_id: format!("m:modal:{round_id}:{position}"),
                title: &title,
                prompt: &asked.question().prompt,
                notice: judging::form_notice(data, guild).await?,
            };
            data.forms.open(ctx, c, &form).await?;
        }
        (Some("d"), Some("answer")) => {
            let drop_id = parse_id(parts.next())?;
            if !data.cooldown_ok(user, "answer") {
                return slow_down(ctx, c).await;
            }
            let guild = guild_of(c.guild_id)?;
            let open =
                drops::open_for_answers(&data.engine.store, guild, drop_id, data.engine.now())
                    .await?;
            let asked = stored_question(data, guild, open.question_row).await?;
            let form = AnswerForm {
                custom_id: format!("d:modal:{drop_id}"),
                title: "Daily question",
                prompt: &asked.question().prompt,
                notice: judging::form_notice(data, guild).await?,
            };
            data.forms.open(ctx, c, &form).await?;
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
