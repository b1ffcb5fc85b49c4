//! Skill per (member, topic) and difficulty per question: Elo with the score as the outcome.
//!
//! Both live on one scale (1000 = an average member on an average question). For a member
//! rated `R` on a question of difficulty `D`, the **predicted score** is
//! `100 / (1 + 10^((D − R) / 400))`: 50 when they are equal, about 76 when the member is 200
//! above. After an answer scoring `s` (0–100), with `e` the predicted score:
//!
//! - the member's topic rating moves `K · (s − e) / 100`, with `K = 48` for their first
//!   [`PROVISIONAL_ANSWERS`] answers in the topic and `24` after;
//! - the question's difficulty moves `−16 · (s − e) / 100`, only on each member's **first**
//!   attempt at it (repeats measure memory, not the question).
//!
//! New questions start at 900 / 1000 / 1100 for easy / medium / hard; new members at 1000.

use super::bank::Difficulty;

pub const START_RATING: f64 = 1000.0;
pub const PROVISIONAL_ANSWERS: u32 = 5;
const K_PROVISIONAL: f64 = 48.0;
const K_MEMBER: f64 = 24.0;
const K_QUESTION: f64 = 16.0;

/// A rating with the number of answers behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rating {
    pub value: f64,
    pub answers: u32,
}

impl Rating {
    pub fn member_start() -> Rating {
        Rating {
            value: START_RATING,
            answers: 0,
        }
    }

    pub fn question_start(difficulty: Difficulty) -> Rating {
        let value = match difficulty {
            Difficulty::Easy => 900.0,
            Difficulty::Medium => 1000.0,
            Difficulty::Hard => 1100.0,
        };
        Rating { value, answers: 0 }
    }
}

/// Predicted 0–100 score of a member rated `member` on a question of difficulty `question`.
pub fn predicted_score(member: f64, question: f64) -> f64 {
    100.0 / (1.0 + 10f64.powf((question - member) / 400.0))
}

/// The new member rating and question difficulty after one answer.
pub fn update(
    member: Rating,
    question: Rating,
    score: u8,
    first_attempt: bool,
) -> (Rating, Rating) {
    let expected = predicted_score(member.value, question.value);
    let surprise = (f64::from(score.min(100)) - expected) / 100.0;
    let k = if member.answers < PROVISIONAL_ANSWERS {
        K_PROVISIONAL
    } else {
        K_MEMBER
    };
    let member = Rating {
        value: member.value + k * surprise,
        answers: member.answers + 1,
    };
    let question = if first_attempt {
        Rating {
            value: question.value - K_QUESTION * surprise,
            answers: question.answers + 1,
        }
    } else {
        question
    };
    (member, question)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prediction_is_logistic() {
        assert!((predicted_score(1000.0, 1000.0) - 50.0).abs() < 1e-9);
        assert!((predicted_score(1200.0, 1000.0) - 75.97).abs() < 0.01);
        assert!(predicted_score(800.0, 1000.0) < 25.0);
    }

    #[test]
    fn scoring_above_prediction_raises_member_and_lowers_question() {
        let (m, q) = update(
            Rating::member_start(),
            Rating::question_start(Difficulty::Medium),
            100,
            true,
        );
        assert!((m.value - 1024.0).abs() < 1e-9);
        assert!((q.value - 992.0).abs() < 1e-9);
        assert_eq!((m.answers, q.answers), (1, 1));
    }

    #[test]
    fn repeats_do_not_move_question_difficulty() {
        let q0 = Rating::question_start(Difficulty::Hard);
        let (m, q) = update(Rating::member_start(), q0, 0, false);
        assert_eq!(q, q0);
        assert!(m.value < START_RATING);
    }

    #[test]
    fn k_drops_after_provisional_answers() {
        let q = Rating::question_start(Difficulty::Medium);
        let veteran = Rating {
            value: 1000.0,
            answers: PROVISIONAL_ANSWERS,
        };
        let (m, _) = update(veteran, q, 100, true);
        assert!((m.value - 1012.0).abs() < 1e-9);
    }

    #[test]
    fn scoring_exactly_as_predicted_changes_nothing() {
        let q = Rating::question_start(Difficulty::Medium);
        let (m, q2) = update(Rating::member_start(), q, 50, true);
        assert!((m.value - START_RATING).abs() < 1e-9);
        assert!((q2.value - q.value).abs() < 1e-9);
    }

    #[test]
    fn a_steady_80_scorer_converges_near_a_prediction_of_80() {
        let q = Rating::question_start(Difficulty::Medium);
        let mut m = Rating::member_start();
        for _ in 0..300 {
            m = update(m, q, 80, false).0;
        }
        assert!((predicted_score(m.value, q.value) - 80.0).abs() < 1.0);
    }
}
