//! Interaction latency through the loopback Discord server: dispatch → initial callback, per
//! kind of interaction (a question, an autocomplete, a hint click, the leaderboard, stats),
//! from 200 members, under two loads: a steady 200 interactions a second (sent on schedule
//! whether or not earlier ones were answered, as Discord sends them) and a burst of 200 at the
//! same instant (a round's answers closing together).
//! Run with `cargo bench --bench interactions`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the benchmark loudly

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use interview_bot::bot;
use interview_bot::config::{BotConfig, Secret, Sharding, Timings};
use interview_bot::store::Store;
use serde_json::{Value, json};
use support::discord::{FakeDiscord, GuildSpec};

const WAIT: Duration = Duration::from_secs(20);
const MEMBERS: u64 = 200;
const CHANNEL: u64 = 2000;
/// The steady load: this many interactions a second, for this long.
const RATE: u32 = 200;
const STEADY: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Question,
    Autocomplete,
    Hint,
    Leaderboard,
    Stats,
}

const KINDS: [Kind; 5] = [
    Kind::Question,
    Kind::Autocomplete,
    Kind::Hint,
    Kind::Leaderboard,
    Kind::Stats,
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

/// Send one interaction of `kind` for `member` and wait for its callback; returns its
/// dispatch → callback latency as the fake server recorded it.
async fn one(fake: FakeDiscord, member: u64, kind: Kind, question: Value) -> (Kind, Duration) {
    let interaction = match kind {
        Kind::Question => {
            let opts = json!([{ "name": "id", "type": 3, "value": "node-libuv-thread-pool" }]);
            fake.slash_command(member, CHANNEL, "question", opts).await
        }
        Kind::Autocomplete => {
            let opts = json!([{ "name": "id", "type": 3, "value": "event lo", "focused": true }]);
            fake.autocomplete(member, CHANNEL, "question", opts).await
        }
        Kind::Hint => fake.click(member, &question, &hint_button(&question)).await,
        Kind::Leaderboard => {
            fake.slash_command(member, CHANNEL, "leaderboard", json!([]))
                .await
        }
        Kind::Stats => {
            fake.slash_command(member, CHANNEL, "stats", json!([]))
                .await
        }
    };
    interaction.response(&fake, WAIT).await.expect("answered");
    let latency = fake.response_latency(interaction.id).expect("a callback");
    (kind, latency)
}

fn hint_button(message: &Value) -> String {
    message
        .to_string()
        .split("q:hint:")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|id| format!("q:hint:{id}"))
        .expect("a hint button")
}

fn report(label: &str, results: &[(Kind, Duration)]) {
    let mut by_kind: BTreeMap<Kind, Vec<Duration>> = BTreeMap::new();
    for &(kind, latency) in results {
        by_kind.entry(kind).or_default().push(latency);
    }
    let mut all: Vec<Duration> = results.iter().map(|r| r.1).collect();
    all.sort_unstable();
    println!("{label}: {} interactions", all.len());
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for (kind, mut latencies) in by_kind {
        latencies.sort_unstable();
        println!(
            "  {:<13} n {:>4}  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
            format!("{kind:?}").to_lowercase(),
            latencies.len(),
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().unwrap()),
        );
    }
    println!(
        "  {:<13} n {:>4}  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        "all",
        all.len(),
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.99)),
        ms(*all.last().unwrap()),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let fake = FakeDiscord::start(GuildSpec::default_with_members(MEMBERS as usize)).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let config = BotConfig {
        token: Secret::new("fake-token"),
        database_url: url.clone(),
        dev_guild_id: Some(1000),
        api_base: Some(fake.base_url()),
        timings: Timings {
            button_cooldown: Duration::ZERO,
            ..Timings::default()
        },
        cooling_off_days: 30,
        sharding: Sharding::Auto,
        judge: None,
    };
    let handle = bot::start(config, Store::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert!(fake.wait_ready(WAIT).await);
    fake.wait_for_call(WAIT, |c| c.method == "PUT" && c.path.ends_with("/commands"))
        .await
        .unwrap();

    // Each member's own question message, whose Hint button the hint clicks press (a hint past
    // the last rung is still answered, with "no more hints").
    let members: Vec<u64> = (0..MEMBERS).map(|i| 5000 + i).collect();
    let mut questions = Vec::new();
    for &member in &members {
        let opts = json!([{ "name": "id", "type": 3, "value": "node-cluster-module-scaling" }]);
        let i = fake.slash_command(member, CHANNEL, "question", opts).await;
        i.response(&fake, WAIT).await.expect("answered");
        questions.push(i.original(&fake).expect("the question message"));
    }
    // Warm-up (first-use costs: statements prepared, the chart's font parsed), not measured.
    for (n, kind) in KINDS.iter().enumerate() {
        one(fake.clone(), members[n], *kind, questions[n].clone()).await;
    }

    let job = |n: usize| {
        let m = n % members.len();
        let kind = KINDS[(n / members.len() + n) % KINDS.len()];
        tokio::spawn(one(fake.clone(), members[m], kind, questions[m].clone()))
    };

    // Steady: one interaction every 1/RATE s, on schedule (open loop).
    let count = (STEADY.as_secs_f64() * f64::from(RATE)) as usize;
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / RATE);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for n in 0..count {
        ticks.tick().await;
        tasks.push(job(n));
    }
    let mut results = Vec::with_capacity(count);
    for t in tasks {
        results.push(t.await.unwrap());
    }
    report(
        &format!(
            "steady {RATE}/s for {:.1} s (sent over {:.2} s)",
            STEADY.as_secs_f64(),
            started.elapsed().as_secs_f64()
        ),
        &results,
    );

    // Burst: 200 at once, 40 of each kind.
    let tasks: Vec<_> = (0..200).map(|n| job(count + n)).collect();
    let mut results = Vec::with_capacity(tasks.len());
    for t in tasks {
        results.push(t.await.unwrap());
    }
    report("burst of 200 at the same instant", &results);

    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
    handle.stop().await;
}
