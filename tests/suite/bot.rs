//! End-to-end: the real bot (poise on serenity) against the loopback Discord server.
//! Every flow is driven as users would drive it, and asserted on recorded calls and the database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use interview_bot::app::{Clock, ManualClock, SystemClock};
use interview_bot::bot::{self, BotHandle};
use interview_bot::config::{BotConfig, Secret, Sharding, Timings};
use interview_bot::store::{AttemptContext, NewAttempt, Store};
use serde_json::{Value, json};
use support::discord::{FakeDiscord, GuildSpec, Limits};

const GUILD: u64 = 1000;
const CHANNEL: u64 = 2000;
const ADMIN: u64 = 4000;
const M0: u64 = 5000;
const M1: u64 = 5001;
const M2: u64 = 5002;
const WAIT: Duration = Duration::from_secs(10);
/// One round "second" lasts this long in tests, so a 30-second question takes 600 ms.
const SECOND: Duration = Duration::from_millis(20);
/// One hour of a daily drop's answer window lasts this long in tests.
const DROP_HOUR: Duration = Duration::from_millis(400);

/// The timings of [`World::start_bot`]: short rounds and drop hours.
fn test_timings() -> Timings {
    Timings {
        second: SECOND,
        lobby_seconds: 30,
        button_cooldown: Duration::ZERO,
        drop_hour: DROP_HOUR,
        drop_grace: Duration::from_secs(2 * 3600),
        ..Timings::default()
    }
}

struct World {
    fake: FakeDiscord,
    dir: tempfile::TempDir,
}

impl World {
    async fn new(members: usize) -> World {
        World {
            fake: FakeDiscord::start(GuildSpec::default_with_members(members)).await,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A world whose loopback Discord enforces `limits` (e.g. a shorter initial-response
    /// deadline than Discord's 3 s, so a slow reply shows without waiting 3 s).
    async fn with_limits(members: usize, limits: Limits) -> World {
        World {
            fake: FakeDiscord::start_with(GuildSpec::default_with_members(members), limits).await,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db_url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("bot.db").display())
    }

    async fn store(&self) -> Store {
        Store::connect(&self.db_url()).await.unwrap()
    }

    /// Start a bot built by the production function, pointed at the fake.
    async fn start_bot(&self) -> BotHandle {
        self.start_bot_with(test_timings()).await
    }

    async fn start_bot_with(&self, timings: Timings) -> BotHandle {
        self.start_bot_on(timings, Arc::new(SystemClock)).await
    }

    /// Start the bot with every command and timed step reading `clock`.
    async fn start_bot_on(&self, timings: Timings, clock: Arc<dyn Clock>) -> BotHandle {
        self.start_bot_judged(timings, clock, None).await
    }

    /// [`World::start_bot_on`] with the optional AI judge configured.
    async fn start_bot_judged(
        &self,
        timings: Timings,
        clock: Arc<dyn Clock>,
        judge: Option<interview_bot::config::JudgeConfig>,
    ) -> BotHandle {
        let calls_before = self.fake.calls().len();
        let config = BotConfig {
            token: Secret::new("fake-token"),
            database_url: self.db_url(),
            dev_guild_id: Some(GUILD),
            api_base: Some(self.fake.base_url()),
            timings,
            cooling_off_days: 30,
            sharding: Sharding::Auto,
            judge,
        };
        let handle = bot::start_with_clock(config, self.store().await, clock)
            .await
            .unwrap();
        assert!(self.fake.wait_ready(WAIT).await, "the bot identified");
        self.fake
            .wait_for_new_call(calls_before, WAIT, |c| {
                c.method == "PUT" && c.path.ends_with("/guilds/1000/commands")
            })
            .await
            .expect("commands registered in the dev guild");
        // poise stores its data right after registration returns.
        tokio::time::sleep(Duration::from_millis(100)).await;
        handle
    }

    /// The bot's answer to a command, as a type 4 response: a deferred reply (type 5) is
    /// waited for and given in that shape, so a test need not know which commands defer.
    async fn command(&self, user: u64, name: &str, options: Value) -> Value {
        let i = self.fake.slash_command(user, CHANNEL, name, options).await;
        let response = i
            .response(&self.fake, WAIT)
            .await
            .expect("the bot answered the command");
        if response["type"] != 5 {
            return response;
        }
        let reply = i
            .wait_original(&self.fake, WAIT, |m| {
                m["content"].as_str().is_some_and(|c| !c.is_empty())
                    || m["embeds"].as_array().is_some_and(|e| !e.is_empty())
            })
            .await
            .expect("the deferred reply got its content");
        json!({ "type": 4, "data": reply })
    }

    fn messages(&self) -> Vec<Value> {
        self.fake.channel_messages(CHANNEL)
    }

    /// The newest channel message whose text (content or embeds) contains `needle`.
    async fn wait_message(&self, needle: &str) -> Value {
        for _ in 0..500 {
            if let Some(m) = self
                .messages()
                .into_iter()
                .rev()
                .find(|m| m.to_string().contains(needle))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "no message containing {needle:?}; messages: {:#?}",
            self.messages()
        );
    }

    fn assert_clean(&self) {
        assert!(
            self.fake.violations().is_empty(),
            "Discord rules broken: {:#?}",
            self.fake.violations()
        );
        assert!(
            self.fake.unknown_routes().is_empty(),
            "unknown routes: {:?}",
            self.fake.unknown_routes()
        );
    }
}

pub(crate) use crate::support::discord::{custom_ids, sub};

/// Until the wall clock (the bot's clock here) is past `at`: a deadline read from the store,
/// not a guessed duration, so a loaded machine cannot make it too short.
async fn wait_past(at: chrono::DateTime<Utc>) {
    while Utc::now() <= at {
        let left = (at - Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(left.min(Duration::from_millis(50)) + Duration::from_millis(1)).await;
    }
}

fn flags(response: &Value) -> u64 {
    response["data"]["flags"].as_u64().unwrap_or(0)
}

const GOOD_CLUSTER_ANSWER: &str = "The cluster module forks worker processes, one per CPU core, and they share the same server port. \
    The primary process load balances incoming connections round-robin. Workers are separate processes and talk over IPC.";

#[tokio::test]
async fn start_up_registers_every_command_with_valid_names() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let commands = w.fake.guild_commands();
    let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    for expected in ["question", "mock", "leaderboard", "stats", "team"] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    for c in &commands {
        let desc = c["description"].as_str().unwrap_or_default();
        assert!((1..=100).contains(&desc.chars().count()), "{c}");
    }
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn question_answer_hint_and_skip() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let r = w
        .command(
            M0,
            "question",
            json!([{ "name": "id", "type": 3, "value": "node-cluster-module-scaling" }]),
        )
        .await;
    assert_eq!(r["type"], 4);
    let embed = &r["data"]["embeds"][0];
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("cluster module")
    );
    let i = w
        .fake
        .slash_command(
            M0,
            CHANNEL,
            "question",
            json!([{ "name": "id", "type": 3, "value": "node-cluster-module-scaling" }]),
        )
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    let message = i.original(&w.fake).expect("the question message");
    let ids = custom_ids(&message);
    let answer_id = ids
        .iter()
        .find(|c| c.starts_with("q:answer:"))
        .unwrap()
        .clone();
    let hint_id = ids
        .iter()
        .find(|c| c.starts_with("q:hint:"))
        .unwrap()
        .clone();
    let skip_id = ids
        .iter()
        .find(|c| c.starts_with("q:skip:"))
        .unwrap()
        .clone();

    // Hint: ephemeral, first rung, says it costs points.
    let hint = w
        .fake
        .click(M0, &message, &hint_id)
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap();
    assert_eq!(flags(&hint) & 64, 64, "ephemeral");
    assert!(
        hint["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Hint 1/"),
        "{hint}"
    );

    // Answer: a modal, then an ephemeral scored reply with the reference answer.
    let click = w.fake.click(M0, &message, &answer_id).await;
    let modal = click.modal(&w.fake, WAIT).await.expect("a modal");
    let modal_id = modal["custom_id"].as_str().unwrap().to_string();
    let submit = w
        .fake
        .submit_modal(M0, CHANNEL, &modal_id, &[("answer", GOOD_CLUSTER_ANSWER)])
        .await;
    let scored = submit.reply(&w.fake, WAIT).await.unwrap();
    assert_eq!(flags(&scored) & 64, 64);
    let e = &scored["data"]["embeds"][0];
    let title = e["title"].as_str().unwrap();
    assert!(title.starts_with("Score: "), "{title}");
    let fields = e["fields"].to_string();
    assert!(
        fields.contains("Reference answer") && fields.contains("Hints used"),
        "{fields}"
    );

    // Skip shows the reference.
    let skip = w
        .fake
        .click(M0, &message, &skip_id)
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap();
    assert!(
        skip["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Skipped.")
    );

    let stats = w
        .store()
        .await
        .member_stats(GUILD as i64, M0 as i64, Utc::now())
        .await
        .unwrap();
    assert_eq!(stats.attempts, 1, "the answer was stored once");
    w.assert_clean();
    bot.stop().await;
}

/// An answer form whose work is slow (here: the database's write lock is held by another
/// writer) still gets its first response in time: the bot defers privately at once (callback
/// type 5, flags 64) and then edits that reply with the score. Before issue 26 the bot scored
/// and stored first and replied after, so behind a busy write lock the reply missed Discord's
/// deadline ("The application did not respond") although the answer was stored.
#[tokio::test]
async fn a_slow_answer_form_defers_first_then_edits_in_the_score() {
    use sqlx::Connection;
    let deadline = Duration::from_millis(500);
    let w = World::with_limits(
        1,
        Limits {
            initial_response: deadline,
            ..Limits::default()
        },
    )
    .await;
    let bot = w.start_bot().await;
    let i = w
        .fake
        .slash_command(
            M0,
            CHANNEL,
            "question",
            json!([{ "name": "id", "type": 3, "value": "node-cluster-module-scaling" }]),
        )
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    let message = i.original(&w.fake).expect("the question message");
    let answer_id = custom_ids(&message)
        .into_iter()
        .find(|c| c.starts_with("q:answer:"))
        .unwrap();
    let modal = w
        .fake
        .click(M0, &message, &answer_id)
        .await
        .modal(&w.fake, WAIT)
        .await
        .expect("a modal");
    let modal_id = modal["custom_id"].as_str().unwrap().to_string();

    // Another writer holds SQLite's write lock: every write of the bot waits behind it.
    let mut writer = sqlx::SqliteConnection::connect(&w.db_url()).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut writer)
        .await
        .unwrap();
    let submit = w
        .fake
        .submit_modal(M0, CHANNEL, &modal_id, &[("answer", GOOD_CLUSTER_ANSWER)])
        .await;
    // The lock is held until the bot's first response, or for twice the deadline if none
    // comes (what the old code did: it could not answer before its writes).
    let first = submit.response(&w.fake, 2 * deadline).await;
    sqlx::query("COMMIT").execute(&mut writer).await.unwrap();
    let first = first.expect("a first response while the write lock was held");
    assert_eq!(first["type"], 5, "deferred first: {first}");
    assert_eq!(flags(&first) & 64, 64, "privately: {first}");

    // Then the deferred reply is edited with the score.
    let scored = submit.reply(&w.fake, WAIT).await.unwrap();
    assert_eq!(flags(&scored) & 64, 64, "{scored}");
    let title = scored["data"]["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default();
    assert!(title.starts_with("Score: "), "{scored}");
    let stats = w
        .store()
        .await
        .member_stats(GUILD as i64, M0 as i64, Utc::now())
        .await
        .unwrap();
    assert_eq!(stats.attempts, 1, "stored once");
    w.assert_clean();
    bot.stop().await;
}

/// Join the lobby of the round announced in the channel; returns the round id.
async fn join_lobby(w: &World, members: &[u64], team: Option<&str>) -> i64 {
    let lobby = w.wait_message("m:join:").await;
    let join = custom_ids(&lobby)
        .into_iter()
        .find(|c| c.starts_with("m:join:") && team.is_none_or(|t| c.ends_with(t)))
        .unwrap();
    let round: i64 = join.split(':').nth(2).unwrap().parse().unwrap();
    for &m in members {
        let r = w
            .fake
            .click(m, &lobby, &join)
            .await
            .response(&w.fake, WAIT)
            .await
            .unwrap();
        assert!(
            r["data"]["content"].as_str().unwrap().contains("joined"),
            "{r}"
        );
    }
    round
}

async fn answer_round_question(
    w: &World,
    user: u64,
    round: i64,
    position: i64,
    text: &str,
) -> Value {
    let q = w
        .wait_message(&format!("m:answer:{round}:{position}"))
        .await;
    let click = w
        .fake
        .click(user, &q, &format!("m:answer:{round}:{position}"))
        .await;
    let modal = click.modal(&w.fake, WAIT).await.expect("modal");
    let id = modal["custom_id"].as_str().unwrap().to_string();
    w.fake
        .submit_modal(user, CHANNEL, &id, &[("answer", text)])
        .await
        .reply(&w.fake, WAIT)
        .await
        .unwrap()
}

#[tokio::test]
async fn group_round_advances_when_everyone_answered_and_at_the_deadline() {
    let w = World::new(3).await;
    let bot = w.start_bot().await;
    let started = w
        .command(
            M0,
            "mock",
            sub(
                "start",
                json!([
                    { "name": "questions", "type": 4, "value": 2 },
                    { "name": "seconds", "type": 4, "value": 60 },
                    { "name": "topic", "type": 3, "value": "Performance" }
                ]),
            ),
        )
        .await;
    assert_eq!(flags(&started) & 64, 64);
    let round = join_lobby(&w, &[M1, M2], None).await;
    // Question 1: all three answer, and the round moves on long before the 1.2 s deadline.
    let t0 = std::time::Instant::now();
    for (m, text) in [
        (M0, GOOD_CLUSTER_ANSWER),
        (M1, "It uses threads I think."),
        (M2, "@everyone look at me <@4000>"),
    ] {
        let r = answer_round_question(&w, m, round, 0, text).await;
        assert!(
            r["data"]["content"]
                .as_str()
                .unwrap()
                .contains("Answer received"),
            "{r}"
        );
    }
    let reveal = w.wait_message("Reveal — question 1").await;
    assert!(
        t0.elapsed() < Duration::from_millis(1200) + Duration::from_millis(900),
        "advanced on all answered"
    );
    let text = reveal.to_string();
    assert!(
        text.contains("member-0") && text.contains("member-2"),
        "scores per participant: {text}"
    );
    assert!(
        !text.contains("@everyone") && !text.contains("<@4000>"),
        "user text is escaped: {text}"
    );
    // Question 2: nobody answers; the deadline closes it and the summary follows.
    w.wait_message(&format!("m:answer:{round}:1")).await;
    w.wait_message("Reveal — question 2").await;
    let summary = w.wait_message("Round over").await.to_string();
    assert!(summary.contains("Ranking"), "{summary}");
    // member-1 covered nothing of question 1: the summary says what to work on, and where.
    assert!(
        summary.contains("To work on")
            && summary.contains("member-1")
            && summary.contains("practise"),
        "{summary}"
    );
    // A late answer is refused politely and stores nothing.
    let late = w
        .fake
        .submit_modal(
            M1,
            CHANNEL,
            &format!("m:modal:{round}:1"),
            &[("answer", "late")],
        )
        .await;
    let r = late.reply(&w.fake, WAIT).await.unwrap();
    assert!(
        r["data"]["content"].as_str().unwrap().contains("ended"),
        "{r}"
    );
    let answers = w.store().await.round_answers(round).await.unwrap();
    assert_eq!(answers.len(), 3);
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn answers_from_outsiders_and_second_answers_are_refused() {
    let w = World::new(3).await;
    let bot = w.start_bot().await;
    w.command(M0, "mock", sub("start", json!([{ "name": "questions", "type": 4, "value": 1 }, { "name": "seconds", "type": 4, "value": 120 }]))).await;
    let round = join_lobby(&w, &[M1], None).await;
    answer_round_question(&w, M0, round, 0, "first answer about the event loop").await;
    let again = w
        .fake
        .submit_modal(
            M0,
            CHANNEL,
            &format!("m:modal:{round}:0"),
            &[("answer", "second")],
        )
        .await;
    let r = again.reply(&w.fake, WAIT).await.unwrap();
    assert!(
        r["data"]["content"]
            .as_str()
            .unwrap()
            .contains("already answered"),
        "{r}"
    );
    let q = w.wait_message(&format!("m:answer:{round}:0")).await;
    let outsider = w
        .fake
        .click(M2, &q, &format!("m:answer:{round}:0"))
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap();
    assert!(
        outsider["data"]["content"]
            .as_str()
            .unwrap()
            .contains("not playing"),
        "{outsider}"
    );
    // A non-starter without Manage Messages cannot stop it; the starter can.
    let refused = w.command(M1, "mock", sub("stop", json!([]))).await;
    assert!(
        refused["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only the member who started"),
        "{refused}"
    );
    let stopped = w.command(M0, "mock", sub("stop", json!([]))).await;
    assert!(
        stopped["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Round stopped"),
        "{stopped}"
    );
    assert_eq!(w.store().await.round_answers(round).await.unwrap().len(), 1);
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn teams_round_reports_team_totals() {
    let w = World::new(3).await;
    let bot = w.start_bot().await;
    w.command(
        M0,
        "mock",
        sub(
            "start",
            json!([
                { "name": "questions", "type": 4, "value": 1 },
                { "name": "seconds", "type": 4, "value": 60 },
                { "name": "mode", "type": 4, "value": 2 }
            ]),
        ),
    )
    .await;
    let round = join_lobby(&w, &[M1], Some("Blue")).await;
    let round2 = join_lobby(&w, &[M2], Some("Red")).await;
    assert_eq!(round, round2);
    for m in [M0, M1, M2] {
        answer_round_question(&w, m, round, 0, GOOD_CLUSTER_ANSWER).await;
    }
    let summary = w.wait_message("Round over").await.to_string();
    assert!(
        summary.contains("Red:") && summary.contains("Blue:") && summary.contains("per member"),
        "{summary}"
    );
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn solo_round_gives_private_feedback_at_once() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let q = start_solo_round(&w).await;
    let id = custom_ids(&q)
        .into_iter()
        .find(|c| c.starts_with("m:answer:"))
        .unwrap();
    let round: i64 = id.split(':').nth(2).unwrap().parse().unwrap();
    let r = answer_round_question(&w, M0, round, 0, GOOD_CLUSTER_ANSWER).await;
    assert_eq!(flags(&r) & 64, 64);
    assert!(
        r["data"]["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Score:"),
        "{r}"
    );
    w.wait_message("Round over").await;
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_round_resumes_it() {
    let w = World::new(2).await;
    let bot = w.start_bot().await;
    w.command(
        M0,
        "mock",
        sub(
            "start",
            json!([
                { "name": "questions", "type": 4, "value": 2 },
                { "name": "seconds", "type": 4, "value": 30 }
            ]),
        ),
    )
    .await;
    let round = join_lobby(&w, &[M1], None).await;
    answer_round_question(&w, M0, round, 0, GOOD_CLUSTER_ANSWER).await;
    bot.stop().await;
    w.fake.disconnect_all().await;
    // Down past the question's deadline (the stored one, not a guess of it).
    let deadline = w.store().await.round(round).await.unwrap().deadline();
    wait_past(deadline.expect("the question has a deadline")).await;
    let bot = w.start_bot().await;
    let reveal = w.wait_message("Reveal — question 1").await.to_string();
    assert!(reveal.contains("Resumed after a restart"), "{reveal}");
    assert!(
        reveal.contains("member-0: "),
        "the answer from before the restart counts: {reveal}"
    );
    w.wait_message("Round over").await;
    assert_eq!(w.store().await.round_answers(round).await.unwrap().len(), 1);
    w.assert_clean();
    bot.stop().await;
}

/// `/leaderboard period:week` is this week by the bot's clock, not the machine's (#26): with the
/// clock 400 days behind, a score from that week is on the board (a window has no end, so only a
/// clock behind the machine's tells the two apart).
#[tokio::test]
async fn the_weekly_board_is_the_bots_week() {
    let w = World::new(2).await;
    let earlier = Utc::now() - chrono::Duration::days(400);
    let store = w.store().await;
    let content = bot::load_content(&store, earlier).await.unwrap();
    let q = &content.bank.questions[0];
    store
        .upsert_member(GUILD as i64, M1 as i64, "member-1", earlier)
        .await
        .unwrap();
    store
        .record_attempt(
            &NewAttempt {
                guild_id: GUILD as i64,
                channel_id: Some(CHANNEL as i64),
                user_id: M1 as i64,
                question_id: content.row_of(q).unwrap(),
                topic: &q.topic,
                context: AttemptContext::Mock,
                context_ref: None,
                answer: "seeded",
                score: 42,
                covered: vec![],
                missed: vec![],
                hints_used: 0,
                submitted_at: earlier,
                local_date: earlier.date_naive(),
            },
            false,
        )
        .await
        .unwrap();
    store.close().await;
    let bot = w
        .start_bot_on(test_timings(), Arc::new(ManualClock::new(earlier)))
        .await;
    let week = w
        .command(
            M0,
            "leaderboard",
            json!([{ "name": "period", "type": 4, "value": 1 }]),
        )
        .await;
    assert!(week.to_string().contains("member-1 — 42 pts"), "{week}");
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn leaderboard_pages_and_stats() {
    let w = World::new(2).await;
    let store = w.store().await;
    let content = bot::load_content(&store, Utc::now()).await.unwrap();
    let q = &content.bank.questions[0];
    let row = content.row_of(q).unwrap();
    let now = Utc::now();
    // Fifteen players at 50..=64 points, and member-1 (a guild member) at 42.
    for user in 0..16 {
        let (id, name, score) = if user == 15 {
            (M1 as i64, "member-1".to_string(), 42)
        } else {
            (6000 + user, format!("player-{user}"), 50 + user)
        };
        store
            .upsert_member(GUILD as i64, id, &name, now)
            .await
            .unwrap();
        store
            .record_attempt(
                &NewAttempt {
                    guild_id: GUILD as i64,
                    channel_id: Some(CHANNEL as i64),
                    user_id: id,
                    question_id: row,
                    topic: &q.topic,
                    context: AttemptContext::Mock,
                    context_ref: None,
                    answer: "seeded",
                    score: u8::try_from(score).unwrap(),
                    covered: vec![],
                    missed: vec!["Heap snapshots".into()],
                    hints_used: 0,
                    submitted_at: now,
                    local_date: now.date_naive(),
                },
                false,
            )
            .await
            .unwrap();
    }
    let bot = w.start_bot().await;
    let i = w
        .fake
        .slash_command(
            M0,
            CHANNEL,
            "leaderboard",
            json!([{ "name": "period", "type": 4, "value": 5 }]),
        )
        .await;
    let first = i.response(&w.fake, WAIT).await.unwrap();
    let text = first["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.starts_with("**1.** player-14 — 64 pts"), "{text}");
    assert!(first.to_string().contains("Page 1 of 2"));
    let message = i.original(&w.fake).unwrap();
    let next = custom_ids(&message)
        .into_iter()
        .find(|c| c.ends_with(":1"))
        .unwrap();
    let page2 = w
        .fake
        .click(M0, &message, &next)
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap();
    assert_eq!(page2["type"], 7, "the page is updated in place");
    let text = page2["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(text.starts_with("**11.** player-4"), "{text}");

    let (stats, _) = stats_of(&w, ADMIN, M1).await;
    let s = stats.to_string();
    assert!(s.contains("42/100") && s.contains("#16 of 16"), "{s}");
    // The concept missed, with the question that teaches it.
    assert!(
        s.contains(&format!("Heap snapshots — missed 1× · practise `{}`", q.id)),
        "{s}"
    );
    // The progress chart: a PNG attached to the reply and shown in its embed.
    assert_eq!(
        stats["embeds"][0]["image"]["url"], "attachment://progress.png",
        "{s}"
    );
    let callback = w
        .fake
        .calls()
        .into_iter()
        .rev()
        .find(|c| !c.files.is_empty())
        .expect("a call with a file");
    let (name, png) = &callback.files[0];
    assert_eq!(name, "progress.png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let reader = png::Decoder::new(std::io::Cursor::new(png.as_slice()))
        .read_info()
        .unwrap();
    assert_eq!(
        (reader.info().width, reader.info().height),
        (interview_bot::chart::WIDTH, interview_bot::chart::HEIGHT)
    );
    w.assert_clean();
    bot.stop().await;
}

/// `/stats` for `member` asked by `user`: the reply as the member finally sees it (the chart
/// added once drawn), and whether the chart came in the first response already.
async fn stats_of(w: &World, user: u64, member: u64) -> (Value, bool) {
    let i = w
        .fake
        .slash_command(
            user,
            CHANNEL,
            "stats",
            json!([{ "name": "member", "type": 6, "value": member.to_string() }]),
        )
        .await;
    let first = i.response(&w.fake, WAIT).await.expect("a reply to /stats");
    assert_eq!(
        first["type"], 4,
        "the numbers at once, not a deferral: {first}"
    );
    assert_eq!(flags(&first) & 64, 64, "private");
    let charted = |m: &Value| m["embeds"][0]["image"]["url"] == "attachment://progress.png";
    if charted(&first["data"]) {
        return (first["data"].clone(), true);
    }
    assert!(
        first["data"]["embeds"][0]["image"].is_null(),
        "no chart yet: {first}"
    );
    let done = i
        .wait_original(&w.fake, WAIT, charted)
        .await
        .expect("the chart is added to the same reply once drawn");
    (done, false)
}

#[tokio::test]
async fn stats_answers_at_once_and_keeps_the_chart_until_the_next_scored_answer() {
    let w = World::new(1).await;
    let store = w.store().await;
    let content = bot::load_content(&store, Utc::now()).await.unwrap();
    let q = &content.bank.questions[0];
    let row = content.row_of(q).unwrap();
    let now = Utc::now();
    store
        .upsert_member(GUILD as i64, M0 as i64, "member-0", now)
        .await
        .unwrap();
    let attempt = |score: u8| NewAttempt {
        guild_id: GUILD as i64,
        channel_id: Some(CHANNEL as i64),
        user_id: M0 as i64,
        question_id: row,
        topic: &q.topic,
        context: AttemptContext::Practice,
        context_ref: None,
        answer: "seeded",
        score,
        covered: vec![],
        missed: vec![],
        hints_used: 0,
        submitted_at: now,
        local_date: now.date_naive(),
    };
    store.record_attempt(&attempt(40), false).await.unwrap();
    let bot = w.start_bot().await;
    let png_calls = || {
        w.fake
            .calls()
            .iter()
            .filter(|c| !c.files.is_empty())
            .count()
    };

    // First /stats: the numbers first, then the chart added to that reply.
    let (first, cached) = stats_of(&w, M0, M0).await;
    assert!(!cached, "nothing drawn yet");
    assert!(first.to_string().contains("40/100"), "{first}");
    assert_eq!(png_calls(), 1);
    // Again: the kept chart comes within the first response.
    let (again, cached) = stats_of(&w, M0, M0).await;
    assert!(cached, "the chart is kept: {again}");
    assert_eq!(png_calls(), 2, "sent with the reply");
    // Another member asking for the same member's statistics gets the same kept chart.
    let (_, cached) = stats_of(&w, ADMIN, M0).await;
    assert!(cached);

    // A scored answer changes what the chart draws: it is drawn again, after the numbers.
    store.record_attempt(&attempt(90), false).await.unwrap();
    let (after, cached) = stats_of(&w, M0, M0).await;
    assert!(!cached, "a new answer makes the kept chart stale");
    assert!(
        after.to_string().contains("65/100"),
        "the new average: {after}"
    );
    let (_, cached) = stats_of(&w, M0, M0).await;
    assert!(cached);
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn teams_can_be_created_joined_and_listed() {
    let w = World::new(2).await;
    let bot = w.start_bot().await;
    let r = w
        .command(
            M0,
            "team",
            sub(
                "create",
                json!([{ "name": "name", "type": 3, "value": "Owls" }]),
            ),
        )
        .await;
    assert!(
        r["data"]["content"].as_str().unwrap().contains("Owls"),
        "{r}"
    );
    let r = w
        .command(
            M1,
            "team",
            sub(
                "join",
                json!([{ "name": "name", "type": 3, "value": "owls" }]),
            ),
        )
        .await;
    assert!(
        r["data"]["content"]
            .as_str()
            .unwrap()
            .contains("now in team **Owls**"),
        "{r}"
    );
    let dup = w
        .command(
            M1,
            "team",
            sub(
                "create",
                json!([{ "name": "name", "type": 3, "value": "OWLS" }]),
            ),
        )
        .await;
    assert!(
        dup["data"]["content"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{dup}"
    );
    let list = w.command(M1, "team", sub("list", json!([]))).await;
    assert!(
        list["data"]["content"]
            .as_str()
            .unwrap()
            .contains("**Owls** — 2 member(s)"),
        "{list}"
    );
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn bad_options_get_a_clear_reply() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let r = w
        .command(
            M0,
            "question",
            json!([{ "name": "topic", "type": 3, "value": "Cooking" }]),
        )
        .await;
    let text = r["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("Unknown topic") && text.contains("Performance"),
        "{text}"
    );
    assert_eq!(flags(&r) & 64, 64);
    w.assert_clean();
    bot.stop().await;
}

// ---------------------------------------------------------------- daily drops

/// Today's posting minute in UTC, so a schedule set now is due now.
fn this_minute() -> String {
    Utc::now().format("%H:%M").to_string()
}

fn drop_messages(w: &World) -> Vec<Value> {
    w.messages()
        .into_iter()
        .filter(|m| m.to_string().contains("Daily question —"))
        .collect()
}

async fn set_daily(w: &World, user: u64, extra: Value) -> Value {
    let mut options = vec![
        json!({ "name": "time", "type": 3, "value": this_minute() }),
        json!({ "name": "timezone", "type": 3, "value": "Etc/UTC" }),
        json!({ "name": "window_hours", "type": 4, "value": 1 }),
    ];
    options.extend(extra.as_array().cloned().unwrap_or_default());
    w.command(user, "daily", sub("set", Value::Array(options)))
        .await
}

#[tokio::test]
async fn a_daily_drop_posts_once_takes_answers_and_reveals() {
    let w = World::new(2).await;
    let bot = w.start_bot().await;
    let r = set_daily(&w, ADMIN, json!([])).await;
    assert!(
        r["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Daily drop #1 set"),
        "{r}"
    );
    let drop = w.wait_message("Daily question —").await;
    let answer = custom_ids(&drop)
        .into_iter()
        .find(|c| c.starts_with("d:answer:"))
        .unwrap();
    // Two answers from one member: the first one is final, the second is refused politely.
    for (n, text) in ["not sure", GOOD_CLUSTER_ANSWER].into_iter().enumerate() {
        let click = w.fake.click(M0, &drop, &answer).await;
        let modal = click.modal(&w.fake, WAIT).await.expect("modal");
        let id = modal["custom_id"].as_str().unwrap().to_string();
        let r = w
            .fake
            .submit_modal(M0, CHANNEL, &id, &[("answer", text)])
            .await
            .reply(&w.fake, WAIT)
            .await
            .unwrap();
        assert_eq!(flags(&r) & 64, 64);
        assert!(
            !r.to_string().contains("Reference answer"),
            "no reference before the close: {r}"
        );
        if n == 1 {
            assert!(text_of(&r).contains("first answer is final"), "{r}");
        }
    }
    let reveal = w.wait_message("Daily reveal —").await.to_string();
    assert!(
        reveal.contains("\"value\":\"1\""),
        "one member answered: {reveal}"
    );
    assert!(reveal.contains("member-0"), "{reveal}");
    // Still exactly one drop, even though the timer ran several times.
    assert_eq!(drop_messages(&w).len(), 1);
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn daily_set_is_refused_without_manage_server_and_bad_timezones_are_explained() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let r = set_daily(&w, M0, json!([])).await;
    assert!(
        r["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Manage Server"),
        "{r}"
    );
    let daily = w
        .fake
        .guild_commands()
        .into_iter()
        .find(|c| c["name"] == "daily")
        .unwrap();
    assert_eq!(
        daily["default_member_permissions"], "32",
        "declared for Discord's own check too"
    );
    let r = w
        .command(
            ADMIN,
            "daily",
            sub(
                "set",
                json!([
                    { "name": "time", "type": 3, "value": "09:00" },
                    { "name": "timezone", "type": 3, "value": "Europe/Londn" }
                ]),
            ),
        )
        .await;
    let text = r["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("Did you mean") && text.contains("Europe/London"),
        "{text}"
    );
    let r = w
        .command(
            ADMIN,
            "daily",
            sub(
                "set",
                json!([
                    { "name": "time", "type": 3, "value": "9am" },
                    { "name": "timezone", "type": 3, "value": "Europe/London" }
                ]),
            ),
        )
        .await;
    assert!(
        r["data"]["content"].as_str().unwrap().contains("HH:MM"),
        "{r}"
    );
    // The shipped bank has no easy questions: a drop that could never post is refused.
    let r = set_daily(
        &w,
        ADMIN,
        json!([{ "name": "difficulty", "type": 4, "value": 0 }]),
    )
    .await;
    assert!(
        text_of(&r).contains("No question of that bank matches"),
        "{r}"
    );
    assert!(
        w.store()
            .await
            .schedules(GUILD as i64)
            .await
            .unwrap()
            .is_empty(),
        "nothing was saved"
    );
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn a_restart_across_the_drop_time_posts_once_and_a_missed_reveal_happens_at_start() {
    let w = World::new(1).await;
    // The schedule exists while the bot is down; its time passes.
    let store = w.store().await;
    let schedule = store
        .create_schedule(
            &interview_bot::store::NewSchedule {
                guild_id: GUILD as i64,
                channel_id: CHANNEL as i64,
                local_time: &this_minute(),
                timezone: "UTC",
                weekdays: 127,
                bank_id: None,
                topic: None,
                difficulty: None,
                window_hours: 1,
                ping_role_id: None,
                thread: false,
                created_by: ADMIN as i64,
            },
            Utc::now() - chrono::Duration::minutes(5),
        )
        .await
        .unwrap();
    let bot = w.start_bot().await;
    let drop = w.wait_message("Daily question —").await;
    assert!(
        drop.to_string().contains("Posted late") || !drop.to_string().contains("Note"),
        "{drop}"
    );
    // Down across the close: the reveal happens when the bot is back.
    bot.stop().await;
    w.fake.disconnect_all().await;
    let closes = store.recent_drops(schedule, 1).await.unwrap()[0]
        .closes_ms
        .expect("a posted drop closes");
    wait_past(chrono::DateTime::from_timestamp_millis(closes).unwrap()).await;
    let bot = w.start_bot().await;
    w.wait_message("Daily reveal —").await;
    // Restarted twice across the same day: still one post.
    bot.stop().await;
    w.fake.disconnect_all().await;
    let bot = w.start_bot().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(drop_messages(&w).len(), 1);
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn two_processes_on_one_database_post_a_drop_once() {
    let w = World::new(1).await;
    let a = w.start_bot().await;
    let b = w.start_bot().await;
    set_daily(&w, ADMIN, json!([])).await;
    w.wait_message("Daily question —").await;
    // Nothing more is posted: both processes stopped, their in-flight work (timer steps
    // included) drained, before counting — no fixed wait.
    a.stop().await;
    b.stop().await;
    assert_eq!(drop_messages(&w).len(), 1, "{:#?}", w.messages());
}

#[tokio::test]
async fn a_channel_without_permission_marks_the_schedule_failing_until_it_comes_back() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    w.fake.deny_channel(CHANNEL);
    set_daily(&w, ADMIN, json!([])).await;
    let store = w.store().await;
    let mut failing = None;
    for _ in 0..100 {
        failing = store.schedules(GUILD as i64).await.unwrap()[0]
            .failing
            .clone();
        if failing.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(failing.unwrap_or_default().contains("permission"));
    let list = w.command(ADMIN, "daily", sub("list", json!([]))).await;
    assert!(
        list["data"]["content"]
            .as_str()
            .unwrap()
            .contains("failing"),
        "{list}"
    );
    // Retries are paced (a quarter of a drop hour: 100 ms here, 15 minutes in production),
    // not a storm.
    let posts = |w: &World| {
        w.fake
            .calls()
            .iter()
            .filter(|c| c.method == "POST" && c.path.ends_with("/channels/2000/messages"))
            .count()
    };
    let before = posts(&w);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = posts(&w) - before;
    assert!(during <= 8, "{during} attempts in 500 ms");
    // The permission comes back: the same day's drop posts by itself, once, and the schedule
    // stops saying it fails.
    w.fake.allow_channel(CHANNEL);
    w.wait_message("Daily question —").await;
    let mut failing = Some(String::new());
    for _ in 0..100 {
        failing = store.schedules(GUILD as i64).await.unwrap()[0]
            .failing
            .clone();
        if failing.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(failing, None);
    // Stopped first: its in-flight work (timer steps, coalesced edits) is drained, so
    // what is counted below is final — no fixed wait.
    bot.stop().await;
    assert_eq!(drop_messages(&w).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_200_members_answering_at_once_is_stored_once_and_answered_in_time() {
    let w = World::new(200).await;
    let bot = w.start_bot().await;
    w.command(
        M0,
        "mock",
        sub("start", json!([{ "name": "questions", "type": 4, "value": 1 }, { "name": "seconds", "type": 4, "value": 600 }])),
    )
    .await;
    let lobby = w.wait_message("m:join:").await;
    let join = custom_ids(&lobby)
        .into_iter()
        .find(|c| c.starts_with("m:join:"))
        .unwrap();
    let round: i64 = join.split(':').nth(2).unwrap().parse().unwrap();
    let members: Vec<u64> = (1..200).map(|i| M0 + i).collect();
    let joins = members.iter().map(|&m| {
        let (fake, lobby, join) = (w.fake.clone(), lobby.clone(), join.clone());
        async move {
            fake.click(m, &lobby, &join)
                .await
                .response(&fake, WAIT)
                .await
        }
    });
    for r in futures_join_all(joins).await {
        assert!(r.is_some(), "every join was answered");
    }
    let question = w.wait_message(&format!("m:answer:{round}:0")).await;
    let _ = question;
    // Everyone submits at the same moment (the modal id is known from the button).
    let everyone: Vec<u64> = std::iter::once(M0).chain(members.iter().copied()).collect();
    let submits = everyone.iter().map(|&m| {
        let fake = w.fake.clone();
        let id = format!("m:modal:{round}:0");
        async move {
            let i = fake
                .submit_modal(m, CHANNEL, &id, &[("answer", GOOD_CLUSTER_ANSWER)])
                .await;
            i.reply(&fake, WAIT).await
        }
    });
    for r in futures_join_all(submits).await {
        let r = r.expect("every answer was acknowledged");
        assert!(r.to_string().contains("Answer received"), "{r}");
    }
    // All 200 answered: the round closes at once, long before its 600-second deadline.
    w.wait_message("Round over").await;
    let answers = w.store().await.round_answers(round).await.unwrap();
    assert_eq!(answers.len(), 200, "every answer stored exactly once");
    assert_eq!(w.fake.unanswered_interactions(), 0);
    w.assert_clean();
    bot.stop().await;
}

/// Run futures concurrently on this task (no extra crate needed for a test).
async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

const TINY_BANK: &str = include_str!("../fixtures/tiny-bank.toml");

/// `/bank import` with `text` attached as `filename`: the text of the bot's reply (it defers,
/// then answers in a follow-up).
async fn import_bank(
    w: &World,
    user: u64,
    filename: &str,
    text: impl AsRef<[u8]>,
    dry_run: bool,
) -> String {
    let file = w.fake.upload(filename, text.as_ref());
    let mut options = vec![json!({ "name": "file", "type": 11, "value": file.to_string() })];
    if dry_run {
        options.push(json!({ "name": "dry_run", "type": 5, "value": true }));
    }
    let i = w
        .fake
        .slash_command(user, CHANNEL, "bank", sub("import", Value::Array(options)))
        .await;
    let first = i.response(&w.fake, WAIT).await.expect("answered");
    if first["type"] == 4 {
        return first["data"]["content"].as_str().unwrap_or("").to_string();
    }
    let reply = i.wait_followup(&w.fake, WAIT).await.expect("a follow-up");
    reply["content"].as_str().unwrap_or("").to_string()
}

fn text_of(response: &Value) -> String {
    response["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_bad_bank_file_is_refused_with_its_line_number_and_nothing_changes() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    // A good bank first, so "nothing changes" has something to keep.
    let ok = import_bank(&w, ADMIN, "tiny.toml", TINY_BANK, false).await;
    assert!(ok.starts_with("Imported **Tiny test bank**"), "{ok}");
    let store = w.store().await;
    let before = store.server_banks(GUILD as i64).await.unwrap();
    assert_eq!(before.len(), 1);

    // The same bank, edited: a new question with an unknown difficulty on line 52, and an
    // empty prompt in another. The whole file is refused.
    let broken = format!(
        "{TINY_BANK}\n[[question]]\nid = \"tiny-new\"\ntopic = \"Testing\"\ndifficulty = \"brutal\"\nprompt = \"x\"\nreference = \"y\"\n"
    );
    let line = broken.lines().position(|l| l.contains("brutal")).unwrap() + 1;
    let refused = import_bank(&w, ADMIN, "tiny.toml", &broken, false).await;
    assert!(refused.contains("was refused"), "{refused}");
    assert!(refused.contains("nothing changed"), "{refused}");
    assert!(
        refused.contains(&format!("line {line}:")) && refused.contains("brutal"),
        "names the line {line}: {refused}"
    );
    assert_eq!(store.server_banks(GUILD as i64).await.unwrap(), before);

    // JSON is read with the same checks and lines.
    let json = "{\n  \"bank\": { \"id\": \"j\", \"name\": \"J\", \"version\": \"1\", \"level\": \"x\" },\n  \"question\": [\n    { \"id\": \"j-one\", \"topic\": \"T\", \"difficulty\": \"easy\",\n      \"prompt\": \"\", \"reference\": \"r\" }\n  ]\n}\n";
    let refused = import_bank(&w, ADMIN, "j.json", json, false).await;
    assert!(
        refused.contains("line 5: question[1] (j-one).prompt: must not be empty"),
        "{refused}"
    );

    // Not UTF-8, over the size limit, a dry run, and a member without Manage Server.
    let latin1 = import_bank(&w, ADMIN, "b.toml", b"[bank]\nname = \"Caf\xe9\"\n", false).await;
    assert!(latin1.contains("is not UTF-8 text"), "{latin1}");
    let big = "#".repeat(600 * 1024);
    let too_big = import_bank(&w, ADMIN, "big.toml", &big, false).await;
    assert!(too_big.contains("at most 512 KiB"), "{too_big}");
    let edited = TINY_BANK.replace("version = \"1.0.0\"", "version = \"1.1.0\"");
    let dry = import_bank(&w, ADMIN, "tiny.toml", &edited, true).await;
    assert!(
        dry.contains("is a valid bank") && dry.contains("nothing was imported"),
        "{dry}"
    );
    let member = import_bank(&w, M0, "tiny.toml", &edited, false).await;
    assert!(member.contains("Manage Server"), "{member}");
    assert_eq!(store.server_banks(GUILD as i64).await.unwrap(), before);
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn an_imported_bank_serves_questions_and_drops_and_is_kept_while_in_use() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    import_bank(&w, ADMIN, "tiny.toml", TINY_BANK, false).await;
    let list = w
        .command(M0, "bank", sub("list", json!([])))
        .await
        .to_string();
    assert!(list.contains("`tiny` — Tiny test bank"), "{list}");
    for (id, level) in [
        ("nodejs-fresher", "fresher"),
        ("nodejs-mid", "mid"),
        ("nodejs-senior", "senior"),
    ] {
        assert!(
            list.contains(&format!("`{id}`")) && list.contains(&format!("level {level}")),
            "{list}"
        );
    }
    // Built-in banks are chosen by id like a server's own: topics come from the fresher bank.
    let ac = w
        .fake
        .autocomplete(
            M0,
            CHANNEL,
            "question",
            json!([
                { "name": "bank", "type": 3, "value": "nodejs-fresher" },
                { "name": "topic", "type": 3, "value": "stream", "focused": true }
            ]),
        )
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap()
        .to_string();
    assert!(ac.contains("\"value\":\"Buffers and Streams\""), "{ac}");

    // Autocomplete offers it; another server would not see it (the store is per server).
    let ac = w
        .fake
        .autocomplete(
            M0,
            CHANNEL,
            "question",
            json!([{ "name": "bank", "type": 3, "value": "ti", "focused": true }]),
        )
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap();
    assert!(ac.to_string().contains("\"value\":\"tiny\""), "{ac}");
    // With the bank chosen, topics and question ids come from that bank.
    let ac = w
        .fake
        .autocomplete(
            M0,
            CHANNEL,
            "question",
            json!([
                { "name": "bank", "type": 3, "value": "tiny" },
                { "name": "topic", "type": 3, "value": "", "focused": true }
            ]),
        )
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap()
        .to_string();
    assert!(ac.contains("\"value\":\"Testing\""), "{ac}");
    assert!(
        !ac.contains("Scalability"),
        "only the tiny bank's topics: {ac}"
    );
    let ac = w
        .fake
        .autocomplete(
            M0,
            CHANNEL,
            "question",
            json!([
                { "name": "bank", "type": 3, "value": "tiny" },
                { "name": "id", "type": 3, "value": "", "focused": true }
            ]),
        )
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap()
        .to_string();
    assert!(ac.contains("\"value\":\"tiny-cluster\""), "{ac}");
    assert!(
        !ac.contains("node-"),
        "only the tiny bank's questions: {ac}"
    );
    assert!(
        w.store()
            .await
            .server_banks(GUILD as i64 + 1)
            .await
            .unwrap()
            .is_empty()
    );

    // A question from the server's bank, answered and scored against that bank.
    let i = w
        .fake
        .slash_command(
            M0,
            CHANNEL,
            "question",
            json!([
                { "name": "bank", "type": 3, "value": "tiny" },
                { "name": "id", "type": 3, "value": "tiny-cluster" }
            ]),
        )
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    let message = i.original(&w.fake).unwrap();
    assert!(
        message
            .to_string()
            .contains("cluster module in Node.js and how it implements scaling")
    );
    let answer = custom_ids(&message)
        .into_iter()
        .find(|c| c.starts_with("q:answer:"))
        .unwrap();
    let modal = w
        .fake
        .click(M0, &message, &answer)
        .await
        .modal(&w.fake, WAIT)
        .await
        .unwrap();
    let feedback = w
        .fake
        .submit_modal(
            M0,
            CHANNEL,
            modal["custom_id"].as_str().unwrap(),
            &[("answer", "The primary forks worker processes, one per CPU core; they share the same port and connections are distributed round robin.")],
        )
        .await
        .reply(&w.fake, WAIT)
        .await
        .unwrap()
        .to_string();
    assert!(
        feedback.contains("Worker processes"),
        "curated concepts of the tiny bank: {feedback}"
    );

    // A daily drop drawing from it; while it exists the bank cannot be removed.
    let r = set_daily(&w, ADMIN, json!([{ "name": "bank", "type": 3, "value": "tiny" }, { "name": "topic", "type": 3, "value": "testing" }])).await;
    assert!(text_of(&r).contains("Daily drop #1 set"), "{r}");
    let drop = w.wait_message("Daily question —").await.to_string();
    assert!(
        drop.contains("rejected promises"),
        "the tiny bank's Testing question: {drop}"
    );
    let r = w
        .command(
            ADMIN,
            "bank",
            sub(
                "remove",
                json!([{ "name": "bank", "type": 3, "value": "tiny" }]),
            ),
        )
        .await;
    assert!(text_of(&r).contains("still used by daily drop #1"), "{r}");
    assert_eq!(
        w.store()
            .await
            .server_banks(GUILD as i64)
            .await
            .unwrap()
            .len(),
        1
    );

    // Export gives the file back.
    let r = w
        .command(
            ADMIN,
            "bank",
            sub(
                "export",
                json!([{ "name": "bank", "type": 3, "value": "tiny" }]),
            ),
        )
        .await;
    let export = w
        .fake
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.path.contains("/callback") && c.body.to_string().contains("tiny.toml"));
    assert!(export.is_some(), "an attachment named tiny.toml: {r}");

    w.command(
        ADMIN,
        "daily",
        sub("remove", json!([{ "name": "id", "type": 4, "value": 1 }])),
    )
    .await;
    // A solo round from the bank: its question comes from the bank, and while the round is
    // open the bank stays.
    let r = w
        .command(
            M0,
            "mock",
            sub(
                "start",
                json!([
                    { "name": "bank", "type": 3, "value": "tiny" },
                    { "name": "topic", "type": 3, "value": "Performance" },
                    { "name": "questions", "type": 4, "value": 1 },
                    { "name": "mode", "type": 4, "value": 0 }
                ]),
            ),
        )
        .await;
    assert!(text_of(&r).contains("Solo round started"), "{r}");
    w.wait_message("cluster module in Node.js and how it implements scaling")
        .await;
    let remove_tiny = || {
        w.command(
            ADMIN,
            "bank",
            sub(
                "remove",
                json!([{ "name": "bank", "type": 3, "value": "tiny" }]),
            ),
        )
    };
    let r = remove_tiny().await;
    assert!(
        text_of(&r).contains("still used by 1 open mock round"),
        "{r}"
    );
    w.command(M0, "mock", sub("stop", json!([]))).await;
    let r = remove_tiny().await;
    assert!(text_of(&r).starts_with("Removed `tiny`"), "{r}");
    let r = w
        .command(
            M0,
            "question",
            json!([{ "name": "bank", "type": 3, "value": "tiny" }]),
        )
        .await;
    assert!(text_of(&r).contains("no bank `tiny`"), "{r}");
    let r = w
        .command(
            ADMIN,
            "bank",
            sub(
                "remove",
                json!([{ "name": "bank", "type": 3, "value": "nodejs-senior" }]),
            ),
        )
        .await;
    assert!(text_of(&r).contains("cannot be removed"), "{r}");
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn a_second_click_within_the_cooldown_is_refused_politely() {
    let w = World::new(1).await;
    let bot = w
        .start_bot_with(Timings {
            button_cooldown: Duration::from_secs(60),
            ..Timings::default()
        })
        .await;
    let i = w
        .fake
        .slash_command(
            M0,
            CHANNEL,
            "question",
            json!([{ "name": "id", "type": 3, "value": "node-cluster-module-scaling" }]),
        )
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    let message = i.original(&w.fake).unwrap();
    let hint = custom_ids(&message)
        .into_iter()
        .find(|c| c.starts_with("q:hint:"))
        .unwrap();
    let first = w.fake.click(M0, &message, &hint).await;
    assert!(
        first
            .response(&w.fake, WAIT)
            .await
            .unwrap()
            .to_string()
            .contains("Hint 1/")
    );
    let second = w.fake.click(M0, &message, &hint).await;
    let r = second.response(&w.fake, WAIT).await.unwrap();
    assert!(r.to_string().contains("try again in a moment"), "{r}");
    assert_eq!(flags(&r) & 64, 64, "only the clicker sees it");
    // Another member is not slowed down by the first one's clicks.
    let other = w.fake.click(ADMIN, &message, &hint).await;
    assert!(
        other
            .response(&w.fake, WAIT)
            .await
            .unwrap()
            .to_string()
            .contains("Hint 1/")
    );
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn a_round_in_a_channel_the_bot_cannot_post_in_is_explained_and_cancelled() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    w.fake.deny_channel(CHANNEL);
    let r = w.command(M0, "mock", sub("start", json!([]))).await;
    assert!(text_of(&r).contains("can't post in this channel"), "{r}");
    assert!(
        !text_of(&r).contains("error id"),
        "a clear reason, not an apology: {r}"
    );
    // The cancelled round does not hold the channel.
    w.fake.allow_channel(CHANNEL);
    let r = w.command(M0, "mock", sub("start", json!([]))).await;
    assert!(text_of(&r).contains("Round created"), "{r}");
    bot.stop().await;
}

// ---------------------------------------------------------------- metrics and health

/// GET /metrics until it contains every line of `wanted` (handlers record just after their
/// reply reaches Discord, so the first scrape may be early).
async fn scrape_until(addr: std::net::SocketAddr, wanted: &[&str]) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let r = support::http::get(addr, "/metrics").await;
        assert_eq!(r.status, 200, "{r:?}");
        assert!(
            r.headers
                .contains("content-type: text/plain; version=0.0.4"),
            "{}",
            r.headers
        );
        if wanted.iter().all(|line| r.body.lines().any(|l| l == *line)) {
            return r.body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "metrics never showed {wanted:#?}; last scrape:\n{}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn metrics_count_interactions_by_outcome_and_healthz_follows_the_gateway() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let listener = interview_bot::ops::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr();
    assert_ne!(addr.port(), 0, "the bound port is reported");
    let server = listener.serve(bot.ops_state(w.store().await));

    let health = support::http::get(addr, "/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));

    // A command that works, one refused politely, and an answer through button and modal.
    let i = w
        .fake
        .slash_command(
            M0,
            CHANNEL,
            "question",
            json!([{ "name": "id", "type": 3, "value": "node-cluster-module-scaling" }]),
        )
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    w.command(
        M0,
        "question",
        json!([{ "name": "topic", "type": 3, "value": "Cooking" }]),
    )
    .await;
    let message = i.original(&w.fake).unwrap();
    let answer_id = custom_ids(&message)
        .into_iter()
        .find(|c| c.starts_with("q:answer:"))
        .unwrap();
    let modal = w
        .fake
        .click(M0, &message, &answer_id)
        .await
        .modal(&w.fake, WAIT)
        .await
        .unwrap();
    let submit = w
        .fake
        .submit_modal(
            M0,
            CHANNEL,
            modal["custom_id"].as_str().unwrap(),
            &[("answer", GOOD_CLUSTER_ANSWER)],
        )
        .await;
    submit.reply(&w.fake, WAIT).await.unwrap();
    // A daily drop due this minute: a subcommand, and a drop posted on time.
    set_daily(&w, ADMIN, json!([])).await;
    w.wait_message("Daily question —").await;

    let text = scrape_until(
        addr,
        &[
            r#"interview_bot_interactions_total{kind="command",command="question",outcome="ok"} 1"#,
            r#"interview_bot_interactions_total{kind="command",command="question",outcome="user_error"} 1"#,
            r#"interview_bot_interactions_total{kind="component",command="q:answer",outcome="ok"} 1"#,
            r#"interview_bot_interactions_total{kind="modal",command="q:modal",outcome="ok"} 1"#,
            r#"interview_bot_interaction_duration_seconds_count{kind="command",command="question"} 2"#,
            r#"interview_bot_interaction_duration_seconds_bucket{kind="command",command="question",le="+Inf"} 2"#,
            r#"interview_bot_answers_scored_total{context="practice"} 1"#,
            r#"interview_bot_answers_scored_total{context="mock"} 0"#,
            r#"interview_bot_interactions_total{kind="command",command="daily set",outcome="ok"} 1"#,
            r#"interview_bot_daily_drops_total{outcome="posted"} 1"#,
            r#"interview_bot_daily_drops_total{outcome="skipped"} 0"#,
            r#"interview_bot_rounds_open 0"#,
            r#"interview_bot_gateway_connected{shard="0"} 1"#,
        ],
    )
    .await;
    // (Gateway latency appears after the first heartbeat is acknowledged; not yet here.)
    for family in [
        "# TYPE interview_bot_interaction_duration_seconds histogram",
        "# TYPE interview_bot_database_errors_total counter",
    ] {
        assert!(text.contains(family), "{family} missing:\n{text}");
    }
    // Every handler here takes well under 10 s: the histogram's 10 s bucket holds them all.
    assert!(
        text.contains(
            r#"interview_bot_interaction_duration_seconds_bucket{kind="command",command="question",le="10"} 2"#
        ),
        "{text}"
    );

    // Without a gateway connection the bot is not healthy, and says why.
    w.fake.disconnect_all().await;
    let deadline = std::time::Instant::now() + WAIT;
    let unhealthy = loop {
        let r = support::http::get(addr, "/healthz").await;
        if r.status != 200 {
            break r;
        }
        assert!(std::time::Instant::now() < deadline, "still healthy: {r:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(unhealthy.status, 503, "{unhealthy:?}");
    assert!(unhealthy.body.starts_with("gateway: "), "{unhealthy:?}");
    server.stop();
    // The client already ended with the fatal close; stop the timer and collect it.
    let _ = bot.shutdown_signal().send(true);
    let _ = bot.wait().await;
    w.assert_clean();
}

#[tokio::test]
async fn a_drop_pings_only_its_role_and_opens_a_discussion_thread() {
    let mut spec = GuildSpec::default_with_members(1);
    spec.roles.push((3000, "Study group".to_string(), 0));
    let w = World {
        fake: FakeDiscord::start(spec).await,
        dir: tempfile::tempdir().unwrap(),
    };
    let bot = w.start_bot().await;
    let r = set_daily(
        &w,
        ADMIN,
        json!([
            { "name": "ping_role", "type": 8, "value": "3000" },
            { "name": "thread", "type": 5, "value": true }
        ]),
    )
    .await;
    assert!(text_of(&r).contains("Daily drop #1 set"), "{r}");
    let drop = w.wait_message("Daily question —").await;
    assert_eq!(drop["content"], "<@&3000>");
    let post = w
        .fake
        .calls()
        .into_iter()
        .find(|c| {
            c.method == "POST"
                && c.path.ends_with("/channels/2000/messages")
                && c.body.to_string().contains("Daily question —")
        })
        .unwrap();
    let mentions = &post.body["allowed_mentions"];
    assert_eq!(mentions["roles"], json!(["3000"]), "{mentions}");
    assert!(
        mentions["parse"].as_array().is_none_or(|p| p.is_empty()),
        "no @everyone or user pings: {mentions}"
    );
    let mut threads = Vec::new();
    for _ in 0..100 {
        threads = w.fake.threads();
        if !threads.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(threads.len(), 1, "{threads:?}");
    assert!(
        threads[0]["name"]
            .as_str()
            .unwrap()
            .starts_with("Discussion — ")
    );
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn a_schedule_whose_pool_emptied_fails_for_good_and_is_counted() {
    let w = World::new(1).await;
    // Set up before its filters stopped matching (e.g. its bank was re-imported without those
    // questions): the shipped bank has no easy question.
    w.store()
        .await
        .create_schedule(
            &interview_bot::store::NewSchedule {
                guild_id: GUILD as i64,
                channel_id: CHANNEL as i64,
                local_time: &this_minute(),
                timezone: "UTC",
                weekdays: 127,
                bank_id: None,
                topic: None,
                difficulty: Some("easy"),
                window_hours: 1,
                ping_role_id: None,
                thread: false,
                created_by: ADMIN as i64,
            },
            Utc::now() - chrono::Duration::minutes(5),
        )
        .await
        .unwrap();
    let bot = w.start_bot().await;
    let listener = interview_bot::ops::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr();
    let _server = listener.serve(bot.ops_state(w.store().await));
    scrape_until(
        addr,
        &[
            r#"interview_bot_daily_drops_total{outcome="failed"} 1"#,
            r#"interview_bot_daily_drops_total{outcome="retrying"} 0"#,
        ],
    )
    .await;
    let schedule = &w.store().await.schedules(GUILD as i64).await.unwrap()[0];
    assert_eq!(
        schedule.failing.as_deref(),
        Some("no question matches its topic and difficulty")
    );
    assert!(drop_messages(&w).is_empty());
    bot.stop().await;
}

#[tokio::test]
async fn daily_now_retries_a_failed_drop_at_once_and_refuses_a_second_post() {
    let w = World::new(1).await;
    // Retries a quarter of a drop hour apart: 150 s here, so only /daily now can retry in time.
    let bot = w
        .start_bot_with(Timings {
            second: SECOND,
            lobby_seconds: 30,
            button_cooldown: Duration::ZERO,
            drop_hour: Duration::from_secs(600),
            drop_grace: Duration::from_secs(2 * 3600),
            ..Timings::default()
        })
        .await;
    w.fake.deny_channel(CHANNEL);
    set_daily(&w, ADMIN, json!([])).await;
    let store = w.store().await;
    for _ in 0..100 {
        if store.schedules(GUILD as i64).await.unwrap()[0]
            .failing
            .is_some()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    w.fake.allow_channel(CHANNEL);
    let daily_now = || {
        w.fake.slash_command(
            ADMIN,
            CHANNEL,
            "daily",
            sub("now", json!([{ "name": "id", "type": 4, "value": 1 }])),
        )
    };
    let i = daily_now().await;
    i.response(&w.fake, WAIT).await.unwrap();
    let reply = i.wait_followup(&w.fake, WAIT).await.unwrap();
    assert_eq!(reply["content"], "Posted. Check the channel.", "{reply}");
    assert_eq!(drop_messages(&w).len(), 1);
    let again = daily_now().await.response(&w.fake, WAIT).await.unwrap();
    assert!(text_of(&again).contains("already posted"), "{again}");
    assert_eq!(drop_messages(&w).len(), 1);
    w.assert_clean();
    bot.stop().await;
}

// ---------------------------------------------------------------- issue 12: faults and limits

/// Start a `/mock start` group round of `questions` and have `players[1..]` join; the round id.
/// M0 starts a solo round of one 60-second question; its question message.
async fn start_solo_round(w: &World) -> Value {
    w.command(
        M0,
        "mock",
        sub(
            "start",
            json!([
                { "name": "questions", "type": 4, "value": 1 },
                { "name": "seconds", "type": 4, "value": 60 },
                { "name": "mode", "type": 4, "value": 0 }
            ]),
        ),
    )
    .await;
    w.wait_message("m:answer:").await
}

async fn group_round(w: &World, players: &[u64], questions: i64, seconds: i64) -> i64 {
    w.command(
        players[0],
        "mock",
        sub(
            "start",
            json!([
                { "name": "questions", "type": 4, "value": questions },
                { "name": "seconds", "type": 4, "value": seconds }
            ]),
        ),
    )
    .await;
    join_lobby(w, &players[1..], None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_question_of_a_group_round_is_revealed_when_all_answer_at_once_on_a_slow_api() {
    // Posts take 250 ms, as on a busy Discord: the reveal that the last answer claims is still
    // being posted when the other answers' handlers and the timer look at the round.
    let w = World::new(4).await;
    w.fake
        .add_latency("POST /api/v10/channels/", Duration::from_millis(250));
    let bot = w.start_bot().await;
    let players = [M0, M1, M2, 5003];
    let round = group_round(&w, &players, 3, 300).await;
    for position in 0..3 {
        let q = w
            .wait_message(&format!("m:answer:{round}:{position}"))
            .await;
        let mut modals = Vec::new();
        for &m in &players {
            let click = w
                .fake
                .click(m, &q, &format!("m:answer:{round}:{position}"))
                .await;
            let modal = click.modal(&w.fake, WAIT).await.expect("a modal");
            modals.push((m, modal["custom_id"].as_str().unwrap().to_string()));
        }
        let replies = futures_join_all(modals.into_iter().map(|(m, id)| {
            let fake = w.fake.clone();
            async move {
                fake.submit_modal(m, CHANNEL, &id, &[("answer", GOOD_CLUSTER_ANSWER)])
                    .await
                    .reply(&fake, WAIT)
                    .await
                    .unwrap()
            }
        }))
        .await;
        for r in replies {
            assert!(
                r.to_string().contains("Answer received"),
                "question {position}: {r}"
            );
        }
    }
    w.wait_message("Round over").await;
    // Stopped first: its in-flight work (timer steps, coalesced edits) is drained, so
    // what is counted below is final — no fixed wait.
    bot.stop().await;
    let texts: Vec<String> = w.messages().iter().map(Value::to_string).collect();
    let index = |needle: &str| {
        let found: Vec<usize> = texts
            .iter()
            .enumerate()
            .filter(|(_, t)| t.contains(needle))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found.len(), 1, "{needle:?} once: {texts:#?}");
        found[0]
    };
    let mut last = 0;
    for n in 1..=3 {
        let question = index(&format!("m:answer:{round}:{}", n - 1));
        let reveal = index(&format!("Reveal — question {n}"));
        assert!(
            last <= question && question < reveal,
            "question {n} then its reveal: {texts:#?}"
        );
        last = reveal;
    }
    assert!(last < index("Round over"), "the summary comes last");
    assert_eq!(
        w.store().await.round_answers(round).await.unwrap().len(),
        12
    );
    w.assert_clean();
}

/// A drop row as a killed process leaves it: claimed, never recorded as posted.
async fn seed_claimed_drop(w: &World, channel: u64) -> (i64, i64) {
    let store = w.store().await;
    let schedule = store
        .create_schedule(
            &interview_bot::store::NewSchedule {
                guild_id: GUILD as i64,
                channel_id: channel as i64,
                local_time: &this_minute(),
                timezone: "UTC",
                weekdays: 127,
                bank_id: None,
                topic: None,
                difficulty: None,
                window_hours: 1,
                ping_role_id: None,
                thread: false,
                created_by: ADMIN as i64,
            },
            Utc::now() - chrono::Duration::minutes(5),
        )
        .await
        .unwrap();
    let pool = sqlx::SqlitePool::connect(&w.db_url()).await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO drops (schedule_id, local_date, state, due_ms) VALUES (?, ?, 'claimed', ?) RETURNING id",
    )
    .bind(schedule)
    .bind(Utc::now().date_naive().to_string())
    .bind(Utc::now().timestamp_millis() - 30_000)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    (schedule, id)
}

async fn wait_drop_state(w: &World, drop: i64, state: &str) -> interview_bot::store::DropRow {
    let store = w.store().await;
    for _ in 0..300 {
        let row = store.drop_by_id(drop).await.unwrap();
        if row.state.as_str() == state {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "drop {drop} never became {state}: {:?}",
        store.drop_by_id(drop).await.unwrap()
    );
}

#[tokio::test]
async fn a_drop_killed_between_claim_and_record_is_taken_over_and_posted_once() {
    let w = World::new(1).await;
    // Killed between the claim and the post: nothing went out.
    let (_, unposted) = seed_claimed_drop(&w, CHANNEL).await;
    // Killed between the post and its record: the message is out, with the drop's nonce.
    let (_, posted) = seed_claimed_drop(&w, 2001).await;
    let before = w.fake.seed_bot_message(
        2001,
        &json!({
            "embeds": [{ "title": "Daily question — posted before the kill" }],
            "nonce": format!("d{posted}"),
            "enforce_nonce": true,
            "allowed_mentions": { "parse": [] },
        }),
    );
    let bot = w.start_bot().await;
    let a = wait_drop_state(&w, unposted, "posted").await;
    let b = wait_drop_state(&w, posted, "posted").await;
    assert_eq!(drop_messages(&w).len(), 1, "posted once");
    assert_eq!(
        a.message_id.map(|m| m.to_string()),
        drop_messages(&w)[0]["id"].as_str().map(str::to_string)
    );
    let practice = w.fake.channel_messages(2001);
    assert_eq!(practice.len(), 1, "not posted twice: {practice:#?}");
    assert_eq!(
        b.message_id.map(|m| m.to_string()),
        before["id"].as_str().map(str::to_string),
        "the first message is the drop's"
    );
    // Both are revealed at their close, once.
    wait_drop_state(&w, unposted, "revealed").await;
    wait_drop_state(&w, posted, "revealed").await;
    // Stopped first: its in-flight work (timer steps, coalesced edits) is drained, so
    // what is counted below is final — no fixed wait.
    bot.stop().await;
    let reveals = |c| {
        w.fake
            .channel_messages(c)
            .iter()
            .filter(|m| m.to_string().contains("Daily reveal"))
            .count()
    };
    assert_eq!((reveals(CHANNEL), reveals(2001)), (1, 1));
    w.assert_clean();
}

#[tokio::test]
async fn a_refused_command_registration_stops_the_bot_and_healthz_says_so() {
    let w = World::new(1).await;
    let config = BotConfig {
        token: Secret::new("fake-token"),
        database_url: w.db_url(),
        // Not a server the bot is in: Discord answers 404 Unknown Guild.
        dev_guild_id: Some(999),
        api_base: Some(w.fake.base_url()),
        timings: Timings::default(),
        cooling_off_days: 30,
        sharding: Sharding::Auto,
        judge: None,
    };
    let handle = bot::start(config, w.store().await).await.unwrap();
    let listener = interview_bot::ops::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr();
    let _server = listener.serve(handle.ops_state(w.store().await));
    w.fake
        .wait_for_call(WAIT, |c| c.path.ends_with("/guilds/999/commands"))
        .await
        .expect("registration tried");
    assert!(w.fake.wait_ready(WAIT).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let health = support::http::get(addr, "/healthz").await;
    assert_eq!(health.status, 503, "{}", health.body);
    assert!(health.body.contains("framework"), "{}", health.body);
    let ended = tokio::time::timeout(
        Duration::from_secs(10),
        handle.run_until(std::future::pending::<()>()),
    )
    .await
    .expect("the bot stops by itself");
    let error = format!("{:#}", ended.unwrap_err());
    assert!(
        error.contains("register") && error.contains("DEV_GUILD_ID"),
        "{error}"
    );
}

/// Every string option of every registered command, as (command path, option).
fn string_options(commands: &[Value]) -> Vec<(String, Value)> {
    fn walk(path: &str, options: &[Value], out: &mut Vec<(String, Value)>) {
        for o in options {
            let here = format!("{path} {}", o["name"].as_str().unwrap_or("?"));
            if o["type"] == 3 {
                out.push((here.clone(), o.clone()));
            }
            if let Some(inner) = o["options"].as_array() {
                walk(&here, inner, out);
            }
        }
    }
    let mut out = Vec::new();
    for c in commands {
        let name = c["name"].as_str().unwrap_or("?");
        walk(
            name,
            c["options"].as_array().map_or(&[][..], |v| v),
            &mut out,
        );
    }
    out
}

#[tokio::test]
async fn long_input_and_long_lists_get_replies_within_discords_limits() {
    let w = World::new(2).await;
    let bot = w.start_bot().await;
    let missing: Vec<String> = string_options(&w.fake.guild_commands())
        .into_iter()
        .filter(|(_, o)| o["max_length"].as_u64().is_none_or(|m| m > 1000))
        .map(|(path, _)| path)
        .collect();
    assert!(
        missing.is_empty(),
        "string options without max_length: {missing:?}"
    );
    // A client that ignores max_length: the refusal still fits.
    let long = "x".repeat(6000);
    let r = w
        .command(
            M0,
            "team",
            sub(
                "join",
                json!([{ "name": "name", "type": 3, "value": long }]),
            ),
        )
        .await;
    let text = text_of(&r);
    assert!(text.chars().count() <= 2000 && text.contains('…'), "{r}");
    // 71 teams with long names.
    let store = w.store().await;
    for i in 0..71 {
        store
            .create_team(
                GUILD as i64,
                &format!("team {i:02} with a long long name"),
                10_000 + i,
                Utc::now(),
            )
            .await
            .unwrap();
    }
    let r = w.command(M0, "team", sub("list", json!([]))).await;
    let text = text_of(&r);
    assert!(text.contains("team 00"), "{r}");
    assert!(text.chars().count() <= 2000, "{}", text.chars().count());
    w.assert_clean();
    bot.stop().await;
}

/// A bank whose one question has a prompt and reference at the 4,096-character limit.
fn huge_bank() -> String {
    let prompt = format!("Explain worker threads. {}", "Why and how? ".repeat(300));
    let reference = format!(
        "Worker threads share memory. {}",
        "They use SharedArrayBuffer and postMessage. ".repeat(90)
    );
    let prompt: String = prompt.chars().take(4000).collect();
    let reference: String = reference.chars().take(4000).collect();
    format!(
        "[bank]\nid = \"huge\"\nname = \"Huge\"\nversion = \"1.0.0\"\nlevel = \"senior\"\ndescription = \"Long texts.\"\n\n[[question]]\nid = \"huge-workers\"\ntopic = \"Concurrency\"\ndifficulty = \"hard\"\nprompt = \"{prompt}\"\nreference = \"{reference}\"\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reveal_of_a_long_imported_question_stays_under_the_embed_total() {
    let w = World::new(16).await;
    let bot = w
        .start_bot_with(Timings {
            second: SECOND,
            lobby_seconds: 150,
            button_cooldown: Duration::ZERO,
            drop_hour: DROP_HOUR,
            drop_grace: Duration::from_secs(2 * 3600),
            ..Timings::default()
        })
        .await;
    let imported = import_bank(&w, ADMIN, "huge.toml", huge_bank(), false).await;
    assert!(imported.contains("huge"), "{imported}");
    w.command(
        M0,
        "mock",
        sub(
            "start",
            json!([
                { "name": "questions", "type": 4, "value": 1 },
                { "name": "seconds", "type": 4, "value": 60 },
                { "name": "bank", "type": 3, "value": "huge" }
            ]),
        ),
    )
    .await;
    let players: Vec<u64> = (0..16).map(|i| M0 + i).collect();
    let round = join_lobby(&w, &players[1..], None).await;
    // Names full of markdown, which escaping doubles: the score lines fill their field.
    let store = w.store().await;
    for &p in &players {
        store
            .upsert_member(GUILD as i64, p as i64, &"*".repeat(32), Utc::now())
            .await
            .unwrap();
    }
    answer_round_question(&w, M0, round, 0, &"*_".repeat(1500)).await;
    w.wait_message("Round over").await;
    let reveal = w.wait_message("Reveal — question 1").await;
    assert!(reveal.to_string().contains("Best answer"), "{reveal}");
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn components_refuse_ids_of_another_server_or_channel() {
    let w = World::new(2).await;
    let bot = w.start_bot().await;
    let store = w.store().await;
    let tiny =
        interview_bot::domain::bank::Bank::from_toml_str("tiny-bank.toml", TINY_BANK).unwrap();
    let foreign = store
        .store_bank(Some(1001), &tiny, TINY_BANK, None, Utc::now())
        .await
        .unwrap();
    let row = foreign.question_id("tiny-cluster").unwrap();
    // Some message of the bot in this server to click on.
    let i = w
        .fake
        .slash_command(M0, CHANNEL, "question", json!([]))
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    let message = i.original(&w.fake).unwrap();

    let skip = w
        .fake
        .forged_click(M0, &message, &format!("q:skip:{row}"))
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap();
    assert!(
        !skip.to_string().contains("child_process.fork"),
        "another server's reference is not shown: {skip}"
    );
    let answered = w
        .fake
        .submit_modal(
            M0,
            CHANNEL,
            &format!("q:modal:{row}:1"),
            &[("answer", GOOD_CLUSTER_ANSWER)],
        )
        .await
        .reply(&w.fake, WAIT)
        .await
        .unwrap();
    assert!(!answered.to_string().contains("Score:"), "{answered}");
    let stats = store
        .member_stats(GUILD as i64, M0 as i64, Utc::now())
        .await
        .unwrap();
    assert_eq!(stats.attempts, 0, "no attempt stored");

    // A round of another server, and one in another channel of this server.
    let questions = [row];
    let new_round = |guild: i64, channel: i64| interview_bot::store::NewRound {
        guild_id: guild,
        channel_id: channel,
        started_by: 1,
        mode: interview_bot::domain::round::Mode::Group,
        seconds_per_q: 60,
        question_ids: &questions,
        topic: None,
        difficulty: None,
        lobby_until: Utc::now() + chrono::Duration::hours(1),
    };
    let elsewhere = store
        .create_round(&new_round(1001, 3000), Utc::now())
        .await
        .unwrap();
    let other_channel = store
        .create_round(&new_round(GUILD as i64, 2001), Utc::now())
        .await
        .unwrap();
    for round in [elsewhere, other_channel] {
        let r = w
            .fake
            .forged_click(M1, &message, &format!("m:join:{round}"))
            .await
            .response(&w.fake, WAIT)
            .await
            .unwrap();
        assert!(!r.to_string().contains("joined"), "round {round}: {r}");
        assert!(store.participants(round).await.unwrap().is_empty());
    }
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_answers_coalesces_the_answered_edits() {
    // Edits take 150 ms: one edit per answer would queue behind the route's bucket.
    let w = World::new(10).await;
    w.fake
        .add_latency("PATCH /api/v10/channels/", Duration::from_millis(150));
    let bot = w.start_bot().await;
    let players: Vec<u64> = (0..10).map(|i| M0 + i).collect();
    let round = group_round(&w, &players, 2, 300).await;
    let q = w.wait_message(&format!("m:answer:{round}:0")).await;
    let q_id = q["id"].as_str().unwrap().to_string();
    let mut modals = Vec::new();
    for &m in &players {
        let click = w.fake.click(m, &q, &format!("m:answer:{round}:0")).await;
        let modal = click.modal(&w.fake, WAIT).await.expect("a modal");
        modals.push((m, modal["custom_id"].as_str().unwrap().to_string()));
    }
    let replies = futures_join_all(modals.into_iter().map(|(m, id)| {
        let fake = w.fake.clone();
        async move {
            fake.submit_modal(m, CHANNEL, &id, &[("answer", GOOD_CLUSTER_ANSWER)])
                .await
                .reply(&fake, WAIT)
                .await
                .unwrap()
        }
    }))
    .await;
    assert!(
        replies
            .iter()
            .all(|r| r.to_string().contains("Answer received"))
    );
    w.wait_message("Reveal — question 1").await;
    // Stopped first: its in-flight work (timer steps, coalesced edits) is drained, so
    // what is counted below is final — no fixed wait.
    bot.stop().await;
    let edits = w
        .fake
        .calls()
        .iter()
        .filter(|c| c.method == "PATCH" && c.path.ends_with(&format!("/messages/{q_id}")))
        .count();
    assert!(edits < 5, "{edits} edits for 10 answers");
    w.assert_clean();
}

#[tokio::test]
async fn posts_answered_with_429_are_tried_again_and_land_once() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    // One global 429, then two of the channel's message route, each with a retry_after.
    w.fake.global_rate_limit(1, Duration::from_millis(50));
    w.fake.rate_limit(
        "POST /api/v10/channels/2000/messages",
        2,
        Duration::from_millis(100),
    );
    set_daily(&w, ADMIN, json!([])).await;
    w.wait_message("Daily question —").await;
    w.wait_message("Daily reveal —").await;
    // Stopped first: its in-flight work (timer steps, coalesced edits) is drained, so
    // what is counted below is final — no fixed wait.
    bot.stop().await;
    assert_eq!(drop_messages(&w).len(), 1, "posted once");
    let reveals = w
        .messages()
        .iter()
        .filter(|m| m.to_string().contains("Daily reveal —"))
        .count();
    assert_eq!(reveals, 1, "revealed once");
    assert_eq!(w.fake.rate_limited_calls(), 3, "every 429 was met");
    assert_eq!(w.fake.early_rate_limited_calls(), 0, "each retry waited");
    w.assert_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_under_429s_and_latency_posts_each_step_once() {
    // Every post and edit takes 80 ms, and the buckets empty at each stage of the round: the
    // lobby's post twice, then a post or edit of each question, then every route at once.
    // Each 429 closes its route for its retry_after, as Discord's buckets do, so a retry that
    // came too early would be refused again and a post given up would be missing here.
    let w = World::new(2).await;
    w.fake
        .add_latency("POST /api/v10/channels/", Duration::from_millis(80));
    w.fake
        .add_latency("PATCH /api/v10/channels/", Duration::from_millis(80));
    let bot = w.start_bot().await;
    const POSTS: &str = "POST /api/v10/channels/2000/messages";
    const EDITS: &str = "PATCH /api/v10/channels/2000/messages/";
    w.fake.rate_limit(POSTS, 2, Duration::from_millis(200));
    let players = [M0, M1];
    let round = group_round(&w, &players, 2, 300).await;
    for position in 0..2 {
        w.wait_message(&format!("m:answer:{round}:{position}"))
            .await;
        if position == 0 {
            w.fake.rate_limit(POSTS, 1, Duration::from_millis(150));
            w.fake.rate_limit(EDITS, 1, Duration::from_millis(150));
        } else {
            w.fake.global_rate_limit(1, Duration::from_millis(100));
        }
        for &m in &players {
            let r = answer_round_question(&w, m, round, position, GOOD_CLUSTER_ANSWER).await;
            assert!(r.to_string().contains("Answer received"), "{r}");
        }
    }
    w.wait_message("Round over").await;
    // Stopped first: its in-flight work (timer steps, coalesced edits) is drained, so
    // what is counted below is final — no fixed wait.
    bot.stop().await;
    let texts: Vec<String> = w.messages().iter().map(Value::to_string).collect();
    let once = |needle: &str| {
        let n = texts.iter().filter(|t| t.contains(needle)).count();
        assert_eq!(n, 1, "{needle:?} once: {texts:#?}");
    };
    once("Mock round (group)");
    for n in 1..=2 {
        once(&format!("m:answer:{round}:{}", n - 1));
        once(&format!("Reveal — question {n}"));
    }
    once("Round over");
    assert_eq!(texts.len(), 6, "lobby, two questions, two reveals, summary");
    assert_eq!(w.store().await.round_answers(round).await.unwrap().len(), 4);
    assert_eq!(w.fake.unused_rate_limits(), 0, "every bucket emptied");
    assert!(w.fake.rate_limited_calls() >= 5);
    assert_eq!(
        w.fake.early_rate_limited_calls(),
        0,
        "no call repeated before its retry_after"
    );
    w.assert_clean();
}

// ---- Fair competition (issue 13) ----

async fn question_message(w: &World, user: u64, slug: &str) -> Value {
    let i = w
        .fake
        .slash_command(
            user,
            CHANNEL,
            "question",
            json!([{ "name": "id", "type": 3, "value": slug }]),
        )
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    i.original(&w.fake).expect("the question message")
}

async fn all_time_board(store: &Store) -> Vec<(i64, i64)> {
    use interview_bot::domain::period::{Period, window};
    store
        .leaderboard(&interview_bot::store::BoardQuery {
            guild_id: GUILD as i64,
            window: window(Period::AllTime, Utc::now(), chrono_tz::Tz::UTC),
            topic: None,
            page: 0,
            page_size: 10,
        })
        .await
        .unwrap()
        .rows
        .iter()
        .map(|r| (r.user_id, r.points))
        .collect()
}

#[tokio::test]
async fn question_is_practice_and_hints_follow_the_member_across_messages() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let slug = "node-cluster-module-scaling";
    // A hint taken on one message is charged on an answer given on another.
    let first = question_message(&w, M0, slug).await;
    let second = question_message(&w, M0, slug).await;
    let hint = format!(
        "q:hint:{}",
        custom_ids(&first)[0].split(':').nth(2).unwrap()
    );
    let r = w
        .fake
        .click(M0, &first, &hint)
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap();
    assert!(text_of(&r).contains("Hint 1/"), "{r}");
    let answer = custom_ids(&second)
        .into_iter()
        .find(|c| c.starts_with("q:answer:"))
        .unwrap();
    let modal = w
        .fake
        .click(M0, &second, &answer)
        .await
        .modal(&w.fake, WAIT)
        .await
        .unwrap();
    let scored = w
        .fake
        .submit_modal(
            M0,
            CHANNEL,
            modal["custom_id"].as_str().unwrap(),
            &[("answer", GOOD_CLUSTER_ANSWER)],
        )
        .await
        .reply(&w.fake, WAIT)
        .await
        .unwrap();
    let embed = scored["data"]["embeds"][0].to_string();
    assert!(
        embed.contains("Hints used"),
        "charged across messages: {embed}"
    );
    assert!(embed.contains("Practice"), "{embed}");
    // Practice: in the stats, never on the board.
    let store = w.store().await;
    let stats = store
        .member_stats(GUILD as i64, M0 as i64, Utc::now())
        .await
        .unwrap();
    assert_eq!(stats.attempts, 1);
    assert!(
        all_time_board(&store).await.is_empty(),
        "practice never counts"
    );
    w.assert_clean();
    bot.stop().await;
}

async fn submit_drop_answer(w: &World, user: u64, drop: &Value, text: &str) -> Value {
    let answer = custom_ids(drop)
        .into_iter()
        .find(|c| c.starts_with("d:answer:"))
        .unwrap();
    let modal = w
        .fake
        .click(user, drop, &answer)
        .await
        .modal(&w.fake, WAIT)
        .await
        .expect("modal");
    w.fake
        .submit_modal(
            user,
            CHANNEL,
            modal["custom_id"].as_str().unwrap(),
            &[("answer", text)],
        )
        .await
        .reply(&w.fake, WAIT)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_open_drop_is_kept_from_question_and_copies_resubmits_and_seen_answers_do_not_count() {
    let w = World::new(3).await;
    let bot = w.start_bot().await;
    set_daily(&w, ADMIN, json!([])).await;
    let drop = w.wait_message("Daily question —").await;
    let drop_id: i64 = custom_ids(&drop)
        .into_iter()
        .find_map(|c| c.strip_prefix("d:answer:").map(|s| s.parse().unwrap()))
        .unwrap();
    let store = w.store().await;
    let row = store
        .drop_by_id(drop_id)
        .await
        .unwrap()
        .question_id
        .unwrap();
    let (slug, reference): (String, String) =
        sqlx::query_as("SELECT slug, reference FROM questions WHERE id = ?")
            .bind(row)
            .fetch_one(store.sqlite_pool().unwrap())
            .await
            .unwrap();

    // /question neither posts nor autocompletes the open drop's question.
    let r = w
        .command(
            M0,
            "question",
            json!([{ "name": "id", "type": 3, "value": slug }]),
        )
        .await;
    assert!(text_of(&r).contains("open in this server"), "{r}");
    let ac = w
        .fake
        .autocomplete(
            M0,
            CHANNEL,
            "question",
            json!([{ "name": "id", "type": 3, "value": slug, "focused": true }]),
        )
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap()
        .to_string();
    assert!(!ac.contains(&format!("\"value\":\"{slug}\"")), "{ac}");

    // M1 pastes the reference: flagged, counts 0.
    let r = submit_drop_answer(&w, M1, &drop, &reference).await;
    assert!(r.to_string().contains("counts 0"), "{r}");
    // M0 answers, then tries again after reading the feedback: the first answer is final.
    submit_drop_answer(&w, M0, &drop, "It depends on the event loop, I think.").await;
    let r = submit_drop_answer(&w, M0, &drop, &reference).await;
    assert!(text_of(&r).contains("first answer is final"), "{r}");
    // M2 had seen the reference (a Skip last week): the answer is stored, not counted.
    store
        .mark_seen(
            GUILD as i64,
            M2 as i64,
            row,
            interview_bot::store::SeenSource::Skip,
            Utc::now() - chrono::Duration::days(7),
        )
        .await
        .unwrap();
    let r = submit_drop_answer(&w, M2, &drop, "Mostly the event loop, and a worker or two.").await;
    assert!(r.to_string().contains("saw this question"), "{r}");

    w.wait_message("Daily reveal —").await;
    let board = all_time_board(&store).await;
    let m0 = board.iter().find(|(u, _)| *u == M0 as i64).copied();
    assert!(m0.is_some(), "{board:?}");
    assert!(
        board.contains(&(M1 as i64, 0)),
        "a copy counts 0: {board:?}"
    );
    assert!(
        !board.iter().any(|(u, _)| *u == M2 as i64),
        "seen: {board:?}"
    );
    // After the reveal the question can be practised again.
    let r = w
        .command(
            M0,
            "question",
            json!([{ "name": "id", "type": 3, "value": slug }]),
        )
        .await;
    assert_eq!(r["type"], 4);
    assert!(!text_of(&r).contains("open in this server"), "{r}");
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn score_review_override_and_appeal_end_to_end() {
    let w = World::new(2).await;
    let store = w.store().await;
    let content = interview_bot::bot::load_content(&store, Utc::now())
        .await
        .unwrap();
    let row = content
        .row_of(content.bank.questions.first().unwrap())
        .unwrap();
    let now = Utc::now();
    store
        .upsert_member(GUILD as i64, M0 as i64, "member-0", now)
        .await
        .unwrap();
    let attempt = |user: u64| NewAttempt {
        guild_id: GUILD as i64,
        channel_id: Some(CHANNEL as i64),
        user_id: user as i64,
        question_id: row,
        topic: "Performance",
        context: AttemptContext::Mock,
        context_ref: None,
        answer: "a pasted <@&1> **answer**",
        score: 90,
        covered: vec![],
        missed: vec![],
        hints_used: 0,
        submitted_at: now,
        local_date: now.date_naive(),
    };
    let copied = store.record_attempt(&attempt(M0), true).await.unwrap();
    let other = store.record_attempt(&attempt(M1), false).await.unwrap();
    let bot = w.start_bot().await;

    // A member appeals their own answer, not someone else's.
    let appeal = |id: i64, reason: &str| {
        sub(
            "appeal",
            json!([
                { "name": "attempt", "type": 4, "value": id },
                { "name": "reason", "type": 3, "value": reason }
            ]),
        )
    };
    let r = w.command(M0, "score", appeal(other.attempt_id, "x")).await;
    assert!(text_of(&r).contains("Not found"), "{r}");
    let r = w
        .command(
            M0,
            "score",
            appeal(copied.attempt_id, "I wrote it myself @everyone"),
        )
        .await;
    assert!(text_of(&r).contains("sent to the moderators"), "{r}");

    // Review needs Manage Messages; it lists the copied and appealed answer, escaped.
    let r = w.command(M1, "score", sub("review", json!([]))).await;
    assert!(text_of(&r).contains("Manage Messages"), "{r}");
    let r = w.command(ADMIN, "score", sub("review", json!([]))).await;
    let text = text_of(&r);
    assert_eq!(flags(&r) & 64, 64, "private");
    assert!(
        text.contains(&format!("#{}", copied.attempt_id)) && text.contains("copied"),
        "{text}"
    );
    assert!(text.contains("I wrote it myself"), "{text}");
    assert!(
        text.contains("\\*\\*answer\\*\\*"),
        "user text escaped: {text}"
    );
    let mentions = &r["data"]["allowed_mentions"];
    assert!(
        mentions.is_object() && mentions["parse"].as_array().is_none_or(Vec::is_empty),
        "mentions disabled: {r}"
    );

    // The override: the audit trail, the board, and the member's private /stats.
    let r = w
        .command(
            ADMIN,
            "score",
            sub(
                "override",
                json!([
                    { "name": "attempt", "type": 4, "value": copied.attempt_id },
                    { "name": "score", "type": 4, "value": 65 },
                    { "name": "reason", "type": 3, "value": "own words, partly" }
                ]),
            ),
        )
        .await;
    assert!(text_of(&r).contains("90 → 65"), "{r}");
    assert_eq!(store.overrides(copied.attempt_id).await.unwrap().len(), 1);
    let board = all_time_board(&store).await;
    assert!(board.contains(&(M0 as i64, 65)), "{board:?}");
    let r = w.command(M0, "stats", json!([])).await;
    assert_eq!(flags(&r) & 64, 64);
    let stats = r["data"]["embeds"][0].to_string();
    assert!(
        stats.contains("Moderator changes") && stats.contains("own words, partly"),
        "{stats}"
    );
    let r = w.command(ADMIN, "score", sub("review", json!([]))).await;
    assert!(text_of(&r).contains("Nothing to review"), "{r}");
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn server_timezone_moves_today_for_new_answers() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let set = |name: &str| {
        sub(
            "timezone",
            json!([{ "name": "name", "type": 3, "value": name }]),
        )
    };
    let r = w.command(M0, "server", set("Etc/GMT+12")).await;
    assert!(text_of(&r).contains("Manage Server"), "{r}");
    let r = w.command(ADMIN, "server", set("Etc/GMT+12")).await;
    assert!(text_of(&r).contains("timezone is now Etc/GMT+12"), "{r}");
    let r = w.command(ADMIN, "server", set("Mars/Olympus")).await;
    assert!(text_of(&r).contains("not an IANA timezone"), "{r}");
    let ac = w
        .fake
        .autocomplete(
            ADMIN,
            CHANNEL,
            "server",
            sub(
                "timezone",
                json!([{ "name": "name", "type": 3, "value": "kiriti", "focused": true }]),
            ),
        )
        .await
        .response(&w.fake, WAIT)
        .await
        .unwrap()
        .to_string();
    assert!(ac.contains("Pacific/Kiritimati"), "{ac}");

    practise(&w, "node-cluster-module-scaling").await;
    w.command(ADMIN, "server", set("Etc/GMT-14")).await;
    practise(&w, "node-libuv-thread-pool").await;
    let store = w.store().await;
    let dates: Vec<String> =
        sqlx::query_scalar("SELECT local_date FROM attempts WHERE guild_id = ? ORDER BY id")
            .bind(GUILD as i64)
            .fetch_all(store.sqlite_pool().unwrap())
            .await
            .unwrap();
    // UTC−12 and UTC+14 are 26 hours apart: never the same calendar day.
    assert_eq!(dates.len(), 2);
    assert!(dates[0] < dates[1], "{dates:?}");
    assert_eq!(
        store.server_timezone(GUILD as i64).await.unwrap().name(),
        "Etc/GMT-14"
    );
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn server_digest_turns_on_says_when_and_turns_off() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let on = sub(
        "digest",
        json!([{ "name": "channel", "type": 7, "value": CHANNEL.to_string() }]),
    );
    let r = w.command(M0, "server", on.clone()).await;
    assert!(text_of(&r).contains("Manage Server"), "{r}");
    let r = w.command(ADMIN, "server", on).await;
    assert!(
        text_of(&r).contains(&format!("posted in <#{CHANNEL}> every Monday at 09:00")),
        "{r}"
    );
    let store = w.store().await;
    let setting = store.digest_setting(GUILD as i64).await.unwrap().unwrap();
    assert_eq!(setting.channel_id, CHANNEL as i64);
    let r = w.command(ADMIN, "server", sub("digest", json!([]))).await;
    assert!(text_of(&r).contains("the next is due <t:"), "{r}");
    let off = sub(
        "digest",
        json!([{ "name": "off", "type": 5, "value": true }]),
    );
    let r = w.command(ADMIN, "server", off).await;
    assert!(text_of(&r).contains("The weekly digest is off"), "{r}");
    assert!(store.digest_setting(GUILD as i64).await.unwrap().is_none());
    w.assert_clean();
    bot.stop().await;
}

/// M0 answers `slug` through `/question` (practice).
async fn practise(w: &World, slug: &str) {
    let m = question_message(w, M0, slug).await;
    let id = custom_ids(&m)
        .into_iter()
        .find(|c| c.starts_with("q:answer:"))
        .unwrap();
    let modal = w
        .fake
        .click(M0, &m, &id)
        .await
        .modal(&w.fake, WAIT)
        .await
        .unwrap();
    w.fake
        .submit_modal(
            M0,
            CHANNEL,
            modal["custom_id"].as_str().unwrap(),
            &[("answer", GOOD_CLUSTER_ANSWER)],
        )
        .await
        .reply(&w.fake, WAIT)
        .await
        .unwrap();
}

mod answer_forms;
mod judge;
mod review;

/// Issue 26.8: the cooldown map keeps the clicks of one cooldown, not every member who ever
/// clicked.
#[test]
fn the_button_cooldown_forgets_clicks_older_than_the_cooldown() {
    let cooldowns = bot::Cooldowns::new(Duration::from_secs(2));
    let start = std::time::Instant::now();
    for user in 0..1000 {
        assert!(cooldowns.allow(user, "answer", start));
    }
    assert!(!cooldowns.allow(7, "answer", start + Duration::from_secs(1)));
    assert!(cooldowns.allow(7, "hint", start + Duration::from_secs(1)));
    // One cooldown later the old clicks decide nothing and are gone.
    let later = start + Duration::from_secs(3);
    assert!(cooldowns.allow(7, "answer", later));
    assert_eq!(
        cooldowns.len(),
        1,
        "only the clicks of the last cooldown are kept"
    );
}
