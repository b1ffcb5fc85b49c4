//! A member's personal statistics.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;

use super::boards::BoardQuery;
use super::on_pool;
use super::{Result, Store};
use crate::domain::period::{Period, local_date, window};
use crate::domain::schedule::Weekdays;
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
    pub streak: Streak,
    /// (rank, ranked members) on this week's board and the all-time board.
    pub week_rank: Option<(i64, i64)>,
    pub all_time_rank: Option<(i64, i64)>,
    /// Moderators' latest changes to this member's answers (at most 3), newest first.
    pub overrides: Vec<super::OverrideNote>,
    /// Appeals of this member waiting for a moderator.
    pub open_appeals: i64,
}

impl Store {
    /// The numbers `/stats` shows (the concepts to work on come from
    /// [`Store::member_concept_tallies`]). `now` and the server's timezone decide "this week" and "today".
    pub async fn member_stats(
        &self,
        guild_id: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<MemberStats> {
        on_pool!(self, pool => {
            let tz: Tz = self.server_timezone(guild_id).await?;
            let (attempts, average, best): (i64, Option<f64>, Option<i64>) = sqlx::query_as(
                "SELECT COUNT(*), CAST(AVG(score) AS DOUBLE PRECISION), MAX(score) FROM attempts WHERE guild_id = $1 AND user_id = $2",
            )
            .bind(guild_id)
            .bind(user_id)
            .fetch_one(pool)
            .await?;
            let topics: Vec<TopicAverage> = sqlx::query_as(
                "SELECT topic, COUNT(*) AS attempts, CAST(AVG(score) AS DOUBLE PRECISION) AS average FROM attempts
                 WHERE guild_id = $1 AND user_id = $2 GROUP BY topic ORDER BY average ASC, topic ASC",
            )
            .bind(guild_id)
            .bind(user_id)
            .fetch_all(pool)
            .await?;
            let days: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT local_date FROM attempts WHERE guild_id = $1 AND user_id = $2 AND context = 'daily'",
            )
            .bind(guild_id)
            .bind(user_id)
            .fetch_all(pool)
            .await?;
            let days: Vec<NaiveDate> = days.iter().filter_map(|d| d.parse().ok()).collect();
            // Streak days are the server's posting days: the weekdays of its active drops.
            let schedules: Vec<(i64, String)> = sqlx::query_as(
                "SELECT weekdays, timezone FROM schedules WHERE guild_id = $1 AND paused = 0",
            )
            .bind(guild_id)
            .fetch_all(pool)
            .await?;
            let bits = schedules
                .iter()
                .fold(0u8, |acc, (m, _)| acc | u8::try_from(*m & 0x7f).unwrap_or(0));
            let posting = Weekdays::from_bits(bits).unwrap_or(Weekdays::EVERY_DAY);
            // Drop answers are dated in their schedule's zone: "today" is not over while it is
            // not over in the server's zone or in any schedule's, so a drop that is open (an
            // evening drop in a zone behind the server's) keeps the streak alive.
            let today = schedules
                .iter()
                .filter_map(|(_, zone)| zone.parse::<Tz>().ok())
                .map(|zone| now.with_timezone(&zone).date_naive())
                .fold(local_date(now, tz), NaiveDate::min);
            let streak = Streak::from_days_on(&days, today, posting);
            let board = |period| BoardQuery {
                guild_id,
                window: window(period, now, tz),
                topic: None,
                page: 0,
                page_size: 1,
            };
            let week_rank = self.member_rank(&board(Period::Week), user_id).await?;
            let all_time_rank = self.member_rank(&board(Period::AllTime), user_id).await?;
            let overrides = self.member_overrides(guild_id, user_id, 3).await?;
            let open_appeals = self.open_appeals(guild_id, user_id).await?;
            Ok(MemberStats {
                attempts,
                average: average.unwrap_or(0.0),
                best: best.unwrap_or(0),
                topics,
                streak,
                week_rank,
                all_time_rank,
                overrides,
                open_appeals,
            })
        })
    }
}
