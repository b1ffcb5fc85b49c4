//! Practice (`/question` and its Answer, Hint and Skip buttons) as use cases: which question to
//! ask, the refusal of a question an open drop or round of the server is asking, hints and what
//! they cost, and the answer whose feedback shows the reference.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom as _;

use super::library::{Asked, Content, Library};
use super::review::{self, Ask, Member, Next, Want};
use super::{AnswerError, Answering, Clock, Scored, score_and_record};
use crate::domain::bank::{Question, QuestionFilter};
use crate::store::{AttemptContext, SeenSource, Store, StoreError};

/// Why a practice step was refused; the text is what the member is told.
#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    #[error(
        "That question is in a daily drop or a mock round that is open in this server, so it cannot be practised until its reveal. Answer it there, or try another with `/question`."
    )]
    OpenElsewhere,
    #[error("There is no question `{0}`.")]
    NoSuchQuestion(String),
    #[error("No question matches those filters. Try fewer filters.")]
    NoneMatches,
    /// Adaptive: everything that matches was answered and nothing is due.
    #[error(
        "You have answered every question that matches, and none is due for review yet. `/review status` shows when the next one is due; or try other filters or another `bank`."
    )]
    NothingDue,
    #[error("This question has no hints.")]
    NoHints,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The stored rows of the questions an open drop or round of server `guild` is asking: not to
/// be offered for practice (or review) until their reveal.
pub async fn asked_elsewhere(store: &Store, guild: i64) -> Result<Vec<i64>, StoreError> {
    store.open_competitive_questions(guild).await
}

/// Refuse practising the question stored as `row` while an open drop or round of the server
/// asks it: its reference would leak before the reveal.
pub async fn ensure_practisable(store: &Store, guild: i64, row: i64) -> Result<(), PracticeError> {
    if asked_elsewhere(store, guild).await?.contains(&row) {
        return Err(PracticeError::OpenElsewhere);
    }
    Ok(())
}

/// The question a server may use stored as `row` (a built-in bank's, or the server's own):
/// another server's question is `None`, like a missing one.
pub async fn server_question(
    store: &Store,
    library: &Library,
    guild: i64,
    row: i64,
) -> Result<Option<Asked>, StoreError> {
    match store.question_owner(row).await? {
        Some(None) => {}
        Some(Some(owner)) if owner == guild => {}
        _ => return Ok(None),
    }
    library.question(store, row).await
}

/// What `/question` asks for.
#[derive(Debug, Clone)]
pub struct Wanted<'a> {
    pub member: Member,
    pub filter: QuestionFilter,
    /// A question by its id (never with `adaptive`).
    pub id: Option<&'a str>,
    /// The question the member will learn most from (due reviews first), with why.
    pub adaptive: bool,
    /// Decides among equal choices: the same seed, history and bank give the same question.
    pub seed: u64,
}

/// The question chosen to practise.
#[derive(Clone)]
pub enum Chosen {
    /// Chosen for the member, with why.
    Adaptive(Next),
    Picked {
        content: Arc<Content>,
        index: usize,
    },
}

impl Chosen {
    pub fn question(&self) -> &Question {
        match self {
            Chosen::Adaptive(next) => next.question(),
            Chosen::Picked { content, index } => &content.bank.questions[*index],
        }
    }

    /// The stored row (what the buttons carry).
    pub fn row(&self) -> Option<i64> {
        match self {
            Chosen::Adaptive(next) => next.row(),
            Chosen::Picked { content, .. } => content.row_of(self.question()),
        }
    }

    /// Why it was chosen, when it was chosen for the member.
    pub fn why(&self) -> Option<&Next> {
        match self {
            Chosen::Adaptive(next) => Some(next),
            Chosen::Picked { .. } => None,
        }
    }
}

/// The question to practise from `content` at `now`: never one an open drop or round of the
/// server is asking.
pub async fn choose_question(
    store: &Store,
    now: DateTime<Utc>,
    content: &Arc<Content>,
    wanted: &Wanted<'_>,
) -> Result<Chosen, PracticeError> {
    let competing = asked_elsewhere(store, wanted.member.guild_id).await?;
    let open = |c: &Content, q: &Question| c.row_of(q).is_some_and(|row| competing.contains(&row));
    if wanted.adaptive {
        let allow = |c: &Content, q: &Question| {
            wanted.filter.accepts(q) && c.row_of(q).is_some() && !open(c, q)
        };
        let ask = Ask {
            contents: std::slice::from_ref(content),
            allow: &allow,
            want: Want::Adaptive,
            seed: wanted.seed,
        };
        let next = review::next(store, now, wanted.member, &ask).await?;
        return next.map(Chosen::Adaptive).ok_or(PracticeError::NothingDue);
    }
    let questions = &content.bank.questions;
    let index = match wanted.id {
        Some(id) => {
            let index = questions
                .iter()
                .position(|q| q.id.as_str() == id.trim())
                .ok_or_else(|| PracticeError::NoSuchQuestion(id.to_string()))?;
            if open(content, &questions[index]) {
                return Err(PracticeError::OpenElsewhere);
            }
            index
        }
        None => {
            let pool: Vec<usize> = (0..questions.len())
                .filter(|&i| wanted.filter.accepts(&questions[i]) && !open(content, &questions[i]))
                .collect();
            *pool
                .choose(&mut StdRng::seed_from_u64(wanted.seed))
                .ok_or(PracticeError::NoneMatches)?
        }
    };
    Ok(Chosen::Picked {
        content: content.clone(),
        index,
    })
}

/// A hint taken: the `used`-th of `max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub used: u32,
    pub max: u32,
    pub text: String,
}

/// Give `member` the next hint of the question stored as `row`, charged per member and
/// question (whichever message it was taken on); each costs a share of their score.
pub async fn take_hint(
    store: &Store,
    member: Member,
    row: i64,
    question: &Question,
) -> Result<Hint, PracticeError> {
    if question.hints.is_empty() {
        return Err(PracticeError::NoHints);
    }
    ensure_practisable(store, member.guild_id, row).await?;
    let max = u32::try_from(question.hints.len()).unwrap_or(u32::MAX);
    let used = store
        .take_hint(member.guild_id, member.user_id, row, max)
        .await?;
    let text = question
        .hints
        .get(usize::try_from(used).unwrap_or(1).saturating_sub(1))
        .cloned()
        .unwrap_or_default();
    Ok(Hint { used, max, text })
}

/// Skip the question stored as `row`: the member is shown its reference, so their round and
/// drop answers to it stop counting for the cooling-off period.
pub async fn skip(
    store: &Store,
    member: Member,
    row: i64,
    at: DateTime<Utc>,
) -> Result<(), PracticeError> {
    ensure_practisable(store, member.guild_id, row).await?;
    store
        .mark_seen(member.guild_id, member.user_id, row, SeenSource::Skip, at)
        .await?;
    Ok(())
}

/// Score and record `a`, whose feedback shows the question's reference answer (practice, a
/// review, a solo round): having seen it, the member's round and drop answers to the question
/// stop counting for the cooling-off period, so it is marked seen at the answer's time.
pub async fn score_record_and_show_reference(
    store: &Store,
    clock: &dyn Clock,
    a: &Answering<'_>,
) -> Result<Scored, AnswerError> {
    let scored = score_and_record(store, clock, a).await?;
    store
        .mark_seen(
            a.guild_id,
            a.user_id,
            a.question_row,
            SeenSource::Feedback,
            clock.now(),
        )
        .await?;
    Ok(scored)
}

/// A practice answer (`/question`'s Answer): refused while an open drop or round asks the
/// question; scored with the member's hints taken; feeds stats and reviews, never boards.
#[derive(Clone, Copy)]
pub struct PracticeAnswer<'a> {
    pub member: Member,
    pub channel_id: Option<i64>,
    pub row: i64,
    pub asked: &'a Asked,
    pub answer: &'a str,
}

/// The scored practice answer and the hints it was charged.
#[derive(Debug, Clone)]
pub struct Practised {
    pub scored: Scored,
    pub hints_used: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum PracticeAnswerError {
    #[error(transparent)]
    Refused(#[from] PracticeError),
    #[error(transparent)]
    Answer(#[from] AnswerError),
}

impl From<StoreError> for PracticeAnswerError {
    fn from(e: StoreError) -> Self {
        PracticeAnswerError::Refused(PracticeError::Store(e))
    }
}

pub async fn answer(
    store: &Store,
    clock: &dyn Clock,
    p: &PracticeAnswer<'_>,
) -> Result<Practised, PracticeAnswerError> {
    let Member { guild_id, user_id } = p.member;
    ensure_practisable(store, guild_id, p.row).await?;
    let hints_used = store.hints_used(guild_id, user_id, p.row).await?;
    let scored = score_record_and_show_reference(
        store,
        clock,
        &Answering {
            guild_id,
            channel_id: p.channel_id,
            user_id,
            question_row: p.row,
            bank: p.asked.bank_id(),
            question: p.asked.question(),
            corpus: p.asked.corpus(),
            answer: p.answer,
            context: AttemptContext::Practice,
            context_ref: None,
            hints_used,
        },
    )
    .await?;
    Ok(Practised { scored, hints_used })
}
