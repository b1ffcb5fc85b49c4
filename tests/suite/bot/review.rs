//! `/review`, `adaptive:True` and `/server retention` end to end against the loopback server.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use interview_bot::app::ManualClock;
use interview_bot::domain::adaptive::ItemKey;
use interview_bot::domain::bank::Difficulty;
use interview_bot::store::Store;
use interview_bot::store::reviews::ReviewAttempt;
use serde_json::{Value, json};

use super::{
    ADMIN, CHANNEL, GOOD_CLUSTER_ANSWER, GUILD, M0, M1, TINY_BANK, WAIT, World, all_time_board,
    custom_ids, flags, sub, test_timings,
};

pub(super) const CLUSTER: &str = "node-cluster-module-scaling";
const LEAK: &str = "node-memory-leak-profiling";

/// M0 answered `slug` of the senior bank `days_ago` with `score`, so it is due now.
pub(super) async fn remembered(store: &Store, slug: &str, days_ago: i64, score: u8) {
    let now = Utc::now();
    remembered_at(store, slug, now - Duration::days(days_ago), now, score).await;
}

/// M0 answered `slug` of the senior bank at `answered` with `score`, so it is due at `now`.
async fn remembered_at(
    store: &Store,
    slug: &str,
    answered: DateTime<Utc>,
    now: DateTime<Utc>,
    score: u8,
) {
    let key = ItemKey::new("nodejs-senior", slug);
    let s = store
        .record_review_attempt(&ReviewAttempt {
            guild_id: GUILD as i64,
            user_id: M0 as i64,
            key: &key,
            topic: "Scalability",
            difficulty: Difficulty::Medium,
            score,
            hints_used: 0,
            at: answered,
        })
        .await
        .unwrap();
    assert!(s.scheduled.state.due <= now, "{slug} is due");
}

fn content(r: &Value) -> String {
    r["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `/review next`: the ephemeral reply carrying the question and its Answer button.
pub(super) async fn review_next(w: &World) -> (Value, Value) {
    let i = w
        .fake
        .slash_command(M0, CHANNEL, "review", sub("next", json!([])))
        .await;
    let r = i.response(&w.fake, WAIT).await.unwrap();
    let message = i.original(&w.fake).expect("the review message");
    (r, message)
}

/// Click the review's Answer button and submit `text`; the scored reply.
async fn answer_review(w: &World, message: &Value, text: &str) -> Value {
    let answer = custom_ids(message)
        .into_iter()
        .find(|c| c.starts_with("r:answer:"))
        .expect("an Answer button");
    let modal = w
        .fake
        .click(M0, message, &answer)
        .await
        .modal(&w.fake, WAIT)
        .await
        .expect("a modal");
    let id = modal["custom_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("r:modal:"), "{id}");
    w.fake
        .submit_modal(M0, CHANNEL, &id, &[("answer", text)])
        .await
        .reply(&w.fake, WAIT)
        .await
        .unwrap()
}

/// `/review status` and `/review next` go by the bot's clock, not the machine's (#26): with the
/// clock 400 days ahead, a question answered 20 days before it is due, though by the wall clock
/// it was answered in the future.
#[tokio::test]
async fn review_commands_read_the_bots_clock() {
    let w = World::new(1).await;
    let later = Utc::now() + Duration::days(400);
    {
        let store = w.store().await;
        remembered_at(&store, CLUSTER, later - Duration::days(20), later, 70).await;
        store.close().await;
    }
    let bot = w
        .start_bot_on(test_timings(), Arc::new(ManualClock::new(later)))
        .await;
    let status = w.command(M0, "review", sub("status", json!([]))).await;
    assert!(content(&status).contains("Due now: 1."), "{status}");
    let (r, _) = review_next(&w).await;
    assert!(r.to_string().contains("cluster module"), "{r}");
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn reviews_are_answered_rescheduled_and_survive_a_restart() {
    let w = World::new(1).await;
    {
        let store = w.store().await;
        // The cluster question is the more forgotten one: it comes first.
        remembered(&store, CLUSTER, 20, 70).await;
        remembered(&store, LEAK, 5, 70).await;
        store.close().await;
    }
    let bot = w.start_bot().await;
    let status = w.command(M0, "review", sub("status", json!([]))).await;
    assert!(content(&status).contains("Due now: 2."), "{status}");

    let (r, message) = review_next(&w).await;
    assert_eq!(flags(&r) & 64, 64, "ephemeral");
    let text = r.to_string();
    assert!(
        text.contains("cluster module"),
        "the cluster question first: {text}"
    );
    assert!(
        text.contains("Why this one") && text.contains("due for review"),
        "{text}"
    );
    let scored = answer_review(&w, &message, GOOD_CLUSTER_ANSWER).await;
    assert_eq!(flags(&scored) & 64, 64);
    let e = &scored["data"]["embeds"][0];
    assert!(e["title"].as_str().unwrap().starts_with("Score: "), "{e}");
    let footer = e["footer"]["text"].as_str().unwrap();
    assert!(footer.contains("next review in "), "{footer}");
    bot.stop().await;

    // A restart between two reviews: the schedule lives in the database.
    let bot = w.start_bot().await;
    let (_, message) = review_next(&w).await;
    assert!(
        message.to_string().contains("memory leaks"),
        "the memory-leak question next, the cluster one is rescheduled: {message}"
    );
    let scored = answer_review(&w, &message, "I do not know.").await;
    let footer = scored["data"]["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        footer.contains("Review (again)") && footer.contains("hour"),
        "a miss comes back within a day: {footer}"
    );
    let (r, _) = review_next(&w).await;
    assert!(content(&r).contains("Nothing is due for review"), "{r}");
    let status = w.command(M0, "review", sub("status", json!([]))).await;
    let s = content(&status);
    assert!(
        s.contains("Due now: none.") && s.contains("2 questions in memory"),
        "{s}"
    );
    assert!(s.contains("1 of 2 due reviews passed"), "{s}");

    // Reviews are practice: stored as such, never on the boards.
    let store = w.store().await;
    let stats = store
        .member_stats(GUILD as i64, M0 as i64, Utc::now())
        .await
        .unwrap();
    assert_eq!(stats.attempts, 2);
    assert!(all_time_board(&store).await.is_empty());
    let history = store.review_history(GUILD as i64, M0 as i64).await.unwrap();
    let cluster = &history.reviews[&ItemKey::new("nodejs-senior", CLUSTER)];
    assert_eq!(cluster.reps, 2);
    assert!(cluster.due > Utc::now() + Duration::days(1), "{cluster:?}");
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn adaptive_question_and_round_say_why_and_every_answer_is_scheduled() {
    let w = World::new(2).await;
    let bot = w.start_bot().await;
    // A /question answer (practice) is learned from like a review.
    let i = w
        .fake
        .slash_command(
            M0,
            CHANNEL,
            "question",
            json!([{ "name": "id", "type": 3, "value": CLUSTER }]),
        )
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    let message = i.original(&w.fake).unwrap();
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
    let store = w.store().await;
    let history = store.review_history(GUILD as i64, M0 as i64).await.unwrap();
    assert!(
        history
            .reviews
            .contains_key(&ItemKey::new("nodejs-senior", CLUSTER))
    );
    assert_eq!(history.skills.values().map(|r| r.answers).sum::<u32>(), 1);

    let i = w
        .fake
        .slash_command(
            M0,
            CHANNEL,
            "question",
            json!([{ "name": "adaptive", "type": 5, "value": true }]),
        )
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    let posted = i.original(&w.fake).unwrap().to_string();
    assert!(
        posted.contains("Why this one") && posted.contains("Chosen for"),
        "{posted}"
    );
    assert!(
        !posted.contains("cluster module"),
        "not the question just answered: {posted}"
    );

    let both = w
        .command(
            M0,
            "question",
            json!([
                { "name": "id", "type": 3, "value": CLUSTER },
                { "name": "adaptive", "type": 5, "value": true }
            ]),
        )
        .await;
    assert!(content(&both).contains("not both"), "{both}");

    let group = w
        .command(
            M1,
            "mock",
            sub(
                "start",
                json!([
                    { "name": "adaptive", "type": 5, "value": true },
                    { "name": "mode", "type": 4, "value": 1 }
                ]),
            ),
        )
        .await;
    assert!(content(&group).contains("solo round"), "{group}");
    let solo = w
        .command(
            M1,
            "mock",
            sub(
                "start",
                json!([
                    { "name": "adaptive", "type": 5, "value": true },
                    { "name": "questions", "type": 4, "value": 2 }
                ]),
            ),
        )
        .await;
    let text = content(&solo);
    assert!(text.contains("2 question(s) chosen for you"), "{text}");
    assert!(
        text.contains("Why these:\n1. ") && text.contains("\n2. "),
        "{text}"
    );
    assert!(text.contains("a topic you have not tried yet"), "{text}");
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn retention_is_a_manage_server_setting_between_080_and_095() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let set = |user: u64, value: f64| {
        let w = &w;
        async move {
            content(
                &w.command(
                    user,
                    "server",
                    sub(
                        "retention",
                        json!([{ "name": "value", "type": 10, "value": value }]),
                    ),
                )
                .await,
            )
        }
    };
    let r = set(M0, 0.85).await;
    assert!(r.contains("Manage Server"), "{r}");
    for bad in [0.7, 0.96, 90.0] {
        let r = set(ADMIN, bad).await;
        assert!(r.contains("between 0.80 and 0.95"), "{bad}: {r}");
    }
    let store = w.store().await;
    assert_eq!(
        store.desired_retention(GUILD as i64).await.unwrap().get(),
        0.90
    );
    let r = set(ADMIN, 0.85).await;
    assert!(r.contains("0.85") && r.contains("85%"), "{r}");
    assert_eq!(
        store.desired_retention(GUILD as i64).await.unwrap().get(),
        0.85
    );
    let shown = content(
        &w.command(ADMIN, "server", sub("retention", json!([])))
            .await,
    );
    assert!(shown.contains("aim for 0.85"), "{shown}");
    let server = w
        .fake
        .guild_commands()
        .into_iter()
        .find(|c| c["name"] == "server")
        .unwrap();
    let option = &server["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "retention")
        .unwrap()["options"][0];
    assert_eq!(
        (option["min_value"].as_f64(), option["max_value"].as_f64()),
        (Some(0.8), Some(0.95))
    );
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn review_buttons_refuse_another_servers_question() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let store = w.store().await;
    let tiny =
        interview_bot::domain::bank::Bank::from_toml_str("tiny-bank.toml", TINY_BANK).unwrap();
    let foreign = store
        .store_bank(Some(1001), &tiny, TINY_BANK, None, Utc::now())
        .await
        .unwrap();
    let row = foreign.question_id("tiny-cluster").unwrap();
    let i = w
        .fake
        .slash_command(M0, CHANNEL, "question", json!([]))
        .await;
    i.response(&w.fake, WAIT).await.unwrap();
    let message = i.original(&w.fake).unwrap();
    let click = w
        .fake
        .forged_click(M0, &message, &format!("r:answer:{row}"))
        .await;
    let r = click.response(&w.fake, WAIT).await.unwrap();
    assert_ne!(r["type"], 9, "no modal for another server's question: {r}");
    let answered = w
        .fake
        .submit_modal(
            M0,
            CHANNEL,
            &format!("r:modal:{row}"),
            &[("answer", GOOD_CLUSTER_ANSWER)],
        )
        .await
        .reply(&w.fake, WAIT)
        .await
        .unwrap();
    assert!(!answered.to_string().contains("Score:"), "{answered}");
    let history = store.review_history(GUILD as i64, M0 as i64).await.unwrap();
    assert!(history.reviews.is_empty(), "nothing learned");
    w.assert_clean();
    bot.stop().await;
}
