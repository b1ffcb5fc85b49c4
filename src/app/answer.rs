//! Answer a question: score it, record the attempt and learn from it (the member's spaced-
//! repetition memory of the question, their topic rating, the question's difficulty). The one
//! place this happens, for a posted question, a round's question, a daily drop, a review and
//! terminal practice.

use crate::domain::adaptive::ItemKey;
use crate::domain::bank::Question;
use crate::domain::copying;
use crate::domain::hints::with_hint_penalty;
use crate::domain::period::local_date;
use crate::domain::scoring::{self, Assessment, Corpus, Coverage};
use crate::store::reviews::{ReviewAttempt, ReviewOutcome};
use crate::store::{AttemptContext, NewAttempt, Store, StoreError};

use super::Clock;

/// Who answered what, where.
#[derive(Debug, Clone, Copy)]
pub struct Answering<'a> {
    pub guild_id: i64,
    pub channel_id: Option<i64>,
    pub user_id: i64,
    /// The stored question row.
    pub question_row: i64,
    /// The id of the question's bank (`bank.id`): memories are kept per bank and question id,
    /// so a new version of a bank keeps what members remember.
    pub bank: &'a str,
    pub question: &'a Question,
    pub corpus: &'a Corpus,
    pub answer: &'a str,
    /// Practice (`/question`), mock (a round: once per question) or daily (the first answer
    /// is final).
    pub context: AttemptContext,
    /// The round or drop.
    pub context_ref: Option<i64>,
    /// Hints taken (each costs a share of the score).
    pub hints_used: u32,
}

/// The scored and recorded answer.
#[derive(Debug, Clone)]
pub struct Scored {
    pub assessment: Assessment,
    /// The score that counts: the assessment's total less the hint penalty.
    pub total: u8,
    pub attempt_id: i64,
    /// Given after the member saw the reference (within the cooling-off period): not counted.
    pub seen: bool,
    /// Repeats a long run of the reference or of another member's answer: counts 0.
    pub copied: bool,
    /// The rescheduled memory ("next review in 3 days") and the topic rating's move.
    pub learned: ReviewOutcome,
}

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// A second answer to the same question of a round.
    #[error("this question was already answered")]
    AlreadyAnswered,
    /// The round question or drop closed before the answer could be stored.
    #[error("this question closed before the answer arrived")]
    Late,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Score `a`, store it as an attempt at the clock's time, in the server's calendar (a drop
/// answer: on the drop's own date, in its schedule's timezone), and learn
/// from its score (after the hint penalty) in the same transaction.
pub async fn score_and_record(
    store: &Store,
    clock: &dyn Clock,
    a: &Answering<'_>,
) -> Result<Scored, AnswerError> {
    let now = clock.now();
    let assessment = scoring::score(a.question, a.answer, a.corpus);
    let total = with_hint_penalty(assessment.total, a.hints_used);
    let tz = store.server_timezone(a.guild_id).await?;
    let attempt = NewAttempt {
        guild_id: a.guild_id,
        channel_id: a.channel_id,
        user_id: a.user_id,
        question_id: a.question_row,
        topic: &a.question.topic,
        context: a.context,
        context_ref: a.context_ref,
        answer: a.answer,
        score: total,
        covered: assessment.concept_names(Coverage::Covered),
        missed: assessment.concept_names(Coverage::Missed),
        hints_used: a.hints_used,
        submitted_at: now,
        local_date: local_date(now, tz),
    };
    // Copies matter only where answers compete.
    let copied = if a.context.competitive() {
        let others = match a.context_ref {
            Some(r) => {
                store
                    .other_answers(a.context, r, a.question_row, a.user_id)
                    .await?
            }
            None => Vec::new(),
        };
        copying::is_copy(
            a.answer,
            &a.question.reference,
            others.iter().map(String::as_str),
        )
    } else {
        false
    };
    let key = ItemKey::new(a.bank, a.question.id.as_str());
    let learn = ReviewAttempt {
        guild_id: a.guild_id,
        user_id: a.user_id,
        key: &key,
        topic: &a.question.topic,
        difficulty: a.question.difficulty,
        score: total,
        hints_used: a.hints_used,
        at: now,
    };
    // One conditional insert: a closed round question or drop refuses it, a second answer to
    // one conflicts (a drop's first answer is final), a seen reference marks it.
    let (recorded, learned) = match store
        .record_attempt_and_learn(&attempt, copied, &learn)
        .await
    {
        Ok(r) => r,
        Err(StoreError::Conflict(_)) => return Err(AnswerError::AlreadyAnswered),
        Err(StoreError::Closed(_)) => return Err(AnswerError::Late),
        Err(e) => return Err(e.into()),
    };
    Ok(Scored {
        assessment,
        total,
        attempt_id: recorded.attempt_id,
        seen: recorded.seen,
        copied: recorded.copied,
        learned,
    })
}
