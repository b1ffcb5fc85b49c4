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
use crate::domain::ranking::{PlayerScore, rank_players, team_averages};
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
    pub edits: AnsweredEdits,
}

/// Coalesces the "Answered" edits of a round's open question: one edit per round at a time;
/// answers arriving meanwhile ask for one more, made after it with the latest list. A burst of
/// answers costs two edits, not one each, and nothing waits for them.
#[derive(Clone, Default)]
pub struct AnsweredEdits {
    pending: Arc<std::sync::Mutex<std::collections::HashMap<i64, bool>>>,
}

impl AnsweredEdits {
    /// True when the caller should start the edit; false when one is under way (it is marked
    /// to run once more).
    fn request(&self, round: i64) -> bool {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(&round) {
            Some(again) => {
                *again = true;
                false
            }
            None => {
                map.insert(round, false);
                true
            }
        }
    }

    /// After an edit: true when another was asked for meanwhile.
    fn finish(&self, round: i64) -> bool {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(&round) {
            Some(again) if *again => {
                *again = false;
                true
            }
            _ => {
                map.remove(&round);
                false
            }
        }
    }
}

/// Refresh the "Answered" line of a round's open question in the background, coalesced.
pub fn refresh_answered(d: &Driver, round_id: i64, position: i64) {
    if !d.edits.request(round_id) {
        return;
    }
    let d = d.clone();
    tokio::spawn(async move {
        let _working = d.in_flight.start();
        loop {
            match d.store.round(round_id).await {
                // Once the question closed, its reveal says who answered.
                Ok(round) if round.state == "question" && round.current_index == position => {
                    if let Err(e) = show_answered(&d, &round).await {
                        tracing::warn!(round = round_id, error = %e, "cannot update the answered list");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(round = round_id, error = %e, "cannot read a round"),
            }
            if !d.edits.finish(round_id) {
                break;
            }
        }
    });
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
            edits: data.edits.clone(),
        }
    }
}

/// Start the timer under a supervisor: if the timer task dies (a panic), it is reported and
/// started again; `/healthz` shows it as not running meanwhile.
pub fn spawn_timer(
    http: Arc<Http>,
    data: &Data,
    shutdown: watch::Receiver<bool>,
    readiness: crate::ops::Readiness,
) {
    let driver = Driver::new(http, data);
    tokio::spawn(async move {
        loop {
            readiness.set_timer_alive(true);
            let run = tokio::spawn(timer(driver.clone(), shutdown.clone()));
            let ended = run.await;
            readiness.set_timer_alive(false);
            match ended {
                Ok(()) => return, // shut down
                Err(e) => {
                    readiness.timer_restarted();
                    tracing::error!(error = %e, "the timer died; starting it again");
                    if *shutdown.borrow() {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
        }
    });
}

/// The one task that does every timed step: rounds' deadlines and daily drops.
async fn timer(driver: Driver, mut shutdown: watch::Receiver<bool>) {
    {
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
            let sleep = crate::domain::timer::sleep_for(next, Utc::now());
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = driver.wake.notified() => {}
                _ = shutdown.changed() => return,
            }
        }
    }
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
    let lease = lease_from(now);
    let position = round.current_index;
    let stale_claim = match round.state.as_str() {
        "reveal" => round
            .lease_until_ms
            .is_none_or(|l| l <= now.timestamp_millis()),
        "question" => round
            .lease_until_ms
            .is_some_and(|l| l <= now.timestamp_millis()),
        _ => false,
    };
    if stale_claim {
        // Whoever claimed this step died doing it (or a restart interrupted it): take it over.
        // The posts carry the step's nonce, so one that had gone out is not posted twice.
        if d.store
            .take_over_round_step(round.id, position, now, lease)
            .await?
        {
            tracing::info!(round = round.id, position, state = %round.state, "taking over a round step");
            if round.state == "reveal" {
                reveal(d, &round, true).await?;
                after_reveal(d, &round, position, now).await?;
            } else {
                post_question(d, &round, position, true).await?;
            }
        }
        return Ok(());
    }
    if round.state == "reveal" {
        // Its claimer is posting it under a live lease and carries on from there.
        return Ok(());
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
                    &format!("r{}x", round.id),
                )
                .await;
            }
            Ok(())
        }
        Step::Begin => open_question(d, &round, 0, now, resumed).await,
        Step::Reveal { .. } => {
            if d.store.claim_reveal(round.id, position, lease).await? {
                reveal(d, &round, resumed).await?;
                after_reveal(d, &round, position, now).await?;
            }
            Ok(())
        }
    }
}

fn lease_from(now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(crate::domain::timer::STEP_LEASE)
        .unwrap_or(chrono::Duration::seconds(30))
}

/// After the reveal of question `position` (claimed by this caller): the next question, or the
/// summary after the last. Both steps are conditional on the round still being at that reveal.
async fn after_reveal(
    d: &Driver,
    round: &RoundRow,
    position: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let count = d.store.round_question_count(round.id).await?;
    if position + 1 >= count {
        if d.store.finish_round(round.id, position, now).await? {
            summary(d, round).await?;
        }
        Ok(())
    } else {
        open_question(d, round, position + 1, now, false).await
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
        .claim_open_question(round.id, position, deadline, now, lease_from(now))
        .await?
    {
        return Ok(());
    }
    d.wake.notify_one();
    let round = d.store.round(round.id).await?;
    post_question(d, &round, position, resumed).await
}

/// Post question `position` (claimed by this caller) and record its message.
async fn post_question(
    d: &Driver,
    round: &RoundRow,
    position: i64,
    resumed: bool,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let Some(deadline) = round.deadline() else {
        return Ok(());
    };
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
    let msg = super::outbound::post(
        &d.http,
        ChannelId::new(u64::try_from(round.channel_id)?),
        CreateMessage::new()
            .embed(embed)
            .components(buttons)
            .allowed_mentions(no_mentions()),
        &format!("r{}q{position}", round.id),
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
    .field(
        "Answered",
        if list.is_empty() {
            "nobody yet".to_string()
        } else {
            truncate(&list.join(", "), 1024)
        },
        false,
    );
    if let Some(deadline) = round.deadline() {
        embed = embed.field("Closes", format!("<t:{}:R>", deadline.timestamp()), true);
    }
    super::outbound::edit(
        &d.http,
        ChannelId::new(u64::try_from(round.channel_id)?),
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
    let title = format!("Reveal — question {}", round.current_index + 1);
    let scores = super::render::fit_lines(&lines, super::render::MAX_FIELD_VALUE);
    let best = answers.iter().max_by_key(|a| a.score).map(|best| {
        // The spoiler closes after the cut, so the cut never reveals the answer's end.
        let who = format!("{} ({}/100): ", name_of(&names, best.user_id), best.score);
        let room = super::render::MAX_FIELD_VALUE.saturating_sub(who.chars().count() + 4);
        format!(
            "{who}||{}||",
            truncate(&escape(&truncate(&best.answer, 600)), room)
        )
    });
    let footer =
        resumed.then_some("Resumed after a restart: this deadline passed while the bot was down.");
    // The reference gets what the rest leaves of the 6,000 characters all embeds may carry.
    let room = super::render::description_room(&[
        &title,
        "Scores",
        &scores,
        "Best answer",
        best.as_deref().unwrap_or(""),
        footer.unwrap_or(""),
    ]);
    let mut embed = CreateEmbed::new()
        .title(title)
        .description(truncate(
            &format!("**{}**\n\n{}", escape(&q.prompt), q.reference),
            room,
        ))
        .field("Scores", scores, false)
        .color(COLOR);
    if let Some(text) = best {
        embed = embed.field("Best answer", text, false);
    }
    if let Some(text) = footer {
        embed = embed.footer(serenity::all::CreateEmbedFooter::new(text));
    }
    let nonce = format!("r{}v{}", round.id, round.current_index);
    post(d, round, CreateMessage::new().embed(embed), &nonce).await;
    // The players saw the reference: their later round and drop answers to it do not count.
    d.store
        .mark_round_reveal_seen(round.id, round.current_index, Utc::now())
        .await?;
    Ok(())
}

async fn summary(d: &Driver, round: &RoundRow) -> anyhow::Result<()> {
    let names = participant_names(d, round.id).await?;
    let answers = d.store.round_answers(round.id).await?;
    let totals = rank_players(
        names
            .iter()
            .map(|(u, n, team)| PlayerScore {
                name: escape(n),
                team: team.clone(),
                points: answers
                    .iter()
                    .filter(|a| a.user_id == *u)
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
    let mut embed = CreateEmbed::new()
        .title("Round over")
        .description(truncate(if ranking.is_empty() { "Nobody answered." } else { "" }, 100))
        .field(
            "Ranking",
            if ranking.is_empty() {
                "—".into()
            } else {
                super::render::fit_lines(&ranking, super::render::MAX_FIELD_VALUE)
            },
            false,
        )
        .field(
            "Boards",
            "Each answer was added to the server's leaderboards (your best answer per question counts).",
            false,
        )
        .color(COLOR);
    let mode: Mode = round.mode.parse().unwrap_or(Mode::Group);
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
    post(
        d,
        round,
        CreateMessage::new().embed(embed),
        &format!("r{}s", round.id),
    )
    .await;
    Ok(())
}

async fn say(d: &Driver, round: &RoundRow, text: &str, nonce: &str) {
    post(d, round, CreateMessage::new().content(text), nonce).await;
}

/// Post to the round's channel; failures are logged, not retried (a missing permission would
/// only fail again).
async fn post(d: &Driver, round: &RoundRow, message: CreateMessage, nonce: &str) {
    let Ok(channel) = u64::try_from(round.channel_id) else {
        return;
    };
    if let Err(e) = super::outbound::post(
        &d.http,
        ChannelId::new(channel),
        message.allowed_mentions(no_mentions()),
        nonce,
    )
    .await
    {
        tracing::warn!(round = round.id, error = %e, "cannot post to the round's channel");
    }
}
