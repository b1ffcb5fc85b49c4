//! The weekly digest: each server's setting (channel, next due time) and one row per (server,
//! week), claimed before posting so a week's digest goes out once; and what a week's digest
//! reads (members' averages in and before the week, questions' averages in it).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::on_pool;
use super::servers::ensure_server;
use super::{Result, Store, from_ms, ms};
use crate::domain::digest::{MemberWeek, QuestionWeek};

/// A server's digest setting.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct DigestSetting {
    pub guild_id: i64,
    pub channel_id: i64,
    pub enabled_ms: i64,
    pub next_due_ms: i64,
}

/// One week's digest of one server.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct DigestRow {
    pub id: i64,
    pub guild_id: i64,
    pub week: String,
    pub channel_id: i64,
    pub state: String,
    pub due_ms: i64,
    pub lease_until_ms: Option<i64>,
    pub message_id: Option<i64>,
    pub note: Option<String>,
}

/// (user, name, week average, week answers, average before, answers before)
type MemberWeekRow = (i64, String, Option<f64>, i64, Option<f64>, i64);

const DIGEST_COLUMNS: &str =
    "id, guild_id, week, channel_id, state, due_ms, lease_until_ms, message_id, note";

impl Store {
    /// Post the server's weekly digest in `channel` from now on; `next_due` is when the first
    /// one is due. Replaces an earlier setting.
    pub async fn enable_digest(
        &self,
        guild_id: i64,
        channel_id: i64,
        by: i64,
        next_due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            ensure_server(&mut *pool.acquire().await?, guild_id, now).await?;
            sqlx::query(
                "INSERT INTO digest_settings (guild_id, channel_id, enabled_ms, next_due_ms, enabled_by)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (guild_id) DO UPDATE SET channel_id = $2, enabled_ms = $3, next_due_ms = $4, enabled_by = $5",
            )
            .bind(guild_id)
            .bind(channel_id)
            .bind(ms(now))
            .bind(ms(next_due))
            .bind(by)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Stop the server's digest. True if it had one.
    pub async fn disable_digest(&self, guild_id: i64) -> Result<bool> {
        on_pool!(self, pool => {
            let done = sqlx::query("DELETE FROM digest_settings WHERE guild_id = $1")
                .bind(guild_id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn digest_setting(&self, guild_id: i64) -> Result<Option<DigestSetting>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT guild_id, channel_id, enabled_ms, next_due_ms FROM digest_settings WHERE guild_id = $1",
            )
            .bind(guild_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Servers whose digest needs the timer at `now` (by the indexed next due time).
    pub async fn due_digest_settings(&self, now: DateTime<Utc>) -> Result<Vec<DigestSetting>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT guild_id, channel_id, enabled_ms, next_due_ms FROM digest_settings WHERE next_due_ms <= $1 ORDER BY guild_id",
            )
            .bind(ms(now))
            .fetch_all(pool)
            .await?)
        })
    }

    /// The server's digest was handled up to now: it next needs the timer at `next_due`.
    pub async fn digest_handled(&self, guild_id: i64, next_due: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE digest_settings SET next_due_ms = $1 WHERE guild_id = $2")
                .bind(ms(next_due))
                .bind(guild_id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The earliest next due time of any server's digest.
    pub async fn next_digest_due(&self) -> Result<Option<DateTime<Utc>>> {
        on_pool!(self, pool => {
            let at: Option<i64> = sqlx::query_scalar("SELECT min(next_due_ms) FROM digest_settings")
                .fetch_one(pool)
                .await?;
            Ok(at.map(from_ms))
        })
    }

    /// Claim the digest of (server, week) until `lease_until`, in one statement: only one
    /// caller gets its id; a claim whose lease passed without the post being recorded (its
    /// claimer died) is claimed again; a posted, skipped or failed week never is.
    pub async fn claim_digest(
        &self,
        guild_id: i64,
        week: NaiveDate,
        channel_id: i64,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "INSERT INTO digests (guild_id, week, channel_id, state, due_ms, lease_until_ms)
                 VALUES ($1, $2, $3, 'claimed', $4, $6)
                 ON CONFLICT (guild_id, week) DO UPDATE SET lease_until_ms = $6
                    WHERE digests.state = 'claimed' AND coalesce(digests.lease_until_ms, 0) <= $5
                 RETURNING id",
            )
            .bind(guild_id)
            .bind(week.to_string())
            .bind(channel_id)
            .bind(ms(due))
            .bind(ms(now))
            .bind(ms(lease_until))
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The claimed digest went out as `message_id`.
    pub async fn mark_digest_posted(
        &self,
        id: i64,
        message_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE digests SET state = 'posted', message_id = $1, posted_ms = $2, lease_until_ms = NULL, note = NULL
                 WHERE id = $3 AND state = 'claimed'",
            )
            .bind(message_id)
            .bind(ms(now))
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The claimed digest could not be posted this time: it stays claimed, with `note` saying
    /// why, until `retry_at`, when its lease passes and any process takes it over (with the same
    /// nonce) — the retry needs no state of its own.
    pub async fn retry_digest_later(
        &self,
        id: i64,
        note: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE digests SET note = $1, lease_until_ms = $2 WHERE id = $3 AND state = 'claimed'",
            )
            .bind(note)
            .bind(ms(retry_at))
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The claimed digest could not be posted (or its server opted out meanwhile): not tried
    /// again; `note` says why.
    pub async fn mark_digest_failed(&self, id: i64, note: &str) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE digests SET state = 'failed', note = $1, lease_until_ms = NULL WHERE id = $2 AND state = 'claimed'",
            )
            .bind(note)
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// A week's digest missed while the bot was down, too late to post: recorded, not posted.
    pub async fn record_skipped_digest(
        &self,
        guild_id: i64,
        week: NaiveDate,
        channel_id: i64,
        due: DateTime<Utc>,
        note: &str,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO digests (guild_id, week, channel_id, state, due_ms, note) VALUES ($1, $2, $3, 'skipped', $4, $5)
                 ON CONFLICT (guild_id, week) DO NOTHING",
            )
            .bind(guild_id)
            .bind(week.to_string())
            .bind(channel_id)
            .bind(ms(due))
            .bind(note)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Claimed digests whose lease passed: their claimer died before recording the post.
    pub async fn stale_digest_claims(&self, now: DateTime<Utc>) -> Result<Vec<DigestRow>> {
        on_pool!(self, pool => {
            let sql = format!(
                "SELECT {DIGEST_COLUMNS} FROM digests WHERE lease_until_ms IS NOT NULL AND lease_until_ms <= $1 AND state = 'claimed' ORDER BY id"
            );
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(ms(now))
                .fetch_all(pool)
                .await?)
        })
    }

    /// The earliest digest lease after `after` (when a dead claimer's post is due again).
    pub async fn next_digest_lease(&self, after: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        on_pool!(self, pool => {
            let at: Option<i64> = sqlx::query_scalar(
                "SELECT min(lease_until_ms) FROM digests WHERE lease_until_ms IS NOT NULL AND lease_until_ms > $1",
            )
            .bind(ms(after))
            .fetch_one(pool)
            .await?;
            Ok(at.map(from_ms))
        })
    }

    /// The server's digests, newest week first.
    pub async fn recent_digests(&self, guild_id: i64, limit: i64) -> Result<Vec<DigestRow>> {
        on_pool!(self, pool => {
            let sql = format!(
                "SELECT {DIGEST_COLUMNS} FROM digests WHERE guild_id = $1 ORDER BY week DESC LIMIT $2"
            );
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(guild_id)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Members who answered within `[from, to)`: their average there and over their earlier
    /// answers in the server (copies left out).
    pub async fn member_weeks(
        &self,
        guild_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<MemberWeek>> {
        on_pool!(self, pool => {
            let rows: Vec<MemberWeekRow> = sqlx::query_as(
                "SELECT a.user_id, coalesce(m.display_name, CAST(a.user_id AS TEXT)),
                        CAST(AVG(CASE WHEN a.submitted_ms >= $2 THEN a.score END) AS DOUBLE PRECISION), SUM(CASE WHEN a.submitted_ms >= $2 THEN 1 ELSE 0 END),
                        CAST(AVG(CASE WHEN a.submitted_ms < $2 THEN a.score END) AS DOUBLE PRECISION), SUM(CASE WHEN a.submitted_ms < $2 THEN 1 ELSE 0 END)
                 FROM attempts a LEFT JOIN members m ON m.guild_id = a.guild_id AND m.user_id = a.user_id
                 WHERE a.guild_id = $1 AND a.submitted_ms < $3 AND a.copied = 0
                   AND a.user_id IN (SELECT user_id FROM attempts
                                     WHERE guild_id = $1 AND submitted_ms >= $2 AND submitted_ms < $3)
                 GROUP BY a.user_id, m.display_name",
            )
            .bind(guild_id)
            .bind(ms(from))
            .bind(ms(to))
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(
                    |(user_id, name, week, week_n, before, before_n)| MemberWeek {
                        user_id,
                        name,
                        week_average: week.unwrap_or(0.0),
                        week_answers: u32::try_from(week_n).unwrap_or(0),
                        before_average: before.unwrap_or(0.0),
                        before_answers: u32::try_from(before_n).unwrap_or(0),
                    },
                )
                .collect())
        })
    }

    /// Each question answered within `[from, to)`: its average and how many members answered
    /// it (copies left out).
    pub async fn question_weeks(
        &self,
        guild_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<QuestionWeek>> {
        on_pool!(self, pool => {
            let rows: Vec<(String, String, f64, i64)> = sqlx::query_as(
                "SELECT q.slug, min(q.topic), CAST(AVG(a.score) AS DOUBLE PRECISION), COUNT(DISTINCT a.user_id)
                 FROM attempts a JOIN questions q ON q.id = a.question_id
                 WHERE a.guild_id = $1 AND a.submitted_ms >= $2 AND a.submitted_ms < $3 AND a.copied = 0
                 GROUP BY q.slug",
            )
            .bind(guild_id)
            .bind(ms(from))
            .bind(ms(to))
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(question, topic, average, members)| QuestionWeek {
                    question,
                    topic,
                    average,
                    members: u32::try_from(members).unwrap_or(0),
                })
                .collect())
        })
    }
}
