//! Interaction latency through the loopback Discord server: dispatch → initial callback, for
//! 1,000 interactions from 200 members (questions, hint clicks and stats, 200 at a time).
//! Run with `cargo bench --bench interactions`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the benchmark loudly

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use interview_bot::bot;
use interview_bot::config::{BotConfig, Secret, Sharding, Timings};
use interview_bot::store::Store;
use serde_json::json;
use support::discord::{FakeDiscord, GuildSpec};

const WAIT: Duration = Duration::from_secs(10);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

/// Job `n`: a question (n % 4 = 0 or 1), a question and a click on its Hint button (2, two
/// interactions), or stats (3). 800 jobs make 1,000 interactions.
async fn one_interaction(fake: FakeDiscord, member: u64, n: usize) {
    match n % 4 {
        0 | 1 => {
            let opts = json!([{ "name": "id", "type": 3, "value": "node-libuv-thread-pool" }]);
            let i = fake.slash_command(member, 2000, "question", opts).await;
            i.response(&fake, WAIT).await.expect("answered");
        }
        2 => {
            let opts = json!([{ "name": "id", "type": 3, "value": "node-cluster-module-scaling" }]);
            let i = fake.slash_command(member, 2000, "question", opts).await;
            i.response(&fake, WAIT).await.expect("answered");
            let message = i.original(&fake).expect("the question message");
            let hint = message
                .to_string()
                .split("q:hint:")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(|id| format!("q:hint:{id}"))
                .expect("a hint button");
            fake.click(member, &message, &hint)
                .await
                .response(&fake, WAIT)
                .await
                .expect("answered");
        }
        _ => {
            let i = fake.slash_command(member, 2000, "stats", json!([])).await;
            i.response(&fake, WAIT).await.expect("answered");
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let fake = FakeDiscord::start(GuildSpec::default_with_members(200)).await;
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
    };
    let handle = bot::start(config, Store::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert!(fake.wait_ready(WAIT).await);
    fake.wait_for_call(WAIT, |c| c.method == "PUT" && c.path.ends_with("/commands"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let members: Vec<u64> = (0..200).map(|i| 5000 + i).collect();
    // Steady: 1,000 interactions from the 200 members, a few in flight at a time, as in a busy
    // server. Burst: all 200 members at the same instant (a round's answers closing together).
    for (label, in_flight) in [("steady (8 in flight)", 8), ("burst (200 at once)", 200)] {
        let before = fake.response_latencies().len();
        let started = Instant::now();
        let jobs: Vec<(u64, usize)> = (0..800).map(|n| (members[n % members.len()], n)).collect();
        for chunk in jobs.chunks(in_flight) {
            let tasks: Vec<_> = chunk
                .iter()
                .map(|&(m, n)| tokio::spawn(one_interaction(fake.clone(), m, n)))
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        }
        let elapsed = started.elapsed();
        let mut latencies: Vec<Duration> = fake.response_latencies().split_off(before);
        latencies.sort_unstable();
        println!(
            "{label}: {} interactions from {} members in {:.2} s; dispatch → callback p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            latencies.len(),
            members.len(),
            elapsed.as_secs_f64(),
            percentile(&latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3,
            latencies.last().unwrap().as_secs_f64() * 1e3,
        );
    }
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
    handle.stop().await;
}
