//! Leaderboards that cannot be farmed.
//!
//! What counts, in one place (the `ranked_cte!` query): answers from competitive contexts only (daily
//! drops and mock rounds; `/question`, reviews and terminal practice never), given before the
//! member saw that question's reference (an attempt stored with `seen_ms` does not count), and a
//! `copied` answer counts 0. For each member and question only the best counted attempt inside
//! the window counts, so answering the same question again (or in both a round and a drop)
//! adds nothing.
//! The all-time board (no window, no topic) reads the same rule from `member_totals`, which
//! triggers on `attempts` keep (migration 0026), instead of ranking every attempt of the server.
//! Ties go to fewer attempts, then to whoever got there first. Teams are ranked by the average
//! points of their active members, so a big team does not win by size alone.

use sqlx::FromRow;

use super::on_pool;
use super::{Result, Store};
use crate::domain::period::Window;

/// The largest page Discord can show comfortably in one embed.
pub const MAX_PAGE_SIZE: u32 = 25;

/// Which board to read.
#[derive(Debug, Clone)]
pub struct BoardQuery {
    pub guild_id: i64,
    pub window: Window,
    /// Only questions of this topic (any case).
    pub topic: Option<String>,
    /// 0-based page.
    pub page: u32,
    /// At most [`MAX_PAGE_SIZE`].
    pub page_size: u32,
}

impl BoardQuery {
    /// The whole board of all time: read from `member_totals`, which triggers keep equal to
    /// [`ranked_cte!`] over all of the server's attempts, instead of grouping every attempt.
    fn all_time(&self) -> bool {
        self.window.start.is_none() && self.window.end.is_none() && self.topic.is_none()
    }

    fn bounds(&self) -> (i64, i64) {
        (
            self.window.start.map_or(i64::MIN, super::ms),
            self.window.end.map_or(i64::MAX, super::ms),
        )
    }

    /// The page this query asked for, holding `rows` of a board of `total` lines.
    fn page_of<T>(&self, rows: Vec<T>, total: i64) -> Page<T> {
        Page {
            rows,
            total,
            page: self.page,
            page_size: self.size(),
        }
    }

    /// Lines per page, within what Discord shows comfortably.
    fn size(&self) -> u32 {
        self.page_size.clamp(1, MAX_PAGE_SIZE)
    }

    fn limit_offset(&self) -> (i64, i64) {
        let size = self.size();
        (i64::from(size), i64::from(size) * i64::from(self.page))
    }
}

/// One member's line on a board.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct BoardRow {
    pub rank: i64,
    pub user_id: i64,
    pub display_name: String,
    pub points: i64,
    pub questions: i64,
    pub attempts: i64,
}

/// One team's line.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TeamRow {
    pub rank: i64,
    pub name: String,
    pub members: i64,
    /// Members with at least one counted answer in the window.
    pub active: i64,
    pub total_points: i64,
    /// Points per active member: the ranking key.
    pub average_points: f64,
}

/// A page of a board and how many lines the board has in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        let size = i64::from(self.page_size.max(1));
        u32::try_from((self.total + size - 1) / size).unwrap_or(u32::MAX)
    }
}

/// Best attempt per member and question inside the window; parameters ?1 guild, ?2 start ms,
/// ?3 end ms, ?4 topic or NULL.
macro_rules! ranked_cte {
    () => {
        "WITH best AS (
            SELECT user_id, question_id, MAX(CASE WHEN copied = 1 THEN 0 ELSE score END) AS best,
                   COUNT(*) AS n, MIN(submitted_ms) AS first_ms
            FROM attempts
            WHERE guild_id = $1 AND submitted_ms >= $2 AND submitted_ms < $3
              AND context IN ('daily', 'mock') AND seen_ms IS NULL
              AND ($4 IS NULL OR lower(topic) = lower($4))
            GROUP BY user_id, question_id
        ), ranked AS (
            SELECT user_id, CAST(SUM(best) AS BIGINT) AS points, COUNT(*) AS questions, CAST(SUM(n) AS BIGINT) AS attempts, MAX(first_ms) AS reached_ms,
                   ROW_NUMBER() OVER (ORDER BY SUM(best) DESC, SUM(n) ASC, MAX(first_ms) ASC, user_id ASC) AS rank
            FROM best GROUP BY user_id
        ) "
    };
}

/// The all-time board from `member_totals` in the order of [`ranked_cte!`]: ?1 guild.
const ALL_TIME_RANKED: &str = "SELECT user_id, points, questions, attempts,
        ROW_NUMBER() OVER (ORDER BY points DESC, attempts ASC, reached_ms ASC, user_id ASC) AS rank
    FROM member_totals WHERE guild_id = $1";

impl Store {
    /// A page of the member board.
    pub async fn leaderboard(&self, q: &BoardQuery) -> Result<Page<BoardRow>> {
        if q.all_time() {
            return self.all_time_leaderboard(q).await;
        }
        on_pool!(self, pool => {
            let (start, end) = q.bounds();
            let (limit, offset) = q.limit_offset();
            let total: i64 = sqlx::query_scalar(concat!(ranked_cte!(), "SELECT COUNT(*) FROM ranked"))
                .bind(q.guild_id)
                .bind(start)
                .bind(end)
                .bind(q.topic.as_deref())
                .fetch_one(pool)
                .await?;
            let rows: Vec<BoardRow> = sqlx::query_as(concat!(
                ranked_cte!(),
                "SELECT r.rank, r.user_id, coalesce(m.display_name, '') AS display_name, r.points, r.questions, r.attempts
                 FROM ranked r LEFT JOIN members m ON m.guild_id = $1 AND m.user_id = r.user_id
                 ORDER BY r.rank LIMIT $5 OFFSET $6"
            ))
            .bind(q.guild_id)
            .bind(start)
            .bind(end)
            .bind(q.topic.as_deref())
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            Ok(q.page_of(rows, total))
        })
    }

    async fn all_time_leaderboard(&self, q: &BoardQuery) -> Result<Page<BoardRow>> {
        on_pool!(self, pool => {
            let (limit, offset) = q.limit_offset();
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM member_totals WHERE guild_id = $1")
                .bind(q.guild_id)
                .fetch_one(pool)
                .await?;
            let rows: Vec<BoardRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT r.rank, r.user_id, coalesce(m.display_name, '') AS display_name, r.points, r.questions, r.attempts
                 FROM ({ALL_TIME_RANKED}) r LEFT JOIN members m ON m.guild_id = $1 AND m.user_id = r.user_id
                 ORDER BY r.rank LIMIT $2 OFFSET $3"
            )))
            .bind(q.guild_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            Ok(q.page_of(rows, total))
        })
    }

    /// A member's rank on a board and the number of ranked members, if they are on it.
    pub async fn member_rank(&self, q: &BoardQuery, user_id: i64) -> Result<Option<(i64, i64)>> {
        if q.all_time() {
            // Members ahead in the board's order, counted over the server's totals (one row a
            // member) rather than ranking every attempt.
            return on_pool!(self, pool => {
                Ok(sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM member_totals o
                              WHERE o.guild_id = t.guild_id
                                AND (-o.points, o.attempts, o.reached_ms, o.user_id)
                                  < (-t.points, t.attempts, t.reached_ms, t.user_id)) + 1,
                            (SELECT COUNT(*) FROM member_totals c WHERE c.guild_id = t.guild_id)
                     FROM member_totals t WHERE t.guild_id = $1 AND t.user_id = $2",
                )
                .bind(q.guild_id)
                .bind(user_id)
                .fetch_optional(pool)
                .await?)
            });
        }
        on_pool!(self, pool => {
            let (start, end) = q.bounds();
            Ok(sqlx::query_as(concat!(
                ranked_cte!(),
                "SELECT rank, (SELECT COUNT(*) FROM ranked) FROM ranked WHERE user_id = $5"
            ))
            .bind(q.guild_id)
            .bind(start)
            .bind(end)
            .bind(q.topic.as_deref())
            .bind(user_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// A page of the team board: teams ranked by points per active member.
    pub async fn team_board(&self, q: &BoardQuery) -> Result<Page<TeamRow>> {
        on_pool!(self, pool => {
            let (start, end) = q.bounds();
            let (limit, offset) = q.limit_offset();
            let rows: Vec<TeamRow> = sqlx::query_as(concat!(
                ranked_cte!(),
                ", per_team AS (
                    SELECT t.name, COUNT(tm.user_id) AS members, COUNT(r.user_id) AS active,
                           CAST(coalesce(SUM(r.points), 0) AS BIGINT) AS total_points,
                           CASE WHEN COUNT(r.user_id) = 0 THEN CAST(0 AS DOUBLE PRECISION)
                                ELSE CAST(SUM(r.points) AS DOUBLE PRECISION) / COUNT(r.user_id) END AS average_points
                    FROM teams t
                    LEFT JOIN team_members tm ON tm.team_id = t.id
                    LEFT JOIN ranked r ON r.user_id = tm.user_id
                    WHERE t.guild_id = $1
                    GROUP BY t.id
                )
                SELECT ROW_NUMBER() OVER (ORDER BY average_points DESC, total_points DESC, name ASC) AS rank,
                       name, members, active, total_points, average_points
                FROM per_team ORDER BY rank LIMIT $5 OFFSET $6"
            ))
            .bind(q.guild_id)
            .bind(start)
            .bind(end)
            .bind(q.topic.as_deref())
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM teams WHERE guild_id = $1")
                .bind(q.guild_id)
                .fetch_one(pool)
                .await?;
            Ok(q.page_of(rows, total))
        })
    }
}
