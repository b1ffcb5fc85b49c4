//! Two release-binary processes with different shard ranges (`--shards 0-0` and `--shards 1-1`
//! of `--shard-total 2`) on one database, against the loopback Discord server serving two
//! shards: a server in each shard plays a mock round and gets daily drops; the process of shard 0
//! is SIGKILLed mid-round; the other finishes every round and drop, each message exactly once.
//!
//! The database is a parameter ([`database_urls`]): a shared SQLite file (WAL; leases work across
//! processes), and PostgreSQL where the test harness gives one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use interview_bot::store::{DropState, Store};
use serde_json::{Value, json};

use crate::support::bot_process::BotProcess;
use crate::support::discord::gateway::Identified;
use crate::support::discord::{FakeDiscord, GuildSpec, custom_ids, sub};

/// Shard 0 of 2: `(1000 >> 22) % 2 == 0`.
const GUILD_A: u64 = 1000;
/// Shard 1 of 2.
const GUILD_B: u64 = (1 << 22) | 1000;
const ADMIN: u64 = 4000;
const PLAYERS: [u64; 3] = [5000, 5001, 5002];
const QUESTIONS: i64 = 3;
const STEP: Duration = Duration::from_millis(1500);
const ANSWER: &str = "The cluster module forks worker processes that share the server port; the primary distributes connections.";

/// One server of the test: its id, its rounds channel and its drops channel.
#[derive(Clone, Copy, Debug)]
struct Server {
    guild: u64,
    rounds: u64,
    drops: u64,
}

const SERVERS: [Server; 2] = [
    Server {
        guild: GUILD_A,
        rounds: 2000,
        drops: 2001,
    },
    Server {
        guild: GUILD_B,
        rounds: 2100,
        drops: 2101,
    },
];

/// The databases the two processes share, one run of the test each.
///
/// The databases the two processes share, one run each: a SQLite file, and a fresh PostgreSQL
/// database where `tests/support/postgres.rs` can give one (it says why when it cannot; a
/// failure under `REQUIRE_POSTGRES=1`).
async fn database_urls(dir: &Path) -> Vec<String> {
    let mut urls = vec![format!("sqlite://{}", dir.join("shared.db").display())];
    urls.extend(crate::support::postgres::fresh_database().await);
    urls
}

/// Start the process for shard `shard` of 2 on `db`; wait until its shard is connected and its
/// commands are registered (globally: the two servers share them).
async fn start_bot(fake: &FakeDiscord, db: &str, shard: u64, dir: &Path) -> BotProcess {
    let range = format!("{shard}-{shard}");
    let log = dir.join(format!("bot-{shard}.log"));
    BotProcess::start(
        fake,
        db,
        &["--shards", &range, "--shard-total", "2"],
        &log,
        move |f| f.shard_live(shard),
    )
    .await
}

/// A slash command's reply, if one came within a step.
async fn command(
    fake: &FakeDiscord,
    user: u64,
    channel: u64,
    name: &str,
    options: Value,
) -> Option<Value> {
    fake.slash_command(user, channel, name, options)
        .await
        .response(fake, STEP)
        .await
}

/// Click `custom_id` on `message`, fill its modal with the answer and submit: true when the
/// answer was acknowledged.
async fn answer(
    fake: &FakeDiscord,
    user: u64,
    channel: u64,
    message: &Value,
    custom_id: &str,
) -> bool {
    let Some(modal) = fake
        .click(user, message, custom_id)
        .await
        .modal(fake, STEP)
        .await
    else {
        return false;
    };
    let id = modal["custom_id"].as_str().unwrap_or_default().to_string();
    fake.submit_modal(user, channel, &id, &[("answer", ANSWER)])
        .await
        .reply(fake, STEP)
        .await
        .is_some()
}

/// Wait for a channel message in `channel` with a button whose id starts with `prefix`, of a
/// round not in `old`; the message and that id.
async fn wait_button(
    fake: &FakeDiscord,
    channel: u64,
    prefix: &str,
    old: &BTreeSet<i64>,
) -> (Value, String) {
    let of_old_round = |id: &str| {
        let round = id.split(':').nth(2).and_then(|r| r.parse::<i64>().ok());
        round.is_some_and(|r| old.contains(&r))
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for m in fake.channel_messages(channel) {
            if let Some(id) = custom_ids(&m)
                .into_iter()
                .find(|id| id.starts_with(prefix) && !of_old_round(id))
            {
                return (m, id);
            }
        }
        assert!(
            Instant::now() < deadline,
            "no {prefix}… button in channel {channel}: {:#?}",
            fake.channel_messages(channel)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Start a 3-question group round (2 s a question at 20 ms a second) in the server's rounds channel, let the other players join
/// and everyone answer question 0.
async fn start_round_and_answer_the_first_question(fake: &FakeDiscord, s: Server) {
    let options = sub(
        "start",
        json!([
            { "name": "questions", "type": 4, "value": QUESTIONS },
            { "name": "seconds", "type": 4, "value": 100 }
        ]),
    );
    let before = rounds_in(fake, s.rounds);
    command(fake, PLAYERS[0], s.rounds, "mock", options)
        .await
        .expect("the round starts");
    let (lobby, join) = wait_button(fake, s.rounds, "m:join:", &before).await;
    let round = join.trim_start_matches("m:join:").to_string();
    for &p in &PLAYERS[1..] {
        fake.click(p, &lobby, &join)
            .await
            .response(fake, STEP)
            .await
            .expect("joined");
    }
    let (question, id) = wait_button(fake, s.rounds, &format!("m:answer:{round}:"), &before).await;
    assert!(id.ends_with(":0"), "the first question: {id}");
    for &p in &PLAYERS {
        assert!(
            answer(fake, p, s.rounds, &question, &id).await,
            "{p} answered in {}",
            s.guild
        );
    }
}

/// A daily drop for this minute (posted at once) in the server's drops channel.
/// A drop set for the current minute, which posts at once. When the minute turned between the
/// test reading the clock and the bot saving the schedule (it would then start tomorrow), the
/// schedule is removed and set again for the new minute: checked on the saved row, no waiting
/// for a minute boundary.
async fn set_drop(fake: &FakeDiscord, store: &Store, s: Server) {
    let guild = i64::try_from(s.guild).unwrap();
    loop {
        let minute = Utc::now().format("%H:%M").to_string();
        let options = sub(
            "set",
            json!([
                { "name": "time", "type": 3, "value": minute },
                { "name": "timezone", "type": 3, "value": "Etc/UTC" },
                { "name": "window_hours", "type": 4, "value": 1 }
            ]),
        );
        command(fake, ADMIN, s.drops, "daily", options)
            .await
            .expect("the schedule is saved");
        let newest = store
            .schedules(guild)
            .await
            .unwrap()
            .into_iter()
            .max_by_key(|r| r.id)
            .expect("the schedule is stored");
        let saved_in = chrono::DateTime::from_timestamp_millis(newest.created_ms)
            .unwrap()
            .format("%H:%M")
            .to_string();
        if saved_in == newest.local_time {
            return;
        }
        store.remove_schedule(guild, newest.id).await.unwrap();
    }
}

/// Successful posts by nonce: the distinct message ids each nonce's posts got, and the channel.
fn posts_by_nonce(fake: &FakeDiscord) -> BTreeMap<String, (BTreeSet<String>, String)> {
    let mut out: BTreeMap<String, (BTreeSet<String>, String)> = BTreeMap::new();
    for c in fake.calls() {
        if c.method != "POST" || !c.path.ends_with("/messages") || c.status != 200 {
            continue;
        }
        let Some(nonce) = c.body["nonce"].as_str() else {
            continue;
        };
        let id = c.response["id"].as_str().unwrap_or_default().to_string();
        let entry = out.entry(nonce.to_string()).or_default();
        entry.0.insert(id);
        entry.1 = c.path.clone();
    }
    out
}

/// The rounds played in `channel` (their posts' nonces are `r<round><step>`).
fn rounds_in(fake: &FakeDiscord, channel: u64) -> BTreeSet<i64> {
    posts_by_nonce(fake)
        .iter()
        .filter(|(_, (_, path))| path.contains(&format!("/channels/{channel}/")))
        .filter_map(|(nonce, _)| {
            let digits: String = nonce
                .strip_prefix('r')?
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

/// SIGKILL `bot` while the newest round of `s` is mid-way (everyone answered question 0, so a
/// later question is open); when it was killed.
async fn kill_mid_round(fake: &FakeDiscord, store: &Store, bot: BotProcess, s: Server) -> Instant {
    let newest = rounds_in(fake, s.rounds).into_iter().max().unwrap();
    let round = store.round(newest).await.unwrap();
    assert!(
        round.current_index < QUESTIONS - 1 && store.open_rounds().await.unwrap() > 0,
        "the kill comes mid-round: {round:?}"
    );
    let killed_at = Instant::now();
    bot.kill();
    killed_at
}

/// The members of `s` answer every round question they see until no round is open anywhere.
async fn play_until_no_round_is_open(
    fake: &FakeDiscord,
    store: &Store,
    s: Server,
    deadline: Instant,
    why: &dyn Fn() -> String,
) {
    let mut answered = BTreeSet::new();
    loop {
        for m in fake.channel_messages(s.rounds) {
            for id in custom_ids(&m)
                .into_iter()
                .filter(|i| i.starts_with("m:answer:"))
            {
                for &p in &PLAYERS {
                    if answered.insert((id.clone(), p)) {
                        // The question may close meanwhile (its button gone, and the fake
                        // panics on a click a user could not make): a task takes that.
                        let fake = fake.clone();
                        let (m, id) = (m.clone(), id.clone());
                        let _ =
                            tokio::spawn(async move { answer(&fake, p, s.rounds, &m, &id).await })
                                .await;
                    }
                }
            }
        }
        if store.open_rounds().await.unwrap() == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "rounds still open: {}", why());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The killed process's server got round posts after the kill: the live process finished it.
fn assert_taken_over(fake: &FakeDiscord, s: Server, killed_at: Instant) {
    let after_kill = fake
        .calls()
        .iter()
        .filter(|c| {
            c.at > killed_at
                && c.method == "POST"
                && c.status == 200
                && c.path
                    .ends_with(&format!("/channels/{}/messages", s.rounds))
        })
        .count();
    assert!(
        after_kill >= 2,
        "server {}'s round was taken over after the kill ({after_kill} posts)",
        s.guild
    );
}

async fn all_drops(store: &Store, guild: u64) -> Vec<interview_bot::store::DropRow> {
    let mut out = Vec::new();
    for s in store.schedules(guild as i64).await.unwrap() {
        out.extend(store.recent_drops(s.id, 100).await.unwrap());
    }
    out
}

/// Until every round is summarised and every drop revealed (or the deadline passes).
async fn wait_until_all_done(store: &Store, deadline: Instant, why: &dyn Fn() -> String) {
    loop {
        let now = Utc::now();
        let open_rounds = store.open_rounds().await.unwrap();
        let unsummed = store
            .due_rounds(now + chrono::Duration::hours(1))
            .await
            .unwrap()
            .0
            .len();
        let mut open_drops = 0;
        let mut drops = 0;
        for s in SERVERS {
            let d = all_drops(store, s.guild).await;
            drops += d.len();
            open_drops += d.iter().filter(|d| d.state != DropState::Revealed).count();
        }
        if open_rounds == 0 && unsummed == 0 && open_drops == 0 && drops == SERVERS.len() * 2 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{open_rounds} rounds open, {unsummed} unsummarised, {open_drops} of {drops} drops open: {}",
            why()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn two_processes_one_killed_mid_round(db: &str, dir: &Path) {
    let started = Instant::now();
    let fake = FakeDiscord::start_sharded(
        vec![
            GuildSpec::default_with_members(PLAYERS.len()),
            GuildSpec::numbered(GUILD_B, 2100, PLAYERS.len()),
        ],
        2,
    )
    .await;
    // One after the other: on SQLite the migrations of two simultaneous first starts would race.
    let bot_a = start_bot(&fake, db, 0, dir).await;
    let bot_b = start_bot(&fake, db, 1, dir).await;
    let store = Store::connect(db).await.unwrap();
    // Each process IDENTIFYed as its shard and got only its own server.
    let mut identified = fake.identified();
    identified.sort_by_key(|i| i.shard);
    assert_eq!(
        identified,
        vec![
            Identified {
                shard: Some((0, 2)),
                guilds: vec![GUILD_A],
            },
            Identified {
                shard: Some((1, 2)),
                guilds: vec![GUILD_B],
            },
        ]
    );

    let log_b = bot_b.log_path().to_path_buf();
    let why = || {
        format!(
            "shard 1's log: {}",
            std::fs::read_to_string(&log_b).unwrap_or_default()
        )
    };

    // Phase 1, both processes busy: a drop in each server (posted at once, revealed 400 ms
    // later), a round in each, shard 0's last, and a second drop in shard 0's server right before
    // its process is killed, so the kill may come while that drop is being posted.
    for s in SERVERS {
        set_drop(&fake, &store, s).await;
    }
    start_round_and_answer_the_first_question(&fake, SERVERS[1]).await;
    start_round_and_answer_the_first_question(&fake, SERVERS[0]).await;
    set_drop(&fake, &store, SERVERS[0]).await;
    let killed_at = kill_mid_round(&fake, &store, bot_a, SERVERS[0]).await;
    // Shard 1's server gets its second drop from the live process; its members go on answering,
    // shard 0's cannot (no session for their server).
    set_drop(&fake, &store, SERVERS[1]).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    play_until_no_round_is_open(&fake, &store, SERVERS[1], deadline, &why).await;
    wait_until_all_done(&store, deadline, &why).await;
    assert_taken_over(&fake, SERVERS[0], killed_at);

    // Phase 2, shard 1's process idle (its timer has nothing due and is not told of what comes):
    // shard 0's process again, a round in its server, killed mid-round again. Only shard 1's
    // timer looking at least once a lease finds that round and finishes it.
    let bot_a = start_bot(&fake, db, 0, dir).await;
    start_round_and_answer_the_first_question(&fake, SERVERS[0]).await;
    let killed_at = kill_mid_round(&fake, &store, bot_a, SERVERS[0]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    wait_until_all_done(&store, deadline, &why).await;
    assert_taken_over(&fake, SERVERS[0], killed_at);
    bot_b.kill();

    // Every nonce made one message; every channel message came from one nonce.
    let posts = posts_by_nonce(&fake);
    for (nonce, (ids, _)) in &posts {
        assert_eq!(ids.len(), 1, "nonce {nonce} made {} messages", ids.len());
    }
    let messages: usize = SERVERS
        .iter()
        .map(|s| fake.channel_messages(s.rounds).len() + fake.channel_messages(s.drops).len())
        .sum();
    assert_eq!(messages, posts.len(), "messages vs distinct nonces");

    // Every round (two in shard 0's server, one in shard 1's): each question posted and revealed
    // once, a summary once, in its own channel; every first-question answer stored once.
    for (s, count) in [(SERVERS[0], 2), (SERVERS[1], 1)] {
        let rounds = rounds_in(&fake, s.rounds);
        assert_eq!(rounds.len(), count, "rounds in server {}", s.guild);
        for round in rounds {
            let mut steps: Vec<String> = (0..QUESTIONS)
                .flat_map(|q| [format!("q{q}"), format!("v{q}")])
                .collect();
            steps.push("s".to_string());
            for step in steps {
                let nonce = format!("r{round}{step}");
                let (_, path) = posts
                    .get(&nonce)
                    .unwrap_or_else(|| panic!("server {}: {nonce} missing: {}", s.guild, why()));
                assert!(
                    path.contains(&format!("/channels/{}/", s.rounds)),
                    "{nonce} in {path}"
                );
            }
            let answers = store.round_answers(round).await.unwrap();
            let keys: BTreeSet<(i64, i64)> =
                answers.iter().map(|a| (a.position, a.user_id)).collect();
            assert_eq!(
                keys.len(),
                answers.len(),
                "round {round} stored an answer twice"
            );
            assert!(
                PLAYERS.iter().all(|p| keys.contains(&(0, *p as i64))),
                "round {round}: every first-question answer stored: {keys:?}"
            );
        }
    }

    // Every drop: posted once and revealed once, in its server's drops channel.
    for s in SERVERS {
        let drops = all_drops(&store, s.guild).await;
        assert_eq!(drops.len(), 2, "server {}: two drops", s.guild);
        for d in drops {
            for nonce in [format!("d{}", d.id), format!("d{}v", d.id)] {
                let (_, path) = posts
                    .get(&nonce)
                    .unwrap_or_else(|| panic!("server {}: {nonce} missing", s.guild));
                assert!(
                    path.contains(&format!("/channels/{}/", s.drops)),
                    "{nonce} in {path}"
                );
            }
        }
    }

    // Interactions dispatched as the process died go unanswered; every other rule holds.
    let broken = fake.violations_but_unanswered();
    assert!(broken.is_empty(), "{broken:#?}");
    println!(
        "{db}: 2 processes, one killed mid-round; {} posts, all once, in {:.1} s",
        posts.len(),
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shard_processes_on_one_database_finish_everything_once_when_one_dies() {
    let dir = tempfile::tempdir().unwrap();
    for db in database_urls(dir.path()).await {
        two_processes_one_killed_mid_round(&db, dir.path()).await;
    }
}
