//! Mock rounds: the round, its questions and participants, and claims that make every step
//! happen once even when a timer and an answer (or two bot processes) race for it.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Engine as _, on_pool};
use super::{Result, RoundEnd, RoundState, Store, StoreError, from_ms, ms};

/// A round as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct RoundRow {
    pub id: i64,
    pub guild_id: i64,
    pub channel_id: i64,
    pub started_by: i64,
    pub mode: crate::domain::round::Mode,
    pub state: RoundState,
    pub seconds_per_q: i64,
    pub current_index: i64,
    pub deadline_ms: Option<i64>,
    pub message_id: Option<i64>,
    pub topic: Option<String>,
    pub difficulty: Option<String>,
    /// Until when the claimer of the step under way (a question being posted, a reveal) holds it.
    pub lease_until_ms: Option<i64>,
}

impl RoundRow {
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.deadline_ms.map(from_ms)
    }
}

/// A participant with the name boards show.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Participant {
    pub user_id: i64,
    pub team_name: Option<String>,
    pub display_name: String,
}

/// One answer in a round.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct RoundAnswer {
    pub position: i64,
    pub user_id: i64,
    pub score: i64,
    pub answer: String,
    /// Counted on the boards: neither copied nor given after seeing the reference.
    pub counted: bool,
}

/// What a new round needs.
#[derive(Debug, Clone)]
pub struct NewRound<'a> {
    pub guild_id: i64,
    pub channel_id: i64,
    pub started_by: i64,
    pub mode: crate::domain::round::Mode,
    pub seconds_per_q: u32,
    pub question_ids: &'a [i64],
    pub topic: Option<&'a str>,
    pub difficulty: Option<&'a str>,
    /// When the lobby closes (solo rounds: now).
    pub lobby_until: DateTime<Utc>,
}

macro_rules! select_round {
    ($where:literal) => {
        concat!(
            "SELECT id, guild_id, channel_id, started_by, mode, state, seconds_per_q, current_index, deadline_ms, message_id, topic, difficulty, lease_until_ms FROM rounds WHERE ",
            $where
        )
    };
}

impl Store {
    /// Create a round in its lobby. Refused when the channel already has an active round.
    pub async fn create_round(&self, r: &NewRound<'_>, now: DateTime<Utc>) -> Result<i64> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            super::servers::ensure_server(&mut *tx, r.guild_id, now).await?;
            let inserted = sqlx::query_scalar(
                "INSERT INTO rounds (guild_id, channel_id, started_by, mode, state, seconds_per_q, deadline_ms, topic, difficulty, created_ms)
                 VALUES ($1, $2, $3, $4, 'lobby', $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(r.guild_id)
            .bind(r.channel_id)
            .bind(r.started_by)
            .bind(r.mode.as_str())
            .bind(i64::from(r.seconds_per_q))
            .bind(ms(r.lobby_until))
            .bind(r.topic)
            .bind(r.difficulty)
            .bind(ms(now))
            .fetch_one(&mut *tx)
            .await;
            let id: i64 = match inserted {
                Ok(id) => id,
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Err(StoreError::Conflict(
                        "this channel already has a round going".into(),
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            for (pos, q) in r.question_ids.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO round_questions (round_id, position, question_id) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(i64::try_from(pos).unwrap_or(i64::MAX))
                .bind(q)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn round(&self, round_id: i64) -> Result<RoundRow> {
        on_pool!(self, pool => {
            sqlx::query_as(select_round!("id = $1"))
                .bind(round_id)
                .fetch_optional(pool)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("round {round_id}")))
        })
    }

    pub async fn active_round_in_channel(&self, channel_id: i64) -> Result<Option<RoundRow>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(select_round!(
                "channel_id = $1 AND state IN ('lobby', 'question', 'reveal')"
            ))
            .bind(channel_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Add a participant; false when they were already in.
    pub async fn join_round(
        &self,
        round_id: i64,
        user_id: i64,
        team: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        on_pool!(self, pool => {
            let done = sqlx::query(
                "INSERT INTO round_participants (round_id, user_id, team_name, joined_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (round_id, user_id) DO NOTHING",
            )
            .bind(round_id)
            .bind(user_id)
            .bind(team)
            .bind(ms(now))
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn participants(&self, round_id: i64) -> Result<Vec<Participant>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT p.user_id, p.team_name, coalesce(m.display_name, CAST(p.user_id AS TEXT)) AS display_name
                 FROM round_participants p JOIN rounds r ON r.id = p.round_id
                 LEFT JOIN members m ON m.guild_id = r.guild_id AND m.user_id = p.user_id
                 WHERE p.round_id = $1 ORDER BY p.joined_ms, p.user_id",
            )
            .bind(round_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The question at `position`: (question id, its message id).
    pub async fn round_question(
        &self,
        round_id: i64,
        position: i64,
    ) -> Result<Option<(i64, Option<i64>)>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as("SELECT question_id, message_id FROM round_questions WHERE round_id = $1 AND position = $2")
                .bind(round_id)
                .bind(position)
                .fetch_optional(pool)
                .await?)
        })
    }

    pub async fn round_question_count(&self, round_id: i64) -> Result<i64> {
        on_pool!(self, pool => {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM round_questions WHERE round_id = $1")
                    .bind(round_id)
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Claim the opening of question `position` (from the lobby for the first, from the previous
    /// reveal otherwise). Only one caller wins; it holds a lease until `lease_until` to post
    /// the question (cleared by [`Store::set_question_message`]).
    pub async fn claim_open_question(
        &self,
        round_id: i64,
        position: i64,
        deadline: DateTime<Utc>,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE rounds SET state = 'question', current_index = $2, deadline_ms = $3, lease_until_ms = $4
                 WHERE id = $1 AND (($2 = 0 AND state = 'lobby') OR (state = 'reveal' AND current_index = $2 - 1))",
            )
            .bind(round_id)
            .bind(position)
            .bind(ms(deadline))
            .bind(ms(lease_until))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                sqlx::query("UPDATE round_questions SET opened_ms = $1, deadline_ms = $2 WHERE round_id = $3 AND position = $4")
                    .bind(ms(now))
                    .bind(ms(deadline))
                    .bind(round_id)
                    .bind(position)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Claim closing question `position` for its reveal. Only one caller wins; it holds the
    /// step until `lease_until`, and the timer leaves the round alone until then. A question
    /// still under its opener's lease has not been posted, so nobody has seen it: it cannot be
    /// revealed (its deadline may pass while its opener is dead; the takeover gives it its time).
    pub async fn claim_reveal(
        &self,
        round_id: i64,
        position: i64,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        // On the write path: an answer whose conditional insert saw the question open commits
        // before this claim does, so the reveal's read of the answers sees it (on PostgreSQL
        // a plain UPDATE would not wait for that answer's transaction).
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE rounds SET state = 'reveal', deadline_ms = NULL, lease_until_ms = $1
                 WHERE id = $2 AND state = 'question' AND current_index = $3 AND lease_until_ms IS NULL",
            )
            .bind(ms(lease_until))
            .bind(round_id)
            .bind(position)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Take over the step of question `position` whose claimer died: a reveal, a question
    /// opened but never recorded as posted, or a finished round's summary, whose lease has passed. Only one caller wins. A
    /// question taken over closes at `question_deadline`: its players get their full time from
    /// the post nobody had seen.
    pub async fn take_over_round_step(
        &self,
        round_id: i64,
        position: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        question_deadline: DateTime<Utc>,
    ) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let taken: Option<String> = sqlx::query_scalar(
                "UPDATE rounds SET lease_until_ms = $1,
                        deadline_ms = CASE WHEN state = 'question' THEN $5 ELSE deadline_ms END
                 WHERE id = $2 AND current_index = $3
                   AND ((state = 'reveal' AND coalesce(lease_until_ms, 0) <= $4)
                     OR (state IN ('question', 'finished') AND lease_until_ms <= $4))
                 RETURNING state",
            )
            .bind(ms(lease_until))
            .bind(round_id)
            .bind(position)
            .bind(ms(now))
            .bind(ms(question_deadline))
            .fetch_optional(&mut *tx)
            .await?;
            if taken.as_deref() == Some("question") {
                sqlx::query(
                    "UPDATE round_questions SET opened_ms = $1, deadline_ms = $2 WHERE round_id = $3 AND position = $4",
                )
                .bind(ms(now))
                .bind(ms(question_deadline))
                .bind(round_id)
                .bind(position)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(taken.is_some())
        })
    }

    /// Finish a round after the reveal of its last question `position`. False when another
    /// caller did, or the round is elsewhere (stopped, or not at that reveal). The caller holds
    /// the summary's post until `lease_until` ([`Store::summary_posted`] ends it); a claimer that
    /// dies before posting it leaves the lease to pass and the summary to be taken over.
    pub async fn finish_round(
        &self,
        round_id: i64,
        position: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        on_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE rounds SET state = 'finished', deadline_ms = NULL, lease_until_ms = $1, finished_ms = $2
                 WHERE id = $3 AND state = 'reveal' AND current_index = $4",
            )
            .bind(ms(lease_until))
            .bind(ms(now))
            .bind(round_id)
            .bind(position)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The finished round's summary is out (or was given up on): nothing more is due for it.
    pub async fn summary_posted(&self, round_id: i64) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE rounds SET lease_until_ms = NULL WHERE id = $1 AND state = 'finished'")
                .bind(round_id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// End a round (finished or stopped). False when it had already ended.
    pub async fn end_round(
        &self,
        round_id: i64,
        end: RoundEnd,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        // On the write path, as [`Store::claim_reveal`]: no answer commits after a stop.
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE rounds SET state = $1, deadline_ms = NULL, lease_until_ms = NULL, finished_ms = $2
                 WHERE id = $3 AND state IN ('lobby', 'question', 'reveal')",
            )
            .bind(end.state().as_str())
            .bind(ms(now))
            .bind(round_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn set_round_message(&self, round_id: i64, message_id: i64) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE rounds SET message_id = $1 WHERE id = $2")
                .bind(message_id)
                .bind(round_id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Record the posted question's message and release the lease of its posting.
    pub async fn set_question_message(
        &self,
        round_id: i64,
        position: i64,
        message_id: i64,
    ) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE round_questions SET message_id = $1 WHERE round_id = $2 AND position = $3",
            )
            .bind(message_id)
            .bind(round_id)
            .bind(position)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE rounds SET lease_until_ms = NULL WHERE id = $1 AND state = 'question' AND current_index = $2",
            )
            .bind(round_id)
            .bind(position)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Every answer given in a round, by question position.
    pub async fn round_answers(&self, round_id: i64) -> Result<Vec<RoundAnswer>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT rq.position, a.user_id, a.score, a.answer, (a.copied = 0 AND a.seen_ms IS NULL) AS counted FROM attempts a
                 JOIN round_questions rq ON rq.round_id = a.context_ref AND rq.question_id = a.question_id
                 WHERE a.context = 'mock' AND a.context_ref = $1 ORDER BY rq.position, a.submitted_ms",
            )
            .bind(round_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Rounds in their lobby, a question or a reveal, in every server (for the metrics endpoint).
    pub async fn open_rounds(&self) -> Result<i64> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM rounds WHERE state IN ('lobby', 'question', 'reveal')",
            )
            .fetch_one(pool)
            .await?)
        })
    }

    /// Rounds with a step due (a deadline passed, or a claimed step whose lease passed: its
    /// claimer died), and the next time one falls due after that. A step being done under a
    /// live lease is not due.
    pub async fn due_rounds(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(Vec<i64>, Option<DateTime<Utc>>)> {
        on_pool!(self, pool => {
            let due: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM rounds WHERE deadline_ms IS NOT NULL AND deadline_ms <= $1 AND state IN ('lobby', 'question') AND lease_until_ms IS NULL
                 UNION SELECT id FROM rounds WHERE state = 'reveal' AND lease_until_ms IS NULL
                 UNION SELECT id FROM rounds WHERE lease_until_ms IS NOT NULL AND lease_until_ms <= $1
                 ORDER BY 1",
            )
            .bind(ms(now))
            .fetch_all(pool)
            .await?;
            let next: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(t) FROM (
                   SELECT MIN(deadline_ms) AS t FROM rounds WHERE deadline_ms > $1 AND state IN ('lobby', 'question')
                   UNION ALL SELECT MIN(lease_until_ms) FROM rounds WHERE lease_until_ms > $1) AS due",
            )
            .bind(ms(now))
            .fetch_one(pool)
            .await?;
            Ok((due, next.map(from_ms)))
        })
    }
}
