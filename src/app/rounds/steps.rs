//! A round's timed steps: open each question, reveal it, post the summary. Each is a claimed
//! state transition, so a timer, an answer and a second process never do one twice or skip one.

use chrono::{DateTime, Utc};

use crate::app::outbound::{Embed, Outgoing};
use crate::app::text::{MAX_FIELD_VALUE, description_room, escape, fit_lines, truncate};
use crate::app::{Engine, StepError};
use crate::domain::bank::Question;
use crate::domain::ranking::{PlayerScore, rank_players, team_averages};
use crate::domain::round::{Mode, Step, TEAM_NAMES, next_step};
use crate::store::{Leased, RoundAnswer, RoundEnd, RoundRow, RoundState, StoreError};

use super::{answered_users, current_snapshot, question_embed};

/// Do whatever is due for a round at the clock's time. `resumed`: the first wake after a
/// start, whose overdue steps say so.
pub async fn advance(e: &Engine, round_id: i64, resumed: bool) -> Result<(), StepError> {
    let now = e.now();
    let round = e.store.round(round_id).await?;
    let lease = e.lease_from(now);
    let position = round.current_index;
    let now_ms = now.timestamp_millis();
    let stale_claim = match round.state {
        RoundState::Reveal => round.lease_until_ms.is_none_or(|l| l <= now_ms),
        RoundState::Question | RoundState::Finished => {
            round.lease_until_ms.is_some_and(|l| l <= now_ms)
        }
        _ => false,
    };
    if stale_claim {
        // Whoever claimed this step died doing it (or a restart interrupted it): take it over.
        // The posts carry the step's nonce, so one that had gone out is not posted twice.
        if e.store
            .take_over_round_step(
                round.id,
                position,
                now,
                lease,
                question_deadline(e, &round, now),
            )
            .await?
        {
            let _beat = e.heartbeat(Leased::Round(round.id), lease);
            tracing::info!(round = round.id, position, state = %round.state, "taking over a round step");
            match round.state {
                RoundState::Reveal => {
                    reveal(e, &round, true).await?;
                    after_reveal(e, &round, position).await?;
                }
                RoundState::Finished => {
                    summary(e, &round).await?;
                    e.store.summary_posted(round.id).await?;
                }
                _ => {
                    // Re-read: the takeover gave the question a new deadline.
                    let round = e.store.round(round.id).await?;
                    post_question(e, &round, position, true).await?;
                }
            }
        }
        return Ok(());
    }
    if round.state == RoundState::Reveal || round.lease_until_ms.is_some() {
        // Its claimer is posting the question, the reveal or the summary under a live lease and
        // carries on from there; a question nobody has seen yet is never revealed.
        return Ok(());
    }
    let snap = current_snapshot(&e.store, &round).await?;
    match next_step(&snap, now) {
        Step::Idle | Step::WaitUntil(_) => Ok(()),
        Step::CancelEmpty => {
            if e.store.end_round(round.id, RoundEnd::Stopped, now).await? {
                post(
                    e,
                    &round,
                    Outgoing::text(
                        "Nobody joined, so the round was cancelled. Start another with `/mock start`.",
                    ),
                    &format!("r{}x", round.id),
                )
                .await;
            }
            Ok(())
        }
        Step::Begin => open_question(e, &round, 0, resumed).await,
        Step::Reveal { .. } => {
            if e.store.claim_reveal(round.id, position, lease).await? {
                let _beat = e.heartbeat(Leased::Round(round.id), lease);
                reveal(e, &round, resumed).await?;
                after_reveal(e, &round, position).await?;
            }
            Ok(())
        }
    }
}

/// After the reveal of question `position` (claimed by this caller): the next question, or the
/// summary after the last. Both steps are conditional on the round still being at that reveal.
async fn after_reveal(e: &Engine, round: &RoundRow, position: i64) -> Result<(), StepError> {
    let count = e.store.round_question_count(round.id).await?;
    if position + 1 >= count {
        let now = e.now();
        let lease = e.lease_from(now);
        if e.store.finish_round(round.id, position, now, lease).await? {
            let _beat = e.heartbeat(Leased::Round(round.id), lease);
            summary(e, round).await?;
            e.store.summary_posted(round.id).await?;
        }
        Ok(())
    } else {
        open_question(e, round, position + 1, false).await
    }
}

async fn open_question(
    e: &Engine,
    round: &RoundRow,
    position: i64,
    resumed: bool,
) -> Result<(), StepError> {
    let now = e.now();
    let lease = e.lease_from(now);
    if !e
        .store
        .claim_open_question(
            round.id,
            position,
            question_deadline(e, round, now),
            now,
            lease,
        )
        .await?
    {
        return Ok(());
    }
    let _beat = e.heartbeat(Leased::Round(round.id), lease);
    e.wake.notify_one();
    let round = e.store.round(round.id).await?;
    post_question(e, &round, position, resumed).await
}

/// When a question of `round` opened (or taken over) at `now` closes.
fn question_deadline(e: &Engine, round: &RoundRow, now: DateTime<Utc>) -> DateTime<Utc> {
    now + e
        .timings
        .span(u32::try_from(round.seconds_per_q).unwrap_or(60))
}

/// The open question's message: its deadline, who answered (never what) and an Answer button.
fn question_message(
    q: &Question,
    round: &RoundRow,
    position: i64,
    count: i64,
    answered: &str,
    resumed: bool,
) -> Outgoing {
    let mut embed = question_embed(q, &format!("Question {}/{}", position + 1, count));
    if let Some(deadline) = round.deadline() {
        embed = embed.field("Closes", format!("<t:{}:R>", deadline.timestamp()), true);
    }
    embed = embed.field("Answered", truncate(answered, MAX_FIELD_VALUE), false);
    if resumed {
        embed = embed.footer("Resumed after a restart.");
    }
    Outgoing::embed(embed).button(format!("m:answer:{}:{position}", round.id), "Answer")
}

/// Post question `position` (claimed by this caller) and record its message.
async fn post_question(
    e: &Engine,
    round: &RoundRow,
    position: i64,
    resumed: bool,
) -> Result<(), StepError> {
    if round.deadline().is_none() {
        return Ok(());
    }
    let count = e.store.round_question_count(round.id).await?;
    let Some((question_row, _)) = e.store.round_question(round.id, position).await? else {
        return Ok(());
    };
    let Some(asked) = e.library.question(&e.store, question_row).await? else {
        return Err(StepError::Inconsistent(format!(
            "round {} refers to question row {question_row}, which is not stored",
            round.id
        )));
    };
    let message = question_message(
        asked.question(),
        round,
        position,
        count,
        "nobody yet",
        resumed,
    );
    match e
        .outbound
        .post(
            round.channel_id,
            message,
            &format!("r{}q{position}", round.id),
        )
        .await
    {
        Ok(m) => {
            e.store.set_question_message(round.id, position, m).await?;
        }
        Err(err) => {
            tracing::warn!(round = round.id, error = %err, "cannot post a question; stopping the round");
            e.store
                .end_round(round.id, RoundEnd::Stopped, e.now())
                .await?;
        }
    }
    Ok(())
}

/// Refresh the "Answered" line of the open question (who, never what).
pub async fn show_answered(e: &Engine, round: &RoundRow) -> Result<(), StepError> {
    let Some((question_row, Some(message_id))) = e
        .store
        .round_question(round.id, round.current_index)
        .await?
    else {
        return Ok(());
    };
    let Some(asked) = e.library.question(&e.store, question_row).await? else {
        return Ok(());
    };
    let names = participant_names(e, round.id).await?;
    let answered = answered_users(&e.store, round.id, round.current_index).await?;
    let list: Vec<String> = answered.iter().map(|u| name_of(&names, *u)).collect();
    let list = if list.is_empty() {
        "nobody yet".to_string()
    } else {
        list.join(", ")
    };
    let count = e.store.round_question_count(round.id).await?;
    let mut message = question_message(
        asked.question(),
        round,
        round.current_index,
        count,
        &list,
        false,
    );
    // An edit keeps the message's buttons.
    message.buttons.clear();
    e.outbound
        .edit(round.channel_id, message_id, message)
        .await?;
    Ok(())
}

async fn participant_names(
    e: &Engine,
    round_id: i64,
) -> Result<Vec<(i64, String, Option<String>)>, StoreError> {
    Ok(e.store
        .participants(round_id)
        .await?
        .into_iter()
        .map(|p| (p.user_id, p.display_name, p.team_name))
        .collect())
}

fn name_of(names: &[(i64, String, Option<String>)], user: i64) -> String {
    names
        .iter()
        .find(|(u, _, _)| *u == user)
        .map_or_else(|| user.to_string(), |(_, n, _)| escape(n))
}

async fn reveal(e: &Engine, round: &RoundRow, resumed: bool) -> Result<(), StepError> {
    let Some((question_row, _)) = e
        .store
        .round_question(round.id, round.current_index)
        .await?
    else {
        return Ok(());
    };
    let Some(asked) = e.library.question(&e.store, question_row).await? else {
        return Ok(());
    };
    let q = asked.question();
    let names = participant_names(e, round.id).await?;
    let answers: Vec<_> = e
        .store
        .round_answers(round.id)
        .await?
        .into_iter()
        .filter(|a| a.position == round.current_index)
        .collect();
    let mut lines: Vec<String> = names
        .iter()
        .map(|(u, n, _)| {
            let score =
                answers
                    .iter()
                    .find(|a| a.user_id == *u)
                    .map_or("no answer".to_string(), |a| {
                        if a.counted {
                            format!("{}/100", a.score)
                        } else {
                            format!("{}/100 (not counted: copied or seen)", a.score)
                        }
                    });
            format!("{}: {score}", escape(n))
        })
        .collect();
    if lines.is_empty() {
        lines.push("nobody played".into());
    }
    let title = format!("Reveal — question {}", round.current_index + 1);
    let scores = fit_lines(&lines, MAX_FIELD_VALUE);
    let best = answers
        .iter()
        .filter(|a| a.counted)
        .max_by_key(|a| a.score)
        .map(|best| {
            // The spoiler closes after the cut, so the cut never reveals the answer's end.
            let who = format!("{} ({}/100): ", name_of(&names, best.user_id), best.score);
            let room = MAX_FIELD_VALUE.saturating_sub(who.chars().count() + 4);
            format!(
                "{who}||{}||",
                truncate(&escape(&truncate(&best.answer, 600)), room)
            )
        });
    let footer =
        resumed.then_some("Resumed after a restart: this deadline passed while the bot was down.");
    // The reference gets what the rest leaves of the 6,000 characters all embeds may carry.
    let room = description_room(&[
        &title,
        "Scores",
        &scores,
        "Best answer",
        best.as_deref().unwrap_or(""),
        footer.unwrap_or(""),
    ]);
    let mut embed = Embed::new(
        title,
        truncate(
            &format!("**{}**\n\n{}", escape(&q.prompt), q.reference),
            room,
        ),
    )
    .field("Scores", scores, false);
    if let Some(text) = best {
        embed = embed.field("Best answer", text, false);
    }
    if let Some(text) = footer {
        embed = embed.footer(text);
    }
    let nonce = format!("r{}v{}", round.id, round.current_index);
    post(e, round, Outgoing::embed(embed), &nonce).await;
    // The players saw the reference: their later round and drop answers to it do not count.
    e.store
        .mark_round_reveal_seen(round.id, round.current_index, e.now())
        .await?;
    Ok(())
}

async fn summary(e: &Engine, round: &RoundRow) -> Result<(), StepError> {
    let names = participant_names(e, round.id).await?;
    let answers = e.store.round_answers(round.id).await?;
    let totals = rank_players(
        names
            .iter()
            .map(|(u, n, team)| PlayerScore {
                name: escape(n),
                team: team.clone(),
                // What the boards count: a copied or seen answer adds nothing.
                points: answers
                    .iter()
                    .filter(|a| a.user_id == *u && a.counted)
                    .map(|a| a.score)
                    .sum(),
            })
            .collect(),
    );
    let ranking: Vec<String> = totals
        .iter()
        .enumerate()
        .map(|(i, p)| match &p.team {
            Some(t) => format!("{}. {} [{t}] — {} pts", i + 1, p.name, p.points),
            None => format!("{}. {} — {} pts", i + 1, p.name, p.points),
        })
        .collect();
    let mut embed = Embed::new(
        "Round over",
        if ranking.is_empty() {
            "Nobody answered."
        } else {
            ""
        },
    )
    .field(
        "Ranking",
        if ranking.is_empty() {
            "—".into()
        } else {
            fit_lines(&ranking, MAX_FIELD_VALUE)
        },
        false,
    )
    .field("Boards", boards_note(&answers), false);
    let mode = round.mode;
    if mode == Mode::Teams {
        let teams: Vec<String> = team_averages(&totals, &TEAM_NAMES)
            .into_iter()
            .map(|t| {
                format!(
                    "{}: {:.1} pts per member ({} playing)",
                    t.name, t.average, t.playing
                )
            })
            .collect();
        embed = embed.field("Teams", teams.join("\n"), false);
    }
    let coaching = round_coaching_lines(e, round, &names, &answers).await?;
    if !coaching.is_empty() {
        embed = embed.field(
            "To work on (concepts of these questions missed most, not covered since)",
            fit_lines(&coaching, MAX_FIELD_VALUE),
            false,
        );
    }
    post(e, round, Outgoing::embed(embed), &format!("r{}s", round.id)).await;
    Ok(())
}

/// What the summary says went to the boards: every answer, or all but those that did not count.
fn boards_note(answers: &[RoundAnswer]) -> String {
    match answers.iter().filter(|a| !a.counted).count() {
        0 => "Each answer was added to the server's leaderboards (your best answer per question counts).".into(),
        n => format!(
            "{n} answer{} did not count (copied, or given after seeing the reference) and {} not in the points above; the others were added to the server's leaderboards (your best answer per question counts).",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" },
        ),
    }
}

/// Per player who answered, the concepts of the round's questions they still miss most.
async fn round_coaching_lines(
    e: &Engine,
    round: &RoundRow,
    names: &[(i64, String, Option<String>)],
    answers: &[RoundAnswer],
) -> Result<Vec<String>, StepError> {
    let mut lines = Vec::new();
    for (user, name, _) in names {
        if !answers.iter().any(|a| a.user_id == *user) {
            continue;
        }
        let weak = crate::app::coaching::round_coaching(&e.store, round.id, *user).await?;
        if weak.is_empty() {
            continue;
        }
        let concepts: Vec<String> = weak
            .iter()
            .map(crate::app::coaching::weakness_line)
            .collect();
        lines.push(format!("{}: {}", escape(name), concepts.join("; ")));
    }
    Ok(lines)
}

/// Post to the round's channel; failures are logged, not retried (a missing permission would
/// only fail again).
async fn post(e: &Engine, round: &RoundRow, message: Outgoing, nonce: &str) {
    if let Err(err) = e.outbound.post(round.channel_id, message, nonce).await {
        tracing::warn!(round = round.id, error = %err, "cannot post to the round's channel");
    }
}
