//! A member's personal statistics.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;

use super::boards::BoardQuery;
use super::{Result, Store};
use crate::domain::period::{Period, local_date, window};
use crate::domain::streak::Streak;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TopicAverage {
    pub topic: String,
    pub attempts: i64,
    pub average: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberStats {
    pub attempts: i64,
    pub average: f64,
    pub best: i64,
    /// Weakest topic first.
    pub topics: Vec<TopicAverage>,
    /// The concepts missed most often, with counts (at most 3).
    pub most_missed: Vec<(String, i64)>,
    pub streak: Streak,
    /// (rank, ranked members) on this week's board and the all-time board.
    pub week_rank: Option<(i64, i64)>,
    pub all_time_rank: Option<(i64, i64)>,
}

impl Store {
    /// Everything `/stats` shows. `now` and the server's timezone decide "this week" and "today".
    pub async fn member_stats(
        &self,
        guild_id: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<MemberStats> {
        let tz: Tz = self.server_timezone(guild_id).await?;
        let (attempts, average, best): (i64, Option<f64>, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), AVG(score), MAX(score) FROM attempts WHERE guild_id = ? AND user_id = ?",
        )
        .bind(guild_id)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        let topics: Vec<TopicAverage> = sqlx::query_as(
            "SELECT topic, COUNT(*) AS attempts, AVG(score) AS average FROM attempts
             WHERE guild_id = ? AND user_id = ? GROUP BY topic ORDER BY average ASC, topic ASC",
        )
        .bind(guild_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let most_missed: Vec<(String, i64)> = sqlx::query_as(
            "SELECT j.value, COUNT(*) AS n FROM attempts a, json_each(a.missed) j
             WHERE a.guild_id = ? AND a.user_id = ? GROUP BY j.value ORDER BY n DESC, j.value ASC LIMIT 3",
        )
        .bind(guild_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let days: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT local_date FROM attempts WHERE guild_id = ? AND user_id = ? AND context = 'daily'",
        )
        .bind(guild_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let days: Vec<NaiveDate> = days.iter().filter_map(|d| d.parse().ok()).collect();
        let streak = Streak::from_days(&days, local_date(now, tz));
        let board = |period| BoardQuery {
            guild_id,
            window: window(period, now, tz),
            topic: None,
            page: 0,
            page_size: 1,
        };
        let week_rank = self.member_rank(&board(Period::Week), user_id).await?;
        let all_time_rank = self.member_rank(&board(Period::AllTime), user_id).await?;
        Ok(MemberStats {
            attempts,
            average: average.unwrap_or(0.0),
            best: best.unwrap_or(0),
            topics,
            most_missed,
            streak,
            week_rank,
            all_time_rank,
        })
    }
}
