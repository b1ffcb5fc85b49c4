//! Submitted answer forms: scored and stored through the use cases, with the reply saying how
//! the answer counts.

use poise::serenity_prelude as serenity;
use serenity::all::{Context as SerenityContext, EditInteractionResponse, ModalInteraction};

use crate::app::rounds as round_steps;
use crate::app::{self, Answering, drops, practice, review};
use crate::bot::errors::BotError;
use crate::bot::judging;
use crate::bot::render;
use crate::bot::rounds::{self, Driver};
use crate::bot::{Data, Error};
use crate::domain::round::AnswerRefusal;
use crate::store::AttemptContext;

use super::{
    GONE, guild_of, own_round, parse_id, practice_member, reply_to_modal, stored_question, user_id,
};

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

/// The AI judge's job for a stored answer, built only when the server uses the judge.
fn judge_job<'a>(
    guild_id: i64,
    question_row: i64,
    question: &'a crate::domain::bank::Question,
    answer: &'a str,
    scored: &'a app::Scored,
    hints_used: u32,
) -> impl FnOnce() -> crate::app::judge::JudgeJob + 'a {
    move || crate::app::judge::JudgeJob {
        attempt_id: scored.attempt_id,
        guild_id,
        question_row,
        question: question.clone(),
        answer: answer.to_string(),
        builtin: scored.total,
        hints_used,
    }
}

pub(super) async fn on_modal(
    ctx: &SerenityContext,
    data: &Data,
    m: &ModalInteraction,
) -> Result<(), Error> {
    let mut parts = m.data.custom_id.split(':');
    let (kind, row_or_round, extra) = (parts.next(), parts.next(), parts.next());
    // One reader for every form, whichever shape Discord sent it in.
    let answer = crate::bot::answer_form::submitted_answer(m).ok_or_else(|| {
        BotError::User("That form came back without an answer; please click Answer again.".into())
    })?;
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
            let job = judge_job(
                guild,
                row,
                asked.question(),
                &answer,
                &scored,
                practised.hints_used,
            );
            judging::second_opinion(ctx, data, m, true, guild, job).await;
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
            let job = judge_job(guild, row, q, &answer, &scored, hints);
            judging::second_opinion(ctx, data, m, true, guild, job).await;
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
            let q = answered.asked.question();
            let row = answered.row;
            let job = judge_job(guild, row, q, &answer, scored, 0);
            judging::second_opinion(ctx, data, m, answered.shows_reference, guild, job).await;
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
            let a = &scored.assessment;
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
            let job = judge_job(guild, row, q, &answer, &scored, 0);
            judging::second_opinion(ctx, data, m, true, guild, job).await;
        }
        _ => return Err(BotError::User("That form is no longer active.".into())),
    }
    Ok(())
}
