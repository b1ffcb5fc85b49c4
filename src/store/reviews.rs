//! Review memories (FSRS), skill per member and topic, question difficulty, and each server's
//! desired retention (a key of `servers.settings`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row as _;

use super::attempts::record_in;
use super::servers::ensure_server;
use super::{Conn, NewAttempt, Recorded, Result, Store, StoreError, from_ms, ms, on_conn};
use super::{Engine as _, on_pool};
use crate::domain::adaptive::{History, ItemKey};
use crate::domain::review::{self, DesiredRetention, Grade, Memory, ReviewState, Scheduled};
use crate::domain::skill::{self, Rating};

/// One scored attempt to learn from.
#[derive(Debug, Clone)]
pub struct ReviewAttempt<'a> {
    pub guild_id: i64,
    pub user_id: i64,
    pub key: &'a ItemKey,
    pub topic: &'a str,
    /// The bank's difficulty, where the question's rating starts.
    pub difficulty: crate::domain::bank::Difficulty,
    pub score: u8,
    pub hints_used: u32,
    pub at: DateTime<Utc>,
}

/// What an attempt changed.
#[derive(Debug, Clone)]
pub struct ReviewOutcome {
    pub scheduled: Scheduled,
    pub first_attempt: bool,
    pub skill_before: f64,
    pub skill_after: f64,
}

fn state_from_row<R>(row: &R) -> Result<(ItemKey, ReviewState)>
where
    R: sqlx::Row,
    for<'n> &'n str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let grade: String = row.try_get("last_grade")?;
    let score: i64 = row.try_get("last_score")?;
    let key = ItemKey {
        bank: row.try_get("bank")?,
        question: row.try_get("question")?,
    };
    let state = ReviewState {
        memory: Memory {
            stability: row.try_get("stability")?,
            difficulty: row.try_get("difficulty")?,
        },
        reps: u32::try_from(row.try_get::<i64, _>("reps")?).unwrap_or(0),
        lapses: u32::try_from(row.try_get::<i64, _>("lapses")?).unwrap_or(0),
        last_grade: Grade::parse(&grade)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown review grade `{grade}`")))?,
        last_score: u8::try_from(score.clamp(0, 100)).unwrap_or(0),
        last_review: from_ms(row.try_get("last_review_ms")?),
        due: from_ms(row.try_get("due_ms")?),
    };
    Ok((key, state))
}

const STATE_COLUMNS: &str = "bank, question, stability, difficulty, reps, lapses, last_grade, last_score, last_review_ms, due_ms";

impl Store {
    /// The server's desired retention (0.80–0.95; 0.90 unless set).
    pub async fn desired_retention(&self, guild_id: i64) -> Result<DesiredRetention> {
        on_pool!(self, pool => {
            let value: Option<f64> = sqlx::query_scalar(pool.pick(
                "SELECT json_extract(settings, '$.desired_retention') FROM servers WHERE guild_id = $1",
                "SELECT CAST(CAST(settings AS jsonb) ->> 'desired_retention' AS DOUBLE PRECISION)
                 FROM servers WHERE guild_id = $1",
            ))
            .bind(guild_id)
            .fetch_optional(pool)
            .await?
            .flatten();
            match value {
                None => Ok(DesiredRetention::default()),
                Some(v) => DesiredRetention::new(v).map_err(|e| StoreError::Corrupt(e.to_string())),
            }
        })
    }

    pub async fn set_desired_retention(
        &self,
        guild_id: i64,
        retention: DesiredRetention,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            ensure_server(&mut *pool.acquire().await?, guild_id, now).await?;
            sqlx::query(pool.pick(
                "UPDATE servers SET settings = json_set(settings, '$.desired_retention', $1) WHERE guild_id = $2",
                "UPDATE servers SET settings = CAST(jsonb_set(CAST(settings AS jsonb), '{desired_retention}', to_jsonb(CAST($1 AS DOUBLE PRECISION))) AS TEXT)
                 WHERE guild_id = $2",
            ))
            .bind(retention.get())
            .bind(guild_id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// A member's questions due at `now`, the longest overdue first.
    pub async fn due_reviews(
        &self,
        guild_id: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<(ItemKey, ReviewState)>> {
        on_pool!(self, pool => {
            let sql = format!(
                "SELECT {STATE_COLUMNS} FROM review_states
                 WHERE guild_id = $1 AND user_id = $2 AND due_ms <= $3 ORDER BY due_ms, bank, question"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(guild_id)
                .bind(user_id)
                .bind(ms(now))
                .fetch_all(pool)
                .await?;
            rows.iter().map(state_from_row).collect()
        })
    }

    /// Everything the adaptive choice needs about one member of one server.
    pub async fn review_history(&self, guild_id: i64, user_id: i64) -> Result<History> {
        on_pool!(self, pool => {
            let sql =
                format!("SELECT {STATE_COLUMNS} FROM review_states WHERE guild_id = $1 AND user_id = $2");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(guild_id)
                .bind(user_id)
                .fetch_all(pool)
                .await?;
            let reviews = rows
                .iter()
                .map(state_from_row)
                .collect::<Result<HashMap<_, _>>>()?;
            let skills = sqlx::query(
                "SELECT topic, rating, answers FROM skill_ratings WHERE guild_id = $1 AND user_id = $2",
            )
            .bind(guild_id)
            .bind(user_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("topic")?,
                    rating_from(r.try_get("rating")?, r.try_get("answers")?),
                ))
            })
            .collect::<Result<HashMap<_, _>>>()?;
            let difficulties = sqlx::query(
                "SELECT bank, question, rating, answers FROM question_difficulty WHERE guild_id = $1",
            )
            .bind(guild_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    ItemKey {
                        bank: r.try_get("bank")?,
                        question: r.try_get("question")?,
                    },
                    rating_from(r.try_get("rating")?, r.try_get("answers")?),
                ))
            })
            .collect::<Result<HashMap<_, _>>>()?;
            Ok(History {
                reviews,
                skills,
                difficulties,
            })
        })
    }

    /// Learn from one scored attempt, in one transaction: reschedule the question, move the
    /// member's topic rating and (first attempts only) the question's difficulty.
    pub async fn record_review_attempt(&self, a: &ReviewAttempt<'_>) -> Result<ReviewOutcome> {
        on_pool!(self, pool => {
            let retention = self.desired_retention(a.guild_id).await?;
            let mut tx = pool.begin_write().await?;
            let outcome = learn_in(&mut *tx, a, retention).await?;
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Record an answer ([`Store::record_attempt`]) and learn from it
    /// ([`Store::record_review_attempt`]) in one transaction: an answer refused as closed or
    /// repeated teaches nothing, and a stored one always moves its memory and ratings.
    pub async fn record_attempt_and_learn(
        &self,
        attempt: &NewAttempt<'_>,
        copied: bool,
        learn: &ReviewAttempt<'_>,
    ) -> Result<(Recorded, ReviewOutcome)> {
        on_pool!(self, pool => {
            let retention = self.desired_retention(learn.guild_id).await?;
            let mut tx = pool.begin_write().await?;
            let recorded = record_in(&mut *tx, attempt, copied, self.cooling_off_ms).await?;
            let outcome = learn_in(&mut *tx, learn, retention).await?;
            tx.commit().await?;
            Ok((recorded, outcome))
        })
    }

    /// A member's answers since `since` to questions that were due when answered:
    /// (passed, all).
    pub async fn recall_since(
        &self,
        guild_id: i64,
        user_id: i64,
        since: DateTime<Utc>,
    ) -> Result<(u32, u32)> {
        on_pool!(self, pool => {
            let (passed, all): (i64, i64) = sqlx::query_as(
                "SELECT COALESCE(SUM(CASE WHEN grade <> 'again' THEN 1 ELSE 0 END), 0), COUNT(*) FROM review_log
                 WHERE guild_id = $1 AND user_id = $2 AND at_ms >= $3 AND previous_due_ms <= at_ms",
            )
            .bind(guild_id)
            .bind(user_id)
            .bind(ms(since))
            .fetch_one(pool)
            .await?;
            Ok((
                u32::try_from(passed).unwrap_or(0),
                u32::try_from(all).unwrap_or(0),
            ))
        })
    }
}

/// [`Store::record_review_attempt`] inside the caller's transaction.
async fn learn_in<'c>(
    tx: impl Into<Conn<'c>>,
    a: &ReviewAttempt<'_>,
    retention: DesiredRetention,
) -> Result<ReviewOutcome> {
    on_conn!(tx.into(), tx => {
        ensure_server(&mut *tx, a.guild_id, a.at).await?;
        let sql = format!(
            "SELECT {STATE_COLUMNS} FROM review_states
             WHERE guild_id = $1 AND user_id = $2 AND bank = $3 AND question = $4"
        );
        let previous = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(a.guild_id)
            .bind(a.user_id)
            .bind(&a.key.bank)
            .bind(&a.key.question)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(state_from_row)
            .transpose()?
            .map(|(_, s)| s);
        let member = sqlx::query(
            "SELECT rating, answers FROM skill_ratings WHERE guild_id = $1 AND user_id = $2 AND topic = $3",
        )
        .bind(a.guild_id)
        .bind(a.user_id)
        .bind(a.topic)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| Ok::<_, StoreError>(rating_from(r.try_get("rating")?, r.try_get("answers")?)))
        .transpose()?
        .unwrap_or_else(Rating::member_start);
        let question = sqlx::query(
            "SELECT rating, answers FROM question_difficulty WHERE guild_id = $1 AND bank = $2 AND question = $3",
        )
        .bind(a.guild_id)
        .bind(&a.key.bank)
        .bind(&a.key.question)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| Ok::<_, StoreError>(rating_from(r.try_get("rating")?, r.try_get("answers")?)))
        .transpose()?
        .unwrap_or_else(|| Rating::question_start(a.difficulty));

        let first_attempt = previous.is_none();
        let scheduled = review::schedule(previous.as_ref(), a.score, a.hints_used, a.at, retention);
        let (member_after, question_after) = skill::update(member, question, a.score, first_attempt);
        let s = &scheduled.state;
        sqlx::query(
            "INSERT INTO review_states (guild_id, user_id, bank, question, stability, difficulty, reps, lapses,
                                        last_grade, last_score, last_review_ms, due_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (guild_id, user_id, bank, question) DO UPDATE SET
                stability = excluded.stability, difficulty = excluded.difficulty, reps = excluded.reps,
                lapses = excluded.lapses, last_grade = excluded.last_grade, last_score = excluded.last_score,
                last_review_ms = excluded.last_review_ms, due_ms = excluded.due_ms",
        )
        .bind(a.guild_id)
        .bind(a.user_id)
        .bind(&a.key.bank)
        .bind(&a.key.question)
        .bind(s.memory.stability)
        .bind(s.memory.difficulty)
        .bind(i64::from(s.reps))
        .bind(i64::from(s.lapses))
        .bind(s.last_grade.as_str())
        .bind(i64::from(s.last_score))
        .bind(ms(s.last_review))
        .bind(ms(s.due))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO skill_ratings (guild_id, user_id, topic, rating, answers, updated_ms) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (guild_id, user_id, topic) DO UPDATE SET
                rating = excluded.rating, answers = excluded.answers, updated_ms = excluded.updated_ms",
        )
        .bind(a.guild_id)
        .bind(a.user_id)
        .bind(a.topic)
        .bind(member_after.value)
        .bind(i64::from(member_after.answers))
        .bind(ms(a.at))
        .execute(&mut *tx)
        .await?;
        if first_attempt {
            sqlx::query(
                "INSERT INTO question_difficulty (guild_id, bank, question, rating, answers, updated_ms) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (guild_id, bank, question) DO UPDATE SET
                    rating = excluded.rating, answers = excluded.answers, updated_ms = excluded.updated_ms",
            )
            .bind(a.guild_id)
            .bind(&a.key.bank)
            .bind(&a.key.question)
            .bind(question_after.value)
            .bind(i64::from(question_after.answers))
            .bind(ms(a.at))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO review_log (guild_id, user_id, bank, question, at_ms, score, grade, previous_due_ms, due_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(a.guild_id)
        .bind(a.user_id)
        .bind(&a.key.bank)
        .bind(&a.key.question)
        .bind(ms(a.at))
        .bind(i64::from(a.score.min(100)))
        .bind(scheduled.grade.as_str())
        .bind(previous.as_ref().map(|p| ms(p.due)))
        .bind(ms(scheduled.state.due))
        .execute(&mut *tx)
        .await?;
        Ok(ReviewOutcome {
            scheduled,
            first_attempt,
            skill_before: member.value,
            skill_after: member_after.value,
        })
    })
}

fn rating_from(value: f64, answers: i64) -> Rating {
    Rating {
        value,
        answers: u32::try_from(answers).unwrap_or(0),
    }
}
