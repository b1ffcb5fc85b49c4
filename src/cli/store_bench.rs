//! `interview-bot db bench`: board, stats and insert latency on a generated data set.
//!
//! Generates servers, members and attempts spread over 90 days into a temporary database, then
//! times the queries the bot runs most. Deterministic data (seeded), a real SQLite file — or,
//! with `--postgres URL`, an empty PostgreSQL database.
#![allow(
    clippy::disallowed_methods,
    reason = "a one-shot terminal command runs on the wall clock"
)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use rand::{RngExt as _, SeedableRng as _};

use crate::domain::bank::Bank;
use crate::domain::period::{Period, local_date, window};
use crate::store::{AttemptContext, BoardQuery, NewAttempt, Store};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 1_000_000)]
    pub attempts: u32,
    #[arg(long, default_value_t = 10_000)]
    pub members: u32,
    #[arg(long, default_value_t = 100)]
    pub servers: u32,
    /// Timed repetitions of each query.
    #[arg(long, default_value_t = 200)]
    pub runs: u32,
    /// Run on this empty PostgreSQL database instead of a temporary SQLite file.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(idx).copied().unwrap_or_default()
}

fn report(name: &str, samples: &mut [Duration]) {
    let p50 = percentile(samples, 0.5);
    let p99 = percentile(samples, 0.99);
    say!(
        "{name:<34} p50 {:>8.3} ms   p99 {:>8.3} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile_dir()?;
    let url = args
        .postgres
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    super::block_on(async move {
        let store = Store::connect(&url).await?;
        say!("engine: {}", store.engine().name());
        let bank = Bank::shipped()?;
        let stored = store
            .store_bank(
                None,
                &bank,
                crate::domain::bank::SHIPPED_BANK_TOML,
                None,
                Utc::now(),
            )
            .await?;
        let questions: Vec<(i64, String)> = bank
            .questions
            .iter()
            .filter_map(|q| Some((stored.question_id(q.id.as_str())?, q.topic.clone())))
            .collect();
        let now = Utc::now();
        let mut rng = rand::rngs::StdRng::seed_from_u64(42);
        let per_server = (args.members / args.servers.max(1)).max(1);
        let started = Instant::now();
        let contexts = [
            AttemptContext::Daily,
            AttemptContext::Mock,
            AttemptContext::Question,
            AttemptContext::Practice,
        ];
        let guilds: Vec<i64> = (1..=i64::from(args.servers)).collect();
        store.bulk_load(&guilds, &[], now).await?;
        let mut batch = Vec::with_capacity(50_000);
        for i in 0..args.attempts {
            let guild = i64::from(rng.random_range(1..=args.servers));
            let user = guild * 100_000 + i64::from(rng.random_range(0..per_server));
            let (question_id, topic) = &questions[rng.random_range(0..questions.len())];
            let at = now - Days::milliseconds(rng.random_range(0..90 * 24 * 3_600_000));
            batch.push(NewAttempt {
                guild_id: guild,
                channel_id: Some(guild * 10),
                user_id: user,
                question_id: *question_id,
                topic,
                context: contexts[rng.random_range(0..contexts.len())],
                context_ref: None,
                answer: "generated answer",
                score: rng.random_range(0..=100),
                covered: vec!["Heap snapshots".into()],
                missed: vec!["Load testing".into()],
                hints_used: 0,
                submitted_at: at,
                local_date: at.date_naive(),
            });
            if batch.len() == 50_000 || i + 1 == args.attempts {
                store.bulk_load(&[], &batch, now).await?;
                batch.clear();
            }
        }
        sqlx_analyze(&store).await?;
        say!(
            "generated {} attempts, {} members, {} servers in {:.1} s",
            args.attempts,
            per_server * args.servers,
            args.servers,
            started.elapsed().as_secs_f64()
        );

        let tz = chrono_tz::Tz::UTC;
        let mut board = Vec::new();
        let mut stats = Vec::new();
        let mut month_topic = Vec::new();
        let mut all_time = Vec::new();
        for r in 0..args.runs {
            let guild = 1 + i64::from(r % args.servers);
            let q = BoardQuery {
                guild_id: guild,
                window: window(Period::Week, now, tz),
                topic: None,
                page: 0,
                page_size: 10,
            };
            let t = Instant::now();
            let page = store.leaderboard(&q).await?;
            board.push(t.elapsed());
            anyhow::ensure!(!page.rows.is_empty(), "the generated board is empty");
            let q = BoardQuery {
                window: window(Period::Month, now, tz),
                topic: Some(questions[0].1.clone()),
                ..q
            };
            let t = Instant::now();
            store.leaderboard(&q).await?;
            month_topic.push(t.elapsed());
            let q = BoardQuery {
                window: window(Period::AllTime, now, tz),
                topic: None,
                ..q
            };
            let t = Instant::now();
            store.leaderboard(&q).await?;
            all_time.push(t.elapsed());
            let user = guild * 100_000 + i64::from(r % per_server);
            let t = Instant::now();
            store.member_stats(guild, user, now).await?;
            store.member_concept_tallies(guild, user).await?;
            stats.push(t.elapsed());
        }
        let mut inserts = Vec::new();
        let mut counted_inserts = Vec::new();
        for r in 0..args.runs.max(100) {
            let attempt = NewAttempt {
                guild_id: 1,
                channel_id: Some(10),
                user_id: 100_000 + i64::from(r % per_server),
                question_id: questions[0].0,
                topic: &questions[0].1,
                context: AttemptContext::Question,
                context_ref: None,
                answer: "a new answer",
                score: 70,
                covered: vec![],
                missed: vec![],
                hints_used: 0,
                submitted_at: now,
                local_date: local_date(now, tz),
            };
            let t = Instant::now();
            store.insert_attempt(&attempt).await?;
            inserts.push(t.elapsed());
            // A competitive answer also refreshes the member's all-time line (triggers).
            let counted = NewAttempt {
                context: AttemptContext::Mock,
                ..attempt
            };
            let t = Instant::now();
            store.insert_attempt(&counted).await?;
            counted_inserts.push(t.elapsed());
        }
        report("top-10 board, one server, week", &mut board);
        report("top-10 board, month + topic", &mut month_topic);
        report("top-10 board, all time", &mut all_time);
        report("member stats", &mut stats);
        report("single attempt insert (committed)", &mut inserts);
        report("… a counted (mock) one", &mut counted_inserts);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        Ok(ExitCode::SUCCESS)
    })
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("interview-bot-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn sqlx_analyze(store: &Store) -> anyhow::Result<()> {
    store.analyze().await?;
    Ok(())
}
