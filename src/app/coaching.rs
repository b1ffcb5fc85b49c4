//! Coaching and progress: what `/stats`, a round's summary and the terminal's `stats` show
//! beyond the numbers — the concepts a member still misses with the questions that teach them,
//! and the chart of their progress.

use chrono::{DateTime, Utc};

use super::text::escape;
use crate::chart::{self, ChartError};
use crate::domain::coaching::{Weakness, still_missed};
use crate::domain::progress::{Progress, chart_weeks, topic_skills};
use crate::store::{MemberStats, Result, Store};

/// Concepts `/stats` names.
pub const STATS_CONCEPTS: usize = 3;
/// Concepts a round's summary names per player.
pub const ROUND_CONCEPTS: usize = 2;

/// A member's statistics, the concepts to work on and what the chart draws.
#[derive(Debug, Clone)]
pub struct Coaching {
    pub stats: MemberStats,
    pub weak: Vec<Weakness>,
    pub progress: Progress,
}

/// Everything `/stats` shows of a member of a server at `now`.
pub async fn member_coaching(
    store: &Store,
    guild_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Coaching> {
    let stats = store.member_stats(guild_id, user_id, now).await?;
    let weak = still_missed(
        &store.member_concept_tallies(guild_id, user_id).await?,
        STATS_CONCEPTS,
    );
    let averages: Vec<(String, f64)> = stats
        .topics
        .iter()
        .map(|t| (t.topic.clone(), t.average))
        .collect();
    let progress = Progress {
        weeks: chart_weeks(store.weekly_scores(guild_id, user_id).await?),
        topics: topic_skills(&store.topic_ratings(guild_id, user_id).await?, &averages),
    };
    Ok(Coaching {
        stats,
        weak,
        progress,
    })
}

/// The concepts of a round's questions a player still misses, over all their answers to them.
pub async fn round_coaching(store: &Store, round_id: i64, user_id: i64) -> Result<Vec<Weakness>> {
    Ok(still_missed(
        &store.round_concept_tallies(round_id, user_id).await?,
        ROUND_CONCEPTS,
    ))
}

/// The progress chart of `name` as a PNG.
pub fn chart_png(progress: &Progress, name: &str) -> Result<Vec<u8>, ChartError> {
    chart::progress_png(progress, &format!("Progress — {name}"))
}

/// One concept for Discord (its name escaped: imported banks' names are user text), e.g.
/// "Backpressure — missed 3× · practise `node-streams-backpressure`".
pub fn weakness_line(w: &Weakness) -> String {
    let questions: Vec<String> = w.questions.iter().map(|q| format!("`{q}`")).collect();
    format!(
        "{} — missed {}× · practise {}",
        escape(&w.concept),
        w.missed,
        questions.join(", ")
    )
}
