//! Answering a round's question: who may, and scoring and storing the answer.

use chrono::{DateTime, Utc};

use crate::app::Engine;
use crate::app::library::Asked;
use crate::app::{AnswerError, Answering, Scored, score_and_record};
use crate::domain::round::{AnswerRefusal, Mode};
use crate::store::{AttemptContext, RoundRow, RoundState, Store, StoreError};

use super::current_snapshot;

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
    /// The stored question row.
    pub row: i64,
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
    let asked = crate::app::practice::server_question(&e.store, &e.library, round.guild_id, row)
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
        crate::app::practice::score_record_and_show_reference(
            &e.store,
            e.clock.as_ref(),
            &answering,
        )
        .await?
    } else {
        score_and_record(&e.store, e.clock.as_ref(), &answering).await?
    };
    e.metrics.answer_scored(AttemptContext::Mock);
    Ok(AnsweredInRound {
        scored,
        asked,
        row,
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
