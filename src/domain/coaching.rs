//! Coaching: which concepts a member (or a server) misses most, and which questions teach them.
//!
//! Every stored attempt lists the concepts its answer missed (contradicted ones included) and
//! those it covered. Per concept and question the store counts both and keeps the time of the
//! latest of each; this module ranks them:
//!
//! - [`still_missed`] (a member's coaching): a concept counts on a question until the member
//!   covers it there after their latest miss; it ranks by how often it was missed (on the
//!   questions where it still counts), then by how recently, then by name.
//! - [`most_missed`] (a server's week): every missed concept, by misses, then recency, then name.
//!
//! Each concept names the questions it was missed on, most missed first: the ones to practise.

use std::collections::HashMap;

/// What the store counted for one (concept, question).
#[derive(Debug, Clone, PartialEq)]
pub struct ConceptTally {
    pub concept: String,
    /// The question's slug (the same across bank versions).
    pub question: String,
    pub missed: u32,
    pub covered: u32,
    /// The latest miss and the latest cover, in milliseconds (`None`: never).
    pub last_missed_ms: i64,
    pub last_covered_ms: Option<i64>,
}

impl ConceptTally {
    /// Covered after its latest miss: learnt, for now.
    fn learnt(&self) -> bool {
        self.last_covered_ms
            .is_some_and(|covered| covered > self.last_missed_ms)
    }
}

/// A concept to work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weakness {
    pub concept: String,
    pub missed: u32,
    /// Questions that teach it (slugs), most missed first.
    pub questions: Vec<String>,
}

/// At most this many questions are named per concept.
pub const QUESTIONS_PER_CONCEPT: usize = 2;

/// A member's concepts to work on: missed and not covered since, most missed first.
pub fn still_missed(tallies: &[ConceptTally], limit: usize) -> Vec<Weakness> {
    rank(tallies.iter().filter(|t| !t.learnt()), limit)
}

/// The concepts missed most, whether or not they were covered later (a server's week).
pub fn most_missed(tallies: &[ConceptTally], limit: usize) -> Vec<Weakness> {
    rank(tallies.iter(), limit)
}

/// One concept's misses gathered over its questions.
struct Gathered<'a> {
    concept: &'a str,
    missed: u32,
    last_missed_ms: i64,
    /// (question, misses, latest miss)
    questions: Vec<(&'a str, u32, i64)>,
}

fn rank<'a>(tallies: impl Iterator<Item = &'a ConceptTally>, limit: usize) -> Vec<Weakness> {
    let mut by_concept: HashMap<&str, Gathered<'_>> = HashMap::new();
    for t in tallies.filter(|t| t.missed > 0) {
        let g = by_concept.entry(t.concept.as_str()).or_insert(Gathered {
            concept: t.concept.as_str(),
            missed: 0,
            last_missed_ms: i64::MIN,
            questions: Vec::new(),
        });
        g.missed += t.missed;
        g.last_missed_ms = g.last_missed_ms.max(t.last_missed_ms);
        g.questions
            .push((t.question.as_str(), t.missed, t.last_missed_ms));
    }
    let mut ranked: Vec<Gathered<'_>> = by_concept.into_values().collect();
    ranked.sort_by(|a, b| {
        b.missed
            .cmp(&a.missed)
            .then(b.last_missed_ms.cmp(&a.last_missed_ms))
            .then(a.concept.cmp(b.concept))
    });
    ranked
        .into_iter()
        .take(limit)
        .map(|mut g| {
            g.questions
                .sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
            Weakness {
                concept: g.concept.to_string(),
                missed: g.missed,
                questions: g
                    .questions
                    .into_iter()
                    .take(QUESTIONS_PER_CONCEPT)
                    .map(|(q, _, _)| q.to_string())
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(
        concept: &str,
        question: &str,
        missed: u32,
        last: i64,
        covered: Option<i64>,
    ) -> ConceptTally {
        ConceptTally {
            concept: concept.into(),
            question: question.into(),
            missed,
            covered: u32::from(covered.is_some()),
            last_missed_ms: last,
            last_covered_ms: covered,
        }
    }

    #[test]
    fn most_missed_first_then_most_recent_then_by_name() {
        let t = [
            tally("IPC", "q-cluster", 2, 100, None),
            tally("Backpressure", "q-streams", 3, 50, None),
            tally("Round robin", "q-cluster", 2, 300, None),
            tally("Alpha", "q-x", 2, 300, None),
        ];
        let names: Vec<String> = still_missed(&t, 10)
            .into_iter()
            .map(|w| w.concept)
            .collect();
        assert_eq!(names, ["Backpressure", "Alpha", "Round robin", "IPC"]);
        assert_eq!(still_missed(&t, 2).len(), 2);
    }

    #[test]
    fn a_concept_covered_since_its_last_miss_is_learnt_for_the_member_but_not_for_the_week() {
        let t = [
            tally("IPC", "q-cluster", 5, 100, Some(200)),
            tally("Heap", "q-memory", 1, 100, Some(50)),
        ];
        let member: Vec<String> = still_missed(&t, 10)
            .into_iter()
            .map(|w| w.concept)
            .collect();
        assert_eq!(member, ["Heap"]);
        let week: Vec<String> = most_missed(&t, 10).into_iter().map(|w| w.concept).collect();
        assert_eq!(week, ["IPC", "Heap"]);
    }

    #[test]
    fn a_concept_of_several_questions_adds_their_misses_and_names_the_most_missed_questions() {
        let t = [
            tally("Event loop", "q-a", 1, 10, None),
            tally("Event loop", "q-b", 3, 5, None),
            tally("Event loop", "q-c", 1, 20, None),
            // Learnt on this question: not counted, not named.
            tally("Event loop", "q-d", 4, 1, Some(2)),
            tally("Other", "q-a", 4, 1, None),
        ];
        let w = still_missed(&t, 1);
        assert_eq!(
            w,
            [Weakness {
                concept: "Event loop".into(),
                missed: 5,
                questions: vec!["q-b".into(), "q-c".into()],
            }]
        );
    }

    #[test]
    fn nothing_missed_means_nothing_to_coach() {
        assert!(still_missed(&[], 3).is_empty());
        assert!(most_missed(&[tally("X", "q", 0, 0, Some(1))], 3).is_empty());
    }
}
