//! The optional AI judge against a loopback OpenAI-compatible server, on both engines: valid
//! replies (second opinion and primary), a slow reply past the timeout, 429 with Retry-After,
//! 500, malformed and schema-violating replies, a budget running out, a server without
//! `response_format`, and a process stopping while a reply is outstanding. In every case the
//! answer is stored with the built-in score first and nothing waits on the model.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use interview_bot::app::judge::{AiJudge, JudgeJob, JudgeLimits, Judged, QuestionSource};
use interview_bot::app::outbound::BoxFuture;
use interview_bot::app::{self, Answering, Clock, ManualClock};
use interview_bot::bot::{Library, load_content};
use interview_bot::domain::bank::Question;
use interview_bot::domain::judging::{CountedBy, JudgeMode};
use interview_bot::judge_client::OpenAiClient;
use interview_bot::ops::Metrics;
use interview_bot::store::{AttemptContext, Store};

use crate::support::model_server::{ModelServer, Reply};

#[derive(Debug, Clone, Copy)]
enum Db {
    Sqlite,
    Postgres,
}

const GUILD: i64 = 1;

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    clock: Arc<ManualClock>,
    library: Arc<Library>,
    metrics: Metrics,
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

impl World {
    async fn new(db: Db) -> Option<World> {
        let dir = tempfile::tempdir().unwrap();
        let url = match db {
            Db::Sqlite => format!("sqlite://{}", dir.path().join("bot.db").display()),
            Db::Postgres => crate::support::postgres::fresh_database().await?,
        };
        let store = Store::connect(&url).await.unwrap();
        let clock = Arc::new(ManualClock::new(t("2026-12-08T10:00:00Z")));
        let library = Arc::new(Library::new(
            load_content(&store, clock.now()).await.unwrap(),
        ));
        store.ensure_server(GUILD, clock.now()).await.unwrap();
        Some(World {
            _dir: dir,
            store,
            clock,
            library,
            metrics: Metrics::new(),
        })
    }

    fn judge(&self, server: &ModelServer, limits: JudgeLimits) -> AiJudge {
        let client = OpenAiClient::new(
            &server.base_url(),
            "test-model",
            Some(interview_bot::config::Secret::new("sk-test")),
            limits.timeout,
        )
        .unwrap();
        AiJudge::new(Arc::new(client), limits, self.metrics.clone())
    }

    /// The shipped bank's first question (it has curated concepts) and its row.
    fn question(&self) -> (Question, i64) {
        let shipped = self.library.shipped();
        let q = shipped.bank.questions[0].clone();
        let row = shipped.row_of(&q).unwrap();
        (q, row)
    }

    /// Store `answer` as member `user`'s practice answer with the built-in score.
    async fn answer(&self, user: i64, answer: &str) -> app::Scored {
        let shipped = self.library.shipped();
        let (q, row) = self.question();
        app::score_and_record(
            &self.store,
            self.clock.as_ref(),
            &Answering {
                guild_id: GUILD,
                channel_id: None,
                user_id: user,
                question_row: row,
                bank: &shipped.bank.meta.id,
                question: &q,
                corpus: &shipped.corpus,
                answer,
                context: AttemptContext::Practice,
                context_ref: None,
                hints_used: 0,
            },
        )
        .await
        .unwrap()
    }

    /// Store an answer, mark it pending under `mode` and judge it.
    async fn judged(
        &self,
        judge: &AiJudge,
        user: i64,
        answer: &str,
        mode: JudgeMode,
    ) -> (app::Scored, Judged) {
        let scored = self.answer(user, answer).await;
        judge
            .mark_pending(&self.store, self.clock.as_ref(), scored.attempt_id, mode)
            .await
            .unwrap();
        let (q, row) = self.question();
        let job = job(&scored, &q, row, answer);
        let judged = judge
            .judge(&self.store, self.clock.as_ref(), &job, mode)
            .await
            .unwrap();
        (scored, judged)
    }

    async fn stored(&self, attempt: i64) -> interview_bot::store::judgements::StoredJudgement {
        self.store.judgement(GUILD, attempt).await.unwrap().unwrap()
    }
}

/// The judgement of a stored answer of server 1, without hints.
fn job(scored: &app::Scored, question: &Question, question_row: i64, answer: &str) -> JudgeJob {
    JudgeJob {
        attempt_id: scored.attempt_id,
        guild_id: GUILD,
        question_row,
        question: question.clone(),
        answer: answer.to_string(),
        builtin: scored.total,
        hints_used: 0,
    }
}

fn limits(timeout_ms: u64, budget: u32) -> JudgeLimits {
    JudgeLimits {
        timeout: Duration::from_millis(timeout_ms),
        concurrency: 2,
        daily_budget: budget,
    }
}

const ANSWER: &str = "The event loop runs callbacks from its queues when the call stack is empty.";

async fn a_valid_second_opinion_is_attached_beside_the_built_in_score_and_cached(db: Db) {
    let Some(w) = World::new(db).await else {
        return;
    };
    let server = ModelServer::start(Reply::score(83)).await;
    let judge = w.judge(&server, limits(5_000, 10));
    let (scored, judged) = w.judged(&judge, 11, ANSWER, JudgeMode::SecondOpinion).await;
    let Judged::Verdict {
        verdict,
        counted,
        cached,
    } = judged
    else {
        panic!("expected a verdict, got {judged:?}");
    };
    assert_eq!(
        (verdict.score, counted.by, cached),
        (83, CountedBy::BuiltIn, false)
    );
    assert_eq!(counted.score, scored.total);
    let s = w.stored(scored.attempt_id).await;
    assert_eq!(
        s.score,
        i64::from(scored.total),
        "the built-in score still counts"
    );
    assert_eq!(
        (s.ai_score, s.builtin_score),
        (Some(83), Some(i64::from(scored.total)))
    );
    assert_eq!(
        (s.judge_state.as_deref(), s.ai_model.as_deref()),
        (Some("judged"), Some("test-model"))
    );
    // What was sent: the question, the reference, the concepts by id, the answer fenced, the
    // schema, the key as a bearer token.
    let sent = &server.requests()[0];
    let (q, _) = w.question();
    let prompt = sent["messages"][1]["content"].as_str().unwrap();
    assert!(
        prompt.contains(q.prompt.trim()) && prompt.contains("- C1: "),
        "{prompt}"
    );
    assert!(
        prompt.contains(&format!("<answer>\n{ANSWER}\n</answer>")),
        "{prompt}"
    );
    assert_eq!(sent["response_format"]["type"], "json_schema");
    assert_eq!(sent["model"], "test-model");
    assert_eq!(
        server.authorizations()[0].as_deref(),
        Some("Bearer sk-test")
    );
    // The same answer again (spacing and case aside) comes from the cache: no new request.
    let again = ANSWER.to_uppercase().replace(' ', "  ");
    let (_, judged) = w.judged(&judge, 12, &again, JudgeMode::SecondOpinion).await;
    assert!(
        matches!(judged, Judged::Verdict { cached: true, .. }),
        "{judged:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

async fn in_primary_mode_a_valid_ai_score_counts_and_the_built_in_one_is_kept(db: Db) {
    let Some(w) = World::new(db).await else {
        return;
    };
    let server = ModelServer::start(Reply::score(97)).await;
    let judge = w.judge(&server, limits(5_000, 10));
    let (scored, judged) = w.judged(&judge, 11, ANSWER, JudgeMode::Primary).await;
    let Judged::Verdict { counted, .. } = judged else {
        panic!("{judged:?}")
    };
    assert_eq!((counted.score, counted.by), (97, CountedBy::Ai));
    let s = w.stored(scored.attempt_id).await;
    assert_eq!((s.score, s.counted_by.as_str()), (97, "ai"));
    assert_eq!(s.builtin_score, Some(i64::from(scored.total)));
}

async fn a_reply_slower_than_the_timeout_leaves_the_built_in_score_standing(db: Db) {
    let Some(w) = World::new(db).await else {
        return;
    };
    let server = ModelServer::start(Reply::After(
        Duration::from_secs(5),
        Box::new(Reply::score(90)),
    ))
    .await;
    let judge = w.judge(&server, limits(200, 10));
    let (scored, judged) = w.judged(&judge, 11, ANSWER, JudgeMode::Primary).await;
    let Judged::BuiltInStands { why } = judged else {
        panic!("{judged:?}")
    };
    assert!(why.contains("in time"), "{why}");
    let s = w.stored(scored.attempt_id).await;
    assert_eq!((s.score, s.ai_score), (i64::from(scored.total), None));
    assert_eq!(s.judge_state.as_deref(), Some("failed"));
    assert!(
        w.metrics
            .encode()
            .unwrap()
            .contains("judge_requests_total{outcome=\"timeout\"} 1")
    );
    // A 5xx whose retry cannot fit in the timeout stands as the server's error, not as a
    // rate limit.
    let failing = ModelServer::start(Reply::Status(500, vec![], "oops".into())).await;
    let judge = w.judge(&failing, limits(150, 10));
    let (_, judged) = w
        .judged(
            &judge,
            12,
            "Another answer about the loop.",
            JudgeMode::Primary,
        )
        .await;
    assert!(
        matches!(&judged, Judged::BuiltInStands { why } if why.contains("had an error")),
        "{judged:?}"
    );
    assert_eq!(
        failing.requests().len(),
        1,
        "no retry that cannot finish in time"
    );
}

async fn a_429_is_retried_after_its_retry_after_and_a_500_twice_gives_up(db: Db) {
    let Some(w) = World::new(db).await else {
        return;
    };
    let server = ModelServer::start(Reply::score(70)).await;
    server.then(Reply::Status(
        429,
        vec![("retry-after-ms", "50".into())],
        "slow down".into(),
    ));
    let judge = w.judge(&server, limits(5_000, 10));
    let (_, judged) = w.judged(&judge, 11, ANSWER, JudgeMode::SecondOpinion).await;
    assert!(
        matches!(&judged, Judged::Verdict { verdict, .. } if verdict.score == 70),
        "{judged:?}"
    );
    assert_eq!(server.requests().len(), 2, "one retry after the 429");
    // A 429 whose Retry-After does not fit in the timeout is not waited for.
    server.then(Reply::Status(
        429,
        vec![("retry-after", "60".into())],
        String::new(),
    ));
    let (scored, judged) = w
        .judged(
            &judge,
            12,
            "Callbacks run when the stack is empty.",
            JudgeMode::SecondOpinion,
        )
        .await;
    assert!(
        matches!(&judged, Judged::BuiltInStands { why } if why.contains("busy")),
        "{judged:?}"
    );
    assert_eq!(
        w.stored(scored.attempt_id).await.judge_state.as_deref(),
        Some("failed")
    );
    assert_eq!(server.requests().len(), 3);
    server.then(Reply::Status(500, vec![], "oops".into()));
    server.then(Reply::Status(503, vec![], "oops".into()));
    let (scored, judged) = w
        .judged(
            &judge,
            13,
            "The loop polls for I/O and runs timers.",
            JudgeMode::Primary,
        )
        .await;
    assert!(
        matches!(&judged, Judged::BuiltInStands { why } if why.contains("error")),
        "{judged:?}"
    );
    assert_eq!(
        server.requests().len(),
        5,
        "one retry after a 5xx, then the built-in score"
    );
    assert_eq!(
        w.stored(scored.attempt_id).await.score,
        i64::from(scored.total)
    );
}

async fn malformed_and_schema_violating_replies_are_rejected_and_counted(db: Db) {
    let Some(w) = World::new(db).await else {
        return;
    };
    let server = ModelServer::start(Reply::Content("I think this deserves a 7/10".into())).await;
    let judge = w.judge(&server, limits(5_000, 10));
    let answers = [
        "first answer about the loop",
        "second answer about the loop",
        "third answer about the loop",
    ];
    server.then(Reply::Content("not json at all".into()));
    server.then(Reply::Content(
        r#"{"score": 150, "covered": [], "missed": [], "contradicted": [], "misconceptions": [], "advice": ""}"#.into(),
    ));
    server.then(Reply::Content(
        r#"{"score": 50, "covered": ["C99"], "missed": [], "contradicted": [], "misconceptions": [], "advice": ""}"#.into(),
    ));
    for (i, a) in answers.iter().enumerate() {
        let (scored, judged) = w.judged(&judge, 11 + i as i64, a, JudgeMode::Primary).await;
        assert!(
            matches!(&judged, Judged::BuiltInStands { why } if why.contains("not valid")),
            "{judged:?}"
        );
        let s = w.stored(scored.attempt_id).await;
        assert_eq!(
            (s.score, s.ai_score, s.judge_state.as_deref()),
            (i64::from(scored.total), None, Some("rejected"))
        );
    }
    let metrics = w.metrics.encode().unwrap();
    for reason in ["malformed", "out_of_range", "unknown_id"] {
        assert!(
            metrics.contains(&format!(
                "judge_replies_rejected_total{{reason=\"{reason}\"}} 1"
            )),
            "{reason}: {metrics}"
        );
    }
}

async fn a_spent_daily_budget_sends_nothing_until_the_servers_next_day(db: Db) {
    let Some(w) = World::new(db).await else {
        return;
    };
    let server = ModelServer::start(Reply::score(60)).await;
    let judge = w.judge(&server, limits(5_000, 2));
    for (i, a) in ["one answer", "two answers", "three answers"]
        .iter()
        .enumerate()
    {
        let (scored, judged) = w
            .judged(&judge, 11 + i as i64, a, JudgeMode::SecondOpinion)
            .await;
        if i < 2 {
            assert!(matches!(judged, Judged::Verdict { .. }), "{i}: {judged:?}");
        } else {
            assert!(
                matches!(&judged, Judged::BuiltInStands { why } if why.contains("budget")),
                "{judged:?}"
            );
            assert_eq!(
                w.stored(scored.attempt_id).await.judge_state.as_deref(),
                Some("failed")
            );
        }
    }
    assert_eq!(server.requests().len(), 2, "nothing sent past the budget");
    w.clock.advance(chrono::Duration::days(1));
    let (_, judged) = w
        .judged(&judge, 20, "four answers", JudgeMode::SecondOpinion)
        .await;
    assert!(matches!(judged, Judged::Verdict { .. }), "{judged:?}");
    assert_eq!(server.requests().len(), 3);
}

async fn a_server_without_response_format_is_asked_for_plain_json_from_then_on(db: Db) {
    let Some(w) = World::new(db).await else {
        return;
    };
    let server = ModelServer::start(Reply::Content(format!(
        "```json\n{}\n```",
        r#"{"score": 64, "covered": ["C1"], "missed": [], "contradicted": [], "misconceptions": [], "advice": "ok"}"#
    )))
    .await;
    server.then(Reply::Status(
        400,
        vec![],
        r#"{"error":"unknown field response_format"}"#.into(),
    ));
    let judge = w.judge(&server, limits(5_000, 10));
    let (_, judged) = w.judged(&judge, 11, ANSWER, JudgeMode::SecondOpinion).await;
    assert!(
        matches!(&judged, Judged::Verdict { verdict, .. } if verdict.score == 64),
        "{judged:?}"
    );
    let (_, judged) = w
        .judged(&judge, 12, "another answer", JudgeMode::SecondOpinion)
        .await;
    assert!(matches!(judged, Judged::Verdict { .. }));
    let sent = server.requests();
    assert_eq!(sent.len(), 3);
    assert!(sent[0].get("response_format").is_some());
    assert!(sent[1].get("response_format").is_none() && sent[2].get("response_format").is_none());
}

struct Questions(Arc<Library>);

impl QuestionSource for Questions {
    fn question<'a>(
        &'a self,
        store: &'a Store,
        _guild: i64,
        row: i64,
    ) -> BoxFuture<'a, Option<Question>> {
        Box::pin(async move {
            self.0
                .question(store, row)
                .await
                .ok()
                .flatten()
                .map(|a| a.question().clone())
        })
    }
}

async fn a_judgement_outstanding_when_its_process_stopped_is_resumed_once_its_lease_passes(db: Db) {
    let Some(w) = World::new(db).await else {
        return;
    };
    // The first process: its request is held by the model's server when the process stops.
    let hanging = ModelServer::start(Reply::Hang).await;
    let first = Arc::new(w.judge(&hanging, limits(2_000, 10)));
    let scored = w.answer(11, ANSWER).await;
    first
        .mark_pending(
            &w.store,
            w.clock.as_ref(),
            scored.attempt_id,
            JudgeMode::Primary,
        )
        .await
        .unwrap();
    let (q, row) = w.question();
    let stopped = {
        let (first, store, clock, q) = (first.clone(), w.store.clone(), w.clock.clone(), q.clone());
        let scored = scored.clone();
        tokio::spawn(async move {
            let job = job(&scored, &q, row, ANSWER);
            let _ = first
                .judge(&store, clock.as_ref(), &job, JudgeMode::Primary)
                .await;
        })
    };
    assert!(
        hanging.wait_requests(1).await,
        "the first process sent its request"
    );
    stopped.abort(); // the process stops with the reply outstanding
    let _ = stopped.await;
    // The answer is stored, with the built-in score counting meanwhile.
    let s = w.stored(scored.attempt_id).await;
    assert_eq!(
        (s.score, s.judge_state.as_deref()),
        (i64::from(scored.total), Some("pending"))
    );
    // The next process: nothing to take over while the first one's lease holds.
    let server = ModelServer::start(Reply::score(91)).await;
    let second = w.judge(&server, limits(2_000, 10));
    let questions = Questions(w.library.clone());
    assert_eq!(
        second
            .resume_stale(&w.store, w.clock.as_ref(), &questions)
            .await
            .unwrap(),
        0
    );
    w.clock
        .advance(chrono::Duration::from_std(first.lease()).unwrap() + chrono::Duration::seconds(1));
    assert_eq!(
        second
            .resume_stale(&w.store, w.clock.as_ref(), &questions)
            .await
            .unwrap(),
        1
    );
    let s = w.stored(scored.attempt_id).await;
    assert_eq!(
        (s.score, s.ai_score, s.counted_by.as_str()),
        (91, Some(91), "ai")
    );
    // Taken once: a second look finds nothing.
    assert_eq!(
        second
            .resume_stale(&w.store, w.clock.as_ref(), &questions)
            .await
            .unwrap(),
        0
    );
    assert_eq!(server.requests().len(), 1);
    drop(q);
}

async fn a_moderators_change_made_before_a_primary_verdict_stands(db: Db) {
    let Some(w) = World::new(db).await else {
        return;
    };
    let server = ModelServer::start(Reply::score(99)).await;
    let judge = w.judge(&server, limits(5_000, 10));
    let scored = w.answer(11, ANSWER).await;
    judge
        .mark_pending(
            &w.store,
            w.clock.as_ref(),
            scored.attempt_id,
            JudgeMode::Primary,
        )
        .await
        .unwrap();
    w.store
        .override_score(
            GUILD,
            scored.attempt_id,
            5,
            42,
            "checked by hand",
            w.clock.now(),
        )
        .await
        .unwrap();
    let (q, row) = w.question();
    let job = job(&scored, &q, row, ANSWER);
    let judged = judge
        .judge(&w.store, w.clock.as_ref(), &job, JudgeMode::Primary)
        .await
        .unwrap();
    assert!(
        matches!(&judged, Judged::Verdict { counted, .. } if counted.score == 42 && counted.by == CountedBy::BuiltIn),
        "{judged:?}"
    );
    let s = w.stored(scored.attempt_id).await;
    assert_eq!((s.score, s.ai_score), (42, Some(99)));
}

on_both_engines!(
    a_valid_second_opinion_is_attached_beside_the_built_in_score_and_cached,
    in_primary_mode_a_valid_ai_score_counts_and_the_built_in_one_is_kept,
    a_reply_slower_than_the_timeout_leaves_the_built_in_score_standing,
    a_429_is_retried_after_its_retry_after_and_a_500_twice_gives_up,
    malformed_and_schema_violating_replies_are_rejected_and_counted,
    a_spent_daily_budget_sends_nothing_until_the_servers_next_day,
    a_server_without_response_format_is_asked_for_plain_json_from_then_on,
    a_judgement_outstanding_when_its_process_stopped_is_resumed_once_its_lease_passes,
    a_moderators_change_made_before_a_primary_verdict_stands,
);

/// The real binary, killed (SIGKILL) while the model holds its reply: the answer was stored with
/// the built-in score, and the restarted process takes the judgement up once its lease passed
/// and attaches it once.
#[tokio::test]
async fn a_bot_killed_with_a_judgement_outstanding_attaches_it_after_its_restart() {
    use crate::support::bot_process::BotProcess;
    use crate::support::discord::{FakeDiscord, GuildSpec, custom_ids};
    use serde_json::json;
    const GUILD: u64 = 1000;
    const CHANNEL: u64 = 2000;
    const ADMIN: u64 = 4000;
    const MEMBER: u64 = 5000;
    const WAIT: Duration = Duration::from_secs(10);

    let model = ModelServer::start(Reply::Hang).await;
    let fake = FakeDiscord::start(GuildSpec::default_with_members(1)).await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let base = model.base_url();
    let guild = GUILD.to_string();
    let args = [
        "--dev-guild-id",
        guild.as_str(),
        "--judge-url",
        base.as_str(),
        "--judge-model",
        "test-model",
        "--judge-timeout-seconds",
        "1",
    ];
    let (first_log, second_log) = (dir.path().join("first.log"), dir.path().join("second.log"));
    let start = |log: &std::path::Path| {
        let identified = fake.identify_count();
        let log = log.to_path_buf();
        let (fake, db, args) = (&fake, &db, &args);
        async move {
            BotProcess::start(fake, db, args, &log, move |f| {
                f.identify_count() != identified
            })
            .await
        }
    };
    let bot = start(&first_log).await;
    let on = fake
        .slash_command(
            ADMIN,
            CHANNEL,
            "server",
            json!([{ "name": "judge", "type": 1, "options": [{ "name": "mode", "type": 4, "value": 2 }] }]),
        )
        .await;
    on.response(&fake, WAIT)
        .await
        .expect("/server judge answered");
    let asked = fake
        .slash_command(
            MEMBER,
            CHANNEL,
            "question",
            json!([{ "name": "id", "type": 3, "value": "node-cluster-module-scaling" }]),
        )
        .await;
    asked.response(&fake, WAIT).await.expect("a question");
    let message = asked.original(&fake).expect("the question message");
    let button = custom_ids(&message)
        .into_iter()
        .find(|c| c.starts_with("q:answer:"))
        .expect("an Answer button");
    let form = fake
        .click(MEMBER, &message, &button)
        .await
        .modal(&fake, WAIT)
        .await
        .expect("a form");
    let id = form["custom_id"].as_str().unwrap().to_string();
    let submitted = fake
        .submit_modal(MEMBER, CHANNEL, &id, &[("answer", ANSWER)])
        .await;
    submitted
        .reply(&fake, WAIT)
        .await
        .expect("the built-in reply");
    assert!(model.wait_requests(1).await, "the answer went to the model");
    bot.kill();

    let store = Store::connect(&db).await.unwrap();
    let guild = i64::try_from(GUILD).unwrap();
    let before = store
        .judgement(guild, 1)
        .await
        .unwrap()
        .expect("attempt 1 stored");
    assert_eq!(before.judge_state.as_deref(), Some("pending"));
    assert_eq!(before.counted_by, "builtin");
    model.set_default(Reply::score(91));
    let bot = start(&second_log).await;
    let mut after = before.clone();
    for _ in 0..2000 {
        after = store.judgement(guild, 1).await.unwrap().unwrap();
        if after.judge_state.as_deref() != Some("pending") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        after.judge_state.as_deref(),
        Some("judged"),
        "{}",
        bot.log_text()
    );
    assert_eq!(
        (after.score, after.ai_score, after.counted_by.as_str()),
        (91, Some(91), "ai")
    );
    assert_eq!(after.builtin_score, before.builtin_score);
    assert_eq!(
        model.requests().len(),
        2,
        "sent again once, by the second process"
    );
    bot.kill();
}
