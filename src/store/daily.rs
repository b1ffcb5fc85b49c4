//! Daily drops: schedules, and drops keyed by (schedule, local date) so that each is posted at
//! most once, whatever restarts or second processes do.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::{DropState, Result, Store, StoreError, from_ms, ms};

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
}

impl ScheduleRow {
    pub fn created(&self) -> DateTime<Utc> {
        from_ms(self.created_ms)
    }
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

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct DropRow {
    pub id: i64,
    pub schedule_id: i64,
    pub local_date: String,
    pub question_id: Option<i64>,
    pub state: DropState,
    pub due_ms: i64,
    pub closes_ms: Option<i64>,
    pub message_id: Option<i64>,
    pub note: Option<String>,
}

/// One member's counted answer to a drop.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct DropAnswer {
    pub user_id: i64,
    pub display_name: String,
    pub score: i64,
    pub answer: String,
    pub missed: String,
}

macro_rules! select_schedules {
    ($where:literal) => {
        concat!(
            "SELECT id, guild_id, channel_id, local_time, timezone, weekdays, bank_id, topic, difficulty, window_hours, ping_role_id, thread, paused, failing, created_ms FROM schedules WHERE ",
            $where
        )
    };
}

macro_rules! select_drops {
    ($where:literal) => {
        concat!(
            "SELECT id, schedule_id, local_date, question_id, state, due_ms, closes_ms, message_id, note FROM drops WHERE ",
            $where
        )
    };
}

impl Store {
    pub async fn create_schedule(&self, s: &NewSchedule<'_>, now: DateTime<Utc>) -> Result<i64> {
        super::servers::ensure_server(&self.pool, s.guild_id, now).await?;
        Ok(sqlx::query_scalar(
            "INSERT INTO schedules (guild_id, channel_id, local_time, timezone, weekdays, bank_id, topic, difficulty,
                                    window_hours, ping_role_id, thread, created_by, created_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
        .bind(s.thread)
        .bind(s.created_by)
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn schedules(&self, guild_id: i64) -> Result<Vec<ScheduleRow>> {
        Ok(
            sqlx::query_as(select_schedules!("guild_id = ? ORDER BY id"))
                .bind(guild_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn schedule(&self, guild_id: i64, id: i64) -> Result<ScheduleRow> {
        sqlx::query_as(select_schedules!("guild_id = ? AND id = ?"))
            .bind(guild_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("schedule #{id} in this server")))
    }

    /// A schedule by id, whatever its server (for the timer).
    pub async fn schedule_by_id(&self, id: i64) -> Result<Option<ScheduleRow>> {
        Ok(sqlx::query_as(select_schedules!("id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Every schedule that is not paused, on every server.
    pub async fn active_schedules(&self) -> Result<Vec<ScheduleRow>> {
        Ok(sqlx::query_as(select_schedules!("paused = 0 ORDER BY id"))
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn set_schedule_paused(&self, guild_id: i64, id: i64, paused: bool) -> Result<()> {
        let done = sqlx::query("UPDATE schedules SET paused = ? WHERE guild_id = ? AND id = ?")
            .bind(paused)
            .bind(guild_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "schedule #{id} in this server"
            )));
        }
        Ok(())
    }

    pub async fn remove_schedule(&self, guild_id: i64, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM schedules WHERE guild_id = ? AND id = ?")
            .bind(guild_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "schedule #{id} in this server"
            )));
        }
        Ok(())
    }

    /// Why posting fails (`None` once it works again); shown in `/daily list`.
    pub async fn set_schedule_failing(&self, id: i64, reason: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE schedules SET failing = ? WHERE id = ?")
            .bind(reason)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The next question of a schedule's pool without repeats until the pool is used up: a
    /// shuffled order is kept in the schedule and walked; `shuffle` makes a new one when needed.
    pub async fn next_drop_question(
        &self,
        schedule_id: i64,
        pool: &[i64],
        shuffle: impl FnOnce(&mut Vec<i64>),
    ) -> Result<Option<i64>> {
        if pool.is_empty() {
            return Ok(None);
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (order, pos): (String, i64) =
            sqlx::query_as("SELECT shuffle_order, shuffle_pos FROM schedules WHERE id = ?")
                .bind(schedule_id)
                .fetch_one(&mut *tx)
                .await?;
        let mut order: Vec<i64> = serde_json::from_str(&order).unwrap_or_default();
        let mut pos = usize::try_from(pos).unwrap_or(0);
        let same_pool = {
            let mut a = order.clone();
            let mut b = pool.to_vec();
            a.sort_unstable();
            b.sort_unstable();
            a == b
        };
        if !same_pool || pos >= order.len() {
            order = pool.to_vec();
            shuffle(&mut order);
            pos = 0;
        }
        let question = order.get(pos).copied();
        sqlx::query("UPDATE schedules SET shuffle_order = ?, shuffle_pos = ? WHERE id = ?")
            .bind(serde_json::to_string(&order).unwrap_or_else(|_| "[]".into()))
            .bind(i64::try_from(pos + 1).unwrap_or(i64::MAX))
            .bind(schedule_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(question)
    }

    /// Claim the drop of (schedule, local date) until `lease_until`. Only one caller gets
    /// `Some` at a time, so two bot processes on one database cannot both post it; a claim whose
    /// lease passed without the post being recorded (its process died) is taken over.
    pub async fn claim_drop(
        &self,
        schedule_id: i64,
        local_date: NaiveDate,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        // A failed drop whose retry time has come, or a stale claim, is claimed again; the
        // state flips in one statement, so one caller still wins.
        Ok(sqlx::query_scalar(
            "INSERT INTO drops (schedule_id, local_date, state, due_ms, lease_until_ms) VALUES (?1, ?2, 'claimed', ?3, ?5)
             ON CONFLICT (schedule_id, local_date) DO UPDATE SET state = 'claimed', note = NULL, retry_ms = NULL, lease_until_ms = ?5
                WHERE (drops.state = 'failed' AND drops.retry_ms IS NOT NULL AND drops.retry_ms <= ?4)
                   OR (drops.state = 'claimed' AND ifnull(drops.lease_until_ms, 0) <= ?4)
             RETURNING id",
        )
        .bind(schedule_id)
        .bind(local_date.to_string())
        .bind(ms(due))
        .bind(ms(now))
        .bind(ms(lease_until))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Remember the question and close time chosen for a claimed drop before it is posted,
    /// so a take-over posts the same question (the same message, thanks to the nonce).
    pub async fn prepare_drop(
        &self,
        drop_id: i64,
        question_id: i64,
        closes: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE drops SET question_id = ?, closes_ms = ? WHERE id = ? AND state = 'claimed'",
        )
        .bind(question_id)
        .bind(ms(closes))
        .bind(drop_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Claimed drops (posts) and revealed ones (reveal posts) whose claimer died: the lease
    /// passed without the step being recorded as done.
    pub async fn stale_drop_claims(&self, now: DateTime<Utc>) -> Result<Vec<DropRow>> {
        Ok(sqlx::query_as(select_drops!(
            "state IN ('claimed', 'revealed') AND lease_until_ms IS NOT NULL AND lease_until_ms <= ? ORDER BY id"
        ))
        .bind(ms(now))
        .fetch_all(&self.pool)
        .await?)
    }

    /// The earliest lease of a drop step after `after` (when a dead claimer's step is due).
    pub async fn next_drop_lease(&self, after: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT min(lease_until_ms) FROM drops WHERE state IN ('claimed', 'revealed') AND lease_until_ms > ?",
        )
        .bind(ms(after))
        .fetch_one(&self.pool)
        .await?;
        Ok(at.map(from_ms))
    }

    /// True when (schedule, date) has a drop that is posted, claimed, skipped or failed for
    /// good: nothing to post. A failed drop due for a retry, or a claim whose lease passed, is
    /// not settled.
    pub async fn drop_settled(
        &self,
        schedule_id: i64,
        local_date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM drops WHERE schedule_id = ?1 AND local_date = ?2
               AND NOT (state = 'failed' AND retry_ms IS NOT NULL AND retry_ms <= ?3)
               AND NOT (state = 'claimed' AND ifnull(lease_until_ms, 0) <= ?3)",
        )
        .bind(schedule_id)
        .bind(local_date.to_string())
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// Let a failed drop be tried again at once (an admin's `/daily now`). True if there was
    /// one.
    pub async fn retry_failed_drop_now(
        &self,
        schedule_id: i64,
        local_date: NaiveDate,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE drops SET retry_ms = 0 WHERE schedule_id = ? AND local_date = ? AND state = 'failed'",
        )
        .bind(schedule_id)
        .bind(local_date.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The earliest retry of a failed drop after `after`, to wake the timer for it.
    pub async fn next_drop_retry(&self, after: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT min(d.retry_ms) FROM drops d JOIN schedules s ON s.id = d.schedule_id
             WHERE d.state = 'failed' AND d.retry_ms > ? AND s.paused = 0",
        )
        .bind(ms(after))
        .fetch_one(&self.pool)
        .await?;
        Ok(at.map(from_ms))
    }

    /// Record a drop that will not be posted (too late after downtime), unless one exists; a
    /// stale claim (its process died while posting, too long ago to post it now) becomes
    /// skipped too, with `note`.
    pub async fn record_skipped_drop(
        &self,
        schedule_id: i64,
        local_date: NaiveDate,
        due: DateTime<Utc>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO drops (schedule_id, local_date, state, due_ms, note) VALUES (?1, ?2, 'skipped', ?3, ?4)
             ON CONFLICT (schedule_id, local_date) DO UPDATE SET state = 'skipped', note = ?4, lease_until_ms = NULL
                WHERE drops.state = 'claimed' AND ifnull(drops.lease_until_ms, 0) <= ?5",
        )
        .bind(schedule_id)
        .bind(local_date.to_string())
        .bind(ms(due))
        .bind(note)
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The state of (schedule, local date)'s drop (`claimed`, `posted`, `revealed`,
    /// `skipped`, `failed`), if there is one.
    pub async fn drop_state(
        &self,
        schedule_id: i64,
        local_date: NaiveDate,
    ) -> Result<Option<DropState>> {
        Ok(
            sqlx::query_scalar("SELECT state FROM drops WHERE schedule_id = ? AND local_date = ?")
                .bind(schedule_id)
                .bind(local_date.to_string())
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn mark_drop_posted(
        &self,
        drop_id: i64,
        question_id: i64,
        message_id: i64,
        posted: DateTime<Utc>,
        closes: DateTime<Utc>,
        note: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE drops SET state = 'posted', question_id = ?, message_id = ?, posted_ms = ?, closes_ms = ?, note = ?, lease_until_ms = NULL WHERE id = ?",
        )
        .bind(question_id)
        .bind(message_id)
        .bind(ms(posted))
        .bind(ms(closes))
        .bind(note)
        .bind(drop_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// `retry_at`: when to try again (`None`: never, e.g. past the grace period).
    pub async fn mark_drop_failed(
        &self,
        drop_id: i64,
        note: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        sqlx::query("UPDATE drops SET state = 'failed', note = ?, retry_ms = ?, lease_until_ms = NULL WHERE id = ?")
            .bind(note)
            .bind(retry_at.map(ms))
            .bind(drop_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn drop_by_id(&self, drop_id: i64) -> Result<DropRow> {
        sqlx::query_as(select_drops!("id = ?"))
            .bind(drop_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("drop {drop_id}")))
    }

    /// The latest drops of a schedule, newest first.
    pub async fn recent_drops(&self, schedule_id: i64, limit: i64) -> Result<Vec<DropRow>> {
        Ok(sqlx::query_as(select_drops!(
            "schedule_id = ? ORDER BY local_date DESC LIMIT ?"
        ))
        .bind(schedule_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Posted drops whose window has closed (to reveal now), and the next close after that.
    pub async fn drops_to_reveal(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(Vec<i64>, Option<DateTime<Utc>>)> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM drops WHERE state = 'posted' AND closes_ms <= ? ORDER BY closes_ms",
        )
        .bind(ms(now))
        .fetch_all(&self.pool)
        .await?;
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(closes_ms) FROM drops WHERE state = 'posted' AND closes_ms > ?",
        )
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?;
        Ok((due, next.map(from_ms)))
    }

    /// Claim a drop's reveal until `lease_until`; only one caller wins. A reveal whose claimer
    /// died (its lease passed before [`Store::reveal_drop_done`]) is claimed again.
    pub async fn claim_reveal_drop(
        &self,
        drop_id: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE drops SET state = 'revealed', lease_until_ms = ?1
             WHERE id = ?2 AND (state = 'posted' OR (state = 'revealed' AND lease_until_ms <= ?3))",
        )
        .bind(ms(lease_until))
        .bind(drop_id)
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The reveal of a drop is out: release its lease.
    pub async fn reveal_drop_done(&self, drop_id: i64) -> Result<()> {
        sqlx::query("UPDATE drops SET lease_until_ms = NULL WHERE id = ? AND state = 'revealed'")
            .bind(drop_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Store a member's answer to a drop, replacing their earlier one: the last answer counts.
    pub async fn replace_drop_answer(&self, attempt: &super::NewAttempt<'_>) -> Result<i64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        super::servers::ensure_server(&mut *tx, attempt.guild_id, attempt.submitted_at).await?;
        sqlx::query(
            "DELETE FROM attempts WHERE context = 'daily' AND context_ref = ? AND user_id = ?",
        )
        .bind(attempt.context_ref)
        .bind(attempt.user_id)
        .execute(&mut *tx)
        .await?;
        let id = super::insert_attempt(&mut *tx, attempt).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The counted answers of a drop, best first.
    pub async fn drop_answers(&self, drop_id: i64) -> Result<Vec<DropAnswer>> {
        Ok(sqlx::query_as(
            "SELECT a.user_id, ifnull(m.display_name, CAST(a.user_id AS TEXT)) AS display_name, a.score, a.answer, a.missed
             FROM attempts a LEFT JOIN members m ON m.guild_id = a.guild_id AND m.user_id = a.user_id
             WHERE a.context = 'daily' AND a.context_ref = ? ORDER BY a.score DESC, a.submitted_ms ASC",
        )
        .bind(drop_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
