//! Buttons and modals. Their custom ids say what they act on; the database holds the rest.

use poise::serenity_prelude as serenity;
use serenity::all::{
    ComponentInteraction, Context as SerenityContext, CreateActionRow, CreateInputText,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateModal,
    EditInteractionResponse, FullEvent, InputTextStyle, Interaction, ModalInteraction,
};

use super::errors::BotError;
use super::library::Asked;
use super::render::{self, no_mentions};
use super::rounds::{self, Driver};
use super::{Data, Error};
use crate::app::rounds as round_steps;
use crate::app::{self, Answering, drops, practice, review};
use crate::domain::round::AnswerRefusal;
use crate::store::AttemptContext;

/// Discord's limit on a text input.
const MAX_ANSWER_CHARS: u16 = 4000;

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

async fn on_component(
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
            let text = super::commands::mock::join_round(
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
            super::commands::boards::page_button(ctx, data, c).await?;
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

/// Score and record through the one use case; count it; a second round answer is refused
/// politely.
async fn record(data: &Data, answering: &Answering<'_>) -> Result<app::Scored, Error> {
    match app::score_and_record(&data.engine.store, data.engine.clock.as_ref(), answering).await {
        Ok(scored) => {
            data.engine.metrics.answer_scored(answering.context);
            Ok(scored)
        }
        Err(app::AnswerError::AlreadyAnswered) if answering.context == AttemptContext::Daily => {
            Err(BotError::User(
                "You already answered this daily question, and your first answer is final. The reveal at the close shows the reference answer.".into(),
            ))
        }
        Err(e) => Err(answer_error(e)),
    }
}

fn answer_error(e: app::AnswerError) -> Error {
    match e {
        app::AnswerError::AlreadyAnswered => {
            BotError::User(AnswerRefusal::AlreadyAnswered.to_string())
        }
        app::AnswerError::Late => BotError::User(LATE.into()),
        app::AnswerError::Store(e) => e.into(),
    }
}

const LATE: &str = "Sorry, your answer came late: this question closed before it arrived, so it was not stored or counted.";

/// What the member is told about how an answer counts, when it does not count in full.
fn counting_note(scored: &app::Scored) -> Option<&'static str> {
    if scored.copied {
        Some(
            "This answer repeats a long run of the reference or of another member's answer, so it counts 0 on the boards; moderators can review it (`/score appeal` if you think this is wrong).",
        )
    } else if scored.seen {
        Some(
            "You saw this question's reference recently, so this answer feeds your stats but not the boards.",
        )
    } else {
        None
    }
}

fn modal_answer(m: &ModalInteraction) -> String {
    m.data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            serenity::all::ActionRowComponent::InputText(t) if t.custom_id == "answer" => {
                t.value.clone()
            }
            _ => None,
        })
        .unwrap_or_default()
}

async fn on_modal(ctx: &SerenityContext, data: &Data, m: &ModalInteraction) -> Result<(), Error> {
    let mut parts = m.data.custom_id.split(':');
    let (kind, row_or_round, extra) = (parts.next(), parts.next(), parts.next());
    let answer = modal_answer(m);
    let guild = guild_of(m.guild_id)?;
    let me = user_id(m.user.id);
    let now = data.engine.now();
    let name = m
        .member
        .as_ref()
        .map_or_else(|| m.user.name.clone(), |mem| mem.display_name().to_string());
    data.engine
        .store
        .upsert_member(guild, me, &name, now)
        .await?;
    let channel_id = i64::try_from(m.channel_id.get()).ok();
    match (kind, row_or_round) {
        (Some("q"), Some("modal")) => {
            let row = parse_id(extra)?;
            // Hints are charged per member and question, not per message.
            let _message = parse_id(parts.next())?;
            let asked = stored_question(data, guild, row).await?;
            let practised = practice::answer(
                &data.engine.store,
                data.engine.clock.as_ref(),
                &practice::PracticeAnswer {
                    member: practice_member(guild, m.user.id),
                    channel_id,
                    row,
                    asked: &asked,
                    answer: &answer,
                },
            )
            .await
            .map_err(|e| match e {
                practice::PracticeAnswerError::Refused(e) => e.into(),
                practice::PracticeAnswerError::Answer(e) => answer_error(e),
            })?;
            data.engine.metrics.answer_scored(AttemptContext::Practice);
            let scored = practised.scored;
            let embed = render::assessment_embed(
                asked.question(),
                &scored.assessment,
                scored.total,
                practised.hints_used,
                Some(
                    "Practice: this feeds your stats, not the leaderboard (daily drops and mock rounds do).",
                ),
            );
            reply_to_modal(ctx, m, EditInteractionResponse::new().embed(embed)).await?;
        }
        (Some("r"), Some("modal")) => {
            let row = parse_id(extra)?;
            let asked = stored_question(data, guild, row).await?;
            practice::ensure_practisable(&data.engine.store, guild, row).await?;
            let q = asked.question();
            let hints = data.engine.store.hints_used(guild, me, row).await?;
            let scored = review::answer_review(
                &data.engine.store,
                data.engine.clock.as_ref(),
                &review::Reviewing {
                    member: review::Member {
                        guild_id: guild,
                        user_id: me,
                    },
                    channel_id,
                    question_row: row,
                    bank: asked.bank_id(),
                    question: q,
                    corpus: asked.corpus(),
                    answer: &answer,
                    hints_used: hints,
                },
            )
            .await
            .map_err(answer_error)?;
            data.engine.metrics.answer_scored(AttemptContext::Review);
            let footer = format!(
                "Review ({}): {}. Practice: not on the leaderboard. `/review next` for the next one.",
                scored.learned.scheduled.grade.as_str(),
                scored.learned.scheduled.next_review_text()
            );
            let embed =
                render::assessment_embed(q, &scored.assessment, scored.total, hints, Some(&footer));
            reply_to_modal(ctx, m, EditInteractionResponse::new().embed(embed)).await?;
        }
        (Some("m"), Some("modal")) => {
            let round_id = parse_id(extra)?;
            let position = parse_id(parts.next())?;
            let round = own_round(data, guild, m.channel_id, round_id).await?;
            let answered = round_steps::answer_question(
                &data.engine,
                &round_steps::RoundAnswering {
                    round: &round,
                    position,
                    user_id: me,
                    channel_id,
                    answer: &answer,
                },
            )
            .await
            .map_err(|e| match e {
                round_steps::RoundAnswerError::Refused(why) => BotError::User(why.to_string()),
                round_steps::RoundAnswerError::Gone => BotError::User(GONE.into()),
                round_steps::RoundAnswerError::Answer(e) => answer_error(e),
            })?;
            let scored = &answered.scored;
            let note = counting_note(scored).map_or(String::new(), |n| format!("\n{n}"));
            let reply = if answered.shows_reference {
                EditInteractionResponse::new()
                    .content(format!("Answer #{} stored.{note}", scored.attempt_id))
                    .embed(render::assessment_embed(
                        answered.asked.question(),
                        &scored.assessment,
                        scored.total,
                        0,
                        None,
                    ))
            } else {
                EditInteractionResponse::new().content(format!(
                    "Answer received (answer #{}). Scores are shown at the reveal.{note}",
                    scored.attempt_id
                ))
            };
            reply_to_modal(ctx, m, reply).await?;
            let driver = Driver::new(data);
            // Everyone answered: move on now rather than at the deadline, without waiting
            // behind the edit of the answered list (coalesced, in the background).
            if let Err(e) = round_steps::advance(&data.engine, round_id, false).await {
                tracing::error!(round = round_id, error = %e, "cannot advance a round");
            }
            rounds::refresh_answered(&driver, round_id, position);
            data.engine.wake.notify_one();
        }
        (Some("d"), Some("modal")) => {
            let drop_id = parse_id(extra)?;
            let open = drops::open_for_answers(&data.engine.store, guild, drop_id, now)
                .await
                .map_err(|e| match e {
                    drops::DropRefusal::Closed => BotError::User(
                        "This daily question closed before your answer arrived, so it was not counted."
                            .into(),
                    ),
                    other => other.into(),
                })?;
            let row = open.question_row;
            let asked = stored_question(data, guild, row).await?;
            let q = asked.question();
            let scored = record(
                data,
                &Answering {
                    guild_id: guild,
                    channel_id,
                    user_id: me,
                    question_row: row,
                    bank: asked.bank_id(),
                    question: q,
                    corpus: asked.corpus(),
                    answer: &answer,
                    context: AttemptContext::Daily,
                    context_ref: Some(drop_id),
                    hints_used: 0,
                },
            )
            .await?;
            let note = counting_note(&scored).map_or(String::new(), |n| format!("\n{n}"));
            let a = scored.assessment;
            // No reference answer before the close: others are still answering.
            let embed = serenity::all::CreateEmbed::new()
                .title(format!("Score: {}/100", a.total))
                .description(render::truncate(
                    &format!("{}{note}", a.feedback),
                    render::MAX_EMBED_DESCRIPTION,
                ))
                .footer(serenity::all::CreateEmbedFooter::new(format!(
                    "Answer #{}. Your first answer is final. The reference answer comes with the reveal.",
                    scored.attempt_id
                )))
                .color(render::COLOR);
            reply_to_modal(ctx, m, EditInteractionResponse::new().embed(embed)).await?;
        }
        _ => return Err(BotError::User("That form is no longer active.".into())),
    }
    Ok(())
}
