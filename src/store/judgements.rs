//! The AI judge's rows: a server's judge mode, the judgement attached to an attempt (both
//! scores, which counts, its state), the verdict cache and the daily budget.
//!
//! An answer is stored with the built-in score first; the judgement arrives later and is
//! attached by one conditional update (`judge_state = 'pending'`), so exactly one reply is
//! attached however many processes tried, and a pending one whose lease passed (its process
//! died) is claimed again by one statement.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::{Engine as _, Result, Store, StoreError, ensure_server, ms, on_pool};
use crate::domain::judging::{CountedBy, JudgeMode};

/// An answer waiting for the model.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct PendingJudgement {
    pub attempt_id: i64,
    pub guild_id: i64,
    pub question_id: i64,
    pub answer: String,
    pub hints_used: i64,
    /// The counting score when the judgement was asked for (the built-in one).
    pub score: i64,
    pub judge_mode: Option<String>,
}

/// How a judgement ended.
#[derive(Debug, Clone, PartialEq)]
pub enum JudgementEnd<'a> {
    /// A valid verdict: its score, the verdict's JSON, and the counting score when it
    /// replaces the built-in one (primary mode).
    Judged {
        model: &'a str,
        ai_score: u8,
        verdict_json: &'a str,
        counts: Option<u8>,
    },
    /// An invalid reply (`note`: why), or no reply (timeout, HTTP error, budget).
    Rejected {
        model: &'a str,
        note: &'a str,
    },
    Failed {
        model: &'a str,
        note: &'a str,
    },
}

/// What is stored of an attempt's judgement.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct StoredJudgement {
    pub score: i64,
    pub builtin_score: Option<i64>,
    pub ai_score: Option<i64>,
    pub ai_model: Option<String>,
    pub ai_verdict: Option<String>,
    pub counted_by: String,
    pub judge_state: Option<String>,
    pub judge_note: Option<String>,
}

/// The stored `counted_by`.
fn counted_by(stored: &str) -> CountedBy {
    if stored == "ai" {
        CountedBy::Ai
    } else {
        CountedBy::BuiltIn
    }
}

impl Store {
    /// The server's judge mode (off unless an admin set one).
    pub async fn judge_mode(&self, guild_id: i64) -> Result<JudgeMode> {
        on_pool!(self, pool => {
            let value: Option<String> = sqlx::query_scalar(pool.pick(
                "SELECT json_extract(settings, '$.judge_mode') FROM servers WHERE guild_id = $1",
                "SELECT CAST(settings AS jsonb) ->> 'judge_mode' FROM servers WHERE guild_id = $1",
            ))
            .bind(guild_id)
            .fetch_optional(pool)
            .await?
            .flatten();
            match value {
                None => Ok(JudgeMode::Off),
                Some(v) => v.parse().map_err(|e: crate::domain::judging::mode::UnknownMode| {
                    StoreError::Corrupt(format!("judge mode `{v}`: {e}"))
                }),
            }
        })
    }

    pub async fn set_judge_mode(
        &self,
        guild_id: i64,
        mode: JudgeMode,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            ensure_server(&mut *pool.acquire().await?, guild_id, now).await?;
            sqlx::query(pool.pick(
                "UPDATE servers SET settings = json_set(settings, '$.judge_mode', $1) WHERE guild_id = $2",
                "UPDATE servers SET settings = CAST(jsonb_set(CAST(settings AS jsonb), '{judge_mode}', to_jsonb(CAST($1 AS TEXT))) AS TEXT)
                 WHERE guild_id = $2",
            ))
            .bind(mode.as_str())
            .bind(guild_id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Mark a stored attempt as waiting for the model under `mode`, leased to this process
    /// until `lease_until`. The built-in score is kept aside as `builtin_score`.
    pub async fn mark_judgement_pending(
        &self,
        attempt_id: i64,
        mode: JudgeMode,
        lease_until: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE attempts SET builtin_score = score, judge_state = 'pending', judge_mode = $1,
                        judge_lease_ms = $2
                 WHERE id = $3 AND judge_state IS NULL",
            )
            .bind(mode.as_str())
            .bind(ms(lease_until))
            .bind(attempt_id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Claim up to `limit` pending judgements whose lease passed by `now` (their process
    /// stopped before the reply came), leased to the caller until `lease_until`. One statement,
    /// re-checked row by row, so two processes never claim the same one.
    pub async fn claim_stale_judgements(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<PendingJudgement>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "UPDATE attempts SET judge_lease_ms = $1
                 WHERE judge_state = 'pending' AND judge_lease_ms < $2 AND id IN (
                     SELECT id FROM attempts WHERE judge_state = 'pending' AND judge_lease_ms < $2
                     ORDER BY judge_lease_ms LIMIT $3)
                 RETURNING id AS attempt_id, guild_id, question_id, answer, hints_used, score, judge_mode",
            )
            .bind(ms(lease_until))
            .bind(ms(now))
            .bind(limit.max(0))
            .fetch_all(pool)
            .await?)
        })
    }

    /// Attach how the judgement of `attempt_id` ended, once: the counting score and whose it is
    /// afterwards, or `None` when it was already attached (another process finished it first).
    /// A primary-mode AI score replaces the counting score unless a moderator changed it
    /// meanwhile.
    pub async fn attach_judgement(
        &self,
        attempt_id: i64,
        end: &JudgementEnd<'_>,
    ) -> Result<Option<(i64, CountedBy)>> {
        on_pool!(self, pool => {
            let kept: Option<(i64, String)> = match end {
                JudgementEnd::Judged { model, ai_score, verdict_json, counts } => {
                    sqlx::query_as(
                        "UPDATE attempts SET judge_state = 'judged', ai_model = $1, ai_score = $2,
                                ai_verdict = $3, judge_note = NULL, judge_lease_ms = NULL,
                                score = CASE WHEN $4 IS NOT NULL AND score = builtin_score THEN $4 ELSE score END,
                                counted_by = CASE WHEN $4 IS NOT NULL AND score = builtin_score THEN 'ai' ELSE counted_by END
                         WHERE id = $5 AND judge_state = 'pending'
                         RETURNING score, counted_by",
                    )
                    .bind(*model)
                    .bind(i64::from(*ai_score))
                    .bind(*verdict_json)
                    .bind(counts.map(i64::from))
                    .bind(attempt_id)
                    .fetch_optional(pool)
                    .await?
                }
                JudgementEnd::Rejected { model, note } | JudgementEnd::Failed { model, note } => {
                    let state = if matches!(end, JudgementEnd::Rejected { .. }) { "rejected" } else { "failed" };
                    sqlx::query_as(
                        "UPDATE attempts SET judge_state = $1, ai_model = $2, judge_note = $3, judge_lease_ms = NULL
                         WHERE id = $4 AND judge_state = 'pending'
                         RETURNING score, counted_by",
                    )
                    .bind(state)
                    .bind(*model)
                    .bind(*note)
                    .bind(attempt_id)
                    .fetch_optional(pool)
                    .await?
                }
            };
            Ok(kept.map(|(score, by)| (score, counted_by(&by))))
        })
    }

    /// The judgement stored on an attempt of this server.
    pub async fn judgement(
        &self,
        guild_id: i64,
        attempt_id: i64,
    ) -> Result<Option<StoredJudgement>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT score, builtin_score, ai_score, ai_model, ai_verdict, counted_by, judge_state, judge_note
                 FROM attempts WHERE id = $1 AND guild_id = $2",
            )
            .bind(attempt_id)
            .bind(guild_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Take one answer of `guild_id`'s budget for `day`: false when `limit` are used. One
    /// conditional upsert, so concurrent answers never overspend it.
    pub async fn take_judge_budget(
        &self,
        guild_id: i64,
        day: NaiveDate,
        limit: u32,
    ) -> Result<bool> {
        on_pool!(self, pool => {
            let used: Option<i64> = sqlx::query_scalar(
                "INSERT INTO judge_budget (guild_id, day, used) SELECT $1, $2, 1 WHERE $3 > 0
                 ON CONFLICT (guild_id, day) DO UPDATE SET used = judge_budget.used + 1
                 WHERE judge_budget.used < $3
                 RETURNING used",
            )
            .bind(guild_id)
            .bind(day.to_string())
            .bind(i64::from(limit))
            .fetch_optional(pool)
            .await?;
            Ok(used.is_some())
        })
    }

    /// A cached verdict's JSON for this answer to this question by this model.
    pub async fn cached_verdict(
        &self,
        question_id: i64,
        model: &str,
        answer_hash: &str,
    ) -> Result<Option<String>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT verdict FROM judge_cache WHERE question_id = $1 AND model = $2 AND answer_hash = $3",
            )
            .bind(question_id)
            .bind(model)
            .bind(answer_hash)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn cache_verdict(
        &self,
        question_id: i64,
        model: &str,
        answer_hash: &str,
        verdict_json: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO judge_cache (question_id, model, answer_hash, verdict, created_ms)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (question_id, model, answer_hash) DO NOTHING",
            )
            .bind(question_id)
            .bind(model)
            .bind(answer_hash)
            .bind(verdict_json)
            .bind(ms(now))
            .execute(pool)
            .await?;
            Ok(())
        })
    }
}
