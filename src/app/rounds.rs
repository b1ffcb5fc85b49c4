//! Mock rounds: start, join, stop, and every timed step (open a question, reveal it, finish),
//! each a claimed state transition, so a timer, an answer and a second process never do a step
//! twice or skip one. Over the store, the [`Clock`](super::Clock) and the
//! [`Outbound`](super::Outbound) port; rounds post ordinary channel messages (they may outlive
//! the 15-minute interaction token).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use rand::seq::SliceRandom as _;

use super::library::{Asked, Content};
use super::outbound::{Embed, Outgoing};
use super::review::{self, Ask, Member, Next, Want};
use super::text::{MAX_FIELD_VALUE, description_room, escape, fit_lines, truncate};
use super::{AnswerError, Answering, Scored, score_and_record};
use super::{Engine, OutboundError, StepError};
use crate::domain::bank::{Question, QuestionFilter};
use crate::domain::ranking::{PlayerScore, rank_players, team_averages};
use crate::domain::round::{AnswerRefusal, Mode, Snapshot, Step, TEAM_NAMES, next_step};
use crate::store::{
    AttemptContext, Leased, NewRound, RoundAnswer, RoundEnd, RoundRow, RoundState, Store,
    StoreError,
};

/// A question as posted in a round (and in `/question`): prompt, topic and difficulty.
pub fn question_embed(q: &Question, title: &str) -> Embed {
    Embed::new(truncate(title, 256), truncate(&q.prompt, 4096))
        .field("Topic", truncate(&q.topic, MAX_FIELD_VALUE), true)
        .field("Difficulty", q.difficulty.label(), true)
}

/// What a new round needs (the questions already drawn).
#[derive(Debug, Clone)]
pub struct StartRound<'a> {
    pub guild_id: i64,
    pub channel_id: i64,
    pub starter: i64,
    pub starter_name: &'a str,
    pub mode: Mode,
    pub seconds_per_q: u32,
    pub question_rows: &'a [i64],
    pub topic: Option<&'a str>,
    pub difficulty: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("this channel already has a round going")]
    ChannelBusy,
    /// The lobby could not be posted; the round was cancelled.
    #[error("cannot post the lobby: {0}")]
    CannotPost(OutboundError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Create a round with its starter in it; group and teams rounds post a lobby with Join
/// buttons (a solo round opens its first question at the timer's next wake). Returns the
/// round's id.
pub async fn start_round(e: &Engine, s: &StartRound<'_>) -> Result<i64, StartError> {
    let now = e.now();
    e.store
        .upsert_member(s.guild_id, s.starter, s.starter_name, now)
        .await?;
    let lobby_until = if s.mode == Mode::Solo {
        now
    } else {
        now + e.timings.span(e.timings.lobby_seconds)
    };
    let round = e
        .store
        .create_round(
            &NewRound {
                guild_id: s.guild_id,
                channel_id: s.channel_id,
                started_by: s.starter,
                mode: s.mode,
                seconds_per_q: s.seconds_per_q,
                question_ids: s.question_rows,
                topic: s.topic,
                difficulty: s.difficulty,
                lobby_until,
            },
            now,
        )
        .await
        .map_err(|err| match err {
            StoreError::Conflict(_) => StartError::ChannelBusy,
            other => other.into(),
        })?;
    let my_team = (s.mode == Mode::Teams).then_some(TEAM_NAMES[0]);
    e.store.join_round(round, s.starter, my_team, now).await?;
    if s.mode != Mode::Solo {
        let embed = Embed::new(
            format!(
                "Mock round ({}) — {} question(s), {} s each",
                s.mode,
                s.question_rows.len(),
                s.seconds_per_q
            ),
            format!(
                "Started by {}. Press **Join** to play. The first question appears <t:{}:R>.\nAnswers are private until each reveal.",
                escape(&truncate(s.starter_name, 100)),
                lobby_until.timestamp()
            ),
        );
        let mut message = Outgoing::embed(embed);
        if s.mode == Mode::Teams {
            for t in TEAM_NAMES {
                message = message.button(format!("m:join:{round}:{t}"), &format!("Join {t}"));
            }
        } else {
            message = message.button(format!("m:join:{round}"), "Join");
        }
        match e
            .outbound
            .post(s.channel_id, message, &format!("r{round}l"))
            .await
        {
            Ok(m) => e.store.set_round_message(round, m).await?,
            Err(err) => {
                tracing::warn!(round, error = %err, "cannot post the lobby; cancelling the round");
                e.store.end_round(round, RoundEnd::Stopped, now).await?;
                return Err(StartError::CannotPost(err));
            }
        }
    }
    e.wake.notify_one();
    Ok(round)
}

/// The outcome of a join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// In, on this team (teams rounds) or none.
    Joined {
        team: Option<String>,
    },
    AlreadyIn,
}

#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    #[error("This round has ended. Start a new one with `/mock start`.")]
    Ended,
    #[error("This is a solo round. Start your own with `/mock start`.")]
    Solo,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Join a group or teams round; `team` is the side chosen (none: the smaller side).
pub async fn join_round(
    e: &Engine,
    round_id: i64,
    user_id: i64,
    name: &str,
    team: Option<&str>,
) -> Result<Joined, JoinError> {
    let round = e.store.round(round_id).await?;
    if !round.state.is_open() {
        return Err(JoinError::Ended);
    }
    let mode = round.mode;
    if mode == Mode::Solo {
        return Err(JoinError::Solo);
    }
    let now = e.now();
    e.store
        .upsert_member(round.guild_id, user_id, name, now)
        .await?;
    let team = if mode == Mode::Teams {
        let chosen = match team {
            Some(t) if TEAM_NAMES.contains(&t) => t,
            _ => {
                // No choice made: the smaller side, so teams stay even.
                let members = e.store.participants(round_id).await?;
                let size = |t: &str| {
                    members
                        .iter()
                        .filter(|p| p.team_name.as_deref() == Some(t))
                        .count()
                };
                if size(TEAM_NAMES[1]) < size(TEAM_NAMES[0]) {
                    TEAM_NAMES[1]
                } else {
                    TEAM_NAMES[0]
                }
            }
        };
        Some(chosen.to_string())
    } else {
        None
    };
    if e.store
        .join_round(round_id, user_id, team.as_deref(), now)
        .await?
    {
        Ok(Joined::Joined { team })
    } else {
        Ok(Joined::AlreadyIn)
    }
}

/// Stop a round (permission checked by the caller). False when it had already ended.
pub async fn stop_round(e: &Engine, round_id: i64) -> Result<bool, StoreError> {
    let stopped = e
        .store
        .end_round(round_id, RoundEnd::Stopped, e.now())
        .await?;
    if stopped {
        e.wake.notify_one();
    }
    Ok(stopped)
}

fn snapshot(round: &RoundRow, questions: i64, participants: usize, answered: usize) -> Snapshot {
    Snapshot {
        phase: round.state.phase(),
        deadline: round.deadline(),
        current: usize::try_from(round.current_index).unwrap_or(0),
        question_count: usize::try_from(questions).unwrap_or(0),
        participants,
        answered,
    }
}

/// What a new round's questions are drawn by.
#[derive(Debug, Clone)]
pub struct Draw {
    pub member: Member,
    pub filter: QuestionFilter,
    /// Chosen for what `member` will learn most from (a solo round).
    pub adaptive: bool,
    pub count: usize,
    /// Orders the draw: the same seed, history and bank give the same questions.
    pub seed: u64,
}

/// A round's questions: their stored rows and, when adaptive, why each.
pub struct Drawn {
    pub rows: Vec<i64>,
    pub why: Vec<Next>,
}

#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    #[error("No question matches those filters. Try fewer filters.")]
    NoneMatches,
    #[error(
        "You have answered every question that matches, and none is due for review yet. Try other filters or another `bank`; `/review status` shows when reviews fall due."
    )]
    NothingDue,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Draw a round's questions from `content` at `now`. A question revealed in the server within
/// the cooling-off period would count for nobody: an adaptive draw leaves those out, a random
/// one puts them last (used only when the filters leave nothing else).
pub async fn draw_questions(
    store: &Store,
    now: DateTime<Utc>,
    content: &Arc<Content>,
    d: &Draw,
) -> Result<Drawn, DrawError> {
    let revealed = store
        .publicly_revealed_questions(d.member.guild_id, now)
        .await?;
    let drawn = if d.adaptive {
        let allow = |c: &Content, q: &Question| {
            d.filter.accepts(q) && c.row_of(q).is_some_and(|row| !revealed.contains(&row))
        };
        let ask = Ask {
            contents: std::slice::from_ref(content),
            allow: &allow,
            want: Want::Adaptive,
            seed: d.seed,
        };
        let why = review::pick(store, now, d.member, &ask, d.count).await?;
        Drawn {
            rows: why.iter().filter_map(Next::row).collect(),
            why,
        }
    } else {
        let mut pool: Vec<i64> = content
            .bank
            .filter(&d.filter)
            .filter_map(|q| content.row_of(q))
            .collect();
        pool.shuffle(&mut StdRng::seed_from_u64(d.seed));
        pool.sort_by_key(|row| revealed.contains(row));
        pool.truncate(d.count);
        Drawn {
            rows: pool,
            why: Vec::new(),
        }
    };
    if drawn.rows.is_empty() {
        return Err(if d.adaptive {
            DrawError::NothingDue
        } else {
            DrawError::NoneMatches
        });
    }
    Ok(drawn)
}

/// An answer to question `position` of a round.
pub struct RoundAnswering<'a> {
    pub round: &'a RoundRow,
    pub position: i64,
    pub user_id: i64,
    pub channel_id: Option<i64>,
    pub answer: &'a str,
}

/// A round answer, scored and stored.
pub struct AnsweredInRound {
    pub scored: Scored,
    pub asked: Asked,
    /// A solo round's feedback carries the reference at once (and marks it seen); a group's
    /// waits for the reveal.
    pub shows_reference: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RoundAnswerError {
    #[error("{0}")]
    Refused(AnswerRefusal),
    #[error(transparent)]
    Answer(#[from] AnswerError),
    #[error("That question is no longer available.")]
    Gone,
}

impl From<AnswerRefusal> for RoundAnswerError {
    fn from(why: AnswerRefusal) -> Self {
        RoundAnswerError::Refused(why)
    }
}

impl From<StoreError> for RoundAnswerError {
    fn from(e: StoreError) -> Self {
        RoundAnswerError::Answer(AnswerError::Store(e))
    }
}

/// Score and store an answer to a round's question, if the member may still answer it; a
/// solo round's feedback shows the reference, so the question is marked seen.
pub async fn answer_question(
    e: &Engine,
    a: &RoundAnswering<'_>,
) -> Result<AnsweredInRound, RoundAnswerError> {
    let round = a.round;
    answer_allowed(&e.store, round, a.position, a.user_id, e.now()).await??;
    let Some((row, _)) = e.store.round_question(round.id, a.position).await? else {
        return Err(AnswerRefusal::NotThisQuestion.into());
    };
    let asked = super::practice::server_question(&e.store, &e.library, round.guild_id, row)
        .await?
        .ok_or(RoundAnswerError::Gone)?;
    let answering = Answering {
        guild_id: round.guild_id,
        channel_id: a.channel_id,
        user_id: a.user_id,
        question_row: row,
        bank: asked.bank_id(),
        question: asked.question(),
        corpus: asked.corpus(),
        answer: a.answer,
        context: AttemptContext::Mock,
        context_ref: Some(round.id),
        hints_used: 0,
    };
    let shows_reference = round.mode == Mode::Solo;
    let scored = if shows_reference {
        super::practice::score_record_and_show_reference(&e.store, e.clock.as_ref(), &answering)
            .await?
    } else {
        score_and_record(&e.store, e.clock.as_ref(), &answering).await?
    };
    e.metrics.answer_scored(AttemptContext::Mock);
    Ok(AnsweredInRound {
        scored,
        asked,
        shows_reference,
    })
}

/// Users who answered question `position` of a round.
pub async fn answered_users(
    store: &Store,
    round_id: i64,
    position: i64,
) -> Result<Vec<i64>, StoreError> {
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
) -> Result<Result<(), AnswerRefusal>, StoreError> {
    // A question whose reveal is under way is closed, whatever its deadline says: the click
    // gets the reply the answer would get, before anyone types.
    if round.state == RoundState::Reveal && round.current_index == position {
        return Ok(Err(AnswerRefusal::NotThisQuestion));
    }
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

pub async fn current_snapshot(store: &Store, round: &RoundRow) -> Result<Snapshot, StoreError> {
    let count = store.round_question_count(round.id).await?;
    let participants = store.participants(round.id).await?.len();
    let answered = answered_users(store, round.id, round.current_index)
        .await?
        .len();
    Ok(snapshot(round, count, participants, answered))
}

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
        let weak = super::coaching::round_coaching(&e.store, round.id, *user).await?;
        if weak.is_empty() {
            continue;
        }
        let concepts: Vec<String> = weak.iter().map(super::coaching::weakness_line).collect();
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
