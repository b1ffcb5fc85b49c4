//! Daily-drop schedules: when and where each posts, paused or failing, and when it is next due.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::domain::schedule::{Schedule, Weekdays, parse_time};
use crate::store::on_pool;
use crate::store::{Result, Store, StoreError, from_ms, ms};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ScheduleRow {
    pub id: i64,
    pub guild_id: i64,
    pub channel_id: i64,
    pub local_time: String,
    pub timezone: String,
    pub weekdays: i64,
    /// The bank version it was set with (`None` = the shipped bank); drops draw from that
    /// bank's active version.
    pub bank_id: Option<i64>,
    pub topic: Option<String>,
    pub difficulty: Option<String>,
    pub window_hours: i64,
    pub ping_role_id: Option<i64>,
    pub thread: bool,
    pub paused: bool,
    pub failing: Option<String>,
    pub created_ms: i64,
    /// When the timer next has to look at it (its next post, or a failed drop's retry if
    /// sooner; `0` = at the next wake; `None` = never: its time or zone is unreadable).
    pub next_due_ms: Option<i64>,
}

impl ScheduleRow {
    pub fn created(&self) -> DateTime<Utc> {
        from_ms(self.created_ms)
    }

    /// When it posts, or `None` when its stored time, zone or weekdays are unreadable.
    pub fn schedule(&self) -> Option<Schedule> {
        schedule_of(&self.local_time, &self.timezone, self.weekdays)
    }

    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.next_due_ms.map(from_ms)
    }
}

fn schedule_of(local_time: &str, timezone: &str, weekdays: i64) -> Option<Schedule> {
    Some(Schedule {
        time: parse_time(local_time).ok()?,
        tz: timezone.parse().ok()?,
        weekdays: Weekdays::from_bits(u8::try_from(weekdays).ok()?)?,
    })
}

/// A new schedule's first posting instant: a schedule set within the minute of its time posts
/// now, one set later starts on the next posting day (the rule `app::drops` posts by).
pub fn first_due(schedule: &Schedule, created: DateTime<Utc>) -> DateTime<Utc> {
    schedule.next_post(created - chrono::Duration::minutes(1)).1
}

#[derive(Debug, Clone)]
pub struct NewSchedule<'a> {
    pub guild_id: i64,
    pub channel_id: i64,
    pub local_time: &'a str,
    pub timezone: &'a str,
    pub weekdays: u8,
    pub bank_id: Option<i64>,
    pub topic: Option<&'a str>,
    pub difficulty: Option<&'a str>,
    pub window_hours: u32,
    pub ping_role_id: Option<i64>,
    pub thread: bool,
    pub created_by: i64,
}

macro_rules! select_schedules {
    ($where:literal) => {
        concat!(
            "SELECT id, guild_id, channel_id, local_time, timezone, weekdays, bank_id, topic, difficulty, window_hours, ping_role_id, (thread <> 0) AS thread, (paused <> 0) AS paused, failing, created_ms, next_due_ms FROM schedules WHERE ",
            $where
        )
    };
}

impl Store {
    /// Store a schedule, due at its first posting instant ([`first_due`]).
    pub async fn create_schedule(&self, s: &NewSchedule<'_>, now: DateTime<Utc>) -> Result<i64> {
        on_pool!(self, pool => {
            crate::store::servers::ensure_server(&mut *pool.acquire().await?, s.guild_id, now).await?;
            let due = schedule_of(s.local_time, s.timezone, i64::from(s.weekdays))
                .map(|schedule| ms(first_due(&schedule, now)));
            Ok(sqlx::query_scalar(
                "INSERT INTO schedules (guild_id, channel_id, local_time, timezone, weekdays, bank_id, topic, difficulty,
                                        window_hours, ping_role_id, thread, created_by, created_ms, next_due_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(s.guild_id)
            .bind(s.channel_id)
            .bind(s.local_time)
            .bind(s.timezone)
            .bind(i64::from(s.weekdays))
            .bind(s.bank_id)
            .bind(s.topic)
            .bind(s.difficulty)
            .bind(i64::from(s.window_hours))
            .bind(s.ping_role_id)
            .bind(i64::from(s.thread))
            .bind(s.created_by)
            .bind(ms(now))
            .bind(due)
            .fetch_one(pool)
            .await?)
        })
    }

    pub async fn schedules(&self, guild_id: i64) -> Result<Vec<ScheduleRow>> {
        on_pool!(self, pool => {
            Ok(
                sqlx::query_as(select_schedules!("guild_id = $1 ORDER BY id"))
                    .bind(guild_id)
                    .fetch_all(pool)
                    .await?,
            )
        })
    }

    pub async fn schedule(&self, guild_id: i64, id: i64) -> Result<ScheduleRow> {
        on_pool!(self, pool => {
            sqlx::query_as(select_schedules!("guild_id = $1 AND id = $2"))
                .bind(guild_id)
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("schedule #{id} in this server")))
        })
    }

    /// A schedule by id, whatever its server (for the timer).
    pub async fn schedule_by_id(&self, id: i64) -> Result<Option<ScheduleRow>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(select_schedules!("id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Every schedule that is not paused, on every server.
    pub async fn active_schedules(&self) -> Result<Vec<ScheduleRow>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(select_schedules!("paused = 0 ORDER BY id"))
                .fetch_all(pool)
                .await?)
        })
    }

    /// The schedules not paused whose next due time has come (an index range: a wake reads
    /// what is due, not every schedule of every server).
    pub async fn due_schedules(&self, now: DateTime<Utc>) -> Result<Vec<ScheduleRow>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(select_schedules!(
                "paused = 0 AND next_due_ms <= $1 ORDER BY next_due_ms, id"
            ))
            .bind(ms(now))
            .fetch_all(pool)
            .await?)
        })
    }

    /// The earliest next due time of a schedule not paused.
    pub async fn next_schedule_due(&self) -> Result<Option<DateTime<Utc>>> {
        on_pool!(self, pool => {
            let at: Option<i64> = sqlx::query_scalar(
                "SELECT min(next_due_ms) FROM schedules WHERE paused = 0 AND next_due_ms IS NOT NULL",
            )
            .fetch_one(pool)
            .await?;
            Ok(at.map(from_ms))
        })
    }

    /// The timer handled a schedule's due drop at `now`: it is next due at its next post after
    /// `now`, or at the retry of one of its failed drops if that is sooner. `None` (an
    /// unreadable time or zone): never again until it is set anew.
    pub async fn schedule_handled(
        &self,
        id: i64,
        schedule: Option<&Schedule>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            let next = schedule.map(|s| ms(s.next_post(now).1));
            sqlx::query(
                "UPDATE schedules SET next_due_ms = CASE WHEN $2 IS NULL THEN NULL ELSE coalesce(
                    (SELECT min(retry_ms) FROM drops WHERE schedule_id = $1 AND state = 'failed' AND retry_ms > $3 AND retry_ms < $2), $2) END
                 WHERE id = $1",
            )
            .bind(id)
            .bind(next)
            .bind(ms(now))
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Look at a schedule again at `at` (its drop could not be handled: a store error).
    pub async fn schedule_due_at(&self, id: i64, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE schedules SET next_due_ms = $1 WHERE id = $2")
                .bind(ms(at))
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Pause or resume; a resumed schedule is due at the next wake, which records what it
    /// missed meanwhile and posts today's drop if it is within the grace period.
    pub async fn set_schedule_paused(&self, guild_id: i64, id: i64, paused: bool) -> Result<()> {
        on_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE schedules SET paused = $1, next_due_ms = CASE WHEN $1 = 1 THEN next_due_ms ELSE 0 END
                 WHERE guild_id = $2 AND id = $3",
            )
                .bind(i64::from(paused))
                .bind(guild_id)
                .bind(id)
                .execute(pool)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!(
                    "schedule #{id} in this server"
                )));
            }
            Ok(())
        })
    }

    pub async fn remove_schedule(&self, guild_id: i64, id: i64) -> Result<()> {
        on_pool!(self, pool => {
            let done = sqlx::query("DELETE FROM schedules WHERE guild_id = $1 AND id = $2")
                .bind(guild_id)
                .bind(id)
                .execute(pool)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!(
                    "schedule #{id} in this server"
                )));
            }
            Ok(())
        })
    }

    /// Why posting fails (`None` once it works again); shown in `/daily list`.
    pub async fn set_schedule_failing(&self, id: i64, reason: Option<&str>) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE schedules SET failing = $1 WHERE id = $2")
                .bind(reason)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }
}
