//! Mock rounds in Discord: posting lobby, questions, reveals and summaries as ordinary channel
//! messages (rounds may outlive the 15-minute interaction token), and the one timer task that
//! sleeps until the next deadline of any round.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;
use serenity::all::{
    ButtonStyle, ChannelId, CreateActionRow, CreateButton, CreateEmbed, CreateMessage, EditMessage,
    Http, MessageId,
};
use tokio::sync::{Notify, watch};

use super::Data;
use super::library::Library;
use super::render::{COLOR, escape, no_mentions, truncate};
use crate::domain::round::{Mode, Phase, Snapshot, Step, TEAM_NAMES, next_step};
use crate::store::{RoundRow, Store};

/// What the round driver needs (a cheap clone of parts of [`Data`]).
#[derive(Clone)]
pub struct Driver {
    pub http: Arc<Http>,
    pub store: Store,
    pub library: Arc<Library>,
    pub timings: crate::config::Timings,
    pub wake: Arc<Notify>,
    pub metrics: crate::ops::Metrics,
    pub in_flight: super::in_flight::InFlight,
}

impl Driver {
    pub fn new(http: Arc<Http>, data: &Data) -> Driver {
        Driver {
            http,
            store: data.store.clone(),
            library: data.library.clone(),
            timings: data.timings,
            wake: data.wake.clone(),
            metrics: data.metrics.clone(),
            in_flight: data.in_flight.clone(),
        }
    }
}

pub fn spawn_timer(http: Arc<Http>, data: &Data, mut shutdown: watch::Receiver<bool>) {
    let driver = Driver::new(http, data);
    tokio::spawn(async move {
        let mut first = true;
        loop {
            if *shutdown.borrow() {
                return;
            }
            // Counted until the step's writes are done, so shutdown waits for them.
            let working = driver.in_flight.start();
            let now = Utc::now();
            let next_round = match driver.store.due_rounds(now).await {
                Ok((due, next)) => {
                    for id in due {
                        // After a restart, deadlines that passed while the bot was down fire now.
                        if let Err(e) = advance(&driver, id, Utc::now(), first).await {
                            tracing::error!(round = id, error = %e, "could not advance a round");
                        }
                    }
                    next
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot read round deadlines");
                    Some(now + chrono::Duration::seconds(5))
                }
            };
            let next_daily = match super::daily::tick(&driver, Utc::now()).await {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!(error = %e, "daily drops tick failed");
                    Some(now + chrono::Duration::seconds(30))
                }
            };
            let next = match (next_round, next_daily) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            first = false;
            drop(working);
            let sleep = next
                .and_then(|n| (n - Utc::now()).to_std().ok())
                .unwrap_or(std::time::Duration::from_secs(3600));
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = driver.wake.notified() => {}
                _ = shutdown.changed() => return,
            }
        }
    });
}

fn snapshot(round: &RoundRow, questions: i64, participants: usize, answered: usize) -> Snapshot {
    Snapshot {
        phase: round.state.parse().unwrap_or(Phase::Stopped),
        deadline: round.deadline(),
        current: usize::try_from(round.current_index).unwrap_or(0),
        question_count: usize::try_from(questions).unwrap_or(0),
        participants,
        answered,
    }
}

/// Users who answered question `position` of a round.
pub async fn answered_users(
    store: &Store,
    round_id: i64,
    position: i64,
) -> anyhow::Result<Vec<i64>> {
    Ok(store
        .round_answers(round_id)
        .await?
        .into_iter()
        .filter(|a| a.position == position)
        .map(|a| a.user_id)
        .collect())
}

/// Whether `user` may answer question `position` of a round at `now` (asked when the Answer
/// button is clicked, so nobody types for nothing, and again when the answer arrives).
pub async fn answer_allowed(
    store: &Store,
    round: &RoundRow,
    position: i64,
    user: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<Result<(), crate::domain::round::AnswerRefusal>> {
    let snap = current_snapshot(store, round).await?;
    let participant = store
        .participants(round.id)
        .await?
        .iter()
        .any(|p| p.user_id == user);
    let already = answered_users(store, round.id, position)
        .await?
        .contains(&user);
    let index = usize::try_from(position).unwrap_or(usize::MAX);
    Ok(crate::domain::round::check_answer(
        &snap,
        index,
        now,
        participant,
        already,
    ))
}

pub async fn current_snapshot(store: &Store, round: &RoundRow) -> anyhow::Result<Snapshot> {
    let count = store.round_question_count(round.id).await?;
    let participants = store.participants(round.id).await?.len();
    let answered = answered_users(store, round.id, round.current_index)
        .await?
        .len();
    Ok(snapshot(round, count, participants, answered))
}

/// Do whatever is due for a round. Every step is claimed in the database first, so a timer, an
/// answer and a second bot process never do the same step twice.
pub async fn advance(
    d: &Driver,
    round_id: i64,
    now: DateTime<Utc>,
    resumed: bool,
) -> anyhow::Result<()> {
    let round = d.store.round(round_id).await?;
    if round.state == "reveal" {
        // A previous process stopped between a reveal and the next question: carry on.
        return after_reveal(d, &round, now).await;
    }
    let snap = current_snapshot(&d.store, &round).await?;
    match next_step(&snap, now) {
        Step::Idle | Step::WaitUntil(_) => Ok(()),
        Step::CancelEmpty => {
            if d.store
                .end_round(round.id, Phase::Stopped.as_str(), now)
                .await?
            {
                say(
                    d,
                    &round,
                    "Nobody joined, so the round was cancelled. Start another with `/mock start`.",
                )
                .await;
            }
            Ok(())
        }
        Step::Begin => open_question(d, &round, 0, now, resumed).await,
        Step::Reveal { .. } => {
            if d.store.claim_reveal(round.id, round.current_index).await? {
                reveal(d, &round, resumed).await?;
                let round = d.store.round(round.id).await?;
                after_reveal(d, &round, now).await?;
            }
            Ok(())
        }
    }
}

async fn after_reveal(d: &Driver, round: &RoundRow, now: DateTime<Utc>) -> anyhow::Result<()> {
    let count = d.store.round_question_count(round.id).await?;
    if round.current_index + 1 >= count {
        if d.store
            .end_round(round.id, Phase::Finished.as_str(), now)
            .await?
        {
            summary(d, round).await?;
        }
        Ok(())
    } else {
        open_question(d, round, round.current_index + 1, now, false).await
    }
}

async fn open_question(
    d: &Driver,
    round: &RoundRow,
    position: i64,
    now: DateTime<Utc>,
    resumed: bool,
) -> anyhow::Result<()> {
    let seconds = u32::try_from(round.seconds_per_q).unwrap_or(60);
    let deadline = now + d.timings.span(seconds);
    if !d
        .store
        .claim_open_question(round.id, position, deadline, now)
        .await?
    {
        return Ok(());
    }
    d.wake.notify_one();
    let count = d.store.round_question_count(round.id).await?;
    let Some((question_row, _)) = d.store.round_question(round.id, position).await? else {
        return Ok(());
    };
    let Some(asked) = d.library.question(&d.store, question_row).await? else {
        anyhow::bail!(
            "round {} refers to question row {question_row}, which is not stored",
            round.id
        );
    };
    let q = asked.question();
    let mut embed =
        super::render::question_embed(q, &format!("Question {}/{}", position + 1, count))
            .field("Closes", format!("<t:{}:R>", deadline.timestamp()), true)
            .field("Answered", "nobody yet", false);
    if resumed {
        embed = embed.footer(serenity::all::CreateEmbedFooter::new(
            "Resumed after a restart.",
        ));
    }
    let buttons = vec![CreateActionRow::Buttons(vec![
        CreateButton::new(format!("m:answer:{}:{position}", round.id))
            .label("Answer")
            .style(ButtonStyle::Primary),
    ])];
    let msg = ChannelId::new(u64::try_from(round.channel_id)?)
        .send_message(
            &d.http,
            CreateMessage::new()
                .embed(embed)
                .components(buttons)
                .allowed_mentions(no_mentions()),
        )
        .await;
    match msg {
        Ok(m) => {
            d.store
                .set_question_message(round.id, position, i64::try_from(m.id.get())?)
                .await?;
        }
        Err(e) => {
            tracing::warn!(round = round.id, error = %e, "cannot post a question; stopping the round");
            d.store
                .end_round(round.id, Phase::Stopped.as_str(), now)
                .await?;
        }
    }
    Ok(())
}

/// Refresh the "Answered" line of the open question (who, never what).
pub async fn show_answered(d: &Driver, round: &RoundRow) -> anyhow::Result<()> {
    let Some((question_row, Some(message_id))) = d
        .store
        .round_question(round.id, round.current_index)
        .await?
    else {
        return Ok(());
    };
    let Some(asked) = d.library.question(&d.store, question_row).await? else {
        return Ok(());
    };
    let q = asked.question();
    let names = participant_names(d, round.id).await?;
    let answered = answered_users(&d.store, round.id, round.current_index).await?;
    let list: Vec<String> = answered.iter().map(|u| name_of(&names, *u)).collect();
    let count = d.store.round_question_count(round.id).await?;
    let mut embed = super::render::question_embed(
        q,
        &format!("Question {}/{}", round.current_index + 1, count),
    )
    .field("Answered", truncate(&list.join(", "), 1024), false);
    if let Some(deadline) = round.deadline() {
        embed = embed.field("Closes", format!("<t:{}:R>", deadline.timestamp()), true);
    }
    ChannelId::new(u64::try_from(round.channel_id)?)
        .edit_message(
            &d.http,
            MessageId::new(u64::try_from(message_id)?),
            EditMessage::new()
                .embed(embed)
                .allowed_mentions(no_mentions()),
        )
        .await?;
    Ok(())
}

async fn participant_names(
    d: &Driver,
    round_id: i64,
) -> anyhow::Result<Vec<(i64, String, Option<String>)>> {
    Ok(d.store
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

async fn reveal(d: &Driver, round: &RoundRow, resumed: bool) -> anyhow::Result<()> {
    let Some((question_row, _)) = d
        .store
        .round_question(round.id, round.current_index)
        .await?
    else {
        return Ok(());
    };
    let Some(asked) = d.library.question(&d.store, question_row).await? else {
        return Ok(());
    };
    let q = asked.question();
    let names = participant_names(d, round.id).await?;
    let answers: Vec<_> = d
        .store
        .round_answers(round.id)
        .await?
        .into_iter()
        .filter(|a| a.position == round.current_index)
        .collect();
    let mut lines: Vec<String> = names
        .iter()
        .map(|(u, n, _)| {
            let score = answers
                .iter()
                .find(|a| a.user_id == *u)
                .map_or("no answer".to_string(), |a| format!("{}/100", a.score));
            format!("{}: {score}", escape(n))
        })
        .collect();
    if lines.is_empty() {
        lines.push("nobody played".into());
    }
    let mut embed = CreateEmbed::new()
        .title(format!("Reveal — question {}", round.current_index + 1))
        .description(truncate(
            &format!("**{}**\n\n{}", escape(&q.prompt), q.reference),
            4096,
        ))
        .field("Scores", truncate(&lines.join("\n"), 1024), false)
        .color(COLOR);
    if let Some(best) = answers.iter().max_by_key(|a| a.score) {
        let text = format!(
            "{} ({}/100): ||{}||",
            name_of(&names, best.user_id),
            best.score,
            escape(&truncate(&best.answer, 600))
        );
        embed = embed.field("Best answer", truncate(&text, 1024), false);
    }
    if resumed {
        embed = embed.footer(serenity::all::CreateEmbedFooter::new(
            "Resumed after a restart: this deadline passed while the bot was down.",
        ));
    }
    post(d, round, CreateMessage::new().embed(embed)).await;
    Ok(())
}

async fn summary(d: &Driver, round: &RoundRow) -> anyhow::Result<()> {
    let names = participant_names(d, round.id).await?;
    let answers = d.store.round_answers(round.id).await?;
    let mut totals: Vec<(String, Option<String>, i64)> = names
        .iter()
        .map(|(u, n, team)| {
            (
                escape(n),
                team.clone(),
                answers
                    .iter()
                    .filter(|a| a.user_id == *u)
                    .map(|a| a.score)
                    .sum(),
            )
        })
        .collect();
    totals.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let ranking: Vec<String> = totals
        .iter()
        .enumerate()
        .map(|(i, (n, team, pts))| match team {
            Some(t) => format!("{}. {n} [{t}] — {pts} pts", i + 1),
            None => format!("{}. {n} — {pts} pts", i + 1),
        })
        .collect();
    let mut embed = CreateEmbed::new()
        .title("Round over")
        .description(truncate(if ranking.is_empty() { "Nobody answered." } else { "" }, 100))
        .field("Ranking", truncate(&if ranking.is_empty() { "—".into() } else { ranking.join("\n") }, 1024), false)
        .field(
            "Boards",
            "Each answer was added to the server's leaderboards (your best answer per question counts).",
            false,
        )
        .color(COLOR);
    let mode: Mode = round.mode.parse().unwrap_or(Mode::Group);
    if mode == Mode::Teams {
        // Points per playing member, so a bigger side does not win by size alone.
        let mut teams: Vec<(f64, String)> = TEAM_NAMES
            .iter()
            .map(|t| {
                let members: Vec<i64> = totals
                    .iter()
                    .filter(|m| m.1.as_deref() == Some(*t))
                    .map(|m| m.2)
                    .collect();
                let avg = if members.is_empty() {
                    0.0
                } else {
                    members.iter().sum::<i64>() as f64 / members.len() as f64
                };
                (
                    avg,
                    format!("{t}: {avg:.1} pts per member ({} playing)", members.len()),
                )
            })
            .collect();
        teams.sort_by(|a, b| b.0.total_cmp(&a.0));
        let teams: Vec<String> = teams.into_iter().map(|(_, line)| line).collect();
        embed = embed.field("Teams", teams.join("\n"), false);
    }
    post(d, round, CreateMessage::new().embed(embed)).await;
    Ok(())
}

async fn say(d: &Driver, round: &RoundRow, text: &str) {
    post(d, round, CreateMessage::new().content(text)).await;
}

/// Post to the round's channel; failures are logged, not retried (a missing permission would
/// only fail again).
async fn post(d: &Driver, round: &RoundRow, message: CreateMessage) {
    let Ok(channel) = u64::try_from(round.channel_id) else {
        return;
    };
    if let Err(e) = ChannelId::new(channel)
        .send_message(&d.http, message.allowed_mentions(no_mentions()))
        .await
    {
        tracing::warn!(round = round.id, error = %e, "cannot post to the round's channel");
    }
}
