//! Daily drops: posting each (schedule, local date) exactly once, late-posting or skipping
//! what was missed during downtime, taking over a claim whose claimer died, and revealing at
//! close. Over the store, the [`Clock`](super::Clock) and the [`Outbound`](super::Outbound) port.
//!
//! Posting is here; the reveal at close is in `reveal.rs`, and whether a drop takes answers in
//! `answers.rs`.

mod answers;
mod reveal;

pub use answers::{DropRefusal, OpenDrop, open_for_answers};
pub use reveal::{reveal, reveal_message};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::seq::SliceRandom as _;

use super::outbound::{Embed, Outgoing};
use super::text::{MAX_FIELD_VALUE, escape, fit_lines, truncate};
use super::{Engine, StepError};
use crate::domain::bank::{Difficulty, QuestionFilter};
use crate::domain::schedule::{Missed, Schedule, missed};
use crate::ops::DropOutcome;
use crate::store::{DropRow, DropState, Leased, ScheduleRow};

/// How far back missed drops are looked for (and recorded as skipped).
const LOOK_BACK_DAYS: i64 = 7;

/// The schedule a stored row describes, or `None` when its time or zone is unreadable.
pub fn schedule_of(row: &ScheduleRow) -> Option<Schedule> {
    row.schedule()
}

fn grace(e: &Engine) -> Duration {
    Duration::from_std(e.timings.drop_grace).unwrap_or(Duration::hours(2))
}

/// How soon a schedule whose drop could not be handled (a store error) is looked at again.
const AGAIN_AFTER_ERROR: Duration = Duration::seconds(30);

/// One daily step due at a wake: a schedule's post (and what it missed), the take-over of a
/// drop step whose claimer died, or the reveal of a drop that closed.
#[derive(Debug, Clone)]
pub enum DueDrop {
    Schedule(ScheduleRow),
    TakeOver(DropRow),
    Reveal(i64),
}

impl DueDrop {
    /// The row the step works on, so one process never runs the same step twice at once.
    pub fn key(&self) -> super::timer::Due {
        use super::timer::Due;
        match self {
            DueDrop::Schedule(row) => Due::Schedule(row.id),
            DueDrop::TakeOver(drop) => Due::Drop(drop.id),
            DueDrop::Reveal(id) => Due::Drop(*id),
        }
    }
}

/// The daily steps due at `now`. Only due schedules are read (by their indexed next due time),
/// so a wake costs what is due, not every schedule.
pub async fn due(e: &Engine, now: DateTime<Utc>) -> Result<Vec<DueDrop>, StepError> {
    let mut steps: Vec<DueDrop> = e
        .store
        .due_schedules(now)
        .await?
        .into_iter()
        .map(DueDrop::Schedule)
        .collect();
    // Steps whose claimer died (killed between its claim and its record): done again. Their
    // posts carry the same nonce, so one that had gone out is not posted twice.
    steps.extend(
        e.store
            .stale_drop_claims(now)
            .await?
            .into_iter()
            .map(DueDrop::TakeOver),
    );
    let (to_reveal, _) = e.store.drops_to_reveal(now).await?;
    steps.extend(to_reveal.into_iter().map(DueDrop::Reveal));
    Ok(steps)
}

/// When the next daily step after `now` is due: a schedule's next post (or retry), a lease
/// ending, a drop closing.
pub async fn next_due(e: &Engine, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StepError> {
    let schedule = e.store.next_schedule_due().await?;
    let lease = e.store.next_drop_lease(now).await?;
    let (_, close) = e.store.drops_to_reveal(now).await?;
    Ok([schedule, lease, close].into_iter().flatten().min())
}

/// Do one due daily step at `now` (post, take over, reveal). Failures are logged; a schedule
/// whose post failed on a store error is looked at again shortly.
pub async fn run(e: &Engine, step: DueDrop, now: DateTime<Utc>) -> Result<(), StepError> {
    match step {
        DueDrop::Schedule(row) => {
            let Some(schedule) = schedule_of(&row) else {
                tracing::warn!(schedule = row.id, "schedule has an unreadable time or zone");
                e.store.schedule_handled(row.id, None, now).await?;
                return Ok(());
            };
            match post_due(e, &row, &schedule, now).await {
                Ok(()) => {
                    e.store
                        .schedule_handled(row.id, Some(&schedule), now)
                        .await?
                }
                Err(err) => {
                    tracing::error!(schedule = row.id, error = %err, "daily drop failed");
                    e.store
                        .schedule_due_at(row.id, now + AGAIN_AFTER_ERROR)
                        .await?;
                }
            }
        }
        DueDrop::TakeOver(stale) => {
            if let Err(err) = take_over(e, &stale, now).await {
                tracing::error!(drop = stale.id, error = %err, "cannot take over a daily drop step");
            }
        }
        DueDrop::Reveal(id) => {
            if let Err(err) = reveal(e, id, now).await {
                tracing::error!(drop = id, error = %err, "daily reveal failed");
            }
        }
    }
    Ok(())
}

/// Redo the step of a drop whose claimer died: its post (within the grace period; skipped
/// with a note after it) or its reveal.
async fn take_over(e: &Engine, stale: &DropRow, now: DateTime<Utc>) -> Result<(), StepError> {
    if stale.state == DropState::Revealed {
        return reveal(e, stale.id, now).await;
    }
    let Some(row) = e.store.schedule_by_id(stale.schedule_id).await? else {
        return Ok(());
    };
    let Ok(date) = stale.local_date.parse::<NaiveDate>() else {
        return Err(StepError::Inconsistent(format!(
            "drop {} has an unreadable date",
            stale.id
        )));
    };
    let due = crate::store::from_ms(stale.due_ms);
    match missed(due, now, grace(e)) {
        Missed::PostLate => {
            tracing::info!(
                drop = stale.id,
                "taking over a daily drop whose post was interrupted"
            );
            post(e, &row, date, due, now, stale.note.as_deref()).await
        }
        Missed::Skip => {
            e.store
                .record_skipped_drop(
                    row.id,
                    date,
                    due,
                    "interrupted while posting, and too late to post again",
                    now,
                )
                .await?;
            e.metrics.daily_drop(DropOutcome::Skipped);
            Ok(())
        }
    }
}

async fn post_due(
    e: &Engine,
    row: &ScheduleRow,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<(), StepError> {
    // A schedule set for the current minute posts now; one set after today's time starts tomorrow.
    let eligible_from = row.created() - Duration::minutes(1);
    let Some((latest_date, latest_due)) = schedule.latest_due(now) else {
        return Ok(());
    };
    // Older dates missed while the bot was down: recorded, never posted.
    let mut cursor = now - Duration::days(LOOK_BACK_DAYS);
    loop {
        let (date, due) = schedule.next_post(cursor);
        if due >= latest_due {
            break;
        }
        if due > eligible_from
            && e.store.drop_state(row.id, date).await?.is_none()
            && e.store
                .record_skipped_drop(row.id, date, due, "missed while the bot was offline", now)
                .await?
        {
            e.metrics.daily_drop(DropOutcome::Skipped);
        }
        cursor = due;
    }
    if latest_due <= eligible_from || e.store.drop_settled(row.id, latest_date, now).await? {
        return Ok(());
    }
    match missed(latest_due, now, grace(e)) {
        Missed::Skip => {
            e.store
                .record_skipped_drop(
                    row.id,
                    latest_date,
                    latest_due,
                    "missed by more than the grace period while the bot was offline",
                    now,
                )
                .await?;
            e.metrics.daily_drop(DropOutcome::Skipped);
            Ok(())
        }
        Missed::PostLate => {
            let late = now - latest_due > Duration::minutes(1);
            post(
                e,
                row,
                latest_date,
                latest_due,
                now,
                late.then_some("Posted late: the bot was offline at the scheduled time."),
            )
            .await
        }
    }
}

/// Whether today's drop of a schedule may be posted now (an admin's `/daily now`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostNow {
    /// Yes, for this local date (a failed drop was made due for a retry at once).
    Ready(NaiveDate),
    AlreadyPosted,
    /// Skipped: the bot was offline past the grace period.
    Skipped,
}

/// Check `/daily now` for today's drop of `row`, in its timezone at the clock's time.
pub async fn check_post_now(
    e: &Engine,
    row: &ScheduleRow,
    schedule: &Schedule,
) -> Result<PostNow, StepError> {
    let date = e.now().with_timezone(&schedule.tz).date_naive();
    Ok(match e.store.drop_state(row.id, date).await? {
        None => PostNow::Ready(date),
        Some(DropState::Failed) => {
            e.store.retry_failed_drop_now(row.id, date).await?;
            PostNow::Ready(date)
        }
        Some(DropState::Skipped) => PostNow::Skipped,
        Some(_) => PostNow::AlreadyPosted,
    })
}

/// Post the drop of `date` now (after [`check_post_now`]); true when it went out (otherwise
/// the schedule's `failing` says why).
pub async fn post_now(e: &Engine, row: &ScheduleRow, date: NaiveDate) -> Result<bool, StepError> {
    let now = e.now();
    post(
        e,
        row,
        date,
        now,
        now,
        Some("Posted on request with /daily now."),
    )
    .await?;
    Ok(e.store.drop_state(row.id, date).await? == Some(DropState::Posted))
}

/// Claim and post one drop. `note` marks a late post.
pub async fn post(
    e: &Engine,
    row: &ScheduleRow,
    date: NaiveDate,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    note: Option<&str>,
) -> Result<(), StepError> {
    let lease = e.lease_from(now);
    let Some(drop_id) = e.store.claim_drop(row.id, date, due, now, lease).await? else {
        return Ok(()); // another process, or an earlier tick, has it
    };
    let _beat = e.heartbeat(Leased::Drop(drop_id), lease);
    // A take-over posts what the dead claimer chose (the nonce then returns its message).
    let prepared = e.store.drop_by_id(drop_id).await?;
    let (question_row, closes) = match (prepared.question_id, prepared.closes_ms) {
        (Some(q), Some(c)) => (q, crate::store::from_ms(c)),
        _ => match choose_question(e, row, drop_id).await? {
            Some(q) => {
                let hours = u32::try_from(row.window_hours).unwrap_or(24);
                let closes = now
                    + Duration::from_std(e.timings.drop_hour * hours)
                        .unwrap_or(Duration::hours(24));
                e.store.prepare_drop(drop_id, q, closes).await?;
                (q, closes)
            }
            None => return Ok(()),
        },
    };
    send_drop(e, row, drop_id, question_row, date, due, now, closes, note).await
}

/// The question for a new drop, or `None` when the drop failed for good (recorded).
async fn choose_question(
    e: &Engine,
    row: &ScheduleRow,
    drop_id: i64,
) -> Result<Option<i64>, StepError> {
    // A stored difficulty that does not parse is a broken schedule, not "any difficulty".
    let difficulty = match row.difficulty.as_deref().map(str::parse::<Difficulty>) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            let reason = format!(
                "its difficulty `{}` is not one the banks use",
                row.difficulty.as_deref().unwrap_or_default()
            );
            fail_for_good(e, drop_id, row.id, &reason).await?;
            return Ok(None);
        }
    };
    let filter = QuestionFilter {
        topic: row.topic.clone(),
        difficulty,
    };
    let content = match row.bank_id {
        None => Some(e.library.shipped().clone()),
        Some(bank) => match e.store.current_version(bank).await? {
            Some(version) => e.library.version(&e.store, version).await?,
            None => None,
        },
    };
    let Some(content) = content else {
        // Removing a bank is refused while a schedule uses it, so this is a hand-edited
        // database; say so rather than retrying every tick.
        fail_for_good(e, drop_id, row.id, "its question bank no longer exists").await?;
        return Ok(None);
    };
    let pool: Vec<i64> = content
        .bank
        .filter(&filter)
        .filter_map(|q| content.row_of(q))
        .collect();
    let Some(question_row) = e
        .store
        .next_drop_question(row.id, &pool, e.now(), |v| v.shuffle(&mut rand::rng()))
        .await?
    else {
        fail_for_good(
            e,
            drop_id,
            row.id,
            "no question matches its topic and difficulty",
        )
        .await?;
        return Ok(None);
    };
    Ok(Some(question_row))
}

/// How many drops a schedule posting on `weekdays` posts within `cooling_off` (at least one).
/// A pool smaller than this repeats a question whose reveal is within the cooling-off, and
/// answers to a repeated question count for nobody.
pub fn drops_within(weekdays: crate::domain::schedule::Weekdays, cooling_off: Duration) -> usize {
    let days = usize::try_from(cooling_off.num_days().max(1)).unwrap_or(usize::MAX);
    let per_week = (0..7u8).filter(|d| weekdays.bits() & (1 << d) != 0).count();
    (days * per_week).div_ceil(7).max(1)
}

/// A member whose streak breaks unless they answer this drop.
#[derive(Debug, Clone, PartialEq)]
pub struct StreakOnTheLine {
    pub display_name: String,
    pub days: u32,
}

/// Streaks shorter than this are not worth a reminder.
const REMINDED_STREAK: u32 = 2;
/// At most this many members are looked up and named: the longest streaks of the last drop.
const MAX_REMINDED: usize = 25;

/// The streaks this drop keeps alive: the members who answered this schedule's previous drop
/// (their streak runs to the last posting day), longest first.
async fn streaks_on_the_line(
    e: &Engine,
    row: &ScheduleRow,
    drop_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<StreakOnTheLine>, StepError> {
    let previous = e
        .store
        .recent_drops(row.id, 3)
        .await?
        .into_iter()
        .find(|d| d.id != drop_id && matches!(d.state, DropState::Posted | DropState::Revealed));
    let Some(previous) = previous else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for a in e
        .store
        .drop_answers(previous.id)
        .await?
        .iter()
        .take(MAX_REMINDED)
    {
        let stats = e.store.member_stats(row.guild_id, a.user_id, now).await?;
        if stats.streak.current >= REMINDED_STREAK {
            out.push(StreakOnTheLine {
                display_name: a.display_name.clone(),
                days: stats.streak.current,
            });
        }
    }
    out.sort_by(|a, b| {
        b.days
            .cmp(&a.days)
            .then_with(|| a.display_name.cmp(&b.display_name))
    });
    Ok(out)
}

/// The drop's message: the question, its close and an Answer button; the configured role
/// pinged if any; the streaks that break unless their members answer.
pub fn drop_message(
    q: &crate::domain::bank::Question,
    drop_id: i64,
    date: NaiveDate,
    closes: DateTime<Utc>,
    note: Option<&str>,
    ping_role: Option<u64>,
    on_the_line: &[StreakOnTheLine],
) -> Outgoing {
    let mut embed = Embed::new(
        truncate(&format!("Daily question — {date}"), 256),
        truncate(&q.prompt, 4096),
    )
    .field("Topic", truncate(&q.topic, MAX_FIELD_VALUE), true)
    .field("Difficulty", q.difficulty.label(), true)
    .field("Closes", format!("<t:{}:R>", closes.timestamp()), true)
    .footer(
        "One scored answer per member, and the first is final. Answers stay hidden until the reveal.",
    );
    if let Some(n) = note {
        embed = embed.field("Note", truncate(n, MAX_FIELD_VALUE), false);
    }
    if !on_the_line.is_empty() {
        let lines: Vec<String> = on_the_line
            .iter()
            .map(|s| format!("🔥 {} — {} days", escape(&s.display_name), s.days))
            .collect();
        embed = embed.field(
            "Streaks on the line — answer before the close to keep them",
            fit_lines(&lines, MAX_FIELD_VALUE),
            false,
        );
    }
    let mut message = Outgoing::embed(embed).button(format!("d:answer:{drop_id}"), "Answer");
    // Only the configured role may be pinged; no user text is in this message.
    if let Some(role) = ping_role {
        message.content = Some(format!("<@&{role}>"));
        message.ping_role = Some(role);
    }
    message
}

#[allow(clippy::too_many_arguments)]
async fn send_drop(
    e: &Engine,
    row: &ScheduleRow,
    drop_id: i64,
    question_row: i64,
    date: NaiveDate,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    closes: DateTime<Utc>,
    note: Option<&str>,
) -> Result<(), StepError> {
    let Some(asked) = e.library.question(&e.store, question_row).await? else {
        return Err(StepError::Inconsistent(format!(
            "question row {question_row} is not stored"
        )));
    };
    let role = row.ping_role_id.and_then(|r| u64::try_from(r).ok());
    let on_the_line = streaks_on_the_line(e, row, drop_id, now).await?;
    let message = drop_message(
        asked.question(),
        drop_id,
        date,
        closes,
        note,
        role,
        &on_the_line,
    );
    match e
        .outbound
        .post(row.channel_id, message, &format!("d{drop_id}"))
        .await
    {
        Ok(message_id) => {
            e.store
                .mark_drop_posted(drop_id, question_row, message_id, now, closes, note)
                .await?;
            e.metrics.daily_drop(DropOutcome::posted(note.is_some()));
            if row.failing.is_some() {
                e.store.set_schedule_failing(row.id, None).await?;
            }
            if row.thread {
                let name = truncate(&format!("Discussion — {date}"), 100);
                if let Err(err) = e
                    .outbound
                    .create_thread(row.channel_id, message_id, &name)
                    .await
                {
                    tracing::warn!(schedule = row.id, error = %err, "cannot open the discussion thread");
                }
            }
            e.wake.notify_one();
        }
        Err(err) => {
            // No retry storm: the drop is tried again after a pause while it is within the
            // grace period (so it posts soon after the permission comes back), the schedule
            // says why meanwhile, and the next day's drop tries afresh.
            let reason = err.to_string();
            tracing::warn!(schedule = row.id, error = %err, "cannot post a daily drop");
            let retry_at = e.refused_post_retry(now);
            let retry_at = (retry_at <= due + grace(e)).then_some(retry_at);
            e.store.mark_drop_failed(drop_id, &reason, retry_at).await?;
            e.store.set_schedule_failing(row.id, Some(&reason)).await?;
            e.metrics.daily_drop(if retry_at.is_some() {
                DropOutcome::Retrying
            } else {
                DropOutcome::Failed
            });
        }
    }
    Ok(())
}

/// A drop that cannot be posted however often it is tried: the drop and its schedule say why.
async fn fail_for_good(
    e: &Engine,
    drop_id: i64,
    schedule_id: i64,
    reason: &str,
) -> Result<(), StepError> {
    e.store.mark_drop_failed(drop_id, reason, None).await?;
    e.store
        .set_schedule_failing(schedule_id, Some(reason))
        .await?;
    e.metrics.daily_drop(DropOutcome::Failed);
    Ok(())
}
