//! The review store on both engines (SQLite files and PostgreSQL databases): memories survive a reopen, due lists, ratings,
//! first attempts only for question difficulty, the server's desired retention.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test bodies run per engine, outside #[test]

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use interview_bot::domain::adaptive::{self, Candidate, ItemKey};
use interview_bot::domain::bank::{Bank, Difficulty};
use interview_bot::domain::review::{DesiredRetention, Grade};
use interview_bot::store::Store;
use interview_bot::store::reviews::ReviewAttempt;

#[derive(Debug, Clone, Copy)]
enum Engine {
    Sqlite,
    Postgres,
}

/// A new database on `engine`; `None` where no PostgreSQL server can be had (said why).
async fn database_url(engine: Engine, dir: &tempfile::TempDir) -> Option<String> {
    match engine {
        Engine::Sqlite => Some(format!("sqlite://{}", dir.path().join("r.db").display())),
        Engine::Postgres => crate::support::postgres::fresh_database().await,
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

fn attempt<'a>(key: &'a ItemKey, score: u8, at: DateTime<Utc>) -> ReviewAttempt<'a> {
    ReviewAttempt {
        guild_id: 42,
        user_id: 7,
        key,
        topic: "Scalability",
        difficulty: Difficulty::Hard,
        score,
        hints_used: 0,
        at,
    }
}

async fn reviews_are_scheduled_stored_and_survive_a_reopen(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database_url(engine, &dir).await else {
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    let a = ItemKey::new("nodejs-senior", "a");
    let b = ItemKey::new("nodejs-senior", "b");

    let first = store
        .record_review_attempt(&attempt(&a, 30, t0()))
        .await
        .unwrap();
    assert!(first.first_attempt);
    assert_eq!(first.scheduled.grade, Grade::Again);
    assert!(first.scheduled.interval <= Duration::days(1));
    assert!(first.skill_after < first.skill_before);
    let good = store
        .record_review_attempt(&attempt(&b, 95, t0()))
        .await
        .unwrap();
    assert_eq!(good.scheduled.grade, Grade::Easy);
    assert_eq!(good.scheduled.next_review_text(), "next review in 8 days");

    // Nothing due at once; `a` due the next day; both after 8 days, the longest overdue first.
    assert!(store.due_reviews(42, 7, t0()).await.unwrap().is_empty());
    let due = store
        .due_reviews(42, 7, t0() + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        due.iter()
            .map(|(k, _)| k.question.as_str())
            .collect::<Vec<_>>(),
        ["a"]
    );
    store.close().await;

    let store = Store::connect(&url).await.unwrap();
    let due = store
        .due_reviews(42, 7, t0() + Duration::days(8))
        .await
        .unwrap();
    assert_eq!(
        due.iter()
            .map(|(k, _)| k.question.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(due[0].1.last_score, 30);
    assert!(
        store
            .due_reviews(42, 8, t0() + Duration::days(8))
            .await
            .unwrap()
            .is_empty()
    );

    // A second attempt is not a first attempt: the question's difficulty stays.
    let h0 = store.review_history(42, 7).await.unwrap();
    let again = store
        .record_review_attempt(&attempt(&a, 100, t0() + Duration::days(1)))
        .await
        .unwrap();
    assert!(!again.first_attempt);
    assert_eq!(again.scheduled.state.reps, 2);
    let h1 = store.review_history(42, 7).await.unwrap();
    assert_eq!(h0.difficulties.get(&a), h1.difficulties.get(&a));
    assert!(
        h1.difficulties[&a].value > 1100.0,
        "a miss on a first attempt makes it harder"
    );
    assert_eq!(h1.skills["Scalability"].answers, 3);
    assert_eq!(h1.reviews.len(), 2);
    assert_eq!(h1.reviews[&a].last_score, 100);
    store.close().await;
}

async fn desired_retention_defaults_and_is_stored_per_server(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database_url(engine, &dir).await else {
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(store.desired_retention(1).await.unwrap().get(), 0.90);
    let r = DesiredRetention::new(0.95).unwrap();
    store.set_desired_retention(1, r, t0()).await.unwrap();
    assert_eq!(store.desired_retention(1).await.unwrap(), r);
    assert_eq!(store.desired_retention(2).await.unwrap().get(), 0.90);
    // A higher retention gives shorter intervals for the same history.
    let k = ItemKey::new("b", "q");
    let mut at = attempt(&k, 80, t0());
    at.guild_id = 1;
    let s1 = store.record_review_attempt(&at).await.unwrap();
    at.at = s1.scheduled.state.due;
    let s2 = store.record_review_attempt(&at).await.unwrap();
    let mut at = attempt(&k, 80, t0());
    at.guild_id = 2;
    let o1 = store.record_review_attempt(&at).await.unwrap();
    at.at = o1.scheduled.state.due;
    let o2 = store.record_review_attempt(&at).await.unwrap();
    assert!(s2.scheduled.interval < o2.scheduled.interval);
    store.close().await;
}

async fn the_stored_history_drives_the_adaptive_choice(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database_url(engine, &dir).await else {
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    let bank = Bank::shipped().unwrap();
    let cs: Vec<Candidate<'_>> = bank
        .questions
        .iter()
        .map(|q| Candidate {
            bank: &bank.meta.id,
            level: &bank.meta.level,
            question: q,
        })
        .collect();
    let q = &bank.questions[0];
    let key = ItemKey::new(&bank.meta.id, q.id.as_str());
    let mut a = attempt(&key, 20, t0());
    a.topic = &q.topic;
    store.record_review_attempt(&a).await.unwrap();
    let h = store.review_history(42, 7).await.unwrap();
    let later = t0() + Duration::days(1);
    let c = adaptive::choose(&cs, &h, later, 1).unwrap();
    assert_eq!(c.kind, adaptive::Kind::Review);
    assert_eq!(c.candidate.question.id.as_str(), q.id.as_str());
    let c = adaptive::choose(&cs, &h, t0(), 1).unwrap();
    assert_eq!(c.kind, adaptive::Kind::New);
    store.close().await;
}

mod sqlite {
    #[tokio::test]
    async fn reviews_are_scheduled_stored_and_survive_a_reopen() {
        super::reviews_are_scheduled_stored_and_survive_a_reopen(super::Engine::Sqlite).await
    }
    #[tokio::test]
    async fn desired_retention_defaults_and_is_stored_per_server() {
        super::desired_retention_defaults_and_is_stored_per_server(super::Engine::Sqlite).await
    }
    #[tokio::test]
    async fn the_stored_history_drives_the_adaptive_choice() {
        super::the_stored_history_drives_the_adaptive_choice(super::Engine::Sqlite).await
    }
}

mod postgres {
    #[tokio::test]
    #[cfg_attr(
        not(ib_postgres),
        ignore = "no PostgreSQL server here: set IB_TEST_POSTGRES_URL or install PostgreSQL (initdb)"
    )]
    async fn reviews_are_scheduled_stored_and_survive_a_reopen() {
        super::reviews_are_scheduled_stored_and_survive_a_reopen(super::Engine::Postgres).await
    }
    #[tokio::test]
    #[cfg_attr(
        not(ib_postgres),
        ignore = "no PostgreSQL server here: set IB_TEST_POSTGRES_URL or install PostgreSQL (initdb)"
    )]
    async fn desired_retention_defaults_and_is_stored_per_server() {
        super::desired_retention_defaults_and_is_stored_per_server(super::Engine::Postgres).await
    }
    #[tokio::test]
    #[cfg_attr(
        not(ib_postgres),
        ignore = "no PostgreSQL server here: set IB_TEST_POSTGRES_URL or install PostgreSQL (initdb)"
    )]
    async fn the_stored_history_drives_the_adaptive_choice() {
        super::the_stored_history_drives_the_adaptive_choice(super::Engine::Postgres).await
    }
}
