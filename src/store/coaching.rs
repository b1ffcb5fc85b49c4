//! What coaching and the progress chart read: per concept and question, how often a member (or
//! a server's week) missed and covered it; a member's average score per week; their topic
//! ratings.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Engine as _, on_pool};
use super::{Result, Store, ms};
use crate::domain::coaching::ConceptTally;
use crate::domain::progress::{CHART_WEEKS, WeekScore};

/// Concept marks of the attempts `$filter` selects (over `attempts a`), counted per concept and
/// question slug (the same across bank versions); only concepts missed at least once. The
/// engines differ only in how a JSON array of concepts becomes rows.
macro_rules! concept_tallies {
    ($pool:ident, $filter:literal) => {
        $pool.pick(
            concept_tallies!(@ "json_each(a.missed) j", "json_each(a.covered) j", $filter),
            concept_tallies!(@
                "json_array_elements_text(a.missed::json) AS j(value)",
                "json_array_elements_text(a.covered::json) AS j(value)",
                $filter
            ),
        )
    };
    (@ $missed:literal, $covered:literal, $filter:literal) => {
        concat!(
            "WITH marks AS (
                SELECT a.question_id, a.submitted_ms, j.value AS concept, 1 AS miss
                FROM attempts a, ", $missed, " WHERE ",
            $filter,
            " UNION ALL
                SELECT a.question_id, a.submitted_ms, j.value AS concept, 0 AS miss
                FROM attempts a, ", $covered, " WHERE ",
            $filter,
            ")
             SELECT m.concept, q.slug, SUM(m.miss), SUM(1 - m.miss),
                    MAX(CASE WHEN m.miss = 1 THEN m.submitted_ms END),
                    MAX(CASE WHEN m.miss = 0 THEN m.submitted_ms END)
             FROM marks m JOIN questions q ON q.id = m.question_id
             GROUP BY m.concept, q.slug HAVING SUM(m.miss) > 0"
        )
    };
}

type TallyRow = (String, String, i64, i64, Option<i64>, Option<i64>);

fn tallies(rows: Vec<TallyRow>) -> Vec<ConceptTally> {
    rows.into_iter()
        .map(
            |(concept, question, missed, covered, last_missed, last_covered)| ConceptTally {
                concept,
                question,
                missed: u32::try_from(missed).unwrap_or(0),
                covered: u32::try_from(covered).unwrap_or(0),
                last_missed_ms: last_missed.unwrap_or(0),
                last_covered_ms: last_covered,
            },
        )
        .collect()
}

impl Store {
    /// A member's concept tallies over all their answers in the server.
    pub async fn member_concept_tallies(
        &self,
        guild_id: i64,
        user_id: i64,
    ) -> Result<Vec<ConceptTally>> {
        on_pool!(self, pool => {
            let rows: Vec<TallyRow> =
                sqlx::query_as(concept_tallies!(pool, "a.guild_id = $1 AND a.user_id = $2"))
                    .bind(guild_id)
                    .bind(user_id)
                    .fetch_all(pool)
                    .await?;
            Ok(tallies(rows))
        })
    }

    /// A member's concept tallies over their answers in the server to the questions of one
    /// round (every answer to them, not only the round's).
    pub async fn round_concept_tallies(
        &self,
        round_id: i64,
        user_id: i64,
    ) -> Result<Vec<ConceptTally>> {
        on_pool!(self, pool => {
            let rows: Vec<TallyRow> = sqlx::query_as(concept_tallies!(
                pool,
                "a.guild_id = (SELECT guild_id FROM rounds WHERE id = $1) AND a.user_id = $2
                   AND a.question_id IN (SELECT question_id FROM round_questions WHERE round_id = $1)"
            ))
            .bind(round_id)
            .bind(user_id)
            .fetch_all(pool)
            .await?;
            Ok(tallies(rows))
        })
    }

    /// Every member's concept tallies in the server within `[from, to)`.
    pub async fn server_concept_tallies(
        &self,
        guild_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ConceptTally>> {
        on_pool!(self, pool => {
            let rows: Vec<TallyRow> = sqlx::query_as(concept_tallies!(
                pool,
                "a.guild_id = $1 AND a.submitted_ms >= $2 AND a.submitted_ms < $3"
            ))
            .bind(guild_id)
            .bind(ms(from))
            .bind(ms(to))
            .fetch_all(pool)
            .await?;
            Ok(tallies(rows))
        })
    }

    /// A member's average score per week (Monday to Sunday of the server's calendar dates),
    /// the latest [`CHART_WEEKS`] weeks with answers, in any order.
    pub async fn weekly_scores(&self, guild_id: i64, user_id: i64) -> Result<Vec<WeekScore>> {
        on_pool!(self, pool => {
            let rows: Vec<(String, f64, i64)> = sqlx::query_as(pool.pick(
                "SELECT date(local_date, 'weekday 0', '-6 days') AS week, CAST(AVG(score) AS DOUBLE PRECISION), COUNT(*)
                 FROM attempts WHERE guild_id = $1 AND user_id = $2
                 GROUP BY week ORDER BY week DESC LIMIT $3",
                "SELECT to_char(date_trunc('week', CAST(local_date AS date)), 'YYYY-MM-DD') AS week,
                        CAST(AVG(score) AS DOUBLE PRECISION), COUNT(*)
                 FROM attempts WHERE guild_id = $1 AND user_id = $2
                 GROUP BY week ORDER BY week DESC LIMIT $3",
            ))
            .bind(guild_id)
            .bind(user_id)
            .bind(i64::try_from(CHART_WEEKS).unwrap_or(26))
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(week, average, answers)| {
                    Some(WeekScore {
                        week: week.parse::<NaiveDate>().ok()?,
                        average,
                        answers: u32::try_from(answers).unwrap_or(0),
                    })
                })
                .collect())
        })
    }

    /// A member's rating per topic, where they have one.
    pub async fn topic_ratings(&self, guild_id: i64, user_id: i64) -> Result<Vec<(String, f64)>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT topic, rating FROM skill_ratings WHERE guild_id = $1 AND user_id = $2 ORDER BY topic",
            )
            .bind(guild_id)
            .bind(user_id)
            .fetch_all(pool)
            .await?)
        })
    }
}
