//! The review use cases on a manual clock: intervals grow for a member who always answers
//! well, a missed question comes back within a day, every scored answer is learned from once,
//! and the adaptive choice is the same for the same seed and history.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use interview_bot::app::review::{self, Ask, Member, Reviewing, Want, choose_many};
use interview_bot::app::{self, AnswerError, Answering, Clock, ManualClock};
use interview_bot::bot::{Content, Library, load_content, load_other_builtins};
use interview_bot::domain::adaptive::Kind;
use interview_bot::domain::bank::Question;
use interview_bot::store::{AttemptContext, Store};

const ME: Member = Member {
    guild_id: 1,
    user_id: 7,
};

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    library: Arc<Library>,
    clock: ManualClock,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        let store = Store::connect(&url).await.unwrap();
        let start: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().unwrap();
        let library = Arc::new(Library::with_builtins(
            load_content(&store, start).await.unwrap(),
            load_other_builtins(&store, start).await.unwrap(),
        ));
        World {
            _dir: dir,
            store,
            library,
            clock: ManualClock::new(start),
        }
    }

    fn shipped(&self) -> Vec<Arc<Content>> {
        vec![self.library.shipped().clone()]
    }

    fn set(&self, to: DateTime<Utc>) {
        let now = self.clock.now();
        assert!(to >= now);
        self.clock.advance(to - now);
    }

    /// A new question chosen for the member (nothing due yet).
    async fn adaptive(&self, seed: u64) -> review::Next {
        let contents = self.shipped();
        let ask = Ask {
            contents: &contents,
            allow: &|_: &Content, _: &Question| true,
            want: Want::Adaptive,
            seed,
        };
        review::next(&self.store, self.clock.now(), ME, &ask)
            .await
            .unwrap()
            .unwrap()
    }

    async fn due(&self) -> Option<review::Next> {
        review::next_review(
            &self.store,
            &self.library,
            self.clock.now(),
            ME,
            &|_: &Content, _: &Question| true,
        )
        .await
        .unwrap()
    }

    async fn answer(&self, next: &review::Next, text: &str) -> app::Scored {
        review::answer_review(
            &self.store,
            &self.clock,
            &Reviewing {
                member: ME,
                channel_id: None,
                question_row: next.row().unwrap(),
                bank: next.bank_id(),
                question: next.question(),
                corpus: next.corpus(),
                answer: text,
                hints_used: 0,
            },
        )
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn a_member_who_always_answers_fully_sees_intervals_grow() {
    let w = World::new().await;
    let first = w.adaptive(3).await;
    assert_eq!(first.kind, Kind::New);
    let slug = first.question().id.as_str().to_string();
    // The reference answer, in full: the best answer there is.
    let full = first.question().reference.clone();
    let mut next = first;
    let mut intervals = Vec::new();
    for i in 0..5 {
        let scored = w.answer(&next, &full).await;
        assert!(scored.total >= 90, "a full answer scores {}", scored.total);
        if i == 2 {
            // Answers given when due, in the last 30 days: this one (the one before was 66 days
            // ago), passed.
            let status = review::status(&w.store, w.clock.now(), ME).await.unwrap();
            assert_eq!(status.recall, (1, 1));
            assert_eq!(status.recall_percent(), Some(100));
        }
        let s = &scored.learned.scheduled;
        intervals.push(s.interval);
        // Not offered before it is due; offered (as a review) once it is.
        w.set(s.state.due - Duration::minutes(1));
        assert!(
            w.due().await.is_none(),
            "nothing due before {}",
            s.state.due
        );
        w.set(s.state.due);
        next = w.due().await.expect("due again at its interval");
        assert_eq!(next.kind, Kind::Review);
        assert_eq!(next.question().id.as_str(), slug);
        assert!(next.reason.starts_with("due for review"), "{}", next.reason);
    }
    // Longer each time, until the one-year cap.
    for pair in intervals.windows(2) {
        assert!(
            pair[1] > pair[0] || pair[1] == Duration::days(365),
            "intervals grow: {intervals:?}"
        );
    }
    assert!(intervals[0] >= Duration::days(3), "{intervals:?}");
    let status = review::status(&w.store, w.clock.now(), ME).await.unwrap();
    assert_eq!(status.due_now, 1);
    assert_eq!(status.in_memory, 1);
}

#[tokio::test]
async fn a_member_who_scores_0_sees_the_question_again_within_a_day() {
    let w = World::new().await;
    let mut next = w.adaptive(5).await;
    let slug = next.question().id.as_str().to_string();
    for round in 0..4 {
        let scored = w.answer(&next, "I don't know.").await;
        assert_eq!(scored.total, 0, "round {round}");
        let s = &scored.learned.scheduled;
        assert!(s.interval <= Duration::days(1), "{:?}", s.interval);
        w.set(w.clock.now() + Duration::days(1));
        next = w.due().await.expect("back within a day");
        assert_eq!(next.question().id.as_str(), slug);
    }
    let status = review::status(&w.store, w.clock.now(), ME).await.unwrap();
    assert_eq!(status.recall, (0, 3));
    assert_eq!(status.due_now, 1);
}

#[tokio::test]
async fn every_scored_answer_is_learned_from_and_a_refused_one_is_not() {
    let w = World::new().await;
    let content = w.library.shipped().clone();
    let q = &content.bank.questions[0];
    let answering = |context, context_ref| Answering {
        guild_id: ME.guild_id,
        channel_id: None,
        user_id: ME.user_id,
        question_row: content.row_of(q).unwrap(),
        bank: &content.bank.meta.id,
        question: q,
        corpus: &content.corpus,
        answer: "The primary forks workers that share the port",
        context,
        context_ref,
        hints_used: 0,
    };
    // A drop that does not exist is closed: refused, and nothing is learned.
    let late = app::score_and_record(
        &w.store,
        &w.clock,
        &answering(AttemptContext::Daily, Some(999)),
    )
    .await;
    assert!(matches!(late, Err(AnswerError::Late)), "{late:?}");
    let h = w
        .store
        .review_history(ME.guild_id, ME.user_id)
        .await
        .unwrap();
    assert!(h.reviews.is_empty() && h.skills.is_empty());

    for (i, context) in [AttemptContext::Practice, AttemptContext::Mock]
        .into_iter()
        .enumerate()
    {
        let scored = app::score_and_record(&w.store, &w.clock, &answering(context, None))
            .await
            .unwrap();
        assert_eq!(scored.learned.first_attempt, i == 0);
        let h = w
            .store
            .review_history(ME.guild_id, ME.user_id)
            .await
            .unwrap();
        let state = &h.reviews
            [&interview_bot::domain::adaptive::ItemKey::new(&content.bank.meta.id, q.id.as_str())];
        assert_eq!(state.reps as usize, i + 1);
        assert_eq!(h.skills[&q.topic].answers as usize, i + 1);
        // The question's difficulty moves on the first attempt only.
        assert_eq!(h.difficulties.values().map(|d| d.answers).sum::<u32>(), 1);
        w.set(w.clock.now() + Duration::hours(1));
    }
}

#[tokio::test]
async fn the_adaptive_choice_is_the_same_for_the_same_seed_and_history() {
    // Two members with the same answers at the same times choose alike; seeds vary the
    // choice among equally good questions.
    let w = World::new().await;
    let other = Member {
        guild_id: 1,
        user_id: 8,
    };
    let contents: Vec<Arc<Content>> = w.library.builtins().to_vec();
    let allow = |_: &Content, _: &Question| true;
    let shipped = w.library.shipped().clone();
    for (i, q) in shipped.bank.questions.iter().take(6).enumerate() {
        for who in [ME, other] {
            let text = if i % 2 == 0 {
                q.reference.as_str()
            } else {
                "no idea"
            };
            app::score_and_record(
                &w.store,
                &w.clock,
                &Answering {
                    guild_id: who.guild_id,
                    channel_id: None,
                    user_id: who.user_id,
                    question_row: shipped.row_of(q).unwrap(),
                    bank: &shipped.bank.meta.id,
                    question: q,
                    corpus: &shipped.corpus,
                    answer: text,
                    context: AttemptContext::Practice,
                    context_ref: None,
                    hints_used: 0,
                },
            )
            .await
            .unwrap();
        }
        w.set(w.clock.now() + Duration::hours(3));
    }
    let now = w.clock.now() + Duration::days(2);
    let keys = |who: Member, seed: u64| {
        let w = &w;
        let contents = &contents;
        let allow = &allow;
        async move {
            let history = w
                .store
                .review_history(who.guild_id, who.user_id)
                .await
                .unwrap();
            let ask = Ask {
                contents,
                allow,
                want: Want::Adaptive,
                seed,
            };
            choose_many(&ask, &history, now, 5)
                .iter()
                .map(|n| {
                    (
                        n.bank_id().to_string(),
                        n.question().id.as_str().to_string(),
                        n.reason.clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let mine = keys(ME, 11).await;
    assert_eq!(mine.len(), 5);
    assert_eq!(mine, keys(ME, 11).await, "same seed, same history");
    assert_eq!(
        mine,
        keys(other, 11).await,
        "another member with the same history"
    );
    // The three missed questions are due after two days, most forgotten first, then new ones.
    assert!(
        mine[..3]
            .iter()
            .all(|(_, _, why)| why.starts_with("due for review")),
        "{mine:?}"
    );
    assert!(
        mine[3..]
            .iter()
            .all(|(_, _, why)| !why.starts_with("due for review")),
        "{mine:?}"
    );
    // Among equally good new questions (a member with no history: many tie), seeds differ.
    let newcomer = Member {
        guild_id: 1,
        user_id: 9,
    };
    let mut distinct = std::collections::HashSet::new();
    for seed in 0..20 {
        distinct.insert(keys(newcomer, seed).await[0].clone());
    }
    assert!(distinct.len() > 1, "seeds break ties among new questions");
}
