//! A member's progress as the `/stats` chart draws it: the average score of each week, and a
//! skill per topic on the same 0–100 scale.
//!
//! A topic's skill is the score the member's rating in it predicts on a medium question (one
//! rated [`START_RATING`](super::skill::START_RATING)); a topic without a rating yet shows the
//! member's average score in it.

use chrono::NaiveDate;

use super::skill::{START_RATING, predicted_score};

/// The chart shows at most this many weeks, the latest ones.
pub const CHART_WEEKS: usize = 26;

/// One week of a member's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekScore {
    /// The week's Monday, in the server's calendar.
    pub week: NaiveDate,
    pub average: f64,
    pub answers: u32,
}

/// One topic's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSkill {
    pub topic: String,
    /// 0–100.
    pub skill: f64,
    /// From the rating (true) or, with no rating yet, the average score (false).
    pub rated: bool,
}

/// What the chart shows: weeks oldest first, topics weakest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub weeks: Vec<WeekScore>,
    pub topics: Vec<TopicSkill>,
}

/// The skill per topic: `ratings` (topic, rating) where the member has one, else
/// `averages` (topic, average score); weakest first, then by name.
pub fn topic_skills(ratings: &[(String, f64)], averages: &[(String, f64)]) -> Vec<TopicSkill> {
    let mut out: Vec<TopicSkill> = ratings
        .iter()
        .map(|(topic, rating)| TopicSkill {
            topic: topic.clone(),
            skill: predicted_score(*rating, START_RATING),
            rated: true,
        })
        .collect();
    for (topic, average) in averages {
        if !out.iter().any(|t| t.topic == *topic) {
            out.push(TopicSkill {
                topic: topic.clone(),
                skill: average.clamp(0.0, 100.0),
                rated: false,
            });
        }
    }
    out.sort_by(|a, b| a.skill.total_cmp(&b.skill).then(a.topic.cmp(&b.topic)));
    out
}

/// The last [`CHART_WEEKS`] of `weeks` (given in any order), oldest first.
pub fn chart_weeks(mut weeks: Vec<WeekScore>) -> Vec<WeekScore> {
    weeks.sort_by_key(|w| w.week);
    let skip = weeks.len().saturating_sub(CHART_WEEKS);
    weeks.split_off(skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_beats_the_average_and_the_weakest_topic_comes_first() {
        let skills = topic_skills(
            &[("Testing".into(), 1200.0), ("Performance".into(), 1000.0)],
            &[
                ("Testing".into(), 20.0),
                ("Scalability".into(), 35.0),
                ("Performance".into(), 90.0),
            ],
        );
        let names: Vec<(&str, bool)> = skills.iter().map(|t| (t.topic.as_str(), t.rated)).collect();
        assert_eq!(
            names,
            [
                ("Scalability", false),
                ("Performance", true),
                ("Testing", true)
            ]
        );
        assert!((skills[1].skill - 50.0).abs() < 1e-9);
        assert!(skills[2].skill > 75.0);
    }

    #[test]
    fn only_the_latest_weeks_are_charted_oldest_first() {
        let start: NaiveDate = "2025-01-06".parse().unwrap();
        let weeks: Vec<WeekScore> = (0..40)
            .rev()
            .map(|i| WeekScore {
                week: start + chrono::Duration::weeks(i),
                average: 50.0,
                answers: 1,
            })
            .collect();
        let charted = chart_weeks(weeks);
        assert_eq!(charted.len(), CHART_WEEKS);
        assert_eq!(charted[0].week, start + chrono::Duration::weeks(14));
        assert!(charted.windows(2).all(|w| w[0].week < w[1].week));
    }
}
