//! One timer wake with nothing due: 10,000 daily schedules over 1,000 servers (times spread
//! over the day, in several zones), a week of revealed drops behind each (70,000 rows) and
//! 2,000 finished rounds, in a real SQLite file. The wake reads only what is due through the
//! store's indexes, so its cost should not grow with the schedules or the history.
//!
//! Then one slow channel (issue 26): 51 servers' drops due at 09:00 and 50 more at 09:01, with
//! the first server's channel taking 5 s per post, under the timer task itself ([`app::timer::run`]):
//! how late every other server's drop is posted after the wake that found it due, with steps
//! side by side (the timer's bound) and, for comparison, one at a time (as before issue 26).
//! Run with `cargo bench --bench wake`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the benchmark loudly
#![allow(
    clippy::disallowed_methods,
    reason = "the benchmark seeds and measures on the wall clock"
)]

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

/// Schedules at `time` (UTC) for servers `first..first + n`, each in its own channel.
async fn due_at(store: &Store, time: &str, first: i64, n: i64, now: DateTime<Utc>) {
    for g in first..first + n {
        store
            .create_schedule(
                &NewSchedule {
                    guild_id: g,
                    channel_id: g,
                    local_time: time,
                    timezone: "UTC",
                    weekdays: 0x7f,
                    bank_id: None,
                    topic: None,
                    difficulty: None,
                    window_hours: 24,
                    ping_role_id: None,
                    thread: false,
                    created_by: 7,
                },
                now,
            )
            .await
            .unwrap();
    }
}

/// How late (real time) each drop of `channels` is posted after `woke`, waiting up to 20 s.
async fn delays(
    out: &RecordingOutbound,
    channels: std::ops::Range<i64>,
    woke: Instant,
) -> Vec<Duration> {
    let started = Instant::now();
    loop {
        let times = out.post_times();
        let got: Vec<Duration> = times
            .iter()
            .filter(|(c, _, _)| channels.contains(c))
            .map(|(_, _, at)| at.saturating_duration_since(woke))
            .collect();
        if got.len() == channels.clone().count() || started.elapsed() > Duration::from_secs(20) {
            let mut got = got;
            got.sort_unstable();
            return got;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// One slow channel among 101 servers' drops, under the timer task with at most `limit` steps
/// at once. Returns the other servers' delays (09:00 and 09:01 together) and the slow one's.
async fn slow_channel(limit: usize) -> (Vec<Duration>, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("slow.db").display());
    let store = Store::connect(&url).await.unwrap();
    let library = Arc::new(Library::new(
        load_content(&store, Utc::now()).await.unwrap(),
    ));
    let start: DateTime<Utc> = "2026-06-01T08:58:30Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let out = Arc::new(RecordingOutbound::new());
    // Server 1 first: a serial timer meets it first and everyone else waits behind it.
    due_at(&store, "09:00", 1, 51, start).await;
    due_at(&store, "09:01", 101, 50, start).await;
    out.slow(1, Duration::from_secs(5));
    let engine = Engine {
        store: store.clone(),
        library,
        clock: clock.clone(),
        outbound: out.clone(),
        timings: Default::default(),
        wake: Arc::new(Notify::new()),
        metrics: Default::default(),
    };
    let steps = app::timer::Steps::new(limit);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let timer = tokio::spawn({
        let engine = engine.clone();
        let steps = steps.clone();
        async move { app::timer::run(&engine, &steps, None, stopped).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    clock.advance(chrono::Duration::seconds(90)); // 09:00:00
    let nine = Instant::now();
    engine.wake.notify_one();
    tokio::time::sleep(Duration::from_secs(1)).await;
    clock.advance(chrono::Duration::seconds(60)); // 09:01:00, the slow post still under way
    let nine_one = Instant::now();
    engine.wake.notify_one();
    let mut others = delays(&out, 2..52, nine).await;
    others.extend(delays(&out, 101..151, nine_one).await);
    others.sort_unstable();
    let slow = delays(&out, 1..2, nine).await;
    stop.send(true).unwrap();
    timer.await.unwrap();
    steps.idle().await;
    assert_eq!(others.len(), 100, "every other drop was posted");
    (others, slow.first().copied().unwrap_or(Duration::MAX))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    for (label, limit) in [
        (
            "side by side (at most 16 at once)",
            app::timer::MAX_CONCURRENT_STEPS,
        ),
        ("one at a time (as before issue 26)", 1),
    ] {
        let (others, slow) = slow_channel(limit).await;
        println!(
            "one channel at 5 s per post, {label}: the 100 other servers' drops posted p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms after their wake; the slow one after {:.2} s",
            ms(percentile(&others, 0.50)),
            ms(percentile(&others, 0.99)),
            ms(*others.last().unwrap()),
            slow.as_secs_f64(),
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("wake.db").display());
    let store = Store::connect(&url).await.unwrap();
    let library = Arc::new(Library::new(
        load_content(&store, Utc::now()).await.unwrap(),
    ));
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
