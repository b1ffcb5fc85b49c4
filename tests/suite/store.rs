//! The store against real SQLite files: every query, time windows in server timezones,
//! anti-farming, ties, paging, teams, isolation between servers, concurrency, safety.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use interview_bot::domain::bank::{Bank, SHIPPED_BANK_TOML};
use interview_bot::domain::period::{Period, local_date, window};
use interview_bot::store::{
    AttemptContext, BoardQuery, DropState, NewAttempt, RoundEnd, RoundState, Store, StoreError,
    StoredBank,
};
use tempfile::TempDir;

struct Fixture {
    _dir: TempDir,
    url: String,
    store: Store,
    bank: StoredBank,
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A claim's lease end, as the bot sets it.
fn lease(now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(interview_bot::domain::timer::STEP_LEASE).unwrap()
}

/// The engines the store runs on; the tests in [`on_both_engines!`] run on each.
#[derive(Debug, Clone, Copy)]
enum Engine {
    Sqlite,
    Postgres,
}

/// A migrated store with the shipped bank; `None` on PostgreSQL where no server can be had
/// (the harness has said why).
async fn fixture(engine: Engine) -> Option<Fixture> {
    let dir = tempfile::tempdir().unwrap();
    let url = match engine {
        Engine::Sqlite => format!("sqlite://{}", dir.path().join("bot.db").display()),
        Engine::Postgres => crate::support::postgres::fresh_database().await?,
    };
    let store = Store::connect(&url).await.unwrap();
    let bank = Bank::shipped().unwrap();
    let stored = store
        .store_bank(
            None,
            &bank,
            SHIPPED_BANK_TOML,
            None,
            t("2026-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
    Some(Fixture {
        _dir: dir,
        url,
        store,
        bank: stored,
    })
}

/// Raw SQL with one `$1` bind, on whichever engine the store runs.
async fn execute(store: &Store, sql: &'static str, bind: i64) {
    if let Some(pool) = store.sqlite_pool() {
        sqlx::query(sql).bind(bind).execute(pool).await.unwrap();
    } else if let Some(pool) = store.postgres_pool() {
        sqlx::query(sql).bind(bind).execute(pool).await.unwrap();
    }
}

const Q1: &str = "node-cluster-module-scaling";
const Q2: &str = "node-libuv-thread-pool";
const Q3: &str = "node-v8-heap-spaces-oom";

impl Fixture {
    fn qid(&self, slug: &str) -> i64 {
        self.bank
            .question_id(slug)
            .unwrap_or_else(|| panic!("{slug} stored"))
    }

    #[allow(clippy::too_many_arguments)]
    async fn answer(
        &self,
        guild: i64,
        user: i64,
        slug: &str,
        topic: &str,
        context: AttemptContext,
        score: u8,
        at: &str,
    ) -> i64 {
        let tz = self.store.server_timezone(guild).await.unwrap();
        let at = t(at);
        self.store
            .record_attempt(
                &NewAttempt {
                    guild_id: guild,
                    channel_id: Some(7),
                    user_id: user,
                    question_id: self.qid(slug),
                    topic,
                    context,
                    context_ref: None,
                    answer: "an answer",
                    score,
                    covered: vec!["Worker processes".into()],
                    missed: vec!["Round-robin".into(), "IPC".into()],
                    hints_used: 0,
                    submitted_at: at,
                    local_date: local_date(at, tz),
                },
                false,
            )
            .await
            .unwrap()
            .attempt_id
    }

    async fn board(
        &self,
        guild: i64,
        period: Period,
        now: &str,
        topic: Option<&str>,
        page: u32,
        size: u32,
    ) -> Vec<(i64, i64)> {
        let tz = self.store.server_timezone(guild).await.unwrap();
        let q = BoardQuery {
            guild_id: guild,
            window: window(period, t(now), tz),
            topic: topic.map(str::to_string),
            page,
            page_size: size,
        };
        self.store
            .leaderboard(&q)
            .await
            .unwrap()
            .rows
            .iter()
            .map(|r| (r.user_id, r.points))
            .collect()
    }
}

use AttemptContext::{Daily, Mock, Practice};

async fn only_the_best_attempt_per_question_counts_and_practice_never_does(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 1;
    f.answer(g, 10, Q1, "Performance", Mock, 40, "2026-03-02T10:00:00Z")
        .await;
    f.answer(g, 10, Q1, "Performance", Mock, 90, "2026-03-02T11:00:00Z")
        .await;
    f.answer(g, 10, Q1, "Performance", Mock, 60, "2026-03-02T12:00:00Z")
        .await;
    f.answer(
        g,
        10,
        Q2,
        "Performance",
        Practice,
        100,
        "2026-03-02T12:00:00Z",
    )
    .await;
    f.answer(g, 11, Q1, "Performance", Daily, 50, "2026-03-02T12:00:00Z")
        .await;
    f.answer(g, 11, Q2, "Performance", Daily, 50, "2026-03-02T12:00:00Z")
        .await;
    let board = f
        .board(g, Period::AllTime, "2026-03-03T00:00:00Z", None, 0, 10)
        .await;
    assert_eq!(
        board,
        vec![(11, 100), (10, 90)],
        "farming Q1 three times earns its best once"
    );
}

async fn ties_go_to_fewer_attempts_then_earlier(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 2;
    f.answer(g, 1, Q1, "Performance", Mock, 80, "2026-03-02T10:00:00Z")
        .await;
    f.answer(g, 1, Q1, "Performance", Mock, 80, "2026-03-02T10:05:00Z")
        .await;
    f.answer(g, 2, Q1, "Performance", Mock, 80, "2026-03-02T10:10:00Z")
        .await;
    f.answer(g, 3, Q1, "Performance", Mock, 80, "2026-03-02T09:00:00Z")
        .await;
    let board = f
        .board(g, Period::AllTime, "2026-03-03T00:00:00Z", None, 0, 10)
        .await;
    let order: Vec<i64> = board.iter().map(|r| r.0).collect();
    assert_eq!(
        order,
        vec![3, 2, 1],
        "one attempt beats two; then the earlier one wins"
    );
}

async fn pages_split_the_board_and_report_totals(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 3;
    for user in 0..30 {
        f.answer(
            g,
            100 + user,
            Q1,
            "Performance",
            Mock,
            u8::try_from(user + 10).unwrap(),
            "2026-03-02T10:00:00Z",
        )
        .await;
    }
    let first = f
        .board(g, Period::AllTime, "2026-03-03T00:00:00Z", None, 0, 25)
        .await;
    let second = f
        .board(g, Period::AllTime, "2026-03-03T00:00:00Z", None, 1, 25)
        .await;
    assert_eq!(first.len(), 25);
    assert_eq!(first[0], (129, 39));
    assert_eq!(second.len(), 5);
    assert_eq!(second[4], (100, 10));
    // Page sizes above Discord's comfortable 25 are capped.
    let capped = f
        .board(g, Period::AllTime, "2026-03-03T00:00:00Z", None, 0, 100)
        .await;
    assert_eq!(capped.len(), 25);
    let q = BoardQuery {
        guild_id: g,
        window: window(Period::AllTime, t("2026-03-03T00:00:00Z"), Tz::UTC),
        topic: None,
        page: 0,
        page_size: 25,
    };
    let page = f.store.leaderboard(&q).await.unwrap();
    assert_eq!((page.total, page.pages()), (30, 2));
    assert_eq!(page.rows[0].rank, 1);
}

async fn today_follows_the_servers_midnight_not_utcs(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 4;
    let tz: Tz = "Asia/Kolkata".parse().unwrap(); // UTC+5:30
    f.store
        .set_server_timezone(g, tz, t("2026-03-01T00:00:00Z"))
        .await
        .unwrap();
    // 18:20 UTC on the 1st is 23:50 on the 1st in Kolkata; 18:40 UTC is 00:10 on the 2nd.
    f.answer(g, 1, Q1, "Performance", Mock, 70, "2026-03-01T18:20:00Z")
        .await;
    f.answer(g, 2, Q1, "Performance", Mock, 60, "2026-03-01T18:40:00Z")
        .await;
    let today = f
        .board(g, Period::Today, "2026-03-01T20:00:00Z", None, 0, 10)
        .await;
    assert_eq!(
        today,
        vec![(2, 60)],
        "only the answer after Kolkata's midnight is today"
    );
    let week = f
        .board(g, Period::Week, "2026-03-01T20:00:00Z", None, 0, 10)
        .await;
    assert_eq!(
        week,
        vec![(2, 60)],
        "2 March 2026 is a Monday in Kolkata: a new week"
    );
}

async fn calendar_windows_hold_across_a_dst_change(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 5;
    let tz: Tz = "Europe/London".parse().unwrap();
    f.store
        .set_server_timezone(g, tz, t("2026-03-01T00:00:00Z"))
        .await
        .unwrap();
    // Clocks go forward on Sunday 29 March 2026. Monday 30 March starts at 23:00 UTC on the 29th.
    f.answer(g, 1, Q1, "Performance", Mock, 70, "2026-03-29T22:30:00Z")
        .await; // Sunday 23:30 BST
    f.answer(g, 2, Q1, "Performance", Mock, 60, "2026-03-29T23:30:00Z")
        .await; // Monday 00:30 BST
    let week = f
        .board(g, Period::Week, "2026-04-01T12:00:00Z", None, 0, 10)
        .await;
    assert_eq!(week, vec![(2, 60)]);
    let month = f
        .board(g, Period::Month, "2026-04-01T12:00:00Z", None, 0, 10)
        .await;
    assert!(month.is_empty(), "April starts at 23:00 UTC on 31 March");
    let rolling = f
        .board(g, Period::Last7Days, "2026-04-01T12:00:00Z", None, 0, 10)
        .await;
    assert_eq!(rolling.len(), 2);
}

async fn topic_filter_and_seasons(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 6;
    f.answer(g, 1, Q1, "Performance", Mock, 70, "2026-03-02T10:00:00Z")
        .await;
    f.answer(g, 2, Q3, "Scalability", Mock, 90, "2026-03-02T10:00:00Z")
        .await;
    let perf = f
        .board(
            g,
            Period::AllTime,
            "2026-03-03T00:00:00Z",
            Some("performance"),
            0,
            10,
        )
        .await;
    assert_eq!(perf, vec![(1, 70)]);
    let season = Period::Season {
        start: t("2026-03-02T10:00:00Z"),
        end: t("2026-03-02T10:00:00Z"),
    };
    assert!(
        f.board(g, season, "2026-03-03T00:00:00Z", None, 0, 10)
            .await
            .is_empty(),
        "end is exclusive"
    );
}

async fn servers_never_see_each_others_data(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    f.answer(7, 1, Q1, "Performance", Mock, 70, "2026-03-02T10:00:00Z")
        .await;
    f.answer(8, 2, Q1, "Performance", Mock, 90, "2026-03-02T10:00:00Z")
        .await;
    assert_eq!(
        f.board(7, Period::AllTime, "2026-03-03T00:00:00Z", None, 0, 10)
            .await,
        vec![(1, 70)]
    );
    let stats = f
        .store
        .member_stats(8, 1, t("2026-03-03T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(stats.attempts, 0, "user 1 has no answers on server 8");
    f.store
        .create_team(7, "Owls", 1, t("2026-03-01T00:00:00Z"))
        .await
        .unwrap();
    assert!(f.store.list_teams(8).await.unwrap().is_empty());
}

async fn team_board_averages_over_active_members(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 9;
    let now = t("2026-03-01T00:00:00Z");
    f.store.create_team(g, "Big", 100, now).await.unwrap();
    f.store.create_team(g, "Small", 200, now).await.unwrap();
    for user in 101..110 {
        f.store.join_team(g, user, "big", now).await.unwrap();
    }
    for user in 201..203 {
        f.store.join_team(g, user, "SMALL", now).await.unwrap();
    }
    // Ten members at 50 each (500 in all) against three at 80 each (240 in all).
    for user in (100..110).chain(200..203) {
        let score = if user >= 200 { 80 } else { 50 };
        f.answer(
            g,
            user,
            Q1,
            "Performance",
            Mock,
            score,
            "2026-03-02T10:00:00Z",
        )
        .await;
    }
    let q = BoardQuery {
        guild_id: g,
        window: window(Period::AllTime, t("2026-03-03T00:00:00Z"), Tz::UTC),
        topic: None,
        page: 0,
        page_size: 10,
    };
    let board = f.store.team_board(&q).await.unwrap();
    let names: Vec<&str> = board.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Small", "Big"], "{board:?}");
    assert_eq!((board.rows[0].active, board.rows[0].total_points), (3, 240));
    assert_eq!(
        (board.rows[1].members, board.rows[1].total_points),
        (10, 500)
    );
    assert!((board.rows[1].average_points - 50.0).abs() < 1e-9);
}

async fn teams_create_join_leave_and_refuse_duplicates(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 10;
    let now = t("2026-03-01T00:00:00Z");
    f.store.create_team(g, "Owls", 1, now).await.unwrap();
    let dup = f.store.create_team(g, "owls", 2, now).await.unwrap_err();
    assert!(
        matches!(dup, StoreError::Conflict(ref m) if m.contains("already exists")),
        "{dup}"
    );
    assert!(matches!(
        f.store.join_team(g, 2, "Hawks", now).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(f.store.join_team(g, 2, "OWLS", now).await.unwrap(), "Owls");
    f.store.create_team(g, "Hawks", 2, now).await.unwrap();
    let teams = f.store.list_teams(g).await.unwrap();
    assert_eq!(
        teams
            .iter()
            .map(|t| (t.name.as_str(), t.members))
            .collect::<Vec<_>>(),
        [("Hawks", 1), ("Owls", 1)]
    );
    assert_eq!(
        f.store.leave_team(g, 2).await.unwrap().as_deref(),
        Some("Hawks")
    );
    assert_eq!(f.store.leave_team(g, 2).await.unwrap(), None);
    assert!(f.store.create_team(g, "  ", 3, now).await.is_err());
}

async fn coaching_reads_weeks_ratings_and_concepts_covered_since(engine: Engine) {
    use interview_bot::domain::coaching::{most_missed, still_missed};
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 12;
    let tz: Tz = "Europe/Berlin".parse().unwrap();
    f.store
        .set_server_timezone(g, tz, t("2026-11-01T00:00:00Z"))
        .await
        .unwrap();
    let answer =
        |user: i64, slug: &'static str, score: u8, covered: &[&str], missed: &[&str], at: &str| {
            let at = t(at);
            let a = NewAttempt {
                guild_id: g,
                channel_id: Some(7),
                user_id: user,
                question_id: f.qid(slug),
                topic: "Performance",
                context: Practice,
                context_ref: None,
                answer: "an answer",
                score,
                covered: covered.iter().map(|c| c.to_string()).collect(),
                missed: missed.iter().map(|c| c.to_string()).collect(),
                hints_used: 0,
                submitted_at: at,
                local_date: local_date(at, tz),
            };
            let store = &f.store;
            async move { store.record_attempt(&a, false).await.unwrap().attempt_id }
        };
    // Sunday 22 November, 23:30 in Berlin (22:30 UTC), is still the week of 16 November.
    answer(
        1,
        Q1,
        40,
        &[],
        &["IPC", "Round-robin"],
        "2026-11-17T10:00:00Z",
    )
    .await;
    answer(
        1,
        Q1,
        60,
        &["IPC"],
        &["Round-robin"],
        "2026-11-22T22:30:00Z",
    )
    .await;
    answer(
        1,
        Q2,
        90,
        &[],
        &["Thread pool size"],
        "2026-11-23T10:00:00Z",
    )
    .await;
    answer(
        2,
        Q2,
        10,
        &[],
        &["Thread pool size"],
        "2026-11-24T10:00:00Z",
    )
    .await;
    let weeks = f.store.weekly_scores(g, 1).await.unwrap();
    let mut weeks: Vec<(String, f64, u32)> = weeks
        .into_iter()
        .map(|w| (w.week.to_string(), w.average, w.answers))
        .collect();
    weeks.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        weeks,
        [
            ("2026-11-16".to_string(), 50.0, 2),
            ("2026-11-23".to_string(), 90.0, 1)
        ]
    );
    // IPC was covered after its miss: learnt. Round-robin twice missed comes first.
    let member = still_missed(&f.store.member_concept_tallies(g, 1).await.unwrap(), 5);
    let names: Vec<&str> = member.iter().map(|w| w.concept.as_str()).collect();
    assert_eq!(names, ["Round-robin", "Thread pool size"]);
    assert_eq!(member[0].questions, [Q1]);
    // The server's week of 23 November: both members missed the thread pool size on Q2.
    let week = f
        .store
        .server_concept_tallies(g, t("2026-11-22T23:00:00Z"), t("2026-11-29T23:00:00Z"))
        .await
        .unwrap();
    let top = most_missed(&week, 3);
    assert_eq!(top.len(), 1);
    assert_eq!(
        (top[0].concept.as_str(), top[0].missed),
        ("Thread pool size", 2)
    );
    let members = f
        .store
        .member_weeks(g, t("2026-11-22T23:00:00Z"), t("2026-11-29T23:00:00Z"))
        .await
        .unwrap();
    let ada = members.iter().find(|m| m.user_id == 1).unwrap();
    assert_eq!((ada.week_answers, ada.before_answers), (1, 2));
    assert!((ada.week_average - 90.0).abs() < 1e-9 && (ada.before_average - 50.0).abs() < 1e-9);
    let questions = f
        .store
        .question_weeks(g, t("2026-11-22T23:00:00Z"), t("2026-11-29T23:00:00Z"))
        .await
        .unwrap();
    assert_eq!(questions.len(), 1);
    assert_eq!(
        (questions[0].question.as_str(), questions[0].members),
        (Q2, 2)
    );
    assert!((questions[0].average - 50.0).abs() < 1e-9);
    // Ratings, where a member has one.
    assert!(f.store.topic_ratings(g, 1).await.unwrap().is_empty());
    execute(
        &f.store,
        "INSERT INTO skill_ratings (guild_id, user_id, topic, rating, answers, updated_ms) VALUES ($1, 1, 'Performance', 1100, 3, 0)",
        g,
    )
    .await;
    assert_eq!(
        f.store.topic_ratings(g, 1).await.unwrap(),
        [("Performance".to_string(), 1100.0)]
    );
}

async fn stats_streaks_and_most_missed_use_the_servers_days(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 11;
    let tz: Tz = "America/New_York".parse().unwrap();
    f.store
        .set_server_timezone(g, tz, t("2026-03-01T00:00:00Z"))
        .await
        .unwrap();
    // Daily answers at 02:30 UTC are the evening before in New York: 1, 2, 3 March local.
    for day in [
        "2026-03-02T02:30:00Z",
        "2026-03-03T02:30:00Z",
        "2026-03-04T02:30:00Z",
    ] {
        f.answer(g, 1, Q1, "Performance", Daily, 60, day).await;
    }
    f.answer(g, 1, Q3, "Scalability", Mock, 90, "2026-03-04T12:00:00Z")
        .await;
    let s = f
        .store
        .member_stats(g, 1, t("2026-03-04T15:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        (s.streak.current, s.streak.best),
        (3, 3),
        "in UTC these would be 2, 3, 4 March"
    );
    assert_eq!(s.attempts, 4);
    assert_eq!(s.best, 90);
    assert_eq!(s.topics[0].topic, "Performance", "weakest first");
    // Coaching's tallies: per concept missed and question, its misses and covers.
    let mut missed: Vec<(String, String, u32, u32)> = f
        .store
        .member_concept_tallies(g, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.concept, m.question, m.missed, m.covered))
        .collect();
    missed.sort();
    let row = |c: &str, q: &str, n: u32| (c.to_string(), q.to_string(), n, 0);
    assert_eq!(
        missed,
        [
            row("IPC", Q1, 3),
            row("IPC", Q3, 1),
            row("Round-robin", Q1, 3),
            row("Round-robin", Q3, 1)
        ]
    );
    assert_eq!(s.week_rank.map(|r| r.0), Some(1));
    let later = f
        .store
        .member_stats(g, 1, t("2026-03-06T15:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        (later.streak.current, later.streak.best),
        (0, 3),
        "a missed day ends the streak"
    );
}

async fn overrides_change_the_score_and_keep_an_audit_trail(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 12;
    let id = f
        .answer(g, 1, Q1, "Performance", Mock, 40, "2026-03-02T10:00:00Z")
        .await;
    let old = f
        .store
        .override_score(
            g,
            id,
            99,
            75,
            "answer was right, wording unusual",
            t("2026-03-02T11:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(old, 40);
    assert_eq!(
        f.board(g, Period::AllTime, "2026-03-03T00:00:00Z", None, 0, 10)
            .await,
        vec![(1, 75)]
    );
    assert_eq!(
        f.store.overrides(id).await.unwrap(),
        vec![(99, 40, 75, "answer was right, wording unusual".to_string())]
    );
    assert!(
        f.store
            .override_score(g, id, 99, 10, "  ", t("2026-03-02T11:00:00Z"))
            .await
            .is_err(),
        "a reason is required"
    );
    assert!(matches!(
        f.store
            .override_score(13, id, 99, 10, "other server", t("2026-03-02T11:00:00Z"))
            .await,
        Err(StoreError::NotFound(_))
    ));
}

async fn a_round_question_is_answered_once_per_member(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let now = t("2026-03-02T10:00:00Z");
    let round = open_round(&f, 14, &[1, 2], now).await;
    let attempt = |user| NewAttempt {
        guild_id: 14,
        channel_id: Some(1),
        user_id: user,
        question_id: f.qid(Q1),
        topic: "Performance",
        context: Mock,
        context_ref: Some(round),
        answer: "x",
        score: 50,
        covered: vec![],
        missed: vec![],
        hints_used: 0,
        submitted_at: now,
        local_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
    };
    f.store.record_attempt(&attempt(1), false).await.unwrap();
    f.store.record_attempt(&attempt(2), false).await.unwrap();
    let again = f
        .store
        .record_attempt(&attempt(1), false)
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again}");
}

async fn storing_the_same_bank_twice_reuses_its_rows_and_a_new_version_gets_new_ones(
    engine: Engine,
) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let bank = Bank::shipped().unwrap();
    let again = f
        .store
        .store_bank(
            None,
            &bank,
            SHIPPED_BANK_TOML,
            None,
            t("2026-03-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(again.id, f.bank.id);
    assert_eq!(again.question_ids.len(), 34);
    let edited = SHIPPED_BANK_TOML.replacen(
        "Explain the cluster module",
        "Describe the cluster module",
        1,
    );
    let bank2 = Bank::from_toml_str("edited.toml", &edited).unwrap();
    let v2 = f
        .store
        .store_bank(None, &bank2, &edited, None, t("2026-03-01T00:00:00Z"))
        .await
        .unwrap();
    assert_ne!(v2.id, f.bank.id);
    let old_prompt = f.store.question_prompt(f.qid(Q1)).await.unwrap().unwrap();
    assert!(
        old_prompt.starts_with("Explain"),
        "old attempts keep the text they answered"
    );
    let new_prompt = f
        .store
        .question_prompt(v2.question_id(Q1).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(new_prompt.starts_with("Describe"));
}

async fn two_writers_on_one_file_lose_nothing(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let other = Store::connect(&f.url).await.unwrap();
    let q = f.qid(Q1);
    let write = |store: Store, base: i64| async move {
        for i in 0..200 {
            let now = t("2026-03-02T10:00:00Z");
            store
                .record_attempt(
                    &NewAttempt {
                        guild_id: 15,
                        channel_id: None,
                        user_id: base + i,
                        question_id: q,
                        topic: "Performance",
                        context: Mock,
                        context_ref: None,
                        answer: "concurrent",
                        score: 50,
                        covered: vec![],
                        missed: vec![],
                        hints_used: 0,
                        submitted_at: now,
                        local_date: now.date_naive(),
                    },
                    false,
                )
                .await
                .expect("no 'database is locked' reaches the caller");
            if i % 20 == 0 {
                store
                    .create_team(15, &format!("team-{base}-{i}"), base + i, now)
                    .await
                    .expect("transactions too");
            }
        }
    };
    let a = tokio::spawn(write(f.store.clone(), 1_000));
    let b = tokio::spawn(write(other.clone(), 2_000));
    a.await.unwrap();
    b.await.unwrap();
    let report = f.store.check().await.unwrap();
    assert_eq!(report.attempts, 400);
    assert_eq!(f.store.list_teams(15).await.unwrap().len(), 20);
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "my precious notes\n").unwrap();
    let err = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("not a SQLite database"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "my precious notes\n"
    );
}

#[tokio::test]
async fn a_database_from_a_newer_binary_is_refused() {
    let f = fixture(Engine::Sqlite).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'future', 1, x'00', 0)",
    )
    .execute(f.store.sqlite_pool().unwrap())
    .await
    .unwrap();
    f.store.close().await;
    let err = Store::connect(&f.url).await.unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { version: 9999 }),
        "{err}"
    );
    assert!(err.to_string().contains("newer Interview Bot"));
}

#[tokio::test]
async fn backup_restores_everything_and_never_overwrites() {
    let f = fixture(Engine::Sqlite).await.unwrap();
    f.answer(16, 1, Q1, "Performance", Mock, 70, "2026-03-02T10:00:00Z")
        .await;
    let backup = f._dir.path().join("backup.db");
    f.store.backup(&backup).await.unwrap();
    assert!(matches!(
        f.store.backup(&backup).await,
        Err(StoreError::Conflict(_))
    ));
    f.store.close().await;
    // Lose the live database, restore the copy, and find the data again.
    let live = f._dir.path().join("bot.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", live.display()));
    }
    std::fs::copy(&backup, &live).unwrap();
    let restored = Store::connect(&f.url).await.unwrap();
    let report = restored.check().await.unwrap();
    assert!(report.is_healthy(), "{report:?}");
    assert_eq!(report.attempts, 1);
    // SQLite's migrations (PostgreSQL's are in their own folder).
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count();
    assert_eq!(report.migrations_applied, i64::try_from(shipped).unwrap());
}

const TINY_BANK: &str = include_str!("../fixtures/tiny-bank.toml");

async fn server_banks_are_private_follow_reimports_and_are_kept_while_a_round_uses_them(
    engine: Engine,
) {
    use interview_bot::store::{BankRemoval, NewRound};
    let Some(f) = fixture(engine).await else {
        return;
    };
    let now = t("2026-03-01T00:00:00Z");
    let tiny = Bank::from_toml_str("tiny.toml", TINY_BANK).unwrap();
    let v1 = f
        .store
        .store_bank(Some(1), &tiny, TINY_BANK, Some(7), now)
        .await
        .unwrap();
    let listed = f.store.server_banks(1).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].slug.as_str(), listed[0].questions), ("tiny", 2));
    assert_eq!(listed[0].imported_by, Some(7));
    assert!(
        f.store.server_banks(2).await.unwrap().is_empty(),
        "private to server 1"
    );
    assert_eq!(
        f.store.server_bank_topics(1).await.unwrap(),
        ["Performance", "Testing"]
    );
    assert!(f.store.server_bank_topics(2).await.unwrap().is_empty());
    assert_eq!(f.store.active_bank_id(2, "tiny").await.unwrap(), None);

    // A new version becomes the active one; the old version follows it.
    let edited = TINY_BANK.replace("version = \"1.0.0\"", "version = \"1.1.0\"");
    let tiny2 = Bank::from_toml_str("tiny.toml", &edited).unwrap();
    let v2 = f
        .store
        .store_bank(Some(1), &tiny2, &edited, Some(7), now)
        .await
        .unwrap();
    assert_ne!(v1.id, v2.id);
    assert_eq!(f.store.current_version(v1.id).await.unwrap(), Some(v2.id));
    assert_eq!(f.store.server_banks(1).await.unwrap()[0].version, "1.1.0");
    let stored = f.store.bank_version(v1.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.slug.as_str(), stored.source.as_str()),
        ("tiny", TINY_BANK)
    );
    let q = v1.question_id("tiny-cluster").unwrap();
    assert_eq!(f.store.bank_of_question(q).await.unwrap(), Some(v1.id));

    // An open round on a question of the old version keeps the bank.
    let round = f
        .store
        .create_round(
            &NewRound {
                guild_id: 1,
                channel_id: 10,
                started_by: 7,
                mode: interview_bot::domain::round::Mode::Solo,
                seconds_per_q: 60,
                question_ids: &[q],
                topic: None,
                difficulty: None,
                lobby_until: now,
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        f.store.remove_bank(1, "tiny").await.unwrap(),
        BankRemoval::InUse {
            schedules: vec![],
            rounds: vec![round]
        }
    );
    assert_eq!(
        f.store.remove_bank(2, "tiny").await.unwrap(),
        BankRemoval::NotFound
    );
    f.store
        .end_round(round, RoundEnd::Finished, now)
        .await
        .unwrap();
    assert_eq!(
        f.store.remove_bank(1, "tiny").await.unwrap(),
        BankRemoval::Removed
    );
    assert!(f.store.server_banks(1).await.unwrap().is_empty());
    assert_eq!(f.store.current_version(v1.id).await.unwrap(), None);
    // Past questions stay readable for old attempts.
    assert!(f.store.question_prompt(q).await.unwrap().is_some());
}

async fn a_failed_drop_is_claimed_again_only_when_its_retry_is_due(engine: Engine) {
    use interview_bot::store::NewSchedule;
    let Some(f) = fixture(engine).await else {
        return;
    };
    let now = t("2026-03-01T09:00:00Z");
    let schedule = f
        .store
        .create_schedule(
            &NewSchedule {
                guild_id: 1,
                channel_id: 10,
                local_time: "09:00",
                timezone: "UTC",
                weekdays: 127,
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
    let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let id = f
        .store
        .claim_drop(schedule, date, now, now, lease(now))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        f.store
            .claim_drop(schedule, date, now, now, lease(now))
            .await
            .unwrap(),
        None
    );
    let retry = t("2026-03-01T09:15:00Z");
    f.store
        .mark_drop_failed(id, "missing permission", Some(retry))
        .await
        .unwrap();
    assert!(f.store.drop_settled(schedule, date, now).await.unwrap());
    assert_eq!(f.store.next_drop_retry(now).await.unwrap(), Some(retry));
    assert_eq!(
        f.store
            .claim_drop(schedule, date, now, now, lease(now))
            .await
            .unwrap(),
        None
    );
    assert!(!f.store.drop_settled(schedule, date, retry).await.unwrap());
    // Two processes at the retry time: one gets it, with the same row.
    assert_eq!(
        f.store
            .claim_drop(schedule, date, now, retry, lease(retry))
            .await
            .unwrap(),
        Some(id)
    );
    assert_eq!(
        f.store
            .claim_drop(schedule, date, now, retry, lease(retry))
            .await
            .unwrap(),
        None
    );
    // Past the grace period: failed for good, until an admin asks for it.
    f.store
        .mark_drop_failed(id, "missing permission", None)
        .await
        .unwrap();
    let later = t("2026-03-01T23:00:00Z");
    assert_eq!(
        f.store
            .claim_drop(schedule, date, now, later, lease(later))
            .await
            .unwrap(),
        None
    );
    assert_eq!(f.store.next_drop_retry(now).await.unwrap(), None);
    assert!(f.store.retry_failed_drop_now(schedule, date).await.unwrap());
    assert_eq!(
        f.store
            .claim_drop(schedule, date, now, later, lease(later))
            .await
            .unwrap(),
        Some(id)
    );
    assert!(
        !f.store.retry_failed_drop_now(schedule, date).await.unwrap(),
        "claimed, not failed"
    );
}

async fn open_rounds_ping_and_the_database_error_count(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let now = t("2026-03-02T10:00:00Z");
    let questions = [f.qid(Q1), f.qid(Q2)];
    let round = |channel| interview_bot::store::NewRound {
        guild_id: 15,
        channel_id: channel,
        started_by: 1,
        mode: interview_bot::domain::round::Mode::Group,
        seconds_per_q: 60,
        question_ids: &questions,
        topic: None,
        difficulty: None,
        lobby_until: now,
    };
    assert_eq!(f.store.open_rounds().await.unwrap(), 0);
    let a = f.store.create_round(&round(1), now).await.unwrap();
    f.store.create_round(&round(2), now).await.unwrap();
    assert_eq!(f.store.open_rounds().await.unwrap(), 2);
    assert!(f.store.end_round(a, RoundEnd::Stopped, now).await.unwrap());
    assert_eq!(f.store.open_rounds().await.unwrap(), 1);

    f.store.ping().await.unwrap();
    // Other tests in this binary may add errors meanwhile; the count only grows.
    let before = interview_bot::store::database_errors();
    f.store.close().await;
    let err = f.store.ping().await.unwrap_err();
    assert!(matches!(err, StoreError::Sqlx(_)), "{err}");
    assert!(interview_bot::store::database_errors() > before);
}

async fn two_question_round(f: &Fixture, channel: i64, now: DateTime<Utc>) -> i64 {
    let round = two_question_round_on(&f.store, f, channel, now).await;
    f.store.join_round(round, 1, None, now).await.unwrap();
    round
}

#[tokio::test]
async fn a_reveal_being_posted_is_not_picked_up_by_the_timer() {
    // The answer that closed a question claimed its reveal and is still posting it; the timer
    // waking meanwhile must leave the round alone (it used to open the next question, or end
    // the round, before the reveal was out).
    let f = fixture(Engine::Sqlite).await.unwrap();
    let now = t("2026-03-02T10:00:00Z");
    let round = two_question_round(&f, 31, now).await;
    let deadline = now + chrono::Duration::seconds(60);
    assert!(
        f.store
            .claim_open_question(round, 0, deadline, now, lease(now))
            .await
            .unwrap()
    );
    // The question is posting under its lease: not due, but its lease end is the next wake.
    let (due, next) = f.store.due_rounds(now).await.unwrap();
    assert!(!due.contains(&round));
    assert_eq!(next, Some(lease(now)));
    assert!(
        !f.store.claim_reveal(round, 0, lease(now)).await.unwrap(),
        "a question not yet posted is never revealed"
    );
    f.store.set_question_message(round, 0, 77).await.unwrap();
    assert_eq!(f.store.due_rounds(now).await.unwrap().1, Some(deadline));

    assert!(f.store.claim_reveal(round, 0, lease(now)).await.unwrap());
    assert!(
        !f.store.claim_reveal(round, 0, lease(now)).await.unwrap(),
        "claimed once"
    );
    let (due, next) = f
        .store
        .due_rounds(now + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert!(!due.contains(&round), "a fresh reveal claim is not due");
    assert_eq!(
        next,
        Some(lease(now)),
        "the timer wakes when the lease ends"
    );
    // Nobody may finish the round from another question's reveal.
    assert!(
        !f.store
            .finish_round(round, 1, now, lease(now))
            .await
            .unwrap()
    );
    assert!(
        !f.store
            .take_over_round_step(
                round,
                0,
                now,
                lease(now),
                now + chrono::Duration::seconds(60)
            )
            .await
            .unwrap(),
        "a live lease is not taken over"
    );

    // The claimer dies: once its lease passes, the round is due and one caller takes it over.
    let later = lease(now) + chrono::Duration::seconds(1);
    let (due, _) = f.store.due_rounds(later).await.unwrap();
    assert!(due.contains(&round));
    assert!(
        f.store
            .take_over_round_step(
                round,
                0,
                later,
                lease(later),
                later + chrono::Duration::seconds(60)
            )
            .await
            .unwrap()
    );
    assert!(
        !f.store
            .take_over_round_step(
                round,
                0,
                later,
                lease(later),
                later + chrono::Duration::seconds(60)
            )
            .await
            .unwrap()
    );
    // The next question opens from that reveal exactly once.
    let d2 = later + chrono::Duration::seconds(60);
    assert!(
        f.store
            .claim_open_question(round, 1, d2, later, lease(later))
            .await
            .unwrap()
    );
    assert!(
        !f.store
            .claim_open_question(round, 1, d2, later, lease(later))
            .await
            .unwrap()
    );
    f.store.set_question_message(round, 1, 78).await.unwrap();
    assert!(f.store.claim_reveal(round, 1, lease(later)).await.unwrap());
    assert!(
        f.store
            .finish_round(round, 1, later, lease(later))
            .await
            .unwrap()
    );
    assert!(
        !f.store
            .finish_round(round, 1, later, lease(later))
            .await
            .unwrap()
    );
    assert_eq!(
        f.store.round(round).await.unwrap().state,
        RoundState::Finished
    );
    assert!(f.store.due_rounds(later).await.unwrap().0.is_empty());
}

async fn a_drop_claimed_by_a_process_that_died_is_taken_over(engine: Engine) {
    use interview_bot::store::NewSchedule;
    let Some(f) = fixture(engine).await else {
        return;
    };
    let now = t("2026-03-01T09:00:00Z");
    let schedule = f
        .store
        .create_schedule(
            &NewSchedule {
                guild_id: 1,
                channel_id: 10,
                local_time: "09:00",
                timezone: "UTC",
                weekdays: 127,
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
    let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let id = f
        .store
        .claim_drop(schedule, date, now, now, lease(now))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        f.store
            .claim_drop(schedule, date, now, now, lease(now))
            .await
            .unwrap(),
        None,
        "a live claim is not taken"
    );
    let q = f.qid(Q1);
    let closes = now + chrono::Duration::hours(24);
    f.store.prepare_drop(id, q, closes).await.unwrap();
    assert_eq!(
        f.store.next_drop_lease(now).await.unwrap(),
        Some(lease(now))
    );
    assert!(f.store.stale_drop_claims(now).await.unwrap().is_empty());
    // The process is killed before it records the post. Ten minutes later:
    let later = now + chrono::Duration::minutes(10);
    let stale = f.store.stale_drop_claims(later).await.unwrap();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].question_id, Some(q), "the chosen question is kept");
    assert!(!f.store.drop_settled(schedule, date, later).await.unwrap());
    assert_eq!(
        f.store
            .claim_drop(schedule, date, now, later, lease(later))
            .await
            .unwrap(),
        Some(id),
        "taken over"
    );
    assert_eq!(
        f.store
            .claim_drop(schedule, date, now, later, lease(later))
            .await
            .unwrap(),
        None,
        "by one caller"
    );
    f.store
        .mark_drop_posted(id, q, 99, later, closes, None)
        .await
        .unwrap();
    assert!(
        f.store
            .stale_drop_claims(later + chrono::Duration::hours(1))
            .await
            .unwrap()
            .is_empty()
    );
    // Its reveal is a claim with a lease too.
    let at = closes;
    assert!(f.store.claim_reveal_drop(id, at, lease(at)).await.unwrap());
    assert!(!f.store.claim_reveal_drop(id, at, lease(at)).await.unwrap());
    let after = lease(at) + chrono::Duration::seconds(1);
    assert_eq!(f.store.stale_drop_claims(after).await.unwrap().len(), 1);
    assert!(
        f.store
            .claim_reveal_drop(id, after, lease(after))
            .await
            .unwrap()
    );
    f.store.reveal_drop_done(id).await.unwrap();
    assert!(
        f.store
            .stale_drop_claims(after + chrono::Duration::hours(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !f.store
            .claim_reveal_drop(id, after + chrono::Duration::hours(1), lease(after))
            .await
            .unwrap()
    );
}

async fn a_stale_claim_too_late_to_post_is_recorded_as_skipped(engine: Engine) {
    use interview_bot::store::NewSchedule;
    let Some(f) = fixture(engine).await else {
        return;
    };
    let now = t("2026-03-01T09:00:00Z");
    let schedule = f
        .store
        .create_schedule(
            &NewSchedule {
                guild_id: 1,
                channel_id: 10,
                local_time: "09:00",
                timezone: "UTC",
                weekdays: 127,
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
    let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    f.store
        .claim_drop(schedule, date, now, now, lease(now))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !f.store
            .record_skipped_drop(schedule, date, now, "late", now)
            .await
            .unwrap(),
        "a live claim stays"
    );
    let later = now + chrono::Duration::hours(5);
    assert!(
        f.store
            .record_skipped_drop(schedule, date, now, "late", later)
            .await
            .unwrap()
    );
    assert_eq!(
        f.store.drop_state(schedule, date).await.unwrap(),
        Some(DropState::Skipped)
    );
    assert!(f.store.stale_drop_claims(later).await.unwrap().is_empty());
}

// ---- Fair competition (issue 13): what counts, closing, copies, hints, moderation, time ----

impl Fixture {
    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        guild: i64,
        user: i64,
        slug: &str,
        context: AttemptContext,
        context_ref: Option<i64>,
        score: u8,
        at: &str,
        copied: bool,
    ) -> Result<interview_bot::store::Recorded, StoreError> {
        let tz = self.store.server_timezone(guild).await.unwrap();
        let at = t(at);
        self.store
            .record_attempt(
                &NewAttempt {
                    guild_id: guild,
                    channel_id: Some(7),
                    user_id: user,
                    question_id: self.qid(slug),
                    topic: "Performance",
                    context,
                    context_ref,
                    answer: "an answer",
                    score,
                    covered: vec![],
                    missed: vec![],
                    hints_used: 0,
                    submitted_at: at,
                    local_date: local_date(at, tz),
                },
                copied,
            )
            .await
    }

    async fn all_time(&self, guild: i64) -> Vec<(i64, i64)> {
        self.board(guild, Period::AllTime, "2027-01-01T00:00:00Z", None, 0, 10)
            .await
    }
}

async fn question_answers_are_practice_and_never_reach_the_board(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 40;
    // `/question` answers: practice (and old `question` rows) feed stats, never boards.
    f.record(g, 1, Q1, Practice, None, 100, "2026-03-02T10:00:00Z", false)
        .await
        .unwrap();
    f.answer(
        g,
        2,
        Q1,
        "Performance",
        AttemptContext::Question,
        100,
        "2026-03-02T10:00:00Z",
    )
    .await;
    f.record(g, 3, Q1, Mock, None, 70, "2026-03-02T10:00:00Z", false)
        .await
        .unwrap();
    assert_eq!(f.all_time(g).await, vec![(3, 70)]);
    let stats = f
        .store
        .member_stats(g, 1, t("2026-03-02T11:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        (stats.attempts, stats.best),
        (1, 100),
        "practice feeds stats"
    );
}

async fn answers_after_seeing_the_reference_do_not_count_during_the_cooling_off(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 41;
    f.store
        .mark_seen(
            g,
            1,
            f.qid(Q1),
            interview_bot::store::SeenSource::Skip,
            t("2026-03-01T10:00:00Z"),
        )
        .await
        .unwrap();
    let seen = f
        .record(g, 1, Q1, Mock, None, 100, "2026-03-02T10:00:00Z", false)
        .await
        .unwrap();
    assert!(seen.seen, "a day after Skip");
    // Another member, and another question, are not affected.
    f.record(g, 2, Q1, Mock, None, 60, "2026-03-02T10:00:00Z", false)
        .await
        .unwrap();
    f.record(g, 1, Q2, Daily, None, 50, "2026-03-02T10:00:00Z", false)
        .await
        .unwrap();
    assert_eq!(f.all_time(g).await, vec![(2, 60), (1, 50)]);
    // After 30 days (the default cooling-off) it counts again.
    let later = f
        .record(g, 1, Q1, Mock, None, 90, "2026-04-01T10:00:01Z", false)
        .await
        .unwrap();
    assert!(!later.seen);
    assert_eq!(f.all_time(g).await, vec![(1, 140), (2, 60)]);
    // The period is a setting.
    let short = f.store.clone().with_cooling_off(chrono::Duration::hours(1));
    short
        .mark_seen(
            g,
            3,
            f.qid(Q3),
            interview_bot::store::SeenSource::Reveal,
            t("2026-03-02T10:00:00Z"),
        )
        .await
        .unwrap();
    let mut a = NewAttempt {
        guild_id: g,
        channel_id: None,
        user_id: 3,
        question_id: f.qid(Q3),
        topic: "Performance",
        context: Mock,
        context_ref: None,
        answer: "x",
        score: 80,
        covered: vec![],
        missed: vec![],
        hints_used: 0,
        submitted_at: t("2026-03-02T10:30:00Z"),
        local_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
    };
    assert!(short.record_attempt(&a, false).await.unwrap().seen);
    a.submitted_at = t("2026-03-02T11:30:00Z");
    a.context = Daily;
    assert!(!short.record_attempt(&a, false).await.unwrap().seen);
}

async fn a_copied_answer_counts_zero_until_a_moderator_decides(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 42;
    let copied = f
        .record(g, 1, Q1, Mock, None, 100, "2026-03-02T10:00:00Z", true)
        .await
        .unwrap();
    f.record(g, 2, Q1, Mock, None, 40, "2026-03-02T10:00:00Z", false)
        .await
        .unwrap();
    assert_eq!(f.all_time(g).await, vec![(2, 40), (1, 0)]);
    let (flagged, total) = f.store.flagged_answers(g, 10).await.unwrap();
    assert_eq!((flagged.len(), total), (1, 1));
    assert!(flagged[0].copied && flagged[0].attempt_id == copied.attempt_id);
    f.store
        .override_score(
            g,
            copied.attempt_id,
            99,
            70,
            "own words after all",
            t("2026-03-03T10:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(f.all_time(g).await, vec![(1, 70), (2, 40)]);
    assert!(f.store.flagged_answers(g, 10).await.unwrap().0.is_empty());
}

async fn hints_are_charged_per_member_and_question_across_messages_until_an_answer(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 43;
    let q = f.qid(Q1);
    // Two hints, wherever they were taken, and at most the question's count.
    assert_eq!(f.store.take_hint(g, 1, q, 3).await.unwrap(), 1);
    assert_eq!(f.store.take_hint(g, 1, q, 3).await.unwrap(), 2);
    assert_eq!(f.store.hints_used(g, 1, q).await.unwrap(), 2);
    assert_eq!(f.store.hints_used(g, 2, q).await.unwrap(), 0, "per member");
    assert_eq!(
        f.store.hints_used(g, 1, f.qid(Q2)).await.unwrap(),
        0,
        "per question"
    );
    f.record(g, 1, Q1, Practice, None, 50, "2026-03-02T10:00:00Z", false)
        .await
        .unwrap();
    assert_eq!(
        f.store.hints_used(g, 1, q).await.unwrap(),
        0,
        "the answer paid for them"
    );
}

async fn open_round(f: &Fixture, g: i64, players: &[i64], now: DateTime<Utc>) -> i64 {
    use interview_bot::store::NewRound;
    let round = f
        .store
        .create_round(
            &NewRound {
                guild_id: g,
                channel_id: 70 + g,
                started_by: players[0],
                mode: interview_bot::domain::round::Mode::Group,
                seconds_per_q: 60,
                question_ids: &[f.qid(Q1), f.qid(Q2)],
                topic: None,
                difficulty: None,
                lobby_until: now,
            },
            now,
        )
        .await
        .unwrap();
    for &p in players {
        f.store.join_round(round, p, None, now).await.unwrap();
    }
    let deadline = now + chrono::Duration::seconds(60);
    assert!(
        f.store
            .claim_open_question(round, 0, deadline, now, lease(now))
            .await
            .unwrap()
    );
    // Posted, as the bot does before anyone can answer it.
    f.store
        .set_question_message(round, 0, 70 + g)
        .await
        .unwrap();
    round
}

async fn a_round_answer_racing_the_reveal_is_stored_only_if_it_came_first(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 44;
    let round = open_round(&f, g, &[1, 2, 3], t("2026-03-02T10:00:00Z")).await;
    assert_eq!(
        f.store.open_competitive_questions(g).await.unwrap().len(),
        2,
        "every question of an open round is kept from /question"
    );
    f.record(
        g,
        1,
        Q1,
        Mock,
        Some(round),
        80,
        "2026-03-02T10:00:30Z",
        false,
    )
    .await
    .unwrap();
    // Not the round's current question.
    assert!(matches!(
        f.record(
            g,
            2,
            Q2,
            Mock,
            Some(round),
            80,
            "2026-03-02T10:00:31Z",
            false
        )
        .await,
        Err(StoreError::Closed(_))
    ));
    // The reveal is claimed; an answer whose check passed just before arrives now.
    assert!(
        f.store
            .claim_reveal(round, 0, lease(t("2026-03-02T10:00:40Z")))
            .await
            .unwrap()
    );
    let late = f
        .record(
            g,
            2,
            Q1,
            Mock,
            Some(round),
            90,
            "2026-03-02T10:00:41Z",
            false,
        )
        .await;
    assert!(matches!(late, Err(StoreError::Closed(_))), "{late:?}");
    let answers = f.store.round_answers(round).await.unwrap();
    assert_eq!(
        answers.len(),
        1,
        "the reveal and the summary see what the board sees"
    );
    assert_eq!(f.all_time(g).await, vec![(1, 80)]);
    // The reveal marks its players as having seen the reference.
    f.store
        .mark_round_reveal_seen(round, 0, t("2026-03-02T10:00:42Z"))
        .await
        .unwrap();
    let again = f
        .record(g, 3, Q1, Mock, None, 100, "2026-03-03T10:00:00Z", false)
        .await
        .unwrap();
    assert!(again.seen, "a player of the reveal, the next day");
    // The reveal was posted in the channel: a member who never played read it too.
    let reader = f
        .record(g, 99, Q1, Mock, None, 100, "2026-03-03T10:00:00Z", false)
        .await
        .unwrap();
    assert!(reader.seen, "a reader of the public reveal, the next day");
    assert_eq!(
        f.store
            .publicly_revealed_questions(g, t("2026-03-03T10:00:00Z"))
            .await
            .unwrap(),
        vec![f.qid(Q1)]
    );
    // After the cooling-off period (30 days by default) the question is fresh again.
    let fresh = f
        .record(g, 99, Q1, Mock, None, 100, "2026-04-10T10:00:00Z", false)
        .await
        .unwrap();
    assert!(!fresh.seen);
    assert!(
        f.store
            .publicly_revealed_questions(g, t("2026-04-10T10:00:00Z"))
            .await
            .unwrap()
            .is_empty()
    );
    f.store
        .end_round(round, RoundEnd::Finished, t("2026-03-02T10:05:00Z"))
        .await
        .unwrap();
    assert!(
        f.store
            .open_competitive_questions(g)
            .await
            .unwrap()
            .is_empty()
    );
}

/// PostgreSQL, read committed: an answer whose conditional insert saw its question open must
/// not commit after the reveal read the answers (it would be stored, count on the boards and be
/// missing from the reveal). The interleaving is forced: another session holds the answer's
/// hint charge, which the answer clears after its insert, so the answer stops between its
/// check and its commit; the reveal is then claimed and reads the answers. Before issue 26 the
/// claim ran outside the write path and the reveal read no answers while the answer then
/// committed; now the claim waits for the answer's transaction, and the reveal shows it.
async fn interleave_answer_and_reveal<F, Fut>(
    f: &Fixture,
    g: i64,
    context: AttemptContext,
    context_ref: i64,
    at: DateTime<Utc>,
    reveal: F,
) where
    F: FnOnce(Store) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Vec<i64>> + Send + 'static,
{
    let pool = f.store.postgres_pool().unwrap().clone();
    let question = f.qid(Q1);
    f.store.take_hint(g, 1, question, 3).await.unwrap();
    let mut blocker = pool.begin().await.unwrap();
    sqlx::query("SELECT used FROM hint_charges WHERE guild_id = $1 AND user_id = 1 FOR UPDATE")
        .bind(g)
        .fetch_all(&mut *blocker)
        .await
        .unwrap();
    let waiting = || {
        let pool = pool.clone();
        async move {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            n
        }
    };
    let store = f.store.clone();
    let answer = tokio::spawn(async move {
        let tz = store.server_timezone(g).await.unwrap();
        store
            .record_attempt(
                &NewAttempt {
                    guild_id: g,
                    channel_id: Some(7),
                    user_id: 1,
                    question_id: question,
                    topic: "Performance",
                    context,
                    context_ref: Some(context_ref),
                    answer: "an answer",
                    score: 70,
                    covered: vec![],
                    missed: vec![],
                    hints_used: 1,
                    submitted_at: at,
                    local_date: local_date(at, tz),
                },
                false,
            )
            .await
    });
    // The answer is past its check, waiting on the hint row (event-driven: the server says so).
    let started = std::time::Instant::now();
    while waiting().await < 1 {
        assert!(
            !answer.is_finished(),
            "the answer finished without waiting: {:?}",
            answer.await
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the answer never waited"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let reveal = tokio::spawn(reveal(f.store.clone()));
    // The reveal either ran to its end (it did not wait for the answer) or waits too.
    let started = std::time::Instant::now();
    while !reveal.is_finished() && waiting().await < 2 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the reveal neither ran nor waited"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    blocker.rollback().await.unwrap();
    let answered = answer.await.unwrap();
    let revealed = reveal.await.unwrap();
    match answered {
        Ok(_) => assert_eq!(
            revealed,
            vec![1],
            "the answer was stored, so the reveal must show it"
        ),
        Err(StoreError::Closed(_)) => assert!(revealed.is_empty()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
#[cfg_attr(
    not(ib_postgres),
    ignore = "no PostgreSQL server here: set IB_TEST_POSTGRES_URL or install PostgreSQL (initdb)"
)]
async fn postgres_a_round_answer_cannot_commit_after_its_reveal_read_the_answers() {
    let Some(f) = fixture(Engine::Postgres).await else {
        return;
    };
    let g = 48;
    let now = t("2026-03-02T10:00:00Z");
    let round = open_round(&f, g, &[1, 2], now).await;
    interleave_answer_and_reveal(
        &f,
        g,
        Mock,
        round,
        t("2026-03-02T10:00:30Z"),
        move |store| async move {
            assert!(
                store
                    .claim_reveal(round, 0, lease(t("2026-03-02T10:00:31Z")))
                    .await
                    .unwrap()
            );
            let answers = store.round_answers(round).await.unwrap();
            answers.iter().map(|a| a.user_id).collect()
        },
    )
    .await;
}

#[tokio::test]
#[cfg_attr(
    not(ib_postgres),
    ignore = "no PostgreSQL server here: set IB_TEST_POSTGRES_URL or install PostgreSQL (initdb)"
)]
async fn postgres_a_drop_answer_cannot_commit_after_its_reveal_read_the_answers() {
    use interview_bot::store::NewSchedule;
    let Some(f) = fixture(Engine::Postgres).await else {
        return;
    };
    let g = 49;
    let now = t("2026-03-02T09:00:00Z");
    let schedule = f
        .store
        .create_schedule(
            &NewSchedule {
                guild_id: g,
                channel_id: 10,
                local_time: "09:00",
                timezone: "UTC",
                weekdays: 127,
                bank_id: None,
                topic: None,
                difficulty: None,
                window_hours: 1,
                ping_role_id: None,
                thread: false,
                created_by: 7,
            },
            now,
        )
        .await
        .unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let drop = f
        .store
        .claim_drop(schedule, date, now, now, lease(now))
        .await
        .unwrap()
        .unwrap();
    let closes = t("2026-03-02T10:00:00Z");
    f.store
        .mark_drop_posted(drop, f.qid(Q1), 555, now, closes, None)
        .await
        .unwrap();
    interleave_answer_and_reveal(
        &f,
        g,
        Daily,
        drop,
        t("2026-03-02T09:59:00Z"),
        move |store| async move {
            // The reveal's claim may come early (a reveal by hand, or a clock a little ahead).
            assert!(
                store
                    .claim_reveal_drop(drop, closes, lease(closes))
                    .await
                    .unwrap()
            );
            let answers = store.drop_answers(drop).await.unwrap();
            answers.iter().map(|a| a.user_id).collect()
        },
    )
    .await;
}

async fn a_round_answer_after_the_deadline_is_refused_even_before_the_reveal(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 45;
    let round = open_round(&f, g, &[1], t("2026-03-02T10:00:00Z")).await;
    let late = f
        .record(
            g,
            1,
            Q1,
            Mock,
            Some(round),
            80,
            "2026-03-02T10:01:00Z",
            false,
        )
        .await;
    assert!(matches!(late, Err(StoreError::Closed(_))), "{late:?}");
}

async fn a_drop_takes_one_final_answer_per_member_and_none_after_its_close(engine: Engine) {
    use interview_bot::store::NewSchedule;
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 46;
    let now = t("2026-03-02T09:00:00Z");
    let schedule = f
        .store
        .create_schedule(
            &NewSchedule {
                guild_id: g,
                channel_id: 10,
                local_time: "09:00",
                timezone: "UTC",
                weekdays: 127,
                bank_id: None,
                topic: None,
                difficulty: None,
                window_hours: 1,
                ping_role_id: None,
                thread: false,
                created_by: 7,
            },
            now,
        )
        .await
        .unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let drop = f
        .store
        .claim_drop(schedule, date, now, now, lease(now))
        .await
        .unwrap()
        .unwrap();
    let closes = t("2026-03-02T10:00:00Z");
    f.store
        .mark_drop_posted(drop, f.qid(Q1), 555, now, closes, None)
        .await
        .unwrap();
    assert_eq!(
        f.store.open_competitive_questions(g).await.unwrap(),
        vec![f.qid(Q1)]
    );
    f.record(
        g,
        1,
        Q1,
        Daily,
        Some(drop),
        40,
        "2026-03-02T09:10:00Z",
        false,
    )
    .await
    .unwrap();
    // Resubmitting after reading the feedback: refused, the first answer is final.
    let again = f
        .record(
            g,
            1,
            Q1,
            Daily,
            Some(drop),
            100,
            "2026-03-02T09:20:00Z",
            false,
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // After the close, before the reveal: late.
    let late = f
        .record(
            g,
            2,
            Q1,
            Daily,
            Some(drop),
            100,
            "2026-03-02T10:00:00Z",
            false,
        )
        .await;
    assert!(matches!(late, Err(StoreError::Closed(_))), "{late:?}");
    assert!(
        f.store
            .claim_reveal_drop(drop, closes, lease(closes))
            .await
            .unwrap()
    );
    let late = f
        .record(
            g,
            3,
            Q1,
            Daily,
            Some(drop),
            100,
            "2026-03-02T09:59:00Z",
            false,
        )
        .await;
    assert!(
        matches!(late, Err(StoreError::Closed(_))),
        "a claimed reveal closes it"
    );
    assert_eq!(f.all_time(g).await, vec![(1, 40)]);
    f.store.reveal_drop_done(drop).await.unwrap();
    assert!(
        f.store
            .open_competitive_questions(g)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn appeals_and_overrides_leave_an_audit_trail_the_member_sees(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 47;
    let mine = f
        .record(g, 1, Q1, Mock, None, 30, "2026-03-02T10:00:00Z", false)
        .await
        .unwrap()
        .attempt_id;
    let theirs = f
        .record(g, 2, Q1, Mock, None, 30, "2026-03-02T10:00:00Z", false)
        .await
        .unwrap()
        .attempt_id;
    let now = t("2026-03-02T11:00:00Z");
    assert!(matches!(
        f.store.appeal(g, theirs, 1, "not mine", now).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        f.store.appeal(13, mine, 1, "other server", now).await,
        Err(StoreError::NotFound(_))
    ));
    f.store
        .appeal(g, mine, 1, "I covered IPC", now)
        .await
        .unwrap();
    assert!(matches!(
        f.store.appeal(g, mine, 1, "again", now).await,
        Err(StoreError::Conflict(_))
    ));
    let (flagged, _) = f.store.flagged_answers(g, 10).await.unwrap();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].appeal.as_deref(), Some("I covered IPC"));
    assert_eq!(
        f.store.member_stats(g, 1, now).await.unwrap().open_appeals,
        1
    );
    let old = f
        .store
        .override_score(g, mine, 99, 75, "IPC is covered", t("2026-03-02T12:00:00Z"))
        .await
        .unwrap();
    assert_eq!(old, 30);
    let stats = f
        .store
        .member_stats(g, 1, t("2026-03-02T13:00:00Z"))
        .await
        .unwrap();
    assert_eq!(stats.open_appeals, 0);
    assert_eq!(stats.overrides.len(), 1);
    let o = &stats.overrides[0];
    assert_eq!((o.attempt_id, o.old_score, o.new_score), (mine, 30, 75));
    assert!(o.answered_appeal && o.reason == "IPC is covered");
    assert_eq!(f.all_time(g).await, vec![(1, 75), (2, 30)]);
    assert_eq!(
        f.store.overrides(mine).await.unwrap().len(),
        1,
        "the audit row"
    );
}

async fn a_timezone_change_moves_today(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 48;
    f.record(g, 1, Q1, Mock, None, 60, "2026-03-02T05:00:00Z", false)
        .await
        .unwrap();
    let now = "2026-03-02T12:00:00Z";
    assert_eq!(
        f.board(g, Period::Today, now, None, 0, 10).await,
        vec![(1, 60)]
    );
    // In Kiritimati (UTC+14) it is already 3 March: the 05:00 UTC answer was yesterday.
    f.store
        .set_server_timezone(g, "Pacific/Kiritimati".parse().unwrap(), t(now))
        .await
        .unwrap();
    assert!(f.board(g, Period::Today, now, None, 0, 10).await.is_empty());
}

async fn a_weekdays_only_drop_keeps_a_streak_over_the_weekend(engine: Engine) {
    use interview_bot::store::NewSchedule;
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 49;
    let schedule = NewSchedule {
        guild_id: g,
        channel_id: 10,
        local_time: "09:00",
        timezone: "UTC",
        weekdays: 0b001_1111,
        bank_id: None,
        topic: None,
        difficulty: None,
        window_hours: 1,
        ping_role_id: None,
        thread: false,
        created_by: 7,
    };
    f.store
        .create_schedule(&schedule, t("2026-11-01T00:00:00Z"))
        .await
        .unwrap();
    // Monday 16 to Friday 20 and Monday 23 to Tuesday 24 November 2026: seven posting days.
    for day in [16, 17, 18, 19, 20, 23, 24] {
        f.answer(
            g,
            1,
            Q1,
            "Performance",
            Daily,
            50,
            &format!("2026-11-{day}T10:00:00Z"),
        )
        .await;
    }
    let stats = f
        .store
        .member_stats(g, 1, t("2026-11-24T12:00:00Z"))
        .await
        .unwrap();
    assert_eq!(stats.streak.current, 7, "the weekend is not a posting day");
    assert!(interview_bot::domain::streak::is_milestone(
        stats.streak.current
    ));
}

#[tokio::test]
async fn an_unknown_round_or_drop_state_is_an_error_not_a_default() {
    let f = fixture(Engine::Sqlite).await.unwrap();
    let now = t("2026-03-02T10:00:00Z");
    let round = two_question_round(&f, 7, now).await;
    // The schema's CHECK constraints keep such values out; a hand edit with them off does not.
    let mut c = f.store.sqlite_pool().unwrap().acquire().await.unwrap();
    sqlx::query("PRAGMA ignore_check_constraints = ON")
        .execute(&mut *c)
        .await
        .unwrap();
    sqlx::query("UPDATE rounds SET state = 'paused' WHERE id = ?")
        .bind(round)
        .execute(&mut *c)
        .await
        .unwrap();
    match f.store.round(round).await {
        Err(StoreError::Corrupt(why)) => {
            assert!(why.contains("unknown round state `paused`"), "{why}")
        }
        other => panic!("expected a corrupt-data error, got {other:?}"),
    }
    // The round's mode too (issue 26: it was a string read as "group" when unknown).
    sqlx::query("UPDATE rounds SET state = 'question', mode = 'duel' WHERE id = ?")
        .bind(round)
        .execute(&mut *c)
        .await
        .unwrap();
    match f.store.round(round).await {
        Err(StoreError::Corrupt(why)) => {
            assert!(
                why.contains("round mode") && why.contains("`duel`"),
                "{why}"
            )
        }
        other => panic!("expected a corrupt-data error, got {other:?}"),
    }
    let schedule = f
        .store
        .create_schedule(
            &interview_bot::store::NewSchedule {
                guild_id: 15,
                channel_id: 8,
                local_time: "09:00",
                timezone: "UTC",
                weekdays: 0x7f,
                bank_id: None,
                topic: None,
                difficulty: None,
                window_hours: 24,
                ping_role_id: None,
                thread: false,
                created_by: 1,
            },
            now,
        )
        .await
        .unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let drop_id = f
        .store
        .claim_drop(
            schedule,
            date,
            now,
            now,
            now + chrono::Duration::seconds(30),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        f.store.drop_by_id(drop_id).await.unwrap().state,
        DropState::Claimed
    );
    sqlx::query("UPDATE drops SET state = 'POSTED' WHERE id = ?")
        .bind(drop_id)
        .execute(&mut *c)
        .await
        .unwrap();
    drop(c);
    assert!(matches!(
        f.store.drop_by_id(drop_id).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        f.store.drop_state(schedule, date).await,
        Err(StoreError::Corrupt(_))
    ));
}

// ---- The timer's index: each schedule's next due time ----

async fn schedule_at(store: &Store, time: &str, tz: &str, weekdays: u8, now: DateTime<Utc>) -> i64 {
    store
        .create_schedule(
            &interview_bot::store::NewSchedule {
                guild_id: 1,
                channel_id: 10,
                local_time: time,
                timezone: tz,
                weekdays,
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
        .unwrap()
}

async fn next_due(store: &Store, id: i64) -> Option<DateTime<Utc>> {
    store.schedule(1, id).await.unwrap().next_due()
}

async fn due_ids(store: &Store, now: DateTime<Utc>) -> Vec<i64> {
    store
        .due_schedules(now)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect()
}

/// What the timer does after handling a schedule's due drop.
async fn handled(store: &Store, id: i64, now: DateTime<Utc>) {
    let row = store.schedule(1, id).await.unwrap();
    store
        .schedule_handled(id, row.schedule().as_ref(), now)
        .await
        .unwrap();
}

async fn a_schedule_is_next_due_at_its_next_local_post_across_dst_and_weekdays(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    // Weekdays at 09:00 London, set on Friday 27 March 2026 after 09:00 GMT: the next post is
    // Monday 30 March, after the clocks went forward (09:00 BST = 08:00 UTC).
    let weekdays = schedule_at(
        &f.store,
        "09:00",
        "Europe/London",
        0b001_1111,
        t("2026-03-27T10:00:00Z"),
    )
    .await;
    assert_eq!(
        next_due(&f.store, weekdays).await,
        Some(t("2026-03-30T08:00:00Z"))
    );
    // Every day at 09:00 London, set on Saturday 24 October (BST): Sunday's post is after the
    // clocks went back, at 09:00 GMT.
    let daily = schedule_at(
        &f.store,
        "09:00",
        "Europe/London",
        0x7f,
        t("2026-10-24T08:30:00Z"),
    )
    .await;
    assert_eq!(
        next_due(&f.store, daily).await,
        Some(t("2026-10-25T09:00:00Z"))
    );
    // A time the clocks skip (New York, 02:30 on 8 March) is due at the first valid minute.
    let skipped = schedule_at(
        &f.store,
        "02:30",
        "America/New_York",
        0x7f,
        t("2026-03-08T05:00:00Z"),
    )
    .await;
    assert_eq!(
        next_due(&f.store, skipped).await,
        Some(t("2026-03-08T07:00:00Z")),
        "03:00 EDT"
    );
    // Set within the minute of its time: due at once.
    let now = t("2026-06-01T09:00:30Z");
    let at_once = schedule_at(&f.store, "09:00", "UTC", 0x7f, now).await;
    assert_eq!(
        next_due(&f.store, at_once).await,
        Some(t("2026-06-01T09:00:00Z"))
    );
    assert!(due_ids(&f.store, now).await.contains(&at_once));
    // Due in order of their times, none before its own.
    assert!(
        due_ids(&f.store, t("2026-03-08T06:59:00Z"))
            .await
            .is_empty()
    );
    assert_eq!(
        due_ids(&f.store, t("2026-03-30T08:00:00Z")).await,
        vec![skipped, weekdays]
    );
    // The earliest of them all is what the timer sleeps until.
    assert_eq!(
        f.store.next_schedule_due().await.unwrap(),
        Some(t("2026-03-08T07:00:00Z"))
    );
}

async fn a_handled_schedule_is_next_due_at_its_next_post_or_a_sooner_retry(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    // Mon, Wed, Fri at 18:30 Berlin.
    let id = schedule_at(
        &f.store,
        "18:30",
        "Europe/Berlin",
        0b001_0101,
        t("2026-03-23T12:00:00Z"),
    )
    .await;
    let monday = t("2026-03-23T17:30:00Z"); // 18:30 CET
    assert_eq!(next_due(&f.store, id).await, Some(monday));
    assert!(
        due_ids(&f.store, monday - chrono::Duration::seconds(1))
            .await
            .is_empty()
    );
    assert_eq!(due_ids(&f.store, monday).await, vec![id]);
    // Posted on Monday: next due Wednesday, then Friday, then Monday 30 March in CEST.
    let date = NaiveDate::from_ymd_opt(2026, 3, 23).unwrap();
    let drop = f
        .store
        .claim_drop(id, date, monday, monday, lease(monday))
        .await
        .unwrap()
        .unwrap();
    f.store
        .mark_drop_posted(
            drop,
            1,
            99,
            monday,
            monday + chrono::Duration::hours(24),
            None,
        )
        .await
        .unwrap();
    handled(&f.store, id, monday + chrono::Duration::seconds(2)).await;
    assert_eq!(
        next_due(&f.store, id).await,
        Some(t("2026-03-25T17:30:00Z"))
    );
    assert!(
        due_ids(&f.store, t("2026-03-25T17:00:00Z"))
            .await
            .is_empty()
    );
    handled(&f.store, id, t("2026-03-25T17:30:00Z")).await;
    handled(&f.store, id, t("2026-03-27T17:30:00Z")).await;
    assert_eq!(
        next_due(&f.store, id).await,
        Some(t("2026-03-30T16:30:00Z")),
        "18:30 CEST"
    );
    handled(&f.store, id, t("2026-03-30T16:30:00Z")).await;
    // Wednesday's drop fails and is retried in 15 minutes: due then, before its next post.
    let wednesday = t("2026-04-01T16:30:00Z");
    let date = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let failed = f
        .store
        .claim_drop(id, date, wednesday, wednesday, lease(wednesday))
        .await
        .unwrap()
        .unwrap();
    let retry = wednesday + chrono::Duration::minutes(15);
    f.store
        .mark_drop_failed(failed, "missing permission", Some(retry))
        .await
        .unwrap();
    handled(&f.store, id, wednesday).await;
    assert_eq!(
        next_due(&f.store, id).await,
        Some(retry),
        "the retry is sooner"
    );
    // Failed for good: the next post again.
    f.store
        .claim_drop(id, date, wednesday, retry, lease(retry))
        .await
        .unwrap()
        .unwrap();
    f.store
        .mark_drop_failed(failed, "missing permission", None)
        .await
        .unwrap();
    handled(&f.store, id, retry).await;
    assert_eq!(
        next_due(&f.store, id).await,
        Some(t("2026-04-03T16:30:00Z"))
    );
}

async fn paused_schedules_are_never_due_and_a_resumed_one_is_due_at_once(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let now = t("2026-05-04T12:00:00Z");
    let id = schedule_at(&f.store, "13:00", "UTC", 0x7f, now).await;
    let other = schedule_at(&f.store, "15:00", "UTC", 0x7f, now).await;
    f.store.set_schedule_paused(1, id, true).await.unwrap();
    let later = t("2026-05-06T14:00:00Z");
    assert_eq!(due_ids(&f.store, later).await, vec![other]);
    assert_eq!(
        f.store.next_schedule_due().await.unwrap(),
        Some(t("2026-05-04T15:00:00Z"))
    );
    f.store.set_schedule_paused(1, id, false).await.unwrap();
    assert_eq!(
        due_ids(&f.store, now).await,
        vec![id],
        "looked at the next wake"
    );
    // An unreadable schedule (a hand-edited zone) is never due again once seen.
    f.store.schedule_handled(id, None, now).await.unwrap();
    assert_eq!(next_due(&f.store, id).await, None);
    assert!(due_ids(&f.store, later).await.iter().all(|&i| i != id));
}

/// `db migrate-to`: a SQLite database with answers, a round, a team and a review is copied into
/// PostgreSQL with the same rows; the copy reads the same boards and its ids carry on.
#[tokio::test]
#[cfg_attr(
    not(ib_postgres),
    ignore = "no PostgreSQL server here: set IB_TEST_POSTGRES_URL or install PostgreSQL (initdb)"
)]
async fn migrate_to_copies_every_table_and_the_boards_read_the_same() {
    let Some(pg_url) = crate::support::postgres::fresh_database().await else {
        return;
    };
    let f = fixture(Engine::Sqlite).await.unwrap();
    let now = t("2026-03-02T10:00:00Z");
    f.answer(16, 1, Q1, "Performance", Mock, 70, "2026-03-02T10:00:00Z")
        .await;
    f.answer(16, 2, Q2, "Performance", Daily, 90, "2026-03-02T11:00:00Z")
        .await;
    f.store.upsert_member(16, 1, "ada", now).await.unwrap();
    let round = two_question_round(&f, 9, now).await;
    f.store.create_team(16, "Owls", 1, now).await.unwrap();
    let key = interview_bot::domain::adaptive::ItemKey::new("nodejs-senior", Q1);
    f.store
        .record_review_attempt(&interview_bot::store::reviews::ReviewAttempt {
            guild_id: 16,
            user_id: 1,
            key: &key,
            topic: "Performance",
            difficulty: interview_bot::domain::bank::Difficulty::Hard,
            score: 80,
            hints_used: 0,
            at: now,
        })
        .await
        .unwrap();

    // The AI judge's rows: a judged attempt (both scores), a cached verdict, a budget day.
    use interview_bot::domain::judging::JudgeMode;
    use interview_bot::store::judgements::JudgementEnd;
    let judged: i64 = 1;
    f.store
        .mark_judgement_pending(judged, JudgeMode::Primary, now)
        .await
        .unwrap();
    assert_eq!(
        f.store
            .attach_judgement(
                judged,
                &JudgementEnd::Judged {
                    model: "m",
                    ai_score: 77,
                    verdict_json: "{\"score\":77}",
                    counts: Some(77),
                },
            )
            .await
            .unwrap(),
        Some((77, interview_bot::domain::judging::CountedBy::Ai))
    );
    f.store
        .cache_verdict(1, "m", "hash", "{\"score\":77}", now)
        .await
        .unwrap();
    assert!(
        f.store
            .take_judge_budget(16, now.date_naive(), 5)
            .await
            .unwrap()
    );
    let judgement = f.store.judgement(16, judged).await.unwrap();
    assert!(judgement.is_some(), "attempt 1 is server 16's");

    let target = Store::connect(&pg_url).await.unwrap();
    let report = f.store.copy_to(&target).await.unwrap();
    assert_eq!(target.judgement(16, judged).await.unwrap(), judgement);
    assert_eq!(
        report
            .iter()
            .find(|t| t.table == "judge_cache")
            .map(|t| t.target_rows),
        Some(1)
    );
    assert!(
        report.iter().all(|t| t.source_rows == t.target_rows),
        "{report:?}"
    );
    let rows = |name: &str| report.iter().find(|t| t.table == name).unwrap().target_rows;
    assert_eq!(rows("attempts"), 2);
    assert_eq!(rows("rounds"), 1);
    assert_eq!(rows("round_questions"), 2);
    assert_eq!(rows("teams"), 1);
    assert_eq!(rows("review_states"), 1);
    assert!(rows("questions") >= 34);
    // Not copied but rebuilt from the copied attempts by the target's triggers.
    assert_eq!(rows("member_best"), 2);
    assert_eq!(rows("member_totals"), 2);

    // The copy reads the same, and a new row's id follows the copied ones.
    let board = |s: &Store| {
        let q = BoardQuery {
            guild_id: 16,
            window: window(Period::AllTime, now, Tz::UTC),
            topic: None,
            page: 0,
            page_size: 10,
        };
        let s = s.clone();
        async move { s.leaderboard(&q).await.unwrap().rows }
    };
    assert_eq!(board(&f.store).await, board(&target).await);
    assert_eq!(
        target.round(round).await.unwrap(),
        f.store.round(round).await.unwrap()
    );
    let second = two_question_round_on(&target, &f, 10, now).await;
    assert!(
        second > round,
        "ids carry on after the copied ones: {second} after {round}"
    );

    // A database that already has rows is refused, and left as it was.
    let again = f.store.copy_to(&target).await.unwrap_err();
    assert!(
        matches!(&again, StoreError::Conflict(why) if why.contains("not empty")),
        "{again}"
    );
    assert_eq!(target.round(round).await.unwrap().id, round);
}

async fn two_question_round_on(
    store: &Store,
    f: &Fixture,
    channel: i64,
    now: DateTime<Utc>,
) -> i64 {
    let questions = [f.qid(Q1), f.qid(Q2)];
    store
        .create_round(
            &interview_bot::store::NewRound {
                guild_id: 16,
                channel_id: channel,
                started_by: 1,
                mode: interview_bot::domain::round::Mode::Group,
                seconds_per_q: 60,
                question_ids: &questions,
                topic: None,
                difficulty: None,
                lobby_until: now,
            },
            now,
        )
        .await
        .unwrap()
}

// ---- The all-time board from member_totals (kept by triggers) equals ranking every attempt ----

impl Fixture {
    /// The all-time board read both ways: from `member_totals` (no window, no topic) and by
    /// ranking every attempt (a window wide enough to hold them all), with each member's rank.
    async fn all_time_both_ways(&self, guild: i64) {
        let board = |window| BoardQuery {
            guild_id: guild,
            window,
            topic: None,
            page: 0,
            page_size: 25,
        };
        let totals = board(window(Period::AllTime, t("2026-06-01T00:00:00Z"), Tz::UTC));
        let every_attempt = board(interview_bot::domain::period::Window {
            start: Some(t("2000-01-01T00:00:00Z")),
            end: Some(t("2100-01-01T00:00:00Z")),
        });
        let from_totals = self.store.leaderboard(&totals).await.unwrap();
        let from_attempts = self.store.leaderboard(&every_attempt).await.unwrap();
        assert_eq!(from_totals, from_attempts);
        for user in 1..=6 {
            assert_eq!(
                self.store.member_rank(&totals, user).await.unwrap(),
                self.store.member_rank(&every_attempt, user).await.unwrap(),
                "member {user}"
            );
        }
    }
}

async fn the_all_time_board_kept_by_triggers_matches_ranking_every_attempt(engine: Engine) {
    let Some(f) = fixture(engine).await else {
        return;
    };
    let g = 77;
    let slugs = [Q1, Q2, Q3];
    let contexts = [Daily, Mock, Practice];
    // A deterministic mix: members 1-6, three questions, counted and uncounted contexts,
    // repeats, ties and copies.
    let mut ids = Vec::new();
    let mut x: u32 = 7;
    for i in 0..60u32 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let user = i64::from(1 + (x >> 8) % 6);
        let slug = slugs[((x >> 12) % 3) as usize];
        let context = contexts[((x >> 16) % 3) as usize];
        let score = u8::try_from((x >> 20) % 11 * 10).unwrap();
        let at = format!("2026-03-{:02}T10:{:02}:00Z", 1 + i % 28, i % 60);
        let recorded = f
            .record(g, user, slug, context, None, score, &at, i % 9 == 0)
            .await
            .unwrap();
        ids.push(recorded.attempt_id);
    }
    f.all_time_both_ways(g).await;
    assert!(
        !f.all_time(g).await.is_empty(),
        "the mix puts members on the board"
    );

    // Every way an attempt changes after it is stored: a moderator's override (which also
    // clears a copy flag), a seen mark, a context change, and deletion.
    f.store
        .override_score(g, ids[0], 99, 100, "fair", t("2026-04-01T00:00:00Z"))
        .await
        .unwrap();
    f.all_time_both_ways(g).await;
    for &id in ids.iter().skip(1).step_by(5) {
        execute(
            &f.store,
            "UPDATE attempts SET seen_ms = 1 WHERE id = $1",
            id,
        )
        .await;
    }
    f.all_time_both_ways(g).await;
    for &id in ids.iter().skip(2).step_by(4) {
        execute(
            &f.store,
            "UPDATE attempts SET context = 'practice' WHERE id = $1",
            id,
        )
        .await;
    }
    f.all_time_both_ways(g).await;
    for &id in ids.iter().skip(3).step_by(3) {
        execute(&f.store, "DELETE FROM attempts WHERE id = $1", id).await;
    }
    f.all_time_both_ways(g).await;
    // Deleting every attempt of a member takes them off the board.
    for &id in &ids {
        execute(
            &f.store,
            "DELETE FROM attempts WHERE id = $1 AND user_id = 1",
            id,
        )
        .await;
    }
    f.all_time_both_ways(g).await;
    assert!(f.all_time(g).await.iter().all(|&(user, _)| user != 1));
}

// Each test below once per engine (`on_both_engines!`, tests/suite/main.rs, calls `Db::…`).
use Engine as Db;

on_both_engines!(
    coaching_reads_weeks_ratings_and_concepts_covered_since,
    server_banks_are_private_follow_reimports_and_are_kept_while_a_round_uses_them,
    a_failed_drop_is_claimed_again_only_when_its_retry_is_due,
    a_drop_claimed_by_a_process_that_died_is_taken_over,
    a_stale_claim_too_late_to_post_is_recorded_as_skipped,
    a_drop_takes_one_final_answer_per_member_and_none_after_its_close,
    a_weekdays_only_drop_keeps_a_streak_over_the_weekend,
    only_the_best_attempt_per_question_counts_and_practice_never_does,
    ties_go_to_fewer_attempts_then_earlier,
    pages_split_the_board_and_report_totals,
    today_follows_the_servers_midnight_not_utcs,
    calendar_windows_hold_across_a_dst_change,
    topic_filter_and_seasons,
    servers_never_see_each_others_data,
    team_board_averages_over_active_members,
    teams_create_join_leave_and_refuse_duplicates,
    stats_streaks_and_most_missed_use_the_servers_days,
    overrides_change_the_score_and_keep_an_audit_trail,
    a_round_question_is_answered_once_per_member,
    storing_the_same_bank_twice_reuses_its_rows_and_a_new_version_gets_new_ones,
    two_writers_on_one_file_lose_nothing,
    open_rounds_ping_and_the_database_error_count,
    question_answers_are_practice_and_never_reach_the_board,
    answers_after_seeing_the_reference_do_not_count_during_the_cooling_off,
    a_copied_answer_counts_zero_until_a_moderator_decides,
    hints_are_charged_per_member_and_question_across_messages_until_an_answer,
    a_round_answer_racing_the_reveal_is_stored_only_if_it_came_first,
    a_round_answer_after_the_deadline_is_refused_even_before_the_reveal,
    appeals_and_overrides_leave_an_audit_trail_the_member_sees,
    a_timezone_change_moves_today,
    a_schedule_is_next_due_at_its_next_local_post_across_dst_and_weekdays,
    a_handled_schedule_is_next_due_at_its_next_post_or_a_sooner_retry,
    paused_schedules_are_never_due_and_a_resumed_one_is_due_at_once,
    the_all_time_board_kept_by_triggers_matches_ranking_every_attempt,
);
