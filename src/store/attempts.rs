//! Attempts (one scored answer each) and moderators' score overrides.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::SqliteExecutor;

use super::{Result, Store, StoreError, ms};

/// Where an answer was given; decides whether it counts on boards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptContext {
    /// Free practice: never counts on boards.
    Practice,
    /// `/question` in a channel.
    Question,
    Daily,
    Mock,
    /// A spaced-repetition review.
    Review,
}

impl AttemptContext {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptContext::Practice => "practice",
            AttemptContext::Question => "question",
            AttemptContext::Daily => "daily",
            AttemptContext::Mock => "mock",
            AttemptContext::Review => "review",
        }
    }
}

/// Everything recorded about one answer.
#[derive(Debug, Clone)]
pub struct NewAttempt<'a> {
    pub guild_id: i64,
    pub channel_id: Option<i64>,
    pub user_id: i64,
    pub question_id: i64,
    pub topic: &'a str,
    pub context: AttemptContext,
    /// The round or drop, for mock and daily answers.
    pub context_ref: Option<i64>,
    pub answer: &'a str,
    pub score: u8,
    pub covered: Vec<String>,
    pub missed: Vec<String>,
    pub hints_used: u32,
    pub submitted_at: DateTime<Utc>,
    /// The server's calendar date at `submitted_at`.
    pub local_date: NaiveDate,
}

/// Insert an attempt. A second answer to the same question of the same round or drop is refused
/// with [`StoreError::Conflict`].
pub async fn insert_attempt(db: impl SqliteExecutor<'_>, a: &NewAttempt<'_>) -> Result<i64> {
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let result = sqlx::query_scalar(
        "INSERT INTO attempts (guild_id, channel_id, user_id, question_id, topic, context, context_ref, answer,
                               score, covered, missed, hints_used, submitted_ms, local_date)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(a.guild_id)
    .bind(a.channel_id)
    .bind(a.user_id)
    .bind(a.question_id)
    .bind(a.topic)
    .bind(a.context.as_str())
    .bind(a.context_ref)
    .bind(a.answer)
    .bind(i64::from(a.score.min(100)))
    .bind(json(&a.covered))
    .bind(json(&a.missed))
    .bind(i64::from(a.hints_used))
    .bind(ms(a.submitted_at))
    .bind(a.local_date.to_string())
    .fetch_one(db)
    .await;
    match result {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict(
            "this question of this round was already answered by this member".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

impl Store {
    pub async fn insert_attempt(&self, a: &NewAttempt<'_>) -> Result<i64> {
        super::servers::ensure_server(&self.pool, a.guild_id, a.submitted_at).await?;
        insert_attempt(&self.pool, a).await
    }

    /// A moderator changes an attempt's score; the change is kept with who, when and why.
    /// Returns the old score.
    pub async fn override_score(
        &self,
        guild_id: i64,
        attempt_id: i64,
        moderator: i64,
        new_score: u8,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<u8> {
        if reason.trim().is_empty() {
            return Err(StoreError::Conflict("an override needs a reason".into()));
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let old: Option<i64> =
            sqlx::query_scalar("SELECT score FROM attempts WHERE id = ? AND guild_id = ?")
                .bind(attempt_id)
                .bind(guild_id)
                .fetch_optional(&mut *tx)
                .await?;
        let old = old
            .ok_or_else(|| StoreError::NotFound(format!("attempt {attempt_id} in this server")))?;
        let new = i64::from(new_score.min(100));
        sqlx::query("UPDATE attempts SET score = ? WHERE id = ?")
            .bind(new)
            .bind(attempt_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO score_overrides (attempt_id, moderator, old_score, new_score, reason, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(attempt_id)
        .bind(moderator)
        .bind(old)
        .bind(new)
        .bind(reason.trim())
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(u8::try_from(old).unwrap_or(0))
    }

    /// The audit trail of an attempt: (moderator, old, new, reason), oldest first.
    pub async fn overrides(&self, attempt_id: i64) -> Result<Vec<(i64, u8, u8, String)>> {
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "SELECT moderator, old_score, new_score, reason FROM score_overrides WHERE attempt_id = ? ORDER BY id",
        )
        .bind(attempt_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(m, o, n, r)| {
                (
                    m,
                    u8::try_from(o).unwrap_or(0),
                    u8::try_from(n).unwrap_or(0),
                    r,
                )
            })
            .collect())
    }
}
