//! Reviews and adaptive practice as use cases: what to ask a member next (their due reviews
//! first and, when asked for, then the new question they will learn most from, with why),
//! answering a review, and where their reviews stand. The choice itself is
//! [`crate::domain::adaptive`]; every scored answer, a review or not, is learned from in
//! [`super::answer::score_and_record`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::library::{Content, Library};
use super::{AnswerError, Answering, Clock, Scored};
use crate::domain::adaptive::{self, Candidate, History, ItemKey, Kind};
use crate::domain::bank::Question;
use crate::domain::period::local_date;
use crate::domain::review::DesiredRetention;
use crate::domain::scoring::Corpus;
use crate::store::{AttemptContext, Store, StoreError};

/// How far back `/review status` looks for the recall rate.
pub const RECALL_WINDOW_DAYS: i64 = 30;
/// How far ahead "due this week" looks.
pub const WEEK_DAYS: i64 = 7;

/// A member of a server (the terminal is the local server's local member).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub guild_id: i64,
    pub user_id: i64,
}

/// What may be offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Only questions due for review.
    Due,
    /// Due reviews first, then new questions whose predicted score is near 70.
    Adaptive,
}

/// Which questions a choice is made from.
pub struct Ask<'a> {
    pub contents: &'a [Arc<Content>],
    /// Questions this returns false for are never offered (filters, open drops and rounds).
    pub allow: &'a (dyn Fn(&Content, &Question) -> bool + Sync),
    pub want: Want,
    /// Breaks ties between equally good new questions: the same seed and history give the
    /// same choice.
    pub seed: u64,
}

/// A chosen question, with why.
#[derive(Clone)]
pub struct Next {
    content: Arc<Content>,
    index: usize,
    pub kind: Kind,
    /// "your weakest topic: Scalability (predicted score 68)", "due for review: …".
    pub reason: String,
    pub predicted_score: f64,
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("bank", &self.bank_id())
            .field("question", &self.question().id.as_str())
            .field("kind", &self.kind)
            .field("reason", &self.reason)
            .finish()
    }
}

impl Next {
    pub fn question(&self) -> &Question {
        &self.content.bank.questions[self.index]
    }

    pub fn bank_id(&self) -> &str {
        &self.content.bank.meta.id
    }

    pub fn corpus(&self) -> &Corpus {
        &self.content.corpus
    }

    /// The stored question row (what buttons carry).
    pub fn row(&self) -> Option<i64> {
        self.content.row_of(self.question())
    }
}

/// Pure: up to `count` questions for a member with `history`, each a fresh
/// [`adaptive::choose`] over what is left, so a round gets its due reviews first and then
/// different new questions.
pub fn choose_many(
    ask: &Ask<'_>,
    history: &History,
    now: DateTime<Utc>,
    count: usize,
) -> Vec<Next> {
    let mut place: HashMap<ItemKey, (usize, usize)> = HashMap::new();
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    for (ci, content) in ask.contents.iter().enumerate() {
        for (qi, q) in content.bank.questions.iter().enumerate() {
            if !(ask.allow)(content, q) {
                continue;
            }
            let key = ItemKey::new(&content.bank.meta.id, q.id.as_str());
            if place.contains_key(&key) {
                continue;
            }
            place.insert(key, (ci, qi));
            candidates.push(Candidate {
                bank: &content.bank.meta.id,
                level: &content.bank.meta.level,
                question: q,
            });
        }
    }
    let mut out = Vec::new();
    while out.len() < count {
        let Some(choice) = adaptive::choose(&candidates, history, now, ask.seed) else {
            break;
        };
        if ask.want == Want::Due && choice.kind != Kind::Review {
            break;
        }
        let key = ItemKey::new(choice.candidate.bank, choice.candidate.question.id.as_str());
        let Some(&(ci, qi)) = place.get(&key) else {
            break;
        };
        let (kind, reason, predicted_score) = (choice.kind, choice.reason, choice.predicted_score);
        candidates.retain(|c| !(c.bank == key.bank && c.question.id.as_str() == key.question));
        out.push(Next {
            content: ask.contents[ci].clone(),
            index: qi,
            kind,
            reason,
            predicted_score,
        });
    }
    out
}

/// The next question for `member` among `ask`, or `None` when nothing fits.
pub async fn next(
    store: &Store,
    now: DateTime<Utc>,
    member: Member,
    ask: &Ask<'_>,
) -> Result<Option<Next>, StoreError> {
    Ok(pick(store, now, member, ask, 1).await?.into_iter().next())
}

/// Up to `count` questions for `member` (an adaptive round).
pub async fn pick(
    store: &Store,
    now: DateTime<Utc>,
    member: Member,
    ask: &Ask<'_>,
    count: usize,
) -> Result<Vec<Next>, StoreError> {
    let history = store
        .review_history(member.guild_id, member.user_id)
        .await?;
    Ok(choose_many(ask, &history, now, count))
}

/// The member's most forgotten due review, from whichever bank the server can use holds it
/// (a built-in bank or the active version of its own). Questions `allow` refuses and
/// questions whose bank is gone are passed over.
pub async fn next_review(
    store: &Store,
    library: &Library,
    now: DateTime<Utc>,
    member: Member,
    allow: &(dyn Fn(&Content, &Question) -> bool + Sync),
) -> Result<Option<Next>, StoreError> {
    let history = store
        .review_history(member.guild_id, member.user_id)
        .await?;
    let mut slugs: Vec<&str> = history
        .reviews
        .iter()
        .filter(|(_, s)| s.is_due(now))
        .map(|(k, _)| k.bank.as_str())
        .collect();
    slugs.sort_unstable();
    slugs.dedup();
    let mut contents = Vec::new();
    for slug in slugs {
        if let Some(c) = library
            .for_server(store, member.guild_id, Some(slug))
            .await?
        {
            contents.push(c);
        }
    }
    let ask = Ask {
        contents: &contents,
        allow,
        want: Want::Due,
        seed: 0,
    };
    Ok(choose_many(&ask, &history, now, 1).into_iter().next())
}

/// One review answer.
#[derive(Debug, Clone, Copy)]
pub struct Reviewing<'a> {
    pub member: Member,
    pub channel_id: Option<i64>,
    /// The stored question row.
    pub question_row: i64,
    pub bank: &'a str,
    pub question: &'a Question,
    pub corpus: &'a Corpus,
    pub answer: &'a str,
    /// Hints charged to the member for this question (each costs a share of the score).
    pub hints_used: u32,
}

/// Score a review answer, record it as a review (practice: never on boards) and reschedule it;
/// `Scored::learned` holds the next interval ("next review in 3 days"). Its feedback shows the
/// reference, so the question is marked seen.
pub async fn answer_review(
    store: &Store,
    clock: &dyn Clock,
    r: &Reviewing<'_>,
) -> Result<Scored, AnswerError> {
    super::practice::score_record_and_show_reference(
        store,
        clock,
        &Answering {
            guild_id: r.member.guild_id,
            channel_id: r.channel_id,
            user_id: r.member.user_id,
            question_row: r.question_row,
            bank: r.bank,
            question: r.question,
            corpus: r.corpus,
            answer: r.answer,
            context: AttemptContext::Review,
            context_ref: None,
            hints_used: r.hints_used,
        },
    )
    .await
}

/// Where a member's reviews stand.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// Questions due now.
    pub due_now: usize,
    /// Questions falling due later within [`WEEK_DAYS`], per day in the server's timezone.
    pub coming: Vec<(NaiveDate, usize)>,
    /// When the next question not yet due falls due.
    pub next_due: Option<DateTime<Utc>>,
    /// Questions the member has a memory of.
    pub in_memory: usize,
    /// Over the last [`RECALL_WINDOW_DAYS`], answers given to due questions: (passed, all).
    pub recall: (u32, u32),
    pub retention: DesiredRetention,
}

impl Status {
    /// The recall rate in percent, when there were due answers in the window.
    pub fn recall_percent(&self) -> Option<u32> {
        let (passed, all) = self.recall;
        (all > 0).then(|| (f64::from(passed) * 100.0 / f64::from(all)).round() as u32)
    }
}

pub async fn status(
    store: &Store,
    now: DateTime<Utc>,
    member: Member,
) -> Result<Status, StoreError> {
    let history = store
        .review_history(member.guild_id, member.user_id)
        .await?;
    let tz = store.server_timezone(member.guild_id).await?;
    let week = now + Duration::days(WEEK_DAYS);
    let mut coming: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut due_now = 0;
    let mut next_due: Option<DateTime<Utc>> = None;
    for s in history.reviews.values() {
        if s.is_due(now) {
            due_now += 1;
            continue;
        }
        next_due = Some(next_due.map_or(s.due, |n| n.min(s.due)));
        if s.due <= week {
            *coming.entry(local_date(s.due, tz)).or_default() += 1;
        }
    }
    let recall = store
        .recall_since(
            member.guild_id,
            member.user_id,
            now - Duration::days(RECALL_WINDOW_DAYS),
        )
        .await?;
    Ok(Status {
        due_now,
        coming: coming.into_iter().collect(),
        next_due,
        in_memory: history.reviews.len(),
        recall,
        retention: store.desired_retention(member.guild_id).await?,
    })
}
