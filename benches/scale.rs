//! The bot at scale on one shard: the release binary against the loopback Discord server serving
//! 2,500 servers (each with its channels, roles and members in GUILD_CREATE, as Discord sends
//! them); how long until `/healthz` says ready and until a command in the last server is answered
//! (every GUILD_CREATE before it was taken in), and the process's resident memory.
//! Run with `cargo bench --bench scale`; `SCALE_GUILDS`, `SCALE_CHANNELS` (per server) and
//! `SCALE_MEMBERS` (per server, besides an admin and the bot) change the defaults (2,500, 8, 0).
//!
//! Members: the bot asks for no privileged intent, and without GUILD_PRESENCES Discord's
//! GUILD_CREATE lists only the bot itself and members in voice channels, so by default each
//! server sends only the bot and one admin; `SCALE_MEMBERS=25` shows the cost of members that
//! serenity's cache keeps.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the benchmark loudly

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use support::discord::{FakeDiscord, GuildSpec, MemberSpec};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Server `i`: its id (all in shard 0 of 1), channels and members of its own.
fn guild(i: usize, channels: usize, members: usize) -> GuildSpec {
    let i = i as u64;
    let guild_id = ((i + 1) << 22) | 7;
    let first_channel = 100_000_000 + i * 1_000;
    let mut spec = GuildSpec::numbered(guild_id, first_channel, 0);
    spec.channels = (0..channels as u64)
        .map(|c| (first_channel + c, format!("channel-{c}")))
        .collect();
    spec.members.extend((0..members as u64).map(|m| MemberSpec {
        user_id: 1_000_000_000 + i * 10_000 + m,
        name: format!("member-{i}-{m}"),
        roles: vec![],
        permissions: 0,
    }));
    spec
}

/// Resident memory of a process, in KiB: all, peak, and of all the part backed by files (the
/// binary's pages, its embedded tables among them, which the kernel may drop and read again)
/// (`VmRSS`, `VmHWM`, `RssFile`).
fn memory_kib(pid: u32) -> (u64, u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"), field("RssFile:"))
}

/// GET /healthz: its status code, if the bot answered.
fn healthz(addr: &str) -> Option<u16> {
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw).ok()?;
    raw.split(' ').nth(1)?.parse().ok()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let guilds = setting("SCALE_GUILDS", 2_500);
    let members = setting("SCALE_MEMBERS", 0);
    let channels = setting("SCALE_CHANNELS", 8).max(1);
    let specs: Vec<GuildSpec> = (0..guilds).map(|i| guild(i, channels, members)).collect();
    let last = specs.last().expect("at least one server").clone();
    let fake = FakeDiscord::start_sharded(specs, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("scale.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics = format!("127.0.0.1:{port}");
    let log = dir.path().join("bot.log");

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args([
            "run",
            "--api-base",
            &fake.base_url(),
            "--metrics-addr",
            &metrics,
        ])
        .env("DISCORD_TOKEN", "fake-token")
        .env("DATABASE_URL", &db)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id();
    let deadline = started + Duration::from_secs(120);
    while healthz(&metrics) != Some(200) {
        assert!(
            Instant::now() < deadline && child.try_wait().unwrap().is_none(),
            "the bot never became healthy: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let healthy = started.elapsed();
    let at_healthy = memory_kib(pid);

    // A command in the last server: answered only after every GUILD_CREATE before it.
    let channel = last.channels[0].0;
    let user = last.members[0].user_id;
    let reply = fake
        .slash_command(user, channel, "leaderboard", json!([]))
        .await
        .response(&fake, Duration::from_secs(120))
        .await;
    assert!(reply.is_some(), "the last server's command was answered");
    let answered = started.elapsed();
    let at_answer = memory_kib(pid);

    // Settled: a few seconds later, and after a command in every 100th server.
    for spec in fake_guilds_step(guilds, channels, members) {
        let _ = fake
            .slash_command(
                spec.members[0].user_id,
                spec.channels[0].0,
                "stats",
                json!([]),
            )
            .await
            .response(&fake, Duration::from_secs(10))
            .await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let settled = memory_kib(pid);
    let _ = child.kill();
    let _ = child.wait();

    println!(
        "{guilds} servers on one shard ({channels} channels, {} members and the bot each)",
        members + 1
    );
    println!(
        "healthy (/healthz 200) after {:.2} s, RSS {:.1} MiB",
        healthy.as_secs_f64(),
        mib(at_healthy.0)
    );
    println!(
        "the last server's command answered after {:.2} s, RSS {:.1} MiB",
        answered.as_secs_f64(),
        mib(at_answer.0)
    );
    println!(
        "settled (every 100th server used, 3 s later): RSS {:.1} MiB ({:.1} MiB of it file-backed), peak {:.1} MiB (goal <= 150 MB)",
        mib(settled.0),
        mib(settled.2),
        mib(settled.1)
    );
}

/// Every 100th server, to use a few.
fn fake_guilds_step(guilds: usize, channels: usize, members: usize) -> Vec<GuildSpec> {
    (0..guilds)
        .step_by(100)
        .map(|i| guild(i, channels, members))
        .collect()
}
