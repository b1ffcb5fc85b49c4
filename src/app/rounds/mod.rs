//! Mock rounds: start, join, stop, and every timed step (open a question, reveal it, finish),
//! each a claimed state transition, so a timer, an answer and a second process never do a step
//! twice or skip one. Over the store, the [`Clock`](super::Clock) and the
//! [`Outbound`](super::Outbound) port; rounds post ordinary channel messages (they may outlive
//! the 15-minute interaction token).
//!
//! Starting, joining, stopping and drawing are here; answering a round's question is in
//! `answer.rs`, and the timed steps (open, reveal, summary) are in `steps.rs`.

mod answer;
mod steps;

pub use answer::{
    AnsweredInRound, RoundAnswerError, RoundAnswering, answer_allowed, answer_question,
    answered_users,
};
pub use steps::{advance, show_answered};

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use rand::seq::SliceRandom as _;

use super::library::Content;
use super::outbound::{Embed, Outgoing};
use super::review::{self, Ask, Member, Next, Want};
use super::text::{MAX_FIELD_VALUE, escape, truncate};
use super::{Engine, OutboundError};
use crate::domain::bank::{Question, QuestionFilter};
use crate::domain::round::{Mode, Snapshot, TEAM_NAMES};
use crate::store::{NewRound, RoundEnd, RoundRow, Store, StoreError};

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

pub async fn current_snapshot(store: &Store, round: &RoundRow) -> Result<Snapshot, StoreError> {
    let count = store.round_question_count(round.id).await?;
    let participants = store.participants(round.id).await?.len();
    let answered = answered_users(store, round.id, round.current_index)
        .await?
        .len();
    Ok(snapshot(round, count, participants, answered))
}
