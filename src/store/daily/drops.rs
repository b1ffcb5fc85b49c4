//! Daily drops, keyed by (schedule, local date) so that each is posted at most once, whatever
//! restarts or second processes do: choosing the question, claiming, posting, failing, revealing.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use crate::store::{DropState, Result, Store, StoreError, from_ms, ms};
use crate::store::{Engine as _, on_pool};

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
    /// Counted on the boards: neither copied nor given after seeing the reference.
    pub counted: bool,
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
    /// The next question of a schedule's pool without repeats until the pool is used up: a
    /// shuffled order is kept in the schedule and walked; `shuffle` makes a new one when needed.
    /// A question whose reference a reveal showed in the server within the cooling-off before
    /// `now` would count for nobody, so it is passed over while another is left: the walk takes
    /// the next question not revealed, and when every question of the pool was revealed, the one
    /// revealed longest ago ([`pick_drop_question`]).
    pub async fn next_drop_question(
        &self,
        schedule_id: i64,
        pool: &[i64],
        now: DateTime<Utc>,
        shuffle: impl FnOnce(&mut Vec<i64>),
    ) -> Result<Option<i64>> {
        let cooling_off_ms = self.cooling_off_ms;
        on_pool!(self, db => {
            if pool.is_empty() {
                return Ok(None);
            }
            let mut tx = db.begin_write().await?;
            let (guild_id, order, pos): (i64, String, i64) = sqlx::query_as(
                "SELECT guild_id, shuffle_order, shuffle_pos FROM schedules WHERE id = $1",
            )
            .bind(schedule_id)
            .fetch_one(&mut *tx)
            .await?;
            // The server-wide marks (user 0) reveals leave, within the cooling-off.
            let marks: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT question_id, seen_ms FROM seen_marks
                 WHERE guild_id = $1 AND user_id = 0 AND seen_ms <= $2 AND seen_ms > $2 - $3",
            )
            .bind(guild_id)
            .bind(ms(now))
            .bind(cooling_off_ms)
            .fetch_all(&mut *tx)
            .await?;
            let revealed: std::collections::HashMap<i64, i64> = marks.into_iter().collect();
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
            let question = pick_drop_question(&mut order, &mut pos, &revealed);
            sqlx::query("UPDATE schedules SET shuffle_order = $1, shuffle_pos = $2 WHERE id = $3")
                .bind(serde_json::to_string(&order).unwrap_or_else(|_| "[]".into()))
                .bind(i64::try_from(pos).unwrap_or(i64::MAX))
                .bind(schedule_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(question)
        })
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
        on_pool!(self, pool => {
            // A failed drop whose retry time has come, or a stale claim, is claimed again; the
            // state flips in one statement, so one caller still wins.
            Ok(sqlx::query_scalar(
                "INSERT INTO drops (schedule_id, local_date, state, due_ms, lease_until_ms) VALUES ($1, $2, 'claimed', $3, $5)
                 ON CONFLICT (schedule_id, local_date) DO UPDATE SET state = 'claimed', note = NULL, retry_ms = NULL, lease_until_ms = $5
                    WHERE (drops.state = 'failed' AND drops.retry_ms IS NOT NULL AND drops.retry_ms <= $4)
                       OR (drops.state = 'claimed' AND coalesce(drops.lease_until_ms, 0) <= $4)
                 RETURNING id",
            )
            .bind(schedule_id)
            .bind(local_date.to_string())
            .bind(ms(due))
            .bind(ms(now))
            .bind(ms(lease_until))
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Remember the question and close time chosen for a claimed drop before it is posted,
    /// so a take-over posts the same question (the same message, thanks to the nonce).
    pub async fn prepare_drop(
        &self,
        drop_id: i64,
        question_id: i64,
        closes: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE drops SET question_id = $1, closes_ms = $2 WHERE id = $3 AND state = 'claimed'",
            )
            .bind(question_id)
            .bind(ms(closes))
            .bind(drop_id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Claimed drops (posts) and revealed ones (reveal posts) whose claimer died: the lease
    /// passed without the step being recorded as done.
    pub async fn stale_drop_claims(&self, now: DateTime<Utc>) -> Result<Vec<DropRow>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(select_drops!(
                "state IN ('claimed', 'revealed') AND lease_until_ms IS NOT NULL AND lease_until_ms <= $1 ORDER BY id"
            ))
            .bind(ms(now))
            .fetch_all(pool)
            .await?)
        })
    }

    /// The earliest lease of a drop step after `after` (when a dead claimer's step is due).
    pub async fn next_drop_lease(&self, after: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        on_pool!(self, pool => {
            let at: Option<i64> = sqlx::query_scalar(
                "SELECT min(lease_until_ms) FROM drops WHERE state IN ('claimed', 'revealed') AND lease_until_ms > $1",
            )
            .bind(ms(after))
            .fetch_one(pool)
            .await?;
            Ok(at.map(from_ms))
        })
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
        on_pool!(self, pool => {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM drops WHERE schedule_id = $1 AND local_date = $2
                   AND NOT (state = 'failed' AND retry_ms IS NOT NULL AND retry_ms <= $3)
                   AND NOT (state = 'claimed' AND coalesce(lease_until_ms, 0) <= $3)",
            )
            .bind(schedule_id)
            .bind(local_date.to_string())
            .bind(ms(now))
            .fetch_one(pool)
            .await?;
            Ok(n > 0)
        })
    }

    /// Let a failed drop be tried again at once (an admin's `/daily now`). True if there was
    /// one.
    pub async fn retry_failed_drop_now(
        &self,
        schedule_id: i64,
        local_date: NaiveDate,
    ) -> Result<bool> {
        on_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE drops SET retry_ms = 0 WHERE schedule_id = $1 AND local_date = $2 AND state = 'failed'",
            )
            .bind(schedule_id)
            .bind(local_date.to_string())
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The earliest retry of a failed drop after `after`, to wake the timer for it.
    pub async fn next_drop_retry(&self, after: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        on_pool!(self, pool => {
            let at: Option<i64> = sqlx::query_scalar(
                "SELECT min(d.retry_ms) FROM drops d JOIN schedules s ON s.id = d.schedule_id
                 WHERE d.state = 'failed' AND d.retry_ms > $1 AND s.paused = 0",
            )
            .bind(ms(after))
            .fetch_one(pool)
            .await?;
            Ok(at.map(from_ms))
        })
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
        on_pool!(self, pool => {
            let done = sqlx::query(
                "INSERT INTO drops (schedule_id, local_date, state, due_ms, note) VALUES ($1, $2, 'skipped', $3, $4)
                 ON CONFLICT (schedule_id, local_date) DO UPDATE SET state = 'skipped', note = $4, lease_until_ms = NULL
                    WHERE drops.state = 'claimed' AND coalesce(drops.lease_until_ms, 0) <= $5",
            )
            .bind(schedule_id)
            .bind(local_date.to_string())
            .bind(ms(due))
            .bind(note)
            .bind(ms(now))
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The state of (schedule, local date)'s drop (`claimed`, `posted`, `revealed`,
    /// `skipped`, `failed`), if there is one.
    pub async fn drop_state(
        &self,
        schedule_id: i64,
        local_date: NaiveDate,
    ) -> Result<Option<DropState>> {
        on_pool!(self, pool => {
            Ok(
                sqlx::query_scalar("SELECT state FROM drops WHERE schedule_id = $1 AND local_date = $2")
                    .bind(schedule_id)
                    .bind(local_date.to_string())
                    .fetch_optional(pool)
                    .await?,
            )
        })
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
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE drops SET state = 'posted', question_id = $1, message_id = $2, posted_ms = $3, closes_ms = $4, note = $5, lease_until_ms = NULL WHERE id = $6",
            )
            .bind(question_id)
            .bind(message_id)
            .bind(ms(posted))
            .bind(ms(closes))
            .bind(note)
            .bind(drop_id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// `retry_at`: when to try again (`None`: never, e.g. past the grace period); the
    /// schedule is due then at the latest.
    pub async fn mark_drop_failed(
        &self,
        drop_id: i64,
        note: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE drops SET state = 'failed', note = $1, retry_ms = $2, lease_until_ms = NULL WHERE id = $3")
                .bind(note)
                .bind(retry_at.map(ms))
                .bind(drop_id)
                .execute(&mut *tx)
                .await?;
            if let Some(at) = retry_at {
                sqlx::query(
                    "UPDATE schedules SET next_due_ms = CASE WHEN next_due_ms < $1 THEN next_due_ms ELSE $1 END
                     WHERE id = (SELECT schedule_id FROM drops WHERE id = $2)",
                )
                .bind(ms(at))
                .bind(drop_id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn drop_by_id(&self, drop_id: i64) -> Result<DropRow> {
        on_pool!(self, pool => {
            sqlx::query_as(select_drops!("id = $1"))
                .bind(drop_id)
                .fetch_optional(pool)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("drop {drop_id}")))
        })
    }

    /// The latest drops of a schedule, newest first.
    pub async fn recent_drops(&self, schedule_id: i64, limit: i64) -> Result<Vec<DropRow>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(select_drops!(
                "schedule_id = $1 ORDER BY local_date DESC LIMIT $2"
            ))
            .bind(schedule_id)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Posted drops whose window has closed (to reveal now), and the next close after that.
    pub async fn drops_to_reveal(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(Vec<i64>, Option<DateTime<Utc>>)> {
        on_pool!(self, pool => {
            let due: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM drops WHERE state = 'posted' AND closes_ms <= $1 ORDER BY closes_ms",
            )
            .bind(ms(now))
            .fetch_all(pool)
            .await?;
            let next: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(closes_ms) FROM drops WHERE state = 'posted' AND closes_ms > $1",
            )
            .bind(ms(now))
            .fetch_one(pool)
            .await?;
            Ok((due, next.map(from_ms)))
        })
    }

    /// Claim a drop's reveal until `lease_until`; only one caller wins. A reveal whose claimer
    /// died (its lease passed before [`Store::reveal_drop_done`]) is claimed again.
    pub async fn claim_reveal_drop(
        &self,
        drop_id: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        // On the write path: an answer whose conditional insert saw the drop open commits
        // before this claim does, so the reveal's read of the answers sees it (on PostgreSQL
        // a plain UPDATE would not wait for that answer's transaction).
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE drops SET state = 'revealed', lease_until_ms = $1
                 WHERE id = $2 AND (state = 'posted' OR (state = 'revealed' AND lease_until_ms <= $3))",
            )
            .bind(ms(lease_until))
            .bind(drop_id)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The reveal of a drop is out: release its lease.
    pub async fn reveal_drop_done(&self, drop_id: i64) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE drops SET lease_until_ms = NULL WHERE id = $1 AND state = 'revealed'")
                .bind(drop_id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The answers of a drop: those the boards count first, best first.
    pub async fn drop_answers(&self, drop_id: i64) -> Result<Vec<DropAnswer>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT a.user_id, coalesce(m.display_name, CAST(a.user_id AS TEXT)) AS display_name, a.score, a.answer, a.missed,
                        (a.copied = 0 AND a.seen_ms IS NULL) AS counted
                 FROM attempts a LEFT JOIN members m ON m.guild_id = a.guild_id AND m.user_id = a.user_id
                 WHERE a.context = 'daily' AND a.context_ref = $1
                 ORDER BY (a.copied = 0 AND a.seen_ms IS NULL) DESC, a.score DESC, a.submitted_ms ASC",
            )
            .bind(drop_id)
            .fetch_all(pool)
            .await?)
        })
    }
}

/// The next question of a shuffled `order` from `pos` on, moved to `pos` (so the order stays a
/// permutation of the pool), with `pos` moved past it. `revealed` maps the questions a reveal
/// showed in the server within the cooling-off to when: they are passed over while a question
/// not revealed is left in this walk; when none is, the one revealed longest ago. Questions
/// earlier in the walk are not taken again (the last one may still be open).
pub fn pick_drop_question(
    order: &mut [i64],
    pos: &mut usize,
    revealed: &std::collections::HashMap<i64, i64>,
) -> Option<i64> {
    let start = *pos;
    if start >= order.len() {
        return None;
    }
    let at = (start..order.len())
        .find(|&i| !revealed.contains_key(&order[i]))
        .or_else(|| {
            (start..order.len()).min_by_key(|&i| (revealed.get(&order[i]).copied().unwrap_or(0), i))
        })
        .unwrap_or(start);
    order.swap(start, at);
    *pos = start + 1;
    order.get(start).copied()
}
