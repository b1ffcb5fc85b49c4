//! Attempts (one scored answer each) and moderators' score overrides.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Conn, Result, Store, StoreError, ms, on_conn};
use super::{Engine as _, on_pool};

/// Where an answer was given; decides whether it counts on boards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptContext {
    /// Free practice: never counts on boards.
    Practice,
    /// `/question` before it became practice (issue 13): kept for old rows, never counts.
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

    /// Daily drops and mock rounds: the only contexts boards count.
    pub fn competitive(self) -> bool {
        matches!(self, AttemptContext::Daily | AttemptContext::Mock)
    }
}

/// What [`Store::record_attempt`] stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub attempt_id: i64,
    /// The member had seen the reference within the cooling-off period: it does not count.
    pub seen: bool,
    pub copied: bool,
}

/// Where a reference answer was shown to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeenSource {
    Skip,
    /// Feedback that included the reference (`/question`, a solo round).
    Feedback,
    /// A round's or a drop's reveal.
    Reveal,
}

impl SeenSource {
    fn as_str(self) -> &'static str {
        match self {
            SeenSource::Skip => "skip",
            SeenSource::Feedback => "feedback",
            SeenSource::Reveal => "reveal",
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

/// A concept list as the JSON array the attempts table stores.
fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Binds $1…$14 of an attempt row, in the column order both inserts share (guild, channel,
/// member, question, topic, context, context ref, answer, score, covered, missed, hints,
/// submitted, local date), so the two inserts cannot drift apart.
macro_rules! bind_attempt {
    ($query:expr, $a:expr) => {
        $query
            .bind($a.guild_id)
            .bind($a.channel_id)
            .bind($a.user_id)
            .bind($a.question_id)
            .bind($a.topic)
            .bind($a.context.as_str())
            .bind($a.context_ref)
            .bind($a.answer)
            .bind(i64::from($a.score.min(100)))
            .bind(json_list(&$a.covered))
            .bind(json_list(&$a.missed))
            .bind(i64::from($a.hints_used))
            .bind(ms($a.submitted_at))
            .bind($a.local_date.to_string())
    };
}

/// Insert an attempt. A second answer to the same question of the same round or drop is refused
/// with [`StoreError::Conflict`].
pub async fn insert_attempt<'c>(db: impl Into<Conn<'c>>, a: &NewAttempt<'_>) -> Result<i64> {
    let result = on_conn!(db.into(), db => bind_attempt!(sqlx::query_scalar(
        "INSERT INTO attempts (guild_id, channel_id, user_id, question_id, topic, context, context_ref, answer,
                               score, covered, missed, hints_used, submitted_ms, local_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    ), a)
    .fetch_one(db)
    .await);
    match result {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict(
            "this question of this round was already answered by this member".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The one conditional insert of an answer (see [`Store::record_attempt`]). Parameters:
/// ?1 guild … ?14 local date as in [`insert_attempt`], ?15 copied, ?16 cooling-off in ms. A
/// daily answer is stored on its drop's local date instead of ?14.
const RECORD_ATTEMPT: &str = "INSERT INTO attempts (guild_id, channel_id, user_id, question_id, topic, context, context_ref,
                          answer, score, covered, missed, hints_used, submitted_ms, local_date, copied, seen_ms)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
           -- A drop answer counts on the drop's own date (its schedule's zone), not the server's.
           CASE WHEN $6 = 'daily' THEN coalesce((SELECT local_date FROM drops WHERE id = $7), $14) ELSE $14 END,
           $15,
           (SELECT max(seen_ms) FROM seen_marks
             WHERE guild_id = $1 AND user_id IN ($3, 0) AND question_id = $4
               AND seen_ms <= $13 AND seen_ms > $13 - $16)
    WHERE CASE
        WHEN $7 IS NULL THEN TRUE
        WHEN $6 = 'mock' THEN EXISTS (
            SELECT 1 FROM rounds r JOIN round_questions rq ON rq.round_id = r.id AND rq.position = r.current_index
            WHERE r.id = $7 AND r.guild_id = $1 AND r.state = 'question' AND rq.question_id = $4
              AND (r.deadline_ms IS NULL OR r.deadline_ms > $13))
        WHEN $6 = 'daily' THEN EXISTS (
            SELECT 1 FROM drops d JOIN schedules s ON s.id = d.schedule_id
            WHERE d.id = $7 AND s.guild_id = $1 AND d.state = 'posted' AND d.question_id = $4
              AND (d.closes_ms IS NULL OR d.closes_ms > $13))
        ELSE TRUE END
    RETURNING id, seen_ms IS NOT NULL";

/// [`Store::record_attempt`] inside the caller's transaction.
pub(super) async fn record_in<'c>(
    tx: impl Into<Conn<'c>>,
    a: &NewAttempt<'_>,
    copied: bool,
    cooling_off_ms: i64,
) -> Result<Recorded> {
    on_conn!(tx.into(), tx => {
        super::servers::ensure_server(&mut *tx, a.guild_id, a.submitted_at).await?;
        let inserted: std::result::Result<Option<(i64, bool)>, sqlx::Error> =
            bind_attempt!(sqlx::query_as(RECORD_ATTEMPT), a)
                .bind(i64::from(copied))
                .bind(cooling_off_ms)
                .fetch_optional(&mut *tx)
                .await;
        let (attempt_id, seen) = match inserted {
            Ok(Some(row)) => row,
            Ok(None) => {
                return Err(StoreError::Closed(
                    "this question closed before the answer arrived".into(),
                ));
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Conflict(
                    "this question of this round was already answered by this member".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        sqlx::query("DELETE FROM hint_charges WHERE guild_id = $1 AND user_id = $2 AND question_id = $3")
            .bind(a.guild_id)
            .bind(a.user_id)
            .bind(a.question_id)
            .execute(&mut *tx)
            .await?;
        Ok(Recorded {
            attempt_id,
            seen,
            copied,
        })
    })
}

/// The default cooling-off period after a member saw a reference: 30 days.
pub const DEFAULT_COOLING_OFF_DAYS: u32 = 30;

impl Store {
    /// The cooling-off period this store records answers with.
    pub fn cooling_off(&self) -> chrono::Duration {
        chrono::Duration::milliseconds(self.cooling_off_ms)
    }

    /// How long after seeing a reference a member's competitive answers to that question do
    /// not count (default [`DEFAULT_COOLING_OFF_DAYS`]).
    pub fn with_cooling_off(mut self, period: chrono::Duration) -> Store {
        self.cooling_off_ms = period.num_milliseconds().max(0);
        self
    }

    /// Record an answer, the way every answer of the bot is recorded. In one statement: a
    /// round or drop answer is stored only if its question is still open (the round is on
    /// that question before its deadline; the drop is posted and not closed), else
    /// [`StoreError::Closed`]; a second answer to the same round question or drop is
    /// [`StoreError::Conflict`]; the attempt is marked `seen` when the member saw the
    /// question's reference within the cooling-off period, and `copied` as the caller found.
    /// Hints charged to the member for the question are paid by this answer and cleared.
    pub async fn record_attempt(&self, a: &NewAttempt<'_>, copied: bool) -> Result<Recorded> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let recorded = record_in(&mut *tx, a, copied, self.cooling_off_ms).await?;
            tx.commit().await?;
            Ok(recorded)
        })
    }

    /// Answers other members gave to the same round question or drop (for copy checks).
    pub async fn other_answers(
        &self,
        context: AttemptContext,
        context_ref: i64,
        question_id: i64,
        user_id: i64,
    ) -> Result<Vec<String>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT answer FROM attempts WHERE context = $1 AND context_ref = $2 AND question_id = $3 AND user_id <> $4",
            )
            .bind(context.as_str())
            .bind(context_ref)
            .bind(question_id)
            .bind(user_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// A member saw `question`'s reference at `at`: their competitive answers to it within the
    /// cooling-off period after this do not count. Keeps the latest time.
    pub async fn mark_seen(
        &self,
        guild_id: i64,
        user_id: i64,
        question_id: i64,
        source: SeenSource,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            super::servers::ensure_server(&mut *pool.acquire().await?, guild_id, at).await?;
            sqlx::query(
                "INSERT INTO seen_marks (guild_id, user_id, question_id, seen_ms, source) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (guild_id, user_id, question_id) DO UPDATE
                    SET seen_ms = CASE WHEN excluded.seen_ms > seen_marks.seen_ms THEN excluded.seen_ms ELSE seen_marks.seen_ms END, source = excluded.source",
            )
            .bind(guild_id)
            .bind(user_id)
            .bind(question_id)
            .bind(ms(at))
            .bind(source.as_str())
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// A round's reveal of its question at `position` showed the reference to its players, and,
    /// posted in the channel, to anyone in the server: the mark under user 0 (no Discord user
    /// has that id) stands for everyone, so a reader who did not play cannot take the question
    /// into another round or drop with the answer in hand.
    pub async fn mark_round_reveal_seen(
        &self,
        round_id: i64,
        position: i64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO seen_marks (guild_id, user_id, question_id, seen_ms, source)
                 SELECT r.guild_id, p.user_id, rq.question_id, $3, 'reveal'
                 FROM rounds r JOIN round_participants p ON p.round_id = r.id
                 JOIN round_questions rq ON rq.round_id = r.id AND rq.position = $2
                 WHERE r.id = $1
                 UNION ALL
                 SELECT r.guild_id, 0, rq.question_id, $3, 'reveal'
                 FROM rounds r JOIN round_questions rq ON rq.round_id = r.id AND rq.position = $2
                 WHERE r.id = $1
                 ON CONFLICT (guild_id, user_id, question_id) DO UPDATE
                    SET seen_ms = CASE WHEN excluded.seen_ms > seen_marks.seen_ms THEN excluded.seen_ms ELSE seen_marks.seen_ms END, source = excluded.source",
            )
            .bind(round_id)
            .bind(position)
            .bind(ms(at))
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// A drop's reveal showed the reference to the members who answered it, and to everyone in
    /// the server (user 0, as for a round's reveal).
    pub async fn mark_drop_reveal_seen(&self, drop_id: i64, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO seen_marks (guild_id, user_id, question_id, seen_ms, source)
                 SELECT guild_id, user_id, question_id, $2, 'reveal' FROM attempts
                 WHERE context = 'daily' AND context_ref = $1
                 UNION ALL
                 SELECT s.guild_id, 0, d.question_id, $2, 'reveal'
                 FROM drops d JOIN schedules s ON s.id = d.schedule_id
                 WHERE d.id = $1 AND d.question_id IS NOT NULL
                 ON CONFLICT (guild_id, user_id, question_id) DO UPDATE
                    SET seen_ms = CASE WHEN excluded.seen_ms > seen_marks.seen_ms THEN excluded.seen_ms ELSE seen_marks.seen_ms END, source = excluded.source",
            )
            .bind(drop_id)
            .bind(ms(at))
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Questions whose reference a reveal showed publicly in this server within the cooling-off
    /// period before `now`: answers to them in a drop or round would not count, so new rounds
    /// take them last.
    pub async fn publicly_revealed_questions(
        &self,
        guild_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT question_id FROM seen_marks
                 WHERE guild_id = $1 AND user_id = 0 AND seen_ms <= $2 AND seen_ms > $3",
            )
            .bind(guild_id)
            .bind(ms(now))
            .bind(ms(now) - self.cooling_off_ms)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Questions of this server's open drops (claimed or posted, not yet revealed) and of its
    /// active rounds (every question of the round): `/question` does not offer them.
    pub async fn open_competitive_questions(&self, guild_id: i64) -> Result<Vec<i64>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT d.question_id FROM drops d JOIN schedules s ON s.id = d.schedule_id
                 WHERE s.guild_id = $1 AND d.state IN ('claimed', 'posted') AND d.question_id IS NOT NULL
                 UNION
                 SELECT rq.question_id FROM rounds r JOIN round_questions rq ON rq.round_id = r.id
                 WHERE r.guild_id = $1 AND r.state IN ('lobby', 'question', 'reveal')",
            )
            .bind(guild_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Hints a member has been charged on a question (whatever message they took them on),
    /// after taking one more (at most `max`).
    pub async fn take_hint(
        &self,
        guild_id: i64,
        user_id: i64,
        question_id: i64,
        max: u32,
    ) -> Result<u32> {
        on_pool!(self, pool => {
            let used: i64 = sqlx::query_scalar(
                "INSERT INTO hint_charges (guild_id, user_id, question_id, used) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (guild_id, user_id, question_id)
             DO UPDATE SET used = CASE WHEN hint_charges.used + 1 < $4 THEN hint_charges.used + 1 ELSE $4 END RETURNING used",
            )
            .bind(guild_id)
            .bind(user_id)
            .bind(question_id)
            .bind(i64::from(max.clamp(1, 3)))
            .fetch_one(pool)
            .await?;
            Ok(u32::try_from(used).unwrap_or(0))
        })
    }

    /// Hints charged to a member on a question and not yet paid by an answer.
    pub async fn hints_used(&self, guild_id: i64, user_id: i64, question_id: i64) -> Result<u32> {
        on_pool!(self, pool => {
            let used: Option<i64> = sqlx::query_scalar(
                "SELECT used FROM hint_charges WHERE guild_id = $1 AND user_id = $2 AND question_id = $3",
            )
            .bind(guild_id)
            .bind(user_id)
            .bind(question_id)
            .fetch_optional(pool)
            .await?;
            Ok(used.and_then(|u| u32::try_from(u).ok()).unwrap_or(0))
        })
    }

    /// An unconditional insert, for the store benchmark's seeding only: every answer of the
    /// bot goes through [`Store::record_attempt`] (open-question check, seen and copy marks).
    pub(crate) async fn insert_attempt(&self, a: &NewAttempt<'_>) -> Result<i64> {
        on_pool!(self, pool => {
            super::servers::ensure_server(&mut *pool.acquire().await?, a.guild_id, a.submitted_at).await?;
            insert_attempt(&mut *pool.acquire().await?, a).await
        })
    }

    /// A moderator changes an attempt's score; the change is kept with who, when and why. It
    /// clears the attempt's `copied` flag and resolves its open appeal. Returns the old score.
    pub async fn override_score(
        &self,
        guild_id: i64,
        attempt_id: i64,
        moderator: i64,
        new_score: u8,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<u8> {
        on_pool!(self, pool => {
            if reason.trim().is_empty() {
                return Err(StoreError::Conflict("an override needs a reason".into()));
            }
            let mut tx = pool.begin_write().await?;
            let old: Option<i64> =
                sqlx::query_scalar("SELECT score FROM attempts WHERE id = $1 AND guild_id = $2")
                    .bind(attempt_id)
                    .bind(guild_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let old = old
                .ok_or_else(|| StoreError::NotFound(format!("attempt {attempt_id} in this server")))?;
            let new = i64::from(new_score.min(100));
            // The moderator's score is the verdict: a copy flag they looked at no longer applies.
            sqlx::query("UPDATE attempts SET score = $1, copied = 0 WHERE id = $2")
                .bind(new)
                .bind(attempt_id)
                .execute(&mut *tx)
                .await?;
            let override_id: i64 = sqlx::query_scalar(
                "INSERT INTO score_overrides (attempt_id, moderator, old_score, new_score, reason, created_ms) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(attempt_id)
            .bind(moderator)
            .bind(old)
            .bind(new)
            .bind(reason.trim())
            .bind(ms(now))
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE appeals SET resolved_ms = $1, override_id = $2 WHERE attempt_id = $3 AND resolved_ms IS NULL",
            )
            .bind(ms(now))
            .bind(override_id)
            .bind(attempt_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(u8::try_from(old).unwrap_or(0))
        })
    }

    /// The audit trail of an attempt: (moderator, old, new, reason), oldest first.
    pub async fn overrides(&self, attempt_id: i64) -> Result<Vec<(i64, u8, u8, String)>> {
        on_pool!(self, pool => {
            let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
                "SELECT moderator, old_score, new_score, reason FROM score_overrides WHERE attempt_id = $1 ORDER BY id",
            )
            .bind(attempt_id)
            .fetch_all(pool)
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
        })
    }
}
