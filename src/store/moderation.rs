//! Moderation: answers flagged as copies or appealed by their members, appeals, and what a
//! member is told about moderators' changes to their answers.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::on_pool;
use super::{Result, Store, StoreError, ms};

/// A line of `/score review`.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct FlaggedAnswer {
    pub attempt_id: i64,
    pub user_id: i64,
    pub display_name: String,
    /// The question's slug.
    pub question: String,
    pub context: String,
    pub score: i64,
    pub copied: bool,
    /// The open appeal's reason, if the member appealed.
    pub appeal: Option<String>,
    pub answer: String,
    pub submitted_ms: i64,
    /// The built-in scorer's score, when an AI judgement was asked for.
    pub builtin_score: Option<i64>,
    /// The AI judge's score and model, when it gave a valid one.
    pub ai_score: Option<i64>,
    pub ai_model: Option<String>,
    /// `builtin` or `ai`: whose score `score` is.
    pub counted_by: String,
}

/// Answers whose AI and built-in scores differ by this much are listed for review too.
pub const JUDGES_DISAGREE: i64 = 30;

/// A moderator's change to one of a member's answers, as the member sees it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct OverrideNote {
    pub attempt_id: i64,
    pub question: String,
    pub old_score: i64,
    pub new_score: i64,
    pub reason: String,
    pub created_ms: i64,
    /// The member had appealed and this change answered the appeal.
    pub answered_appeal: bool,
}

impl Store {
    /// Answers flagged `copied` or with an open appeal, newest first, and how many there are.
    pub async fn flagged_answers(
        &self,
        guild_id: i64,
        limit: i64,
    ) -> Result<(Vec<FlaggedAnswer>, i64)> {
        on_pool!(self, pool => {
            let rows: Vec<FlaggedAnswer> = sqlx::query_as(
                "SELECT a.id AS attempt_id, a.user_id, coalesce(m.display_name, CAST(a.user_id AS TEXT)) AS display_name,
                        q.slug AS question, a.context, a.score, (a.copied <> 0) AS copied, ap.reason AS appeal, a.answer, a.submitted_ms,
                        a.builtin_score, a.ai_score, a.ai_model, a.counted_by
                 FROM attempts a
                 JOIN questions q ON q.id = a.question_id
                 LEFT JOIN appeals ap ON ap.attempt_id = a.id AND ap.resolved_ms IS NULL
                 LEFT JOIN members m ON m.guild_id = a.guild_id AND m.user_id = a.user_id
                 WHERE a.guild_id = $1 AND (a.copied = 1 OR ap.id IS NOT NULL
                        OR (a.ai_score IS NOT NULL AND abs(a.ai_score - coalesce(a.builtin_score, a.score)) >= $3))
                 ORDER BY a.submitted_ms DESC, a.id DESC LIMIT $2",
            )
            .bind(guild_id)
            .bind(limit.max(0))
            .bind(JUDGES_DISAGREE)
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM attempts a WHERE a.guild_id = $1 AND (a.copied = 1
                    OR EXISTS (SELECT 1 FROM appeals ap WHERE ap.attempt_id = a.id AND ap.resolved_ms IS NULL)
                    OR (a.ai_score IS NOT NULL AND abs(a.ai_score - coalesce(a.builtin_score, a.score)) >= $2))",
            )
            .bind(guild_id)
            .bind(JUDGES_DISAGREE)
            .fetch_one(pool)
            .await?;
            Ok((rows, total))
        })
    }

    /// Who gave an attempt of this server, if it is one.
    pub async fn attempt_owner(&self, guild_id: i64, attempt_id: i64) -> Result<Option<i64>> {
        on_pool!(self, pool => {
            Ok(
                sqlx::query_scalar("SELECT user_id FROM attempts WHERE id = $1 AND guild_id = $2")
                    .bind(attempt_id)
                    .bind(guild_id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// A member appeals the score of one of their own answers. Refused for someone else's
    /// answer (as not found) and while an earlier appeal of it is open.
    pub async fn appeal(
        &self,
        guild_id: i64,
        attempt_id: i64,
        user_id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        on_pool!(self, pool => {
            if reason.trim().is_empty() {
                return Err(StoreError::Conflict("an appeal needs a reason".into()));
            }
            if self.attempt_owner(guild_id, attempt_id).await? != Some(user_id) {
                return Err(StoreError::NotFound(format!(
                    "answer #{attempt_id} of yours in this server"
                )));
            }
            let inserted = sqlx::query_scalar(
                "INSERT INTO appeals (attempt_id, user_id, reason, created_ms) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(attempt_id)
            .bind(user_id)
            .bind(reason.trim())
            .bind(ms(now))
            .fetch_one(pool)
            .await;
            match inserted {
                Ok(id) => Ok(id),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict(
                    format!("answer #{attempt_id} already has an appeal waiting for a moderator"),
                )),
                Err(e) => Err(e.into()),
            }
        })
    }

    /// Open appeals of a member in this server.
    pub async fn open_appeals(&self, guild_id: i64, user_id: i64) -> Result<i64> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM appeals ap JOIN attempts a ON a.id = ap.attempt_id
                 WHERE a.guild_id = $1 AND ap.user_id = $2 AND ap.resolved_ms IS NULL",
            )
            .bind(guild_id)
            .bind(user_id)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Moderators' latest changes to a member's answers in this server, newest first.
    pub async fn member_overrides(
        &self,
        guild_id: i64,
        user_id: i64,
        limit: i64,
    ) -> Result<Vec<OverrideNote>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT o.attempt_id, q.slug AS question, o.old_score, o.new_score, o.reason, o.created_ms,
                        EXISTS (SELECT 1 FROM appeals ap WHERE ap.override_id = o.id) AS answered_appeal
                 FROM score_overrides o JOIN attempts a ON a.id = o.attempt_id JOIN questions q ON q.id = a.question_id
                 WHERE a.guild_id = $1 AND a.user_id = $2 ORDER BY o.created_ms DESC, o.id DESC LIMIT $3",
            )
            .bind(guild_id)
            .bind(user_id)
            .bind(limit.max(0))
            .fetch_all(pool)
            .await?)
        })
    }
}
