//! Choosing the next question for a member: 10,000 members over 100 servers, each with a
//! memory of all 34 questions of the senior bank (340,000 review memories, a rating per topic,
//! a difficulty per question and server), in a real SQLite file. About a third of each
//! member's memories are due. Measured through the use cases the bot calls:
//! `review::next_review` (`/review next`: the most forgotten due question) and `review::next`
//! with `Want::Adaptive` over all three built-in banks (122 questions; `/question
//! adaptive:True`: a due review, else the new question nearest a predicted 70).
//! Run with `cargo bench --bench review`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the benchmark loudly
#![allow(
    clippy::disallowed_methods,
    reason = "the benchmark seeds and measures on the wall clock"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use interview_bot::app::review::{self, Ask, Member, Want};
use interview_bot::bot::{Content, Library, load_content, load_other_builtins};
use interview_bot::domain::bank::Question;
use interview_bot::store::Store;
use rand::{RngExt as _, SeedableRng as _};

const SERVERS: i64 = 100;
const MEMBERS: i64 = 10_000;
const CHOICES: usize = 2_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn member(m: i64) -> Member {
    Member {
        guild_id: 1 + m % SERVERS,
        user_id: 1_000_000 + m,
    }
}

/// The history, written in bulk (the store has no bulk writer; this is the bench's own setup).
async fn seed(url: &str, senior: &Content, now: DateTime<Utc>) {
    use sqlx::ConnectOptions as _;
    let mut db = url
        .parse::<sqlx::sqlite::SqliteConnectOptions>()
        .unwrap()
        .connect()
        .await
        .unwrap();
    let now_ms = now.timestamp_millis();
    let day = 86_400_000i64;
    let mut tx = sqlx::Connection::begin(&mut db).await.unwrap();
    for g in 1..=SERVERS {
        sqlx::query("INSERT OR IGNORE INTO servers (guild_id, created_ms) VALUES (?, ?)")
            .bind(g)
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .unwrap();
        for (qi, q) in senior.bank.questions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO question_difficulty (guild_id, bank, question, rating, answers, updated_ms) VALUES (?, ?, ?, ?, 100, ?)",
            )
            .bind(g)
            .bind(&senior.bank.meta.id)
            .bind(q.id.as_str())
            .bind(900.0 + (qi as f64) * 7.0)
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    let topics = senior.bank.topics();
    for m in 0..MEMBERS {
        let who = member(m);
        for (ti, t) in topics.iter().enumerate() {
            sqlx::query(
                "INSERT INTO skill_ratings (guild_id, user_id, topic, rating, answers, updated_ms) VALUES (?, ?, ?, ?, 20, ?)",
            )
            .bind(who.guild_id)
            .bind(who.user_id)
            .bind(*t)
            .bind(950.0 + ((m + ti as i64 * 37) % 200) as f64)
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        for (qi, q) in senior.bank.questions.iter().enumerate() {
            let k = m * 34 + qi as i64;
            // Due between 10 days ago and 20 days ahead: about a third are due now.
            let due = now_ms + ((k * 7) % 30 - 10) * day + (k % 1000);
            let last = due - (1 + k % 20) * day;
            sqlx::query(
                "INSERT INTO review_states (guild_id, user_id, bank, question, stability, difficulty, reps, lapses,
                                            last_grade, last_score, last_review_ms, due_ms)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
            )
            .bind(who.guild_id)
            .bind(who.user_id)
            .bind(&senior.bank.meta.id)
            .bind(q.id.as_str())
            .bind(1.0 + (k % 40) as f64)
            .bind(1.0 + (k % 9) as f64)
            .bind(1 + k % 6)
            .bind(if k % 5 == 0 { "again" } else { "good" })
            .bind(k % 101)
            .bind(last)
            .bind(due)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

async fn measure<F, Fut>(label: &str, mut run: F)
where
    F: FnMut(Member) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    let mut times = Vec::with_capacity(CHOICES);
    let mut found = 0;
    for _ in 0..CHOICES {
        let who = member(rng.random_range(0..MEMBERS));
        let at = Instant::now();
        found += usize::from(run(who).await);
        times.push(at.elapsed());
    }
    times.sort_unstable();
    println!(
        "{label} ({CHOICES} members, {found} got a question): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap()),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("review.db").display());
    let store = Store::connect(&url).await.unwrap();
    let library = Arc::new(Library::with_builtins(
        load_content(&store, Utc::now()).await.unwrap(),
        load_other_builtins(&store, Utc::now()).await.unwrap(),
    ));
    let now: DateTime<Utc> = "2026-06-01T12:00:00Z".parse().unwrap();
    let seeded = Instant::now();
    seed(&url, library.shipped(), now).await;
    println!(
        "seeded {MEMBERS} members over {SERVERS} servers with {} review memories in {:.1} s",
        MEMBERS * 34,
        seeded.elapsed().as_secs_f64()
    );
    let all_builtins: Vec<Arc<Content>> = library.builtins().to_vec();
    let allow = |_: &Content, _: &Question| true;

    measure("next due review (/review next)", |who| {
        let (store, library) = (&store, &library);
        async move {
            review::next_review(store, library, now, who, &allow)
                .await
                .unwrap()
                .is_some()
        }
    })
    .await;
    let mut seed = 0u64;
    measure(
        "adaptive choice over 122 questions (/question adaptive:True)",
        |who| {
            seed += 1;
            let (store, contents) = (&store, &all_builtins);
            async move {
                let ask = Ask {
                    contents,
                    allow: &allow,
                    want: Want::Adaptive,
                    seed,
                };
                review::next(store, now, who, &ask).await.unwrap().is_some()
            }
        },
    )
    .await;
}
