//! The app use cases on a manual clock with the recording outbound port: drops and rounds
//! step by step, with no Discord, no timer task and no sleeping.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use interview_bot::app::{
    self, Clock, Engine, ManualClock, OutboundError, RecordingOutbound, rounds,
};
use interview_bot::bot::{Library, load_content};
use interview_bot::domain::round::Mode;
use interview_bot::store::{DropState, NewSchedule, RoundState, Store};
use tokio::sync::Notify;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The database engines every test here runs on (`engine::sqlite::…`, `engine::postgres::…`).
#[derive(Debug, Clone, Copy)]
enum Db {
    Sqlite,
    Postgres,
}

struct World {
    _dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    out: Arc<RecordingOutbound>,
    engine: Engine,
}

impl World {
    /// `None` on PostgreSQL where no server can be had (the harness said why).
    async fn new(db: Db, start: &str) -> Option<World> {
        let dir = tempfile::tempdir().unwrap();
        let url = match db {
            Db::Sqlite => format!("sqlite://{}", dir.path().join("bot.db").display()),
            Db::Postgres => crate::support::postgres::fresh_database().await?,
        };
        let store = Store::connect(&url).await.unwrap();
        let clock = Arc::new(ManualClock::new(t(start)));
        let library = Arc::new(Library::new(
            load_content(&store, clock.now()).await.unwrap(),
        ));
        let out = Arc::new(RecordingOutbound::new());
        let engine = Engine {
            store,
            library,
            clock: clock.clone(),
            outbound: out.clone(),
            timings: Default::default(),
            wake: Arc::new(Notify::new()),
            metrics: Default::default(),
        };
        Some(World {
            _dir: dir,
            clock,
            out,
            engine,
        })
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Move the clock to `to` (never back).
    fn set(&self, to: DateTime<Utc>) {
        assert!(to >= self.now(), "the clock goes forward only");
        self.clock.advance(to - self.now());
    }

    async fn schedule(&self, time: &str, channel: i64) -> i64 {
        self.engine
            .store
            .create_schedule(
                &NewSchedule {
                    guild_id: 1,
                    channel_id: channel,
                    local_time: time,
                    timezone: "Europe/London",
                    weekdays: 0x7f,
                    bank_id: None,
                    topic: None,
                    difficulty: None,
                    window_hours: 24,
                    ping_role_id: None,
                    thread: false,
                    created_by: 9,
                },
                self.now(),
            )
            .await
            .unwrap()
    }

    /// A solo round of the shipped bank's first `questions` questions, `seconds` each, started
    /// by member 11 in channel 300 of server 1 (its first question opens at the next wake).
    async fn solo_round(&self, questions: usize, seconds: u32) -> i64 {
        let shipped = self.engine.library.shipped().clone();
        let rows: Vec<i64> = shipped.bank.questions[..questions]
            .iter()
            .map(|q| shipped.row_of(q).unwrap())
            .collect();
        rounds::start_round(
            &self.engine,
            &rounds::StartRound {
                guild_id: 1,
                channel_id: 300,
                starter: 11,
                starter_name: "Ada",
                mode: Mode::Solo,
                seconds_per_q: seconds,
                question_rows: &rows,
                topic: None,
                difficulty: None,
            },
        )
        .await
        .unwrap()
    }

    /// The nonce of every post so far, in order.
    fn nonces(&self) -> Vec<String> {
        self.out.posts().into_iter().map(|(_, n, _)| n).collect()
    }
}

async fn drops_post_once_at_their_local_time_across_the_spring_dst_change_and_reveal_at_close(
    db: Db,
) {
    // Europe/London springs forward on 2026-03-29 at 01:00 UTC: 01:30 does not exist that day.
    let Some(w) = World::new(db, "2026-03-27T12:00:00Z").await else {
        return;
    };
    let nine = w.schedule("09:00", 100).await;
    let half_one = w.schedule("01:30", 200).await;
    // Drive the clock the way the timer does: wake, then jump to the next due time it names.
    let mut posted_at: Vec<(String, DateTime<Utc>)> = Vec::new();
    for _ in 0..100 {
        let next = app::timer::wake(&w.engine, false).await;
        // A second wake at the same instant (another process, an answer's wake) adds nothing.
        let again = app::timer::wake(&w.engine, false).await;
        assert_eq!(next, again);
        for n in w.nonces().into_iter().skip(posted_at.len()) {
            posted_at.push((n, w.now()));
        }
        let Some(next) = next else { break };
        if next > t("2026-03-31T08:30:00Z") {
            break;
        }
        w.set(next);
    }
    let store = &w.engine.store;
    let drops_of = |schedule: i64| async move {
        let mut v = store.recent_drops(schedule, 10).await.unwrap();
        v.reverse();
        v
    };
    let at = |nonce: &str| {
        let hits: Vec<_> = posted_at.iter().filter(|(n, _)| n == nonce).collect();
        assert_eq!(
            hits.len(),
            1,
            "{nonce} posted {} times: {posted_at:?}",
            hits.len()
        );
        hits[0].1
    };
    let nine_drops = drops_of(nine).await;
    let dates: Vec<&str> = nine_drops.iter().map(|d| d.local_date.as_str()).collect();
    assert_eq!(
        dates,
        ["2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"]
    );
    // 09:00 GMT, then 09:00 BST (08:00 UTC).
    let expected = [
        "2026-03-28T09:00:00Z",
        "2026-03-29T08:00:00Z",
        "2026-03-30T08:00:00Z",
        "2026-03-31T08:00:00Z",
    ];
    for (i, (d, when)) in nine_drops.iter().zip(expected).enumerate() {
        assert_eq!(at(&format!("d{}", d.id)), t(when), "{d:?}");
        // The reveal at the close, 24 hours later, once (the last one is still open).
        if i < 3 {
            assert_eq!(
                at(&format!("d{}v", d.id)),
                t(when) + Duration::hours(24),
                "{d:?}"
            );
        }
    }
    let half_drops = drops_of(half_one).await;
    // 01:30 GMT; on the DST day the first valid minute after it (02:00 BST = 01:00 UTC); 01:30 BST.
    let expected = [
        "2026-03-28T01:30:00Z",
        "2026-03-29T01:00:00Z",
        "2026-03-30T00:30:00Z",
        "2026-03-31T00:30:00Z",
    ];
    assert_eq!(half_drops.len(), 4, "{half_drops:?}");
    for (d, when) in half_drops.iter().zip(expected) {
        assert_eq!(at(&format!("d{}", d.id)), t(when), "{d:?}");
    }
    let revealed = nine_drops[..3].iter().chain(&half_drops[..3]).map(|d| d.id);
    for id in revealed {
        let d = w.engine.store.drop_by_id(id).await.unwrap();
        assert_eq!(d.state, DropState::Revealed);
    }
    // The posts went to their schedules' channels, with the Answer button of their drop.
    for (channel, nonce, m) in w.out.posts() {
        if let Some(id) = nonce.strip_prefix('d').filter(|n| !n.ends_with('v')) {
            assert_eq!(m.buttons[0].custom_id, format!("d:answer:{id}"));
            let schedule = if nine_drops.iter().any(|d| d.id.to_string() == id) {
                100
            } else {
                200
            };
            assert_eq!(channel, schedule);
        }
    }
}

async fn a_drop_whose_claimer_died_is_taken_over_when_its_lease_passes_and_posted_once(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T08:59:00Z").await else {
        return;
    };
    let schedule = w.schedule("10:00", 100).await; // 09:00 UTC (BST)
    w.set(t("2026-05-04T09:00:00Z"));
    let date = NaiveDate::from_ymd_opt(2026, 5, 4).unwrap();
    // A process claims the drop, chooses its question, posts it, and is killed before it
    // records the post.
    let now = w.now();
    let id = w
        .engine
        .store
        .claim_drop(schedule, date, now, now, w.engine.lease_from(now))
        .await
        .unwrap()
        .unwrap();
    let question = w
        .engine
        .library
        .shipped()
        .row_of(&w.engine.library.shipped().bank.questions[0])
        .unwrap();
    w.engine
        .store
        .prepare_drop(id, question, now + Duration::hours(24))
        .await
        .unwrap();
    use interview_bot::app::Outbound as _;
    let first = w
        .out
        .post(
            100,
            app::Outgoing::text("the dead process's post"),
            &format!("d{id}"),
        )
        .await
        .unwrap();
    // Under its live lease nobody touches it.
    w.set(now + Duration::seconds(29));
    let next = app::timer::wake(&w.engine, false).await;
    assert_eq!(w.out.posts().len(), 1);
    assert_eq!(
        w.engine.store.drop_by_id(id).await.unwrap().state,
        DropState::Claimed
    );
    // The timer wakes for the lease's end, and takes the step over.
    assert_eq!(next, Some(now + Duration::seconds(30)));
    w.set(now + Duration::seconds(30));
    app::timer::wake(&w.engine, false).await;
    let d = w.engine.store.drop_by_id(id).await.unwrap();
    assert_eq!(d.state, DropState::Posted);
    // The same nonce: Discord returned the first message, so there is one post, recorded.
    assert_eq!(d.message_id, Some(first));
    assert_eq!(w.out.posts().len(), 1);
    assert_eq!(d.question_id, Some(question));
}

async fn a_drop_that_cannot_be_posted_says_why_and_posts_when_the_permission_is_back(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T08:00:00Z").await else {
        return;
    };
    let schedule = w.schedule("10:00", 100).await;
    w.out.refuse(100, OutboundError::MissingPermission);
    w.set(t("2026-05-04T09:00:00Z"));
    let next = app::timer::wake(&w.engine, false).await;
    let row = w
        .engine
        .store
        .schedule_by_id(schedule)
        .await
        .unwrap()
        .unwrap();
    assert!(row.failing.unwrap().contains("missing permission"));
    // Tried again after a quarter of a drop hour.
    assert_eq!(next, Some(t("2026-05-04T09:15:00Z")));
    w.out.allow(100);
    w.set(t("2026-05-04T09:15:00Z"));
    app::timer::wake(&w.engine, false).await;
    assert_eq!(w.out.posts().len(), 1);
    let row = w
        .engine
        .store
        .schedule_by_id(schedule)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.failing, None);
}

async fn a_wake_posts_the_due_schedules_of_every_server_and_moves_only_them_to_their_next_day(
    db: Db,
) {
    let Some(w) = World::new(db, "2026-05-04T08:00:00Z").await else {
        return;
    };
    // 30 schedules on 10 servers, one a minute from 10:00 London (09:00 UTC).
    let mut ids = Vec::new();
    for i in 0..30u32 {
        let time = format!("10:{i:02}");
        let id = w
            .engine
            .store
            .create_schedule(
                &NewSchedule {
                    guild_id: 1 + i64::from(i % 10),
                    channel_id: 100 + i64::from(i),
                    local_time: &time,
                    timezone: "Europe/London",
                    weekdays: 0x7f,
                    bank_id: None,
                    topic: None,
                    difficulty: None,
                    window_hours: 24,
                    ping_role_id: None,
                    thread: false,
                    created_by: 9,
                },
                w.now(),
            )
            .await
            .unwrap();
        ids.push(id);
    }
    let first = t("2026-05-04T09:00:00Z");
    assert_eq!(app::timer::wake(&w.engine, false).await, Some(first));
    assert!(w.out.posts().is_empty());
    w.set(t("2026-05-04T09:10:30Z"));
    let next = app::timer::wake(&w.engine, false).await;
    assert_eq!(next, Some(t("2026-05-04T09:11:00Z")));
    let channels: Vec<i64> = w.out.posts().iter().map(|(c, _, _)| *c).collect();
    assert_eq!(channels, (100..=110).collect::<Vec<i64>>());
    for (i, id) in ids.iter().enumerate() {
        let row = w.engine.store.schedule_by_id(*id).await.unwrap().unwrap();
        let today = first + Duration::minutes(i as i64);
        let expected = if i <= 10 {
            today + Duration::days(1)
        } else {
            today
        };
        assert_eq!(row.next_due(), Some(expected), "schedule {i}");
    }
}

async fn a_round_advances_when_its_deadlines_pass_on_the_clock(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T12:00:00Z").await else {
        return;
    };
    let shipped = w.engine.library.shipped().clone();
    let rows: Vec<i64> = shipped.bank.questions[..2]
        .iter()
        .map(|q| shipped.row_of(q).unwrap())
        .collect();
    let round = rounds::start_round(
        &w.engine,
        &rounds::StartRound {
            guild_id: 1,
            channel_id: 300,
            starter: 11,
            starter_name: "Ada",
            mode: Mode::Group,
            seconds_per_q: 30,
            question_rows: &rows,
            topic: None,
            difficulty: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        rounds::join_round(&w.engine, round, 12, "Grace", None)
            .await
            .unwrap(),
        rounds::Joined::Joined { team: None }
    );
    assert_eq!(w.nonces(), [format!("r{round}l")]);
    let start = w.now();
    // The lobby lasts 60 s: nothing before, the first question at its end.
    let next = app::timer::wake(&w.engine, false).await;
    assert_eq!(next, Some(start + Duration::seconds(60)));
    w.set(start + Duration::seconds(59));
    app::timer::wake(&w.engine, false).await;
    assert_eq!(w.nonces().len(), 1);
    w.set(start + Duration::seconds(60));
    let next = app::timer::wake(&w.engine, false).await;
    assert_eq!(w.nonces(), [format!("r{round}l"), format!("r{round}q0")]);
    assert_eq!(next, Some(start + Duration::seconds(90)));
    let r = w.engine.store.round(round).await.unwrap();
    assert_eq!((r.state, r.current_index), (RoundState::Question, 0));
    // Its deadline passes: the reveal, then the next question, in one wake.
    w.set(start + Duration::seconds(90));
    let next = app::timer::wake(&w.engine, false).await;
    assert_eq!(
        w.nonces()[2..],
        [format!("r{round}v0"), format!("r{round}q1")]
    );
    assert_eq!(next, Some(start + Duration::seconds(120)));
    w.set(start + Duration::seconds(120));
    app::timer::wake(&w.engine, false).await;
    assert_eq!(
        w.nonces()[4..],
        [format!("r{round}v1"), format!("r{round}s")]
    );
    assert_eq!(
        w.engine.store.round(round).await.unwrap().state,
        RoundState::Finished
    );
    // Nothing more, however often the timer wakes.
    w.set(start + Duration::seconds(600));
    app::timer::wake(&w.engine, false).await;
    assert_eq!(w.nonces().len(), 6);
    assert!(!rounds::stop_round(&w.engine, round).await.unwrap());
}

async fn a_reveal_whose_claimer_died_is_taken_over_and_the_round_goes_on(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T12:00:00Z").await else {
        return;
    };
    let round = w.solo_round(2, 30).await;
    let start = w.now();
    app::timer::wake(&w.engine, false).await;
    assert_eq!(w.nonces(), [format!("r{round}q0")]);
    // At the deadline a process claims the reveal and dies before posting it.
    w.set(start + Duration::seconds(30));
    let lease = w.engine.lease_from(w.now());
    assert!(w.engine.store.claim_reveal(round, 0, lease).await.unwrap());
    let next = app::timer::wake(&w.engine, false).await;
    assert_eq!(w.nonces().len(), 1, "a live lease is left alone");
    assert_eq!(next, Some(lease));
    w.set(lease);
    app::timer::wake(&w.engine, false).await;
    assert_eq!(
        w.nonces()[1..],
        [format!("r{round}v0"), format!("r{round}q1")]
    );
    let r = w.engine.store.round(round).await.unwrap();
    assert_eq!((r.state, r.current_index), (RoundState::Question, 1));
}

async fn a_drop_names_the_streaks_that_break_unless_their_members_answer_it(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T08:00:00Z").await else {
        return;
    };
    let schedule = w.schedule("10:00", 100).await; // 09:00 UTC (BST), a 24-hour window
    let store = &w.engine.store;
    // Ada answers the drops of 4 and 5 May; Bo only that of 5 May.
    let answer = |user: i64, day: u32| async move {
        let drop = store.recent_drops(schedule, 1).await.unwrap().remove(0);
        assert_eq!(drop.local_date, format!("2026-05-0{day}"));
        let at = t(&format!("2026-05-0{day}T12:00:00Z"));
        store
            .record_attempt(
                &interview_bot::store::NewAttempt {
                    guild_id: 1,
                    channel_id: Some(100),
                    user_id: user,
                    question_id: drop.question_id.unwrap(),
                    topic: "Performance",
                    context: interview_bot::store::AttemptContext::Daily,
                    context_ref: Some(drop.id),
                    answer: "an answer",
                    score: 60,
                    covered: vec![],
                    missed: vec![],
                    hints_used: 0,
                    submitted_at: at,
                    local_date: NaiveDate::from_ymd_opt(2026, 5, day).unwrap(),
                },
                false,
            )
            .await
            .unwrap();
    };
    store.upsert_member(1, 21, "Ada", w.now()).await.unwrap();
    store.upsert_member(1, 22, "Bo", w.now()).await.unwrap();
    let on_the_line = |n: usize| {
        let posts: Vec<_> = w
            .out
            .posts()
            .into_iter()
            .filter(|(_, nonce, _)| !nonce.ends_with('v'))
            .collect();
        let (_, _, m) = &posts[n];
        let embed = m.embed.as_ref().unwrap();
        embed
            .fields
            .iter()
            .find(|(name, _, _)| name.starts_with("Streaks on the line"))
            .map(|(_, value, _)| value.clone())
    };
    for day in 4..=6 {
        w.set(t(&format!("2026-05-0{day}T09:00:00Z")));
        app::timer::wake(&w.engine, false).await;
        match day {
            4 => {
                assert_eq!(on_the_line(0), None, "nobody has a streak yet");
                answer(21, 4).await;
            }
            5 => {
                // A one-day streak is not worth a reminder.
                assert_eq!(on_the_line(1), None);
                answer(21, 5).await;
                answer(22, 5).await;
            }
            _ => {
                let line = on_the_line(2).expect("the third drop reminds Ada");
                assert!(line.contains("Ada — 2 days"), "{line}");
                assert!(!line.contains("Bo"), "{line}");
            }
        }
    }
}

async fn a_question_whose_poster_died_is_not_revealed_unposted_and_gets_its_full_time_when_taken_over(
    db: Db,
) {
    let Some(w) = World::new(db, "2026-05-04T12:00:00Z").await else {
        return;
    };
    let round = w.solo_round(2, 20).await;
    // A process claims the first question and dies before posting it. Its 20 s pass before
    // its 30 s lease does.
    let start = w.now();
    let lease = w.engine.lease_from(start);
    assert!(
        w.engine
            .store
            .claim_open_question(round, 0, start + Duration::seconds(20), start, lease)
            .await
            .unwrap()
    );
    w.set(start + Duration::seconds(25));
    let next = app::timer::wake(&w.engine, false).await;
    assert!(
        w.nonces().is_empty(),
        "a question nobody has seen is not revealed: {:?}",
        w.nonces()
    );
    assert_eq!(next, Some(lease));
    let r = w.engine.store.round(round).await.unwrap();
    assert_eq!((r.state, r.current_index), (RoundState::Question, 0));
    // At the lease's end the question is taken over and posted, with its full 20 s from now.
    w.set(lease);
    let next = app::timer::wake(&w.engine, false).await;
    assert_eq!(w.nonces(), [format!("r{round}q0")]);
    assert_eq!(next, Some(lease + Duration::seconds(20)));
    let r = w.engine.store.round(round).await.unwrap();
    assert_eq!(r.deadline(), Some(lease + Duration::seconds(20)));
    // Its reveal comes at the new deadline, then the next question.
    w.set(lease + Duration::seconds(20));
    app::timer::wake(&w.engine, false).await;
    assert_eq!(
        w.nonces()[1..],
        [format!("r{round}v0"), format!("r{round}q1")]
    );
}

async fn a_summary_whose_poster_died_is_taken_over_when_its_lease_passes(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T12:00:00Z").await else {
        return;
    };
    let round = w.solo_round(1, 30).await;
    let start = w.now();
    app::timer::wake(&w.engine, false).await;
    // At the deadline a process reveals the last question, finishes the round and dies
    // before posting the summary.
    w.set(start + Duration::seconds(30));
    let lease = w.engine.lease_from(w.now());
    assert!(w.engine.store.claim_reveal(round, 0, lease).await.unwrap());
    assert!(
        w.engine
            .store
            .finish_round(round, 0, w.now(), lease)
            .await
            .unwrap()
    );
    let next = app::timer::wake(&w.engine, false).await;
    assert_eq!(
        w.nonces(),
        [format!("r{round}q0")],
        "a live lease is left alone"
    );
    assert_eq!(next, Some(lease));
    w.set(lease);
    app::timer::wake(&w.engine, false).await;
    assert_eq!(w.nonces()[1..], [format!("r{round}s")]);
    // Posted once: nothing more is due for the round.
    w.set(lease + Duration::seconds(600));
    assert_eq!(app::timer::wake(&w.engine, false).await, None);
    assert_eq!(w.nonces().len(), 2);
}

/// An answer of `user` to the shipped bank's question `q` at `at` (server 1, practice).
async fn answered(w: &World, user: i64, q: usize, score: u8, missed: &[&str], at: &str) {
    let bank = w.engine.library.shipped();
    let question = &bank.bank.questions[q];
    let at = t(at);
    w.engine
        .store
        .record_attempt(
            &interview_bot::store::NewAttempt {
                guild_id: 1,
                channel_id: Some(100),
                user_id: user,
                question_id: bank.row_of(question).unwrap(),
                topic: &question.topic,
                context: interview_bot::store::AttemptContext::Practice,
                context_ref: None,
                answer: "an answer",
                score,
                covered: vec![],
                missed: missed.iter().map(|m| m.to_string()).collect(),
                hints_used: 0,
                submitted_at: at,
                local_date: at.with_timezone(&chrono_tz::Europe::Berlin).date_naive(),
            },
            false,
        )
        .await
        .unwrap();
}

/// The weekly digests posted so far: (when the test saw them, message).
fn digests(w: &World) -> Vec<app::Outgoing> {
    w.out
        .posts()
        .into_iter()
        .filter(|(_, nonce, _)| nonce.starts_with('w'))
        .map(|(_, _, m)| m)
        .collect()
}

async fn the_weekly_digest_posts_once_a_week_in_the_servers_timezone_even_across_a_restart(db: Db) {
    let Some(w) = World::new(db, "2026-11-18T12:00:00Z").await else {
        return;
    };
    let store = &w.engine.store;
    store
        .set_server_timezone(1, chrono_tz::Europe::Berlin, w.now())
        .await
        .unwrap();
    store.upsert_member(1, 21, "Ada", w.now()).await.unwrap();
    store.upsert_member(1, 22, "Bo", w.now()).await.unwrap();
    let first = app::digest::enable(store, 1, 300, 9, w.now())
        .await
        .unwrap();
    // Monday 23 November 09:00 in Berlin, for the week of 16 November.
    assert_eq!(first.due, t("2026-11-23T08:00:00Z"));
    // Ada: 40 before the week, 80 in it; Bo: 70 before, 60 in it. Both miss IPC on question 0.
    answered(&w, 21, 0, 40, &["IPC"], "2026-11-10T10:00:00Z").await;
    answered(&w, 22, 1, 70, &[], "2026-11-10T10:00:00Z").await;
    answered(&w, 21, 0, 80, &["IPC"], "2026-11-18T12:00:00Z").await;
    answered(&w, 21, 2, 80, &[], "2026-11-19T12:00:00Z").await;
    answered(
        &w,
        22,
        0,
        20,
        &["IPC", "Round robin"],
        "2026-11-19T12:00:00Z",
    )
    .await;
    answered(&w, 22, 2, 100, &[], "2026-11-20T12:00:00Z").await;
    // Sunday 22 November 23:30 in Berlin: still the week of 16 November.
    answered(&w, 22, 1, 90, &[], "2026-11-22T22:30:00Z").await;

    let mut posted_at = Vec::new();
    for _ in 0..50 {
        let next = app::timer::wake(&w.engine, false).await;
        // A second wake at the same instant (another process) adds nothing.
        assert_eq!(app::timer::wake(&w.engine, false).await, next);
        for _ in posted_at.len()..digests(&w).len() {
            posted_at.push(w.now());
        }
        let Some(next) = next else { break };
        if next > t("2026-12-01T00:00:00Z") {
            break;
        }
        w.set(next);
    }
    assert_eq!(
        posted_at,
        [t("2026-11-23T08:00:00Z"), t("2026-11-30T08:00:00Z")],
        "the timer woke for each digest and posted it once"
    );
    let embed = digests(&w)[0].embed.clone().unwrap();
    assert_eq!(embed.title, "Weekly digest — week of 16 November 2026");
    assert!(
        embed.description.contains("5 answer(s) from 2 member(s)"),
        "{embed:?}"
    );
    let improvers = embed.field_value("Top improvers (this week's average against before)");
    assert_eq!(improvers, Some("1. Ada — 40 → 80 (+40)"), "Bo did worse");
    let missed = embed.field_value("Most missed concepts").unwrap();
    let question = &w.engine.library.shipped().bank.questions[0].id;
    assert!(
        missed.starts_with(&format!("IPC — missed 2× · practise `{question}`")),
        "{missed}"
    );
    let hardest = embed.field_value("Hardest question of the week").unwrap();
    assert!(hardest.starts_with(&format!("`{question}`")), "{hardest}");
    let quiet = digests(&w)[1].embed.clone().unwrap();
    assert!(quiet.description.starts_with("A quiet week"), "{quiet:?}");

    // A restarted process (a new port that never saw the nonces) on the same database, at the
    // same instant, posts nothing again.
    let restarted = Engine {
        outbound: Arc::new(RecordingOutbound::new()),
        ..w.engine.clone()
    };
    app::timer::wake(&restarted, true).await;
    let rows = store.recent_digests(1, 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.state == "posted"), "{rows:?}");
}

/// Sunday 22 November 2026 12:00 UTC, server 1 (in UTC) opted in to the digest in channel 300:
/// the week of 16 November is due the next morning at 09:00.
async fn digest_world(db: Db) -> Option<World> {
    let w = World::new(db, "2026-11-22T12:00:00Z").await?;
    app::digest::enable(&w.engine.store, 1, 300, 9, w.now())
        .await
        .unwrap();
    Some(w)
}

async fn a_digest_whose_claimer_died_is_taken_over_when_its_lease_passes_and_posted_once(db: Db) {
    let Some(w) = digest_world(db).await else {
        return;
    };
    let store = &w.engine.store;
    let week = interview_bot::domain::digest::digest_week(
        NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
        chrono_tz::UTC,
    );
    w.set(week.due);
    // A process claims the week, posts it and is killed before it records the post.
    let now = w.now();
    let id = store
        .claim_digest(1, week.week, 300, week.due, now, w.engine.lease_from(now))
        .await
        .unwrap()
        .unwrap();
    use interview_bot::app::Outbound as _;
    let first = w
        .out
        .post(
            300,
            app::Outgoing::text("the dead process's digest"),
            &format!("w{id}"),
        )
        .await
        .unwrap();
    // Under its live lease nobody touches it: the wake sees the week claimed, and wakes again
    // at the lease's end.
    w.set(now + Duration::seconds(29));
    let next = app::timer::wake(&w.engine, false).await;
    assert_eq!(w.out.posts().len(), 1);
    assert_eq!(next, Some(now + Duration::seconds(30)));
    w.set(now + Duration::seconds(30));
    let next = app::timer::wake(&w.engine, false).await;
    let rows = store.recent_digests(1, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, "posted");
    // The same nonce: Discord returned the first message, so there is one post, recorded.
    assert_eq!(rows[0].message_id, Some(first));
    assert_eq!(w.out.posts().len(), 1);
    // Next: the following week's digest.
    assert_eq!(next, Some(t("2026-11-30T09:00:00Z")));
}

async fn a_digest_discord_refused_is_tried_again_until_a_day_after_it_was_due(db: Db) {
    let Some(w) = digest_world(db).await else {
        return;
    };
    let store = &w.engine.store;
    // The week of 16 November is due Monday 23 November 09:00 (UTC here); the bot lost its
    // permission to post in the channel.
    w.out.refuse(300, OutboundError::MissingPermission);
    w.set(t("2026-11-23T09:00:00Z"));
    let next = app::timer::wake(&w.engine, false).await.unwrap();
    assert!(digests(&w).is_empty());
    let rows = store.recent_digests(1, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, "claimed", "waiting for its retry: {rows:?}");
    assert!(rows[0].note.is_some(), "says why: {rows:?}");
    // The timer comes back for it after a pause, not at once and not next week.
    assert!(
        next > w.now() && next <= w.now() + Duration::hours(1),
        "{next}"
    );
    // Still refused at the retry: tried again later once more.
    w.set(next);
    let next = app::timer::wake(&w.engine, false).await.unwrap();
    assert!(digests(&w).is_empty());
    assert!(next <= w.now() + Duration::hours(1), "{next}");
    // The permission comes back: the next retry posts it, once.
    w.out.allow(300);
    w.set(next);
    app::timer::wake(&w.engine, false).await;
    assert_eq!(digests(&w).len(), 1);
    let rows = store.recent_digests(1, 10).await.unwrap();
    assert_eq!(rows[0].state, "posted", "{rows:?}");
    assert_eq!(rows[0].note, None);
    app::timer::wake(&w.engine, false).await;
    assert_eq!(digests(&w).len(), 1, "posted once");

    // The next week's digest, refused for more than a day: it gives up and says why.
    w.out.refuse(300, OutboundError::MissingPermission);
    w.set(t("2026-11-30T09:00:00Z"));
    let mut next = app::timer::wake(&w.engine, false).await;
    while let Some(at) = next.filter(|at| *at < t("2026-12-02T00:00:00Z")) {
        w.set(at);
        next = app::timer::wake(&w.engine, false).await;
    }
    let rows = store.recent_digests(1, 10).await.unwrap();
    let week = rows.iter().find(|r| r.week == "2026-11-23").unwrap();
    assert_eq!(week.state, "failed", "{rows:?}");
    assert!(week.note.is_some());
    assert_eq!(digests(&w).len(), 1);
}

async fn no_digest_is_posted_for_a_server_that_did_not_opt_in_or_opted_out(db: Db) {
    let Some(w) = World::new(db, "2026-11-18T12:00:00Z").await else {
        return;
    };
    let store = &w.engine.store;
    answered(&w, 21, 0, 40, &["IPC"], "2026-11-18T12:00:00Z").await;
    // Never opted in: nothing to wake for.
    assert_eq!(app::timer::wake(&w.engine, false).await, None);
    app::digest::enable(store, 1, 300, 9, w.now())
        .await
        .unwrap();
    assert!(store.disable_digest(1).await.unwrap());
    assert_eq!(app::timer::wake(&w.engine, false).await, None);
    w.set(t("2026-11-30T12:00:00Z"));
    app::timer::wake(&w.engine, false).await;
    assert!(digests(&w).is_empty());
    assert!(store.recent_digests(1, 10).await.unwrap().is_empty());
}

/// A schedule of server 1 posting in channel 100 at `time` in `timezone` on `weekdays`, drawing
/// from `topic` of the shipped bank.
async fn schedule_in(
    w: &World,
    time: &str,
    timezone: &str,
    weekdays: u8,
    topic: Option<&str>,
) -> i64 {
    w.engine
        .store
        .create_schedule(
            &NewSchedule {
                guild_id: 1,
                channel_id: 100,
                local_time: time,
                timezone,
                weekdays,
                bank_id: None,
                topic,
                difficulty: None,
                window_hours: 24,
                ping_role_id: None,
                thread: false,
                created_by: 9,
            },
            w.now(),
        )
        .await
        .unwrap()
}

/// The schedule's latest drop.
async fn latest_drop(w: &World, schedule: i64) -> interview_bot::store::DropRow {
    w.engine
        .store
        .recent_drops(schedule, 1)
        .await
        .unwrap()
        .remove(0)
}

/// Member `user` answers drop `drop` through the one answer path, at the clock's time.
async fn answer_drop(w: &World, drop: &interview_bot::store::DropRow, user: i64) -> app::Scored {
    let asked = w
        .engine
        .library
        .question(&w.engine.store, drop.question_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    w.engine
        .store
        .upsert_member(1, user, &format!("member {user}"), w.now())
        .await
        .unwrap();
    app::score_and_record(
        &w.engine.store,
        w.clock.as_ref(),
        &app::Answering {
            guild_id: 1,
            channel_id: Some(100),
            user_id: user,
            question_row: drop.question_id.unwrap(),
            bank: &w.engine.library.shipped().bank.meta.id,
            question: asked.question(),
            corpus: asked.corpus(),
            answer: &asked.question().reference,
            context: interview_bot::store::AttemptContext::Daily,
            context_ref: Some(drop.id),
            hints_used: 0,
        },
    )
    .await
    .unwrap()
}

/// Issue 26.1: a drop whose question was revealed in the server within the cooling-off would
/// count for nobody, so drops take the questions not revealed first, and when every question
/// of the pool was revealed, the one revealed longest ago.
async fn a_drop_prefers_a_question_not_revealed_in_the_server_within_the_cooling_off(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T08:00:00Z").await else {
        return;
    };
    let shipped = w.engine.library.shipped().clone();
    let topic = shipped.bank.questions[0].topic.clone();
    let pool: Vec<i64> = shipped
        .bank
        .questions
        .iter()
        .filter(|q| q.topic == topic)
        .map(|q| shipped.row_of(q).unwrap())
        .collect();
    assert!(pool.len() >= 4, "{pool:?}");
    // Reveals showed every question of the topic but one in the server, 20 days ago, one an
    // hour after the other.
    let fresh = pool[pool.len() / 2];
    let seen: Vec<i64> = pool.iter().copied().filter(|q| *q != fresh).collect();
    for (i, q) in seen.iter().enumerate() {
        let at = w.now() - Duration::days(20) + Duration::hours(i64::try_from(i).unwrap());
        w.engine
            .store
            .mark_seen(1, 0, *q, interview_bot::store::SeenSource::Reveal, at)
            .await
            .unwrap();
    }
    let schedule = schedule_in(&w, "10:00", "Europe/London", 0x7f, Some(&topic)).await;
    w.set(t("2026-05-04T09:00:00Z"));
    app::timer::wake(&w.engine, false).await;
    let first = latest_drop(&w, schedule).await;
    assert_eq!(first.question_id, Some(fresh), "{first:?}");
    w.set(t("2026-05-04T10:00:00Z"));
    let scored = answer_drop(&w, &first, 21).await;
    assert!(!scored.seen, "the answer to a fresh question counts");
    // Every question was revealed now: the one revealed longest ago.
    w.set(t("2026-05-05T09:00:00Z"));
    app::timer::wake(&w.engine, false).await;
    let second = latest_drop(&w, schedule).await;
    assert_eq!(second.local_date, "2026-05-05");
    assert_eq!(second.question_id, Some(seen[0]), "{second:?}");
}

/// Issue 26.2: a Mon–Fri 18:00 America/Los_Angeles drop posts at 01:00 UTC the next day. In a
/// server on UTC its answers are counted on the drop's own date, so the weekend breaks no
/// streak, and the streak is alive while Monday's drop is open.
async fn a_drop_answer_counts_on_the_drops_own_date_so_the_weekend_breaks_no_streak(db: Db) {
    let Some(w) = World::new(db, "2026-05-06T12:00:00Z").await else {
        return;
    };
    let weekdays = interview_bot::domain::schedule::Weekdays::WEEKDAYS.bits();
    let schedule = schedule_in(&w, "18:00", "America/Los_Angeles", weekdays, None).await;
    // Thursday 7 and Friday 8 May, 18:00 PDT = 01:00 UTC the next day; answered an hour later.
    for (post, answer) in [
        ("2026-05-08T01:00:00Z", "2026-05-08T02:00:00Z"),
        ("2026-05-09T01:00:00Z", "2026-05-09T02:00:00Z"),
    ] {
        w.set(t(post));
        app::timer::wake(&w.engine, false).await;
        w.set(t(answer));
        let drop = latest_drop(&w, schedule).await;
        answer_drop(&w, &drop, 21).await;
    }
    // Monday 11 May's drop is open (Tuesday 12 May in UTC): the streak is alive until it closes.
    w.set(t("2026-05-12T01:00:00Z"));
    app::timer::wake(&w.engine, false).await;
    let monday = latest_drop(&w, schedule).await;
    assert_eq!(monday.local_date, "2026-05-11");
    let stats = w.engine.store.member_stats(1, 21, w.now()).await.unwrap();
    assert_eq!(stats.streak.current, 2, "{:?}", stats.streak);
    w.set(t("2026-05-12T02:00:00Z"));
    answer_drop(&w, &monday, 21).await;
    let stats = w.engine.store.member_stats(1, 21, w.now()).await.unwrap();
    assert_eq!(stats.streak.current, 3, "{:?}", stats.streak);
}

/// Issue 26.7: a question whose reveal is under way is closed: the Answer button says so at the
/// click instead of opening a form whose answer would then be refused as late.
async fn a_question_in_its_reveal_refuses_the_answer_click_as_closed(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T12:00:00Z").await else {
        return;
    };
    let round = w.solo_round(2, 30).await;
    let start = w.now();
    app::timer::wake(&w.engine, false).await;
    w.set(start + Duration::seconds(10));
    let row = w.engine.store.round(round).await.unwrap();
    assert_eq!(
        rounds::answer_allowed(&w.engine.store, &row, 0, 11, w.now())
            .await
            .unwrap(),
        Ok(()),
        "open before its reveal"
    );
    // Its reveal is claimed before the deadline (e.g. a skip): the question is closed.
    let lease = w.engine.lease_from(w.now());
    assert!(w.engine.store.claim_reveal(round, 0, lease).await.unwrap());
    let row = w.engine.store.round(round).await.unwrap();
    assert_eq!(row.state, RoundState::Reveal);
    assert_eq!(
        rounds::answer_allowed(&w.engine.store, &row, 0, 11, w.now())
            .await
            .unwrap(),
        Err(interview_bot::domain::round::AnswerRefusal::NotThisQuestion)
    );
}

/// Issue 26.5: a copied answer scores high but counts 0 on the boards; the drop's reveal does
/// not rank it among the top answers, and says how many answers did not count.
async fn a_drop_reveal_ranks_only_the_answers_the_boards_count(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T08:00:00Z").await else {
        return;
    };
    let schedule = w.schedule("10:00", 100).await; // 09:00 UTC (BST), a 24-hour window
    w.set(t("2026-05-04T09:00:00Z"));
    app::timer::wake(&w.engine, false).await;
    let drop = latest_drop(&w, schedule).await;
    w.set(t("2026-05-04T10:00:00Z"));
    // Member 21 pastes the reference: a copy, scored high, counted 0.
    let copied = answer_drop(&w, &drop, 21).await;
    assert!(copied.copied, "the reference pasted is a copy");
    // Member 22 writes a short answer of their own.
    let asked = w
        .engine
        .library
        .question(&w.engine.store, drop.question_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    w.engine
        .store
        .upsert_member(1, 22, "member 22", w.now())
        .await
        .unwrap();
    let own = app::score_and_record(
        &w.engine.store,
        w.clock.as_ref(),
        &app::Answering {
            guild_id: 1,
            channel_id: Some(100),
            user_id: 22,
            question_row: drop.question_id.unwrap(),
            bank: &w.engine.library.shipped().bank.meta.id,
            question: asked.question(),
            corpus: asked.corpus(),
            answer: "It depends on the event loop and I would measure it first.",
            context: interview_bot::store::AttemptContext::Daily,
            context_ref: Some(drop.id),
            hints_used: 0,
        },
    )
    .await
    .unwrap();
    assert!(!own.copied && !own.seen);
    w.set(t("2026-05-05T09:00:00Z"));
    app::timer::wake(&w.engine, false).await;
    let reveal = w
        .out
        .posts()
        .into_iter()
        .find(|(_, nonce, _)| *nonce == format!("d{}v", drop.id))
        .expect("the reveal is posted")
        .2;
    let embed = reveal.embed.unwrap();
    let field = |name: &str| {
        embed
            .fields
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.clone())
    };
    let top = field("Top answers").expect("a top answer");
    assert!(top.starts_with("1. member 22"), "{top}");
    assert!(!top.contains("member 21"), "{top}");
    let count = field("Answers").unwrap();
    assert!(count.contains("1 not counted"), "{count}");
}

/// Issue 26.5: a round's reveal shows no copied answer as its best, and its summary does not
/// claim that every answer went to the boards.
async fn a_round_reveal_and_summary_show_what_the_boards_do_not_count(db: Db) {
    let Some(w) = World::new(db, "2026-05-04T12:00:00Z").await else {
        return;
    };
    let round = w.solo_round(1, 30).await;
    let start = w.now();
    app::timer::wake(&w.engine, false).await;
    w.set(start + Duration::seconds(5));
    let (row, _) = w
        .engine
        .store
        .round_question(round, 0)
        .await
        .unwrap()
        .unwrap();
    let asked = w
        .engine
        .library
        .question(&w.engine.store, row)
        .await
        .unwrap()
        .unwrap();
    let scored = app::score_and_record(
        &w.engine.store,
        w.clock.as_ref(),
        &app::Answering {
            guild_id: 1,
            channel_id: Some(300),
            user_id: 11,
            question_row: row,
            bank: &w.engine.library.shipped().bank.meta.id,
            question: asked.question(),
            corpus: asked.corpus(),
            answer: &asked.question().reference,
            context: interview_bot::store::AttemptContext::Mock,
            context_ref: Some(round),
            hints_used: 0,
        },
    )
    .await
    .unwrap();
    assert!(scored.copied);
    w.set(start + Duration::seconds(30));
    app::timer::wake(&w.engine, false).await;
    let posts = w.out.posts();
    let embed_of = |nonce: String| {
        posts
            .iter()
            .find(|(_, n, _)| *n == nonce)
            .unwrap_or_else(|| panic!("{nonce} posted: {:?}", w.nonces()))
            .2
            .embed
            .clone()
            .unwrap()
    };
    let reveal = embed_of(format!("r{round}v0"));
    assert!(
        !reveal.fields.iter().any(|(n, _, _)| n == "Best answer"),
        "{:?}",
        reveal.fields
    );
    let scores = &reveal
        .fields
        .iter()
        .find(|(n, _, _)| n == "Scores")
        .unwrap()
        .1;
    assert!(scores.contains("not counted"), "{scores}");
    let summary = embed_of(format!("r{round}s"));
    let boards = &summary
        .fields
        .iter()
        .find(|(n, _, _)| n == "Boards")
        .unwrap()
        .1;
    assert!(!boards.starts_with("Each answer was added"), "{boards}");
    assert!(boards.contains("1 answer did not count"), "{boards}");
}

/// Issue 26.9: a schedule whose stored difficulty does not parse fails, saying why; before, the
/// filter was dropped and the drop posted a question of any difficulty.
async fn a_schedule_difficulty_that_does_not_parse_is_an_error_not_a_dropped_filter(db: Db) {
    let Some(w) = World::new(db, "2026-01-05T08:59:00Z").await else {
        return;
    };
    let schedule = w
        .engine
        .store
        .create_schedule(
            &NewSchedule {
                guild_id: 1,
                channel_id: 100,
                local_time: "09:00",
                timezone: "Europe/London",
                weekdays: 0x7f,
                bank_id: None,
                topic: None,
                difficulty: Some("impossible"),
                window_hours: 24,
                ping_role_id: None,
                thread: false,
                created_by: 9,
            },
            w.now(),
        )
        .await
        .unwrap();
    w.set(t("2026-01-05T09:00:00Z"));
    app::timer::wake(&w.engine, false).await;
    assert!(w.out.posts().is_empty(), "{:?}", w.nonces());
    let drops = w.engine.store.recent_drops(schedule, 5).await.unwrap();
    assert_eq!(drops.len(), 1);
    assert_eq!(drops[0].state, DropState::Failed);
    let row = w
        .engine
        .store
        .schedule_by_id(schedule)
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.failing
            .as_deref()
            .is_some_and(|f| f.contains("impossible")),
        "{:?}",
        row.failing
    );
}

/// Issue 26.6: a step that outlives its lease keeps it (its claimer renews it while it runs),
/// so another worker sharing the database does not take it for dead and post it again. The
/// clock is the test's: the lease is 300 ms of it, the clock moves 200 ms at a time, five
/// times, while the first worker's post is held; before issue 26 the second worker took the
/// step over once the fixed lease had passed and posted the drop a second time.
async fn a_step_longer_than_its_lease_keeps_it_and_is_not_redone_by_another_worker(db: Db) {
    let Some(mut w) = World::new(db, "2026-01-05T08:59:00Z").await else {
        return;
    };
    let lease = std::time::Duration::from_millis(300);
    w.engine.timings.step_lease = lease;
    let schedule = w.schedule("09:00", 100).await; // 09:00 UTC in winter
    // The second worker: the same database and clock, its own Discord connection.
    let other_out = Arc::new(RecordingOutbound::new());
    let other = Engine {
        outbound: other_out.clone(),
        ..w.engine.clone()
    };
    w.out.hold(100);
    w.set(t("2026-01-05T09:00:00Z"));
    let first = tokio::spawn({
        let e = w.engine.clone();
        async move { app::timer::wake(&e, false).await }
    });
    let started = std::time::Instant::now();
    while w.out.waiting() == 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the post never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    for _ in 0..5 {
        w.clock.advance(Duration::milliseconds(200));
        let renewed = w.now() + Duration::from_std(lease).unwrap();
        // The claimer renews within a third of a lease (real time): wait for it, a bounded
        // while (the old code never renewed; the assertion below then fails).
        let started = std::time::Instant::now();
        while w.engine.store.next_drop_lease(w.now()).await.unwrap() != Some(renewed)
            && started.elapsed() < std::time::Duration::from_secs(2)
        {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        app::timer::wake(&other, false).await;
        assert!(
            other_out.posts().is_empty(),
            "the other worker redid a step whose claimer is alive: {:?}",
            other_out.posts()
        );
    }
    w.out.release(100);
    first.await.unwrap();
    let drops = w.engine.store.recent_drops(schedule, 5).await.unwrap();
    assert_eq!(drops.len(), 1);
    assert_eq!(drops[0].state, DropState::Posted);
    assert_eq!(w.nonces(), vec![format!("d{}", drops[0].id)]);
    assert!(other_out.posts().is_empty());
    // The step is over: its lease is cleared, not renewed any more.
    assert_eq!(w.engine.store.next_drop_lease(w.now()).await.unwrap(), None);
}

/// Issue 26.6: the timer starts due steps side by side. A channel whose post hangs holds up
/// its own step only: another server's drop due at the same moment is posted meanwhile, and
/// a wake while the slow step still runs does not start it again.
async fn a_slow_channel_holds_up_only_its_own_step(db: Db) {
    let Some(w) = World::new(db, "2026-01-05T08:59:00Z").await else {
        return;
    };
    let slow = w.schedule("09:00", 100).await;
    let other = w
        .engine
        .store
        .create_schedule(
            &NewSchedule {
                guild_id: 2,
                channel_id: 200,
                local_time: "09:00",
                timezone: "Europe/London",
                weekdays: 0x7f,
                bank_id: None,
                topic: None,
                difficulty: None,
                window_hours: 24,
                ping_role_id: None,
                thread: false,
                created_by: 9,
            },
            w.now(),
        )
        .await
        .unwrap();
    w.out.hold(100);
    w.set(t("2026-01-05T09:00:00Z"));
    let steps = app::timer::Steps::new(app::timer::MAX_CONCURRENT_STEPS);
    let next = app::timer::start_due(&w.engine, &steps, false).await;
    // While a step runs, the timer looks again soon (its due time is not the next wake).
    assert!(
        next.is_some_and(|n| n <= w.now() + Duration::seconds(1)),
        "{next:?}"
    );
    let started = std::time::Instant::now();
    while !w.out.posts().iter().any(|(c, _, _)| *c == 200) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the other server's drop waited for the slow channel"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(
        !w.out.posts().iter().any(|(c, _, _)| *c == 100),
        "the slow post is still under way"
    );
    // The other step ends; the slow one reaches its post and waits there, and is not started
    // twice.
    let started = std::time::Instant::now();
    while steps.running() > 1 || w.out.waiting() == 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    app::timer::start_due(&w.engine, &steps, false).await;
    assert_eq!(steps.running(), 1);
    assert_eq!(w.out.waiting(), 1);
    w.out.release(100);
    steps.idle().await;
    for schedule in [slow, other] {
        let drops = w.engine.store.recent_drops(schedule, 5).await.unwrap();
        assert_eq!(drops.len(), 1);
        assert_eq!(drops[0].state, DropState::Posted);
    }
    assert_eq!(w.out.posts().len(), 2, "{:?}", w.nonces());
}

on_both_engines!(
    drops_post_once_at_their_local_time_across_the_spring_dst_change_and_reveal_at_close,
    a_drop_whose_claimer_died_is_taken_over_when_its_lease_passes_and_posted_once,
    a_drop_that_cannot_be_posted_says_why_and_posts_when_the_permission_is_back,
    a_wake_posts_the_due_schedules_of_every_server_and_moves_only_them_to_their_next_day,
    a_round_advances_when_its_deadlines_pass_on_the_clock,
    a_reveal_whose_claimer_died_is_taken_over_and_the_round_goes_on,
    a_drop_names_the_streaks_that_break_unless_their_members_answer_it,
    a_question_whose_poster_died_is_not_revealed_unposted_and_gets_its_full_time_when_taken_over,
    a_summary_whose_poster_died_is_taken_over_when_its_lease_passes,
    the_weekly_digest_posts_once_a_week_in_the_servers_timezone_even_across_a_restart,
    a_digest_whose_claimer_died_is_taken_over_when_its_lease_passes_and_posted_once,
    a_digest_discord_refused_is_tried_again_until_a_day_after_it_was_due,
    no_digest_is_posted_for_a_server_that_did_not_opt_in_or_opted_out,
    a_drop_prefers_a_question_not_revealed_in_the_server_within_the_cooling_off,
    a_drop_answer_counts_on_the_drops_own_date_so_the_weekend_breaks_no_streak,
    a_question_in_its_reveal_refuses_the_answer_click_as_closed,
    a_drop_reveal_ranks_only_the_answers_the_boards_count,
    a_round_reveal_and_summary_show_what_the_boards_do_not_count,
    a_step_longer_than_its_lease_keeps_it_and_is_not_redone_by_another_worker,
    a_slow_channel_holds_up_only_its_own_step,
    a_schedule_difficulty_that_does_not_parse_is_an_error_not_a_dropped_filter,
);

/// Issue 26.1: `/daily set` warns when the pool is shorter than the drops of one cooling-off.
#[test]
fn a_pool_shorter_than_the_drops_of_one_cooling_off_is_flagged() {
    use interview_bot::app::drops::drops_within;
    use interview_bot::domain::schedule::Weekdays;
    assert_eq!(drops_within(Weekdays::EVERY_DAY, Duration::days(30)), 30);
    assert_eq!(drops_within(Weekdays::WEEKDAYS, Duration::days(30)), 22);
    assert_eq!(drops_within(Weekdays::WEEKENDS, Duration::days(7)), 2);
}
