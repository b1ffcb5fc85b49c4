//! The release binary against the loopback Discord server, killed with SIGKILL at random
//! (seeded) moments while members play rounds and answer daily drops; restarted on the same
//! database each time. At the end, after a run that is let finish: no acknowledged answer is
//! lost or stored twice, every round question is posted and revealed once, every drop is posted
//! once and revealed once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{Timelike as _, Utc};
use interview_bot::store::{DropState, Store};
use rand::{RngExt as _, SeedableRng as _};
use serde_json::{Value, json};

use crate::support::bot_process::BotProcess;
use crate::support::discord::{FakeDiscord, GuildSpec, custom_ids, sub};

const GUILD: u64 = 1000;
const ROUNDS: u64 = 2000;
const DROPS: u64 = 2001;
const ADMIN: u64 = 4000;
const PLAYERS: [u64; 3] = [5000, 5001, 5002];
const CYCLES: usize = 20;
/// How long one user step may take before it counts as lost with the bot.
const STEP: Duration = Duration::from_millis(1500);
const ANSWER: &str = "The cluster module forks worker processes that share the server port; the primary distributes connections.";

fn seed() -> u64 {
    std::env::var("FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_202)
}

/// Start the bot on `db` and wait until it identified (a new IDENTIFY) and registered.
async fn start_bot(fake: &FakeDiscord, db: &str, log: &std::path::Path) -> BotProcess {
    let identified = fake.identify_count();
    BotProcess::start(
        fake,
        db,
        &["--dev-guild-id", &GUILD.to_string()],
        log,
        move |f| f.identify_count() != identified,
    )
    .await
}

/// What the members were told was accepted.
#[derive(Default)]
struct Acks {
    /// (round, position, member) answers that got "Answer received".
    round: BTreeSet<(i64, i64, u64)>,
    /// (drop, member) answers that got their "Answer #" reply.
    drop: BTreeSet<(i64, u64)>,
}

/// What the members tried (each answers each question at most once).
#[derive(Default)]
struct Tried {
    round: HashSet<(i64, i64, u64)>,
    drop: HashSet<(i64, u64)>,
}

#[derive(Default)]
struct Players {
    tried: Tried,
    acks: Acks,
    /// (round, member) joins clicked.
    joined: HashSet<(i64, u64)>,
}

/// Click `custom_id` on `message`, fill its modal with the answer and submit; the reply's
/// text, if one came. In a task: a button the bot removed meanwhile makes the fake panic,
/// which only means the member could not answer.
async fn answer(
    fake: &FakeDiscord,
    user: u64,
    channel: u64,
    message: Value,
    custom_id: String,
) -> Option<String> {
    let fake = fake.clone();
    let task = tokio::spawn(async move {
        let modal = fake
            .click(user, &message, &custom_id)
            .await
            .modal(&fake, STEP)
            .await?;
        let id = modal["custom_id"].as_str()?.to_string();
        let reply = fake
            .submit_modal(user, channel, &id, &[("answer", ANSWER)])
            .await
            .reply(&fake, STEP)
            .await?;
        Some(reply.to_string())
    });
    tokio::time::timeout(3 * STEP, task).await.ok()?.ok()?
}

/// A slash command, its reply if one came within a step.
async fn command(
    fake: &FakeDiscord,
    user: u64,
    channel: u64,
    name: &str,
    options: Value,
) -> Option<Value> {
    let fake = fake.clone();
    let name = name.to_string();
    let task = tokio::spawn(async move {
        fake.slash_command(user, channel, &name, options)
            .await
            .response(&fake, STEP)
            .await
    });
    tokio::time::timeout(2 * STEP, task).await.ok()?.ok()?
}

/// One pass of the members over what is on screen: join lobbies, answer open round questions
/// and drops they have not tried yet; start a round when none is open and, now and then, set
/// a new daily drop for this minute.
async fn play(
    fake: &FakeDiscord,
    store: &Store,
    rng: &mut rand::rngs::StdRng,
    players: &mut Players,
    start_new: bool,
    until: Instant,
) {
    // Members act only while the bot is meant to be up (its kill is due at `until`).
    let live = || Instant::now() < until;
    let Players {
        tried,
        acks,
        joined,
    } = players;
    let round_messages = fake.channel_messages(ROUNDS);
    for m in &round_messages {
        for id in custom_ids(m) {
            let parts: Vec<&str> = id.split(':').collect();
            match parts.as_slice() {
                ["m", "join", round] => {
                    let round: i64 = round.parse().unwrap();
                    for &p in &PLAYERS[1..] {
                        if live() && joined.insert((round, p)) {
                            let fake = fake.clone();
                            let (m, id) = (m.clone(), id.clone());
                            let task = tokio::spawn(async move {
                                fake.click(p, &m, &id).await.response(&fake, STEP).await
                            });
                            let _ = tokio::time::timeout(2 * STEP, task).await;
                        }
                    }
                }
                ["m", "answer", round, position] => {
                    let round: i64 = round.parse().unwrap();
                    let position: i64 = position.parse().unwrap();
                    for &p in &PLAYERS {
                        if !live() || !tried.round.insert((round, position, p)) {
                            continue;
                        }
                        let reply = answer(fake, p, ROUNDS, m.clone(), id.clone()).await;
                        if reply.is_some_and(|r| r.contains("Answer received")) {
                            acks.round.insert((round, position, p));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for m in fake.channel_messages(DROPS) {
        for id in custom_ids(&m) {
            let Some(drop) = id.strip_prefix("d:answer:") else {
                continue;
            };
            let drop: i64 = drop.parse().unwrap();
            for &p in &PLAYERS {
                if !live() || !tried.drop.insert((drop, p)) {
                    continue;
                }
                let reply = answer(fake, p, DROPS, m.clone(), id.clone()).await;
                if reply.is_some_and(|r| r.contains("Your first answer is final")) {
                    acks.drop.insert((drop, p));
                }
            }
        }
    }
    if !start_new || !live() {
        return;
    }
    if store.open_rounds().await.unwrap() == 0 {
        let options = sub(
            "start",
            json!([
                { "name": "questions", "type": 4, "value": 2 },
                { "name": "seconds", "type": 4, "value": 30 }
            ]),
        );
        command(fake, PLAYERS[0], ROUNDS, "mock", options).await;
    }
    // A schedule set in its own minute posts at once; keep clear of the minute's end.
    let now = Utc::now();
    if rng.random_range(0..3) == 0 && now.second() < 55 {
        let options = sub(
            "set",
            json!([
                { "name": "time", "type": 3, "value": now.format("%H:%M").to_string() },
                { "name": "timezone", "type": 3, "value": "Etc/UTC" },
                { "name": "window_hours", "type": 4, "value": 1 }
            ]),
        );
        if live() {
            command(fake, ADMIN, DROPS, "daily", options).await;
        }
    }
}

/// Successful posts by nonce: the distinct message ids each nonce's posts got.
fn posts_by_nonce(fake: &FakeDiscord) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in fake.calls() {
        if c.method != "POST" || !c.path.ends_with("/messages") || c.status != 200 {
            continue;
        }
        let Some(nonce) = c.body["nonce"].as_str() else {
            continue;
        };
        let id = c.response["id"].as_str().unwrap_or_default().to_string();
        out.entry(nonce.to_string()).or_default().insert(id);
    }
    out
}

// It found that a process killed after claiming a round question's post, before posting it,
// left a live lease whose question was revealed unposted when its deadline passed first (here
// 600 ms < 1.5 s): now such a question waits for the lease and is taken over with its full time
// (engine test `a_question_whose_poster_died_is_not_revealed_unposted_…`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_moments_the_bot_loses_and_doubles_nothing() {
    let started = Instant::now();
    let seed = seed();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let fake = FakeDiscord::start(GuildSpec::default_with_members(PLAYERS.len())).await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let store = Store::connect(&db).await.unwrap();
    let mut players = Players::default();

    for _ in 0..CYCLES {
        let bot = start_bot(&fake, &db, &dir.path().join("bot.log")).await;
        // Kill at a random moment of this cycle's play: while members act, or between.
        let kill_at = Instant::now() + Duration::from_millis(rng.random_range(50..1200));
        let pid = bot.pid();
        let killer = tokio::spawn(async move {
            tokio::time::sleep_until(kill_at.into()).await;
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        });
        while Instant::now() < kill_at {
            play(&fake, &store, &mut rng, &mut players, true, kill_at).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        killer.await.unwrap();
        bot.kill();
    }

    // A last run, let finish (nothing new started): resumed rounds and drops complete once
    // the leases of killed steps pass.
    let bot = start_bot(&fake, &db, &dir.path().join("bot.log")).await;
    let deadline = Instant::now() + Duration::from_secs(25);
    loop {
        play(&fake, &store, &mut rng, &mut players, false, deadline).await;
        let open_drops = drops(&store)
            .await
            .iter()
            .filter(|d| d.state != DropState::Revealed)
            .count();
        let now = Utc::now();
        let due_schedules = store
            .schedules(GUILD as i64)
            .await
            .unwrap()
            .iter()
            .filter(|s| s.next_due().is_some_and(|d| d <= now))
            .count();
        let open_rounds = store.open_rounds().await.unwrap();
        // Finished rounds whose summary is still claimed (its claimer may have died).
        let unsummed = store
            .due_rounds(now + chrono::Duration::hours(1))
            .await
            .unwrap()
            .0
            .len();
        if open_rounds == 0 && unsummed == 0 && open_drops == 0 && due_schedules == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open_rounds} rounds, {open_drops} drops and {due_schedules} schedules still open (seed {seed})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bot.kill();
    let acks = players.acks;

    let posts = posts_by_nonce(&fake);
    for (nonce, ids) in &posts {
        assert_eq!(
            ids.len(),
            1,
            "nonce {nonce} made {} messages (seed {seed})",
            ids.len()
        );
    }
    // Every channel message came from one nonced post: none was made twice under two nonces.
    let messages = fake.channel_messages(ROUNDS).len() + fake.channel_messages(DROPS).len();
    assert_eq!(
        messages,
        posts.len(),
        "messages vs distinct nonces (seed {seed})"
    );

    // Drops: each posted once and revealed once; acknowledged answers stored, once.
    let all_drops = drops(&store).await;
    assert!(!all_drops.is_empty(), "the run posted drops (seed {seed})");
    for d in &all_drops {
        for nonce in [format!("d{}", d.id), format!("d{}v", d.id)] {
            assert!(
                posts.contains_key(&nonce),
                "drop {}: {nonce} missing (seed {seed})",
                d.id
            );
        }
        let answers = store.drop_answers(d.id).await.unwrap();
        let members: Vec<i64> = answers.iter().map(|a| a.user_id).collect();
        let distinct: BTreeSet<i64> = members.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            members.len(),
            "drop {} stored an answer twice",
            d.id
        );
    }
    for (drop, member) in &acks.drop {
        assert!(
            store
                .drop_answers(*drop)
                .await
                .unwrap()
                .iter()
                .any(|a| a.user_id == *member as i64),
            "drop {drop}: {member}'s acknowledged answer is lost (seed {seed})"
        );
    }

    // Rounds: every one seen finished with each question posted and revealed once.
    let rounds: BTreeSet<i64> = posts
        .keys()
        .filter_map(|n| {
            let digits: String = n
                .strip_prefix('r')?
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect();
    assert!(
        rounds.len() >= 3,
        "the run played rounds (seed {seed}): {rounds:?}"
    );
    let mut finished = 0;
    for &round in &rounds {
        if posts.contains_key(&format!("r{round}x")) {
            continue; // nobody joined in time: cancelled, nothing asked
        }
        finished += 1;
        let row = store.round(round).await.unwrap();
        for step in ["q0", "v0", "q1", "v1", "s"] {
            assert!(
                posts.contains_key(&format!("r{round}{step}")),
                "round {round}: r{round}{step} missing (seed {seed}); the round is {} at question {}, steps posted: {:?}",
                row.state,
                row.current_index,
                posts
                    .keys()
                    .filter(|n| n.starts_with(&format!("r{round}")))
                    .collect::<Vec<_>>()
            );
        }
        let answers = store.round_answers(round).await.unwrap();
        let keys: Vec<(i64, i64)> = answers.iter().map(|a| (a.position, a.user_id)).collect();
        let distinct: BTreeSet<(i64, i64)> = keys.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            keys.len(),
            "round {round} stored an answer twice"
        );
    }
    assert!(finished >= 2, "rounds were played to the end (seed {seed})");
    for (round, position, member) in &acks.round {
        assert!(
            store
                .round_answers(*round)
                .await
                .unwrap()
                .iter()
                .any(|a| a.position == *position && a.user_id == *member as i64),
            "round {round} question {position}: {member}'s acknowledged answer is lost (seed {seed})"
        );
    }
    assert!(
        !acks.round.is_empty() && !acks.drop.is_empty(),
        "answers were acknowledged"
    );
    // Interactions dispatched as the bot died go unanswered; every other rule holds.
    let broken = fake.violations_but_unanswered();
    assert!(broken.is_empty(), "{broken:#?}");
    println!(
        "seed {seed}: {CYCLES} kills, {} rounds, {} drops, {} + {} acknowledged answers in {:.1} s",
        rounds.len(),
        all_drops.len(),
        acks.round.len(),
        acks.drop.len(),
        started.elapsed().as_secs_f64()
    );
}

async fn drops(store: &Store) -> Vec<interview_bot::store::DropRow> {
    let mut out = Vec::new();
    for s in store.schedules(GUILD as i64).await.unwrap() {
        out.extend(store.recent_drops(s.id, 100).await.unwrap());
    }
    out
}
