//! Coaching and progress: what `/stats`, a round's summary and the terminal's `stats` show
//! beyond the numbers — the concepts a member still misses with the questions that teach them,
//! and the chart of their progress.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;

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

/// Charts drawn at once, at most: drawing is CPU work, kept off the async workers and bounded
/// so a burst of `/stats` does not take every core.
pub const CHART_WORKERS: usize = 2;
/// Members whose last chart is kept.
pub const CHARTS_KEPT: usize = 512;

/// Progress charts, drawn off the async runtime on a small bounded pool and kept per member
/// until what they draw changes: a chart is a pure function of the member's [`Progress`] and
/// name, so it is drawn again only after their next scored answer (or a moderator's change of
/// one of their scores). Cheap to share behind an `Arc`.
pub struct Charts {
    permits: Arc<Semaphore>,
    kept: Mutex<Kept>,
    capacity: usize,
}

#[derive(Default)]
struct Kept {
    by_member: HashMap<(i64, i64), KeptChart>,
    /// Bumped at each use: the least recently used chart goes first when full.
    clock: u64,
}

struct KeptChart {
    progress: Progress,
    name: String,
    png: Arc<Vec<u8>>,
    used: u64,
}

/// Why a chart could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ChartFailure {
    #[error(transparent)]
    Draw(#[from] ChartError),
    #[error("the chart task ended without a chart: {0}")]
    Task(String),
}

impl Default for Charts {
    fn default() -> Self {
        Charts::new(CHART_WORKERS, CHARTS_KEPT)
    }
}

impl Charts {
    /// At most `workers` charts drawn at once (at least one), `capacity` members kept.
    pub fn new(workers: usize, capacity: usize) -> Charts {
        Charts {
            permits: Arc::new(Semaphore::new(workers.max(1))),
            kept: Mutex::new(Kept::default()),
            capacity: capacity.max(1),
        }
    }

    /// The member's kept chart, if it draws exactly `progress` under `name`.
    pub fn cached(
        &self,
        guild_id: i64,
        user_id: i64,
        progress: &Progress,
        name: &str,
    ) -> Option<Arc<Vec<u8>>> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.clock += 1;
        let now = kept.clock;
        let chart = kept.by_member.get_mut(&(guild_id, user_id))?;
        if chart.progress != *progress || chart.name != name {
            return None;
        }
        chart.used = now;
        Some(chart.png.clone())
    }

    /// The member's chart: the kept one when it is current, else drawn on the blocking pool
    /// (waiting for one of the bounded workers) and kept.
    pub async fn chart(
        &self,
        guild_id: i64,
        user_id: i64,
        progress: &Progress,
        name: &str,
    ) -> Result<Arc<Vec<u8>>, ChartFailure> {
        if let Some(png) = self.cached(guild_id, user_id, progress, name) {
            return Ok(png);
        }
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ChartFailure::Task(e.to_string()))?;
        let (p, n) = (progress.clone(), name.to_string());
        let png = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            chart_png(&p, &n)
        })
        .await
        .map_err(|e| ChartFailure::Task(e.to_string()))??;
        let png = Arc::new(png);
        self.keep(guild_id, user_id, progress, name, png.clone());
        Ok(png)
    }

    fn keep(
        &self,
        guild_id: i64,
        user_id: i64,
        progress: &Progress,
        name: &str,
        png: Arc<Vec<u8>>,
    ) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.clock += 1;
        let used = kept.clock;
        if kept.by_member.len() >= self.capacity
            && !kept.by_member.contains_key(&(guild_id, user_id))
            && let Some(oldest) = kept
                .by_member
                .iter()
                .min_by_key(|(_, c)| c.used)
                .map(|(k, _)| *k)
        {
            kept.by_member.remove(&oldest);
        }
        kept.by_member.insert(
            (guild_id, user_id),
            KeptChart {
                progress: progress.clone(),
                name: name.to_string(),
                png,
                used,
            },
        );
    }

    /// Members with a kept chart.
    pub fn len(&self) -> usize {
        self.kept.lock().map_or(0, |k| k.by_member.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::WeekScore;

    fn progress(average: f64) -> Progress {
        Progress {
            weeks: vec![WeekScore {
                week: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
                average,
                answers: 3,
            }],
            topics: Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_chart_is_kept_until_what_it_draws_changes() {
        let charts = Charts::new(1, 8);
        assert!(charts.cached(1, 2, &progress(60.0), "ann").is_none());
        let first = charts.chart(1, 2, &progress(60.0), "ann").await.unwrap();
        assert_eq!(&first[..8], b"\x89PNG\r\n\x1a\n");
        let again = charts.cached(1, 2, &progress(60.0), "ann").unwrap();
        assert!(Arc::ptr_eq(&first, &again), "the kept chart, not a new one");
        // A new scored answer moves the week's average: the kept chart is stale.
        assert!(charts.cached(1, 2, &progress(64.0), "ann").is_none());
        // Another member, or the same member in another server, has their own.
        assert!(charts.cached(1, 3, &progress(60.0), "ann").is_none());
        assert!(charts.cached(9, 2, &progress(60.0), "ann").is_none());
        let redrawn = charts.chart(1, 2, &progress(64.0), "ann").await.unwrap();
        assert!(!Arc::ptr_eq(&first, &redrawn));
        assert_eq!(charts.len(), 1, "one chart per member");
    }

    #[tokio::test]
    async fn the_least_recently_used_chart_goes_first() {
        let charts = Charts::new(2, 2);
        charts.chart(1, 1, &progress(50.0), "a").await.unwrap();
        charts.chart(1, 2, &progress(50.0), "b").await.unwrap();
        assert!(charts.cached(1, 1, &progress(50.0), "a").is_some());
        charts.chart(1, 3, &progress(50.0), "c").await.unwrap();
        assert_eq!(charts.len(), 2);
        assert!(
            charts.cached(1, 2, &progress(50.0), "b").is_none(),
            "b went"
        );
        assert!(charts.cached(1, 1, &progress(50.0), "a").is_some());
        assert!(charts.cached(1, 3, &progress(50.0), "c").is_some());
    }
}
