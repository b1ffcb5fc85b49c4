//! One timer wake with nothing due: 10,000 daily schedules over 1,000 servers (times spread
//! over the day, in several zones), a week of revealed drops behind each (70,000 rows) and
//! 2,000 finished rounds, in a real SQLite file. The wake reads only what is due through the
//! store's indexes, so its cost should not grow with the schedules or the history.
//! Run with `cargo bench --bench wake`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the benchmark loudly

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use interview_bot::app::{self, Engine, ManualClock, RecordingOutbound};
use interview_bot::bot::{Library, load_content};
use interview_bot::store::{NewSchedule, Store};
use tokio::sync::Notify;

const SERVERS: i64 = 1_000;
const SCHEDULES: i64 = 10_000;
const HISTORY_DAYS: i64 = 7;
const FINISHED_ROUNDS: i64 = 2_000;
const WAKES: usize = 2_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// History the wake must not read: a week of revealed drops per schedule and finished
/// rounds, written in bulk (the store has no bulk writer; this is the bench's own setup).
async fn seed_history(url: &str, now: DateTime<Utc>) {
    use sqlx::ConnectOptions as _;
    let mut db = url
        .parse::<sqlx::sqlite::SqliteConnectOptions>()
        .unwrap()
        .connect()
        .await
        .unwrap();
    let now_ms = now.timestamp_millis();
    sqlx::query(
        "WITH RECURSIVE day(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM day WHERE n < ?1)
         INSERT INTO drops (schedule_id, local_date, state, due_ms, posted_ms, closes_ms, message_id)
         SELECT s.id, date(?2 / 1000 - day.n * 86400, 'unixepoch'), 'revealed',
                ?2 - day.n * 86400000, ?2 - day.n * 86400000, ?2 - day.n * 86400000 + 3600000, s.id * 100 + day.n
         FROM schedules s, day",
    )
    .bind(HISTORY_DAYS)
    .bind(now_ms)
    .execute(&mut db)
    .await
    .unwrap();
    sqlx::query(
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < ?1)
         INSERT INTO rounds (guild_id, channel_id, started_by, mode, state, seconds_per_q, current_index, created_ms, finished_ms)
         SELECT 1 + (n % ?2), 100000 + n, 7, 'group', 'finished', 180, 2, ?3 - n * 60000, ?3 - n * 60000 + 600000 FROM r",
    )
    .bind(FINISHED_ROUNDS)
    .bind(SERVERS)
    .bind(now_ms)
    .execute(&mut db)
    .await
    .unwrap();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("wake.db").display());
    let store = Store::connect(&url).await.unwrap();
    let library = Arc::new(Library::new(load_content(&store).await.unwrap()));
    let start: DateTime<Utc> = "2026-06-01T00:00:30Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let engine = Engine {
        store: store.clone(),
        library,
        clock: clock.clone(),
        outbound: Arc::new(RecordingOutbound::new()),
        timings: Default::default(),
        wake: Arc::new(Notify::new()),
        metrics: Default::default(),
    };
    let zones = [
        "UTC",
        "Europe/London",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Sydney",
    ];
    let seeded = Instant::now();
    for i in 0..SCHEDULES {
        // Minutes from 00:05 local, spread over the day; never within the start's minute.
        let minute = 5 + (i * 7) % (24 * 60 - 10);
        let time = format!("{:02}:{:02}", minute / 60, minute % 60);
        store
            .create_schedule(
                &NewSchedule {
                    guild_id: 1 + i % SERVERS,
                    channel_id: 10_000 + i,
                    local_time: &time,
                    timezone: zones[(i as usize) % zones.len()],
                    weekdays: 0x7f,
                    bank_id: None,
                    topic: None,
                    difficulty: None,
                    window_hours: 24,
                    ping_role_id: None,
                    thread: false,
                    created_by: 7,
                },
                start,
            )
            .await
            .unwrap();
    }
    seed_history(&url, start).await;
    println!(
        "seeded {SCHEDULES} schedules over {SERVERS} servers, {} drops, {FINISHED_ROUNDS} finished rounds in {:.1} s",
        SCHEDULES * HISTORY_DAYS,
        seeded.elapsed().as_secs_f64()
    );
    // Nothing is due at the start: every schedule's next post is later today or tomorrow.
    let next = app::timer::wake(&engine, false).await;
    assert!(next.is_some_and(|n| n > start), "nothing due: {next:?}");
    assert!(store.due_schedules(start).await.unwrap().is_empty());

    let mut wakes = Vec::with_capacity(WAKES);
    for _ in 0..WAKES {
        // A millisecond on each time, still before anything is due.
        clock.advance(chrono::Duration::milliseconds(1));
        let at = Instant::now();
        let next = app::timer::wake(&engine, false).await;
        wakes.push(at.elapsed());
        assert!(next.is_some());
    }
    wakes.sort_unstable();
    println!(
        "timer wake, nothing due ({WAKES} wakes): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        ms(percentile(&wakes, 0.50)),
        ms(percentile(&wakes, 0.99)),
        ms(*wakes.last().unwrap()),
    );

    // For comparison, what a wake that visits every schedule pays before any per-schedule
    // query: reading them all.
    let mut reads = Vec::new();
    for _ in 0..50 {
        let at = Instant::now();
        let all = store.active_schedules().await.unwrap();
        reads.push(at.elapsed());
        assert_eq!(all.len() as i64, SCHEDULES);
    }
    reads.sort_unstable();
    println!(
        "reading all {SCHEDULES} schedules (the floor of a wake that visits each): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&reads, 0.50)),
        ms(percentile(&reads, 0.99)),
    );
}
