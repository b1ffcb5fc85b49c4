//! Choosing what a member learns most from next.
//!
//! 1. **Due reviews first**: of the member's questions whose review is due, the one they are
//!    most likely to have forgotten (lowest recall now).
//! 2. **Then a new question** (one they have no review memory of) whose predicted score
//!    ([`skill::predicted_score`]) is nearest [`TARGET_SCORE`]: hard enough to teach, easy enough
//!    to get mostly right. A question of the member's weakest rated topic counts as
//!    [`WEAKEST_TOPIC_BONUS`] points nearer.
//! 3. **Rungs**: bank levels run fresher → mid → senior. New questions come from the lowest level
//!    the member has not mastered yet (a level is mastered when [`MASTERY_SHARE`] of its
//!    questions have a memory of at least [`MASTERY_STABILITY_DAYS`] days after a pass); when
//!    that level has nothing new left, from any level.
//!
//! Ties are broken by a hash of the seed and the question, so the same seed and history always
//! give the same choice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::bank::Question;
use super::review::ReviewState;
use super::skill::{self, Rating};

pub const TARGET_SCORE: f64 = 70.0;
pub const WEAKEST_TOPIC_BONUS: f64 = 5.0;
pub const MASTERY_STABILITY_DAYS: f64 = 7.0;
pub const MASTERY_SHARE: f64 = 0.8;

/// A question as stored: which bank it belongs to and its id there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey {
    pub bank: String,
    pub question: String,
}

impl ItemKey {
    pub fn new(bank: &str, question: &str) -> ItemKey {
        ItemKey {
            bank: bank.to_string(),
            question: question.to_string(),
        }
    }
}

/// A question that may be offered, with its bank's id and level (`BankMeta::level`).
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub bank: &'a str,
    pub level: &'a str,
    pub question: &'a Question,
}

/// What the store knows about one member.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub reviews: HashMap<ItemKey, ReviewState>,
    /// Rating per topic.
    pub skills: HashMap<String, Rating>,
    /// Question difficulties of the server (missing ones start from the bank's difficulty).
    pub difficulties: HashMap<ItemKey, Rating>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Review,
    New,
}

#[derive(Debug, Clone)]
pub struct Choice<'a> {
    pub candidate: Candidate<'a>,
    pub kind: Kind,
    pub predicted_score: f64,
    pub reason: String,
}

/// Where a level sits on the ladder; unknown levels come after senior, in name order.
pub fn level_rank(level: &str) -> (u8, String) {
    let l = level.trim().to_ascii_lowercase();
    let rank = match l.as_str() {
        "fresher" | "junior" | "entry" => 0,
        "mid" | "middle" | "intermediate" => 1,
        "senior" => 2,
        "staff" | "principal" => 3,
        _ => 4,
    };
    (rank, l)
}

impl History {
    fn member_rating(&self, topic: &str) -> Rating {
        self.skills
            .get(topic)
            .copied()
            .unwrap_or_else(Rating::member_start)
    }

    fn difficulty(&self, c: &Candidate<'_>) -> Rating {
        self.difficulties
            .get(&ItemKey::new(c.bank, c.question.id.as_str()))
            .copied()
            .unwrap_or_else(|| Rating::question_start(c.question.difficulty))
    }

    /// Predicted 0–100 score on this question.
    pub fn predicted(&self, c: &Candidate<'_>) -> f64 {
        skill::predicted_score(
            self.member_rating(&c.question.topic).value,
            self.difficulty(c).value,
        )
    }

    /// The lowest-rated topic, when the member has answered in at least two.
    pub fn weakest_topic(&self) -> Option<&str> {
        if self.skills.len() < 2 {
            return None;
        }
        self.skills
            .iter()
            .min_by(|a, b| a.1.value.total_cmp(&b.1.value).then_with(|| a.0.cmp(b.0)))
            .map(|(t, _)| t.as_str())
    }

    fn mastered(&self, key: &ItemKey) -> bool {
        self.reviews
            .get(key)
            .is_some_and(|s| s.last_grade.passed() && s.memory.stability >= MASTERY_STABILITY_DAYS)
    }
}

fn tie_break(seed: u64, key: &ItemKey) -> u64 {
    // FNV-1a over the key, then splitmix64 with the seed: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bank.bytes().chain([0]).chain(key.question.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = h ^ seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The next question for a member, or `None` when nothing is due and nothing is new.
pub fn choose<'a>(
    candidates: &[Candidate<'a>],
    history: &History,
    now: DateTime<Utc>,
    seed: u64,
) -> Option<Choice<'a>> {
    choose_review(candidates, history, now).or_else(|| choose_new(candidates, history, seed))
}

fn choose_review<'a>(
    candidates: &[Candidate<'a>],
    history: &History,
    now: DateTime<Utc>,
) -> Option<Choice<'a>> {
    let mut best: Option<(f64, ItemKey, Candidate<'a>, &ReviewState)> = None;
    for c in candidates {
        let key = ItemKey::new(c.bank, c.question.id.as_str());
        let Some(state) = history.reviews.get(&key) else {
            continue;
        };
        if !state.is_due(now) {
            continue;
        }
        let recall = state.retrievability(now);
        let better = best.as_ref().is_none_or(|(r, k, _, _)| {
            recall.total_cmp(r).then_with(|| key.cmp(k)) == std::cmp::Ordering::Less
        });
        if better {
            best = Some((recall, key, *c, state));
        }
    }
    best.map(|(recall, _, c, state)| {
        let days = (now - state.last_review).num_days();
        let when = match days {
            0 => "earlier today".to_string(),
            1 => "yesterday".to_string(),
            d => format!("{d} days ago"),
        };
        Choice {
            candidate: c,
            kind: Kind::Review,
            predicted_score: history.predicted(&c),
            reason: format!(
                "due for review: you last answered it {when} (score {}); recall now about {:.0}%",
                state.last_score,
                recall * 100.0
            ),
        }
    })
}

fn choose_new<'a>(
    candidates: &[Candidate<'a>],
    history: &History,
    seed: u64,
) -> Option<Choice<'a>> {
    // Per level: (questions, mastered, unseen).
    let mut levels: HashMap<(u8, String), (usize, usize, usize)> = HashMap::new();
    for c in candidates {
        let key = ItemKey::new(c.bank, c.question.id.as_str());
        let e = levels.entry(level_rank(c.level)).or_default();
        e.0 += 1;
        e.1 += usize::from(history.mastered(&key));
        e.2 += usize::from(!history.reviews.contains_key(&key));
    }
    let mut ladder: Vec<_> = levels.into_iter().collect();
    ladder.sort_by(|a, b| a.0.cmp(&b.0));
    let rung = ladder
        .iter()
        .find(|(_, (n, mastered, unseen))| {
            *unseen > 0 && (*mastered as f64) < MASTERY_SHARE * *n as f64
        })
        .map(|(level, _)| level.clone());
    let below_mastered = rung.as_ref().and_then(|r| {
        ladder
            .iter()
            .filter(|(l, _)| l < r)
            .map(|(l, _)| l.1.clone())
            .next_back()
    });
    let weakest = history.weakest_topic();
    let mut best: Option<(f64, u64, Candidate<'a>, f64)> = None;
    for c in candidates {
        if rung.as_ref().is_some_and(|r| level_rank(c.level) != *r) {
            continue;
        }
        let key = ItemKey::new(c.bank, c.question.id.as_str());
        if history.reviews.contains_key(&key) {
            continue;
        }
        let predicted = history.predicted(c);
        let mut distance = (predicted - TARGET_SCORE).abs();
        if weakest == Some(c.question.topic.as_str()) {
            distance -= WEAKEST_TOPIC_BONUS;
        }
        let tb = tie_break(seed, &key);
        let better = best.as_ref().is_none_or(|(d, t, _, _)| {
            distance.total_cmp(d).then(tb.cmp(t)) == std::cmp::Ordering::Less
        });
        if better {
            best = Some((distance, tb, *c, predicted));
        }
    }
    best.map(|(_, _, c, predicted)| {
        let topic = &c.question.topic;
        let mut reason = if weakest == Some(topic.as_str()) {
            format!("your weakest topic: {topic}")
        } else if !history.skills.contains_key(topic) {
            format!("a topic you have not tried yet: {topic}")
        } else {
            format!("{topic}, at the edge of what you know")
        };
        reason.push_str(&format!(" (predicted score {predicted:.0})"));
        if let Some(level) = below_mastered {
            reason.push_str(&format!("; you have mastered the {level} questions"));
        }
        Choice {
            candidate: c,
            kind: Kind::New,
            predicted_score: predicted,
            reason,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bank::Bank;
    use crate::domain::review::{DesiredRetention, schedule};
    use chrono::{Duration, TimeZone as _};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn bank() -> Bank {
        Bank::shipped().unwrap_or_else(|e| panic!("shipped bank: {e}"))
    }

    fn candidates<'a>(bank: &'a Bank, level: &'a str) -> Vec<Candidate<'a>> {
        bank.questions
            .iter()
            .map(|q| Candidate {
                bank: &bank.meta.id,
                level,
                question: q,
            })
            .collect()
    }

    fn key(c: &Candidate<'_>) -> ItemKey {
        ItemKey::new(c.bank, c.question.id.as_str())
    }

    #[test]
    fn same_seed_and_history_give_the_same_choice_and_seeds_vary_it() {
        let b = bank();
        let cs = candidates(&b, "senior");
        let h = History::default();
        let first = choose(&cs, &h, now(), 7).map(|c| key(&c.candidate));
        for _ in 0..5 {
            assert_eq!(choose(&cs, &h, now(), 7).map(|c| key(&c.candidate)), first);
        }
        let distinct: std::collections::HashSet<_> = (0..20)
            .filter_map(|s| choose(&cs, &h, now(), s).map(|c| key(&c.candidate)))
            .collect();
        assert!(distinct.len() > 1, "the seed should break ties");
    }

    #[test]
    fn due_reviews_come_first_most_forgotten_first() {
        let b = bank();
        let cs = candidates(&b, "senior");
        let mut h = History::default();
        let r = DesiredRetention::default();
        let long_ago = schedule(None, 80, 0, now() - Duration::days(30), r).state;
        let recent = schedule(None, 80, 0, now() - Duration::days(4), r).state;
        let not_due = schedule(None, 100, 0, now() - Duration::hours(1), r).state;
        h.reviews.insert(key(&cs[0]), recent);
        h.reviews.insert(key(&cs[1]), long_ago);
        h.reviews.insert(key(&cs[2]), not_due);
        let c = choose(&cs, &h, now(), 1).unwrap_or_else(|| panic!("a choice"));
        assert_eq!(c.kind, Kind::Review);
        assert_eq!(key(&c.candidate), key(&cs[1]));
        assert!(
            c.reason
                .starts_with("due for review: you last answered it 30 days ago"),
            "{}",
            c.reason
        );
        // Once nothing is due, a new question (never one already in memory).
        h.reviews.remove(&key(&cs[0]));
        h.reviews.remove(&key(&cs[1]));
        let c = choose(&cs, &h, now(), 1).unwrap_or_else(|| panic!("a choice"));
        assert_eq!(c.kind, Kind::New);
        assert_ne!(key(&c.candidate), key(&cs[2]));
    }

    #[test]
    fn new_questions_aim_at_a_predicted_70_and_name_the_weakest_topic() {
        let b = bank();
        let cs = candidates(&b, "senior");
        let mut h = History::default();
        for t in b.topics() {
            h.skills.insert(
                t.to_string(),
                Rating {
                    value: 1500.0,
                    answers: 10,
                },
            );
        }
        h.skills.insert(
            "Scalability".into(),
            Rating {
                value: 1250.0,
                answers: 10,
            },
        );
        let c = choose(&cs, &h, now(), 3).unwrap_or_else(|| panic!("a choice"));
        assert_eq!(c.question_topic(), "Scalability");
        assert!(
            c.reason.starts_with("your weakest topic: Scalability"),
            "{}",
            c.reason
        );
        // The chosen one is as near 70 as any other Scalability question.
        let best = cs
            .iter()
            .filter(|x| x.question.topic == "Scalability")
            .map(|x| (h.predicted(x) - TARGET_SCORE).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(((c.predicted_score - TARGET_SCORE).abs() - best).abs() < 1e-9);
    }

    #[test]
    fn mastering_a_level_opens_the_next_rung() {
        let b = bank();
        let (fresh, senior) = b.questions.split_at(10);
        let mut cs: Vec<Candidate<'_>> = fresh
            .iter()
            .map(|q| Candidate {
                bank: "b",
                level: "fresher",
                question: q,
            })
            .collect();
        cs.extend(senior.iter().map(|q| Candidate {
            bank: "b",
            level: "senior",
            question: q,
        }));
        let mut h = History::default();
        let c = choose(&cs, &h, now(), 0).unwrap_or_else(|| panic!("a choice"));
        assert_eq!(c.candidate.level, "fresher");
        // Master 8 of the 10 fresher questions (two easy passes, not due yet).
        let r = DesiredRetention::default();
        for c in &cs[..8] {
            let s1 = schedule(None, 100, 0, now() - Duration::days(10), r).state;
            let s2 = schedule(Some(&s1), 100, 0, now() - Duration::days(1), r).state;
            assert!(s2.memory.stability >= MASTERY_STABILITY_DAYS);
            h.reviews.insert(key(c), s2);
        }
        let c = choose(&cs, &h, now(), 0).unwrap_or_else(|| panic!("a choice"));
        assert_eq!(c.candidate.level, "senior");
        assert!(
            c.reason.contains("mastered the fresher questions"),
            "{}",
            c.reason
        );
    }

    #[test]
    fn nothing_due_and_nothing_new_gives_none() {
        let b = bank();
        let cs = candidates(&b, "senior");
        let mut h = History::default();
        let r = DesiredRetention::default();
        for c in &cs {
            h.reviews
                .insert(key(c), schedule(None, 100, 0, now(), r).state);
        }
        assert!(choose(&cs, &h, now(), 0).is_none());
        assert!(choose(&[], &History::default(), now(), 0).is_none());
    }

    impl Choice<'_> {
        fn question_topic(&self) -> &str {
            &self.candidate.question.topic
        }
    }
}
